/* tests/host/test_bcache.c: host tests of fs/bcache.c over memory-backed blkio devices that count and fail on demand.
 * Hits, misses, LRU order, write-back on eviction and sync, invalidate, errors, waiters, and a seeded model run. */
#include "hosttest.h"

#include <stdbool.h>
#include <string.h>

#include <granary/bcache.h>
#include <granary/blkio.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/slab.h>

/* ---------------------------------------------------------------- what bcache.c calls */

static long kmalloc_live;	  /* blocks handed out and not freed */
static long kmalloc_budget = -1; /* how many more kmallocs succeed; -1: all */

void *kmalloc(size_t size, unsigned flags)
{
	void *p;

	if (kmalloc_budget == 0)
		return NULL;
	if (kmalloc_budget > 0)
		kmalloc_budget--;
	p = flags & KM_ZERO ? calloc(1, size) : malloc(size);
	if (p)
		kmalloc_live++;
	return p;
}

void kfree(const void *p)
{
	if (!p)
		return;
	kmalloc_live--;
	free((void *)p);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

/* Where a task would sleep: the test plays the other task with wait_hook, which must move things
 * on; a wait nothing can end fails the test instead of spinning. */
static void (*wait_hook)(struct buf *b);
static int waits;

void bcache_test_wait(struct buf *b)
{
	waits++;
	if (!wait_hook || waits > 100)
		fail_msg("bcache waited with nobody to wake it (block %llu)", (unsigned long long)b->blockno);
	wait_hook(b);
}

/* ---------------------------------------------------------------- a memory-backed blkio */

struct memdev {
	struct blkio io;
	u32 refs, bsize;
	u64 size;
	u8 *mem;
	long reads, writes, flushes;
	s64 fail_read, fail_write; /* block whose read/write fails with -EIO; -1: none */
	bool fail_all_writes, short_reads;
	int flush_err;
	u64 last_write; /* block of the last successful write */
};

static struct memdev *md(struct blkio *b) { return container_of(b, struct memdev, io); }

static int md_query(struct blkio *b, const char *iid, void **out)
{
	if (strcmp(iid, BLKIO_IID))
		return -EOPNOTSUPP;
	md(b)->refs++;
	*out = b;
	return 0;
}
static u32 md_addref(struct blkio *b) { return ++md(b)->refs; }
static u32 md_release(struct blkio *b) { return --md(b)->refs; }
static u32 md_block_size(struct blkio *b) { return md(b)->bsize; }
static int md_get_size(struct blkio *b, u64 *size)
{
	*size = md(b)->size;
	return 0;
}

static int md_read(struct blkio *b, void *buf, u64 off, size_t len, size_t *actual)
{
	struct memdev *d = md(b);
	size_t n;
	int err = blkio_check(d->bsize, d->size, buf, off, len, &n);

	if (err)
		return err;
	d->reads++;
	if (d->fail_read >= 0 && off / d->bsize == (u64)d->fail_read)
		return -EIO;
	if (d->short_reads && n)
		n -= d->bsize;
	memcpy(buf, d->mem + off, n);
	*actual = n;
	return 0;
}

static int md_write(struct blkio *b, const void *buf, u64 off, size_t len, size_t *actual)
{
	struct memdev *d = md(b);
	size_t n;
	int err = blkio_check(d->bsize, d->size, buf, off, len, &n);

	if (err)
		return err;
	d->writes++;
	if (d->fail_all_writes || (d->fail_write >= 0 && off / d->bsize == (u64)d->fail_write))
		return -EIO;
	memcpy(d->mem + off, buf, n);
	d->last_write = off / d->bsize;
	*actual = n;
	return 0;
}

static int md_flush(struct blkio *b)
{
	md(b)->flushes++;
	return md(b)->flush_err;
}

static const struct blkio_ops md_ops = {
	.query = md_query, .addref = md_addref, .release = md_release,
	.block_size = md_block_size, .read = md_read, .write = md_write,
	.get_size = md_get_size, .flush = md_flush,
};

/* A device of nblocks blocks; byte i of block k holds pattern(k, i). */
static u8 pattern(u64 k, size_t i) { return (u8)(k * 31 + i * 7 + 1); }

static struct memdev *md_new(u32 bsize, u64 nblocks)
{
	struct memdev *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	d->io.ops = &md_ops;
	d->refs = 1;
	d->bsize = bsize;
	d->size = (u64)bsize * nblocks;
	d->mem = malloc(d->size ? d->size : 1);
	assert_non_null(d->mem);
	for (u64 k = 0; k < nblocks; k++)
		for (size_t i = 0; i < bsize; i++)
			d->mem[k * bsize + i] = pattern(k, i);
	d->fail_read = d->fail_write = -1;
	return d;
}

/* Drops the device's buffers (none may be held) and frees it. */
static void md_free(struct memdev *d)
{
	struct bcache_stats s;

	bcache_get_stats(&s);
	assert_int_equal(s.held, 0);
	assert_int_equal(bcache_invalidate(&d->io), 0);
	free(d->mem);
	free(d);
}

static struct bcache_stats stats(void)
{
	struct bcache_stats s;

	bcache_get_stats(&s);
	return s;
}

static bool has_pattern(const u8 *p, u64 k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern(k, i))
			return false;
	return true;
}

