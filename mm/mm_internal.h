/* mm/mm_internal.h: what mm.c, mmap.c and fault.c share inside the memory subsystem.
 * Not for other subsystems: they use include/granary/vm.h. */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <granary/paging.h>
#include <granary/vm.h>
#include <uapi/mman.h>

/* Invalidates va's TLB entry if mm is the address space loaded on this CPU. */
void mm_flush(struct mm *mm, unsigned long va);

/* A vma_range_fn (arg: the mm) that unmaps [start, end): drops each page's reference,
 * the rss and its charge. Caller holds mm->lock or owns mm alone. */
void mm_zap_range(struct vm_area *a, unsigned long start, unsigned long end, void *arg);

/* The leaf PTE bits for a page of area a; writable only if write is also set. */
static inline u64 user_pte_flags(const struct vm_area *a, bool write)
{
	u64 f = PTE_P | PTE_U;

	if (write && (a->prot & PROT_WRITE))
		f |= PTE_W;
	if (!(a->prot & PROT_EXEC))
		f |= PTE_NX;
	return f;
}

#endif
