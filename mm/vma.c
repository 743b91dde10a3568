/* mm/vma.c: the set of virtual-memory areas of an address space: lookup, insert with merge, carve, protect.
 * Bookkeeping only: the callbacks let mm/mmap.c change page tables; host tests run this file as is. */
#include <granary/arch.h>
#include <granary/errno.h>
#include <granary/slab.h>
#include <granary/vma.h>

#define area_of(n) avl_entry(n, struct vm_area, avl)
#define npages(start, end) (((end) - (start)) >> PAGE_SHIFT)

void vma_set_init(struct vma_set *s)
{
	s->root.node = NULL;
	s->count = 0;
	s->pages = 0;
}

struct vm_area *vma_find(struct vma_set *s, unsigned long addr)
{
	struct avl_node *n = s->root.node;
	struct vm_area *found = NULL;

	while (n) {
		struct vm_area *a = area_of(n);
		if (a->end > addr) {
			found = a;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return found;
}

struct vm_area *vma_lookup(struct vma_set *s, unsigned long addr)
{
	struct vm_area *a = vma_find(s, addr);

	return a && a->start <= addr ? a : NULL;
}

bool vma_overlaps(struct vma_set *s, unsigned long start, unsigned long end)
{
	struct vm_area *a = vma_find(s, start);

	return a && a->start < end;
}

struct vm_area *vma_alloc(unsigned long start, unsigned long end, unsigned prot, unsigned flags,
			  struct shm_object *shm, u64 pgoff)
{
	struct vm_area *a = kmalloc(sizeof(*a), 0);

	if (!a)
		return NULL;
	*a = (struct vm_area){ .start = start, .end = end, .prot = prot, .flags = flags,
			       .shm = shm, .pgoff = pgoff };
	if (shm)
		shm_object_get(shm);
	return a;
}

void vma_free(struct vm_area *a)
{
	if (a->shm)
		shm_object_put(a->shm);
	kfree(a);
}

/* Two areas can become one if they touch and nothing about them differs. */
static bool mergeable(const struct vm_area *lo, const struct vm_area *hi)
{
	return lo->end == hi->start && lo->prot == hi->prot && lo->flags == hi->flags &&
	       lo->shm == hi->shm && (!lo->shm || lo->pgoff + npages(lo->start, lo->end) == hi->pgoff);
}

static void link_area(struct vma_set *s, struct vm_area *a)
{
	struct avl_node **link = &s->root.node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = a->start < area_of(parent)->start ? &parent->left : &parent->right;
	}
	avl_link(&s->root, &a->avl, parent, link);
	s->count++;
	s->pages += npages(a->start, a->end);
}

static void unlink_area(struct vma_set *s, struct vm_area *a)
{
	avl_erase(&s->root, &a->avl);
	s->count--;
	s->pages -= npages(a->start, a->end);
}

/* Merges a with its neighbours where possible; returns the area that now holds a's range. */
static struct vm_area *merge_around(struct vma_set *s, struct vm_area *a)
{
	struct vm_area *prev = avl_entry_safe(avl_prev(&a->avl), struct vm_area, avl);
	struct vm_area *next = vma_next(a);

