/* kernel/ktests/slab_ktest.c: kernel tests of the slab caches and kmalloc on real pages.
 * Page counts are exact: every test that allocates checks that the free pages come back. */
#include <granary/errno.h>
#include <granary/ktest.h>
#include <granary/page.h>
#include <granary/slab.h>
#include <granary/string.h>

/* Free pages with every cache's empty slabs given back, so counts compare exactly. */
static u64 free_pages(void)
{
	struct mem_stats s;

	slab_shrink();
	mem_get_stats(&s);
	return s.free;
}

static u8 pattern(size_t obj, size_t i)
{
	return (u8)(obj * 31 + i * 7 + 1);
}

static bool check_pattern(const u8 *p, size_t obj, size_t size)
{
	for (size_t i = 0; i < size; i++)
		if (p[i] != pattern(obj, i))
			return false;
	return true;
}

/* Sizes from 1 byte to 1 MiB, all live at once, each filled to its ksize() with its own
 * pattern: any two that overlapped would break one another's. */
KTEST(slab_kmalloc_many_sizes_pattern)
{
	static const size_t big[] = { 4097, 8192, 12000, 65536, 1 << 20 };
	u64 before = free_pages();
	struct page *arr = page_alloc(1, PA_ZERO);
	struct {
		u8 *p;
		size_t size;
	} *a;
	size_t n = 0, bad = 0;

	KT_ASSERT(arr);
	a = page_address(arr); /* room for 512 */
	for (size_t size = 1; size <= 4096; size += (size < 300 ? 1 : 37))
		a[n++].size = size;
	for (size_t i = 0; i < ARRAY_SIZE(big); i++)
		a[n++].size = big[i];
	KT_ASSERT(n <= 2 * PAGE_SIZE / sizeof(*a));
	for (size_t i = 0; i < n; i++) {
		a[i].p = kmalloc(a[i].size, 0);
		KT_ASSERT(a[i].p);
		KT_EXPECT(ksize(a[i].p) >= a[i].size);
		a[i].size = ksize(a[i].p);
		for (size_t j = 0; j < a[i].size; j++)
			a[i].p[j] = pattern(i, j);
	}
	for (size_t i = 0; i < n; i++)
		bad += !check_pattern(a[i].p, i, a[i].size);
	KT_EXPECT_EQ(bad, 0);
	for (size_t i = 0; i < n; i++)
		kfree(a[i].p);
	page_free(arr, 1);
	KT_EXPECT_EQ(free_pages(), before);
}

/* A plain struct in a cache of its own, no constructor: objects are aligned, separate, counted. */
struct ktest_obj {
	u64 id;
	char name[20];
	u32 flags;
	struct ktest_obj *next;
};

KTEST(slab_cache_of_structs)
{
	u64 before = free_pages();
	struct kmem_cache *c = kmem_cache_create("ktest_obj", sizeof(struct ktest_obj), 16, 0);
	struct ktest_obj *list = NULL, *o;
	struct slab_info s;
	size_t bad = 0;

	KT_ASSERT(c);
	for (u64 i = 0; i < 2000; i++) {
		o = kmem_cache_alloc(c, i % 2 ? KM_ZERO : 0);
		KT_ASSERT(o);
		KT_EXPECT_EQ((unsigned long)o % 16, 0);
		if (i % 2)
			bad += o->id != 0 || o->flags != 0 || o->next != NULL;
		o->id = i;
		memset(o->name, (int)(i & 0x7f), sizeof(o->name));
		o->flags = (u32)~i;
		o->next = list;
		list = o;
	}
	KT_EXPECT_EQ(bad, 0);
	kmem_cache_stats(c, &s);
	KT_EXPECT_STREQ(s.name, "ktest_obj");
	KT_EXPECT_EQ(s.active_objs, 2000);
	KT_EXPECT_EQ(s.num_objs, s.num_slabs * s.objs_per_slab);
	KT_EXPECT_EQ(s.num_slabs, (2000 + s.objs_per_slab - 1) / s.objs_per_slab);
	for (u64 i = 2000; i-- > 0; list = o) {
		o = list->next;
		bad += list->id != i || list->name[19] != (char)(i & 0x7f) || list->flags != (u32)~i;
		kmem_cache_free(c, list);
	}
	KT_EXPECT_EQ(bad, 0);
	kmem_cache_stats(c, &s);
	KT_EXPECT_EQ(s.active_objs, 0);
	KT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	KT_EXPECT_EQ(free_pages(), before);
}

