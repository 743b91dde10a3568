/* include/granary/device.h: device numbers and the character-device registry.
 * A driver registers an open hook for a range of minors; opening a device node (devfs or mknod) calls it. */
#ifndef GRANARY_DEVICE_H
#define GRANARY_DEVICE_H

#include <granary/types.h>

struct file;

/* Kernel device numbers: 12-bit major, 20-bit minor (Linux's internal layout). */
typedef u32 dev_t;
#define MKDEV(ma, mi) (((dev_t)(ma) << 20) | ((dev_t)(mi) & 0xfffff))
#define MAJOR(d) ((u32)(d) >> 20)
#define MINOR(d) ((u32)(d) & 0xfffff)

/* The user-space encoding (stat's st_rdev, mknod's dev) and back. */
static inline u64 dev_encode(dev_t d)
{
	u64 ma = MAJOR(d), mi = MINOR(d);
	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffULL) << 12);
}
static inline dev_t dev_decode(u64 u)
{
	u32 ma = (u32)((u >> 8) & 0xfff) | (u32)((u >> 32) & ~0xfffU);
	u32 mi = (u32)(u & 0xff) | (u32)((u >> 12) & ~0xffU);
	return MKDEV(ma, mi);
}

/* Sets up an open of device rdev: fills f->ops and f->priv. 0 or a negative errno
 * (-ENXIO: no such unit). */
typedef int (*chrdev_open_fn)(struct file *f, dev_t rdev);

struct chrdev {
	const char *name;  /* devfs name of the first minor ("ttyS0"); NULL: no devfs node */
	u32 major, minor;  /* the first device number */
	u32 count;	   /* minors served: minor .. minor + count - 1 */
	u32 mode;	   /* permission bits of the devfs node (0666, 0620, ...) */
	chrdev_open_fn open;
	/* devfs names of minors after the first when count > 1 ("ttyS%u" with the index);
	 * NULL: only the first minor gets a node. */
	const char *name_fmt;
	struct chrdev *next; /* the registry's list */
};

/* Registers a range of character devices (the struct stays the caller's). 0, or -EBUSY if the
 * range overlaps one already registered. */
int chrdev_register(struct chrdev *cd);
void chrdev_unregister(struct chrdev *cd);
/* Opens character device rdev into f: -ENXIO if no driver serves it. */
int chrdev_open(struct file *f, dev_t rdev);
/* Calls fn for each registered range (devfs lists them). */
void chrdev_foreach(void (*fn)(struct chrdev *cd, void *arg), void *arg);

/* Registers /dev/null, zero, full, random, urandom and kmsg (drivers/char/mem.c). */
void mem_devices_init(void);

/* Opens block device rdev into f (drivers/block): -ENXIO if no such disk. */
int blkdev_open(struct file *f, dev_t rdev);

#endif
