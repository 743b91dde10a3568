/* drivers/block/blkdev_file.c: an open block device as a file: bytes at f->pos through the buffer cache.
 * Not the registry (blkdev.c) and not the VFS: the VFS finds the device number and calls blkdev_open(). */
#include <granary/bcache.h>
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/kernel.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/uaccess.h>

#include "blkdev_priv.h"

/* Linux's block ioctls (<linux/fs.h>) that tools such as busybox blockdev use. */
#define BLKGETSIZE 0x1260	  /* unsigned long: size in 512-byte sectors */
#define BLKFLSBUF 0x1261	  /* write back and drop the cached blocks */
#define BLKSSZGET 0x1268	  /* int: the block size */
#define BLKGETSIZE64 0x80081272 /* u64: size in bytes */

/* Linux's cap on one read or write, which keeps counts clear of the sign bit. */
#define RW_MAX 0x7ffff000UL

static struct blkdev *dev_of(struct file *f) { return f->priv; }

static long blkdev_file_read(struct file *f, char __user *ubuf, size_t n)
{
	struct blkio *io = dev_of(f)->io;
	u32 bs = blkio_block_size(io);
	u64 size, pos = f->pos;
	size_t done = 0;
	int err = blkio_get_size(io, &size);

	if (err)
		return err;
	if (pos >= size)
		return 0;
	n = min(min(n, (size_t)RW_MAX), (size_t)(size - pos));
	while (done < n) {
		u32 at = (u32)(pos % bs);
		size_t chunk = min((size_t)(bs - at), n - done);
		struct buf *b = bcache_read(io, pos / bs);

		if (IS_ERR(b)) {
			err = (int)PTR_ERR(b);
			break;
		}
		err = copy_to_user(ubuf + done, b->data + at, chunk);
		bcache_release(b);
		if (err)
			break;
		done += chunk;
		pos += chunk;
	}
	f->pos = pos;
	return done ? (long)done : err;
}

/*
 * Whole blocks are taken without reading them; partial ones are read, patched and marked dirty.
 * The user's bytes go through a bounce block first, so a fault in the middle of a copy leaves
 * the cached block as it was instead of half-written.
 */
static long blkdev_file_write(struct file *f, const char __user *ubuf, size_t n)
{
	struct blkio *io = dev_of(f)->io;
	u32 bs = blkio_block_size(io);
	u64 size, pos = f->pos;
	size_t done = 0;
	u8 *bounce;
	int err = blkio_get_size(io, &size);

	if (err)
		return err;
	if (!n)
		return 0;
	if (pos >= size)
		return -ENOSPC;
	n = min(min(n, (size_t)RW_MAX), (size_t)(size - pos));
	bounce = kmalloc(bs, 0);
	if (!bounce)
		return -ENOMEM;
	while (done < n) {
		u32 at = (u32)(pos % bs);
		size_t chunk = min((size_t)(bs - at), n - done);
		struct buf *b;

		err = copy_from_user(bounce, ubuf + done, chunk);
		if (err)
			break;
		b = chunk == bs ? bcache_get(io, pos / bs) : bcache_read(io, pos / bs);
		if (IS_ERR(b)) {
			err = (int)PTR_ERR(b);
			break;
		}
		memcpy(b->data + at, bounce, chunk);
		bcache_mark_dirty(b);
		bcache_release(b);
		done += chunk;
		pos += chunk;
	}
	kfree(bounce);
	f->pos = pos;
	return done ? (long)done : err;
}

static long blkdev_file_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct blkio *io = dev_of(f)->io;
	u64 size;
	int err = blkio_get_size(io, &size);

	if (err)
		return err;
	switch (cmd) {
	case BLKGETSIZE: {
		unsigned long sectors = size >> 9;
		return copy_to_user((void __user *)arg, &sectors, sizeof(sectors));
	}
	case BLKGETSIZE64:
		return copy_to_user((void __user *)arg, &size, sizeof(size));
	case BLKSSZGET: {
		int bs = (int)blkio_block_size(io);
		return copy_to_user((void __user *)arg, &bs, sizeof(bs));
	}
	case BLKFLSBUF:
		err = bcache_sync(io);
		/* A block held at this moment (another opener mid-call) keeps them all cached. */
		if (!err && bcache_invalidate(io) == -EBUSY)
			err = 0;
		return err;
	default:
		return -ENOTTY;
	}
}

static unsigned blkdev_file_poll(struct file *f)
{
	return POLLIN | POLLOUT; /* never blocks in the poll sense: reads and writes finish */
}

static void blkdev_file_stat(struct file *f, struct kstat *k)
{
	struct blkdev *d = dev_of(f);
	u64 size = 0;

	blkio_get_size(d->io, &size);
	k->rdev = dev_encode(d->rdev);
	k->size = (s64)size;
	k->blksize = blkio_block_size(d->io);
	k->blocks = (s64)(size >> 9);
}

/* Closing writes the device's dirty blocks back (Linux does it on the last close of the device). */
static void blkdev_file_release(struct file *f)
{
	struct blkdev *d = dev_of(f);
	int err = bcache_sync(d->io);

	if (err)
		pr_warn("blkdev: %s: write-back on close failed (%d)\n", d->name, err);
	blkdev_unuse(d);
}

static s64 blkdev_file_llseek(struct file *f, s64 off, int whence)
{
	u64 size = 0;
	s64 base;

	blkio_get_size(dev_of(f)->io, &size);
	base = whence == 0 ? 0 : whence == 1 ? (s64)f->pos : whence == 2 ? (s64)size : -1;
	if (base < 0 || (off < 0 && base + off < 0))
		return -EINVAL;
	f->pos = (u64)(base + off);
	return (s64)f->pos;
}

static int blkdev_file_fsync(struct file *f)
{
	return bcache_sync(dev_of(f)->io);
}

static const struct file_ops blkdev_file_ops = {
	.llseek = blkdev_file_llseek,
	.fsync = blkdev_file_fsync,
	.read = blkdev_file_read,
	.write = blkdev_file_write,
	.ioctl = blkdev_file_ioctl,
	.poll = blkdev_file_poll,
	.stat = blkdev_file_stat,
	.release = blkdev_file_release,
	.ifmt = S_IFBLK,
};

int blkdev_open(struct file *f, dev_t rdev)
{
	struct blkdev *d = blkdev_use(rdev);

	if (!d)
		return -ENXIO;
	f->ops = &blkdev_file_ops;
	f->priv = d;
	return 0;
}
