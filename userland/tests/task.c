/* userland/tests/task.c: libgranary's Zen task calls: taskexec and taskwait on processes,
 * taskstart and taskwait on threads, tasksleep, tasksig, taskstop/taskcont, taskpause. */
#include "tap.h"

#include <signal.h>
#include <time.h>
#include <uapi/granary.h>

static volatile sig_atomic_t usr1;
static volatile int shared_word;

static void on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

static void *thread_fn(void *arg)
{
	shared_word = 1;
	return (char *)arg + 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	char *true_argv[] = { "true", NULL }, *no_env[] = { NULL };
	static char token[2];
	struct thr thr, proc;
	sigset_t block, empty;
	long long t0;
	pid_t pid;
	int r;

	(void)argc;
	tap_init(argv, 20);

	pid = taskexec(tap_path("/bin/true"), true_argv, no_env);
	if (tap_ok(pid > 0, "taskexec(/bin/true) returns a pid")) {
		thrproc(&proc, pid);
		TAP_EQ(taskwait(&proc, 0), pid, "taskwait on it returns that pid");
		tap_exited_with(proc.status, 0, "thr.status holds its exit status 0");
	} else {
		tap_diag("taskexec: %s", strerror(errno));
		tap_blocked("taskwait on it returns that pid");
		tap_blocked("thr.status holds its exit status 0");
	}
	TAP_ERRNO(taskexec(tap_path("/tests/data/missing"), true_argv, no_env), ENOENT,
		  "taskexec of a missing file: -1, ENOENT");
	TAP_ERRNO(taskexec(tap_path("/tests/data/notelf"), true_argv, no_env), ENOEXEC,
		  "taskexec of a text file: -1, ENOEXEC");

	r = taskstart(&thr, NULL, thread_fn, token);
	if (TAP_EQ(r, 0, "taskstart starts a thread")) {
		TAP_EQ(taskwait(&thr, 0), 0, "taskwait joins it");
		tap_ok(thr.ret == token + 1 && shared_word == 1,
		       "thr.ret is what the thread returned, and its write is visible");
	} else {
		tap_blocked("taskwait joins it");
		tap_blocked("thr.ret is what the thread returned, and its write is visible");
	}
	struct thratr big = { .stksize = 1 << 20, .flags = 0 };
	shared_word = 0;
	if (taskstart(&thr, &big, thread_fn, token) == 0 && taskwait(&thr, 0) == 0)
		tap_ok(shared_word == 1, "taskstart with a 1 MiB stack runs the thread");
	else
		tap_ok(0, "taskstart with a 1 MiB stack runs the thread (%s)", strerror(errno));

	t0 = now_ms();
	TAP_EQ(tasksleep(NULL, 20000), 0, "tasksleep(NULL, 20000) returns 0");
	tap_ok(now_ms() - t0 >= 20, "... after at least 20 ms (%lld ms)", now_ms() - t0);
	TAP_ERRNO(tasksleep(&proc, 1), EINVAL, "tasksleep of another task: EINVAL");

	signal(SIGUSR1, on_usr1);
	TAP_EQ(tasksig(NULL, SIGUSR1), 0, "tasksig(NULL, SIGUSR1) returns 0");
	TAP_EQ(usr1, 1, "... and the handler ran in this thread");

	/* A child stopped and continued, then killed. */
	pid = fork();
	if (pid == 0)
		for (;;)
			pause();
	if (pid > 0) {
		thrproc(&proc, pid);
		TAP_EQ(tasksig(&proc, 0), 0, "tasksig(child, 0) finds the live child");
		taskstop(&proc);
		r = taskwait(&proc, WUNTRACED);
		tap_ok(r == pid && WIFSTOPPED(proc.status) && WSTOPSIG(proc.status) == SIGSTOP,
		       "taskstop stops it (taskwait with WUNTRACED sees SIGSTOP)");
		taskcont(&proc);
		r = taskwait(&proc, WCONTINUED);
		tap_ok(r == pid && WIFCONTINUED(proc.status), "taskcont continues it (WCONTINUED)");
		tasksig(&proc, SIGKILL);
		r = taskwait(&proc, 0);
		tap_killed_by(r == pid ? proc.status : -1, SIGKILL,
			      "tasksig(child, SIGKILL) kills it");
	} else {
		for (int i = 0; i < 4; i++)
			tap_blocked("tasksig, taskstop, taskcont on a child (fork failed)");
	}

	/* taskpause: SIGUSR1 is blocked until taskpause opens the mask, so it cannot be missed. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&empty);
	usr1 = 0;
	pid = fork();
	if (pid == 0)
		_exit(kill(getppid(), SIGUSR1) ? 1 : 0);
	if (pid > 0) {
		TAP_ERRNO(taskpause(NULL, empty), EINTR,
			  "taskpause returns -1 with EINTR after a signal");
		TAP_EQ(usr1, 1, "... once the SIGUSR1 handler ran");
		waitpid(pid, &r, 0);
	} else {
		tap_blocked("taskpause returns -1 with EINTR after a signal");
		tap_blocked("... once the SIGUSR1 handler ran");
	}
	return tap_done();
}
