/* userland/bench/bench.c: /bin/bench, user-space micro-benchmarks of the system-call paths.
 * Prints "BENCH name value ns" per benchmark: nanoseconds per operation on CLOCK_MONOTONIC,
 * which under make bench (QEMU --icount) counts guest instructions, so figures are repeatable.
 * Started as pid 1 by init=/bin/bench; exits 0 iff every benchmark ran. Not a test: no bounds. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <uapi/granary.h>
#include <uapi/module.h>

#define MAP_SIZE (4UL << 20)

static char true_path[512] = "/bin/true";
static char scratch_file[64] = "/tmp/bench-file";
/* Time a benchmark spends on set-up inside its loop, taken off its figure. */
static long long untimed_ns;

static void out(const char *fmt, ...)
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
	if (write(1, buf, (size_t)n) < 0)
		return;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Each benchmark runs n operations and returns 0, or -1 with errno set. */

static int bench_getppid(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}

/* 64-byte writes into a pipe, drained by one read every 256 writes (16 KiB). */
static int bench_pipe_write(long n)
{
	static char buf[16384];
	int p[2];

	if (pipe(p))
		return -1;
	for (long i = 0; i < n; i++) {
		if (write(p[1], buf, 64) != 64)
			return -1;
		if (i % 256 == 255 && read(p[0], buf, sizeof(buf)) != 16384)
			return -1;
	}
	close(p[0]);
	close(p[1]);
	return 0;
}

/* One byte there and back between two processes: n round trips. */
static int bench_pipe_pingpong(long n)
{
	int there[2], back[2], st;
	char c = 'x';
	pid_t pid;

	if (pipe(there) || pipe(back))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		for (long i = 0; i < n; i++)
			if (read(there[0], &c, 1) != 1 || write(back[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	for (long i = 0; i < n; i++)
		if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			break;
	close(there[0]); /* first, so that a child still reading sees EOF */
	close(there[1]);
	close(back[0]);
	close(back[1]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : (errno = EPIPE, -1);
}

static int bench_fork_exit_wait(long n)
{
	int st;

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &st, 0) != pid)
			return -1;
	}
	return 0;
}

static int bench_fork_exec_wait(long n)
{
	char *argv[] = { "true", NULL }, *envp[] = { NULL };
	int st;

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0) {
			execve(true_path, argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid)
			return -1;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			errno = ENOEXEC;
			return -1;
		}
	}
	return 0;
}

/* Two processes take turns through a shared counter, yielding while it is the other's turn:
 * n turns each, so 2n hand-overs; reported per hand-over. */
static int bench_yield_pingpong(long n)
{
	volatile long *turn =
		mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int st;
	pid_t pid;

	if (turn == MAP_FAILED)
		return -1;
	*turn = 0;
	pid = fork();
	if (pid < 0)
		return -1;
	for (long i = 0; i < n; i++) {
		long mine = 2 * i + (pid == 0);

		while (*turn != mine)
			sched_yield();
		*turn = mine + 1;
	}
	if (pid == 0)
		_exit(0);
	waitpid(pid, &st, 0);
	munmap((void *)turn, 4096);
	return 0;
}

