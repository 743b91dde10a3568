/* include/granary/paging.h: the kernel address-space layout and kernel page tables.
 * The kernel image is mapped W^X at KERNEL_VMA + phys; all RAM is mapped at DIRECT_MAP_BASE. */
#ifndef GRANARY_PAGING_H
#define GRANARY_PAGING_H

#include <granary/arch.h>
#include <granary/types.h>

#define KERNEL_VMA 0xffffffff80000000UL
#define DIRECT_MAP_BASE 0xffff800000000000UL
#define IOREMAP_BASE 0xffffc00000000000UL
#define IOREMAP_SIZE (1UL << 30)
#define VMALLOC_BASE 0xffffc80000000000UL
#define VMALLOC_SIZE (64UL << 30)
/* Modules sit in the top 2 GiB with the kernel, so they use the same code model. */
#define MODULE_BASE 0xffffffffa0000000UL
#define MODULE_SIZE (512UL << 20)

/* User space: [USER_MIN, USER_TOP). Nothing is mapped below USER_MIN (NULL stays a fault). */
#define USER_MIN 0x10000UL
#define USER_TOP 0x0000800000000000UL

#define PT_ENTRIES 512

/* Page-table entry bits. */
#define PTE_P (1UL << 0)
#define PTE_W (1UL << 1)
#define PTE_U (1UL << 2)
#define PTE_PWT (1UL << 3)
#define PTE_PCD (1UL << 4)
#define PTE_A (1UL << 5)
#define PTE_D (1UL << 6)
#define PTE_PS (1UL << 7)
#define PTE_G (1UL << 8)
#define PTE_PROTNONE (1UL << 9) /* software: a user page kept under PROT_NONE, P clear */
#define PTE_NX (1UL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000UL

static inline void *phys_to_virt(phys_addr_t pa) { return (void *)(pa + DIRECT_MAP_BASE); }
static inline phys_addr_t virt_to_phys(const void *va)
{
	unsigned long v = (unsigned long)va;
	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP_BASE;
}

/* Builds the kernel page tables (W^X image, guard pages, direct map of RAM) and switches
 * to them, dropping the boot identity map. Called once, early. */
void paging_init(void);
/* True if va lies in a guard page below a kernel stack (a fault there is an overflow). */
bool paging_is_guard(unsigned long va);
/* Physical address of the kernel's top-level table. */
phys_addr_t paging_kernel_root(void);

/* Maps size bytes of device memory at phys uncached; returns the virtual address or NULL
 * when the ioremap window is full. */
void *ioremap(phys_addr_t phys, size_t size);
/* Same, write-combining (through the PAT): for framebuffers, never for registers. */
void *ioremap_wc(phys_addr_t phys, size_t size);

/* Returns the PTE bits that map va in the kernel tables (0 if unmapped), for tests. */
u64 paging_lookup(unsigned long va);
/* The kernel's top-level table (its upper half is copied into every address space). */
u64 *paging_kernel_pml4(void);

/* ---- page-table walking (mm/pgtable.c), for the kernel's tables and for address spaces ---- */

/* A zeroed page for a page table (from the boot pool before the page allocator runs); NULL if none. */
u64 *pgt_table_alloc(void);
/* The entry for va at level (1 = PTE, 2 = PDE, 3 = PDPTE) under root, creating missing tables
 * when create is set (user-half tables are made user-accessible). NULL if a table is missing
 * and create is not set, if there is no memory, or if a large page is in the way. */
u64 *pgt_walk(u64 *root, unsigned long va, int level, bool create);
/* The leaf entry (4 KiB, 2 MiB or 1 GiB) mapping va, or 0 if unmapped. */
u64 pgt_get(u64 *root, unsigned long va);
/* Calls fn on every populated 4 KiB entry (present, or kept under PROT_NONE) for
 * [start, end) in the user half; fn may change it. */
void pgt_for_each(u64 *root, unsigned long start, unsigned long end,
		  void (*fn)(u64 *pte, unsigned long va, void *arg), void *arg);
/* A new top-level table sharing the kernel half; NULL when out of memory. */
u64 *pgt_root_alloc(void);
/* Frees every user-half table under root, and root itself. The pages they map are not touched. */
void pgt_root_free(u64 *root);

/* Invalidates the TLB entry for va on this CPU (the one place that does; SMP shootdown later). */
void tlb_flush_page(unsigned long va);
void tlb_flush_all(void);
/* Drops the TLB entries of the user half (the kernel's are global and stay). */
void tlb_flush_user(void);

/* Linker-script symbols bounding the image's sections. */
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __ksyms_start[], __ksyms_end[];
extern char __kernel_start[], __kernel_end[], __boot_start[], __boot_end[];

#endif
