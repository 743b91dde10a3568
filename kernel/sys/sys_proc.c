/* kernel/sys/sys_proc.c: small process system calls: identities, exit, TLS, uname, time, sleep.
 * Each is a few lines over the process, scheduler and time subsystems. */
#include <granary/cpu.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/proc.h>
#include <granary/page.h>
#include <granary/random.h>
#include <granary/slab.h>
#include <granary/sched.h>
#include <granary/string.h>
#include <granary/syscall.h>
#include <granary/time.h>
#include <granary/uaccess.h>
#include <granary/uts.h>
#include <uapi/time.h>

SYSCALL_DEFINE0(getpid) { return proc_current()->pid; }
SYSCALL_DEFINE0(gettid) { return current_task()->tid; }
SYSCALL_DEFINE0(getppid)
{
	struct process *p = proc_current();

	return p->parent ? p->parent->pid : 0;
}
SYSCALL_DEFINE0(getuid) { return proc_current()->cred.uid; }
SYSCALL_DEFINE0(getgid) { return proc_current()->cred.gid; }
SYSCALL_DEFINE0(geteuid) { return proc_current()->cred.euid; }
SYSCALL_DEFINE0(getegid) { return proc_current()->cred.egid; }

SYSCALL_DEFINE1(exit, int, code)
{
	struct process *p = proc_current();

	/* exit(2) ends one thread; the process ends with its last thread. */
	if (p->nthreads > 1 && !p->exiting) {
		p->exit_status = (code & 0xff) << 8;
		proc_exit_thread();
	}
	proc_exit((code & 0xff) << 8);
}

SYSCALL_DEFINE1(exit_group, int, code)
{
	proc_exit((code & 0xff) << 8);
}

SYSCALL_DEFINE1(set_tid_address, u64, addr)
{
	current_task()->clear_child_tid = addr;
	return current_task()->tid;
}

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

SYSCALL_DEFINE2(arch_prctl, int, code, u64, addr)
{
	struct task *t = current_task();

	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_TOP)
			return -EPERM;
		t->fs_base = addr;
		wrmsr(MSR_FS_BASE, addr);
		return 0;
	case ARCH_GET_FS:
		return copy_to_user((void __user *)addr, &t->fs_base, 8);
	case ARCH_SET_GS:
	case ARCH_GET_GS:
		return -EOPNOTSUPP; /* the kernel owns GS */
	default:
		return -EINVAL;
	}
}

struct utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

SYSCALL_DEFINE1(uname, struct utsname __user *, buf)
{
	struct utsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, "Granary", sizeof(u.sysname));
	uts_get(u.nodename, u.domainname);
	strlcpy(u.release, granary_release, sizeof(u.release));
	strlcpy(u.version, granary_banner, sizeof(u.version));
	strlcpy(u.machine, "x86_64", sizeof(u.machine));
	return copy_to_user(buf, &u, sizeof(u));
}

struct sysinfo {
	s64 uptime;
	u64 loads[3];
	u64 totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	u16 procs, pad;
	u32 pad2;
	u64 totalhigh, freehigh;
	u32 mem_unit;
	char reserved[4];
};

SYSCALL_DEFINE1(sysinfo, struct sysinfo __user *, info)
{
	struct sysinfo k;
	struct mem_stats s;
	unsigned long avg[3];

	/* Empty slabs kept for speed are free memory to anyone asking. */
	slab_shrink();
	mem_get_stats(&s);
	memset(&k, 0, sizeof(k));
	k.uptime = (s64)(time_ns() / NSEC_PER_SEC);
	sched_loadavg(avg);
	for (int i = 0; i < 3; i++)
		k.loads[i] = avg[i] << (16 - LOAD_FSHIFT); /* sysinfo's scale is 1 << 16 */
	k.totalram = s.total;
	k.freeram = s.free;
	k.procs = (u16)proc_count();
	k.mem_unit = PAGE_SIZE;
	return copy_to_user(info, &k, sizeof(k));
}

#define PR_SET_NAME 15
#define PR_GET_NAME 16

SYSCALL_DEFINE2(prctl, int, op, u64, arg)
{
	char name[16];
	long n;

	switch (op) {
	case PR_SET_NAME:
		n = strncpy_from_user(name, (const char __user *)arg, sizeof(name));
		if (n < 0 && n != -ENAMETOOLONG)
			return n;
		name[sizeof(name) - 1] = '\0';
		strlcpy(proc_current()->comm, name, sizeof(name));
		return 0;
	case PR_GET_NAME:
		return copy_to_user((void __user *)arg, proc_current()->comm, 16);
	default:
		return -EINVAL; /* other prctl operations are not implemented */
	}
}

