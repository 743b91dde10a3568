/* userland/init/init.c: /sbin/init, Granary's pid 1: mounts /proc, /dev and /tmp, sets the hostname,
 * keeps a busybox login shell on each console (/dev/ttyS0, /dev/tty0), reaps orphans, and powers off
 * or reboots when busybox's poweroff/reboot/halt signal it. Not a service manager (silod comes later)
 * and not a getty: there is no login; the shells run as root. Every step is logged on init's console
 * as "init: ..."; errors name their errno. init never exits: pid 1's exit powers the machine off. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define SHELL "/bin/busybox"
#define MOTD "/etc/motd"
#define HOSTNAME_FILE "/etc/hostname"
#define QUICK_SECONDS 2	 /* a shell that lived less than this "ended at once" */
#define QUICK_LIMIT 3	 /* after this many quick ends in a row ... */
#define HOLD_SECONDS 30 /* ... the console rests this long before the next shell */

static const struct {
	const char *source, *target, *fstype;
} mounts[] = {
	{ "proc", "/proc", "proc" },
	{ "devfs", "/dev", "devfs" },
	{ "tmpfs", "/tmp", "tmpfs" },
};

/* One console and the shell on it. path NULL: the descriptors init inherited from the kernel. */
struct console {
	const char *path;
	pid_t pid;	   /* its shell, 0 while none runs */
	time_t started;	   /* when that shell started */
	time_t not_before; /* no new shell before this time; -1: never (no such console) */
	int quick;	   /* quick ends in a row */
};

/* The serial port, the screen with the keyboard, and last the fallback (used only if neither opens). */
static struct console consoles[] = {
	{ .path = "/dev/ttyS0" },
	{ .path = "/dev/tty0" },
	{ .path = NULL },
};
#define NCONSOLES (sizeof(consoles) / sizeof(consoles[0]))

static const char *errname(int e)
{
#define E(x) { x, #x }
	static const struct {
		int e;
		const char *name;
	} names[] = {
		E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
		E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT),
		E(EBUSY), E(EEXIST), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE),
		E(EMFILE), E(ENOTTY), E(ENOSPC), E(EROFS), E(ENAMETOOLONG), E(ENOSYS), E(ELOOP),
		E(EOPNOTSUPP),
	};
#undef E
	static char other[16];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

/* "init: " + the message + a newline, as one write to init's console. */
static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	memcpy(buf, "init: ", 6);
	va_start(ap, fmt);
	n = vsnprintf(buf + 6, sizeof(buf) - 7, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n += 6;
	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	buf[n++] = '\n';
	if (write(2, buf, (size_t)n) < 0)
		return;
}

static time_t now_s(void)
{
	struct timespec ts;

	return clock_gettime(CLOCK_MONOTONIC, &ts) ? 0 : ts.tv_sec;
}

static void mount_all(void)
{
	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		if (mount(mounts[i].source, mounts[i].target, mounts[i].fstype, 0, NULL))
			say("mount %s on %s: %s", mounts[i].fstype, mounts[i].target, errname(errno));
		else
			say("mounted %s on %s", mounts[i].fstype, mounts[i].target);
	}
}

/* The first line of /etc/hostname becomes the hostname. */
static void set_hostname(void)
{
	char name[65];
	ssize_t n;
	int fd = open(HOSTNAME_FILE, O_RDONLY);

	if (fd < 0) {
		say("%s: %s", HOSTNAME_FILE, errname(errno));
		return;
	}
	n = read(fd, name, sizeof(name) - 1);
	close(fd);
	if (n < 0) {
		say("read %s: %s", HOSTNAME_FILE, errname(errno));
		return;
	}
	name[n] = '\0';
	name[strcspn(name, "\n")] = '\0';
	if (!name[0])
		say("%s is empty; hostname unchanged", HOSTNAME_FILE);
	else if (sethostname(name, strlen(name)))
		say("sethostname %s: %s", name, errname(errno));
	else
		say("hostname %s", name);
}

