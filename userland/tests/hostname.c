/* userland/tests/hostname.c: sethostname, setdomainname and uname, and klogctl (syslog(2)): the
 * errno of each refusal and the exact names read back. On a Linux host it works in a UTS namespace
 * of its own when it can, so two runs at once cannot mix up the host's name, and restores the names. */
#include "tap.h"

#include <sched.h>
#include <signal.h>
#include <time.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

static struct utsname orig;
static int restore_needed;

/* The host's names come back however the test ends (short of a crash). */
static void restore_names(void)
{
	if (!restore_needed)
		return;
	restore_needed = 0;
	sethostname(orig.nodename, strlen(orig.nodename));
	setdomainname(orig.domainname, strlen(orig.domainname));
}

static int nodename_is(const char *want)
{
	struct utsname u;

	return uname(&u) == 0 && strcmp(u.nodename, want) == 0;
}

/* A non-root child: each refusal in turn; the exit status names the first that was wrong. */
static void unprivileged(void *arg)
{
	char buf[64];

	(void)arg;
	if (setgid(1000) || setuid(1000))
		_exit(10);
	if (sethostname("nope", 4) != -1 || errno != EPERM)
		_exit(1);
	if (setdomainname("nope", 4) != -1 || errno != EPERM)
		_exit(2);
	/* EPERM comes before the length check, as in Linux. */
	if (sethostname("nope", 1000) != -1 || errno != EPERM)
		_exit(3);
	if (klogctl(5, NULL, 0) != -1 || errno != EPERM)
		_exit(4);
	if (klogctl(4, buf, sizeof(buf)) != -1 || errno != EPERM)
		_exit(5);
	if (klogctl(8, NULL, 4) != -1 || errno != EPERM)
		_exit(6);
	if (klogctl(2, buf, sizeof(buf)) != -1 || errno != EPERM)
		_exit(7);
	if (klogctl(9, NULL, 0) != -1 || errno != EPERM)
		_exit(8);
	_exit(0);
}

/* Granary's dmesg_restrict is 0: anyone reads the whole log and its size. */
static void unprivileged_read_all(void *arg)
{
	char buf[256];

	(void)arg;
	if (setgid(1000) || setuid(1000))
		_exit(10);
	if (klogctl(10, NULL, 0) <= 0)
		_exit(1);
	if (klogctl(3, buf, sizeof(buf)) < 0)
		_exit(2);
	_exit(0);
}

static void on_signal(int sig)
{
	(void)sig;
}

/* A blocking read of an empty log waits, and a signal without SA_RESTART ends it with EINTR.
 * The parent signals until the child is done (a signal before the read would be lost on it).
 * Returns the child's wait status, or -1. */
