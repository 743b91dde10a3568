/* fs/chrdev.c: the character-device registry: which driver opens which (major, minor) range.
 * Device nodes in any filesystem reach their driver through chrdev_open(). */
#include <granary/device.h>
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/vfs.h>

static struct chrdev *devices;

static bool overlaps(const struct chrdev *a, const struct chrdev *b)
{
	return a->major == b->major && a->minor < b->minor + b->count && b->minor < a->minor + a->count;
}

int chrdev_register(struct chrdev *cd)
{
	if (!cd->count || !cd->open)
		return -EINVAL;
	for (struct chrdev *o = devices; o; o = o->next)
		if (overlaps(o, cd))
			return -EBUSY;
	cd->next = devices;
	devices = cd;
	devfs_add_chrdev(cd);
	return 0;
}

void chrdev_unregister(struct chrdev *cd)
{
	for (struct chrdev **pp = &devices; *pp; pp = &(*pp)->next) {
		if (*pp == cd) {
			*pp = cd->next;
			return;
		}
	}
}

int chrdev_open(struct file *f, dev_t rdev)
{
	for (struct chrdev *cd = devices; cd; cd = cd->next)
		if (cd->major == MAJOR(rdev) && MINOR(rdev) >= cd->minor &&
		    MINOR(rdev) < cd->minor + cd->count)
			return cd->open(f, rdev);
	return -ENXIO;
}

void chrdev_foreach(void (*fn)(struct chrdev *cd, void *arg), void *arg)
{
	for (struct chrdev *cd = devices; cd; cd = cd->next)
		fn(cd, arg);
}

#ifndef CONFIG_BLOCK
/* Without the block layer no block device can be opened. */
int blkdev_open(struct file *f, dev_t rdev)
{
	return -ENXIO;
}
#endif