/* Reads block k and releases it, checking it held pattern(k). */
static void read_check(struct memdev *d, u64 k)
{
	struct buf *b = bcache_read(&d->io, k);

	if (IS_ERR(b))
		fail_msg("reading block %llu: error %ld", (unsigned long long)k, PTR_ERR(b));
	assert_true(has_pattern(b->data, k, d->bsize));
	bcache_release(b);
}

/* Every test starts from an empty cache with the default limit and ends with nothing leaked. */
static int setup(void **state)
{
	kmalloc_budget = -1;
	wait_hook = NULL;
	waits = 0;
	assert_int_equal(bcache_set_limit(8), 0);
	assert_int_equal(stats().buffers, 0);
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(stats().buffers, 0);
	assert_int_equal(kmalloc_live, 0);
	return 0;
}

/* ---------------------------------------------------------------- tests */

static void test_miss_then_hit(void **state)
{
	struct memdev *d = md_new(512, 16);
	struct bcache_stats s0 = stats(), s;
	struct buf *a, *b;

	a = bcache_read(&d->io, 3);
	assert_false(IS_ERR(a));
	assert_ptr_equal(a->dev, &d->io);
	assert_int_equal(a->blockno, 3);
	assert_int_equal(a->size, 512);
	assert_true(has_pattern(a->data, 3, 512));
	assert_int_equal(d->reads, 1);
	/* A second holder gets the same buffer without a device read. */
	b = bcache_read(&d->io, 3);
	assert_ptr_equal(a, b);
	assert_int_equal(d->reads, 1);
	s = stats();
	assert_int_equal(s.misses - s0.misses, 1);
	assert_int_equal(s.hits - s0.hits, 1);
	assert_int_equal(s.buffers, 1);
	assert_int_equal(s.held, 1);
	bcache_release(a);
	assert_int_equal(stats().held, 1);
	bcache_release(b);
	assert_int_equal(stats().held, 0);
	/* Unheld, it stays cached. */
	read_check(d, 3);
	assert_int_equal(d->reads, 1);
	assert_int_equal(stats().hits - s0.hits, 2);
	md_free(d);
}

static void test_bad_arguments(void **state)
{
	struct memdev *d = md_new(512, 4), *small = md_new(256, 4), *big = md_new(8192, 4),
		      *odd = md_new(1536, 4);

	assert_int_equal(PTR_ERR(bcache_read(NULL, 0)), -EINVAL);
	assert_int_equal(PTR_ERR(bcache_read(&d->io, 4)), -EINVAL); /* one past the end */
	assert_int_equal(PTR_ERR(bcache_get(&d->io, ~0ull)), -EINVAL);
	assert_int_equal(PTR_ERR(bcache_read(&small->io, 0)), -EINVAL);
	assert_int_equal(PTR_ERR(bcache_read(&big->io, 0)), -EINVAL);
	assert_int_equal(PTR_ERR(bcache_read(&odd->io, 0)), -EINVAL);
	assert_int_equal(d->reads + small->reads + big->reads + odd->reads, 0);
	assert_int_equal(stats().buffers, 0);
	assert_int_equal(bcache_set_limit(0), -EINVAL);
	assert_int_equal(bcache_set_limit(BCACHE_LIMIT_MAX + 1), -EINVAL);
	assert_int_equal(stats().limit, 8);
	/* Releasing or dirtying NULL or an error pointer is harmless. */
	bcache_release(NULL);
	bcache_release(ERR_PTR(-EIO));
	bcache_mark_dirty(NULL);
	read_check(d, 3); /* the last block */
	md_free(d);
	md_free(small);
	md_free(big);
	md_free(odd);
}

