/* tests/host/test_slab.c: host tests of mm/slab.c and mm/kmalloc.c over a fake page allocator.
 * Built twice: test_slab as is, test_slab_debug with CONFIG_DEBUG_SLAB (poison, red zones, double frees). */
#include "hosttest.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <sanitizer/asan_interface.h>

#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/page.h>
#include <granary/slab.h>

#define DEBUG IS_ENABLED(CONFIG_DEBUG_SLAB)

/* ---------------------------------------------------------------- the fake page allocator */

/* An arena of naturally aligned blocks, like the buddy allocator's; free memory is
 * ASan-poisoned, so the slab code touching a page it gave back is caught. */
#define ARENA_PAGES 8192 /* 32 MiB */
#define ARENA_BYTES ((size_t)ARENA_PAGES * PAGE_SIZE)

static char *arena;
static struct page fake_map[ARENA_PAGES];
static s8 block_order[ARENA_PAGES]; /* order of the allocated block headed here, or -1 */
static bool page_used[ARENA_PAGES];
static u64 pages_used, pages_allocs;
static s64 fail_after = -1; /* page_alloc fails once this many more have succeeded; -1: never */
static s64 mc_slab;
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;

struct page *page_alloc(unsigned order, unsigned flags)
{
	size_t n = (size_t)1 << order, i;
	struct page *p = NULL;

	pthread_mutex_lock(&fake_lock);
	if (fail_after == 0)
		goto out;
	if (fail_after > 0)
		fail_after--;
	for (i = 0; i + n <= ARENA_PAGES; i += n) {
		size_t j = 0;

		while (j < n && !page_used[i + j])
			j++;
		if (j == n)
			break;
	}
	if (i + n > ARENA_PAGES)
		goto out;
	for (size_t j = 0; j < n; j++) {
		page_used[i + j] = true;
		/* What the buddy allocator leaves: flags clear, stale list links and union. */
		memset(&fake_map[i + j], 0xa5, sizeof(struct page));
		fake_map[i + j].flags = 0;
	}
	p = &fake_map[i];
	p->refcount = 1;
	p->order = (u8)order;
	block_order[i] = (s8)order;
	pages_used += n;
	pages_allocs++;
	ASAN_UNPOISON_MEMORY_REGION(arena + i * PAGE_SIZE, n * PAGE_SIZE);
	memset(arena + i * PAGE_SIZE, (flags & PA_ZERO) ? 0 : 0xcc, n * PAGE_SIZE);
out:
	pthread_mutex_unlock(&fake_lock);
	return p;
}

void page_free(struct page *page, unsigned order)
{
	size_t i = (size_t)(page - fake_map), n = (size_t)1 << order;

	/* Checked before locking: a failed assertion longjmps out. The slab code hands
	 * blocks back clean: no slab or large flag, no tail still pointing at the head. */
	assert_true(i < ARENA_PAGES);
	assert_int_equal(block_order[i], order);
	assert_int_equal(page->flags & (PG_SLAB | PG_LARGE), 0);
	for (size_t j = 1; j < n; j++)
		assert_int_not_equal(fake_map[i + j].private, (u64)(uintptr_t)page);
	pthread_mutex_lock(&fake_lock);
	for (size_t j = 0; j < n; j++)
		page_used[i + j] = false;
	block_order[i] = -1;
	page->flags = PG_BUDDY;
	pages_used -= n;
	ASAN_POISON_MEMORY_REGION(arena + i * PAGE_SIZE, n * PAGE_SIZE);
	pthread_mutex_unlock(&fake_lock);
}

void *page_address(const struct page *p)
{
	assert_true(p >= fake_map && p < fake_map + ARENA_PAGES);
	return arena + (size_t)(p - fake_map) * PAGE_SIZE;
}

struct page *virt_to_page(const void *va)
{
	size_t off = (size_t)((const char *)va - arena);

	assert_true(off < ARENA_BYTES);
	return &fake_map[off / PAGE_SIZE];
}

