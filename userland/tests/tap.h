/* userland/tests/tap.h: the TAP helpers every userland test uses (header-only; one C file a test).
 * Each line goes out in a single write(2) on fd 1, never through stdio buffers, so a crash loses
 * no line and a fork never duplicates pending output. Not a framework: no registration, no
 * fixtures; a test is main() calling tap_init() and then the checks in order. */
#ifndef TAP_H
#define TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static int tap_n, tap_failed, tap_planned;
static char tap_root[256];

static inline void tap_write(const char *buf, size_t len)
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

/* Writes prefix, the formatted text and a newline as one line. */
static inline void tap_vline(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n;

	snprintf(line, sizeof(line) - 1, "%s", prefix);
	n = strlen(line);
	vsnprintf(line + n, sizeof(line) - 1 - n, fmt, ap);
	n = strlen(line);
	line[n++] = '\n';
	tap_write(line, n);
}

__attribute__((format(printf, 1, 2))) static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline("# ", fmt, ap);
	va_end(ap);
}

/*
 * Prints the plan "1..n" and notes where the tree the test runs from is: the program is
 * ROOT/tests/NAME (argv[0], as the runner passes it), so data files and helper programs are
 * found under ROOT both in Granary (ROOT is "") and on a Linux host (the staging tree).
 */
static inline void tap_init(char **argv, int n)
{
	const char *a0 = argv && argv[0] ? argv[0] : "";
	char plan[32], *slash;

	snprintf(tap_root, sizeof(tap_root), "%s", a0);
	for (int i = 0; i < 2; i++) {
		slash = strrchr(tap_root, '/');
		if (slash)
			*slash = '\0';
		else
			tap_root[0] = '\0';
	}
	tap_planned = n;
	snprintf(plan, sizeof(plan), "1..%d\n", n);
	tap_write(plan, strlen(plan));
}

/* ROOT + path, e.g. tap_path("/bin/true"), in a static buffer reused every other call. */
static inline const char *tap_path(const char *path)
{
	static char buf[2][512];
	static int which;

	which ^= 1;
	snprintf(buf[which], sizeof(buf[which]), "%s%s", tap_root, path);
	return buf[which];
}

static inline int tap_vok(int cond, const char *fmt, va_list ap)
{
	char prefix[32];

	tap_n++;
	if (!cond)
		tap_failed++;
	snprintf(prefix, sizeof(prefix), "%sok %d - ", cond ? "" : "not ", tap_n);
	tap_vline(prefix, fmt, ap);
	return cond;
}

/* One test result; returns cond, so that a failing step can skip what depends on it. */
__attribute__((format(printf, 2, 3))) static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vok(cond, fmt, ap);
	va_end(ap);
	return cond;
}

/* A result that could not be checked because an earlier step failed: it counts as a failure. */
__attribute__((format(printf, 1, 2))) static inline void tap_blocked(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vok(0, fmt, ap);
	va_end(ap);
	tap_diag("not checked: an earlier step failed");
}

/* "ok N - description # SKIP reason": only for what the environment lacks, never for a bug. */
static inline void tap_skip(const char *desc, const char *reason)
{
	char line[512];

	tap_n++;
	snprintf(line, sizeof(line), "ok %d - %s # SKIP %s\n", tap_n, desc, reason);
	tap_write(line, strlen(line));
}

/* The process exit status: 0 iff every planned test ran and passed. */
static inline int tap_done(void)
{
	if (tap_n != tap_planned)
		tap_diag("planned %d tests but ran %d", tap_planned, tap_n);
	if (tap_failed)
		tap_diag("%d of %d tests failed", tap_failed, tap_n);
	return tap_failed || tap_n != tap_planned ? 1 : 0;
}

/* Symbolic names for the errors the tests expect, for readable diagnostics. */
static inline const char *tap_errname(int e)
{
	static const char *const names[] = {
		[EPERM] = "EPERM",
		[ENOENT] = "ENOENT",
		[ESRCH] = "ESRCH",
		[ENXIO] = "ENXIO",
		[EINTR] = "EINTR",
		[EIO] = "EIO",
		[E2BIG] = "E2BIG",
		[ENOEXEC] = "ENOEXEC",
		[EBADF] = "EBADF",
		[ECHILD] = "ECHILD",
		[EAGAIN] = "EAGAIN",
		[ENOMEM] = "ENOMEM",
		[EACCES] = "EACCES",
		[EFAULT] = "EFAULT",
		[EBUSY] = "EBUSY",
		[EEXIST] = "EEXIST",
		[EXDEV] = "EXDEV",
		[ENOTDIR] = "ENOTDIR",
		[EISDIR] = "EISDIR",
		[EINVAL] = "EINVAL",
		[EMFILE] = "EMFILE",
		[ENOTTY] = "ENOTTY",
		[ENOSPC] = "ENOSPC",
		[ESPIPE] = "ESPIPE",
		[EPIPE] = "EPIPE",
		[ERANGE] = "ERANGE",
		[ENAMETOOLONG] = "ENAMETOOLONG",
		[ENOSYS] = "ENOSYS",
		[ENOTEMPTY] = "ENOTEMPTY",
		[ELOOP] = "ELOOP",
		[ETIMEDOUT] = "ETIMEDOUT",
	};

	if (e > 0 && e < (int)(sizeof(names) / sizeof(names[0])) && names[e])
		return names[e];
	return "E?";
}

