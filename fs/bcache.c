/* fs/bcache.c: the buffer cache: a bounded set of block buffers keyed by (device, block), reused LRU.
 * Not an I/O scheduler and not a journal: one block per device call, dirty blocks written back lazily. */
#include <granary/bcache.h>
#include <granary/blkio.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/slab.h>
#ifndef HOST_TEST
#include <granary/sched.h>
#include <granary/wait.h>
#endif

/*
 * Concurrency. Every change to the cache happens in task context without a lock: the kernel is
 * uniprocessor and not preemptible, and no interrupt handler touches the cache. What can sleep
 * is a device's read or write (virtio-blk waits for its completion interrupt), so across every
 * device call:
 *  - the buffer under I/O is B_BUSY and has a reference from the task doing the I/O, so nobody
 *    evicts, frees, invalidates or writes it meanwhile;
 *  - a buffer being filled (B_BUSY without B_VALID) is already in its hash bucket, so a second
 *    task asking for the block finds it and waits on io_wait instead of reading it twice, and
 *    a bcache_get() holder filling it by hand is protected the same way until mark_dirty;
 *  - a task that slept trusts none of what it looked at before: it looks the block up again,
 *    or restarts its scan when `epoch` says the lists changed.
 */

#define B_VALID 1u /* data holds the block (the device's bytes, or newer ones when dirty) */
#define B_DIRTY 2u /* data is newer than the device */
#define B_BUSY 4u  /* a device call in flight, or a bcache_get() holder filling it */

#define HASH_BITS 6

static struct list_head buckets[1u << HASH_BITS];
static struct list_head lru = LIST_HEAD_INIT(lru); /* every buffer with an identity */
static u32 nbufs, limit = CONFIG_BCACHE_BUFFERS;
static u64 try_gen; /* numbers the passes of sync and eviction: a buffer is tried once per pass */
static u64 epoch;   /* bumped whenever a list changes */
static struct bcache_stats stats;

#ifdef HOST_TEST
/* The host test plays the other task: it is called where a task would sleep, and must make
 * progress (finish the I/O the condition waits for) or fail the test. */
void bcache_test_wait(struct buf *b);
#define WAIT_UNTIL(b, cond)                    \
	do {                                   \
		while (!(cond))                \
			bcache_test_wait(b);   \
	} while (0)
#define io_done() ((void)0)
#else
static struct wait_queue io_wait = WAIT_QUEUE_INIT(io_wait);
#define WAIT_UNTIL(b, cond) wait_event(io_wait, cond)
#define io_done() wake_up(&io_wait)
#endif

static struct list_head *bucket_of(struct blkio *dev, u64 blockno)
{
	u64 h = (((u64)(uintptr_t)dev >> 4) ^ blockno) * 0x9e3779b97f4a7c15ull;

	if (!buckets[0].next)
		for (unsigned i = 0; i < ARRAY_SIZE(buckets); i++)
			list_init(&buckets[i]);
	return &buckets[h >> (64 - HASH_BITS)];
}

static struct buf *lookup(struct blkio *dev, u64 blockno)
{
	struct list_head *h = bucket_of(dev, blockno), *pos;

	list_for_each(pos, h) {
		struct buf *b = list_entry(pos, struct buf, hash);
		if (b->dev == dev && b->blockno == blockno)
			return b;
	}
	return NULL;
}

/* The device's block size if the cache takes it and blockno lies inside the device. */
static int check(struct blkio *dev, u64 blockno, u32 *bsize)
{
	u64 size;
	int err;

	if (!dev)
		return -EINVAL;
	*bsize = blkio_block_size(dev);
	if (*bsize < BCACHE_BSIZE_MIN || *bsize > BCACHE_BSIZE_MAX || (*bsize & (*bsize - 1)))
		return -EINVAL;
	err = blkio_get_size(dev, &size);
	if (err)
		return err;
	return blockno < size / *bsize ? 0 : -EINVAL;
}

static struct buf *alloc_buf(u32 bsize)
{
	struct buf *b = kmalloc(sizeof(*b), KM_ZERO);

