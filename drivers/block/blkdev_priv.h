/* drivers/block/blkdev_priv.h: what the registry (blkdev.c) and the block-device file (blkdev_file.c) share.
 * Private to drivers/block; everyone else uses include/granary/blkdev.h. */
#ifndef DRIVERS_BLOCK_BLKDEV_PRIV_H
#define DRIVERS_BLOCK_BLKDEV_PRIV_H

#include <granary/blkdev.h>
#include <granary/list.h>

struct blkdev {
	char name[BLKDEV_NAME_MAX];
	dev_t rdev;
	struct blkio *io; /* the registry's reference */
	u32 users;	  /* open files and blkdev_get() holders: unregistering waits for 0 */
	bool dying;	  /* being unregistered: no new users */
	struct list_head link;
};

/* The device registered as rdev with a user counted for the caller, or NULL (none, or dying). */
struct blkdev *blkdev_use(dev_t rdev);
/* Ends a use begun by blkdev_use(). */
void blkdev_unuse(struct blkdev *d);

#endif
