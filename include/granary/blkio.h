/* include/granary/blkio.h: the block-device interface (blkio): block size, read, write, size, flush.
 * Only the interface; the registry of devices and RAM disks are in blkdev.h, caching in bcache.h. */
#ifndef GRANARY_BLKIO_H
#define GRANARY_BLKIO_H

#include <granary/errno.h>
#include <granary/object.h>
#include <granary/types.h>

/*
 * A blkio is a fixed array of blocks, addressed in bytes. Every offset and length passed to
 * read and write is a multiple of the block size (else -EINVAL). Reads and writes that start
 * inside the device but run past its end are cut short: *actual says how many bytes moved.
 * One that starts exactly at the end moves 0 bytes; one that starts beyond it is -EINVAL.
 * Buffers are kernel memory. read and write may sleep (a disk driver waits for its
 * interrupt); callers must not hold spinlocks across them.
 */
struct blkio {
	const struct blkio_ops *ops;
};

struct blkio_ops {
	OBJECT_OPS(struct blkio); /* query answers "blkio" */
	/* A power of two, constant for the object's life. */
	u32 (*block_size)(struct blkio *b);
	/* 0 with *actual bytes read into buf, or a negative errno (-EINVAL, -EIO). */
	int (*read)(struct blkio *b, void *buf, u64 off, size_t len, size_t *actual);
	/* 0 with *actual bytes written from buf, or a negative errno (-EINVAL, -EIO, -EROFS). */
	int (*write)(struct blkio *b, const void *buf, u64 off, size_t len, size_t *actual);
	/* 0 with the size in bytes (a multiple of the block size) in *size. */
	int (*get_size)(struct blkio *b, u64 *size);
	/* Optional (NULL: fixed size). Grows or shrinks to size bytes; a grown tail is undefined. */
	int (*set_size)(struct blkio *b, u64 size);
	/* Optional (NULL: nothing cached below). Makes completed writes durable. */
	int (*flush)(struct blkio *b);
};

/* The interface name query() takes. */
#define BLKIO_IID "blkio"

static inline u32 blkio_block_size(struct blkio *b) { return b->ops->block_size(b); }
static inline int blkio_read(struct blkio *b, void *buf, u64 off, size_t len, size_t *actual)
{
	return b->ops->read(b, buf, off, len, actual);
}
static inline int blkio_write(struct blkio *b, const void *buf, u64 off, size_t len, size_t *actual)
{
	return b->ops->write(b, buf, off, len, actual);
}
static inline int blkio_get_size(struct blkio *b, u64 *size) { return b->ops->get_size(b, size); }
/* -EOPNOTSUPP for a fixed-size device. */
static inline int blkio_set_size(struct blkio *b, u64 size)
{
	return b->ops->set_size ? b->ops->set_size(b, size) : -EOPNOTSUPP;
}
static inline int blkio_flush(struct blkio *b) { return b->ops->flush ? b->ops->flush(b) : 0; }

/* For implementations: checks a request of len bytes at off on a device of size bytes with
 * blocks of bsize (a power of two), and sets *n to the bytes to move (short at the end).
 * 0, or -EINVAL for misalignment, a NULL buffer, or an offset past the end. */
static inline int blkio_check(u32 bsize, u64 size, const void *buf, u64 off, size_t len, size_t *n)
{
	if (!bsize || (bsize & (bsize - 1)) || (off & (bsize - 1)) || (len & (bsize - 1)))
		return -EINVAL;
	if ((len && !buf) || off > size)
		return -EINVAL;
	*n = len < size - off ? len : (size_t)(size - off);
	return 0;
}

#endif
