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

/* Invalidates the TLB entry for va on this CPU (the one place that does; SMP shootdown later). */
void tlb_flush_page(unsigned long va);
void tlb_flush_all(void);

/* Linker-script symbols bounding the image's sections. */
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __ksyms_start[], __ksyms_end[];
extern char __kernel_start[], __kernel_end[], __boot_start[], __boot_end[];

#endif
