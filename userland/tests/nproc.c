/* userland/tests/nproc.c: fork bombs end in EAGAIN, not a panic: uid 65534 stopped by RLIMIT_NPROC
 * at exactly its limit, root by the global cap or ENOMEM (at most 2000); memory comes back. */
#include "tap.h"
#include "procscan.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <time.h>

#define NOBODY 65534
#define LIMIT 20
#define ROOT_MAX 2000

/* Tasks (threads count, as RLIMIT_NPROC counts them on Linux) whose real uid is uid, from /proc;
 * -1 where /proc cannot be listed or lists none (the caller is one: none means no procfs there). */
static int count_tasks_of(uid_t uid)
{
	int threads;

	return proc_count_uid(uid, &threads) < 0 || !threads ? -1 : threads;
}

static long long free_bytes(void)
{
	struct sysinfo si;

	if (sysinfo(&si))
		return -1;
	return (long long)si.freeram * (si.mem_unit ? si.mem_unit : 1);
}

/* A bomb's child: waits to be killed. */
static void idle(void)
{
	for (;;)
		pause();
}

/* Kills every pid of pids[0..n) and reaps it; returns how many were reaped. */
static int kill_all(const pid_t *pids, int n)
{
	int reaped = 0, st;

	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (int i = 0; i < n; i++) {
		pid_t w;

		do
			w = waitpid(pids[i], &st, 0);
		while (w < 0 && errno == EINTR);
		reaped += w == pids[i];
	}
	return reaped;
}

/* What the unprivileged child reports through the pipe. */
/* Forks children that wait until ROOT_MAX or a failure; returns how many, *err the errno. */
static int root_bomb(pid_t *pids, int *err)
{
	int n = 0;

	*err = 0;
	while (n < ROOT_MAX) {
		pid_t pid = fork();

		if (pid == 0)
			idle();
		if (pid < 0) {
			*err = errno;
			break;
		}
		pids[n++] = pid;
	}
	return n;
}

struct report {
	int setup_err;	/* errno of setrlimit/setuid, or 0 */
	int others;	/* tasks of uid 65534 before the bomb, itself included (-1: unknown) */
	int forked;	/* successful forks */
	int fork_errno; /* errno of the failing fork (0: none failed) */
	int reaped;	/* of the forked children */
	int again;	/* 1 if a fork succeeded again once they were gone */
};

static void unprivileged_bomb(int fd)
{
	struct rlimit rl = { LIMIT, LIMIT };
	struct report r = { 0 };
	static pid_t pids[LIMIT * 5];
	pid_t pid;
	int st;

	if (setrlimit(RLIMIT_NPROC, &rl) || setuid(NOBODY)) {
		r.setup_err = errno;
		write(fd, &r, sizeof(r));
		_exit(1);
	}
	r.others = count_tasks_of(NOBODY);
	while (r.forked < LIMIT * 5) {
		pid = fork();
		if (pid == 0)
			idle();
		if (pid < 0) {
			r.fork_errno = errno;
			break;
		}
		pids[r.forked++] = pid;
	}
	r.reaped = kill_all(pids, r.forked);
	pid = fork();
	if (pid == 0)
		_exit(0);
	r.again = pid > 0 && waitpid(pid, &st, 0) == pid;
	write(fd, &r, sizeof(r));
	_exit(0);
}

