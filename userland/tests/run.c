/* userland/tests/run.c: /tests/run, the userland test runner; started as pid 1 by init=/tests/run.
 * Runs every test program in a child (fork + execve) with a timeout and prints one TAP stream:
 * each child's results renumbered and prefixed with its name, a "not ok" for a child that
 * crashed, timed out or broke its plan, and the plan 1..N at the end. Exits 0 iff all passed
 * (as pid 1, that status becomes QEMU's). The list of programs is compiled in (test-list.h,
 * generated from the sources in userland/tests/), because there may be no directory to read yet.
 *
 * It needs little of the kernel: fork, execve, wait4 (with WNOHANG), write, exit_group. With
 * pipe2, dup2 and fcntl(O_NONBLOCK) it reads each child's output and renumbers it; without
 * pipe2 (or with -n) the children write to the console directly and only crashes and timeouts
 * are added. The timeout uses clock_gettime, nanosleep and kill; without a clock nothing times
 * out here and tools/qemu-run's --timeout is the bound. setpgid, when the kernel has it, lets
 * the runner kill whatever a test left behind. Not a shell: no PATH, no arguments to the tests. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const builtin_tests[] = {
#include "test-list.h"
};

extern char **environ;

static int next_num;	 /* the last number given to a result in the combined stream */
static int total_failed; /* results reported as not ok, including the runner's own */
static int timeout_s = 30;

/* What one child printed, as far as TAP goes. */
struct child_tap {
	const char *name;
	int plan;    /* -1 until a plan line is seen */
	int results; /* ok + not ok lines */
	int failures;
	int bailed;
	size_t len; /* bytes in line[] not yet ended by a newline */
	char line[4096];
};

static void out_raw(const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(1, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* One output line, written at once so that it never interleaves with a child's. */
__attribute__((format(printf, 1, 2))) static void out(const char *fmt, ...)
{
	char buf[4200];
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
	out_raw(buf, (size_t)n);
}

/* Milliseconds on CLOCK_MONOTONIC, or -1 if the kernel has no clock yet. */
static long long now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return -1;
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Skips "ok"/"not ok", the number and " - ", returning the description. */
static const char *tap_desc(const char *s)
{
	while (*s == ' ')
		s++;
	while (*s >= '0' && *s <= '9')
		s++;
	while (*s == ' ')
		s++;
	if (*s == '-' && (s[1] == ' ' || !s[1]))
		s += s[1] ? 2 : 1;
	return s;
}

static void child_line(struct child_tap *c, char *line)
{
	size_t n = strlen(line);
	const char *desc;
	int plan;

	if (n && line[n - 1] == '\r')
		line[--n] = '\0';
	if (!n)
		return;
	if (!strncmp(line, "ok", 2) && (line[2] == ' ' || !line[2])) {
		desc = tap_desc(line + 2);
		c->results++;
		out("ok %d - %s%s%s", ++next_num, c->name, *desc ? ": " : "", desc);
	} else if (!strncmp(line, "not ok", 6) && (line[6] == ' ' || !line[6])) {
		desc = tap_desc(line + 6);
		c->results++;
		c->failures++;
		total_failed++;
		out("not ok %d - %s%s%s", ++next_num, c->name, *desc ? ": " : "", desc);
	} else if (sscanf(line, "1..%d", &plan) == 1 && c->plan < 0) {
		c->plan = plan;
		out("# %s: plan %s", c->name, line);
	} else if (line[0] == '#') {
		out("%s", line);
	} else if (!strncmp(line, "Bail out!", 9)) {
		c->bailed = 1;
		out("# %s: %s", c->name, line);
	} else {
		/* Not TAP (a stray message): shown, but never counted. */
		out("# %s| %s", c->name, line);
	}
}

static void child_bytes(struct child_tap *c, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || c->len == sizeof(c->line) - 1) {
			c->line[c->len] = '\0';
			child_line(c, c->line);
			c->len = 0;
			if (buf[i] == '\n')
				continue;
		}
		c->line[c->len++] = buf[i];
	}
}

/* In the child: stdout and stderr to fd (or left alone if fd < 0), a group of its own, exec. */
static void child_exec(const char *path, int fd)
{
	char *argv[] = { (char *)path, NULL };

	setpgid(0, 0);
	if (fd >= 0 && (dup2(fd, 1) < 0 || dup2(fd, 2) < 0))
		_exit(126);
	execve(path, argv, environ);
	out("# run: execve(%s) failed: %s", path, strerror(errno));
	_exit(127);
}

