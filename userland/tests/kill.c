/* userland/tests/kill.c: kill/tgkill errors: ESRCH for unused pids and groups, EINVAL for bad signals,
 * EPERM for uid 65534 aimed at root's processes (kill, tgkill, prlimit64); zombies still exist. */
#include "tap.h"

#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#define NOBODY 65534

/* Bits of the unprivileged child's exit status: one per check that went wrong. */
#define E_SETUID 0x01
#define E_PARENT 0x02	/* kill(getppid(), SIGTERM) is not EPERM */
#define E_PARENT0 0x04	/* kill(getppid(), 0) is not EPERM */
#define E_INIT 0x08	/* kill(1, 0) is not EPERM */
#define E_SELF 0x10	/* kill(getpid(), 0) fails */
#define E_OWN 0x20	/* killing its own child (same uid) failed */
#define E_TGKILL 0x40	/* tgkill(getppid(), the parent's tid, 0) is not EPERM */
#define E_PRLIMIT 0x80	/* prlimit64 of the parent's RLIMIT_CORE is not EPERM */

static pid_t parent_tid; /* set before the fork: the parent's gettid() */

static void unprivileged(void *arg)
{
	int bad = 0, st;
	pid_t pid;

	(void)arg;
	if (setuid(NOBODY) || getuid() != NOBODY || geteuid() != NOBODY)
		_exit(E_SETUID);
	errno = 0;
	if (kill(getppid(), SIGTERM) != -1 || errno != EPERM)
		bad |= E_PARENT;
	errno = 0;
	if (kill(getppid(), 0) != -1 || errno != EPERM)
		bad |= E_PARENT0;
	errno = 0;
	if (kill(1, 0) != -1 || errno != EPERM)
		bad |= E_INIT;
	if (kill(getpid(), 0) != 0)
		bad |= E_SELF;
	errno = 0;
	if (syscall(SYS_tgkill, getppid(), parent_tid, 0) != -1 || errno != EPERM)
		bad |= E_TGKILL;
	errno = 0;
	if (syscall(SYS_prlimit64, getppid(), RLIMIT_CORE, &(struct rlimit){ 0, 0 }, NULL) != -1 ||
	    errno != EPERM)
		bad |= E_PRLIMIT;
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (pid < 0 || kill(pid, SIGTERM) != 0 || waitpid(pid, &st, 0) != pid ||
	    !WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM)
		bad |= E_OWN;
	_exit(bad);
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct rlimit core_before, core_after;
	pid_t gone, zombie, self = getpid();
	int st, bits;

	(void)argc;
	tap_init(argv, 20);

	gone = fork();
	if (gone == 0)
		_exit(0);
	if (gone < 0 || waitpid(gone, &st, 0) != gone) {
		tap_diag("fork/waitpid failed: %s", strerror(errno));
		return tap_done() | 1;
	}
	TAP_ERRNO(kill(gone, SIGTERM), ESRCH, "kill of a reaped child's pid (%d): ESRCH", (int)gone);
	TAP_ERRNO(kill(gone, 0), ESRCH, "kill(pid, 0) of that pid: ESRCH");
	TAP_ERRNO(kill(INT_MAX, SIGTERM), ESRCH, "kill(INT_MAX): ESRCH");
	TAP_ERRNO(kill(-gone, SIGTERM), ESRCH, "kill of a process group nobody is in: ESRCH");
	TAP_ERRNO(syscall(SYS_tgkill, self, gone, SIGTERM), ESRCH,
		  "tgkill(getpid(), a tid that is gone): ESRCH");
	TAP_ERRNO(syscall(SYS_tgkill, gone, self, SIGTERM), ESRCH,
		  "tgkill with our tid but a tgid that is gone: ESRCH");
	TAP_ERRNO(syscall(SYS_tkill, gone, SIGTERM), ESRCH, "tkill of a tid that is gone: ESRCH");

	TAP_ERRNO(kill(self, 65), EINVAL, "kill with signal 65: EINVAL");
	TAP_ERRNO(kill(self, -1), EINVAL, "kill with signal -1: EINVAL");
	TAP_ERRNO(syscall(SYS_tgkill, self, self, 65), EINVAL, "tgkill with signal 65: EINVAL");
	TAP_ERRNO(syscall(SYS_tgkill, 0, self, 0), EINVAL, "tgkill with tgid 0: EINVAL");
	TAP_EQ(kill(self, 0), 0, "kill(getpid(), 0) returns 0");

	zombie = fork();
	if (zombie == 0)
		_exit(5);
	nap_ms(50);
	TAP_EQ(kill(zombie, 0), 0, "kill(pid, 0) of an unreaped zombie returns 0: it still exists");
	TAP_EQ(kill(zombie, SIGKILL), 0, "kill(zombie, SIGKILL) returns 0");
	tap_exited_with(zombie > 0 && waitpid(zombie, &st, 0) == zombie ? st : -1, 5,
			"... and the zombie keeps its exit status 5");

	getrlimit(RLIMIT_CORE, &core_before);
	if (core_before.rlim_cur == 0 && core_before.rlim_max > 0) {
		core_before.rlim_cur = 1; /* so that the child's {0, 0} would show */
		setrlimit(RLIMIT_CORE, &core_before);
	}
	getrlimit(RLIMIT_CORE, &core_before);
	parent_tid = (pid_t)syscall(SYS_gettid);
	st = tap_child(unprivileged, NULL);
	bits = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (bits == -1)
		tap_diag("the unprivileged child %s", st == -1 ? "was lost" : tap_wstatus(st));
	tap_ok(bits != -1 && !(bits & (E_SETUID | E_PARENT | E_PARENT0)),
	       "after setuid(%d), kill of the root parent fails with EPERM (also with signal 0)",
	       NOBODY);
	tap_ok(bits != -1 && !(bits & (E_SETUID | E_INIT | E_TGKILL)),
	       "... kill(1, 0) and tgkill of the root parent: EPERM");
	tap_ok(bits != -1 && !(bits & (E_SETUID | E_SELF | E_OWN)),
	       "... but it may signal itself and kill its own child (same uid)");
	getrlimit(RLIMIT_CORE, &core_after);
	tap_ok(bits != -1 && !(bits & (E_SETUID | E_PRLIMIT)) &&
		       core_after.rlim_cur == core_before.rlim_cur &&
		       core_after.rlim_max == core_before.rlim_max,
	       "... prlimit64 on the root parent's RLIMIT_CORE: EPERM, the limit unchanged");
	if (bits > 0)
		tap_diag("unprivileged child's error bits %#x", bits);
	if (core_after.rlim_cur != core_before.rlim_cur || core_after.rlim_max != core_before.rlim_max)
		tap_diag("the parent's RLIMIT_CORE went from {%llu, %llu} to {%llu, %llu}",
			 (unsigned long long)core_before.rlim_cur,
			 (unsigned long long)core_before.rlim_max,
			 (unsigned long long)core_after.rlim_cur,
			 (unsigned long long)core_after.rlim_max);
	TAP_EQ(kill(self, 0), 0, "the parent is still alive");
	return tap_done();
}