SYSCALL_DEFINE0(sched_yield)
{
	sched_yield();
	return 0;
}

/* The one place a user timespec is read and checked (nanosleep, futex, ppoll, ...). */
int timespec_from_user(const struct k_timespec __user *uts, u64 *ns)
{
	struct k_timespec ts;

	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	*ns = (u64)ts.sec * NSEC_PER_SEC + (u64)ts.nsec;
	return 0;
}

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_BOOTTIME 7

SYSCALL_DEFINE2(clock_gettime, int, clock, struct k_timespec __user *, ts)
{
	u64 ns = clock == CLOCK_REALTIME ? time_realtime_ns() : time_ns();
	struct k_timespec k = { (s64)(ns / NSEC_PER_SEC), (s64)(ns % NSEC_PER_SEC) };

	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
		return copy_to_user(ts, &k, sizeof(k));
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE2(clock_getres, int, clock, struct k_timespec __user *, ts)
{
	struct k_timespec k = { 0, 1 }; /* the TSC clock resolves nanoseconds */

	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_MONOTONIC_RAW &&
	    clock != CLOCK_BOOTTIME)
		return -EINVAL;
	return ts ? copy_to_user(ts, &k, sizeof(k)) : 0;
}

SYSCALL_DEFINE2(gettimeofday, struct k_timespec __user *, tv, void __user *, tz)
{
	u64 ns = time_realtime_ns();
	struct k_timespec k = { (s64)(ns / NSEC_PER_SEC), (s64)(ns % NSEC_PER_SEC / 1000) };

	if (tv && copy_to_user(tv, &k, sizeof(k)))
		return -EFAULT;
	return tz ? clear_user(tz, 8) : 0;
}

SYSCALL_DEFINE3(getrandom, void __user *, buf, size_t, n, unsigned, flags)
{
	u8 chunk[256];
	size_t done = 0;

	if (flags & ~7u) /* GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE */
		return -EINVAL;
	if (n > 33554431)
		n = 33554431;
	while (done < n) {
		size_t k = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
		random_bytes(chunk, k);
		if (copy_to_user((u8 __user *)buf + done, chunk, k))
			return done ? (long)done : -EFAULT;
		done += k;
	}
	return (long)done;
}

static long sleep_ns(u64 ns, struct k_timespec __user *rem);

SYSCALL_DEFINE4(clock_nanosleep, int, clock, int, flags, const struct k_timespec __user *, req,
		struct k_timespec __user *, rem)
{
	u64 ns, now = time_ns();
	int err;

	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME)
		return -EINVAL;
	err = timespec_from_user(req, &ns);
	if (err)
		return err;
	if (clock == CLOCK_REALTIME)
		now = time_realtime_ns();
	if (flags & 1) /* TIMER_ABSTIME */
		return sleep_ns(ns > now ? ns - now : 0, NULL);
	return sleep_ns(ns, rem);
}

SYSCALL_DEFINE2(nanosleep, const struct k_timespec __user *, req, struct k_timespec __user *, rem)
{
	u64 ns;
	int err = timespec_from_user(req, &ns);

	return err ? err : sleep_ns(ns, rem);
}

/* Sleeps at least ns (interruptibly): 0, or -EINTR with the time left in rem. */
static long sleep_ns(u64 ns, struct k_timespec __user *rem)
{
	struct k_timespec k;

	if (ns) {
		/* The deadline is on the clock CLOCK_MONOTONIC reads; ticks only wake us. If the tick
		 * and the TSC disagree a little (calibration on a busy host), sleep another tick. */
		u64 end = time_ns() + ns, now;
		while ((now = time_ns()) < end && !signal_pending()) {
			u64 tick = time_tick_after(end - now);
			current_task()->state = TASK_INTERRUPTIBLE;
			schedule_until(tick);
			current_task()->state = TASK_RUNNING;
		}
		if ((now = time_ns()) < end) {
			u64 left = end - now;
			k = (struct k_timespec){ (s64)(left / NSEC_PER_SEC), (s64)(left % NSEC_PER_SEC) };
			if (rem && copy_to_user(rem, &k, sizeof(k)))
				return -EFAULT;
			return -EINTR;
		}
	}
	return 0;
}