/* A short pause between looks at a child; without nanosleep, at least let it run. */
static void nap(void)
{
	struct timespec ts = { 0, 10 * 1000000L };

	if (nanosleep(&ts, NULL) < 0 && errno != EINTR)
		sched_yield();
}

/*
 * Waits for pid to end, reading its output from fd (-1: none; non-blocking unless the kernel
 * refused O_NONBLOCK) until then. Returns the wait status, or -1 if wait4 failed; sets
 * *timed_out and kills the child when the timeout passes first. Once the child is gone, only
 * what is already in the pipe is read: a grandchild may hold the pipe open forever.
 */
static int child_wait(pid_t pid, int fd, struct child_tap *c, int *timed_out)
{
	long long start = now_ms(), deadline = start < 0 ? -1 : start + timeout_s * 1000LL;
	int st = 0, exited = 0, eof = fd < 0;
	char buf[1024];
	ssize_t n;
	pid_t w;

	*timed_out = 0;
	while (!exited || !eof) {
		if (!eof) {
			n = read(fd, buf, sizeof(buf));
			if (n > 0)
				child_bytes(c, buf, (size_t)n);
			else if (n == 0 || (errno != EAGAIN && errno != EINTR) || exited)
				eof = 1; /* EOF, an error, or drained after the exit */
		} else {
			n = -1;
		}
		if (!exited) {
			w = wait4(pid, &st, WNOHANG, NULL);
			if (w == pid)
				exited = 1;
			else if (w < 0 && errno != EINTR)
				return -1;
		}
		if (!exited && deadline >= 0 && now_ms() >= deadline) {
			*timed_out = 1;
			kill(pid, SIGKILL);
			while (wait4(pid, &st, 0, NULL) < 0 && errno == EINTR)
				;
			exited = 1;
		}
		if (!exited && n <= 0)
			nap();
	}
	if (c->len) {
		c->line[c->len] = '\0';
		child_line(c, c->line);
		c->len = 0;
	}
	return st;
}

/* Why a child's run counts as one more failure, or NULL if it does not. */
static const char *child_verdict(const struct child_tap *c, int st, int timed_out, int counted,
				 char *buf, size_t size)
{
	if (st == -1)
		return "wait4 failed";
	if (timed_out) {
		snprintf(buf, size, "timed out after %d s", timeout_s);
		return buf;
	}
	if (WIFSIGNALED(st)) {
		snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
		if (counted)
			snprintf(buf + strlen(buf), size - strlen(buf), " after %d results",
				 c->results);
		return buf;
	}
	if (!WIFEXITED(st)) {
		snprintf(buf, size, "ended with wait status %#x", st);
		return buf;
	}
	if (WEXITSTATUS(st) == 127 && c->results == 0)
		return "could not be executed";
	if (!counted) /* output not seen: trust the exit status, the TAP went to the console */
		return NULL;
	if (c->plan < 0)
		return "printed no plan";
	if (c->results != c->plan) {
		snprintf(buf, size, "planned %d tests but reported %d", c->plan, c->results);
		return buf;
	}
	if (c->bailed)
		return "bailed out";
	if (WEXITSTATUS(st) != 0 && c->failures == 0) {
		snprintf(buf, size, "exited with status %d without a failing test",
			 WEXITSTATUS(st));
		return buf;
	}
	if (WEXITSTATUS(st) == 0 && c->failures)
		return "exited with status 0 despite failing tests";
	return NULL;
}