static void test_lru_eviction_order(void **state)
{
	struct memdev *d = md_new(1024, 16);
	struct bcache_stats s0;

	assert_int_equal(bcache_set_limit(3), 0);
	read_check(d, 0);
	read_check(d, 1);
	read_check(d, 2);
	read_check(d, 0); /* 0 is now the most recent: order (old->new) 1 2 0 */
	s0 = stats();
	read_check(d, 3); /* evicts 1 */
	assert_int_equal(stats().evictions - s0.evictions, 1);
	assert_int_equal(stats().buffers, 3);
	assert_int_equal(d->reads, 4);
	read_check(d, 0);
	read_check(d, 2);
	assert_int_equal(d->reads, 4); /* both were still cached: order 3 0 2 */
	read_check(d, 1);	       /* a miss: evicts 3 */
	assert_int_equal(d->reads, 5);
	read_check(d, 0);
	assert_int_equal(d->reads, 5);
	read_check(d, 3);
	assert_int_equal(d->reads, 6);
	assert_int_equal(stats().evictions - s0.evictions, 3);
	md_free(d);
}

static void test_held_buffers_are_not_evicted(void **state)
{
	struct memdev *d = md_new(512, 16);
	struct buf *h0, *h1, *b;

	assert_int_equal(bcache_set_limit(2), 0);
	h0 = bcache_read(&d->io, 0);
	h1 = bcache_read(&d->io, 1);
	assert_false(IS_ERR(h0) || IS_ERR(h1));
	assert_int_equal(PTR_ERR(bcache_read(&d->io, 2)), -ENOMEM);
	assert_int_equal(PTR_ERR(bcache_get(&d->io, 2)), -ENOMEM);
	assert_int_equal(d->reads, 2);
	bcache_release(h0);
	b = bcache_read(&d->io, 2); /* takes block 0's buffer */
	assert_false(IS_ERR(b));
	assert_ptr_equal(b, h0);
	assert_true(has_pattern(b->data, 2, 512));
	assert_true(has_pattern(h1->data, 1, 512));
	bcache_release(b);
	bcache_release(h1);
	assert_int_equal(stats().buffers, 2);
	md_free(d);
}

static void test_dirty_written_back_on_eviction(void **state)
{
	struct memdev *d = md_new(512, 16);
	struct buf *b;

	assert_int_equal(bcache_set_limit(2), 0);
	b = bcache_get(&d->io, 5);
	assert_false(IS_ERR(b));
	assert_int_equal(d->reads, 0); /* bcache_get does not read */
	memset(b->data, 0xab, 512);
	bcache_mark_dirty(b);
	bcache_release(b);
	assert_int_equal(stats().dirty, 1);
	assert_int_equal(d->mem[5 * 512], pattern(5, 0)); /* not yet on the device */
	read_check(d, 6);
	assert_int_equal(d->writes, 0);
	read_check(d, 7); /* evicts 5, the least recent */
	assert_int_equal(d->writes, 1);
	assert_int_equal(d->last_write, 5);
	for (int i = 0; i < 512; i++)
		assert_int_equal(d->mem[5 * 512 + i], 0xab);
	assert_int_equal(stats().dirty, 0);
	/* Read back from the device. */
	b = bcache_read(&d->io, 5);
	assert_false(IS_ERR(b));
	assert_int_equal(b->data[511], 0xab);
	bcache_release(b);
	md_free(d);
}

