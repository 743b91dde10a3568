/* tests/host/test_buddy.c: host unit tests of mm/buddy.c: split and merge, exhaustion, alignment,
 * fragmentation, bad frees, and a long seeded random sequence with invariant checks. */
#include "hosttest.h"

#include <string.h>

#include <granary/page.h>

static int printk_calls;

int printk(const char *fmt, ...)
{
	printk_calls++;
	return 0;
}

#define NPAGES 4096
static struct page map[NPAGES];
static struct buddy b;

/* A buddy over pfns [base, base + NPAGES) with only [from, to) released. */
static void setup(u64 base, u64 from, u64 to)
{
	buddy_init(&b, map, base, NPAGES);
	buddy_release(&b, from, to - from);
	printk_calls = 0;
}

static u64 pfn_of(struct page *p)
{
	return b.base_pfn + (u64)(p - map);
}

static void test_release_builds_aligned_blocks(void **state)
{
	/* 4096 pages from pfn 0: exactly four 1024-page (order 10) blocks. */
	setup(0, 0, NPAGES);
	assert_int_equal(b.free_pages, NPAGES);
	assert_int_equal(b.managed_pages, NPAGES);
	assert_int_equal(b.nfree[PAGE_ORDERS - 1], 4);
	for (unsigned o = 0; o < PAGE_ORDERS - 1; o++)
		assert_int_equal(b.nfree[o], 0);
	assert_int_equal(buddy_check(&b), 0);

	/* An unaligned range [3, 21) splits into 1 + 4 + 8 + 4 + 1 pages. */
	setup(0, 3, 21);
	assert_int_equal(b.free_pages, 18);
	assert_int_equal(b.nfree[0], 2); /* pfn 3 and pfn 20 */
	assert_int_equal(b.nfree[2], 2); /* 4-7 and 16-19 */
	assert_int_equal(b.nfree[3], 1); /* 8-15 */
	assert_int_equal(buddy_check(&b), 0);
	/* Pages outside the released range stay reserved. */
	assert_true(map[0].flags & PG_RESERVED);
	assert_true(map[21].flags & PG_RESERVED);
}

static void test_split_and_merge(void **state)
{
	struct page *p;

	setup(0, 0, 1024);
	p = buddy_alloc(&b, 0);
	assert_non_null(p);
	assert_int_equal(pfn_of(p), 0);
	assert_int_equal(p->refcount, 1);
	assert_int_equal(p->order, 0);
	/* One order-10 block split into one free block of each order 0..9. */
	for (unsigned o = 0; o < PAGE_ORDERS - 1; o++)
		assert_int_equal(b.nfree[o], 1);
	assert_int_equal(b.nfree[PAGE_ORDERS - 1], 0);
	assert_int_equal(buddy_check(&b), 0);
	buddy_free(&b, p, 0);
	assert_int_equal(b.nfree[PAGE_ORDERS - 1], 1);
	assert_int_equal(b.free_pages, 1024);
	assert_int_equal(buddy_check(&b), 0);
}

static void test_exhaustion_and_refill(void **state)
{
	static struct page *got[NPAGES + 1]; /* room for the final NULL */
	unsigned n = 0;

	setup(0, 0, NPAGES);
	while ((got[n] = buddy_alloc(&b, 0)))
		n++;
	assert_int_equal(n, NPAGES);
	assert_int_equal(b.free_pages, 0);
	assert_null(buddy_alloc(&b, 0));
	assert_int_equal(buddy_check(&b), 0);
	for (unsigned i = 0; i < n; i++)
		buddy_free(&b, got[i], 0);
	assert_int_equal(b.free_pages, NPAGES);
	assert_int_equal(b.nfree[PAGE_ORDERS - 1], 4);
	assert_int_equal(buddy_check(&b), 0);
	assert_null(buddy_alloc(&b, PAGE_ORDERS)); /* no such order */
}

static void test_alignment_with_unaligned_base(void **state)
{
	/* The map starts at pfn 1000; blocks are aligned by absolute pfn, not by index. */
	setup(1000, 1000, 1000 + NPAGES);
	for (unsigned o = 0; o < PAGE_ORDERS; o++) {
		struct page *p = buddy_alloc(&b, o);
		assert_non_null(p);
		assert_int_equal(pfn_of(p) & ((1u << o) - 1), 0);
	}
	assert_int_equal(buddy_check(&b), 0);
}

