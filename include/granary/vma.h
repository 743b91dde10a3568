/* include/granary/vma.h: the ordered set of virtual-memory areas of one address space.
 * Pure bookkeeping (an AVL tree of [start, end) ranges); page tables are mm/mmap.c's business. */
#ifndef GRANARY_VMA_H
#define GRANARY_VMA_H

#include <granary/avl.h>
#include <granary/types.h>

struct shm_object;

/* vm_area.flags */
#define VMA_SHARED 0x1	  /* writes are seen by every mapping of the same object */
#define VMA_NORESERVE 0x2 /* not charged up front (MAP_NORESERVE) */
#define VMA_STACK 0x4	  /* a stack (MAP_GROWSDOWN / MAP_STACK), for reports */

struct vm_area {
	struct avl_node avl;
	unsigned long start, end; /* page-aligned, start < end */
	unsigned prot;		  /* PROT_READ | PROT_WRITE | PROT_EXEC */
	unsigned flags;		  /* VMA_* */
	struct shm_object *shm;	  /* the backing object of a shared mapping, NULL for private anon */
	u64 pgoff;		  /* page index in shm of start */
};

struct vma_set {
	struct avl_root root;
	unsigned long count; /* areas */
	u64 pages;	     /* pages covered by all areas */
};

/* Called for each area that a carve removes or trims: [start, end) is the part that
 * leaves the set; a still has its old bounds (and is freed afterwards if wholly gone). */
typedef void (*vma_range_fn)(struct vm_area *a, unsigned long start, unsigned long end, void *arg);

void vma_set_init(struct vma_set *s);
/* The area containing addr, or the first one above it; NULL if none. */
struct vm_area *vma_find(struct vma_set *s, unsigned long addr);
/* The area containing addr, or NULL. */
struct vm_area *vma_lookup(struct vma_set *s, unsigned long addr);
/* True if some area overlaps [start, end). */
bool vma_overlaps(struct vma_set *s, unsigned long start, unsigned long end);
/* A new area (not yet in a set); NULL when out of memory. */
struct vm_area *vma_alloc(unsigned long start, unsigned long end, unsigned prot, unsigned flags,
			  struct shm_object *shm, u64 pgoff);
/* Frees an area that is not in a set (dropping its shm reference). */
void vma_free(struct vm_area *a);
/* Inserts a (which must not overlap anything) and merges it with compatible neighbours;
 * returns the area that now covers a's range (a itself, or a neighbour a was merged into). */
struct vm_area *vma_insert(struct vma_set *s, struct vm_area *a);
/* Removes [start, end) from the set, splitting areas at the edges; fn sees every piece.
 * Returns 0 or -ENOMEM (a split needed a new area; nothing was changed then). */
int vma_carve(struct vma_set *s, unsigned long start, unsigned long end, vma_range_fn fn, void *arg);
/* Sets prot on [start, end), which must be wholly covered by areas (else -ENOMEM and no
 * change); splits at the edges and merges afterwards. fn sees each changed piece, with a
 * carrying the new prot. */
int vma_protect(struct vma_set *s, unsigned long start, unsigned long end, unsigned prot,
		vma_range_fn fn, void *arg);
/* The highest gap of len bytes that ends at or below top and starts at or above bottom
 * (which must be above 0); returns its start, or 0 if there is none. O(areas). */
unsigned long vma_gap_topdown(struct vma_set *s, unsigned long len, unsigned long bottom,
			      unsigned long top);
/* Removes and frees every area, calling fn for each first (fn may be NULL). */
void vma_clear(struct vma_set *s, vma_range_fn fn, void *arg);
/* Checks ordering, no overlap, no mergeable neighbours, counts; 0 or a negative code. */
int vma_check(struct vma_set *s);

#define vma_first(s) avl_entry_safe(avl_first(&(s)->root), struct vm_area, avl)
#define vma_next(a) avl_entry_safe(avl_next(&(a)->avl), struct vm_area, avl)

/* The shm layer's hooks, so merged/split areas keep their object referenced
 * (mm/shm.c provides them; host tests provide stubs). */
void shm_object_get(struct shm_object *o);
void shm_object_put(struct shm_object *o);

#endif
