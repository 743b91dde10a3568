/* userland/tests/cputime.c: CPU time accounting: wait4's rusage, times() and getrusage() agree on
 * the time a busy child used, and it lies between zero and the wall time it ran for. */
#include "tap.h"

#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>

#define BUSY_MS 300

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static long long tv_us(struct timeval tv)
{
	return tv.tv_sec * 1000000LL + tv.tv_usec;
}

int main(int argc, char **argv)
{
	struct rusage ru, children;
	struct tms before, after;
	long long start, wall, cpu;
	volatile unsigned long spin = 0;
	int st = -1;
	pid_t pid;

	(void)argc;
	tap_init(argv, 8);
	TAP_EQ(getrusage(RUSAGE_CHILDREN, &children), 0, "getrusage(RUSAGE_CHILDREN) succeeds");
	tap_ok(tv_us(children.ru_utime) == 0 && tv_us(children.ru_stime) == 0,
	       "no child has been waited for yet: zero children's time");
	tap_ok(times(&before) != (clock_t)-1 && before.tms_cutime == 0 && before.tms_cstime == 0,
	       "times() reports zero children's time too");

	start = now_us();
	pid = fork();
	if (pid == 0) {
		while (now_us() - start < BUSY_MS * 1000)
			spin++;
		_exit(0);
	}
	tap_ok(pid > 0 && wait4(pid, &st, 0, &ru) == pid && WIFEXITED(st),
	       "wait4 reaps the busy child with a rusage");
	wall = now_us() - start;
	cpu = tv_us(ru.ru_utime) + tv_us(ru.ru_stime);
	/* One CPU and one thread: never more than the wall time (plus a tick of sampling). */
	tap_ok(cpu > 0 && cpu <= wall + 10000, "the child used %lld us of CPU in %lld us", cpu, wall);
	TAP_EQ(getrusage(RUSAGE_CHILDREN, &children), 0, "getrusage(RUSAGE_CHILDREN) again");
	tap_ok(tv_us(children.ru_utime) == tv_us(ru.ru_utime) &&
		       tv_us(children.ru_stime) == tv_us(ru.ru_stime),
	       "the children's time is the one child's (%lld+%lld us)", (long long)tv_us(ru.ru_utime),
	       (long long)tv_us(ru.ru_stime));
	/* Both count whole hundredths of a second of the same total (USER_HZ is 100). */
	times(&after);
	tap_ok(after.tms_cutime == tv_us(ru.ru_utime) / 10000 &&
		       after.tms_cstime == tv_us(ru.ru_stime) / 10000,
	       "times() gives the same children's time in clock ticks (%ld+%ld)",
	       (long)after.tms_cutime, (long)after.tms_cstime);
	return tap_done();
}
