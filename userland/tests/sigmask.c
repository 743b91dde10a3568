/* userland/tests/sigmask.c: signal masks (BLOCK/UNBLOCK/SETMASK, pending while blocked, SIGKILL and
 * SIGSTOP unblockable, sa_mask, SA_NODEFER, fork) and SA_RESTART versus EINTR (read, nanosleep). */
#include "tap.h"

#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

#define BIT(sig) (1ULL << ((sig) - 1))

static volatile sig_atomic_t hits[65];
static volatile uint64_t mask_in_handler;

/* The kernel's view of the mask, as a 64-bit word (raw: musl hides its own signals). */
static uint64_t get_mask(void)
{
	uint64_t m = ~0ULL;

	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, 8);
	return m;
}

static long set_mask_raw(int how, uint64_t m, uint64_t *old)
{
	return syscall(SYS_rt_sigprocmask, how, &m, old, 8);
}

static void on_sig(int sig)
{
	hits[sig]++;
	mask_in_handler = get_mask();
}

static void install(int sig, int flags, uint64_t mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	for (int s = 1; s < 64; s++)
		if (mask & BIT(s))
			sigaddset(&sa.sa_mask, s);
	sigaction(sig, &sa, NULL);
}

static void clear_hits(void)
{
	for (int i = 0; i < 65; i++)
		hits[i] = 0;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Child: with every signal blocked, waits to be killed or stopped. */
static void block_all_and_wait(void *arg)
{
	(void)arg;
	set_mask_raw(SIG_SETMASK, ~0ULL, NULL);
	for (int i = 0; i < 500; i++)
		nap_ms(10);
	_exit(3);
}

/* Child: the parent's mask (SIGUSR1 blocked) is inherited, its pending SIGUSR1 is not. */
static void check_fork_state(void *arg)
{
	uint64_t m = get_mask();

	(void)arg;
	clear_hits();
	set_mask_raw(SIG_SETMASK, 0, NULL);
	_exit(((m & BIT(SIGUSR1)) ? 0 : 1) | (hits[SIGUSR1] == 0 ? 0 : 2));
}

/* Child: sends SIGUSR1 to the parent after 100 ms, and writes one byte to fd 300 ms later. */
static pid_t signal_then_write(int fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		nap_ms(100);
		kill(getppid(), SIGUSR1);
		nap_ms(300);
		_exit(write(fd, "R", 1) == 1 ? 0 : 1);
	}
	return pid;
}

