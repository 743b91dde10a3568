/* userland/tests/futex.c: raw futex(2): WAIT's EAGAIN and ETIMEDOUT, WAKE's exact count, waiters
 * in threads and processes, FUTEX_PRIVATE_FLAG, bitsets with absolute deadlines, bad arguments. */
#include "tap.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#define NW 3

/* The futex(2) operations (musl has no <linux/futex.h>; the values are Linux's ABI). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

static long futex(volatile uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts,
		  uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, val3);
}

static long long now_ns(clockid_t clk)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Waiter threads on word with op (FUTEX_WAIT or FUTEX_WAIT_PRIVATE). */
static volatile uint32_t word;
static volatile int ready, woken, wait_op;
static long wait_ret[NW];

static void *waiter(void *arg)
{
	long i = (long)(intptr_t)arg, r;

	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	r = futex(&word, wait_op, 0, NULL, 0);
	wait_ret[i] = r < 0 ? -errno : r;
	__atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* NW threads wait on word; WAKE(2), then WAKE(INT_MAX). Four TAP lines. */
static void wake_count(const char *kind, int wop, int wakeop)
{
	pthread_t th[NW];
	int n = 0, ok = 1;
	long r;

	word = 0;
	ready = woken = 0;
	wait_op = wop;
	for (int i = 0; i < NW; i++)
		if (!pthread_create(&th[i], NULL, waiter, (void *)(intptr_t)i))
			n++;
	for (int i = 0; i < 1000 && ready < n; i++)
		nap_ms(1);
	nap_ms(100); /* from "ready" to asleep in the kernel is a few instructions */
	if (n != NW) {
		for (int i = 0; i < 4; i++)
			tap_blocked("%s: wake counts (pthread_create failed)", kind);
		return;
	}
	TAP_EQ(woken, 0, "%s: %d threads sleep in FUTEX_WAIT on a word holding the expected 0", kind,
	       NW);
	r = futex(&word, wakeop, 2, NULL, 0);
	TAP_EQ(r, 2, "%s: FUTEX_WAKE(2) returns 2", kind);
	nap_ms(100);
	TAP_EQ(woken, 2, "%s: ... and exactly 2 threads woke", kind);
	r = futex(&word, wakeop, INT_MAX, NULL, 0);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < n; i++)
		ok &= wait_ret[i] == 0;
	tap_ok(r == 1 && woken == 3 && ok,
	       "%s: FUTEX_WAKE(INT_MAX) wakes the last one and returns 1; every WAIT returned 0",
	       kind);
	if (r != 1 || !ok)
		tap_diag("wake returned %ld; waits returned %ld %ld %ld", r, wait_ret[0], wait_ret[1],
			 wait_ret[2]);
}

/* A FUTEX_WAIT_BITSET with an absolute deadline 30 ms ahead, in a child (so that a deadline
 * taken for something else cannot hang the test): returns how long it took in ms, or -1. */
static long bitset_deadline(int op, clockid_t clk, long *err)
{
	int p[2], st;
	long result[2] = { -1, 0 };
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		static volatile uint32_t w;
		long long t0 = now_ns(CLOCK_MONOTONIC), dl = now_ns(clk) + 30000000LL;
		struct timespec ts = { dl / 1000000000LL, dl % 1000000000LL };
		long r = futex(&w, op, 0, &ts, FUTEX_BITSET_MATCH_ANY);

		result[1] = r < 0 ? errno : 0;
		result[0] = (long)((now_ns(CLOCK_MONOTONIC) - t0) / 1000000);
		write(p[1], result, sizeof(result));
		_exit(0);
	}
	close(p[1]);
	for (int i = 0; i < 300 && pid > 0 && waitpid(pid, &st, WNOHANG) == 0; i++)
		nap_ms(10);
	if (pid > 0 && waitpid(pid, &st, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		tap_diag("the waiting child was still asleep after 3 s: killed");
	}
	if (read(p[0], result, sizeof(result)) != sizeof(result))
		result[0] = -1;
	close(p[0]);
	*err = result[1];
	return result[0];
}