	if (!b)
		return NULL;
	b->data = kmalloc(bsize, 0);
	if (!b->data) {
		kfree(b);
		return NULL;
	}
	b->size = bsize;
	list_init(&b->hash);
	list_init(&b->lru);
	nbufs++;
	return b;
}

/* Frees b, which must be unheld and idle; takes it out of the lists if it is in them. */
static void free_buf(struct buf *b)
{
	list_del(&b->hash);
	list_del(&b->lru);
	epoch++;
	kfree(b->data);
	kfree(b);
	nbufs--;
}

/* Writes b back (valid, dirty, not busy). May sleep; b is pinned meanwhile. */
static int write_back(struct buf *b)
{
	size_t actual = 0;
	int err;

	b->refcount++;
	b->flags |= B_BUSY;
	b->flags &= ~B_DIRTY; /* a holder writing during the call dirties it again */
	err = blkio_write(b->dev, b->data, b->blockno * b->size, b->size, &actual);
	if (!err && actual != b->size)
		err = -EIO;
	if (err)
		b->flags |= B_DIRTY;
	else
		stats.writebacks++;
	b->flags &= ~B_BUSY;
	b->refcount--;
	io_done();
	return err;
}

/*
 * A buffer of bsize bytes for a new block, in no list and with no identity: a fresh one while
 * under the limit, else the least recently used unheld idle one, written back first if dirty.
 * A buffer whose write-back fails stays cached and dirty; the next candidate is tried.
 */
static struct buf *take_buffer(u32 bsize)
{
	u64 gen = ++try_gen;
	int first_err = 0;

	if (nbufs < limit) {
		struct buf *b = alloc_buf(bsize);
		if (b)
			return b;
	}
	for (;;) {
		struct buf *victim = NULL;
		struct list_head *pos;

		for (pos = lru.prev; pos != &lru; pos = pos->prev) {
			struct buf *b = list_entry(pos, struct buf, lru);
			if (!b->refcount && !(b->flags & B_BUSY) && b->try_gen != gen) {
				victim = b;
				break;
			}
		}
		if (!victim)
			return ERR_PTR(first_err ? first_err : -ENOMEM);
		if (victim->flags & B_DIRTY) {
			int err = write_back(victim);
			if (err) {
				victim->try_gen = gen; /* not again in this pass */
				first_err = first_err ? first_err : err;
			}
			continue; /* look again: the lists may have changed while it was written */
		}
		list_del(&victim->hash);
		list_del(&victim->lru);
		epoch++;
		stats.evictions++;
		victim->dev = NULL;
		victim->flags = 0;
		if (victim->size != bsize) {
			u8 *data = kmalloc(bsize, 0);
			if (!data) {
				free_buf(victim);
				return ERR_PTR(-ENOMEM);
			}
			kfree(victim->data);
			victim->data = data;
			victim->size = bsize;
		}
		return victim;
	}
}

/* The buffer of (dev, blockno), referenced; read from the device if fill and not valid. */
static struct buf *acquire(struct blkio *dev, u64 blockno, bool fill)
{
	struct buf *b;
	size_t actual = 0;
	u32 bsize;
	int err = check(dev, blockno, &bsize);

	if (err)
		return ERR_PTR(err);
	for (;;) {
		b = lookup(dev, blockno);
		if (b) {
			b->refcount++;
			list_del(&b->lru);
			list_add(&b->lru, &lru);
			epoch++;
			WAIT_UNTIL(b, (b->flags & (B_BUSY | B_VALID)) != B_BUSY);
			if (b->flags & B_VALID) {
				stats.hits++;
				return b;
			}
			break; /* the last fill failed or was abandoned: this caller fills it */
		}
		b = take_buffer(bsize);
		if (IS_ERR(b))
			return b;
		if (lookup(dev, blockno)) { /* created by another task while this one slept */
			free_buf(b);
			continue;
		}
		b->dev = dev;
		b->blockno = blockno;
		b->refcount = 1;
		b->try_gen = 0;
		list_add(&b->hash, bucket_of(dev, blockno));
		list_add(&b->lru, &lru);
		epoch++;
		break;
	}
	stats.misses++;
	b->flags |= B_BUSY;
	if (!fill)
		return b; /* bcache_mark_dirty() or bcache_release() ends the fill */
	err = blkio_read(dev, b->data, blockno * bsize, bsize, &actual);
	if (!err && actual != bsize)
		err = -EIO;
	b->flags &= ~B_BUSY;
	if (!err)
		b->flags |= B_VALID;
	io_done();
	if (err) {
		bcache_release(b);
		return ERR_PTR(err);
	}
	return b;
}