static void test_sync_writes_dirty_and_flushes(void **state)
{
	struct memdev *d = md_new(2048, 8), *other = md_new(2048, 8);
	struct bcache_stats s0 = stats();
	struct buf *b;

	for (u64 k = 1; k <= 3; k++) {
		b = bcache_read(&d->io, k);
		assert_false(IS_ERR(b));
		b->data[7] = (u8)(0xc0 + k);
		bcache_mark_dirty(b);
		bcache_release(b);
	}
	b = bcache_read(&other->io, 1);
	b->data[0] = 0x99;
	bcache_mark_dirty(b);
	/* Syncing d leaves other's dirty buffer alone, and may sync a held buffer. */
	assert_int_equal(bcache_sync(&d->io), 0);
	assert_int_equal(d->writes, 3);
	assert_int_equal(d->flushes, 1);
	assert_int_equal(other->writes, 0);
	for (u64 k = 1; k <= 3; k++)
		assert_int_equal(d->mem[k * 2048 + 7], 0xc0 + k);
	assert_int_equal(stats().dirty, 1);
	assert_int_equal(stats().writebacks - s0.writebacks, 3);
	/* Nothing left: no writes, still a flush. */
	assert_int_equal(bcache_sync(&d->io), 0);
	assert_int_equal(d->writes, 3);
	assert_int_equal(d->flushes, 2);
	/* NULL syncs every device, held buffers included. */
	assert_int_equal(bcache_sync(NULL), 0);
	assert_int_equal(other->mem[2048], 0x99);
	assert_int_equal(stats().dirty, 0);
	bcache_release(b);
	/* A flush error is reported. */
	d->flush_err = -EIO;
	assert_int_equal(bcache_sync(&d->io), -EIO);
	md_free(d);
	md_free(other);
}

static void test_sync_reports_first_error_and_keeps_dirty(void **state)
{
	struct memdev *d = md_new(512, 16);
	struct buf *b;

	for (u64 k = 4; k <= 6; k++) {
		b = bcache_get(&d->io, k);
		memset(b->data, (int)k, 512);
		bcache_mark_dirty(b);
		bcache_release(b);
	}
	d->fail_write = 5;
	assert_int_equal(bcache_sync(&d->io), -EIO);
	assert_int_equal(d->writes, 3); /* the others were still written */
	assert_int_equal(d->mem[4 * 512], 4);
	assert_int_equal(d->mem[6 * 512], 6);
	assert_int_equal(d->mem[5 * 512], pattern(5, 0));
	assert_int_equal(stats().dirty, 1);
	/* The data was kept: a later sync succeeds once the device does. */
	d->fail_write = -1;
	assert_int_equal(bcache_sync(&d->io), 0);
	assert_int_equal(d->writes, 4);
	assert_int_equal(d->mem[5 * 512 + 511], 5);
	assert_int_equal(stats().dirty, 0);
	md_free(d);
}

static void test_eviction_skips_failing_writeback(void **state)
{
	struct memdev *d = md_new(512, 16);
	struct buf *b;

	assert_int_equal(bcache_set_limit(2), 0);
	for (u64 k = 0; k <= 1; k++) {
		b = bcache_read(&d->io, k);
		b->data[0] = 0xee;
		bcache_mark_dirty(b);
		bcache_release(b);
	}
	d->fail_write = 0;
	/* 0 is least recent but cannot be written: 1 is written and reused instead. */
	read_check(d, 2);
	assert_int_equal(d->writes, 2);
	assert_int_equal(d->mem[512], 0xee);
	assert_int_equal(stats().dirty, 1);
	b = bcache_read(&d->io, 0); /* still cached, with its bytes */
	assert_int_equal(d->reads, 3);
	assert_int_equal(b->data[0], 0xee);
	bcache_release(b);
	/* When no buffer can be had, the write-back error is the answer. */
	d->fail_all_writes = true;
	b = bcache_read(&d->io, 2);
	b->data[0] = 0xdd;
	bcache_mark_dirty(b);
	bcache_release(b);
	assert_int_equal(PTR_ERR(bcache_read(&d->io, 3)), -EIO);
	assert_int_equal(stats().dirty, 2);
	assert_int_equal(stats().buffers, 2);
	d->fail_all_writes = false;
	d->fail_write = -1;
	assert_int_equal(bcache_sync(&d->io), 0);
	assert_int_equal(d->mem[0], 0xee);
	assert_int_equal(d->mem[2 * 512], 0xdd);
	md_free(d);
}