	if (prev && mergeable(prev, a)) {
		unlink_area(s, a);
		s->pages += npages(a->start, a->end);
		prev->end = a->end;
		vma_free(a);
		a = prev;
	}
	if (next && mergeable(a, next)) {
		unlink_area(s, next);
		s->pages += npages(next->start, next->end);
		a->end = next->end;
		vma_free(next);
	}
	return a;
}

struct vm_area *vma_insert(struct vma_set *s, struct vm_area *a)
{
	link_area(s, a);
	return merge_around(s, a);
}

/* Splits a at addr (inside it) using spare for the upper part, which is linked in and returned. */
static struct vm_area *split(struct vma_set *s, struct vm_area *a, unsigned long addr, struct vm_area *spare)
{
	*spare = *a;
	spare->start = addr;
	spare->pgoff = a->pgoff + npages(a->start, addr);
	if (spare->shm)
		shm_object_get(spare->shm);
	s->pages -= npages(addr, a->end);
	a->end = addr;
	link_area(s, spare);
	return spare;
}

int vma_carve(struct vma_set *s, unsigned long start, unsigned long end, vma_range_fn fn, void *arg)
{
	struct vm_area *a = vma_find(s, start), *spare = NULL;

	if (start >= end)
		return 0;
	/* Only an area reaching past both edges needs a second area; get it before changing anything. */
	if (a && a->start < start && a->end > end) {
		spare = kmalloc(sizeof(*spare), 0);
		if (!spare)
			return -ENOMEM;
		if (fn)
			fn(a, start, end, arg);
		split(s, a, end, spare);
		s->pages -= npages(start, a->end);
		a->end = start;
		return 0;
	}
	while (a && a->start < end) {
		struct vm_area *next = vma_next(a);
		unsigned long lo = a->start > start ? a->start : start;
		unsigned long hi = a->end < end ? a->end : end;

		if (fn)
			fn(a, lo, hi, arg);
		if (lo == a->start && hi == a->end) {
			unlink_area(s, a);
			vma_free(a);
		} else if (lo > a->start) {
			s->pages -= npages(lo, a->end); /* keep the head */
			a->end = lo;
		} else {
			s->pages -= npages(a->start, hi); /* keep the tail */
			a->pgoff += npages(a->start, hi);
			a->start = hi;
		}
		a = next;
	}
	return 0;
}

int vma_protect(struct vma_set *s, unsigned long start, unsigned long end, unsigned prot,
		vma_range_fn fn, void *arg)
{
	struct vm_area *a = vma_find(s, start), *spare[2] = { NULL, NULL }, *first, *last;
	unsigned long cur = start;

	if (start >= end)
		return 0;
	/* The whole range must be mapped, without holes. */
	for (struct vm_area *b = a; cur < end; b = vma_next(b)) {
		if (!b || b->start > cur)
			return -ENOMEM;
		cur = b->end;
	}
	if (a->prot != prot && a->start < start)
		spare[0] = kmalloc(sizeof(struct vm_area), 0);
	last = vma_find(s, end - 1);
	if (last->prot != prot && last->end > end)
		spare[1] = kmalloc(sizeof(struct vm_area), 0);
	if ((a->prot != prot && a->start < start && !spare[0]) ||
	    (last->prot != prot && last->end > end && !spare[1])) {
		kfree(spare[0]);
		kfree(spare[1]);
		return -ENOMEM;
	}
	if (spare[0])
		a = split(s, a, start, spare[0]);
	if (spare[1]) {
		last = vma_find(s, end - 1);
		split(s, last, end, spare[1]);
	}
	/* Change each area inside the range, then merge what became alike (each
	 * merge_around() also takes in the next area, the one past end included). */
	for (struct vm_area *b = a; b && b->start < end; b = vma_next(b)) {
		if (b->prot != prot) {
			b->prot = prot;
			if (fn)
				fn(b, b->start, b->end, arg);
		}
	}
	first = merge_around(s, a);
	while (first->end < end)
		first = merge_around(s, vma_next(first));
	/* If the last merge took in the range's last area, the one past end is still unchecked. */
	merge_around(s, first);
	return 0;
}

unsigned long vma_gap_topdown(struct vma_set *s, unsigned long len, unsigned long bottom,
			      unsigned long top)
{
	unsigned long hi = top;

	if (len > top || top - len < bottom)
		return 0;
	for (struct avl_node *n = avl_last(&s->root); n; n = avl_prev(n)) {
		struct vm_area *a = area_of(n);
		if (a->start >= hi)
			continue;
		if (a->end <= hi && hi - (a->end > bottom ? a->end : bottom) >= len)
			return hi - len;
		hi = a->start;
		if (hi < bottom || hi - bottom < len)
			return 0;
	}
	return hi - bottom >= len ? hi - len : 0;
}

void vma_clear(struct vma_set *s, vma_range_fn fn, void *arg)
{
	struct avl_node *n;

	while ((n = avl_first(&s->root))) {
		struct vm_area *a = area_of(n);
		if (fn)
			fn(a, a->start, a->end, arg);
		unlink_area(s, a);
		vma_free(a);
	}
}

static int cmp_start(const struct avl_node *x, const struct avl_node *y)
{
	unsigned long a = area_of(x)->start, b = area_of(y)->start;

	return a < b ? -1 : a > b;
}

int vma_check(struct vma_set *s)
{
	struct vm_area *prev = NULL;
	unsigned long count = 0;
	u64 pages = 0;

	if (avl_check(&s->root, cmp_start) != (long)s->count)
		return -1;
	for (struct vm_area *a = vma_first(s); a; prev = a, a = vma_next(a)) {
		if (a->start >= a->end || (a->start | a->end) & (PAGE_SIZE - 1))
			return -2;
		if (prev && prev->end > a->start)
			return -3;
		if (prev && mergeable(prev, a))
			return -4;
		count++;
		pages += npages(a->start, a->end);
	}
	if (count != s->count || pages != s->pages)
		return -5;
	return 0;
}