/* Copies /etc/motd to fd 1 (in the shell's child, so it lands on that console before the prompt). */
static void print_motd(void)
{
	char buf[512];
	ssize_t n;
	int fd = open(MOTD, O_RDONLY);

	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, (size_t)n) != n)
			break;
	close(fd);
}

/* In the child: makes c's terminal the controlling terminal on 0/1/2 and runs the shell. */
static __attribute__((noreturn)) void run_shell(const struct console *c)
{
	/* "-sh": a login shell (reads /etc/profile); -i: interactive even on the boot console,
	 * which is not a tty until the tty layer comes. */
	static char *const argv[] = { "-sh", "-i", NULL };
	static char *const envp[] = { "HOME=/root", "PATH=/sbin:/usr/sbin:/bin:/usr/bin",
				      "TERM=linux", "SHELL=/bin/sh", "USER=root", "LOGNAME=root", NULL };
	int fd;

	/* A new session has no controlling terminal; the first tty it opens becomes it. */
	if (setsid() < 0)
		say("setsid: %s", errname(errno));
	if (c->path) {
		fd = open(c->path, O_RDWR);
		if (fd < 0) {
			say("open %s: %s", c->path, errname(errno));
			_exit(126);
		}
		/* Opening it made it our controlling terminal, as on Linux; if not, ask. */
		if (tcgetsid(fd) != getpid() && ioctl(fd, TIOCSCTTY, 0) < 0)
			say("%s is not the shell's controlling terminal (TIOCSCTTY: %s): no ^C, "
			    "no job control", c->path, errname(errno));
		if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) {
			say("dup2 %s: %s", c->path, errname(errno));
			_exit(126);
		}
		if (fd > 2)
			close(fd);
	}
	print_motd();
	execve(SHELL, argv, envp);
	say("exec %s: %s", SHELL, errname(errno));
	_exit(127);
}

static void start_shell(struct console *c)
{
	pid_t pid = fork();

	if (pid == 0)
		run_shell(c);
	if (pid < 0) {
		say("fork: %s", errname(errno));
		c->not_before = now_s() + 1;
		return;
	}
	c->pid = pid;
	c->started = now_s();
	say("shell %d on %s", (int)pid, c->path ? c->path : "the boot console");
}

/* A console's shell ended: log how, and decide when the next one may start. */
static void shell_ended(struct console *c, int st)
{
	const char *where = c->path ? c->path : "the boot console";
	time_t now = now_s();

	if (WIFSIGNALED(st))
		say("shell %d on %s killed by signal %d", (int)c->pid, where, WTERMSIG(st));
	else
		say("shell %d on %s exited with status %d", (int)c->pid, where, WEXITSTATUS(st));
	c->pid = 0;
	c->quick = now - c->started < QUICK_SECONDS ? c->quick + 1 : 0;
	c->not_before = now;
	if (c->quick >= QUICK_LIMIT) {
		say("the shell on %s keeps ending at once; next try in %d s", where, HOLD_SECONDS);
		c->not_before = now + HOLD_SECONDS;
		c->quick = 0;
	}
}

/* A constant message from a signal handler, where say()'s formatting is not safe. */
static void say_raw(const char *msg)
{
	if (write(2, msg, strlen(msg)) < 0)
		return;
}

/*
 * busybox's halt, poweroff and reboot signal pid 1 (SIGUSR1, SIGUSR2, SIGTERM). The shutdown runs in
 * the handler itself: the main loop sleeps in wait(), and a flag tested before that call could be
 * set just after the test, leaving the shutdown waiting for the next child to end. Everything here
 * is a plain system call, safe in a handler. If reboot(2) fails, init carries on: the main loop
 * starts new shells.
 */
