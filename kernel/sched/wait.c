/* kernel/sched/wait.c: wait queues and tick timers, the two ways a task sleeps.
 * Timers run from the tick interrupt; wait queues are woken from anywhere, interrupts included. */
#include <granary/errno.h>
#include <granary/sched.h>
#include <granary/time.h>

void wait_queue_init(struct wait_queue *wq)
{
	wq->lock = (spinlock_t)SPINLOCK_INIT;
	list_init(&wq->waiters);
}

static int wake(struct wait_queue *wq, int max)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	struct list_head *pos;
	int n = 0;

	list_for_each(pos, &wq->waiters) {
		if (n == max)
			break;
		n += sched_wake(list_entry(pos, struct waiter, link)->task);
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	return n;
}

void wake_up(struct wait_queue *wq)
{
	wake(wq, -1);
}

int wake_up_one(struct wait_queue *wq)
{
	return wake(wq, 1);
}

void wait_prepare(struct wait_queue *wq, struct waiter *w, int state)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	struct task *t = current_task();

	if (!w->task) {
		w->task = t;
		list_add_tail(&w->link, &wq->waiters);
	}
	t->state = state;
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wait_finish(struct wait_queue *wq, struct waiter *w)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	current_task()->state = TASK_RUNNING;
	if (w->task)
		list_del(&w->link);
	w->task = NULL;
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* ---- timers: a list sorted by expiry, run from the tick ---- */

static struct list_head timers = LIST_HEAD_INIT(timers);
static spinlock_t timer_lock = SPINLOCK_INIT;

void timer_add(struct timer *t, u64 expires, void (*fn)(struct timer *t))
{
	unsigned long flags = spin_lock_irqsave(&timer_lock);
	struct list_head *pos;

	t->expires = expires;
	t->fn = fn;
	t->armed = true;
	list_for_each(pos, &timers)
		if (list_entry(pos, struct timer, link)->expires > expires)
			break;
	list_add_tail(&t->link, pos); /* before the first later timer */
	spin_unlock_irqrestore(&timer_lock, flags);
}

bool timer_cancel(struct timer *t)
{
	unsigned long flags = spin_lock_irqsave(&timer_lock);
	bool was = t->armed;

	if (was) {
		list_del(&t->link);
		t->armed = false;
	}
	spin_unlock_irqrestore(&timer_lock, flags);
	return was;
}

void timers_run(u64 now)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&timer_lock);
		struct timer *t = NULL;

		if (!list_empty(&timers)) {
			t = list_first_entry(&timers, struct timer, link);
			if (t->expires <= now) {
				list_del(&t->link);
				t->armed = false;
			} else {
				t = NULL;
			}
		}
		spin_unlock_irqrestore(&timer_lock, flags);
		if (!t)
			return;
		t->fn(t);
	}
}

static void wake_sleeper(struct timer *tm)
{
	sched_wake(container_of(tm, struct task, sleep_timer));
}

void schedule_until(u64 deadline)
{
	struct task *t = current_task();

	timer_add(&t->sleep_timer, deadline, wake_sleeper);
	schedule();
	timer_cancel(&t->sleep_timer);
}

void sched_sleep_ticks(u64 ticks)
{
	u64 deadline = time_ticks() + ticks;

	while (time_ticks() < deadline) {
		current_task()->state = TASK_UNINTERRUPTIBLE;
		schedule_until(deadline);
	}
	current_task()->state = TASK_RUNNING;
}