/* Lots of objects in several caches, freed in an interleaved order, then the caches destroyed:
 * the free page count returns exactly to where it was, and the heap counters agree. */
KTEST(slab_pages_return_after_destroy)
{
	static const size_t sizes[] = { 24, 200, 1500, 3000 };
	struct kmem_cache *c[ARRAY_SIZE(sizes)];
	u64 before = free_pages(), heap = slab_pages();
	struct page *arr = page_alloc(3, 0);
	void **p;
	struct mem_stats s;
	const size_t per = 1000;

	KT_ASSERT(arr);
	p = page_address(arr); /* 4096 pointers */
	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		c[k] = kmem_cache_create("ktest_pages", sizes[k], 0, 0);
		KT_ASSERT(c[k]);
	}
	for (size_t i = 0; i < per; i++)
		for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
			p[i * ARRAY_SIZE(sizes) + k] = kmem_cache_alloc(c[k], 0);
			KT_ASSERT(p[i * ARRAY_SIZE(sizes) + k]);
		}
	KT_EXPECT(free_pages() < before - 8);
	mem_get_stats(&s);
	KT_EXPECT_EQ(s.slab, slab_pages());
	/* Every other object first, so slabs go partial before they go empty. */
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = pass; i < per * ARRAY_SIZE(sizes); i += 2)
			kmem_cache_free(c[i % ARRAY_SIZE(sizes)], p[i]);
	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++)
		KT_EXPECT_EQ(kmem_cache_destroy(c[k]), 0);
	page_free(arr, 3);
	KT_EXPECT_EQ(free_pages(), before);
	KT_EXPECT_EQ(slab_pages(), heap);
	mem_get_stats(&s);
	KT_EXPECT_EQ(s.slab, slab_pages());
	KT_EXPECT_EQ(page_alloc_check(), 0);
}

KTEST(slab_destroy_busy_cache_fails)
{
	u64 before = free_pages();
	struct kmem_cache *c = kmem_cache_create("ktest_busy", 128, 0, 0);
	u8 *o, *k = kmalloc(32, 0);
	struct slab_info s;

	KT_ASSERT(c && k);
	o = kmem_cache_alloc(c, 0);
	KT_ASSERT(o);
	memset(o, 0x5a, 128);
	KT_EXPECT_EQ(kmem_cache_destroy(c), -EBUSY);
	kmem_cache_stats(c, &s);
	KT_EXPECT_EQ(s.active_objs, 1);
	KT_EXPECT_EQ(o[127], 0x5a);
	kmem_cache_free(c, o);
	KT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	/* kmalloc's caches are never destroyed. */
	KT_EXPECT_EQ(kmem_cache_destroy(virt_to_page(k)->slab.cache), -EPERM);
	kfree(k);
	KT_EXPECT_EQ(free_pages(), before);
}

KTEST(slab_kmalloc_classes_and_edges)
{
	static const struct {
		size_t size, class;
	} cases[] = { { 1, 8 }, { 8, 8 }, { 9, 16 }, { 33, 64 }, { 65, 96 }, { 96, 96 }, { 97, 128 },
		      { 129, 192 }, { 193, 256 }, { 257, 512 }, { 1000, 1024 }, { 2049, 4096 },
		      { 4096, 4096 }, { 4097, 8192 }, { 20000, 32768 } };
	u64 before = free_pages();
	u8 *p;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		p = kmalloc(cases[i].size, 0);
		KT_ASSERT(p);
		KT_EXPECT_EQ(ksize(p), cases[i].class);
		if (!(cases[i].class & (cases[i].class - 1)))
			KT_EXPECT_EQ((unsigned long)p % min(cases[i].class, PAGE_SIZE), 0);
		kfree(p);
	}
	KT_EXPECT(kmalloc(0, 0) == NULL);
	kfree(NULL);
	KT_EXPECT(kcalloc(~(size_t)0 / 2, 3, 0) == NULL);
	p = kmalloc(300, 0);
	KT_ASSERT(p);
	memset(p, 0xff, 300);
	kfree(p);
	p = kcalloc(30, 10, 0);
	KT_ASSERT(p);
	KT_EXPECT_EQ(p[0] | p[150] | p[299], 0);
	kfree(p);
	KT_EXPECT_EQ(free_pages(), before);
}

