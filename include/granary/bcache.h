/* include/granary/bcache.h: the buffer cache: blocks of blkio devices held in memory, keyed by (device, block).
 * Not a page cache for files and not a journal: writes are delayed until eviction or bcache_sync(). */
#ifndef GRANARY_BCACHE_H
#define GRANARY_BCACHE_H

#include <granary/list.h>
#include <granary/types.h>

struct blkio;

/*
 * A buffer holds one block. Between bcache_read()/bcache_get() and bcache_release() the caller
 * holds a reference: the buffer stays at this (dev, blockno) and is never evicted. Several
 * callers may hold the same buffer at once and see the same bytes.
 */
struct buf {
	struct blkio *dev;
	u64 blockno;
	u8 *data;  /* size bytes */
	u32 size;  /* the device's block size */
	/* The cache's own, not to be touched by holders: */
	u32 refcount;
	u32 flags;
	u64 try_gen;		/* the last sync or eviction pass that tried to write it */
	struct list_head hash;	/* its hash bucket */
	struct list_head lru;	/* the LRU list, most recently used first */
};

/* Block sizes the cache takes. */
#define BCACHE_BSIZE_MIN 512
#define BCACHE_BSIZE_MAX 4096
/* The largest limit bcache_set_limit() accepts. */
#define BCACHE_LIMIT_MAX 65536

/* Block blockno of dev with its bytes read, referenced. ERR_PTR: -EINVAL (a block size the
 * cache does not take, or a block past the end), -ENOMEM (the limit is reached and every buffer
 * is held, or the heap is empty), the error of writing back a dirty buffer to make room when no
 * other could be reused, or the device's read error (-EIO for a short read). */
struct buf *bcache_read(struct blkio *dev, u64 blockno);
/* Like bcache_read() but without reading when the block is not cached: for a caller that
 * overwrites the whole block. Until it calls bcache_mark_dirty() the bytes are undefined and
 * anyone else asking for the block waits. */
struct buf *bcache_get(struct blkio *dev, u64 blockno);
/* The holder changed the bytes: they are written back on eviction or bcache_sync(). */
void bcache_mark_dirty(struct buf *b);
/* Drops the caller's reference (NULL and error pointers are ignored). */
void bcache_release(struct buf *b);
/* Writes back every dirty buffer of dev, held ones too, then flushes dev; NULL: every device's
 * buffers, no flush. 0, or the first error; a buffer that failed stays dirty. */
int bcache_sync(struct blkio *dev);
/* Drops every buffer of dev, dirty ones unwritten (sync first to keep them). 0, or -EBUSY if any
 * is held or has I/O in flight (then nothing is dropped). */
int bcache_invalidate(struct blkio *dev);
/* Sets the most buffers the cache may have (1..BCACHE_LIMIT_MAX, else -EINVAL) and frees clean
 * unheld ones above it, least recently used first. 0 or -EINVAL. */
int bcache_set_limit(u32 limit);

struct bcache_stats {
	u64 hits, misses;   /* lookups that found the block valid / had to read or allocate */
	u64 evictions;	    /* buffers reused or freed for another block */
	u64 writebacks;	    /* blocks written to devices */
	u32 buffers, limit; /* buffers allocated now, and the most there may be */
	u32 held, dirty;    /* buffers with references, and with unwritten bytes */
};
/* Fills *s with the cache's counters. */
void bcache_get_stats(struct bcache_stats *s);

#endif