void mem_count(enum mem_counter c, s64 pages)
{
	assert_int_equal(c, MC_SLAB);
	__atomic_add_fetch(&mc_slab, pages, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------- printk and panic */

static char logbuf[8192];
static size_t loglen;

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, ap);
	va_end(ap);
	if (n > 0)
		loglen = min(loglen + (size_t)n, sizeof(logbuf) - 1);
	return n;
}

void panic(const char *fmt, ...)
{
	fail_msg("panic: %s", fmt);
	abort();
}

static void log_clear(void)
{
	loglen = 0;
	logbuf[0] = 0;
}

/* The log holds exactly one report (one message line, maybe a "last ... by" line) starting with want. */
static void expect_report(unsigned long before, const char *want)
{
	assert_int_equal(slab_debug_reports(), before + 1);
	assert_true(loglen >= strlen(want));
	if (strncmp(logbuf, want, strlen(want)) != 0)
		fail_msg("log \"%s\", expected \"%s\"", logbuf, want);
	log_clear();
}

/* ---------------------------------------------------------------- checks shared by the tests */

/* The head page and order of the slab or block that holds p, from the fake allocator's records. */
static struct page *block_of(const void *p, unsigned *order)
{
	size_t i = (size_t)(virt_to_page(p) - fake_map);

	while (block_order[i] < 0) {
		assert_true(i > 0);
		i--;
	}
	*order = (unsigned)block_order[i];
	assert_true((size_t)((const char *)p - arena) < (i + ((size_t)1 << *order)) * PAGE_SIZE);
	return &fake_map[i];
}

/* p is an object of c: aligned, inside a PG_SLAB block of c, tail pages pointing at the head. */
static void check_object(struct kmem_cache *c, const void *p, size_t size, size_t align)
{
	unsigned order;
	struct page *head, *pg;

	assert_non_null(p);
	head = block_of(p, &order);
	pg = virt_to_page(p);
	assert_int_equal((uintptr_t)p % align, 0);
	assert_true(head->flags & PG_SLAB);
	assert_ptr_equal(head->slab.cache, c);
	if (pg != head)
		assert_int_equal(pg->private, (u64)(uintptr_t)head);
	assert_true((const char *)p + size <= (const char *)page_address(head) + (PAGE_SIZE << order));
}

/* The cache a slab object belongs to, read from the page descriptors directly. */
static struct kmem_cache *cache_of(const void *p)
{
	struct page *pg = virt_to_page(p);

	return (pg->flags & PG_SLAB) ? pg->slab.cache : ((struct page *)(uintptr_t)pg->private)->slab.cache;
}

/* Every heap page is accounted for: slab_pages(), MC_SLAB and the fake allocator agree. */
static void check_accounting(void)
{
	assert_int_equal(slab_pages(), pages_used);
	assert_int_equal(mc_slab, (s64)pages_used);
}

static u64 baseline; /* pages in use once the kmalloc caches have been shrunk */

static void check_all_returned(void)
{
	slab_shrink();
	check_accounting();
	assert_int_equal(pages_used, baseline);
}

/* Per-byte owner of the arena, to prove that no two live objects overlap. */
static u8 *owned;

static void own(const void *p, size_t size)
{
	size_t off = (size_t)((const char *)p - arena);

	for (size_t i = 0; i < size; i++) {
		if (owned[off + i])
			fail_msg("byte %zu of %p (%zu bytes) already belongs to a live object", i, p, size);
		owned[off + i] = 1;
	}
}

static void disown(const void *p, size_t size)
{
	memset(owned + ((const char *)p - arena), 0, size);
}

static void fill(void *p, size_t size, u8 v)
{
	memset(p, v, size);
}

static void expect_filled(const void *p, size_t size, u8 v)
{
	const u8 *b = p;

	for (size_t i = 0; i < size; i++)
		if (b[i] != v)
			fail_msg("byte %zu of %p is %#x, expected %#x", i, p, b[i], v);
}

