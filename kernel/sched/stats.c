/* kernel/sched/stats.c: CPU time accounting and load averages, both driven by the timer tick.
 * Sampling, as Linux's tick accounting does: a tick is charged whole to whatever it interrupted. */
#include <granary/cpu.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/spinlock.h>
#include <granary/time.h>

/* Linux's constants: exp(-5s/1min), exp(-5s/5min), exp(-5s/15min) in LOAD_FSHIFT fixed point. */
#define EXP_1 1884
#define EXP_5 2014
#define EXP_15 2037
#define LOAD_FREQ (5 * CONFIG_HZ)

static u64 cpu_user, cpu_system, cpu_idle; /* ticks since boot, only written by the tick */
static unsigned long avenrun[3];
static u64 load_next = LOAD_FREQ;

u64 sched_calc_load(u64 load, u64 exp, u64 active)
{
	u64 next = load * exp + active * (LOAD_FIXED_1 - exp);

	/* Round up while rising, so a steady load of n converges to n rather than just below. */
	if (active >= load)
		next += LOAD_FIXED_1 - 1;
	return next / LOAD_FIXED_1;
}

unsigned sched_nr_running(void)
{
	struct cpu *cpu = this_cpu();

	return READ_ONCE(cpu->rq.nr_running) + (READ_ONCE(cpu->current) != cpu->idle);
}

void sched_account_tick(bool user_mode)
{
	struct cpu *cpu = this_cpu();
	struct task *cur = cpu->current;
	struct process *p = cur->proc;

	if (cur == cpu->idle)
		cpu_idle++;
	else if (user_mode)
		cpu_user++;
	else
		cpu_system++;
	if (p) {
		if (user_mode)
			p->utime++;
		else
			p->stime++;
	}
	if (time_ticks() + 1 >= load_next) {
		u64 active = (u64)sched_nr_running() * LOAD_FIXED_1;

		load_next += LOAD_FREQ;
		avenrun[0] = sched_calc_load(avenrun[0], EXP_1, active);
		avenrun[1] = sched_calc_load(avenrun[1], EXP_5, active);
		avenrun[2] = sched_calc_load(avenrun[2], EXP_15, active);
	}
}

void sched_cpu_times(struct cpu_times *t)
{
	unsigned long irq = irq_save();

	t->user = cpu_user;
	t->system = cpu_system;
	t->idle = cpu_idle;
	irq_restore(irq);
}

void sched_loadavg(unsigned long avg[3])
{
	unsigned long irq = irq_save();

	avg[0] = avenrun[0];
	avg[1] = avenrun[1];
	avg[2] = avenrun[2];
	irq_restore(irq);
}