/* ok iff got == want (as long long); a failure prints both values and the expression. */
#define TAP_EQ(got, want, ...) tap_eq_((long long)(got), (long long)(want), #got, __VA_ARGS__)
__attribute__((format(printf, 4, 5))) static inline int
tap_eq_(long long got, long long want, const char *expr, const char *fmt, ...)
{
	va_list ap;
	int ok = got == want;

	va_start(ap, fmt);
	tap_vok(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		tap_diag("%s is %lld (%#llx), expected %lld (%#llx)", expr, got,
			 (unsigned long long)got, want, (unsigned long long)want);
	return ok;
}

/* ok iff the call returned -1 with errno == err (the call is evaluated once, errno reset first). */
#define TAP_ERRNO(call, err, ...)                              \
	({                                                     \
		errno = 0;                                     \
		long r_ = (long)(call);                        \
		int e_ = errno;                                \
		tap_errno_(r_, e_, (err), #call, __VA_ARGS__); \
	})
__attribute__((format(printf, 5, 6))) static inline int
tap_errno_(long ret, int e, int want, const char *expr, const char *fmt, ...)
{
	va_list ap;
	int ok = ret == -1 && e == want;

	va_start(ap, fmt);
	tap_vok(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		tap_diag("%s returned %ld, errno %s (%d); expected -1 with %s (%d)", expr, ret,
			 tap_errname(e), e, tap_errname(want), want);
	return ok;
}

/* ok iff the call did not return -1; a failure prints errno. Returns the call's value. */
#define TAP_SYS(call, ...)                            \
	({                                            \
		errno = 0;                            \
		long r_ = (long)(call);               \
		int e_ = errno;                       \
		tap_sys_(r_, e_, #call, __VA_ARGS__); \
	})
__attribute__((format(printf, 4, 5))) static inline long tap_sys_(long ret, int e, const char *expr,
								  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vok(ret != -1, fmt, ap);
	va_end(ap);
	if (ret == -1)
		tap_diag("%s failed: %s (%d) %s", expr, tap_errname(e), e, strerror(e));
	return ret;
}

/* Describes a wait status for diagnostics. */
static inline const char *tap_wstatus(int st)
{
	static char buf[64];

	if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof(buf), "killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else if (WIFSTOPPED(st))
		snprintf(buf, sizeof(buf), "stopped by signal %d", WSTOPSIG(st));
	else
		snprintf(buf, sizeof(buf), "wait status %#x", st);
	return buf;
}

/*
 * Runs fn(arg) in a child process that then exits with status 0, and returns the child's
 * wait status, or -1 (with a diagnostic) if fork or wait4 failed. The child reports through
 * its exit status or its death, never through TAP lines.
 */
static inline int tap_child(void (*fn)(void *), void *arg)
{
	int st;
	pid_t pid = fork(), w;

	if (pid < 0) {
		tap_diag("fork failed: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	do
		w = wait4(pid, &st, 0, NULL);
	while (w < 0 && errno == EINTR);
	if (w != pid) {
		tap_diag("wait4(%d) returned %d: %s", (int)pid, (int)w, strerror(errno));
		return -1;
	}
	return st;
}

/* ok iff status says the child was killed by signal sig. */
static inline int tap_killed_by(int st, int sig, const char *desc)
{
	int ok = st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig;

	tap_ok(ok, "%s", desc);
	if (!ok && st != -1)
		tap_diag("the child %s; expected signal %d (%s)", tap_wstatus(st), sig,
			 strsignal(sig));
	return ok;
}

/* ok iff status says the child exited with status code. */
static inline int tap_exited_with(int st, int code, const char *desc)
{
	int ok = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code;

	tap_ok(ok, "%s", desc);
	if (!ok && st != -1)
		tap_diag("the child %s; expected exit status %d", tap_wstatus(st), code);
	return ok;
}

/* True when the test runs on the Linux host (userland_host) rather than on Granary. */
static inline int tap_on_linux(void)
{
	struct utsname u;

	return uname(&u) == 0 && !strcmp(u.sysname, "Linux");
}

#endif