static struct slab_info stats_of(struct kmem_cache *c)
{
	struct slab_info s;

	kmem_cache_stats(c, &s);
	assert_int_equal(s.num_objs, s.num_slabs * s.objs_per_slab);
	assert_true(s.active_slabs <= s.num_slabs);
	assert_true(s.num_slabs - s.active_slabs <= 1); /* at most one empty slab kept */
	assert_true(s.active_objs <= s.num_objs);
	return s;
}

/* ---------------------------------------------------------------- caches */

static void test_create_rejects_bad_arguments(void **state)
{
	assert_null(kmem_cache_create("zero", 0, 0, 0));
	assert_null(kmem_cache_create("align3", 16, 3, 0));
	assert_null(kmem_cache_create("align8k", 16, 2 * PAGE_SIZE, 0));
	assert_null(kmem_cache_create("huge", 32 * 1024 + 1, 0, 0));
	assert_null(kmem_cache_create("flags", 16, 0, 2));
	assert_int_equal(kmem_cache_destroy(NULL), 0);
	check_all_returned();
}

/* Sizes from 1 byte to 32 KiB at every alignment: objects aligned, disjoint, inside their slab,
 * counted right; all pages come back on destroy. */
static void test_sizes_and_alignments(void **state)
{
	static const size_t sizes[] = { 1, 7, 8, 9, 24, 100, 255, 256, 600, 1000, 3000, 4096, 5000, 10000, 32768 };
	static const size_t aligns[] = { 0, 1, 8, 16, 64, 512, 4096 };
	static void *objs[1024];

	for (size_t si = 0; si < ARRAY_SIZE(sizes); si++) {
		for (size_t ai = 0; ai < ARRAY_SIZE(aligns); ai++) {
			size_t size = sizes[si], align = max(aligns[ai], (size_t)8), n;
			struct kmem_cache *c = kmem_cache_create("sizes", size, aligns[ai], 0);
			struct slab_info s;

			if (DEBUG && size == 32768) { /* no room for the red zone in a 32 KiB slab */
				assert_null(c);
				continue;
			}
			assert_non_null(c);
			s = stats_of(c);
			assert_int_equal(s.object_size, size);
			assert_true(s.objs_per_slab >= 1);
			assert_true(s.objs_per_slab >= 8 || s.pages_per_slab == 8);
			assert_int_equal(s.size % align, 0);
			n = min((size_t)3 * s.objs_per_slab + 1, ARRAY_SIZE(objs));
			for (size_t i = 0; i < n; i++) {
				objs[i] = kmem_cache_alloc(c, 0);
				check_object(c, objs[i], size, align);
				own(objs[i], size);
				fill(objs[i], size, (u8)i);
			}
			s = stats_of(c);
			assert_int_equal(s.active_objs, n);
			assert_int_equal(s.num_slabs, (n + s.objs_per_slab - 1) / s.objs_per_slab);
			check_accounting();
			assert_int_equal(kmem_cache_destroy(c), -EBUSY);
			for (size_t i = 0; i < n; i++) {
				expect_filled(objs[i], size, (u8)i);
				disown(objs[i], size);
				kmem_cache_free(c, objs[i]);
			}
			s = stats_of(c);
			assert_int_equal(s.active_objs, 0);
			assert_int_equal(s.num_slabs, 1);
			assert_int_equal(kmem_cache_destroy(c), 0);
			check_all_returned();
		}
	}
}

#define RCACHES 6
#define RLIVE 3000

/* A long seeded random sequence of allocations and frees over several caches, checked after
 * every step against a reference. */
