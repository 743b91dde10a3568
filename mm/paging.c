/* mm/paging.c: the kernel page tables: W^X image mapping, guard pages, the direct map, ioremap.
 * The table walking itself is mm/pgtable.c, shared with user address spaces. */
#include <granary/bootinfo.h>
#include <granary/cpu.h>
#include <granary/kernel.h>
#include <granary/page.h>
#include <granary/paging.h>
#include <granary/string.h>
#include <granary/vmalloc.h>

/* PAT entries as PTE bits PWT/PCD select them: 0 WB, 1 WC (changed from WT), 2 UC-, 3 UC. */
#define PAT_VALUE 0x0007040600070106ULL
#define CACHE_UC (PTE_PCD | PTE_PWT)
#define CACHE_WC PTE_PWT

extern char boot_stack_guard[];

static unsigned long guards[1 + IST_COUNT];
static u64 *kernel_pml4;
static unsigned long ioremap_next = IOREMAP_BASE;

static u64 *walk(unsigned long va, int level, bool create)
{
	return pgt_walk(kernel_pml4, va, level, create);
}

static void map_page(unsigned long va, phys_addr_t pa, u64 flags)
{
	u64 *pte = walk(va, 1, true);

	if (!pte)
		panic("paging: no memory for kernel page tables");
	*pte = pa | flags;
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

/* SMEP: the kernel faults instead of running code from a user page. */
static bool cpu_has_smep(void)
{
	u32 a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 7)
		return false;
	cpuid(7, 0, &a, &b, &c, &d);
	return b & (1u << 7);
}

void paging_init(void)
{
	/* Cover all RAM, rounded up to a whole GiB. */
	u64 top = ALIGN_UP(bootinfo_ram_top(&bootinfo), 1UL << 30);

	wrmsr(MSR_PAT, PAT_VALUE);
	kernel_pml4 = pgt_table_alloc();
	map_image();
	map_direct(top);
	write_cr3(virt_to_phys(kernel_pml4));
	write_cr4(read_cr4() | CR4_PGE | (cpu_has_smep() ? CR4_SMEP : 0));
	write_cr0(read_cr0() | CR0_WP);
	/* Each kernel region gets its top-level entry now: address spaces copy the kernel
	 * half of this table when they are made, so it must never change afterwards. */
	walk(IOREMAP_BASE, 3, true);
	walk(VMALLOC_BASE, 3, true);
	walk(MODULE_BASE, 3, true);
	pr_info("paging: image %p-%p W^X, direct map %llu MiB at %p\n", __kernel_start,
		__kernel_end, (unsigned long long)(top >> 20), (void *)DIRECT_MAP_BASE);
}

bool paging_is_guard(unsigned long va)
{
	for (unsigned i = 0; i < ARRAY_SIZE(guards); i++)
		if (va - guards[i] < PAGE_SIZE)
			return true;
	return vm_stack_guard(va);
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
	return pgt_get(kernel_pml4, va);
}

u64 *paging_kernel_pml4(void)
{
	return kernel_pml4;
}

void tlb_flush_page(unsigned long va)
{
	invlpg(va);
}

void tlb_flush_user(void)
{
	write_cr3(read_cr3()); /* drops every non-global entry */
}

void tlb_flush_all(void)
{
	/* Toggling PGE drops global entries too. */
	u64 cr4 = read_cr4();
	write_cr4(cr4 & ~CR4_PGE);
	write_cr4(cr4);
}
