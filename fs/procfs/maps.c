/* fs/procfs/maps.c: /proc/<pid>/maps and the per-kind sums of an address space that status uses.
 * Areas are anonymous or shm until the VFS maps files, so no path is printed but [heap] and [stack]. */
#include <granary/paging.h>
#include <granary/proc.h>
#include <granary/spinlock.h>
#include <granary/vm.h>
#include <uapi/mman.h>

#include "procfs.h"

/* Linux pads the fixed fields to this column before a name: 25 + 6 * sizeof(void *) - 1. */
#define MAPS_NAME_COL 72

static bool is_stack(const struct mm *mm, const struct vm_area *a)
{
	if (mm->start_stack)
		return a->start <= mm->start_stack && mm->start_stack < a->end;
	return a->flags & VMA_STACK;
}

/* Linux's test is looser; an empty heap would name the area below it. */
static bool is_heap(const struct mm *mm, const struct vm_area *a)
{
	return mm->brk > mm->brk_start && a->start < mm->brk && a->end > mm->brk_start;
}

void procfs_vm_summary(struct mm *mm, struct procfs_vm *v)
{
	unsigned long irq;

	*v = (struct procfs_vm){ 0 };
	if (!mm)
		return;
	irq = spin_lock_irqsave(&mm->lock);
	v->size = mm->areas.pages;
	v->rss = mm->rss;
	for (struct vm_area *a = vma_first(&mm->areas); a; a = vma_next(a)) {
		u64 pages = (a->end - a->start) / PAGE_SIZE;

		if (is_stack(mm, a))
			v->stack += pages;
		else if ((a->prot & PROT_WRITE) && !(a->flags & VMA_SHARED))
			v->data += pages;
		else if ((a->prot & PROT_EXEC) && !(a->prot & PROT_WRITE))
			v->exec += pages;
		if ((a->prot & PROT_EXEC) && !v->end_code) {
			v->start_code = a->start;
			v->end_code = a->end;
		}
	}
	spin_unlock_irqrestore(&mm->lock, irq);
}

int procfs_show_pid_maps(struct seqbuf *s, struct process *p)
{
	struct mm *mm = p->mm;
	unsigned long irq;

	if (!mm)
		return 0;
	irq = spin_lock_irqsave(&mm->lock);
	for (struct vm_area *a = vma_first(&mm->areas); a && !s->overflow; a = vma_next(a)) {
		size_t line = s->len;
		const char *name = is_stack(mm, a) ? "[stack]" : is_heap(mm, a) ? "[heap]" : NULL;
		/* Only a mapping of an object has an offset; private anonymous memory shows 0. */
		u64 off = a->shm ? a->pgoff * PAGE_SIZE : 0;

		seq_printf(s, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ", a->start, a->end,
			   a->prot & PROT_READ ? 'r' : '-', a->prot & PROT_WRITE ? 'w' : '-',
			   a->prot & PROT_EXEC ? 'x' : '-', a->flags & VMA_SHARED ? 's' : 'p',
			   (unsigned long long)off, 0, 0, 0UL);
		if (name) {
			seq_pad(s, line + MAPS_NAME_COL, ' ');
			seq_puts(s, name);
		}
		seq_putc(s, '\n');
	}
	spin_unlock_irqrestore(&mm->lock, irq);
	return 0;
}