static void test_random_sequence(void **state)
{
	static const size_t size[RCACHES] = { 8, 40, 136, 700, 2048, 9000 };
	static const size_t align[RCACHES] = { 8, 16, 8, 64, 2048, 8 };
	static struct {
		void *p;
		unsigned cache;
		u8 fill;
	} live[RLIVE];
	struct kmem_cache *c[RCACHES];
	u64 ref[RCACHES] = { 0 };
	size_t nlive = 0;

	rng_seed(0x5eedf00d51ab, "random_sequence");
	for (unsigned k = 0; k < RCACHES; k++)
		assert_non_null(c[k] = kmem_cache_create("random", size[k], align[k], 0));

	for (unsigned step = 0; step < 200000; step++) {
		/* Drift between filling up and draining so slabs are both created and freed. */
		bool grow = ((step / 20000) % 2 == 0) ? rng_below(100) < 60 : rng_below(100) < 40;

		if (nlive < RLIVE && (grow || nlive == 0)) {
			unsigned k = (unsigned)rng_below(RCACHES);
			void *p = kmem_cache_alloc(c[k], rng_below(4) ? 0 : KM_ZERO);

			check_object(c[k], p, size[k], align[k]);
			own(p, size[k]);
			live[nlive].p = p;
			live[nlive].cache = k;
			live[nlive].fill = (u8)rng_next();
			fill(p, size[k], live[nlive].fill);
			nlive++;
			ref[k]++;
		} else {
			size_t i = rng_below(nlive);
			unsigned k = live[i].cache;

			expect_filled(live[i].p, size[k], live[i].fill);
			disown(live[i].p, size[k]);
			kmem_cache_free(c[k], live[i].p);
			live[i] = live[--nlive];
			ref[k]--;
		}
		if (step % 997 == 0) {
			for (unsigned k = 0; k < RCACHES; k++)
				assert_int_equal(stats_of(c[k]).active_objs, ref[k]);
			check_accounting();
		}
	}
	while (nlive) {
		nlive--;
		expect_filled(live[nlive].p, size[live[nlive].cache], live[nlive].fill);
		disown(live[nlive].p, size[live[nlive].cache]);
		kmem_cache_free(c[live[nlive].cache], live[nlive].p);
	}
	for (unsigned k = 0; k < RCACHES; k++) {
		struct slab_info s = stats_of(c[k]);

		assert_int_equal(s.active_objs, 0);
		assert_true(s.num_slabs <= 1);
		assert_int_equal(kmem_cache_destroy(c[k]), 0);
	}
	check_all_returned();
}

static void test_zeroing(void **state)
{
	struct kmem_cache *c = kmem_cache_create("zero", 100, 0, 0);
	struct kmem_cache *z = kmem_cache_create("zeroed", 100, 0, KM_ZERO);
	u8 *p;

	assert_non_null(c);
	assert_non_null(z);
	p = kmem_cache_alloc(c, 0);
	fill(p, 100, 0xee);
	kmem_cache_free(c, p);
	assert_ptr_equal(kmem_cache_alloc(c, KM_ZERO), p); /* the last freed comes back first */
	expect_filled(p, 100, 0);
	fill(p, 100, 0xee);
	kmem_cache_free(c, p);
	if (DEBUG) { /* freshly allocated objects carry the free poison */
		assert_ptr_equal(kmem_cache_alloc(c, 0), p);
		expect_filled(p, 100, 0x6b);
		kmem_cache_free(c, p);
	}
	p = kmem_cache_alloc(z, 0);
	fill(p, 100, 0xee);
	kmem_cache_free(z, p);
	assert_ptr_equal(kmem_cache_alloc(z, 0), p);
	expect_filled(p, 100, 0);
	kmem_cache_free(z, p);
	assert_int_equal(kmem_cache_destroy(c), 0);
	assert_int_equal(kmem_cache_destroy(z), 0);
	check_all_returned();
}