int main(int argc, char **argv)
{
	static pid_t pids[ROOT_MAX];
	int linux_host = tap_on_linux(), p[2], st, n, n2, err, err2, reaped, expect;
	struct report r;
	long long before, after, after2;
	pid_t pid;
	char c;

	(void)argc;
	tap_init(argv, 10);

	/* An unprivileged fork bomb. */
	memset(&r, 0, sizeof(r));
	r.setup_err = -1;
	if (pipe(p) == 0) {
		pid = fork();
		if (pid == 0) {
			close(p[0]);
			unprivileged_bomb(p[1]);
		}
		close(p[1]);
		if (read(p[0], &r, sizeof(r)) != sizeof(r))
			r.setup_err = -1;
		close(p[0]);
		if (pid > 0)
			waitpid(pid, &st, 0);
	}
	if (!tap_ok(r.setup_err == 0, "a child sets RLIMIT_NPROC to %d and setuid(%d)s", LIMIT,
		    NOBODY)) {
		tap_diag("setup error %d (%s)", r.setup_err,
			 r.setup_err > 0 ? strerror(r.setup_err) : "no report");
		tap_blocked("its fork bomb ends in EAGAIN");
		tap_blocked("... at exactly the limit");
		tap_blocked("... its children are all killed and reaped, and it can fork again");
	} else {
		tap_ok(r.fork_errno == EAGAIN, "its fork bomb ends in EAGAIN (%s after %d forks)",
		       tap_errname(r.fork_errno), r.forked);
		/* The limit counts the user's processes, the forking one included. */
		expect = LIMIT - (r.others < 0 ? 1 : r.others);
		if (r.others < 0)
			tap_diag("/proc cannot be listed or is empty: assuming the child is "
				 "uid %d's only process", NOBODY);
		if (!TAP_EQ(r.forked, expect,
			    "... after exactly %d forks: %d minus the user's %d processes before",
			    expect, LIMIT, r.others < 0 ? 1 : r.others))
			tap_diag("a kernel that leaks a count, or counts zombies of other tests, "
				 "stops early");
		tap_ok(r.reaped == r.forked && r.again,
		       "... its children are all killed and reaped, and it can fork again");
	}

	/* Root: until the global cap or the memory runs out (bounded), twice. The array is touched
	 * and a child made first, so that the baseline holds what the test itself needs; the first
	 * bomb may grow lasting kernel tables (page tables of the kernel-stack area), the second
	 * must leave free memory exactly where the first did. */
	memset(pids, 0, sizeof(pids));
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, &st, 0);
	before = free_bytes();
	n = root_bomb(pids, &err);
	if (!err && linux_host)
		tap_skip("root's fork bomb ends in EAGAIN or ENOMEM",
			 "Linux's limits are above the 2000 processes this test makes");
	else
		tap_ok(err == EAGAIN || err == ENOMEM,
		       "root's fork bomb ends in EAGAIN or ENOMEM (%s after %d forks)",
		       err ? tap_errname(err) : "no error", n);
	reaped = kill_all(pids, n);
	TAP_EQ(reaped, n, "every one of its %d children is killed by SIGKILL and reaped", n);
	after = free_bytes();
	n2 = root_bomb(pids, &err2);
	reaped = kill_all(pids, n2);
	tap_ok(err2 == err && reaped == n2 && (err || n2 == n),
	       "a second bomb ends the same way (%s after %d forks), all reaped",
	       err2 ? tap_errname(err2) : "no error", n2);
	after2 = free_bytes();
	if (linux_host) {
		tap_skip("free memory after the second bomb is exactly what it was after the first",
			 "Linux's free memory follows its page cache and other processes");
	} else if (!tap_ok(after > 0 && after2 == after,
			   "free memory after the second bomb is exactly what it was after the "
			   "first")) {
		tap_diag("after the first %lld bytes, after the second %lld (%+lld pages)", after,
			 after2, (after2 - after) / 4096);
	}
	if (!linux_host)
		tap_diag("the first bomb changed free memory by %+lld pages (lasting kernel tables)",
			 (after - before) / 4096);

	pid = fork();
	if (pid == 0)
		_exit(9);
	tap_exited_with(pid > 0 && waitpid(pid, &st, 0) == pid ? st : -1, 9,
			"the kernel is still up: a new child runs and exits 9");
	c = 0;
	if (pipe(p) == 0) {
		tap_ok(write(p[1], "k", 1) == 1 && read(p[0], &c, 1) == 1 && c == 'k',
		       "... and a pipe round trip works");
		close(p[0]);
		close(p[1]);
	} else {
		tap_ok(0, "... and a pipe round trip works (pipe: %s)", strerror(errno));
	}
	return tap_done();
}
