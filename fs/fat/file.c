/* fs/fat/file.c: regular files on FAT: read and write through the buffer cache along the cluster chain,
 * growth with zero-filled holes, truncation, fsync. Not the page map: FAT files have no page cache. */
#include "fat.h"
#include <granary/bcache.h>
#include <granary/errno.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <uapi/fcntl.h>

static u32 clusters_for(struct fat_sb *fs, u64 size)
{
	return (u32)((size + fs->cluster_size - 1) >> fs->cluster_shift);
}

/* The device offset of file byte pos (within the chain) and how many bytes from there stay inside
 * one device block and one cluster. */
static int locate(struct inode *i, u64 pos, u64 *dev, size_t *room)
{
	struct fat_sb *fs = FAT_SB(i->sb);
	u32 in = (u32)(pos & (fs->cluster_size - 1)), clus;
	int err = fat_bmap(i, (u32)(pos >> fs->cluster_shift), &clus);

	if (err) {
		fat_err(fs, "inode %llu: no cluster for byte %llu", (unsigned long long)i->ino,
			(unsigned long long)pos);
		return -EIO;
	}
	*dev = fat_cluster_pos(fs, clus) + in;
	*room = min((size_t)(fs->cluster_size - in), (size_t)(fs->bsize - *dev % fs->bsize));
	return 0;
}

static int zero_range(struct inode *i, u64 from, u64 to)
{
	while (from < to) {
		u64 dev;
		size_t room;
		int err = locate(i, from, &dev, &room);
		if (!err)
			err = fat_dev_zero(FAT_SB(i->sb), dev, min((u64)room, to - from));
		if (err)
			return err;
		from += min((u64)room, to - from);
	}
	return 0;
}

static void set_blocks(struct inode *i)
{
	struct fat_sb *fs = FAT_SB(i->sb);

	i->blocks = (u64)FAT_I(i)->nclus << (fs->cluster_shift - 9);
}

/* Gives back clusters past the size (a write that failed half way allocated them). */
static int trim(struct inode *i)
{
	int err = fat_shrink(i, clusters_for(FAT_SB(i->sb), i->size));

	set_blocks(i);
	return err;
}

int fat_truncate(struct inode *i, u64 size)
{
	struct fat_sb *fs = FAT_SB(i->sb);
	u32 have, need = clusters_for(fs, size);
	int err;

	if (size > FAT_MAX_FILE)
		return -EFBIG;
	err = fat_map(i);
	if (err)
		return err;
	have = FAT_I(i)->nclus;
	if (size > i->size) {
		if (need > have)
			err = fat_grow(i, need - have, false);
		if (!err)
			err = zero_range(i, i->size, size);
		if (err) {
			trim(i);
			return err;
		}
	}
	i->size = size;
	err = trim(i);
	inode_touch(i, ATTR_MTIME);
	return err ? err : fat_write_inode(i);
}

static long pread_locked(struct file *f, char __user *buf, size_t n, u64 pos)
{
	struct inode *i = f->inode;
	struct fat_sb *fs = FAT_SB(i->sb);
	size_t done = 0;
	int err;

	if (pos >= i->size)
		return 0;
	n = (size_t)min((u64)n, i->size - pos);
	err = fat_map(i);
	if (err)
		return err;
	while (done < n) {
		u64 dev;
		size_t room;
		struct buf *b;
		err = locate(i, pos + done, &dev, &room);
		if (err)
			break;
		room = min(room, n - done);
		b = bcache_read(fs->dev, dev / fs->bsize);
		if (IS_ERR(b)) {
			err = (int)PTR_ERR(b);
			break;
		}
		err = copy_to_user(buf + done, b->data + dev % fs->bsize, room) ? -EFAULT : 0;
		bcache_release(b);
		if (err)
			break;
		done += room;
	}
	return done ? (long)done : err;
}

static long pwrite_locked(struct file *f, const char __user *buf, size_t n, u64 pos)
{
	struct inode *i = f->inode;
	struct fat_sb *fs = FAT_SB(i->sb);
	size_t done = 0;
	u8 *bounce;
	u64 need;
	int err;

	if (!n)
		return 0;
	if (pos >= FAT_MAX_FILE)
		return -EFBIG;
	n = (size_t)min((u64)n, FAT_MAX_FILE - pos);
	err = fat_map(i);
	if (err)
		return err;
	bounce = kmalloc(fs->bsize, 0);
	if (!bounce)
		return -ENOMEM;
	need = clusters_for(fs, pos + n);
	if (need > FAT_I(i)->nclus) {
		err = fat_grow(i, (u32)(need - FAT_I(i)->nclus), false);
		/* Out of space: write what the clusters we got can hold. */
		if (err && ((u64)FAT_I(i)->nclus << fs->cluster_shift) > pos)
			n = (size_t)(((u64)FAT_I(i)->nclus << fs->cluster_shift) - pos);
		else if (err)
			goto out;
	}
	if (pos > i->size) {
		err = zero_range(i, i->size, pos); /* the hole reads as zeros */
		if (err)
			goto out;
	}
	while (done < n) {
		u64 dev;
		size_t room;
		struct buf *b;
		err = locate(i, pos + done, &dev, &room);
		if (err)
			break;
		room = min(room, n - done);
		if (copy_from_user(bounce, buf + done, room)) {
			err = -EFAULT;
			break;
		}
		b = room == fs->bsize ? bcache_get(fs->dev, dev / fs->bsize)
				      : bcache_read(fs->dev, dev / fs->bsize);
		if (IS_ERR(b)) {
			err = (int)PTR_ERR(b);
			break;
		}
		memcpy(b->data + dev % fs->bsize, bounce, room);
		bcache_mark_dirty(b);
		bcache_release(b);
		done += room;
	}
	if (pos + done > i->size)
		i->size = pos + done;
	if (done)
		inode_touch(i, ATTR_MTIME);
out:
	kfree(bounce);
	trim(i);
	fat_write_inode(i);
	return done ? (long)done : err;
}

static long fat_pread(struct file *f, char __user *buf, size_t n, u64 pos)
{
	return FAT_LOCKED(FAT_SB(f->inode->sb), pread_locked(f, buf, n, pos));
}

static long fat_pwrite(struct file *f, const char __user *buf, size_t n, u64 pos)
{
	return FAT_LOCKED(FAT_SB(f->inode->sb), pwrite_locked(f, buf, n, pos));
}

static int fat_fsync(struct file *f)
{
	return FAT_LOCKED(FAT_SB(f->inode->sb), fat_sync_fs(FAT_SB(f->inode->sb)));
}

static const struct file_ops fat_file_ops = {
	.read = generic_file_read,
	.write = generic_file_write,
	.pread = fat_pread,
	.pwrite = fat_pwrite,
	.llseek = generic_file_llseek,
	.fsync = fat_fsync,
	.ifmt = S_IFREG,
};

int fat_file_open(struct inode *i, struct file *f)
{
	f->ops = &fat_file_ops;
	return 0;
}

const struct inode_ops fat_file_iops = {
	.setattr = fat_setattr,
	.open = fat_file_open,
};
