/* mm/mmap.c: mmap, munmap, mprotect and brk on an address space, with Linux semantics.
 * Pages are not allocated here: areas are populated lazily by the fault handler (fault.c). */
#include <granary/errno.h>
#include <granary/page.h>
#include <granary/shm.h>

#include "mm_internal.h"

#define PAGE_MASK_LOW (PAGE_SIZE - 1)

static void zap_pte(u64 *pte, unsigned long va, void *arg)
{
	struct mm *mm = arg;
	struct page *p = phys_to_page(*pte & PTE_ADDR_MASK);

	*pte = 0;
	mm_flush(mm, va);
	put_page(p);
	mm->rss--;
	mem_uncharge(mm->group, 1);
}

void mm_zap_range(struct vm_area *a, unsigned long start, unsigned long end, void *arg)
{
	struct mm *mm = arg;

	pgt_for_each(mm->pml4, start, end, zap_pte, mm);
}

/* Brings the entries of a's pages in line with its (new) protection. */
static void reprotect_pte(u64 *pte, unsigned long va, void *arg)
{
	const struct vm_area *a = arg;
	struct page *p = phys_to_page(*pte & PTE_ADDR_MASK);

	if (!(a->prot & (PROT_READ | PROT_WRITE | PROT_EXEC))) {
		/* Kept, but unreachable: P clear, the software bit remembers the page. */
		*pte = (*pte & PTE_ADDR_MASK) | PTE_PROTNONE;
		return;
	}
	/* A private page still shared with another address space stays read-only: the next
	 * write fault copies it. */
	*pte = (*pte & PTE_ADDR_MASK) |
	       user_pte_flags(a, (a->flags & VMA_SHARED) || p->refcount == 1);
}

struct protect_state {
	struct mm *mm;
};

static void reprotect_range(struct vm_area *a, unsigned long start, unsigned long end, void *arg)
{
	struct mm *mm = arg;

	pgt_for_each(mm->pml4, start, end, reprotect_pte, a);
	for (unsigned long va = start; va < end; va += PAGE_SIZE)
		mm_flush(mm, va);
}

static bool range_ok(unsigned long addr, unsigned long len)
{
	return addr >= USER_MIN && addr < USER_TOP && len <= USER_TOP - addr;
}

long vm_mmap(struct mm *mm, unsigned long addr, unsigned long len, unsigned prot, unsigned flags,
	     struct shm_object *shm, u64 pgoff)
{
	unsigned type = flags & MAP_TYPE, vflags = 0;
	struct shm_object *anon = NULL;
	unsigned long irq;
	struct vm_area *a;
	long ret;

	if (!len || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (len > USER_TOP)
		return -ENOMEM;
	len = (len + PAGE_MASK_LOW) & ~PAGE_MASK_LOW;
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (addr & PAGE_MASK_LOW))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS) && !shm)
		return -EBADF; /* file mappings arrive with the VFS */
	if (type != MAP_PRIVATE)
		vflags |= VMA_SHARED;
	if (flags & MAP_NORESERVE)
		vflags |= VMA_NORESERVE;
	if (flags & (MAP_GROWSDOWN | MAP_STACK))
		vflags |= VMA_STACK;
	if (shm && pgoff + (len >> PAGE_SHIFT) > shm_object_pages(shm))
		return -EINVAL;
	if ((vflags & VMA_SHARED) && !shm) {
		anon = shm = shm_object_create(len >> PAGE_SHIFT);
		if (!shm)
			return -ENOMEM;
		pgoff = 0;
	}
	a = vma_alloc(0, 0, prot, vflags, shm, pgoff);
	if (anon)
		shm_object_put(anon); /* the area holds it now */
	if (!a)
		return -ENOMEM;

	irq = spin_lock_irqsave(&mm->lock);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		ret = -ENOMEM;
		if (!range_ok(addr, len))
			goto fail;
		ret = -EEXIST;
		if ((flags & MAP_FIXED_NOREPLACE) && vma_overlaps(&mm->areas, addr, addr + len))
			goto fail;
		ret = vma_carve(&mm->areas, addr, addr + len, mm_zap_range, mm);
		if (ret)
			goto fail;
	} else {
		/* A hint is taken if the range is free; otherwise the highest gap below mmap_top. */
		addr &= ~PAGE_MASK_LOW;
		if (!addr || !range_ok(addr, len) || vma_overlaps(&mm->areas, addr, addr + len))
			addr = vma_gap_topdown(&mm->areas, len, USER_MIN, mm->mmap_top);
		ret = -ENOMEM;
		if (!addr)
			goto fail;
	}
	a->start = addr;
	a->end = addr + len;
	vma_insert(&mm->areas, a);
	spin_unlock_irqrestore(&mm->lock, irq);
	return (long)addr;