static void test_read_errors_propagate(void **state)
{
	struct memdev *d = md_new(512, 16);
	struct bcache_stats s0 = stats();

	d->fail_read = 9;
	assert_int_equal(PTR_ERR(bcache_read(&d->io, 9)), -EIO);
	assert_int_equal(stats().buffers, 0); /* the failed buffer is not kept */
	assert_int_equal(stats().held, 0);
	/* Not cached as a failure: the next read asks the device again. */
	d->fail_read = -1;
	read_check(d, 9);
	assert_int_equal(d->reads, 2);
	/* A short read is -EIO too. */
	d->short_reads = true;
	assert_int_equal(PTR_ERR(bcache_read(&d->io, 10)), -EIO);
	d->short_reads = false;
	assert_int_equal(stats().misses - s0.misses, 3);
	md_free(d);
}

static void test_invalidate_refuses_held_buffers(void **state)
{
	struct memdev *d = md_new(512, 16), *other = md_new(512, 16);
	struct buf *b;

	read_check(other, 0);
	b = bcache_read(&d->io, 2);
	b->data[0] = 0x42;
	bcache_mark_dirty(b);
	read_check(d, 3);
	assert_int_equal(bcache_invalidate(&d->io), -EBUSY);
	assert_int_equal(stats().buffers, 3); /* nothing dropped */
	bcache_release(b);
	assert_int_equal(bcache_invalidate(&d->io), 0);
	assert_int_equal(stats().buffers, 1); /* other's buffer stays */
	assert_int_equal(d->writes, 0);	      /* dirty bytes were discarded */
	assert_int_equal(d->mem[2 * 512], pattern(2, 0));
	read_check(d, 2);
	assert_int_equal(bcache_invalidate(&d->io), 0);
	md_free(d);
	md_free(other);
}

static void test_get_without_fill_then_release(void **state)
{
	struct memdev *d = md_new(512, 16);
	struct buf *b;

	b = bcache_get(&d->io, 4);
	assert_false(IS_ERR(b));
	assert_int_equal(stats().buffers, 1);
	bcache_release(b); /* never filled: dropped */
	assert_int_equal(stats().buffers, 0);
	read_check(d, 4);
	assert_int_equal(d->reads, 1);
	/* bcache_get of a cached block hands back its valid bytes. */
	b = bcache_get(&d->io, 4);
	assert_true(has_pattern(b->data, 4, 512));
	bcache_release(b);
	assert_int_equal(stats().buffers, 1);
	assert_int_equal(d->reads, 1);
	md_free(d);
}

/* The other task: it fills the buffer it got with bcache_get() and marks it dirty. */
static struct buf *pending;
static void finish_fill(struct buf *b)
{
	assert_ptr_equal(b, pending);
	memset(pending->data, 0x5a, pending->size);
	bcache_mark_dirty(pending);
	bcache_release(pending);
	pending = NULL;
}

static void abandon_fill(struct buf *b)
{
	bcache_release(pending);
	pending = NULL;
}

static void test_reader_waits_for_a_fill(void **state)
{
	struct memdev *d = md_new(512, 16);
	struct buf *b;

	pending = bcache_get(&d->io, 1);
	assert_false(IS_ERR(pending));
	wait_hook = finish_fill;
	b = bcache_read(&d->io, 1);
	assert_int_equal(waits, 1);
	assert_false(IS_ERR(b));
	assert_int_equal(b->data[0], 0x5a);
	assert_int_equal(d->reads, 0); /* the filled bytes, not the device's */
	bcache_release(b);
	/* An abandoned fill makes the waiter read the block itself. */
	pending = bcache_get(&d->io, 2);
	wait_hook = abandon_fill;
	waits = 0;
	b = bcache_read(&d->io, 2);
	assert_int_equal(waits, 1);
	assert_false(IS_ERR(b));
	assert_true(has_pattern(b->data, 2, 512));
	assert_int_equal(d->reads, 1);
	bcache_release(b);
	assert_int_equal(bcache_sync(&d->io), 0);
	md_free(d);
}

