/* userland/lib/task.c: the Zen task interface (task*) over POSIX processes and musl's threads.
 * Not a scheduler interface of its own: every call is one or two POSIX calls, documented in
 * include/uapi/granary.h with what it returns. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <uapi/granary.h>
#include <unistd.h>

/* Is thr the calling thread, for the calls that only act on the caller? */
static int thr_is_self(const struct thr *thr)
{
	if (!thr)
		return 1;
	return thr->type == THR_THREAD && pthread_equal(thr->pthread, pthread_self());
}

/* pthread calls return an error number; the task calls use -1 and errno. */
static int err_ret(int err)
{
	if (!err)
		return 0;
	errno = err;
	return -1;
}

void thrproc(struct thr *thr, pid_t pid)
{
	memset(thr, 0, sizeof(*thr));
	thr->type = THR_PROC;
	thr->pid = pid;
}

/*
 * The child tells the parent why execve failed through a close-on-exec pipe: a successful
 * exec closes it with nothing written. Without pipes (an early kernel) the error only shows
 * as the child's exit status 127.
 */
int taskexec(const char *pathname, char *const argv[], char *const envp[])
{
	int fds[2], err, st;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		fds[0] = fds[1] = -1;
	pid = fork();
	if (pid < 0) {
		err = errno;
		if (fds[0] >= 0) {
			close(fds[0]);
			close(fds[1]);
		}
		errno = err;
		return -1;
	}
	if (pid == 0) {
		execve(pathname, argv, envp);
		err = errno;
		if (fds[1] >= 0)
			while (write(fds[1], &err, sizeof(err)) < 0 && errno == EINTR)
				;
		_exit(127);
	}
	if (fds[0] < 0)
		return pid;
	close(fds[1]);
	do
		n = read(fds[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n != sizeof(err))
		return pid;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	errno = err;
	return -1;
}

int taskstart(struct thr *thr, const struct thratr *atr, void *(*func)(void *), void *arg)
{
	pthread_attr_t pa;
	int err;

	if (!thr || !func)
		return err_ret(EINVAL);
	memset(thr, 0, sizeof(*thr));
	err = pthread_attr_init(&pa);
	if (!err && atr && atr->stksize)
		err = pthread_attr_setstacksize(&pa, atr->stksize);
	if (!err && atr && (atr->flags & THR_DETACHED))
		err = pthread_attr_setdetachstate(&pa, PTHREAD_CREATE_DETACHED);
	if (!err && atr && (atr->flags & ~THR_DETACHED))
		err = EINVAL;
	if (!err)
		err = pthread_create(&thr->pthread, &pa, func, arg);
	pthread_attr_destroy(&pa);
	if (!err)
		thr->type = THR_THREAD;
	return err_ret(err);
}

int tasksleep(struct thr *thr, unsigned int usecs)
{
	struct timespec ts = { .tv_sec = usecs / 1000000, .tv_nsec = (usecs % 1000000) * 1000L };

	if (!thr_is_self(thr))
		return err_ret(EINVAL);
	return nanosleep(&ts, NULL);
}

int taskwait(struct thr *thr, intptr_t wchan)
{
	pid_t pid;
	int st;

	if (!thr)
		return wait4(-1, NULL, (int)wchan, NULL);
	switch (thr->type) {
	case THR_THREAD:
		if (wchan)
			return err_ret(EINVAL);
		return err_ret(pthread_join(thr->pthread, &thr->ret));
	case THR_PROC:
		pid = wait4(thr->pid, &st, (int)wchan, NULL);
		if (pid > 0)
			thr->status = st;
		return pid;
	default:
		return err_ret(EINVAL);
	}
}

int taskpause(struct thr *thr, sigset_t sigmask)
{
	if (!thr_is_self(thr))
		return err_ret(EINVAL);
	return sigsuspend(&sigmask);
}

int tasksig(struct thr *thr, int sig)
{
	if (!thr)
		return raise(sig);
	switch (thr->type) {
	case THR_THREAD:
		return err_ret(pthread_kill(thr->pthread, sig));
	case THR_PROC:
		return kill(thr->pid, sig);
	default:
		return err_ret(EINVAL);
	}
}

int taskstop(struct thr *thr)
{
	return tasksig(thr, SIGSTOP);
}

int taskcont(struct thr *thr)
{
	return tasksig(thr, SIGCONT);
}

void taskyield(void)
{
	sched_yield();
}