/* Map 4 MiB, write one byte in each page, unmap. */
static int bench_mmap_touch(long n)
{
	for (long i = 0; i < n; i++) {
		char *m = mmap(NULL, MAP_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (m == MAP_FAILED)
			return -1;
		for (size_t off = 0; off < MAP_SIZE; off += 4096)
			m[off] = 1;
		if (munmap(m, MAP_SIZE))
			return -1;
	}
	return 0;
}

/* The path walk: stat of a four-component name (every component a cache hit). */
static int bench_stat_path(long n)
{
	struct stat st;

	for (long i = 0; i < n; i++)
		if (stat("/usr/bin/../../bin/busybox", &st))
			return -1;
	return 0;
}

/* open, write 4 KiB, close and unlink of a new file in the scratch directory. */
static int bench_create_write_unlink(long n)
{
	static char page[4096];

	for (long i = 0; i < n; i++) {
		int fd = open(scratch_file, O_CREAT | O_EXCL | O_WRONLY, 0600);
		if (fd < 0 || write(fd, page, sizeof(page)) != (ssize_t)sizeof(page) || close(fd) ||
		    unlink(scratch_file))
			return -1;
	}
	return 0;
}

/* getdents64 of the whole of /bin (the busybox applet links), open to close. */
static int bench_readdir_bin(long n)
{
	static char buf[8192];

	for (long i = 0; i < n; i++) {
		int fd = open("/bin", O_RDONLY | O_DIRECTORY);
		long r;
		if (fd < 0)
			return -1;
		while ((r = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
			;
		close(fd);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Loads fat.ko by name (read from /lib/modules, checked, laid out, linked, init run) and unloads
 * it; with timed_load the load is what is measured, else the unload. ENOSYS off Granary. */
static int module_cycle(long n, int timed_load)
{
	char why[160];

	for (long i = 0; i < n; i++) {
		long long t0 = now_ns(), t1;
		long r = module_load(MODULE_LOAD_NAME, "fat", 0, "", why, sizeof(why));

		t1 = now_ns();
		if (r >= 0)
			r = module_unload("fat", why, sizeof(why));
		if (r < 0) {
			errno = (int)-r;
			return -1;
		}
		untimed_ns += timed_load ? now_ns() - t1 : t1 - t0;
	}
	return 0;
}

static int bench_module_load(long n)
{
	return module_cycle(n, 1);
}

static int bench_module_unload(long n)
{
	return module_cycle(n, 0);
}

static const struct bench {
	const char *name;
	int (*fn)(long n);
	long n;	  /* operations timed */
	long per; /* hand-overs per operation, for the figure per unit */
} benches[] = {
	{ "getppid", bench_getppid, 20000, 1 },
	{ "pipe_write_64", bench_pipe_write, 20480, 1 },
	{ "pipe_pingpong", bench_pipe_pingpong, 2000, 1 },
	{ "fork_exit_wait", bench_fork_exit_wait, 200, 1 },
	{ "fork_exec_wait", bench_fork_exec_wait, 100, 1 },
	{ "yield_pingpong", bench_yield_pingpong, 2000, 2 },
	{ "mmap_touch_munmap_4m", bench_mmap_touch, 20, 1 },
	{ "stat_path_4", bench_stat_path, 5000, 1 },
	{ "create_write4k_unlink", bench_create_write_unlink, 1000, 1 },
	{ "readdir_bin", bench_readdir_bin, 100, 1 },
	{ "module_load_fat", bench_module_load, 20, 1 },
	{ "module_unload_fat", bench_module_unload, 20, 1 },
};
#define NBENCH (sizeof(benches) / sizeof(benches[0]))

int main(int argc, char **argv)
{
	int failed = 0;
	char *slash;

	/* /bin/true beside /bin/bench, wherever this copy lives (a host's staging tree too). */
	if (argv[0] && (slash = strrchr(argv[0], '/')))
		snprintf(true_path, sizeof(true_path), "%.*s/true", (int)(slash - argv[0]),
			 argv[0]);
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		out("usage: bench [NAME...]   (default: all; prints BENCH name ns-per-op ns)");
		for (size_t i = 0; i < NBENCH; i++)
			out("  %s", benches[i].name);
		return 0;
	}
	for (int a = 1; a < argc; a++) {
		size_t i = 0;

		while (i < NBENCH && strcmp(argv[a], benches[i].name))
			i++;
		if (i == NBENCH) {
			out("# bench: no benchmark called %s (--help lists them)", argv[a]);
			return 2;
		}
	}
	for (size_t i = 0; i < NBENCH; i++) {
		const struct bench *b = &benches[i];
		int chosen = argc < 2;
		long long t0, t1;

		for (int a = 1; a < argc; a++)
			chosen |= !strcmp(argv[a], b->name);
		if (!chosen)
			continue;
		b->fn(b->n / 10 + 1); /* warm up: fault in code and data */
		untimed_ns = 0;
		t0 = now_ns();
		if (b->fn(b->n)) {
			if (errno == ENOSYS || errno == EEXIST) {
				out("# bench: %s skipped: %s", b->name,
				    errno == ENOSYS ? "no such call here" : "built into this kernel");
				continue;
			}
			out("# bench: %s failed: %s", b->name, strerror(errno));
			failed++;
			continue;
		}
		t1 = now_ns() - untimed_ns;
		out("BENCH %s %lld ns", b->name, (t1 - t0) / (b->n * b->per));
	}
	return failed ? 1 : 0;
}
