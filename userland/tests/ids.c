/* userland/tests/ids.c: process identity: getpid, getppid and gettid across fork.
 * A child reports through its exit status (the low 8 bits of a pid, or a 0/1 verdict). */
#include "tap.h"

#include <sys/syscall.h>

static pid_t parent;

static void report_pid(void *arg)
{
	(void)arg;
	_exit(getpid() & 0xff);
}

static void check_ppid(void *arg)
{
	(void)arg;
	_exit(getppid() == parent ? 0 : 1);
}

static void check_new_pid(void *arg)
{
	(void)arg;
	_exit(getpid() != parent && getpid() > 0 ? 0 : 1);
}

int main(int argc, char **argv)
{
	pid_t pid;
	int st;

	(void)argc;
	tap_init(argv, 7);
	parent = getpid();
	tap_ok(parent > 0, "getpid returns a positive pid (%d)", (int)parent);
	TAP_EQ(getpid(), parent, "getpid returns the same pid again");
	TAP_EQ(syscall(SYS_gettid), parent, "gettid is the pid in a single-threaded process");
	tap_ok(getppid() > 0 && getppid() != parent, "getppid returns another positive pid (%d)",
	       (int)getppid());
	tap_exited_with(tap_child(check_ppid, NULL), 0, "a child's getppid is its parent's getpid");
	tap_exited_with(tap_child(check_new_pid, NULL), 0,
			"a child's getpid differs from its parent's");
	pid = fork();
	if (pid == 0)
		report_pid(NULL);
	st = pid > 0 && waitpid(pid, &st, 0) == pid ? st : -1;
	tap_exited_with(st, pid & 0xff, "a child's getpid is the pid fork returned to the parent");
	return tap_done();
}
