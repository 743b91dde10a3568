/* mm/vmalloc.c: virtually contiguous kernel memory: vmalloc, kernel stacks and the module area.
 * Pages come one by one from the page allocator; every region ends in an unmapped guard page. */
#include <granary/avl.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/page.h>
#include <granary/slab.h>
#include <granary/vmalloc.h>
#include <uapi/mman.h>

/* A run of kernel virtual addresses: [start, start + npages pages) mapped, then one guard page. */
struct region {
	struct avl_node avl;
	unsigned long start;
	unsigned long npages;
	unsigned kind; /* enum vm_kind */
};

struct arena {
	unsigned long base, size;
	struct avl_root regions; /* by start */
	spinlock_t lock;
};

static struct arena arenas[] = {
	[VM_VMALLOC] = { VMALLOC_BASE, VMALLOC_SIZE / 2, AVL_ROOT_INIT, SPINLOCK_INIT },
	/* One page from the start, so the first stack also has an unmapped page below it. */
	[VM_STACK] = { VMALLOC_BASE + VMALLOC_SIZE / 2 + PAGE_SIZE, VMALLOC_SIZE / 2 - PAGE_SIZE, AVL_ROOT_INIT,
		       SPINLOCK_INIT },
	[VM_MODULE] = { MODULE_BASE, MODULE_SIZE, AVL_ROOT_INIT, SPINLOCK_INIT },
};

#define region_of(n) avl_entry(n, struct region, avl)
#define span(r) (((r)->npages + 1) << PAGE_SHIFT) /* with the guard page */

/* The lowest gap of len bytes (first fit, O(regions)). Caller holds the arena lock. */
static unsigned long find_gap(struct arena *ar, unsigned long len)
{
	unsigned long cur = ar->base;

	for (struct avl_node *n = avl_first(&ar->regions); n; n = avl_next(n)) {
		struct region *r = region_of(n);
		if (r->start - cur >= len)
			return cur;
		cur = r->start + span(r);
	}
	return ar->base + ar->size - cur >= len ? cur : 0;
}

/* The region whose mapped pages or guard contain va. Caller holds the arena lock. */
static struct region *find_region(struct arena *ar, unsigned long va)
{
	struct avl_node *n = ar->regions.node;

	while (n) {
		struct region *r = region_of(n);
		if (va < r->start)
			n = n->left;
		else if (va >= r->start + span(r))
			n = n->right;
		else
			return r;
	}
	return NULL;
}

static void unmap_pages(unsigned long start, unsigned long npages)
{
	for (unsigned long i = 0; i < npages; i++) {
		unsigned long va = start + (i << PAGE_SHIFT);
		u64 *pte = pgt_walk(paging_kernel_pml4(), va, 1, false);
		if (pte && (*pte & PTE_P)) {
			page_free(phys_to_page(*pte & PTE_ADDR_MASK), 0);
			*pte = 0;
			tlb_flush_page(va);
		}
	}
}

static enum mem_counter counter_of(enum vm_kind kind)
{
	return kind == VM_STACK ? MC_KSTACKS : kind == VM_MODULE ? MC_MODULES : MC_VMALLOC;
}

