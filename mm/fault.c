/* mm/fault.c: page faults: demand-zero and shm pages, copy-on-write, and kernel faults on user memory.
 * A fault no area allows is -EFAULT for the caller: a signal for user code, a fixup for copy_*_user. */
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/page.h>
#include <granary/shm.h>
#include <granary/string.h>
#include <granary/trap.h>

#include "mm_internal.h"

static bool access_allowed(const struct vm_area *a, u32 err)
{
	if (err & PF_WRITE)
		return a->prot & PROT_WRITE;
	if (err & PF_INSTR)
		return a->prot & PROT_EXEC;
	return a->prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
}

/* First touch: a fresh zeroed page for a private area, the object's page for a shared one. */
static int populate(struct mm *mm, struct vm_area *a, unsigned long va, u64 *pte)
{
	struct page *p;

	if (mem_charge(mm->group, 1))
		return -ENOMEM;
	if (a->shm) {
		p = shm_object_page(a->shm, a->pgoff + ((va - a->start) >> PAGE_SHIFT));
	} else {
		p = page_alloc(0, PA_ZERO);
		if (p) {
			p->flags |= PG_USER;
			mem_count(MC_USER, 1);
		}
	}
	if (!p) {
		mem_uncharge(mm->group, 1);
		return a->shm ? -EFAULT : -ENOMEM;
	}
	*pte = page_to_phys(p) | user_pte_flags(a, true);
	mm->rss++;
	return 0;
}

/* A write to a private page that is mapped read-only because it is (or was) shared. */
static int copy_on_write(struct mm *mm, struct vm_area *a, unsigned long va, u64 *pte)
{
	struct page *old = phys_to_page(*pte & PTE_ADDR_MASK), *new;

	if (__atomic_load_n(&old->refcount, __ATOMIC_ACQUIRE) == 1) {
		*pte |= PTE_W; /* the last owner writes in place */
		return 0;
	}
	new = page_alloc(0, 0);
	if (!new)
		return -ENOMEM;
	new->flags |= PG_USER;
	mem_count(MC_USER, 1);
	memcpy(page_address(new), page_address(old), PAGE_SIZE);
	*pte = page_to_phys(new) | user_pte_flags(a, true);
	put_page(old);
	return 0;
}

int vm_fault(struct mm *mm, unsigned long addr, u32 err)
{
	unsigned long va = addr & ~(PAGE_SIZE - 1), irq;
	struct vm_area *a;
	int ret = -EFAULT;
	u64 *pte;

	irq = spin_lock_irqsave(&mm->lock);
	a = vma_lookup(&mm->areas, addr);
	if (!a || !access_allowed(a, err))
		goto out;
	ret = -ENOMEM;
	pte = pgt_walk(mm->pml4, va, 1, true);
	if (!pte)
		goto out;
	if (!(*pte & PTE_P))
		ret = populate(mm, a, va, pte);
	else if ((err & PF_WRITE) && !(*pte & PTE_W) && !(a->flags & VMA_SHARED))
		ret = copy_on_write(mm, a, va, pte);
	else
		ret = 0; /* another path already fixed it; a stale TLB entry caused the fault */
	mm_flush(mm, va);
out:
	spin_unlock_irqrestore(&mm->lock, irq);
	return ret;
}

/* ---- the exception-table fixups of the user-copy routines ---- */

struct extable_entry {
	u64 insn, fixup;
};
extern const struct extable_entry __extable_start[], __extable_end[];

static u64 extable_fixup(u64 rip)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
		if (e->insn == rip)
			return e->fixup;
	return 0;
}

bool vm_fault_trap(struct trap_frame *tf)
{
	unsigned long addr = read_cr2();
	struct mm *mm = mm_current();
	u64 fixup;

	/* User memory, touched by user code or by the kernel on its behalf. */
	if (addr < USER_TOP && mm && !(tf->error & PF_RSVD) && vm_fault(mm, addr, tf->error) == 0)
		return true;
	if (tf->cs & 3)
		return false; /* user code: the processes issue turns this into SIGSEGV */
	/* A kernel access through a user-copy routine: resume at its fixup, which returns -EFAULT. */
	fixup = extable_fixup(tf->rip);
	if (fixup) {
		tf->rip = fixup;
		return true;
	}
	return false;
}
