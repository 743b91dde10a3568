/* include/granary/blkdev.h: the block-device registry (names, numbers, opens) and RAM disks.
 * Not the blkio interface itself (blkio.h) and not the buffer cache (bcache.h). */
#ifndef GRANARY_BLKDEV_H
#define GRANARY_BLKDEV_H

#include <granary/blkio.h>
#include <granary/device.h>
#include <granary/types.h>

/*
 * The registry. A registered device has a name ("ram0") and a device number: RAM disks named
 * ramN get major 1, minor N (as in Linux); any other name gets major 254 and the lowest free
 * minor. The registry holds a reference to each blkio until it is unregistered.
 */
#define BLKDEV_RAM_MAJOR 1
#define BLKDEV_DYN_MAJOR 254
#define BLKDEV_NAME_MAX 16 /* with the NUL */

/* Registers b (taking a reference) as name, [a-z0-9]+ of at most 15 characters. 0 with the
 * number in *rdev_out (may be NULL); -EINVAL for a bad name, -EEXIST for a name in use, -ENOSPC
 * when no number is free, -ENOMEM. */
int blkdev_register(const char *name, struct blkio *b, dev_t *rdev_out);
/* Writes back the device's cached blocks, drops them and the registry's reference. 0; -ENXIO if
 * nothing is registered as rdev; -EBUSY while it is open or held by blkdev_get(). */
int blkdev_unregister(dev_t rdev);
/* The device registered as rdev, with a reference that also keeps it registered (a mount); NULL
 * if there is none. Give it back with blkdev_put(). */
struct blkio *blkdev_get(dev_t rdev);
void blkdev_put(struct blkio *b);
/* Calls fn for each registered device, in registration order (devfs makes its nodes). fn must
 * not register or unregister. */
void blkdev_foreach(void (*fn)(const char *name, dev_t rdev, void *arg), void *arg);
/* Opens block device rdev into f (f->ops, f->priv): reads and writes move bytes at f->pos through
 * the buffer cache; stat gives S_IFBLK and the size. -ENXIO if nothing is registered as rdev. */
int blkdev_open(struct file *f, dev_t rdev);
/* Brings up the block layer at boot (the RAM disk of ramdisk=). */
#ifdef CONFIG_BLOCK
void block_init(void);
#else
static inline void block_init(void) {}
#endif

/* A RAM disk of size bytes in blocks of block_size (512..4096, a power of two; size a non-zero
 * multiple of it), zero-filled, not registered: 0 with one reference in *out; -EINVAL, -ENOMEM. */
int ramdisk_create(u64 size, u32 block_size, struct blkio **out);
/* Creates a RAM disk with 512-byte blocks and registers it as the lowest free ramN, the registry
 * holding the only reference (blkdev_unregister() frees it). 0 with its number in *rdev_out;
 * errors of ramdisk_create() and blkdev_register(). */
int ramdisk_add(u64 size, dev_t *rdev_out);
/* Creates the disk that ramdisk=SIZE asked for, if any (block_init() calls it). */
void ramdisk_boot(void);

#endif