static void test_destroy_busy_and_permanent(void **state)
{
	struct kmem_cache *c = kmem_cache_create("busy", 64, 0, 0);
	void *p = kmem_cache_alloc(c, 0), *k = kmalloc(64, 0);
	u64 used = pages_used;

	assert_non_null(p);
	assert_non_null(k);
	fill(p, 64, 0x42);
	assert_int_equal(kmem_cache_destroy(c), -EBUSY);
	assert_int_equal(pages_used, used); /* nothing was freed */
	assert_int_equal(stats_of(c).active_objs, 1);
	expect_filled(p, 64, 0x42);
	kmem_cache_free(c, p);

	/* kmalloc's caches and the bootstrap cache stay. */
	assert_int_equal(kmem_cache_destroy(cache_of(k)), -EPERM);
	assert_int_equal(kmem_cache_destroy(cache_of(c)), -EPERM);
	assert_int_equal(kmem_cache_destroy(c), 0);
	kfree(k);
	check_all_returned();
}

/* When the page allocator fails, allocations return NULL and nothing is corrupted. */
static void test_out_of_memory(void **state)
{
	struct kmem_cache *c = kmem_cache_create("oom", 512, 0, 0), *made[512];
	void *objs[64];
	size_t n = 0, nmade = 0;

	assert_non_null(c);
	fail_after = 2;
	while (n < ARRAY_SIZE(objs) && (objs[n] = kmem_cache_alloc(c, 0))) {
		fill(objs[n], 512, (u8)n);
		n++;
	}
	assert_int_equal(n, 2 * stats_of(c).objs_per_slab); /* two slabs' worth, then NULL */
	assert_null(kmem_cache_alloc(c, 0));
	assert_null(kmalloc(3 * PAGE_SIZE, 0));
	/* struct kmem_cache comes from a cache too: creation fails once it needs a page. */
	while (nmade < ARRAY_SIZE(made) && (made[nmade] = kmem_cache_create("many", 8, 0, 0)))
		nmade++;
	assert_true(nmade < ARRAY_SIZE(made));
	fail_after = -1;

	for (size_t i = 0; i < nmade; i++)
		assert_int_equal(kmem_cache_destroy(made[i]), 0);
	for (size_t i = 0; i < n; i++) {
		expect_filled(objs[i], 512, (u8)i);
		kmem_cache_free(c, objs[i]);
	}
	assert_non_null(objs[0] = kmem_cache_alloc(c, 0));
	kmem_cache_free(c, objs[0]);
	assert_int_equal(kmem_cache_destroy(c), 0);
	check_all_returned();
}

static void test_slab_info(void **state)
{
	static const char *const names[] = { "kmem_cache", "kmalloc-8", "kmalloc-16", "kmalloc-32",
		"kmalloc-64", "kmalloc-96", "kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512",
		"kmalloc-1024", "kmalloc-2048", "kmalloc-4096" };
	struct slab_info info[20];
	struct kmem_cache *c = kmem_cache_create("info-test", 300, 0, 0);
	void *p = kmem_cache_alloc(c, 0);
	size_t n = slab_info_get(info, ARRAY_SIZE(info));

	assert_int_equal(n, ARRAY_SIZE(names) + 1);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		assert_string_equal(info[i].name, names[i]);
	assert_string_equal(info[n - 1].name, "info-test");
	assert_int_equal(info[n - 1].object_size, 300);
	assert_int_equal(info[n - 1].active_objs, 1);
	assert_int_equal(info[n - 1].num_slabs, 1);
	assert_int_equal(info[n - 1].active_slabs, 1);
	assert_int_equal(info[n - 1].pages_per_slab, 1);
	assert_int_equal(info[0].active_objs, 13); /* the 12 kmalloc caches and this one */
	assert_int_equal(slab_info_get(info, 2), n); /* a short array still gets the count */
	kmem_cache_free(c, p);
	assert_int_equal(kmem_cache_destroy(c), 0);
	assert_int_equal(slab_info_get(NULL, 0), n - 1);
	check_all_returned();
}

/* Hammering kmalloc from several threads: the locks keep every object whole. Few threads and
 * steps: a host thread preempted while it holds a spinlock leaves the others spinning. */