int main(int argc, char **argv)
{
	volatile uint32_t *shared;
	long long t0, t1;
	struct timespec ts;
	long r, ms, err;
	int st;
	pid_t pid;

	(void)argc;
	tap_init(argv, 26);

	word = 1;
	TAP_ERRNO(futex(&word, FUTEX_WAIT, 0, NULL, 0), EAGAIN,
		  "FUTEX_WAIT when the word holds another value: EAGAIN");
	TAP_ERRNO(futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, 0), EAGAIN,
		  "FUTEX_WAIT_PRIVATE when the word holds another value: EAGAIN");
	TAP_EQ(futex(&word, FUTEX_WAKE, 5, NULL, 0), 0, "FUTEX_WAKE with nobody waiting returns 0");

	ts.tv_sec = 0;
	ts.tv_nsec = 30 * 1000 * 1000;
	t0 = now_ns(CLOCK_MONOTONIC);
	TAP_ERRNO(futex(&word, FUTEX_WAIT, 1, &ts, 0), ETIMEDOUT,
		  "FUTEX_WAIT with a 30 ms timeout and nobody waking: ETIMEDOUT");
	t1 = now_ns(CLOCK_MONOTONIC);
	tap_ok(t1 - t0 >= 30000000LL && t1 - t0 < 1000000000LL,
	       "... after at least 30 ms and less than 1 s (%lld ms)", (t1 - t0) / 1000000);
	t0 = now_ns(CLOCK_MONOTONIC);
	TAP_ERRNO(futex(&word, FUTEX_WAIT_PRIVATE, 1, &ts, 0), ETIMEDOUT,
		  "FUTEX_WAIT_PRIVATE with a 30 ms timeout: ETIMEDOUT");
	t1 = now_ns(CLOCK_MONOTONIC);
	tap_ok(t1 - t0 >= 30000000LL && t1 - t0 < 1000000000LL,
	       "... after at least 30 ms and less than 1 s (%lld ms)", (t1 - t0) / 1000000);

	wake_count("shared", FUTEX_WAIT, FUTEX_WAKE);
	wake_count("private", FUTEX_WAIT_PRIVATE, FUTEX_WAKE_PRIVATE);

	/* Another process on a MAP_SHARED page: a shared key wakes it, a private one cannot. */
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		tap_diag("mmap: %s", strerror(errno));
		return tap_done() | 1;
	}
	shared[0] = 0; /* the word */
	shared[1] = 0; /* the child's "about to wait" */
	pid = fork();
	if (pid == 0) {
		__atomic_store_n(&shared[1], 1, __ATOMIC_SEQ_CST);
		r = futex(&shared[0], FUTEX_WAIT, 0, NULL, 0);
		_exit(r == 0 ? 0 : 1);
	}
	for (int i = 0; i < 1000 && pid > 0 && !shared[1]; i++)
		nap_ms(1);
	nap_ms(100);
	TAP_EQ(futex(&shared[0], FUTEX_WAKE_PRIVATE, 1, NULL, 0), 0,
	       "FUTEX_WAKE_PRIVATE does not wake another process waiting on a shared page");
	TAP_EQ(futex(&shared[0], FUTEX_WAKE, 1, NULL, 0), 1,
	       "FUTEX_WAKE (shared) on the same page wakes it: returns 1");
	st = -1;
	for (int i = 0; i < 200 && pid > 0 && waitpid(pid, &st, WNOHANG) == 0; i++)
		nap_ms(10);
	if (pid > 0 && !WIFEXITED(st) && !WIFSIGNALED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	tap_exited_with(st, 0, "the woken child's FUTEX_WAIT returned 0");

	/* Bitsets: WAIT_BITSET with a disjoint mask is not woken; absolute deadlines. */
	word = 0;
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	TAP_EQ(futex(&word, FUTEX_WAKE_BITSET, 1, NULL, 0x1), 0,
	       "FUTEX_WAKE_BITSET with nobody waiting returns 0");
	ms = bitset_deadline(FUTEX_WAIT_BITSET, CLOCK_MONOTONIC, &err);
	tap_ok(ms >= 30 && ms < 1000 && err == ETIMEDOUT,
	       "FUTEX_WAIT_BITSET until CLOCK_MONOTONIC now + 30 ms: ETIMEDOUT after 30 ms-1 s "
	       "(%ld ms, %s)",
	       ms, tap_errname((int)err));
	ms = bitset_deadline(FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, CLOCK_REALTIME, &err);
	tap_ok(ms >= 30 && ms < 1000 && err == ETIMEDOUT,
	       "FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME until CLOCK_REALTIME now + 30 ms: ETIMEDOUT "
	       "after 30 ms-1 s (%ld ms, %s)",
	       ms, tap_errname((int)err));
	TAP_ERRNO(futex(&word, FUTEX_WAIT_BITSET, 0, NULL, 0), EINVAL,
		  "FUTEX_WAIT_BITSET with an empty bitset: EINVAL");

	/* Bad arguments. */
	TAP_ERRNO(futex((volatile uint32_t *)((char *)&word + 1), FUTEX_WAIT, 0, NULL, 0), EINVAL,
		  "FUTEX_WAIT on an unaligned address: EINVAL");
	TAP_ERRNO(futex((volatile uint32_t *)0xffffffff80000000UL, FUTEX_WAIT, 0, NULL, 0), EFAULT,
		  "FUTEX_WAIT on a kernel address: EFAULT");
	ts.tv_nsec = 1000000000L;
	TAP_ERRNO(futex(&word, FUTEX_WAIT, 0, &ts, 0), EINVAL,
		  "FUTEX_WAIT with tv_nsec = 10^9: EINVAL");
	TAP_ERRNO(futex(&word, 99, 0, NULL, 0), ENOSYS, "an unknown futex operation: ENOSYS");
	return tap_done();
}