/* Runs one program; returns 1 if it passed. */
static int run_one(const char *dir, const char *name, int *use_pipe)
{
	static struct child_tap c;
	char path[PATH_MAX], why[160];
	const char *verdict;
	int p[2] = { -1, -1 }, st, timed_out, grouped;
	pid_t pid;

	memset(&c, 0, sizeof(c));
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		out("not ok %d - %s: path too long", ++next_num, name);
		total_failed++;
		return 0;
	}
	c.name = name;
	c.plan = -1;
	out("# ---- %s", path);
	if (*use_pipe && pipe2(p, O_CLOEXEC) < 0) {
		out("# run: pipe2 failed (%s): the tests write to the console directly, not "
		    "renumbered",
		    strerror(errno));
		*use_pipe = 0;
	}
	/* Only the runner's end is non-blocking: it must keep an eye on the clock. */
	if (p[0] >= 0 && fcntl(p[0], F_SETFL, O_NONBLOCK) < 0)
		out("# run: no O_NONBLOCK (%s): a test that hangs is not timed out",
		    strerror(errno));
	pid = fork();
	if (pid < 0) {
		out("not ok %d - %s: fork failed: %s", ++next_num, name, strerror(errno));
		total_failed++;
		if (p[0] >= 0) {
			close(p[0]);
			close(p[1]);
		}
		return 0;
	}
	if (pid == 0)
		child_exec(path, p[1]);
	grouped = setpgid(pid, pid) == 0 || getpgid(pid) == pid;
	if (p[1] >= 0)
		close(p[1]);
	st = child_wait(pid, p[0], &c, &timed_out);
	if (p[0] >= 0)
		close(p[0]);
	/* Whatever the test left behind in its group goes now (only if there is such a group:
	 * a kernel without process groups must never see a negative pid here). */
	if (grouped && pid > 1)
		kill(-pid, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0) /* orphans reparented to us, as pid 1 */
		;

	verdict = child_verdict(&c, st, timed_out, p[0] >= 0, why, sizeof(why));
	if (verdict) {
		total_failed++;
		if (p[0] >= 0)
			out("not ok %d - %s: %s", ++next_num, name, verdict);
		else
			out("not ok - %s: %s", name, verdict);
		return 0;
	}
	if (p[0] < 0) {
		/* Its own "not ok" lines, if any, went to the console: no second count here. */
		if (WEXITSTATUS(st))
			out("# run: %s exited with status %d", name, WEXITSTATUS(st));
		return WEXITSTATUS(st) == 0;
	}
	return c.failures == 0;
}

static void usage(void)
{
	out("usage: run [-t SECONDS] [-d DIR] [-n] [NAME...]");
	out("Runs the test programs DIR/NAME (default: /tests and the list built in), each with a");
	out("timeout (default 30 s), and prints their TAP as one stream. Exits 0 iff all passed.");
	out("-n: no pipes; the tests write to the console themselves (what happens without "
	    "pipe2).");
}

/* As pid 1 the runner stands in for init: /proc, /dev and /tmp, as init mounts them. */
static void mount_basics(void)
{
	static const struct { const char *dir, *type; } m[] = {
		{ "/proc", "proc" }, { "/dev", "devfs" }, { "/tmp", "tmpfs" },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		mkdir(m[i].dir, 0755);
		if (mount(m[i].type, m[i].dir, m[i].type, 0, NULL))
			out("# run: mount %s on %s: %s", m[i].type, m[i].dir, strerror(errno));
	}
}

int main(int argc, char **argv)
{
	const char *const *names = builtin_tests;
	char cwd[PATH_MAX], dirbuf[PATH_MAX];
	const char *dir = "/tests";
	int count = (int)(sizeof(builtin_tests) / sizeof(builtin_tests[0]));
	int opt, passed = 0, use_pipe = 1;

	while ((opt = getopt(argc, argv, "t:d:nh")) != -1) {
		switch (opt) {
		case 'n':
			use_pipe = 0;
			break;
		case 't':
			timeout_s = atoi(optarg);
			if (timeout_s <= 0)
				timeout_s = 30;
			break;
		case 'd':
			dir = optarg;
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind < argc) {
		names = (const char *const *)argv + optind;
		count = argc - optind;
	}
	if (getpid() == 1)
		mount_basics();
	/* The tests find their data through argv[0], so give them an absolute path. */
	if (dir[0] != '/' && getcwd(cwd, sizeof(cwd)) &&
	    snprintf(dirbuf, sizeof(dirbuf), "%s/%s", cwd, dir) < (int)sizeof(dirbuf))
		dir = dirbuf;

	out("# run: %d test programs in %s, %d s each, as pid %d%s", count, dir, timeout_s,
	    (int)getpid(), use_pipe ? "" : ", without pipes");
	for (int i = 0; i < count; i++)
		passed += run_one(dir, names[i], &use_pipe);
	if (use_pipe) {
		out("1..%d", next_num);
		out("# run: %d of %d programs passed; %d results, %d failed", passed, count,
		    next_num, total_failed);
	} else {
		out("# run: %d of %d programs passed", passed, count);
	}
	return passed == count && total_failed == 0 ? 0 : 1;
}