#define HAMMER_THREADS 2
#define HAMMER_STEPS (DEBUG ? 5000 : 20000)

static void *hammer(void *arg)
{
	uint64_t s = (uintptr_t)arg;
	struct {
		u8 *p;
		size_t n;
	} held[64] = { { 0 } };

	for (int i = 0; i < HAMMER_STEPS; i++) {
		unsigned k;

		s = s * 6364136223846793005ull + 1442695040888963407ull;
		k = (unsigned)(s >> 40) % 64;
		if (held[k].p) {
			for (size_t j = 0; j < held[k].n; j++)
				if (held[k].p[j] != (u8)k)
					return "corrupted";
			kfree(held[k].p);
			held[k].p = NULL;
		} else {
			held[k].n = 1 + (s >> 20) % 3000;
			if (!(held[k].p = kmalloc(held[k].n, 0)))
				return "out of memory";
			memset(held[k].p, k, held[k].n);
		}
	}
	for (unsigned k = 0; k < 64; k++)
		kfree(held[k].p);
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t t[HAMMER_THREADS];
	void *ret;

	for (uintptr_t i = 0; i < HAMMER_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, (void *)(i + 1)), 0);
	for (int i = 0; i < HAMMER_THREADS; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		if (ret)
			fail_msg("thread %d: %s", i, (const char *)ret);
	}
	check_all_returned();
}

/* ---------------------------------------------------------------- kmalloc */

static const size_t classes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096 };

/* Every size from 1 to 4096 goes to the smallest class that holds it. */
static void test_kmalloc_classes(void **state)
{
	char name[32];

	for (size_t size = 1; size <= 4096; size++) {
		size_t cls = 0;
		u8 *p = kmalloc(size, 0);
		struct slab_info s;

		while (classes[cls] < size)
			cls++;
		assert_non_null(p);
		assert_int_equal(ksize(p), classes[cls]);
		kmem_cache_stats(cache_of(p), &s);
		snprintf(name, sizeof(name), "kmalloc-%zu", classes[cls]);
		assert_string_equal(s.name, name);
		/* Powers of two are naturally aligned, the others to 8. */
		check_object(cache_of(p), p, classes[cls], (classes[cls] & (classes[cls] - 1)) ? 8 : classes[cls]);
		fill(p, size, 0x5a);
		kfree(p);
	}
	check_all_returned();
}

static void test_kmalloc_large(void **state)
{
	static const struct {
		size_t size;
		unsigned order;
	} cases[] = { { 4097, 1 }, { 8192, 1 }, { 8193, 2 }, { 65536, 4 }, { 1 << 20, 8 }, { 4 << 20, 10 } };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		u8 *p = kmalloc(cases[i].size, i % 2 ? KM_ZERO : 0);
		struct page *pg = virt_to_page(p);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
		assert_true(pg->flags & PG_LARGE);
		assert_int_equal(pg->order, cases[i].order);
		assert_int_equal(ksize(p), PAGE_SIZE << cases[i].order);
		assert_int_equal(slab_pages(), baseline + (1u << cases[i].order));
		check_accounting();
		if (i % 2)
			expect_filled(p, cases[i].size, 0);
		fill(p, ksize(p), 0x77);
		kfree(p);
		check_accounting();
		assert_int_equal(pages_used, baseline);
	}
	assert_null(kmalloc((4 << 20) + 1, 0)); /* beyond the largest block */
	check_all_returned();
}

static void test_kmalloc_edges(void **state)
{
	u8 *p;

	assert_null(kmalloc(0, 0));
	kfree(NULL);
	assert_int_equal(ksize(NULL), 0);
	assert_null(kcalloc(SIZE_MAX / 2, 3, 0));
	assert_null(kcalloc((size_t)1 << 32, (size_t)1 << 32, 0));
	assert_null(kcalloc(0, 16, 0));

	p = kmalloc(100, 0);
	fill(p, 100, 0xff);
	kfree(p);
	p = kcalloc(10, 10, 0); /* same object back, zeroed */
	expect_filled(p, 100, 0);
	kfree(p);
	p = kmalloc(200, 0);
	fill(p, 200, 0xff);
	kfree(p);
	p = kzalloc(200);
	expect_filled(p, 200, 0);
	assert_int_equal(ksize(p), 256);
	kfree(p);
	check_all_returned();
}

