/* include/granary/vmalloc.h: virtually contiguous kernel memory: vmalloc, kernel stacks, the module area.
 * Each region is followed by an unmapped guard page, so overruns and stack overflows fault. */
#ifndef GRANARY_VMALLOC_H
#define GRANARY_VMALLOC_H

#include <granary/paging.h>
#include <granary/types.h>

#define KSTACK_SIZE (16UL * 1024)

/* The three arenas: general vmalloc, kernel stacks, and modules (inside the top 2 GiB). */
enum vm_kind { VM_VMALLOC, VM_STACK, VM_MODULE };

/* size bytes (rounded up to pages) of zeroed, writable, non-executable memory in the kind's
 * arena; NULL when out of memory or address space. */
void *vm_region_alloc(enum vm_kind kind, size_t size);
/* Unmaps and frees what vm_region_alloc(kind) returned; NULL is ignored. */
void vm_region_free(enum vm_kind kind, const void *addr);
/* Changes the protection of whole pages of a region to prot (PROT_READ, PROT_WRITE,
 * PROT_EXEC; write and execute together are refused: W^X). 0 or -EINVAL. */
int vm_region_protect(enum vm_kind kind, void *addr, size_t size, unsigned prot);
/* True if va is the guard page below a kernel stack (a fault there is a stack overflow). */
bool vm_stack_guard(unsigned long va);

void *vmalloc(size_t size);
void vfree(const void *addr);
/* A KSTACK_SIZE kernel stack (its lowest address; the top is that + KSTACK_SIZE). */
void *kstack_alloc(void);
void kstack_free(void *stack);

#endif
