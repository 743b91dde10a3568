/* include/granary/vm.h: address spaces: struct mm, mmap/munmap/mprotect/brk, page faults, fork's copy.
 * One mm per process; its areas are a vma_set and its page tables share the kernel half. */
#ifndef GRANARY_VM_H
#define GRANARY_VM_H

#include <granary/spinlock.h>
#include <granary/types.h>
#include <granary/vma.h>

struct mem_group;

struct mm {
	u64 *pml4;		 /* top-level table (direct-map address) */
	struct vma_set areas;
	unsigned long brk_start; /* the heap: [brk_start, brk), grown by vm_brk() */
	unsigned long brk;
	unsigned long mmap_top;	 /* mmap without a usable hint allocates downward from here */
	u64 rss;		 /* pages mapped (resident) */
	/* Where exec put the argument and environment strings and argc (for /proc); 0 before. */
	unsigned long arg_start, arg_end, env_start, env_end, start_stack;
	struct mem_group *group; /* where this mm's pages are charged */
	spinlock_t lock;	 /* areas, page tables and counters */
	u32 refcount;
};

/* A new, empty address space charged to group (NULL: the host group). NULL when out of memory. */
struct mm *mm_create(struct mem_group *group);
/* fork: a copy of src whose private pages are shared copy-on-write (both sides lose write
 * access until their next write fault); shared areas stay shared. NULL when out of memory. */
struct mm *mm_clone(struct mm *src);
void mm_get(struct mm *mm);
/* Drops a reference; the last one unmaps everything and frees the page tables. */
void mm_put(struct mm *mm);
/* Loads mm's page tables on this CPU (NULL: the kernel's alone). */
void mm_switch(struct mm *mm);
/* The address space loaded on this CPU, or NULL. */
struct mm *mm_current(void);

/* mmap(2) on mm for anonymous memory or a shm object: returns the address, or -EINVAL
 * (bad length, flags or alignment), -ENOMEM (no room, no memory, over the limit), -EEXIST
 * (MAP_FIXED_NOREPLACE over a mapping), -EBADF (a file mapping: not until the VFS). */
long vm_mmap(struct mm *mm, unsigned long addr, unsigned long len, unsigned prot, unsigned flags,
	     struct shm_object *shm, u64 pgoff);
/* munmap(2): 0, or -EINVAL for a misaligned or empty range. Unmapped holes are fine. */
int vm_munmap(struct mm *mm, unsigned long addr, unsigned long len);
/* mprotect(2): 0, -EINVAL (misaligned, bad prot), -ENOMEM (range not wholly mapped). */
int vm_mprotect(struct mm *mm, unsigned long addr, unsigned long len, unsigned prot);
/* madvise(MADV_DONTNEED): drops the private pages of [addr, addr + len); they read as zero
 * next time. Shared pages are kept. 0, or -EINVAL. */
int vm_discard(struct mm *mm, unsigned long addr, unsigned long len);
/* brk(2): moves the end of the heap and returns the new end, or the old one if it cannot. */
unsigned long vm_brk(struct mm *mm, unsigned long newbrk);
/* Sets where the heap starts (exec, after loading the image). */
void vm_set_brk_start(struct mm *mm, unsigned long start);

/* Resolves a fault on a user address: demand-zero, shm pages, copy-on-write. Returns 0 when
 * the access may be retried, -EFAULT when no area allows it, -ENOMEM when out of memory. */
int vm_fault(struct mm *mm, unsigned long addr, u32 error_code);

struct trap_frame;
/* The page-fault path from traps.c: resolves faults on user memory, and sends a kernel
 * fault inside a user-copy routine to its fixup. false: the fault is the caller's problem. */
bool vm_fault_trap(struct trap_frame *tf);

/* Copies up to n bytes at addr in mm (not necessarily the loaded one) into buf, through its
 * page tables: stops at the first page that is not resident and readable, never faults one
 * in. Returns the bytes copied (0 if addr is not mapped or not a user address). */
size_t vm_read_remote(struct mm *mm, unsigned long addr, void *buf, size_t n);

/* Pages of user memory: totals for statistics and /proc. */
static inline u64 mm_total_pages(struct mm *mm) { return mm->areas.pages; }

/* ---- memory accounting groups (silos charge here; mm/account.c) ---- */

struct mem_group {
	const char *name;
	u64 limit; /* pages; 0 = no limit */
	u64 used;  /* pages charged */
	u64 peak;
	u64 failures; /* charges refused */
};
/* The group every address space outside a silo charges. */
extern struct mem_group mem_group_host;
/* Charges pages to g; -ENOMEM (and nothing charged) if that would pass its limit. */
int mem_charge(struct mem_group *g, u64 pages);
void mem_uncharge(struct mem_group *g, u64 pages);

#endif