static int blocking_read(void)
{
	struct sigaction sa;
	char buf[64];
	int st = -1;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	pid = fork();
	if (pid == 0) {
		sigaction(SIGUSR1, &sa, NULL);
		if (klogctl(2, buf, sizeof(buf)) != -1 || errno != EINTR)
			_exit(1);
		_exit(0);
	}
	for (int i = 0; pid > 0 && i < 200; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		kill(pid, SIGUSR1);
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	return st;
}

/* Every line of a syslog read is "<digit>...\n". */
static int lines_ok(const char *buf, int n)
{
	int start = 1;

	if (n > 0 && buf[n - 1] != '\n')
		return 0;
	for (int i = 0; i < n; i++) {
		if (start && (i + 2 >= n || buf[i] != '<' || buf[i + 1] < '0' || buf[i + 1] > '7' ||
			      buf[i + 2] != '>'))
			return 0;
		start = buf[i] == '\n';
	}
	return 1;
}

static void test_names(int root, int granary)
{
	char long_name[66];
	struct utsname u;

	if (granary) {
		tap_ok(!strcmp(orig.nodename, "granary") && !strcmp(orig.domainname, "(none)"),
		       "uname: the default names are granary and (none) (got %s, %s)", orig.nodename,
		       orig.domainname);
	} else {
		tap_skip("uname: the default names are granary and (none)", "not running on Granary");
	}
	if (!root) {
		for (int i = 0; i < 10; i++)
			tap_skip("sethostname/setdomainname as root", "not root");
		return;
	}
	restore_needed = 1;
	TAP_EQ(sethostname("procgen-test", 12), 0, "sethostname(\"procgen-test\", 12) succeeds");
	tap_ok(nodename_is("procgen-test"), "uname's nodename is the new name");
	/* The length counts, not a NUL. */
	sethostname("abcdef", 3);
	tap_ok(nodename_is("abc"), "sethostname(\"abcdef\", 3) sets \"abc\"");
	memset(long_name, 'h', 64);
	long_name[64] = 'X';
	long_name[65] = '\0';
	tap_ok(sethostname(long_name, 64) == 0 && uname(&u) == 0 && strlen(u.nodename) == 64,
	       "a 64-byte name is the longest accepted, and read back whole");
	TAP_ERRNO(sethostname(long_name, 65), EINVAL, "a 65-byte name is EINVAL");
	tap_ok(uname(&u) == 0 && strlen(u.nodename) == 64, "a refused name leaves the old one");
	TAP_ERRNO(syscall(SYS_sethostname, "x", -1), EINVAL, "a negative length is EINVAL");
	TAP_ERRNO(syscall(SYS_sethostname, (char *)8, 5), EFAULT, "a bad pointer is EFAULT");
	tap_ok(setdomainname("example.org", 11) == 0 && uname(&u) == 0 &&
		       !strcmp(u.domainname, "example.org"),
	       "setdomainname sets uname's domainname");
	TAP_ERRNO(setdomainname(long_name, 65), EINVAL, "a 65-byte domain name is EINVAL");
}

static void test_klog(int root, int granary)
{
	int size, n;
	char *buf, small[40];

	size = klogctl(10, NULL, 0);
	tap_ok(size > 0 && (size & (size - 1)) == 0, "klogctl(10) is the log size, a power of two (%d)",
	       size);
	if (size <= 0)
		size = 4096;
	buf = malloc((size_t)size);
	n = klogctl(3, buf, size);
	tap_ok(n > 0 && n <= size && lines_ok(buf, n),
	       "klogctl(3) reads whole \"<level>...\" lines (%d bytes)", n);
	n = klogctl(3, small, sizeof(small));
	tap_ok(n >= 0 && n <= (int)sizeof(small) && lines_ok(small, n),
	       "klogctl(3) with a small buffer gives only whole lines that fit (%d bytes)", n);
	TAP_EQ(klogctl(3, buf, 0), 0, "klogctl(3) with length 0 reads nothing");
	TAP_ERRNO(klogctl(3, NULL, 10), EINVAL, "klogctl(3) without a buffer is EINVAL");
	TAP_ERRNO(klogctl(3, buf, -1), EINVAL, "klogctl(3) with a negative length is EINVAL");
	/* A length the newest line surely fits in, or nothing would be copied at all. */
	TAP_ERRNO(klogctl(3, (char *)8, size), EFAULT, "klogctl(3) into a bad pointer is EFAULT");
	if (root) {
		TAP_ERRNO(klogctl(8, NULL, 0), EINVAL, "klogctl(8) with level 0 is EINVAL");
		TAP_ERRNO(klogctl(8, NULL, 9), EINVAL, "klogctl(8) with level 9 is EINVAL");
		TAP_ERRNO(klogctl(11, NULL, 0), EINVAL, "an unknown action is EINVAL");
		tap_exited_with(tap_child(unprivileged, NULL), 0,
				"without root: names, clear, read-clear, console level, read and "
				"unread count are EPERM");
	} else {
		for (int i = 0; i < 4; i++)
			tap_skip("klogctl refusals checked as root", "not root");
	}

	if (!granary || !root) {
		/* Destructive on a real machine's log, or Granary-specific (dmesg_restrict). */
		for (int i = 0; i < 7; i++)
			tap_skip("klogctl read, clear and unprivileged reading", "only on Granary as root");
		free(buf);
		return;
	}
	tap_exited_with(tap_child(unprivileged_read_all, NULL), 0,
			"without root, klogctl(10) and klogctl(3) are allowed");
	n = klogctl(9, NULL, 0);
	tap_ok(n > 10, "klogctl(9) counts unread bytes (%d)", n);
	if (n > 10) {
		int m = klogctl(2, small, 5);
		tap_ok(m == 5 && small[0] == '<' && klogctl(9, NULL, 0) == n - 5,
		       "klogctl(2) of 5 bytes consumes exactly 5 (%d left)", klogctl(9, NULL, 0));
		m = klogctl(2, buf, size);
		tap_ok(m == n - 5 && klogctl(9, NULL, 0) == 0 && buf[m - 1] == '\n',
		       "klogctl(2) reads the rest of the unread lines (%d bytes)", m);
	} else {
		tap_blocked("klogctl(2) of 5 bytes consumes exactly 5");
		tap_blocked("klogctl(2) reads the rest of the unread lines");
	}
	tap_exited_with(blocking_read(), 0,
			"klogctl(2) on an empty log blocks until a signal (EINTR)");
	n = klogctl(4, buf, size);
	tap_ok(n > 0 && klogctl(3, buf, size) == 0, "klogctl(4) reads (%d bytes) then clears", n);
	tap_ok(klogctl(5, NULL, 0) == 0 && klogctl(3, buf, size) == 0,
	       "klogctl(5) clears: klogctl(3) then reads nothing");
	free(buf);
}

int main(int argc, char **argv)
{
	int root = geteuid() == 0, granary;

	(void)argc;
	tap_init(argv, 30);
	if (uname(&orig) != 0) {
		tap_diag("uname failed: %s", strerror(errno));
		return 1;
	}
	granary = !strcmp(orig.sysname, "Granary");
	/* Linux: names changed from here on are this process's (and its children's) alone. */
	if (!granary && root && unshare(CLONE_NEWUTS) != 0)
		tap_diag("no UTS namespace (%s): changing the host's names, then restoring them",
			 strerror(errno));
	atexit(restore_names);
	test_names(root, granary);
	restore_names();
	tap_ok(nodename_is(orig.nodename), "the original names are back (%s)", orig.nodename);
	test_klog(root, granary);
	return tap_done();
}
