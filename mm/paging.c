/* mm/paging.c: the kernel page tables: W^X image mapping, guard pages, the direct map, ioremap.
 * Table pages come from a static pool until the physical allocator exists (memory issue). */
#include <granary/bootinfo.h>
#include <granary/cpu.h>
#include <granary/kernel.h>
#include <granary/page.h>
#include <granary/paging.h>
#include <granary/string.h>

/* PAT entries as PTE bits PWT/PCD select them: 0 WB, 1 WC (changed from WT), 2 UC-, 3 UC. */
#define PAT_VALUE 0x0007040600070106ULL
#define CACHE_UC (PTE_PCD | PTE_PWT)
#define CACHE_WC PTE_PWT
#define PT_POOL_PAGES 64
#define ENTRIES 512

extern char boot_stack_guard[];

static u64 pt_pool[PT_POOL_PAGES][ENTRIES] __aligned(PAGE_SIZE);
static unsigned long guards[1 + IST_COUNT];
static unsigned pt_used;
static u64 *kernel_pml4;
static unsigned long ioremap_next = IOREMAP_BASE;

/* Pool pages live in the image, so they are reachable before the direct map exists. */
static u64 *table_virt(u64 entry)
{
	phys_addr_t pa = entry & PTE_ADDR_MASK;

	if (pa - virt_to_phys(pt_pool) < sizeof(pt_pool))
		return (u64 *)(pa + KERNEL_VMA);
	return phys_to_virt(pa);
}

/* Page-table pages come from the boot pool until the page allocator runs (mem_map set). */
static u64 *table_alloc(void)
{
	struct page *p;

	if (!mem_map) {
		if (pt_used == PT_POOL_PAGES)
			panic("paging: page-table pool exhausted (%d pages)", PT_POOL_PAGES);
		return pt_pool[pt_used++]; /* .bss: already zero */
	}
	p = page_alloc(0, PA_ZERO);
	if (!p)
		return NULL;
	p->flags |= PG_PAGETABLE;
	mem_count(MC_PAGETABLES, 1);
	return page_address(p);
}

static unsigned index_of(unsigned long va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & (ENTRIES - 1);
}

/* Returns the entry for va at level (1 = PTE, 2 = PDE, 3 = PDPTE), creating the
 * tables above it when create is set; NULL if absent or a large page is in the way. */
static u64 *walk(unsigned long va, int level, bool create)
{
	u64 *table = kernel_pml4;

	for (int l = 4; l > level; l--) {
		u64 *e = &table[index_of(va, l)];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			/* Intermediate entries allow everything; leaves decide. */
			*e = virt_to_phys(table_alloc()) | PTE_P | PTE_W;
		} else if (*e & PTE_PS) {
			return NULL;
		}
		table = table_virt(*e);
	}
	return &table[index_of(va, level)];
}

static void map_page(unsigned long va, phys_addr_t pa, u64 flags)
{
	*walk(va, 1, true) = pa | flags;
}

static void map_image(void)
{
	for (char *p = __kernel_start; p < __kernel_end; p += PAGE_SIZE) {
		u64 flags = PTE_P | PTE_G;

		if (p >= __text_start && p < __text_end)
			; /* read and execute */
		else if (p >= __data_start && p < __data_end)
			flags |= PTE_W | PTE_NX;
		else
			flags |= PTE_NX; /* rodata and the symbol table */
		map_page((unsigned long)p, virt_to_phys(p), flags);
	}
	/* Guard pages under the stacks: an overflow faults instead of corrupting .bss. */
	guards[0] = (unsigned long)boot_stack_guard;
	for (unsigned i = 0; i < IST_COUNT; i++)
		guards[1 + i] = gdt_ist_guard(i);
	for (unsigned i = 0; i < ARRAY_SIZE(guards); i++)
		*walk(guards[i], 1, false) = 0;
}

static void map_direct(u64 top)
{
	u32 a, b, c, d;
	bool gb_pages;

	cpuid(0x80000001, 0, &a, &b, &c, &d);
	gb_pages = d & (1u << 26);
	for (u64 pa = 0; pa < top;) {
		unsigned long va = DIRECT_MAP_BASE + pa;
		if (gb_pages) {
			*walk(va, 3, true) = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
			pa += 1UL << 30;
		} else {
			*walk(va, 2, true) = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
			pa += 1UL << 21;
		}
	}
}

void paging_init(void)
{
	/* Cover all RAM, rounded up to a whole GiB. */
	u64 top = ALIGN_UP(bootinfo_ram_top(&bootinfo), 1UL << 30);

	wrmsr(MSR_PAT, PAT_VALUE);
	kernel_pml4 = table_alloc();
	map_image();
	map_direct(top);
	write_cr3(virt_to_phys(kernel_pml4));
	write_cr4(read_cr4() | CR4_PGE);
	write_cr0(read_cr0() | CR0_WP);
	pr_info("paging: image %p-%p W^X, direct map %llu MiB at %p, %u table pages\n",
		__kernel_start, __kernel_end, (unsigned long long)(top >> 20), (void *)DIRECT_MAP_BASE,
		pt_used);
}

bool paging_is_guard(unsigned long va)
{
	for (unsigned i = 0; i < ARRAY_SIZE(guards); i++)
		if (va - guards[i] < PAGE_SIZE)
			return true;
	return false;
}

phys_addr_t paging_kernel_root(void)
{
	return virt_to_phys(kernel_pml4);
}

static void *map_io(phys_addr_t phys, size_t size, u64 cache)
{
	phys_addr_t base = ALIGN_DOWN(phys, PAGE_SIZE);
	size_t len = ALIGN_UP(phys + size, PAGE_SIZE) - base;
	unsigned long va = ioremap_next;

	if (!size || len > IOREMAP_BASE + IOREMAP_SIZE - va)
		return NULL;
	ioremap_next += len;
	for (size_t off = 0; off < len; off += PAGE_SIZE)
		map_page(va + off, base + off, PTE_P | PTE_W | PTE_NX | PTE_G | cache);
	return (void *)(va + (phys - base));
}

void *ioremap(phys_addr_t phys, size_t size)
{
	return map_io(phys, size, CACHE_UC);
}

void *ioremap_wc(phys_addr_t phys, size_t size)
{
	return map_io(phys, size, CACHE_WC);
}

u64 paging_lookup(unsigned long va)
{
	for (int level = 3; level >= 1; level--) {
		u64 *e = walk(va, level, false);
		if (!e)
			continue;
		if (level == 1 || (*e & PTE_PS))
			return *e & PTE_P ? *e : 0;
	}
	return 0;
}

void tlb_flush_page(unsigned long va)
{
	invlpg(va);
}

void tlb_flush_all(void)
{
	/* Toggling PGE drops global entries too. */
	u64 cr4 = read_cr4();
	write_cr4(cr4 & ~CR4_PGE);
	write_cr4(cr4);
}
