/* drivers/block/blkdev.c: the block-device registry: names, device numbers, users, unregistering.
 * Not the byte-stream file over a device (blkdev_file.c) and not a driver (ramdisk.c, later virtio-blk). */
#include <granary/bcache.h>
#include <granary/errno.h>
#include <granary/module.h>
#include <granary/kernel.h>
#include <granary/slab.h>
#include <granary/string.h>

#include <granary/vfs.h>
#include "blkdev_priv.h"

/* Dynamic minors handed out under BLKDEV_DYN_MAJOR; a small number keeps the search trivial. */
#define DYN_MINORS 256

/* Registration order, which is also devfs's listing order. Changed only in task context; the
 * only sleep inside is unregistering's write-back, which `dying` covers. */
static struct list_head devices = LIST_HEAD_INIT(devices);

static struct blkdev *find_rdev(dev_t rdev)
{
	struct list_head *pos;

	list_for_each(pos, &devices) {
		struct blkdev *d = list_entry(pos, struct blkdev, link);
		if (d->rdev == rdev)
			return d;
	}
	return NULL;
}

static struct blkdev *find_name(const char *name)
{
	struct list_head *pos;

	list_for_each(pos, &devices) {
		struct blkdev *d = list_entry(pos, struct blkdev, link);
		if (!strcmp(d->name, name))
			return d;
	}
	return NULL;
}

static bool name_ok(const char *name)
{
	size_t n = strnlen(name, BLKDEV_NAME_MAX);

	if (!n || n >= BLKDEV_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9')))
			return false;
	return true;
}

/* The number name gets: ramN (N without leading zeros) is (1, N), anything else the lowest free
 * dynamic minor. 0 if none is left. */
static dev_t pick_number(const char *name)
{
	u64 n;

	/* name_ok() let only [a-z0-9] through, so a digit after "ram" and no leading zero leave
	 * kstrtou64() plain decimal. */
	if (!strncmp(name, "ram", 3) && name[3] >= '0' && name[3] <= '9' &&
	    (name[3] != '0' || !name[4]) && !kstrtou64(name + 3, &n) && n <= 0xfffff)
		return MKDEV(BLKDEV_RAM_MAJOR, n);
	for (u32 minor = 0; minor < DYN_MINORS; minor++)
		if (!find_rdev(MKDEV(BLKDEV_DYN_MAJOR, minor)))
			return MKDEV(BLKDEV_DYN_MAJOR, minor);
	return 0;
}

int blkdev_register(const char *name, struct blkio *b, dev_t *rdev_out)
{
	struct blkdev *d;
	u32 bsize;
	dev_t rdev;

	if (!name || !b || !name_ok(name))
		return -EINVAL;
	bsize = blkio_block_size(b);
	if (bsize < BCACHE_BSIZE_MIN || bsize > BCACHE_BSIZE_MAX || (bsize & (bsize - 1)))
		return -EINVAL; /* the cache could not serve it */
	if (find_name(name))
		return -EEXIST;
	rdev = pick_number(name);
	if (!rdev)
		return -ENOSPC;
	if (find_rdev(rdev))
		return -EEXIST;
	d = kzalloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	strlcpy(d->name, name, sizeof(d->name));
	d->rdev = rdev;
	d->io = b;
	obj_addref(b);
	list_add_tail(&d->link, &devices);
	devfs_add(d->name, S_IFBLK | 0660, d->rdev);
	if (rdev_out)
		*rdev_out = rdev;
	return 0;
}

int blkdev_unregister(dev_t rdev)
{
	struct blkdev *d = find_rdev(rdev);
	int err;

	if (!d)
		return -ENXIO;
	if (d->users || d->dying)
		return -EBUSY;
	d->dying = true;
	err = bcache_sync(d->io); /* may sleep: `dying` keeps new users out meanwhile */
	if (err)
		pr_warn("blkdev: %s: write-back failed (%d); unwritten blocks are lost\n", d->name, err);
	err = bcache_invalidate(d->io);
	if (err) { /* a buffer held without a user: a bug elsewhere, but do not free under it */
		d->dying = false;
		return err;
	}
	list_del(&d->link);
	devfs_remove(d->name);
	obj_release(d->io);
	kfree(d);
	return 0;
}

struct blkdev *blkdev_use(dev_t rdev)
{
	struct blkdev *d = find_rdev(rdev);

	if (!d || d->dying)
		return NULL;
	/* An open or mounted disk holds the module that drives it. */
	if (!module_get(d->io->ops->owner))
		return NULL;
	d->users++;
	obj_addref(d->io);
	return d;
}

void blkdev_unuse(struct blkdev *d)
{
	BUG_ON(!d->users);
	d->users--;
	module_put(d->io->ops->owner);
	obj_release(d->io);
}

struct blkio *blkdev_get(dev_t rdev)
{
	struct blkdev *d = blkdev_use(rdev);

	return d ? d->io : NULL;
}

void blkdev_put(struct blkio *b)
{
	struct list_head *pos;

	if (!b)
		return;
	list_for_each(pos, &devices) {
		struct blkdev *d = list_entry(pos, struct blkdev, link);
		if (d->io == b && d->users) {
			blkdev_unuse(d);
			return;
		}
	}
	WARN_ON(1); /* not from blkdev_get() */
}

void blkdev_foreach(void (*fn)(const char *name, dev_t rdev, void *arg), void *arg)
{
	struct list_head *pos;

	list_for_each(pos, &devices) {
		struct blkdev *d = list_entry(pos, struct blkdev, link);
		if (!d->dying)
			fn(d->name, d->rdev, arg);
	}
}

void block_init(void)
{
#ifdef CONFIG_RAMDISK
	ramdisk_boot();
#endif
}
