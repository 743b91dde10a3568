/* include/granary/wait.h: wait queues (sleep until a condition holds) and tick timers.
 * A waker changes the condition, then calls wake_up(); sleepers re-check it before sleeping. */
#ifndef GRANARY_WAIT_H
#define GRANARY_WAIT_H

#include <granary/list.h>
#include <granary/spinlock.h>
#include <granary/types.h>

struct task;

struct wait_queue {
	spinlock_t lock;
	struct list_head waiters; /* struct waiter.link */
};

struct waiter {
	struct list_head link;
	struct task *task;
};

#define WAIT_QUEUE_INIT(name) { SPINLOCK_INIT, LIST_HEAD_INIT((name).waiters) }

void wait_queue_init(struct wait_queue *wq);
/* Wakes every task waiting on wq. Safe from interrupt handlers. */
void wake_up(struct wait_queue *wq);
/* Wakes at most one waiter; returns how many were woken (0 or 1). */
int wake_up_one(struct wait_queue *wq);

/* The sleeping side, for wait_event(): enqueue (w starts with task NULL), mark the task
 * as sleeping in state... */
void wait_prepare(struct wait_queue *wq, struct waiter *w, int state);
/* ...and, after the condition held (or the wait gave up), leave the queue and run again. */
void wait_finish(struct wait_queue *wq, struct waiter *w);

/* Sleeps uninterruptibly until cond is true. cond is evaluated with the task already
 * queued, so a wake_up() between the test and the sleep is never lost. */
#define wait_event(wq, cond)                                               \
	do {                                                               \
		struct waiter __w = { .task = NULL };                                         \
		for (;;) {                                                 \
			wait_prepare(&(wq), &__w, TASK_UNINTERRUPTIBLE);   \
			if (cond)                                          \
				break;                                     \
			schedule();                                        \
		}                                                          \
		wait_finish(&(wq), &__w);                                  \
	} while (0)

/* Sleeps until cond is true (0) or a signal arrives (-ERESTARTSYS: the call is restarted
 * or fails with EINTR, as the handler's SA_RESTART says). */
#define wait_event_interruptible(wq, cond)                                 \
	({                                                                 \
		struct waiter __w = { .task = NULL };                      \
		int __ret = 0;                                             \
		for (;;) {                                                 \
			wait_prepare(&(wq), &__w, TASK_INTERRUPTIBLE);     \
			if (cond)                                          \
				break;                                     \
			if (signal_pending()) {                            \
				__ret = -ERESTARTSYS;                      \
				break;                                     \
			}                                                  \
			schedule();                                        \
		}                                                          \
		wait_finish(&(wq), &__w);                                  \
		__ret;                                                     \
	})

/* Sleeps until cond is true or timeout ticks pass: 0 if cond held, -ETIMEDOUT otherwise. */
#define wait_event_timeout(wq, cond, timeout)                                    \
	({                                                                       \
		struct waiter __w = { .task = NULL };                                               \
		u64 __deadline = time_ticks() + (timeout);                       \
		int __ret = 0;                                                   \
		for (;;) {                                                       \
			wait_prepare(&(wq), &__w, TASK_UNINTERRUPTIBLE);         \
			if (cond)                                                \
				break;                                           \
			if (time_ticks() >= __deadline) {                        \
				__ret = -ETIMEDOUT;                              \
				break;                                           \
			}                                                        \
			schedule_until(__deadline);                              \
		}                                                                \
		wait_finish(&(wq), &__w);                                        \
		__ret;                                                           \
	})

/* Sleeps (in the state already set) until woken or the tick deadline passes. */
void schedule_until(u64 deadline_tick);

/* A one-shot callback at a tick, run from the timer interrupt. */
struct timer {
	struct list_head link;
	u64 expires; /* tick */
	void (*fn)(struct timer *t);
	bool armed;
};
void timer_add(struct timer *t, u64 expires, void (*fn)(struct timer *t));
/* Disarms t; returns true if it had not fired yet. */
bool timer_cancel(struct timer *t);
/* Runs the timers that are due (from sched_tick()). */
void timers_run(u64 now);

#endif