/* Frees of pointers kmalloc never returned are reported and ignored, in either mode. */
static void test_invalid_frees(void **state)
{
	struct kmem_cache *a = kmem_cache_create("a", 32, 0, 0), *b = kmem_cache_create("b", 32, 0, 0);
	unsigned long before = slab_debug_reports();
	u8 *big = kmalloc(3 * PAGE_SIZE, 0), *obj = kmem_cache_alloc(a, 0);

	log_clear();
	kfree(big + PAGE_SIZE);
	expect_report(before, "\0013slab: kfree of ");
	kfree(big + 8);
	expect_report(before + 1, "\0013slab: kfree of ");
	kfree(big);
	kfree(big); /* the page is free now: not a kmalloc block */
	expect_report(before + 2, "\0013slab: kfree of ");
	kmem_cache_free(b, obj);
	expect_report(before + 3, "\0013slab: free of ");
	assert_int_equal(stats_of(a).active_objs, 1);
	kmem_cache_free(a, obj);
	assert_int_equal(kmem_cache_destroy(a), 0);
	assert_int_equal(kmem_cache_destroy(b), 0);
	check_all_returned();
}

/* ---------------------------------------------------------------- CONFIG_DEBUG_SLAB */

#ifdef CONFIG_DEBUG_SLAB
static char want[256];

static void test_debug_double_free(void **state)
{
	struct kmem_cache *c = kmem_cache_create("dbl", 48, 0, 0);
	unsigned long before = slab_debug_reports();
	u8 *a = kmem_cache_alloc(c, 0), *b = kmem_cache_alloc(c, 0), *x, *y;

	fill(b, 48, 0x11);
	log_clear();
	kmem_cache_free(c, a);
	assert_int_equal(slab_debug_reports(), before);
	kmem_cache_free(c, a);
	snprintf(want, sizeof(want), "\0013slab: double free of %p in cache dbl\n\0013slab: last freed by ", a);
	expect_report(before, want);
	assert_int_equal(stats_of(c).active_objs, 1); /* the second free changed nothing */
	/* No cycle in the freelist: a comes back once. */
	x = kmem_cache_alloc(c, 0);
	y = kmem_cache_alloc(c, 0);
	assert_ptr_equal(x, a);
	assert_ptr_not_equal(y, a);
	expect_filled(b, 48, 0x11);
	assert_int_equal(slab_debug_reports(), before + 1);
	kmem_cache_free(c, x);
	kmem_cache_free(c, y);
	kmem_cache_free(c, b);
	assert_int_equal(kmem_cache_destroy(c), 0);
	assert_int_equal(slab_debug_reports(), before + 1);

	/* Through kfree as well. */
	a = kmalloc(20, 0);
	kfree(a);
	kfree(a);
	snprintf(want, sizeof(want), "\0013slab: double free of %p in cache kmalloc-32\n", a);
	expect_report(before + 1, want);
	check_all_returned();
}

