/* mm/pgtable.c: walking and building 4-level x86_64 page tables, for the kernel and for address spaces.
 * What a mapping means (permissions, which page) is decided by the callers in paging.c and mmap.c. */
#include <granary/kernel.h>
#include <granary/page.h>
#include <granary/paging.h>
#include <granary/string.h>

/* Before the page allocator exists, tables come from this pool in the image. */
#define PT_POOL_PAGES 32

static u64 pt_pool[PT_POOL_PAGES][PT_ENTRIES] __aligned(PAGE_SIZE);
static unsigned pt_used;

/* Pool pages live in the image, so they are reachable before the direct map exists. */
static u64 *table_virt(u64 entry)
{
	phys_addr_t pa = entry & PTE_ADDR_MASK;

	if (pa - virt_to_phys(pt_pool) < sizeof(pt_pool))
		return (u64 *)(pa + KERNEL_VMA);
	return phys_to_virt(pa);
}

u64 *pgt_table_alloc(void)
{
	struct page *p;

	if (!mem_map) {
		if (pt_used == PT_POOL_PAGES)
			panic("paging: boot page-table pool exhausted (%d pages)", PT_POOL_PAGES);
		return pt_pool[pt_used++]; /* .bss: already zero */
	}
	p = page_alloc(0, PA_ZERO);
	if (!p)
		return NULL;
	p->flags |= PG_PAGETABLE;
	mem_count(MC_PAGETABLES, 1);
	return page_address(p);
}

static void table_free(u64 *table)
{
	struct page *p = virt_to_page(table);

	p->flags &= ~PG_PAGETABLE;
	mem_count(MC_PAGETABLES, -1);
	page_free(p, 0);
}

static unsigned index_of(unsigned long va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

u64 *pgt_walk(u64 *root, unsigned long va, int level, bool create)
{
	u64 *table = root;
	/* Intermediate entries allow everything; the leaves decide. */
	u64 inter = PTE_P | PTE_W | (va < USER_TOP ? PTE_U : 0);

	for (int l = 4; l > level; l--) {
		u64 *e = &table[index_of(va, l)];
		if (!(*e & PTE_P)) {
			u64 *t;
			if (!create || !(t = pgt_table_alloc()))
				return NULL;
			*e = virt_to_phys(t) | inter;
		} else if (*e & PTE_PS) {
			return NULL;
		}
		table = table_virt(*e);
	}
	return &table[index_of(va, level)];
}

u64 pgt_get(u64 *root, unsigned long va)
{
	u64 *table = root;

	for (int l = 4; l >= 1; l--) {
		u64 e = table[index_of(va, l)];
		if (!(e & PTE_P))
			return 0;
		if (l == 1 || (e & PTE_PS))
			return e;
		table = table_virt(e);
	}
	return 0;
}

/* Size of the range one entry at level covers. */
#define LEVEL_SPAN(l) (1UL << (PAGE_SHIFT + 9 * ((l) - 1)))

static void for_each_in(u64 *table, int level, unsigned long start, unsigned long end,
			void (*fn)(u64 *pte, unsigned long va, void *arg), void *arg)
{
	unsigned long span = LEVEL_SPAN(level);

	while (start < end) {
		unsigned long next = (start & ~(span - 1)) + span;
		u64 *e = &table[index_of(start, level)];

		if (next > end || next == 0)
			next = end;
		if (level == 1) {
			if (*e & (PTE_P | PTE_PROTNONE))
				fn(e, start, arg);
		} else if (*e & PTE_P) {
			if (!(*e & PTE_PS))
				for_each_in(table_virt(*e), level - 1, start, next, fn, arg);
		}
		start = next;
	}
}

void pgt_for_each(u64 *root, unsigned long start, unsigned long end,
		  void (*fn)(u64 *pte, unsigned long va, void *arg), void *arg)
{
	if (end > USER_TOP)
		end = USER_TOP;
	if (start < end)
		for_each_in(root, 4, start, end, fn, arg);
}

u64 *pgt_root_alloc(void)
{
	u64 *root = pgt_table_alloc();
	u64 *kernel = paging_kernel_pml4();

	if (root)
		memcpy(root + PT_ENTRIES / 2, kernel + PT_ENTRIES / 2, PAGE_SIZE / 2);
	return root;
}

static void free_tables(u64 *table, int level)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		u64 e = table[i];
		if ((e & PTE_P) && !(e & PTE_PS) && level > 2)
			free_tables(table_virt(e), level - 1);
		else if ((e & PTE_P) && !(e & PTE_PS) && level == 2)
			table_free(table_virt(e));
	}
	table_free(table);
}

void pgt_root_free(u64 *root)
{
	for (unsigned i = 0; i < PT_ENTRIES / 2; i++)
		if (root[i] & PTE_P)
			free_tables(table_virt(root[i]), 3);
	table_free(root);
}
