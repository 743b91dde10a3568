/* kernel/ktests/sched_ktest.c: kernel tests of kernel threads, priorities, wait queues, sleeping.
 * The ktest runner is itself a kernel thread at priority 0, so it can block and be woken. */
#include <granary/errno.h>
#include <granary/ktest.h>
#include <granary/page.h>
#include <granary/sched.h>
#include <granary/slab.h>
#include <granary/time.h>

static int return_arg(void *arg)
{
	return (int)(long)arg;
}

KTEST(sched_kthread_runs_and_joins)
{
	struct task *t = kthread_create("ret42", 10, return_arg, (void *)42L);

	KT_ASSERT(t);
	KT_EXPECT(t->tid > 0);
	KT_EXPECT_EQ(task_join(t), 42);
	KT_EXPECT_EQ(t->state, TASK_DEAD);
	task_put(t);
}

/* Each thread appends its id to a shared log; the order shows who ran first. */
static char order[8];
static int norder;

static int log_id(void *arg)
{
	order[norder++] = (char)(long)arg;
	return 0;
}

KTEST(sched_higher_priority_runs_first)
{
	struct task *t[3];

	norder = 0;
	/* Created least urgent first; all wait until this test (priority 0) blocks. */
	t[0] = kthread_create("low", 30, log_id, (void *)'c');
	t[1] = kthread_create("mid", 20, log_id, (void *)'b');
	t[2] = kthread_create("high", 10, log_id, (void *)'a');
	KT_ASSERT(t[0] && t[1] && t[2]);
	for (int i = 0; i < 3; i++) {
		task_join(t[i]);
		task_put(t[i]);
	}
	KT_EXPECT_EQ(norder, 3);
	KT_EXPECT(order[0] == 'a' && order[1] == 'b' && order[2] == 'c');
}

/* Two threads hand a token back and forth through wait queues. */
static struct wait_queue ping_wq = WAIT_QUEUE_INIT(ping_wq);
static volatile int token, rounds_done;

static int pinger(void *arg)
{
	int me = (int)(long)arg;

	for (int i = 0; i < 100; i++) {
		wait_event(ping_wq, token == me);
		token = !me;
		rounds_done++;
		wake_up(&ping_wq);
	}
	return 0;
}

KTEST(sched_wait_queue_ping_pong)
{
	unsigned switches = sched_rq_switches();
	struct task *a, *b;

	token = 0;
	rounds_done = 0;
	a = kthread_create("ping", 15, pinger, (void *)0L);
	b = kthread_create("pong", 15, pinger, (void *)1L);
	KT_ASSERT(a && b);
	KT_EXPECT_EQ(task_join(a), 0);
	KT_EXPECT_EQ(task_join(b), 0);
	KT_EXPECT_EQ(rounds_done, 200);
	KT_EXPECT(sched_rq_switches() - switches >= 200);
	task_put(a);
	task_put(b);
}

KTEST(sched_sleep_lasts_at_least_the_ticks)
{
	u64 t0 = time_ticks();

	sched_sleep_ticks(3);
	KT_EXPECT(time_ticks() >= t0 + 3);
	KT_EXPECT(time_ticks() <= t0 + 5);
}

static struct wait_queue never_wq = WAIT_QUEUE_INIT(never_wq);

KTEST(sched_wait_event_timeout_expires)
{
	u64 t0 = time_ticks();
	int r = wait_event_timeout(never_wq, false, 2);

	KT_EXPECT_EQ(r, -ETIMEDOUT);
	KT_EXPECT(time_ticks() >= t0 + 2);
}

static volatile unsigned long spins[2];
static u64 spin_end; /* one end for both, so neither spins alone after the other stops */

static int spinner(void *arg)
{
	volatile unsigned long *mine = &spins[(long)arg];
	u64 end = spin_end;

	/* Kernel code is not preempted: it yields at its own points. */
	while (time_ticks() < end) {
		(*mine)++;
		sched_yield();
	}
	return 0;
}

KTEST(sched_yield_round_robin_shares_the_cpu)
{
	struct task *a, *b;

	spins[0] = spins[1] = 0;
	spin_end = time_ticks() + 20;
	a = kthread_create("spin0", 25, spinner, (void *)0L);
	b = kthread_create("spin1", 25, spinner, (void *)1L);
	KT_ASSERT(a && b);
	task_join(a);
	task_join(b);
	ktest_note("spins: %lu and %lu", spins[0], spins[1]);
	/* Alternating yields: the counts differ by at most a handful. */
	KT_EXPECT(spins[0] > 10 && spins[1] > 10);
	KT_EXPECT(spins[0] > spins[1] ? spins[0] - spins[1] < 4 : spins[1] - spins[0] < 4);
	task_put(a);
	task_put(b);
}

KTEST(sched_threads_free_their_memory)
{
	struct mem_stats s0, s1;
	unsigned tasks = sched_task_count();
	struct task *warm = kthread_create("warm", 10, return_arg, NULL);

	/* Warm the caches, then 200 create/join cycles must leave free memory as it was. */
	KT_ASSERT(warm);
	task_join(warm);
	task_put(warm);
	slab_shrink();
	mem_get_stats(&s0);
	for (int i = 0; i < 200; i++) {
		struct task *t = kthread_create("cycle", 10, return_arg, (void *)(long)i);
		KT_ASSERT(t);
		KT_EXPECT_EQ(task_join(t), i);
		task_put(t);
	}
	slab_shrink();
	mem_get_stats(&s1);
	KT_EXPECT_EQ(s1.free, s0.free);
	KT_EXPECT_EQ(sched_task_count(), tasks);
}
