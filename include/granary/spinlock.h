/* include/granary/spinlock.h: ticket spinlocks, with interrupt-saving variants.
 * One CPU runs today; the locks are real so SMP can follow without rewriting callers. */
#ifndef GRANARY_SPINLOCK_H
#define GRANARY_SPINLOCK_H

#include <granary/cpu.h>
#include <granary/types.h>

typedef struct {
	volatile u16 next;
	volatile u16 owner;
} spinlock_t;

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock(spinlock_t *l)
{
	u16 me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		cpu_relax();
}
static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->owner, (u16)(l->owner + 1), __ATOMIC_RELEASE);
}
static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long f = irq_save();
	spin_lock(l);
	return f;
}
static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	spin_unlock(l);
	irq_restore(flags);
}
/* Makes the lock free again, whoever held it. Only for panic paths. */
static inline void spin_lock_reset(spinlock_t *l) { l->owner = l->next; }

#endif