struct buf *bcache_read(struct blkio *dev, u64 blockno)
{
	return acquire(dev, blockno, true);
}

struct buf *bcache_get(struct blkio *dev, u64 blockno)
{
	return acquire(dev, blockno, false);
}

void bcache_mark_dirty(struct buf *b)
{
	if (!b || IS_ERR(b))
		return;
	BUG_ON(!b->refcount);
	if (!(b->flags & B_VALID)) { /* the bcache_get() holder has filled it */
		b->flags &= ~B_BUSY;
		io_done();
	}
	b->flags |= B_VALID | B_DIRTY;
}

void bcache_release(struct buf *b)
{
	if (!b || IS_ERR(b))
		return;
	BUG_ON(!b->refcount);
	b->refcount--;
	/* Only a bcache_get() holder can hand back a buffer it never filled: waiters take over. */
	if ((b->flags & (B_BUSY | B_VALID)) == B_BUSY) {
		b->flags &= ~B_BUSY;
		io_done();
	}
	if (!b->refcount && !(b->flags & B_VALID))
		free_buf(b); /* holds nothing worth keeping */
}

int bcache_sync(struct blkio *dev)
{
	u64 gen = ++try_gen, seen;
	struct list_head *pos;
	int first_err = 0, err;

again:
	for (pos = lru.next; pos != &lru; pos = pos->next) {
		struct buf *b = list_entry(pos, struct buf, lru);

		if ((dev && b->dev != dev) || !(b->flags & B_DIRTY) || b->try_gen == gen)
			continue;
		if (b->flags & B_BUSY) { /* written by an eviction now: wait, then judge again */
			b->refcount++;
			WAIT_UNTIL(b, !(b->flags & B_BUSY));
			bcache_release(b);
			goto again;
		}
		b->try_gen = gen;
		seen = epoch;
		err = write_back(b);
		if (err && !first_err)
			first_err = err;
		if (epoch != seen)
			goto again; /* tried buffers are skipped by their try_gen */
	}
	if (dev) {
		err = blkio_flush(dev);
		if (err && !first_err)
			first_err = err;
	}
	return first_err;
}

int bcache_invalidate(struct blkio *dev)
{
	struct list_head *pos, *tmp;

	list_for_each(pos, &lru) {
		struct buf *b = list_entry(pos, struct buf, lru);
		if (b->dev == dev && (b->refcount || (b->flags & B_BUSY)))
			return -EBUSY;
	}
	list_for_each_safe(pos, tmp, &lru) {
		struct buf *b = list_entry(pos, struct buf, lru);
		if (b->dev == dev)
			free_buf(b);
	}
	return 0;
}

int bcache_set_limit(u32 n)
{
	struct list_head *pos, *prev;

	if (n < 1 || n > BCACHE_LIMIT_MAX)
		return -EINVAL;
	limit = n;
	for (pos = lru.prev; pos != &lru && nbufs > limit; pos = prev) {
		struct buf *b = list_entry(pos, struct buf, lru);
		prev = pos->prev;
		if (!b->refcount && !(b->flags & (B_BUSY | B_DIRTY)))
			free_buf(b);
	}
	return 0;
}

void bcache_get_stats(struct bcache_stats *s)
{
	struct list_head *pos;

	*s = stats;
	s->buffers = nbufs;
	s->limit = limit;
	s->held = s->dirty = 0;
	list_for_each(pos, &lru) {
		struct buf *b = list_entry(pos, struct buf, lru);
		s->held += b->refcount != 0;
		s->dirty += (b->flags & B_DIRTY) != 0;
	}
}
