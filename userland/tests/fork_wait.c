/* userland/tests/fork_wait.c: fork, exit and wait4: exit statuses, deaths by signal, ECHILD,
 * WNOHANG, reaping in any order, and that a child's memory is its own copy. */
#include "tap.h"

#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>

static volatile int global = 1;

static void exit_with(void *arg)
{
	_exit((int)(long)arg);
}

static void kill_self(void *arg)
{
	pid_t me = getpid();

	(void)arg;
	if (me > 0) /* never kill(-1, ...) */
		kill(me, SIGKILL);
	_exit(0);
}

static void null_deref(void *arg)
{
	volatile uintptr_t addr = (uintptr_t)arg;

	*(volatile int *)addr = 1;
}

static void illegal(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2");
}

static void divide_by_zero(void *arg)
{
	volatile int zero = (int)(long)arg;

	_exit(100 / zero);
}

static void aborts(void *arg)
{
	(void)arg;
	abort();
}

static void modify_global(void *arg)
{
	(void)arg;
	global = 2;
	_exit(global == 2 ? 0 : 1);
}

/* A child that forks a grandchild and exits with the grandchild's status plus one. */
static void nested(void *arg)
{
	int st;
	pid_t pid = fork();

	(void)arg;
	if (pid < 0)
		_exit(100);
	if (pid == 0)
		_exit(41);
	if (wait4(pid, &st, 0, NULL) != pid || !WIFEXITED(st))
		_exit(101);
	_exit(WEXITSTATUS(st) + 1);
}

/* Forks a child that never ends by itself (spinning, or waiting in pause). A failed fork
 * exits: a pid of -1 must never reach kill(). */
static pid_t start_endless(int spin)
{
	pid_t pid = fork();

	if (pid < 0) {
		tap_diag("fork failed: %s", strerror(errno));
		exit(tap_done() | 1);
	}
	if (pid == 0) {
		if (spin)
			for (;;)
				__asm__ volatile("" ::: "memory");
		for (;;)
			pause();
	}
	return pid;
}

static int reap(pid_t pid)
{
	int st;
	pid_t w;

	do
		w = wait4(pid, &st, 0, NULL);
	while (w < 0 && errno == EINTR);
	return w == pid ? st : -1;
}

int main(int argc, char **argv)
{
	int st, seen = 0, ok;
	pid_t pid, w, kids[3];

	(void)argc;
	tap_init(argv, 22);

	pid = fork();
	if (pid == 0)
		_exit(7);
	if (!tap_ok(pid > 0, "fork returns the child's pid in the parent"))
		return tap_done() | 1; /* nothing below can run without fork */
	w = wait4(pid, &st, 0, NULL);
	TAP_EQ(w, pid, "wait4(pid) returns that pid");
	tap_exited_with(w == pid ? st : -1, 7,
			"the child's _exit(7) shows as WIFEXITED, WEXITSTATUS 7");

	tap_exited_with(tap_child(exit_with, (void *)0L), 0, "exit status 0");
	tap_exited_with(tap_child(exit_with, (void *)255L), 255, "exit status 255");
	tap_exited_with(tap_child(exit_with, (void *)256L), 0,
			"exit status 256 keeps only the low 8 bits");

	tap_killed_by(tap_child(kill_self, NULL), SIGKILL,
		      "kill(getpid(), SIGKILL) kills: WTERMSIG SIGKILL");
	tap_killed_by(tap_child(null_deref, NULL), SIGSEGV,
		      "a write to address 0 kills with SIGSEGV");
	tap_killed_by(tap_child(illegal, NULL), SIGILL, "ud2 kills with SIGILL");
	tap_killed_by(tap_child(divide_by_zero, (void *)0L), SIGFPE,
		      "integer division by zero kills with SIGFPE");
	tap_killed_by(tap_child(aborts, NULL), SIGABRT, "abort() kills with SIGABRT");

	pid = start_endless(0);
	TAP_EQ(wait4(pid, &st, WNOHANG, NULL), 0,
	       "wait4 with WNOHANG returns 0 while the child runs");
	TAP_SYS(kill(pid, SIGTERM), "kill(child, SIGTERM) succeeds");
	tap_killed_by(reap(pid), SIGTERM, "a child waiting in pause() dies of SIGTERM");
	pid = start_endless(1);
	kill(pid, SIGKILL);
	tap_killed_by(reap(pid), SIGKILL, "a child spinning in user mode dies of SIGKILL");

	tap_exited_with(tap_child(modify_global, NULL), 0,
			"the child sees its own write to a global");
	TAP_EQ(global, 1, "the parent's copy of the global is unchanged");
	tap_exited_with(tap_child(nested, NULL), 42,
			"a child forks and reaps a grandchild (status 41 + 1)");

	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(10 + i);
	}
	ok = 1;
	for (int i = 0; i < 3; i++) {
		w = wait4(-1, &st, 0, NULL);
		for (int k = 0; k < 3; k++)
			if (w == kids[k] && WIFEXITED(st) && WEXITSTATUS(st) == 10 + k)
				seen |= 1 << k;
		ok &= w > 0;
	}
	tap_ok(ok && seen == 7, "wait4(-1) reaps three children, each with its own status");
	TAP_ERRNO(wait4(-1, &st, 0, NULL), ECHILD,
		  "wait4(-1) with no children left fails with ECHILD");
	TAP_ERRNO(wait4(getppid(), &st, 0, NULL), ECHILD,
		  "wait4 on a process that is not a child: ECHILD");

	ok = 1;
	for (int i = 0; i < 100 && ok; i++) {
		pid = fork();
		if (pid == 0)
			_exit(i & 0xff);
		st = pid > 0 ? reap(pid) : -1;
		ok = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == i;
	}
	tap_ok(ok, "100 rounds of fork, exit and wait4");
	return tap_done();
}