static void test_debug_use_after_free(void **state)
{
	struct kmem_cache *c = kmem_cache_create("uaf", 64, 0, 0);
	unsigned long before = slab_debug_reports();
	u8 *a = kmem_cache_alloc(c, 0), *b = kmem_cache_alloc(c, 0);

	fill(b, 64, 0x22);
	kmem_cache_free(c, a);
	a[37] = 1; /* the planted write after free */
	log_clear();
	assert_ptr_equal(kmem_cache_alloc(c, 0), a); /* caught as a is handed out again */
	snprintf(want, sizeof(want), "\0013slab: use after free: %p in uaf modified at offset 37\n", a);
	expect_report(before, want);
	expect_filled(b, 64, 0x22);
	kmem_cache_free(c, a); /* a is whole again: no further report */
	assert_ptr_equal(kmem_cache_alloc(c, 0), a);
	assert_int_equal(slab_debug_reports(), before + 1);

	/* A write after free in an object never reused is caught when its slab is freed. */
	kmem_cache_free(c, a);
	a[63] = 0;
	kmem_cache_free(c, b);
	assert_int_equal(slab_debug_reports(), before + 1);
	assert_int_equal(kmem_cache_destroy(c), 0);
	snprintf(want, sizeof(want), "\0013slab: use after free: %p in uaf modified at offset 63\n", a);
	expect_report(before + 1, want);
	check_all_returned();
}

static void test_debug_red_zone(void **state)
{
	struct kmem_cache *c = kmem_cache_create("rz", 24, 0, 0);
	unsigned long before = slab_debug_reports();
	u8 *a = kmem_cache_alloc(c, 0), *b = kmem_cache_alloc(c, 0), *k;

	fill(b, 24, 0x33);
	fill(a, 25, 0x44); /* one byte too many */
	log_clear();
	kmem_cache_free(c, a);
	snprintf(want, sizeof(want), "\0013slab: red zone of %p in rz overwritten\n", a);
	expect_report(before, want);
	expect_filled(b, 24, 0x33);
	assert_ptr_equal(kmem_cache_alloc(c, 0), a); /* repaired: no report on reuse */
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	assert_int_equal(kmem_cache_destroy(c), 0);
	assert_int_equal(slab_debug_reports(), before + 1);

	/* kmalloc objects have a red zone after their class size. */
	k = kmalloc(96, 0);
	k[96] = 0;
	kfree(k);
	snprintf(want, sizeof(want), "\0013slab: red zone of %p in kmalloc-96 overwritten\n", k);
	expect_report(before + 1, want);
	check_all_returned();
}

static void test_debug_bad_pointer(void **state)
{
	struct kmem_cache *c = kmem_cache_create("bad", 40, 0, 0);
	unsigned long before = slab_debug_reports();
	u8 *a = kmem_cache_alloc(c, 0);

	log_clear();
	kmem_cache_free(c, a + 8);
	snprintf(want, sizeof(want), "\0013slab: free of %p, not an object of bad\n", a + 8);
	expect_report(before, want);
	assert_int_equal(stats_of(c).active_objs, 1);
	kmem_cache_free(c, a);
	assert_int_equal(kmem_cache_destroy(c), 0);
	check_all_returned();
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_rejects_bad_arguments),
		cmocka_unit_test(test_sizes_and_alignments),
		cmocka_unit_test(test_random_sequence),
		cmocka_unit_test(test_zeroing),
		cmocka_unit_test(test_destroy_busy_and_permanent),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_slab_info),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_kmalloc_classes),
		cmocka_unit_test(test_kmalloc_large),
		cmocka_unit_test(test_kmalloc_edges),
		cmocka_unit_test(test_invalid_frees),
#ifdef CONFIG_DEBUG_SLAB
		cmocka_unit_test(test_debug_double_free),
		cmocka_unit_test(test_debug_use_after_free),
		cmocka_unit_test(test_debug_red_zone),
		cmocka_unit_test(test_debug_bad_pointer),
#endif
	};

	hosttest_init();
	arena = aligned_alloc(PAGE_SIZE, ARENA_BYTES);
	owned = calloc(ARENA_BYTES, 1);
	assert_non_null(arena);
	assert_non_null(owned);
	memset(block_order, -1, sizeof(block_order));
	ASAN_POISON_MEMORY_REGION(arena, ARENA_BYTES);
	slab_init();
	slab_shrink();
	baseline = pages_used;
	return cmocka_run_group_tests_name(DEBUG ? "slab_debug" : "slab", tests, NULL, NULL);
}
