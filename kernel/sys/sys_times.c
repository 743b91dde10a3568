/* kernel/sys/sys_times.c: times and getrusage: the CPU time the tick charged to processes.
 * Only the times are known; the other rusage fields (faults, switches, sizes) read as zero. */
#include <granary/errno.h>
#include <granary/proc.h>
#include <granary/syscall.h>
#include <granary/time.h>
#include <granary/uaccess.h>

#define USER_HZ 100
#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

static u64 to_clock_t(u64 ticks)
{
	return CONFIG_HZ == USER_HZ ? ticks : ticks * USER_HZ / CONFIG_HZ;
}

SYSCALL_DEFINE1(times, u64 __user *, buf)
{
	struct process *p = proc_current();
	u64 t[4] = { to_clock_t(p->utime), to_clock_t(p->stime), to_clock_t(p->cutime),
		     to_clock_t(p->cstime) };

	if (buf && copy_to_user(buf, t, sizeof(t)))
		return -EFAULT;
	/* Linux counts from a point chosen so that the value wraps early; any origin is valid. */
	return (long)to_clock_t(time_ticks());
}

/* struct rusage: two timevals, then 14 longs nobody fills in here. */
int proc_rusage_to_user(void __user *ru, u64 uticks, u64 sticks)
{
	u64 r[18] = { 0 };
	u64 ut = uticks * (1000000 / CONFIG_HZ), st = sticks * (1000000 / CONFIG_HZ);

	r[0] = ut / 1000000;
	r[1] = ut % 1000000;
	r[2] = st / 1000000;
	r[3] = st % 1000000;
	return copy_to_user(ru, r, sizeof(r));
}

SYSCALL_DEFINE2(getrusage, int, who, void __user *, ru)
{
	struct process *p = proc_current();

	switch (who) {
	case RUSAGE_SELF:
	case RUSAGE_THREAD: /* threads are not timed apart: the process's times */
		return proc_rusage_to_user(ru, p->utime, p->stime);
	case RUSAGE_CHILDREN:
		return proc_rusage_to_user(ru, p->cutime, p->cstime);
	default:
		return -EINVAL;
	}
}