static void test_mixed_block_sizes_share_buffers(void **state)
{
	struct memdev *a = md_new(512, 8), *b = md_new(4096, 8);

	assert_int_equal(bcache_set_limit(1), 0);
	read_check(a, 1);
	read_check(b, 1); /* a's buffer is reused at 4096 bytes */
	read_check(a, 2);
	read_check(b, 7);
	assert_int_equal(stats().buffers, 1);
	assert_int_equal(stats().evictions >= 3, true);
	/* Out of memory for the new size: the buffer is freed, -ENOMEM. */
	kmalloc_budget = 0;
	assert_int_equal(PTR_ERR(bcache_read(&a->io, 3)), -ENOMEM);
	assert_int_equal(stats().buffers, 0);
	assert_int_equal(PTR_ERR(bcache_read(&a->io, 3)), -ENOMEM);
	kmalloc_budget = -1;
	read_check(a, 3);
	md_free(a);
	md_free(b);
}

static void test_set_limit_frees_clean_unheld(void **state)
{
	struct memdev *d = md_new(512, 16);
	struct buf *held, *dirty;

	for (u64 k = 0; k < 6; k++)
		read_check(d, k);
	held = bcache_read(&d->io, 0);
	dirty = bcache_read(&d->io, 1);
	bcache_mark_dirty(dirty);
	bcache_release(dirty);
	assert_int_equal(stats().buffers, 6);
	assert_int_equal(bcache_set_limit(2), 0);
	assert_int_equal(stats().buffers, 2); /* 0 (held) and 1 (dirty) stay */
	assert_int_equal(stats().limit, 2);
	assert_int_equal(bcache_set_limit(1), 0);
	assert_int_equal(stats().buffers, 2);
	bcache_release(held);
	assert_int_equal(bcache_sync(&d->io), 0);
	assert_int_equal(bcache_set_limit(1), 0);
	assert_int_equal(stats().buffers, 1);
	md_free(d);
}

/* Seeded random operations on two devices, checked against a model of every block's bytes. */
#define RND_BLOCKS 24
#define RND_HOLD 4
#define M(d, k) (model[d] + (size_t)(k) * dev[d]->bsize)