static void shutdown_handler(int sig)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	int cmd = sig == SIGUSR2 ? RB_POWER_OFF : sig == SIGUSR1 ? RB_HALT_SYSTEM : RB_AUTOBOOT;
	int saved = errno;

	say_raw(sig == SIGUSR2 ? "init: power off: stopping all processes\n" :
		sig == SIGUSR1 ? "init: halt: stopping all processes\n" :
				 "init: reboot: stopping all processes\n");
	/* SIGTERM, SIGHUP (interactive shells ignore SIGTERM) and SIGCONT for the stopped; up to
	 * a second to go, then SIGKILL. */
	kill(-1, SIGTERM);
	kill(-1, SIGHUP);
	kill(-1, SIGCONT);
	for (int i = 0; i < 20 && waitpid(-1, NULL, WNOHANG) >= 0; i++)
		nanosleep(&tick, NULL);
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	sync();
	reboot(cmd);
	say_raw(errno == ENOSYS ? "init: reboot(2): ENOSYS; carrying on\n" :
		errno == EPERM	? "init: reboot(2): EPERM; carrying on\n" :
				  "init: reboot(2) failed; carrying on\n");
	errno = saved;
}

/* Does nothing: its only use is to end a wait() when a console's rest is over. */
static void alarm_handler(int sig)
{
	(void)sig;
}

static void catch_signals(void)
{
	struct sigaction sa;

	/* No SA_RESTART: both must interrupt wait(). */
	memset(&sa, 0, sizeof(sa));
	sigfillset(&sa.sa_mask);
	sa.sa_handler = shutdown_handler;
	if (sigaction(SIGUSR1, &sa, NULL) || sigaction(SIGUSR2, &sa, NULL) ||
	    sigaction(SIGTERM, &sa, NULL))
		say("sigaction: %s; poweroff and reboot will not work", errname(errno));
	sa.sa_handler = alarm_handler;
	if (sigaction(SIGALRM, &sa, NULL))
		say("sigaction SIGALRM: %s", errname(errno));
}

/* Which consoles get a shell: the ttys that open, or else the descriptors init inherited. */
static void pick_consoles(void)
{
	int found = 0, fd;

	for (size_t i = 0; i < NCONSOLES; i++) {
		if (!consoles[i].path) {
			consoles[i].not_before = found ? -1 : 0; /* -1: never */
			if (!found)
				say("no console device opened; the shell runs on the boot console");
			continue;
		}
		/* O_NOCTTY: init itself must not take a controlling terminal. */
		fd = open(consoles[i].path, O_RDWR | O_NOCTTY);
		if (fd < 0) {
			say("%s: %s; no shell there", consoles[i].path, errname(errno));
			consoles[i].not_before = -1;
			continue;
		}
		close(fd);
		found++;
	}
}

/* Starts the shells that are due; returns seconds until the next one is due (0: none waits). */
static unsigned start_due_shells(void)
{
	time_t now = now_s(), next = 0;

	for (size_t i = 0; i < NCONSOLES; i++) {
		struct console *c = &consoles[i];

		if (c->pid || c->not_before < 0)
			continue;
		if (c->not_before <= now)
			start_shell(c);
		else if (!next || c->not_before < next)
			next = c->not_before;
	}
	return next ? (unsigned)(next - now) : 0;
}

static struct console *console_of(pid_t pid)
{
	for (size_t i = 0; i < NCONSOLES; i++)
		if (consoles[i].pid == pid)
			return &consoles[i];
	return NULL;
}

int main(void)
{
	struct console *c;
	pid_t pid;
	int st, stale;

	if (getpid() != 1)
		say("running as pid %d, not 1", (int)getpid());
	say("Granary init starting");
	catch_signals();
	mount_all();
	set_hostname();
	pick_consoles();
	for (;;) {
		alarm(start_due_shells());
		pid = wait(&st);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD) {
				say("wait: %s", errname(errno));
				sleep(1);
				continue;
			}
			/* No children, yet a console may count a shell: a failed shutdown reaped
			 * it, and the next round starts another. */
			stale = 0;
			for (size_t i = 0; i < NCONSOLES; i++) {
				stale |= consoles[i].pid != 0;
				consoles[i].pid = 0;
			}
			/* Nothing runs: sleep until a console's rest ends (the alarm), or for good. */
			if (!stale)
				pause();
			continue;
		}
		c = console_of(pid);
		if (c)
			shell_ended(c, st);
		else if (WIFSIGNALED(st))
			say("reaped orphan %d, killed by signal %d", (int)pid, WTERMSIG(st));
		else
			say("reaped orphan %d, status %d", (int)pid, WEXITSTATUS(st));
	}
}