KTEST(slab_info_lists_caches)
{
	struct slab_info info[4];
	size_t n = slab_info_get(info, ARRAY_SIZE(info));

	KT_EXPECT(n >= 13);
	KT_EXPECT_STREQ(info[0].name, "kmem_cache");
	KT_EXPECT_STREQ(info[1].name, "kmalloc-8");
	KT_EXPECT_EQ(info[1].object_size, 8);
	KT_EXPECT_EQ(info[0].active_objs + 1, n); /* every cache but kmem_cache itself */
}

/* A free of a pointer kmalloc never returned is reported once and ignored. */
KTEST(slab_invalid_kfree_reported)
{
	unsigned long reports = slab_debug_reports();
	u8 *p = kmalloc(3 * PAGE_SIZE, 0);

	KT_ASSERT(p);
	ktest_note("a report of a bad kfree follows");
	kfree(p + 16);
	KT_EXPECT_EQ(slab_debug_reports(), reports + 1);
	kfree(p);
	KT_EXPECT_EQ(slab_debug_reports(), reports + 1);
}

#ifdef CONFIG_DEBUG_SLAB
KTEST(slab_debug_double_free_caught)
{
	u64 before = free_pages();
	unsigned long reports = slab_debug_reports();
	struct kmem_cache *c = kmem_cache_create("ktest_dbl", 64, 0, 0);
	u8 *a, *b, *x, *y;

	KT_ASSERT(c);
	a = kmem_cache_alloc(c, 0);
	b = kmem_cache_alloc(c, 0);
	KT_ASSERT(a && b);
	memset(b, 0x3c, 64);
	kmem_cache_free(c, a);
	ktest_note("a double-free report follows");
	kmem_cache_free(c, a);
	KT_EXPECT_EQ(slab_debug_reports(), reports + 1);
	/* Ignored: a is on the freelist once, b untouched. */
	x = kmem_cache_alloc(c, 0);
	y = kmem_cache_alloc(c, 0);
	KT_EXPECT(x == a && y != a);
	KT_EXPECT_EQ(b[0] & b[63], 0x3c);
	kmem_cache_free(c, x);
	kmem_cache_free(c, y);
	kmem_cache_free(c, b);
	KT_EXPECT_EQ(kmem_cache_destroy(c), 0);
	KT_EXPECT_EQ(slab_debug_reports(), reports + 1);
	KT_EXPECT_EQ(free_pages(), before);
}

KTEST(slab_debug_use_after_free_caught)
{
	unsigned long reports = slab_debug_reports();
	u8 *a = kmalloc(100, 0), *b = kmalloc(100, 0);

	KT_ASSERT(a && b);
	memset(b, 0x3c, 100);
	kfree(a);
	a[50] = 0; /* the planted write after free */
	ktest_note("a use-after-free report follows");
	KT_EXPECT(kmalloc(100, 0) == a); /* caught when a is handed out again */
	KT_EXPECT_EQ(slab_debug_reports(), reports + 1);
	KT_EXPECT_EQ(b[0] & b[99], 0x3c);
	kfree(a);
	kfree(b);
	KT_EXPECT_EQ(slab_debug_reports(), reports + 1);
}

KTEST(slab_debug_red_zone_caught)
{
	unsigned long reports = slab_debug_reports();
	u8 *a = kmalloc(96, 0);

	KT_ASSERT(a);
	a[96] = 0; /* one past the end */
	ktest_note("a red-zone report follows");
	kfree(a);
	KT_EXPECT_EQ(slab_debug_reports(), reports + 1);
	KT_EXPECT(kmalloc(96, 0) == a);
	kfree(a);
	KT_EXPECT_EQ(slab_debug_reports(), reports + 1);
}
#endif
