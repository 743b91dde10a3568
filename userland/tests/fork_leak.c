/* userland/tests/fork_leak.c: sysinfo's free memory is back exactly at its baseline after 1000
 * fork+exit+wait rounds, 100 fork+exec rounds, 100 thread create+join, a child's 4 MiB. */
#include "tap.h"

#include <pthread.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>

#define FORKS 1000
#define EXECS 100
#define THREADS 100
#define WARMUP 20

/* Linux's free memory moves with its page cache and every other process on the host. */
static long long free_bytes(void)
{
	struct sysinfo si;

	if (sysinfo(&si))
		return -1;
	return (long long)si.freeram * (si.mem_unit ? si.mem_unit : 1);
}

static int reap(pid_t pid)
{
	int st;
	pid_t w;

	do
		w = waitpid(pid, &st, 0);
	while (w < 0 && errno == EINTR);
	return w == pid ? st : -1;
}

/* n rounds of fork + _exit(i & 0x7f) + wait; returns how many ended as expected. */
static int fork_rounds(int n)
{
	int good = 0, st;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(i & 0x7f);
		if (pid < 0)
			break;
		st = reap(pid);
		good += st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == (i & 0x7f);
	}
	return good;
}

static const char *true_path;

static int exec_rounds(int n)
{
	char *av[] = { "true", NULL }, *ev[] = { NULL };
	int good = 0, st;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execve(true_path, av, ev);
			_exit(127);
		}
		if (pid < 0)
			break;
		st = reap(pid);
		good += st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	return good;
}

static void *thread_fn(void *arg)
{
	return arg;
}

static int thread_rounds(int n)
{
	pthread_t t;
	void *ret;
	int good = 0;

	for (int i = 0; i < n; i++)
		good += !pthread_create(&t, NULL, thread_fn, (char *)0 + i) &&
			!pthread_join(t, &ret) && ret == (char *)0 + i;
	return good;
}

static int big_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *m = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (m == MAP_FAILED)
			_exit(1);
		memset(m, 0x5a, 4 << 20);
		_exit(0); /* without munmap: exit must free it */
	}
	return pid > 0 && reap(pid) == 0 ? 1 : 0;
}

/* One TAP line: after == before, or a skip with the difference on Linux. */
static void check_free(int linux_host, long long before, long long after, const char *what)
{
	if (linux_host) {
		tap_skip(what, "Linux's free memory follows its page cache and other processes");
		tap_diag("before %lld, after %lld bytes (%+lld)", before, after, after - before);
		return;
	}
	if (!tap_ok(before > 0 && after == before, "%s", what))
		tap_diag("free memory before %lld bytes, after %lld (%+lld bytes, %+lld pages)",
			 before, after, after - before, (after - before) / 4096);
}

int main(int argc, char **argv)
{
	int linux_host = tap_on_linux(), good;
	long long before, after;

	(void)argc;
	tap_init(argv, 9);
	true_path = strdup(tap_path("/bin/true"));
	before = free_bytes();
	if (!tap_ok(before > 0, "sysinfo reports free memory (%lld KiB)", before / 1024))
		tap_diag("sysinfo: %s", strerror(errno));

	fork_rounds(WARMUP);
	before = free_bytes();
	good = fork_rounds(FORKS);
	after = free_bytes();
	TAP_EQ(good, FORKS, "%d rounds of fork, exit and wait, each with its exit status", FORKS);
	check_free(linux_host, before, after,
		   "free memory after them is exactly what it was after 20 rounds of warm-up");

	exec_rounds(WARMUP);
	before = free_bytes();
	good = exec_rounds(EXECS);
	after = free_bytes();
	TAP_EQ(good, EXECS, "%d rounds of fork, execve(/bin/true) and wait, each exiting 0", EXECS);
	check_free(linux_host, before, after, "free memory after them is back at the baseline");

	thread_rounds(WARMUP);
	before = free_bytes();
	good = thread_rounds(THREADS);
	after = free_bytes();
	TAP_EQ(good, THREADS, "%d rounds of pthread_create and pthread_join", THREADS);
	check_free(linux_host, before, after, "free memory after them is back at the baseline");

	big_child();
	before = free_bytes();
	good = big_child();
	after = free_bytes();
	tap_ok(good, "a child maps and fills 4 MiB and exits without munmap");
	check_free(linux_host, before, after, "free memory after it is back at the baseline");
	return tap_done();
}
