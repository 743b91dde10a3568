/* include/granary/sched.h: tasks (threads of control) and the scheduler.
 * Priority run queues with a bitmap for constant-time picks; time slices from the tick. */
#ifndef GRANARY_SCHED_H
#define GRANARY_SCHED_H

#include <granary/list.h>
#include <granary/percpu.h>
#include <granary/trap.h>
#include <granary/types.h>
#include <granary/vmalloc.h>
#include <granary/wait.h>

enum task_state {
	TASK_RUNNING,	      /* on a run queue, or running */
	TASK_INTERRUPTIBLE,   /* sleeping; a signal wakes it */
	TASK_UNINTERRUPTIBLE, /* sleeping; only its wake-up wakes it */
	TASK_STOPPED,	      /* stopped by a signal */
	TASK_DEAD,	      /* exited; freed after the switch away from it */
};

/* task->flags */
#define TF_KTHREAD (1u << 0) /* runs only in the kernel */
#define TF_QUEUED (1u << 1)  /* on a run queue */
#define TF_ID_KEPT (1u << 2) /* its tid is its process's pid: the process frees it */

#define TASK_COMM_LEN 16
#define SCHED_SLICE_TICKS 5 /* ticks a task runs before others of its priority get a turn */

struct sig_pending;

struct task {
	u64 ksp;     /* saved kernel stack pointer; offset 0, used by switch.S */
	void *kstack; /* lowest address of the kernel stack (KSTACK_SIZE bytes) */
	u32 tid;
	int state;
	int prio;
	int slice;
	unsigned flags;
	u32 refcount;
	struct list_head rq_link;
	struct wait_queue exited; /* woken when the task has exited */
	int exit_code;
	struct timer sleep_timer;
	char comm[TASK_COMM_LEN];

	/* User tasks only (NULL / 0 for kernel threads). */
	struct process *proc;
	struct list_head thread_link; /* in proc->threads */
	void *fpu;		      /* FXSAVE area (512 bytes, 16-aligned) */
	u64 fs_base;		      /* the user's TLS pointer (arch_prctl) */
	/* One kernel buffer the user-copy routines accept as if it were user memory, while
	 * kernel_read()/kernel_write() pass it through a file's ops; empty otherwise. */
	unsigned long uwin_start, uwin_len;
	u64 clear_child_tid;	      /* user address zeroed and futex-woken at exit */
	u64 robust_list;	      /* set_robust_list head, walked at exit */
	u64 sig_blocked;	      /* bit (sig - 1): blocked signals */
	u64 sig_saved;		      /* the mask to restore after rt_sigsuspend */
	bool sig_restore;
	struct sig_pending *sig_pending; /* sent to this thread (tkill, faults); NULL until used */
	u64 ss_sp, ss_size;		 /* sigaltstack */
	u32 ss_flags;
};

/* Where a task's user registers live while it is in the kernel: the top of its stack. */
static inline struct trap_frame *task_user_frame(struct task *t)
{
	return (struct trap_frame *)((char *)t->kstack + KSTACK_SIZE) - 1;
}

/* Sets up the boot CPU: per-CPU data, and the running boot context as its idle task. */
void sched_init(void);
/* Picks the most urgent runnable task and switches to it (the caller's state decides
 * whether it stays runnable). Call with interrupts enabled, outside any spinlock. */
void schedule(void);
/* Gives up the CPU to another task of the same or higher priority, if any. */
void sched_yield(void);
/* Makes a sleeping or new task runnable; returns false if it already was. */
bool sched_wake(struct task *t);
/* From the timer tick: charges the running task's slice and runs expired timers. */
void sched_tick(void);
/* Reschedules if the tick or a wake-up asked for it (called on the way out of interrupts). */
void sched_preempt_point(void);
/* The idle loop: runs when nothing else can, halting until the next interrupt. */
__attribute__((noreturn)) void sched_idle(void);

/* A kernel thread running fn(arg) at priority prio; its return value is its exit code.
 * Returned with a reference held for the caller (task_put() it). NULL when out of memory. */
struct task *kthread_create(const char *name, int prio, int (*fn)(void *), void *arg);
/* Enters user mode with the registers in tf (on the current kernel stack); never returns. */
__attribute__((noreturn)) void enter_user(struct trap_frame *tf);

/* Ends the calling kernel thread. */
__attribute__((noreturn)) void kthread_exit(int code);
/* A new task that will return to user mode with a copy of tf (and of the caller's FPU
 * state and TLS pointer); not yet runnable. NULL when out of memory. */
struct task *task_fork(const struct trap_frame *tf);
/* Ends the calling user task (its process bookkeeping is done). */
__attribute__((noreturn)) void task_exit(void);
/* Waits until t has exited and returns its exit code. */
int task_join(struct task *t);
void task_get(struct task *t);
void task_put(struct task *t);

/* Sleeps for at least ticks timer ticks (uninterruptible). */
void sched_sleep_ticks(u64 ticks);

/* Where a new task's first switch-in continues (from switch.S): releases the run queue. */
void sched_task_start(void);
/* Context switches on this CPU since boot. */
unsigned sched_rq_switches(void);

/* A thread/process id (pids and tids share one space; 1 is init's); -EAGAIN if none is free. */
int task_id_alloc(void);
void task_id_free(int id);

/* Tasks alive (all states but freed), for limits and statistics. */
unsigned sched_task_count(void);

/* ---- CPU time and load averages (kernel/sched/stats.c) ---- */

/* Ticks since boot spent in user mode, in the kernel (kernel threads included), and idle. */
struct cpu_times {
	u64 user, system, idle;
};
/* Load averages are fixed point with LOAD_FSHIFT fraction bits, as Linux's avenrun. */
#define LOAD_FSHIFT 11
#define LOAD_FIXED_1 (1UL << LOAD_FSHIFT)

/* From the timer interrupt: charges the tick to the running task's process (user or system
 * time, as user_mode says) or to idle, and updates the load averages every 5 seconds. */
void sched_account_tick(bool user_mode);
/* The CPU's tick counts since boot. */
void sched_cpu_times(struct cpu_times *t);
/* The 1, 5 and 15 minute load averages (runnable tasks), LOAD_FSHIFT fixed point. */
void sched_loadavg(unsigned long avg[3]);
/* One step of an exponential average: load decays by exp (fixed point) toward active. */
u64 sched_calc_load(u64 load, u64 exp, u64 active);
/* Runnable tasks on this CPU, the running one included (idle excluded). */
unsigned sched_nr_running(void);
/* The id most recently handed out by task_id_alloc() (the "last pid" of /proc/loadavg). */
int task_id_last(void);

#endif
