/* userland/init/init.c: /sbin/init, the default pid 1: starts a shell on the console, restarts
 * it when it exits, and reaps every orphan. Not a service manager: silod and the rest come later.
 * The shell is Debian's busybox (/bin/busybox, run as "sh"). init never exits (pid 1's exit
 * powers the machine off): a shell that cannot start, or dies at once three times in a row,
 * leaves init idling and reaping, like a kernel with nothing to run. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SHELL "/bin/busybox"
#define QUICK_EXITS 3 /* a shell that ends this many times in a row within a second: give up */

static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(2, buf, (size_t)n) < 0)
		return;
}

static time_t now_s(void)
{
	struct timespec ts;

	return clock_gettime(CLOCK_MONOTONIC, &ts) ? 0 : ts.tv_sec;
}

/* Starts the shell; returns its pid or -1. */
static pid_t start_shell(void)
{
	/* -i: interactive (prompt, SIGINT ignored) although the console is not a tty yet. */
	static char *const argv[] = { "sh", "-i", NULL };
	static char *const envp[] = { "HOME=/", "PATH=/sbin:/bin", "TERM=linux", "PS1=granary# ",
				      NULL };
	pid_t pid = fork();

	if (pid == 0) {
		setsid();
		execve(SHELL, argv, envp);
		say("init: cannot run %s: %s", SHELL, strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		say("init: fork failed: %s", strerror(errno));
	return pid;
}

/* Reaps children forever, sleeping when there are none. */
static __attribute__((noreturn)) void idle(void)
{
	struct timespec ts = { 3600, 0 };

	for (;;)
		if (wait(NULL) < 0 && errno == ECHILD && nanosleep(&ts, NULL) < 0 && errno != EINTR)
			pause();
}

int main(void)
{
	int quick = 0, st;
	pid_t shell, w;
	time_t started;

	if (getpid() != 1)
		say("init: running as pid %d, not 1", (int)getpid());
	say("init: Granary userland; starting %s sh on the console", SHELL);
	for (;;) {
		started = now_s();
		shell = start_shell();
		if (shell < 0)
			break;
		/* Reap everything; only the shell's end starts another. */
		do
			w = wait(&st);
		while (w != shell && (w > 0 || errno == EINTR));
		if (w < 0) {
			say("init: wait failed: %s", strerror(errno));
			break;
		}
		if (WIFSIGNALED(st))
			say("init: the shell was killed by signal %d", WTERMSIG(st));
		else
			say("init: the shell exited with status %d", WEXITSTATUS(st));
		if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
			break;
		quick = now_s() - started < 1 ? quick + 1 : 0;
		if (quick >= QUICK_EXITS) {
			say("init: the shell keeps ending at once");
			break;
		}
	}
	say("init: no shell; idling");
	idle();
}
