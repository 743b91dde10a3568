/* mm/mm.c: address-space objects: create, copy-on-write clone for fork, switch, release.
 * The mapping calls live in mmap.c and the fault handler in fault.c; they share mm_internal.h. */
#include <granary/cpu.h>
#include <granary/errno.h>
#include <granary/page.h>
#include <granary/slab.h>
#include <granary/string.h>

#include "mm_internal.h"

/* mmap without a hint allocates downward from here, leaving room above for the stack. */
#define MMAP_TOP 0x00007f0000000000UL

static struct mm *current_mm;

struct mm *mm_create(struct mem_group *group)
{
	struct mm *mm = kzalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	mm->pml4 = pgt_root_alloc();
	if (!mm->pml4) {
		kfree(mm);
		return NULL;
	}
	vma_set_init(&mm->areas);
	mm->mmap_top = MMAP_TOP;
	mm->group = group ? group : &mem_group_host;
	mm->lock = (spinlock_t)SPINLOCK_INIT;
	mm->refcount = 1;
	return mm;
}

void mm_get(struct mm *mm)
{
	__atomic_add_fetch(&mm->refcount, 1, __ATOMIC_RELAXED);
}

void mm_put(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	if (current_mm == mm)
		mm_switch(NULL);
	vma_clear(&mm->areas, mm_zap_range, mm);
	pgt_root_free(mm->pml4);
	kfree(mm);
}

void mm_switch(struct mm *mm)
{
	u64 *root = mm ? mm->pml4 : paging_kernel_pml4();

	current_mm = mm;
	write_cr3(virt_to_phys(root));
}

struct mm *mm_current(void)
{
	return current_mm;
}

void mm_flush(struct mm *mm, unsigned long va)
{
	if (mm == current_mm)
		tlb_flush_page(va);
}

/* ---- fork ---- */

struct clone_state {
	struct mm *dst;
	const struct vm_area *area;
	int err;
};

static void clone_pte(u64 *pte, unsigned long va, void *arg)
{
	struct clone_state *cs = arg;
	u64 *child;

	if (cs->err)
		return;
	child = pgt_walk(cs->dst->pml4, va, 1, true);
	if (!child) {
		cs->err = -ENOMEM;
		return;
	}
	get_page(phys_to_page(*pte & PTE_ADDR_MASK));
	/* Private pages become read-only on both sides; the first write copies (fault.c). */
	if (!(cs->area->flags & VMA_SHARED))
		*pte &= ~PTE_W;
	*child = *pte;
	cs->dst->rss++;
}

struct mm *mm_clone(struct mm *src)
{
	struct clone_state cs = { .err = 0 };
	struct mm *dst = mm_create(src->group);
	unsigned long flags;

	if (!dst)
		return NULL;
	cs.dst = dst;
	flags = spin_lock_irqsave(&src->lock);
	/* The child's resident pages are charged as the parent's are: one per mapping. */
	if (mem_charge(dst->group, src->rss)) {
		spin_unlock_irqrestore(&src->lock, flags);
		mm_put(dst);
		return NULL;
	}
	dst->brk_start = src->brk_start;
	dst->brk = src->brk;
	dst->mmap_top = src->mmap_top;
	dst->arg_start = src->arg_start;
	dst->arg_end = src->arg_end;
	dst->env_start = src->env_start;
	dst->env_end = src->env_end;
	dst->start_stack = src->start_stack;
	for (struct vm_area *a = vma_first(&src->areas); a && !cs.err; a = vma_next(a)) {
		struct vm_area *copy = vma_alloc(a->start, a->end, a->prot, a->flags, a->shm, a->pgoff);
		if (!copy) {
			cs.err = -ENOMEM;
			break;
		}
		vma_insert(&dst->areas, copy);
		cs.area = a;
		pgt_for_each(src->pml4, a->start, a->end, clone_pte, &cs);
	}
	/* The charge above covered src->rss; settle it to what was actually copied. */
	mem_uncharge(dst->group, src->rss - dst->rss);
	spin_unlock_irqrestore(&src->lock, flags);
	if (src == current_mm)
		tlb_flush_user(); /* the parent's writable entries were just write-protected */
	if (cs.err) {
		mm_put(dst);
		return NULL;
	}
	return dst;
}