fail:
	spin_unlock_irqrestore(&mm->lock, irq);
	vma_free(a);
	return ret;
}

int vm_munmap(struct mm *mm, unsigned long addr, unsigned long len)
{
	unsigned long irq;
	int ret;

	if ((addr & PAGE_MASK_LOW) || !len || len > USER_TOP || addr >= USER_TOP)
		return -EINVAL;
	len = (len + PAGE_MASK_LOW) & ~PAGE_MASK_LOW;
	if (len > USER_TOP - addr)
		return -EINVAL;
	irq = spin_lock_irqsave(&mm->lock);
	ret = vma_carve(&mm->areas, addr, addr + len, mm_zap_range, mm);
	spin_unlock_irqrestore(&mm->lock, irq);
	return ret;
}

int vm_discard(struct mm *mm, unsigned long addr, unsigned long len)
{
	unsigned long irq, end;

	if ((addr & PAGE_MASK_LOW) || len > USER_TOP)
		return -EINVAL;
	end = addr + ((len + PAGE_MASK_LOW) & ~PAGE_MASK_LOW);
	if (end > USER_TOP || end < addr)
		return -EINVAL;
	irq = spin_lock_irqsave(&mm->lock);
	for (struct vm_area *a = vma_find(&mm->areas, addr); a && a->start < end; a = vma_next(a))
		if (!(a->flags & VMA_SHARED))
			mm_zap_range(a, a->start > addr ? a->start : addr, a->end < end ? a->end : end, mm);
	spin_unlock_irqrestore(&mm->lock, irq);
	return 0;
}

int vm_mprotect(struct mm *mm, unsigned long addr, unsigned long len, unsigned prot)
{
	unsigned long irq;
	int ret;

	if ((addr & PAGE_MASK_LOW) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (!len)
		return 0;
	len = (len + PAGE_MASK_LOW) & ~PAGE_MASK_LOW;
	if (!range_ok(addr, len))
		return -ENOMEM;
	irq = spin_lock_irqsave(&mm->lock);
	ret = vma_protect(&mm->areas, addr, addr + len, prot, reprotect_range, mm);
	spin_unlock_irqrestore(&mm->lock, irq);
	return ret;
}

void vm_set_brk_start(struct mm *mm, unsigned long start)
{
	mm->brk_start = mm->brk = (start + PAGE_MASK_LOW) & ~PAGE_MASK_LOW;
}

unsigned long vm_brk(struct mm *mm, unsigned long newbrk)
{
	unsigned long old_end = (mm->brk + PAGE_MASK_LOW) & ~PAGE_MASK_LOW;
	unsigned long new_end = (newbrk + PAGE_MASK_LOW) & ~PAGE_MASK_LOW;

	if (!mm->brk_start || newbrk < mm->brk_start || newbrk >= mm->mmap_top)
		return mm->brk;
	if (new_end > old_end) {
		long r = vm_mmap(mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, NULL, 0);
		if (r < 0)
			return mm->brk;
	} else if (new_end < old_end) {
		vm_munmap(mm, new_end, old_end - new_end);
	}
	mm->brk = newbrk;
	return newbrk;
}
