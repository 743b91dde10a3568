/* kernel/sched/core.c: the scheduler: per-CPU priority run queues, schedule(), wake-ups, the tick, idle.
 * The running task is never on a run queue; picking is a find-first-set on the queue bitmap. */
#include <granary/arch.h>
#include <granary/cpu.h>
#include <granary/kernel.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/string.h>
#include <granary/time.h>
#include <granary/vm.h>
#include <granary/vmalloc.h>

/* Defined in kernel/arch/x86_64/switch.S: saves prev's callee-saved registers and stack
 * pointer, loads next's, and returns on next's stack. */
void switch_to(struct task *prev, struct task *next);

static struct cpu boot_cpu;
static struct task idle_task;

void percpu_init(struct cpu *cpu, unsigned id)
{
	cpu->self = cpu;
	cpu->id = id;
	cpu->rq.lock = (spinlock_t)SPINLOCK_INIT;
	for (unsigned p = 0; p < SCHED_PRIOS; p++)
		list_init(&cpu->rq.queue[p]);
	wrmsr(MSR_GS_BASE, (u64)cpu);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void sched_init(void)
{
	extern char boot_stack[];

	percpu_init(&boot_cpu, 0);
	/* The boot context becomes the idle task; it is never queued and never freed. */
	idle_task.kstack = boot_stack;
	idle_task.state = TASK_RUNNING;
	idle_task.prio = SCHED_PRIOS - 1;
	idle_task.flags = TF_KTHREAD;
	idle_task.refcount = 1;
	wait_queue_init(&idle_task.exited);
	strlcpy(idle_task.comm, "idle", sizeof(idle_task.comm));
	boot_cpu.idle = &idle_task;
	boot_cpu.current = &idle_task;
}

static void enqueue(struct runqueue *rq, struct task *t)
{
	list_add_tail(&t->rq_link, &rq->queue[t->prio]);
	rq->bitmap |= 1ULL << t->prio;
	t->flags |= TF_QUEUED;
	rq->nr_running++;
}

static void dequeue(struct runqueue *rq, struct task *t)
{
	list_del(&t->rq_link);
	if (list_empty(&rq->queue[t->prio]))
		rq->bitmap &= ~(1ULL << t->prio);
	t->flags &= ~TF_QUEUED;
	rq->nr_running--;
}

/* The most urgent queued task, or NULL. */
static struct task *pick(struct runqueue *rq)
{
	if (!rq->bitmap)
		return NULL;
	return list_first_entry(&rq->queue[__builtin_ctzll(rq->bitmap)], struct task, rq_link);
}

/* What a user task brings along: its address space, TLS pointer and FPU/SSE registers.
 * Kernel threads borrow whatever address space is loaded (they only touch the kernel half). */
static void switch_user_state(struct task *prev, struct task *next)
{
	if (prev->fpu)
		fpu_save(prev->fpu);
	if (!next->proc)
		return;
	if (next->proc->mm != mm_current())
		mm_switch(next->proc->mm);
	wrmsr(MSR_FS_BASE, next->fs_base);
	fpu_restore(next->fpu);
}

/* The task switched away from, for the one that switched in to tidy up after. */
static struct task *last_prev;

/* Runs on the new task's stack right after a switch, with the run-queue lock held. */
static void finish_switch(void)
{
	struct task *prev = last_prev;

	last_prev = NULL;
	if (prev && prev->state == TASK_DEAD)
		task_put(prev); /* the reference the task held on itself while it could run */
}

void schedule(void)
{
	struct cpu *cpu = this_cpu();
	struct task *prev = cpu->current, *next;
	unsigned long flags = spin_lock_irqsave(&cpu->rq.lock);

	cpu->need_resched = false;
	if (prev->state == TASK_RUNNING && prev != cpu->idle)
		enqueue(&cpu->rq, prev);
	next = pick(&cpu->rq);
	if (next)
		dequeue(&cpu->rq, next);
	else
		next = cpu->idle;
	if (next->slice <= 0)
		next->slice = SCHED_SLICE_TICKS;
	if (next != prev) {
		switch_user_state(prev, next);
		cpu->current = next;
		cpu->kernel_rsp = (u64)next->kstack + KSTACK_SIZE;
		gdt_set_kernel_stack(cpu->kernel_rsp);
		cpu->rq.switches++;
		last_prev = prev;
		switch_to(prev, next);
		finish_switch();
	}
	spin_unlock_irqrestore(&cpu->rq.lock, flags);
}

/* Where a new task starts (switch.S returns here on its first switch-in). */
void sched_task_start(void)
{
	finish_switch();
	spin_unlock(&this_cpu()->rq.lock);
	irq_enable();
}

void sched_yield(void)
{
	this_cpu()->current->slice = 0; /* to the back of its queue */
	schedule();
}

bool sched_wake(struct task *t)
{
	struct cpu *cpu = this_cpu();
	unsigned long flags = spin_lock_irqsave(&cpu->rq.lock);
	bool woke = false;

	if (t->state != TASK_RUNNING && t->state != TASK_DEAD) {
		t->state = TASK_RUNNING;
		/* The current task may be between deciding to sleep and sleeping: it stays on
		 * the CPU, and schedule() will see it runnable. */
		if (t != cpu->current && !(t->flags & TF_QUEUED)) {
			enqueue(&cpu->rq, t);
			if (t->prio < cpu->current->prio || cpu->current == cpu->idle)
				cpu->need_resched = true;
		}
		woke = true;
	}
	spin_unlock_irqrestore(&cpu->rq.lock, flags);
	return woke;
}

void sched_tick(void)
{
	struct cpu *cpu = this_cpu();
	struct task *cur = cpu->current;

	if (cur != cpu->idle && --cur->slice <= 0)
		cpu->need_resched = true;
	timers_run(time_ticks());
}

void sched_preempt_point(void)
{
	if (READ_ONCE(this_cpu()->need_resched))
		schedule();
}

void sched_idle(void)
{
	for (;;) {
		irq_disable();
		if (READ_ONCE(this_cpu()->need_resched) || this_cpu()->rq.bitmap) {
			irq_enable();
			schedule();
			continue;
		}
		/* sti takes effect after the next instruction: no interrupt can slip in before hlt. */
		__asm__ __volatile__("sti; hlt" ::: "memory");
	}
}

unsigned sched_rq_switches(void)
{
	return (unsigned)this_cpu()->rq.switches;
}
