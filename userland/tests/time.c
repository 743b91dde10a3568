/* userland/tests/time.c: clocks and sleeping: CLOCK_MONOTONIC never goes back and moves by at
 * least the time slept, nanosleep's checks, a 1 ms nanosleep ends within a few ticks, clock_nanosleep
 * to an absolute deadline, CLOCK_REALTIME is plausible. Clock calls are raw (musl may use a vDSO). */
#include "tap.h"

#include <sys/syscall.h>
#include <time.h>

static long long now_ns(clockid_t clk)
{
	struct timespec ts;

	if (syscall(SYS_clock_gettime, clk, &ts))
		return -1;
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct timespec ts, res = { 0, 0 };
	long long t0, t1, prev;
	int ok;

	(void)argc;
	tap_init(argv, 17);
	t0 = now_ns(CLOCK_MONOTONIC);
	tap_ok(t0 >= 0, "clock_gettime(CLOCK_MONOTONIC) succeeds");
	ok = 1;
	prev = t0;
	for (int i = 0; i < 10000 && ok; i++) {
		t1 = now_ns(CLOCK_MONOTONIC);
		ok = t1 >= prev;
		prev = t1;
	}
	tap_ok(ok, "CLOCK_MONOTONIC never goes back over 10000 reads");
	TAP_EQ(syscall(SYS_clock_getres, CLOCK_MONOTONIC, &res), 0,
	       "clock_getres(CLOCK_MONOTONIC) succeeds");
	tap_ok(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000,
	       "its resolution is between 1 ns and 10 ms (%ld ns)", res.tv_nsec);

	ts.tv_sec = 0;
	ts.tv_nsec = 50 * 1000 * 1000;
	t0 = now_ns(CLOCK_MONOTONIC);
	TAP_EQ(syscall(SYS_nanosleep, &ts, NULL), 0, "nanosleep(50 ms) returns 0");
	t1 = now_ns(CLOCK_MONOTONIC);
	tap_ok(t1 - t0 >= 50000000LL, "CLOCK_MONOTONIC moved by at least 50 ms (%lld ns)", t1 - t0);
	tap_ok(t1 - t0 < 5000000000LL, "... and by less than 5 s");
	ts.tv_nsec = 0;
	TAP_EQ(syscall(SYS_nanosleep, &ts, NULL), 0, "nanosleep(0) returns 0");
	ts.tv_nsec = 1000000000L;
	TAP_ERRNO(syscall(SYS_nanosleep, &ts, NULL), EINVAL,
		  "nanosleep with tv_nsec = 10^9: EINVAL");
	ts.tv_nsec = -1;
	TAP_ERRNO(syscall(SYS_nanosleep, &ts, NULL), EINVAL, "nanosleep with tv_nsec = -1: EINVAL");
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	TAP_ERRNO(syscall(SYS_nanosleep, &ts, NULL), EINVAL, "nanosleep with tv_sec = -1: EINVAL");

	t0 = now_ns(CLOCK_MONOTONIC) + 20 * 1000 * 1000;
	ts.tv_sec = t0 / 1000000000LL;
	ts.tv_nsec = t0 % 1000000000LL;
	TAP_EQ(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL), 0,
	       "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, now + 20 ms) returns 0");
	t1 = now_ns(CLOCK_MONOTONIC);
	tap_ok(t1 >= t0, "... not before the deadline (%lld ns after it)", t1 - t0);

	/* 1 ms, five times: never early, and never later than the next tick or two plus slack
	 * (the tick is 10 ms: 50 ms cannot be reached by a kernel that rounds correctly). */
	long long min = -1, max = -1;
	ok = 1;
	for (int i = 0; i < 5; i++) {
		ts.tv_sec = 0;
		ts.tv_nsec = 1000000;
		t0 = now_ns(CLOCK_MONOTONIC);
		ok &= syscall(SYS_nanosleep, &ts, NULL) == 0;
		t1 = now_ns(CLOCK_MONOTONIC) - t0;
		min = min < 0 || t1 < min ? t1 : min;
		max = t1 > max ? t1 : max;
	}
	tap_ok(ok, "nanosleep(1 ms) returns 0 (five times)");
	tap_ok(min >= 1000000LL && max < 50000000LL,
	       "... each after at least 1 ms and less than 50 ms (%lld-%lld us)", min / 1000,
	       max / 1000);

	TAP_ERRNO(syscall(SYS_clock_gettime, 12345, &ts), EINVAL,
		  "clock_gettime of an unknown clock: EINVAL");
	t0 = now_ns(CLOCK_REALTIME);
	tap_ok(t0 / 1000000000LL > 1577836800LL, "CLOCK_REALTIME is after 2020-01-01 (%lld s)",
	       t0 / 1000000000LL);
	return tap_done();
}