static void test_random_against_model(void **state)
{
	struct memdev *dev[2] = { md_new(512, RND_BLOCKS), md_new(1024, RND_BLOCKS) };
	static u8 model[2][RND_BLOCKS * 1024];
	struct buf *held[RND_HOLD] = { 0 };
	unsigned held_dev[RND_HOLD];
	long ops[8] = { 0 };

	rng_seed(0xb10cb10c, "bcache random");
	for (int d = 0; d < 2; d++)
		memcpy(model[d], dev[d]->mem, dev[d]->size);
	assert_int_equal(bcache_set_limit(6), 0);
	for (int step = 0; step < 40000; step++) {
		unsigned d = (unsigned)rng_below(2), k = (unsigned)rng_below(RND_BLOCKS);
		u32 bs = dev[d]->bsize;
		unsigned op = (unsigned)rng_below(100), slot = (unsigned)rng_below(RND_HOLD);
		struct buf *b;

		dev[d]->fail_write = rng_below(20) == 0 ? (s64)rng_below(RND_BLOCKS) : -1;
		dev[d]->fail_read = rng_below(30) == 0 ? (s64)k : -1;
		if (op < 40) { /* read and compare */
			b = bcache_read(&dev[d]->io, k);
			ops[0]++;
			if (IS_ERR(b)) {
				assert_true(PTR_ERR(b) == -EIO || PTR_ERR(b) == -ENOMEM);
				ops[1]++;
				continue;
			}
			assert_memory_equal(b->data, M(d, k), bs);
			if (!held[slot] && rng_below(3) == 0) {
				held[slot] = b;
				held_dev[slot] = d;
			} else {
				bcache_release(b);
			}
		} else if (op < 60) { /* partial overwrite */
			b = bcache_read(&dev[d]->io, k);
			ops[2]++;
			if (IS_ERR(b))
				continue;
			size_t at = rng_below(bs), n = rng_below(bs - at) + 1;
			u8 v = (u8)rng_next();
			memset(b->data + at, v, n);
			memset(M(d, k) + at, v, n);
			bcache_mark_dirty(b);
			bcache_release(b);
		} else if (op < 72) { /* whole overwrite without a read */
			b = bcache_get(&dev[d]->io, k);
			ops[3]++;
			if (IS_ERR(b))
				continue;
			for (u32 i = 0; i < bs; i++)
				b->data[i] = M(d, k)[i] = (u8)rng_next();
			bcache_mark_dirty(b);
			bcache_release(b);
		} else if (op < 85) { /* drop a held buffer, checking it is still right */
			if (held[slot]) {
				assert_memory_equal(held[slot]->data,
						    M(held_dev[slot], held[slot]->blockno),
						    held[slot]->size);
				bcache_release(held[slot]);
				held[slot] = NULL;
			}
		} else if (op < 95) { /* sync: every written block on the device unless it failed */
			int err = bcache_sync(&dev[d]->io);
			ops[4]++;
			if (dev[d]->fail_write < 0) {
				assert_int_equal(err, 0);
				assert_memory_equal(dev[d]->mem, model[d], dev[d]->size);
			} else {
				assert_true(err == 0 || err == -EIO);
			}
		} else { /* invalidate after a clean sync: the device must hold the model */
			dev[d]->fail_write = -1;
			assert_int_equal(bcache_sync(&dev[d]->io), 0);
			int err = bcache_invalidate(&dev[d]->io);
			bool any_held = false;
			for (int i = 0; i < RND_HOLD; i++)
				any_held |= held[i] && held_dev[i] == d;
			assert_int_equal(err, any_held ? -EBUSY : 0);
			assert_memory_equal(dev[d]->mem, model[d], dev[d]->size);
			ops[5]++;
		}
		struct bcache_stats s = stats();
		assert_true(s.buffers <= 6);
		unsigned nheld = 0;
		for (int i = 0; i < RND_HOLD; i++) {
			bool dup = false;
			for (int j = 0; j < i; j++)
				dup |= held[j] && held[j] == held[i];
			nheld += held[i] && !dup;
		}
		assert_int_equal(s.held, nheld);
	}
	for (int i = 0; i < RND_HOLD; i++)
		bcache_release(held[i]);
	for (int d = 0; d < 2; d++) {
		dev[d]->fail_write = dev[d]->fail_read = -1;
		assert_int_equal(bcache_sync(&dev[d]->io), 0);
		assert_memory_equal(dev[d]->mem, model[d], dev[d]->size);
	}
	printf("# reads %ld (failed %ld), modifies %ld, overwrites %ld, syncs %ld, invalidates %ld\n",
	       ops[0], ops[1], ops[2], ops[3], ops[4], ops[5]);
	assert_true(ops[1] > 100 && ops[5] > 100);
	md_free(dev[0]);
	md_free(dev[1]);
}

int main(void)
{
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		TEST(test_miss_then_hit),
		TEST(test_bad_arguments),
		TEST(test_lru_eviction_order),
		TEST(test_held_buffers_are_not_evicted),
		TEST(test_dirty_written_back_on_eviction),
		TEST(test_sync_writes_dirty_and_flushes),
		TEST(test_sync_reports_first_error_and_keeps_dirty),
		TEST(test_eviction_skips_failing_writeback),
		TEST(test_read_errors_propagate),
		TEST(test_invalidate_refuses_held_buffers),
		TEST(test_get_without_fill_then_release),
		TEST(test_reader_waits_for_a_fill),
		TEST(test_mixed_block_sizes_share_buffers),
		TEST(test_set_limit_frees_clean_unheld),
		TEST(test_random_against_model),
	};

	hosttest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
