/* include/granary/percpu.h: per-CPU data, reached through the GS base in kernel mode.
 * One CPU today; the layout is what the syscall entry and SMP bring-up will rely on. */
#ifndef GRANARY_PERCPU_H
#define GRANARY_PERCPU_H

#include <granary/compiler.h>
#include <granary/list.h>
#include <granary/spinlock.h>
#include <granary/types.h>

struct task;

/* Priority levels: 0 is the most urgent; user tasks start at SCHED_PRIO_DEFAULT. */
#define SCHED_PRIOS 40
#define SCHED_PRIO_DEFAULT 20

struct runqueue {
	spinlock_t lock;
	u64 bitmap;			   /* bit p set: queue[p] is not empty */
	struct list_head queue[SCHED_PRIOS]; /* runnable tasks, in round-robin order */
	unsigned nr_running;
	u64 switches;
};

/* The first fields are read by assembly at fixed offsets (see PERCPU_* below). */
struct cpu {
	struct cpu *self;    /* 0: this structure's own address */
	struct task *current; /* 8: the task running on this CPU */
	u64 kernel_rsp;	     /* 16: stack top the syscall entry switches to */
	u64 user_rsp;	     /* 24: scratch: the user stack pointer at syscall entry */
	unsigned id;
	bool need_resched;   /* set when a more urgent task woke or the slice ran out */
	struct task *idle;
	struct runqueue rq;
};

#define PERCPU_SELF 0
#define PERCPU_CURRENT 8
#define PERCPU_KERNEL_RSP 16
#define PERCPU_USER_RSP 24

/* Points GS at cpu's data (boot, and later each CPU as it starts). */
void percpu_init(struct cpu *cpu, unsigned id);

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(c));
	return c;
}

static inline struct task *current_task(void)
{
	struct task *t;

	__asm__ __volatile__("movq %%gs:8, %0" : "=r"(t));
	return t;
}

#endif