void *vm_region_alloc(enum vm_kind kind, size_t size)
{
	struct arena *ar = &arenas[kind];
	unsigned long npages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT, irq, va;
	struct avl_node **link, *parent = NULL;
	struct region *r;

	if (!size || npages > (ar->size >> PAGE_SHIFT))
		return NULL;
	r = kmalloc(sizeof(*r), 0);
	if (!r)
		return NULL;
	r->npages = npages;
	r->kind = kind;
	irq = spin_lock_irqsave(&ar->lock);
	r->start = find_gap(ar, (npages + 1) << PAGE_SHIFT);
	if (!r->start) {
		spin_unlock_irqrestore(&ar->lock, irq);
		kfree(r);
		return NULL;
	}
	for (link = &ar->regions.node; *link;) {
		parent = *link;
		link = r->start < region_of(parent)->start ? &parent->left : &parent->right;
	}
	avl_link(&ar->regions, &r->avl, parent, link);
	spin_unlock_irqrestore(&ar->lock, irq);

	/* The range is ours now; fill it outside the lock. */
	for (unsigned long i = 0; i < npages; i++) {
		struct page *p = page_alloc(0, PA_ZERO);
		u64 *pte;
		va = r->start + (i << PAGE_SHIFT);
		pte = p ? pgt_walk(paging_kernel_pml4(), va, 1, true) : NULL;
		if (!pte) {
			if (p)
				page_free(p, 0);
			unmap_pages(r->start, i);
			irq = spin_lock_irqsave(&ar->lock);
			avl_erase(&ar->regions, &r->avl);
			spin_unlock_irqrestore(&ar->lock, irq);
			kfree(r);
			return NULL;
		}
		*pte = page_to_phys(p) | PTE_P | PTE_W | PTE_NX | PTE_G;
	}
	mem_count(counter_of(kind), npages);
	return (void *)r->start;
}

void vm_region_free(enum vm_kind kind, const void *addr)
{
	struct arena *ar = &arenas[kind];
	unsigned long irq;
	struct region *r;

	if (!addr)
		return;
	irq = spin_lock_irqsave(&ar->lock);
	r = find_region(ar, (unsigned long)addr);
	if (r && r->start == (unsigned long)addr)
		avl_erase(&ar->regions, &r->avl);
	spin_unlock_irqrestore(&ar->lock, irq);
	if (!r || r->start != (unsigned long)addr) {
		pr_err("vmalloc: free of %p, which no region starts at\n", addr);
		return;
	}
	unmap_pages(r->start, r->npages);
	mem_count(counter_of(kind), -(s64)r->npages);
	kfree(r);
}

int vm_region_protect(enum vm_kind kind, void *addr, size_t size, unsigned prot)
{
	unsigned long start = (unsigned long)addr, end = start + size;
	struct arena *ar = &arenas[kind];
	unsigned long irq;
	struct region *r;
	u64 flags = PTE_P | PTE_G;

	if ((start | size) & (PAGE_SIZE - 1) || (prot & PROT_WRITE && prot & PROT_EXEC))
		return -EINVAL; /* W^X: never both */
	irq = spin_lock_irqsave(&ar->lock);
	r = find_region(ar, start);
	spin_unlock_irqrestore(&ar->lock, irq);
	if (!r || end > r->start + (r->npages << PAGE_SHIFT) || end < start)
		return -EINVAL;
	if (prot & PROT_WRITE)
		flags |= PTE_W;
	if (!(prot & PROT_EXEC))
		flags |= PTE_NX;
	for (unsigned long va = start; va < end; va += PAGE_SIZE) {
		u64 *pte = pgt_walk(paging_kernel_pml4(), va, 1, false);
		*pte = (*pte & PTE_ADDR_MASK) | flags;
		tlb_flush_page(va);
	}
	return 0;
}

bool vm_stack_guard(unsigned long va)
{
	struct arena *ar = &arenas[VM_STACK];
	unsigned long irq = spin_lock_irqsave(&ar->lock);
	/* A stack grows down into the guard page of the region below it, or into the gap. */
	struct region *r = find_region(ar, va + PAGE_SIZE);
	bool hit = r && va < r->start;

	spin_unlock_irqrestore(&ar->lock, irq);
	return hit;
}

void *vmalloc(size_t size)
{
	return vm_region_alloc(VM_VMALLOC, size);
}

void vfree(const void *addr)
{
	vm_region_free(VM_VMALLOC, addr);
}

void *kstack_alloc(void)
{
	return vm_region_alloc(VM_STACK, KSTACK_SIZE);
}

void kstack_free(void *stack)
{
	vm_region_free(VM_STACK, stack);
}