static void test_fragmentation_blocks_larger_orders(void **state)
{
	static struct page *got[NPAGES];

	setup(0, 0, 64);
	for (unsigned i = 0; i < 64; i++)
		got[i] = buddy_alloc(&b, 0);
	/* Free every other page: 32 free pages, none of which can merge. */
	for (unsigned i = 0; i < 64; i += 2)
		buddy_free(&b, got[i], 0);
	assert_int_equal(b.free_pages, 32);
	assert_int_equal(b.nfree[0], 32);
	assert_null(buddy_alloc(&b, 1));
	assert_int_equal(buddy_check(&b), 0);
	for (unsigned i = 1; i < 64; i += 2)
		buddy_free(&b, got[i], 0);
	assert_int_equal(b.nfree[6], 1);
	assert_int_equal(buddy_check(&b), 0);
}

static void test_holes_are_never_merged_across(void **state)
{
	buddy_init(&b, map, 0, NPAGES);
	buddy_release(&b, 0, 8);
	buddy_release(&b, 9, 7); /* pfn 8 stays reserved */
	assert_int_equal(b.free_pages, 15);
	assert_int_equal(b.nfree[3], 1); /* 0-7 */
	assert_int_equal(b.nfree[2], 1); /* 12-15 */
	assert_int_equal(b.nfree[1], 1); /* 10-11 */
	assert_int_equal(b.nfree[0], 1); /* 9 */
	assert_int_equal(buddy_check(&b), 0);
	assert_null(buddy_alloc(&b, 4));
}

static void test_bad_frees_are_ignored(void **state)
{
	struct page *p;

	setup(0, 0, 16);
	p = buddy_alloc(&b, 0);
	buddy_free(&b, p, 0);
	buddy_free(&b, p, 0);		 /* double free */
	buddy_free(&b, &map[100], 0);	 /* reserved page */
	buddy_free(&b, &map[1], 1);	 /* misaligned for its order */
	buddy_free(&b, &map[0], PAGE_ORDERS); /* no such order */
	assert_int_equal(printk_calls, 4);
	assert_int_equal(b.free_pages, 16);
	assert_int_equal(buddy_check(&b), 0);
}

static void test_random_sequence(void **state)
{
	static struct page *live[NPAGES];
	static unsigned order[NPAGES];
	static unsigned char owner[NPAGES];
	unsigned nlive = 0;
	u64 used = 0;

	rng_seed(0xb0ddc0de, "test_random_sequence");
	setup(0, 0, NPAGES);
	for (int step = 0; step < 200000; step++) {
		if (nlive && (rng_below(2) || nlive == NPAGES)) {
			unsigned i = rng_below(nlive);
			u64 pfn = pfn_of(live[i]);
			for (u64 k = 0; k < (1u << order[i]); k++)
				owner[pfn + k] = 0;
			buddy_free(&b, live[i], order[i]);
			used -= 1u << order[i];
			live[i] = live[--nlive];
			order[i] = order[nlive];
		} else {
			unsigned o = rng_below(100) < 80 ? rng_below(3) : rng_below(PAGE_ORDERS);
			struct page *p = buddy_alloc(&b, o);
			if (!p) {
				/* Refused only if no block of that order or larger is free. */
				for (unsigned k = o; k < PAGE_ORDERS; k++)
					assert_int_equal(b.nfree[k], 0);
				continue;
			}
			u64 pfn = pfn_of(p);
			assert_int_equal(pfn & ((1u << o) - 1), 0);
			for (u64 k = 0; k < (1u << o); k++) {
				assert_int_equal(owner[pfn + k], 0); /* never handed out twice */
				owner[pfn + k] = 1;
			}
			live[nlive] = p;
			order[nlive++] = o;
			used += 1u << o;
		}
		assert_int_equal(b.free_pages + used, NPAGES);
		if (step % 500 == 0)
			assert_int_equal(buddy_check(&b), 0);
	}
	while (nlive--)
		buddy_free(&b, live[nlive], order[nlive]);
	assert_int_equal(b.free_pages, NPAGES);
	assert_int_equal(b.nfree[PAGE_ORDERS - 1], 4);
	assert_int_equal(buddy_check(&b), 0);
	assert_int_equal(printk_calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_builds_aligned_blocks),
		cmocka_unit_test(test_split_and_merge),
		cmocka_unit_test(test_exhaustion_and_refill),
		cmocka_unit_test(test_alignment_with_unaligned_base),
		cmocka_unit_test(test_fragmentation_blocks_larger_orders),
		cmocka_unit_test(test_holes_are_never_merged_across),
		cmocka_unit_test(test_bad_frees_are_ignored),
		cmocka_unit_test(test_random_sequence),
	};

	hosttest_init();
	return cmocka_run_group_tests_name("buddy", tests, NULL, NULL);
}
