/* mm/remote.c: reading another address space's memory (for /proc/<pid>/cmdline and environ).
 * Read-only and resident pages only: it walks the page tables and never faults pages in. */
#include <granary/cpu.h>
#include <granary/page.h>
#include <granary/string.h>

#include "mm_internal.h"

size_t vm_read_remote(struct mm *mm, unsigned long addr, void *buf, size_t n)
{
	unsigned long irq;
	size_t done = 0;

	if (!mm || addr < USER_MIN || addr >= USER_TOP)
		return 0;
	if (n > USER_TOP - addr)
		n = USER_TOP - addr;
	/* The lock keeps the pages from being unmapped or replaced (copy-on-write) under us. */
	irq = spin_lock_irqsave(&mm->lock);
	while (done < n) {
		unsigned long va = addr + done;
		size_t off = va & (PAGE_SIZE - 1), chunk = min(n - done, (size_t)PAGE_SIZE - off);
		struct vm_area *a = vma_lookup(&mm->areas, va);
		u64 pte = pgt_get(mm->pml4, va);

		/* PROT_NONE pages are kept with P clear, so pgt_get() already refuses them. */
		if (!a || !(a->prot & PROT_READ) || !(pte & PTE_P) || !(pte & PTE_U) ||
		    (pte & PTE_PS))
			break;
		memcpy((char *)buf + done, (const char *)phys_to_virt(pte & PTE_ADDR_MASK) + off, chunk);
		done += chunk;
	}
	spin_unlock_irqrestore(&mm->lock, irq);
	return done;
}
