/* kernel/ktests/page_ktest.c: kernel tests of the page allocator on the machine's real memory map.
 * Exhaustion tests take every free page, so they also prove the free counts are exact. */
#include <granary/ktest.h>
#include <granary/page.h>
#include <granary/string.h>

static u64 free_pages(void)
{
	struct mem_stats s;

	mem_get_stats(&s);
	return s.free;
}

/* Allocates blocks of the given order until none is left, chained through their first word. */
static void *take_all(unsigned order, u64 *count)
{
	void *head = NULL;
	struct page *p;

	*count = 0;
	while ((p = page_alloc(order, 0))) {
		void **block = page_address(p);
		*block = head;
		head = block;
		(*count)++;
	}
	return head;
}

static void give_back(void *head, unsigned order)
{
	while (head) {
		void *next = *(void **)head;
		page_free(virt_to_page(head), order);
		head = next;
	}
}

KTEST(page_alloc_exhaustion_returns_to_boot_figure)
{
	u64 before = free_pages(), n;
	void *all = take_all(0, &n);

	KT_EXPECT_EQ(n, before);
	KT_EXPECT_EQ(free_pages(), 0);
	KT_EXPECT(page_alloc(0, 0) == NULL);
	give_back(all, 0);
	KT_EXPECT_EQ(free_pages(), before);
	KT_EXPECT_EQ(page_alloc_check(), 0);
}

KTEST(page_alloc_mixed_orders_merge_back)
{
	u64 before = free_pages(), n[PAGE_ORDERS], taken = 0;
	void *lists[PAGE_ORDERS];
	struct mem_stats s;

	/* Largest first, so every order gets some of what is left. */
	for (int o = PAGE_ORDERS - 1; o >= 0; o--) {
		lists[o] = take_all(o, &n[o]);
		taken += n[o] << o;
	}
	KT_EXPECT_EQ(taken, before);
	for (unsigned o = 0; o < PAGE_ORDERS; o += 2)
		give_back(lists[o], o);
	for (unsigned o = 1; o < PAGE_ORDERS; o += 2)
		give_back(lists[o], o);
	KT_EXPECT_EQ(free_pages(), before);
	KT_EXPECT_EQ(page_alloc_check(), 0);
	/* Merging restored large blocks: there is at least one 4 MiB block again. */
	mem_get_stats(&s);
	KT_EXPECT(s.free_blocks[PAGE_ORDERS - 1] > 0);
}

KTEST(page_alloc_alignment_and_zeroing)
{
	struct page *big = page_alloc(PAGE_ORDER_2M, PA_ZERO);
	const u64 *words;
	bool zero = true;

	KT_ASSERT(big != NULL);
	KT_EXPECT_EQ(page_to_phys(big) & ((2UL << 20) - 1), 0);
	KT_EXPECT_EQ(big->refcount, 1);
	words = page_address(big);
	for (size_t i = 0; i < (PAGE_SIZE << PAGE_ORDER_2M) / 8; i++)
		zero &= words[i] == 0;
	KT_EXPECT(zero);
	page_free(big, PAGE_ORDER_2M);
}

KTEST(page_alloc_refcount_frees_on_last_put)
{
	u64 before = free_pages();
	struct page *p = page_alloc(1, 0);

	KT_ASSERT(p != NULL);
	get_page(p);
	put_page(p);
	KT_EXPECT_EQ(free_pages(), before - 2);
	put_page(p);
	KT_EXPECT_EQ(free_pages(), before);
}

KTEST(page_alloc_double_free_ignored)
{
	u64 before = free_pages();
	struct page *p = page_alloc(0, 0);

	KT_ASSERT(p != NULL);
	page_free(p, 0);
	page_free(p, 0); /* reported and ignored */
	KT_EXPECT_EQ(free_pages(), before);
	KT_EXPECT_EQ(page_alloc_check(), 0);
}

KTEST(page_alloc_kernel_image_reserved)
{
	extern char kmain[];
	struct page *p = virt_to_page(kmain);

	KT_EXPECT(p->flags & PG_RESERVED);
	KT_EXPECT(phys_to_page(0x1000)->flags & PG_RESERVED);
}
