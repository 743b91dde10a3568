/* kernel/sched/task.c: creating, ending and freeing tasks; kernel threads.
 * A task holds a reference on itself while it can run; the switch away from a dead task drops it. */
#include <granary/cpu.h>
#include <granary/errno.h>
#include <granary/arch.h>
#include <granary/kernel.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/vmalloc.h>

extern char kthread_trampoline[];

static unsigned ntasks;

/* Thread ids and process ids are one number space, as in Linux: a process's pid is the tid
 * of its first thread. 1 is kept for init; ids are not reused at once. */
static u64 id_bitmap[PID_MAX / 64] = { 1ULL << 1 };
static int last_id = 1;
static spinlock_t id_lock = SPINLOCK_INIT;

int task_id_alloc(void)
{
	unsigned long irq = spin_lock_irqsave(&id_lock);
	int id = -EAGAIN;

	for (int i = 1; i < PID_MAX; i++) {
		int n = (last_id + i) % PID_MAX;
		if (n && !(id_bitmap[n / 64] & (1ULL << (n % 64)))) {
			id_bitmap[n / 64] |= 1ULL << (n % 64);
			last_id = id = n;
			break;
		}
	}
	spin_unlock_irqrestore(&id_lock, irq);
	return id;
}

int task_id_last(void)
{
	return READ_ONCE(last_id);
}

void task_id_free(int id)
{
	unsigned long irq = spin_lock_irqsave(&id_lock);

	if (id > 0 && id < PID_MAX)
		id_bitmap[id / 64] &= ~(1ULL << (id % 64));
	spin_unlock_irqrestore(&id_lock, irq);
}

static struct task *task_alloc(const char *name, int prio)
{
	struct task *t = kzalloc(sizeof(*t));
	int id = task_id_alloc();

	if (!t || id < 0) {
		kfree(t);
		if (id > 0)
			task_id_free(id);
		return NULL;
	}
	t->kstack = kstack_alloc();
	if (!t->kstack) {
		task_id_free(id);
		kfree(t);
		return NULL;
	}
	t->refcount = 1;
	t->tid = (u32)id;
	t->prio = prio < 0 ? 0 : prio >= SCHED_PRIOS ? SCHED_PRIOS - 1 : prio;
	t->state = TASK_UNINTERRUPTIBLE; /* not runnable until woken */
	wait_queue_init(&t->exited);
	strlcpy(t->comm, name, sizeof(t->comm));
	__atomic_add_fetch(&ntasks, 1, __ATOMIC_RELAXED);
	return t;
}

void task_get(struct task *t)
{
	__atomic_add_fetch(&t->refcount, 1, __ATOMIC_RELAXED);
}

void task_put(struct task *t)
{
	if (__atomic_sub_fetch(&t->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	if (!(t->flags & TF_ID_KEPT))
		task_id_free((int)t->tid);
	kstack_free(t->kstack);
	kfree(t->fpu);
	kfree(t);
}

struct task *kthread_create(const char *name, int prio, int (*fn)(void *), void *arg)
{
	struct task *t = task_alloc(name, prio);
	u64 *sp;

	if (!t)
		return NULL;
	t->flags = TF_KTHREAD;
	/* The frame switch_to() pops: r15 r14 r13 r12 rbx rbp, then the return address.
	 * It sits below the space the task's user registers would take, so a kernel thread
	 * can become a user task (init) by filling that frame and entering user mode. */
	sp = (u64 *)task_user_frame(t);
	*--sp = (u64)kthread_trampoline;
	*--sp = 0;	  /* rbp: the end of backtraces */
	*--sp = 0;	  /* rbx */
	*--sp = (u64)fn;  /* r12 */
	*--sp = (u64)arg; /* r13 */
	*--sp = 0;	  /* r14 */
	*--sp = 0;	  /* r15 */
	t->ksp = (u64)sp;
	task_get(t); /* the caller's */
	sched_wake(t);
	return t;
}

struct task *task_fork(const struct trap_frame *tf)
{
	extern char fork_trampoline[];
	struct task *cur = current_task(), *t = task_alloc(cur->comm, cur->prio);
	u64 *sp;

	if (!t)
		return NULL;
	t->fpu = fpu_alloc();
	if (!t->fpu) {
		task_put(t);
		return NULL;
	}
	if (cur->fpu) {
		fpu_save(cur->fpu); /* the registers are newer than the saved copy */
		memcpy(t->fpu, cur->fpu, FPU_STATE_SIZE);
	}
	t->fs_base = cur->fs_base;
	*task_user_frame(t) = *tf;
	/* switch_to() pops six registers and returns into fork_trampoline, which irets
	 * through the user frame just above. */
	sp = (u64 *)task_user_frame(t);
	*--sp = (u64)fork_trampoline;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	t->ksp = (u64)sp;
	return t;
}

void task_exit(void)
{
	struct task *t = current_task();

	kfree(t->fpu);
	t->fpu = NULL;
	kthread_exit(0);
}

void kthread_exit(int code)
{
	struct task *t = current_task();

	t->exit_code = code;
	irq_disable();
	t->state = TASK_DEAD;
	__atomic_sub_fetch(&ntasks, 1, __ATOMIC_RELAXED);
	wake_up(&t->exited);
	schedule();
	panic("kthread_exit: dead task %s scheduled again", t->comm);
}

int task_join(struct task *t)
{
	wait_event(t->exited, READ_ONCE(t->state) == TASK_DEAD);
	return t->exit_code;
}

unsigned sched_task_count(void)
{
	return ntasks;
}