int main(int argc, char **argv)
{
	uint64_t old = 0, m;
	sigset_t set;
	char c = 0;
	int p[2], st;
	long long left;
	long r;
	pid_t pid;
	struct timespec ts, rem;

	(void)argc;
	tap_init(argv, 31);
	install(SIGUSR1, 0, 0);
	install(SIGUSR2, 0, 0);
	install(SIGTERM, 0, 0);
	set_mask_raw(SIG_SETMASK, 0, NULL);

	/* SIG_BLOCK, pending, SIG_UNBLOCK */
	TAP_EQ(set_mask_raw(SIG_BLOCK, BIT(SIGUSR1), &old), 0, "SIG_BLOCK {SIGUSR1} returns 0");
	TAP_EQ(old, 0, "... and the old mask it returns is empty");
	clear_hits();
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	TAP_EQ(hits[SIGUSR1], 0, "a blocked SIGUSR1 sent twice is not delivered");
	sigemptyset(&set);
	errno = 0;
	r = sigpending(&set);
	if (r < 0 && errno == ENOSYS)
		tap_skip("sigpending shows the blocked SIGUSR1",
			 "rt_sigpending (127) is not implemented: checked by unblocking below");
	else
		tap_ok(r == 0 && sigismember(&set, SIGUSR1) == 1 && sigismember(&set, SIGUSR2) == 0,
		       "sigpending shows the blocked SIGUSR1 (and not SIGUSR2)");
	TAP_EQ(set_mask_raw(SIG_UNBLOCK, BIT(SIGUSR1), NULL), 0, "SIG_UNBLOCK {SIGUSR1} returns 0");
	TAP_EQ(hits[SIGUSR1], 1,
	       "the pending SIGUSR1 is delivered once (no queueing), before sigprocmask returns");

	/* The three operations on the mask. */
	set_mask_raw(SIG_SETMASK, BIT(SIGUSR1), NULL);
	set_mask_raw(SIG_BLOCK, BIT(SIGUSR2), NULL);
	TAP_EQ(get_mask(), BIT(SIGUSR1) | BIT(SIGUSR2), "SIG_BLOCK adds to the mask");
	set_mask_raw(SIG_UNBLOCK, BIT(SIGUSR1) | BIT(SIGTERM), NULL);
	TAP_EQ(get_mask(), BIT(SIGUSR2), "SIG_UNBLOCK removes only the signals named");
	TAP_EQ(set_mask_raw(SIG_SETMASK, BIT(SIGTERM), &old), 0, "SIG_SETMASK returns 0");
	tap_ok(get_mask() == BIT(SIGTERM) && old == BIT(SIGUSR2),
	       "SIG_SETMASK replaces the mask, and returns the old one");
	TAP_ERRNO(syscall(SYS_rt_sigprocmask, 99, &old, NULL, 8), EINVAL,
		  "rt_sigprocmask with how = 99: EINVAL");
	TAP_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &old, NULL, 4), EINVAL,
		  "rt_sigprocmask with sigsetsize 4: EINVAL");
	TAP_EQ(get_mask(), BIT(SIGTERM), "failed calls leave the mask alone");

	/* Two pending signals both come when the mask opens. */
	set_mask_raw(SIG_SETMASK, BIT(SIGUSR1) | BIT(SIGUSR2), NULL);
	clear_hits();
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);
	set_mask_raw(SIG_SETMASK, 0, NULL);
	tap_ok(hits[SIGUSR1] == 1 && hits[SIGUSR2] == 1,
	       "SIGUSR1 and SIGUSR2 pending: one delivery each when the mask is cleared");

	/* Unblockable signals. */
	set_mask_raw(SIG_SETMASK, ~0ULL, NULL);
	m = get_mask();
	tap_ok(!(m & BIT(SIGKILL)) && !(m & BIT(SIGSTOP)) && (m & BIT(SIGUSR1)) && (m & BIT(SIGTERM)),
	       "blocking every signal leaves SIGKILL and SIGSTOP out of the mask");
	set_mask_raw(SIG_SETMASK, 0, NULL);
	pid = fork();
	if (pid == 0)
		block_all_and_wait(NULL);
	if (pid > 0) {
		nap_ms(30);
		kill(pid, SIGSTOP);
		st = waitpid(pid, &st, WUNTRACED) == pid ? st : -1;
		tap_ok(st != -1 && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
		       "a child blocking every signal is still stopped by SIGSTOP");
		kill(pid, SIGKILL);
		st = waitpid(pid, &st, 0) == pid ? st : -1;
		tap_killed_by(st, SIGKILL, "... and killed by SIGKILL while stopped");
	} else {
		tap_blocked("a child blocking every signal is still stopped by SIGSTOP");
		tap_blocked("... and killed by SIGKILL while stopped");
	}
	pid = fork();
	if (pid == 0)
		block_all_and_wait(NULL);
	if (pid > 0) {
		nap_ms(30);
		kill(pid, SIGKILL);
	}
	tap_killed_by(pid > 0 && waitpid(pid, &st, 0) == pid ? st : -1, SIGKILL,
		      "a running child blocking every signal is killed by SIGKILL");
	{
		struct sigaction sa = { .sa_handler = on_sig };

		TAP_ERRNO(sigaction(SIGKILL, &sa, NULL), EINVAL,
			  "sigaction(SIGKILL) with a handler: EINVAL");
		TAP_ERRNO(sigaction(SIGSTOP, &sa, NULL), EINVAL,
			  "sigaction(SIGSTOP) with a handler: EINVAL");
	}

	/* The mask while a handler runs. */
	install(SIGUSR1, 0, BIT(SIGUSR2));
	clear_hits();
	kill(getpid(), SIGUSR1);
	tap_ok(hits[SIGUSR1] == 1 && mask_in_handler == (BIT(SIGUSR1) | BIT(SIGUSR2)),
	       "in the handler, the mask is the signal itself plus sa_mask");
	TAP_EQ(get_mask(), 0, "after the handler returns, the mask is restored (empty)");
	install(SIGUSR1, SA_NODEFER, 0);
	kill(getpid(), SIGUSR1);
	TAP_EQ(mask_in_handler, 0, "with SA_NODEFER, the signal is not blocked in its handler");
	install(SIGUSR1, 0, 0);

	/* fork: the mask is inherited, pending signals are not. */
	set_mask_raw(SIG_SETMASK, BIT(SIGUSR1), NULL);
	kill(getpid(), SIGUSR1);
	tap_exited_with(tap_child(check_fork_state, NULL), 0,
			"a child inherits the mask but not the parent's pending SIGUSR1");
	clear_hits();
	set_mask_raw(SIG_SETMASK, 0, NULL);
	TAP_EQ(hits[SIGUSR1], 1, "... which the parent still gets when it unblocks it");

	/* SA_RESTART versus EINTR: a read on an empty pipe, a signal from a child. */
	if (pipe(p)) {
		tap_diag("pipe: %s", strerror(errno));
		return tap_done() | 1;
	}
	install(SIGUSR1, 0, 0);
	clear_hits();
	pid = signal_then_write(p[1]);
	TAP_ERRNO(pid > 0 ? read(p[0], &c, 1) : 0, EINTR,
		  "without SA_RESTART, a blocked read interrupted by a handled signal: EINTR");
	TAP_EQ(hits[SIGUSR1], 1, "... after the handler ran once");
	if (pid > 0)
		waitpid(pid, &st, 0);
	read(p[0], &c, 1); /* the child's late byte */

	install(SIGUSR1, SA_RESTART, 0);
	clear_hits();
	c = 0;
	pid = signal_then_write(p[1]);
	r = pid > 0 ? read(p[0], &c, 1) : -1;
	tap_ok(r == 1 && c == 'R',
	       "with SA_RESTART, the read is restarted and returns the byte written later");
	if (r != 1)
		tap_diag("read returned %ld: %s", r, strerror(errno));
	TAP_EQ(hits[SIGUSR1], 1, "... after the handler ran once");
	if (pid > 0)
		waitpid(pid, &st, 0);

	/* nanosleep is never restarted: EINTR and the time left, even with SA_RESTART. */
	clear_hits();
	pid = signal_then_write(p[1]);
	ts.tv_sec = 2;
	ts.tv_nsec = 0;
	rem.tv_sec = rem.tv_nsec = -1;
	TAP_ERRNO(pid > 0 ? nanosleep(&ts, &rem) : 0, EINTR,
		  "with SA_RESTART, nanosleep(2 s) interrupted by a signal: EINTR");
	left = rem.tv_sec * 1000000000LL + rem.tv_nsec;
	tap_ok(hits[SIGUSR1] == 1 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000L &&
		       left >= 1000000000LL && left < 2000000000LL,
	       "... with the time left in *rem (%lld.%09ld s: at least 1 s, less than 2 s)",
	       (long long)rem.tv_sec, rem.tv_nsec);
	if (pid > 0)
		waitpid(pid, &st, 0);
	return tap_done();
}
