/* userland/tests/syscall_fuzz.c: system calls 0-1999 with garbage arguments (seeded) in children
 * (own group, uid 65534) that must all end one way or another, and the kernel must survive. */
#include "tap.h"
#include "procscan.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#define FIRST_NR 0
#define LAST_NR 1999
#define PER_LINE 100
#define CALLS 8		    /* calls per child, each with new arguments */
#define TIMEOUT_MS 1000	    /* a child still running after this is killed */
#define SEED 0x6772616e61727931ULL
#define NOBODY 65534
#define KBASE 0xffffffff80000000ULL

static volatile uint32_t *dropped; /* MAP_SHARED: [nr] = 1 once that child is unprivileged */
static char scratch[8192] __attribute__((aligned(4096)));

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* One garbage argument: zero, small, -1, into the scratch buffer, kernel, random, ... */
static long garbage(uint64_t *s)
{
	uint64_t r = splitmix(s), v = splitmix(s);

	switch (r % 9) {
	case 0:
		return 0;
	case 1:
		return (long)(v % 16);
	case 2:
		return -1;
	case 3:
		return (long)(uintptr_t)(scratch + v % sizeof(scratch));
	case 4:
		return (long)(KBASE + v % (1 << 20));
	case 5:
		return (long)(v & 0xffffffffULL);
	case 6:
		return (long)(v % 65536); /* the unmapped low pages */
	case 7:
		return (long)(uintptr_t)(scratch + sizeof(scratch) - v % 16); /* at its end */
	default:
		return (long)v;
	}
}

/* The child for number nr: alone in its group, stdio on harmless pipes, uid 65534, then garbage. */
static void child(long nr)
{
	uint64_t s = SEED ^ ((uint64_t)nr * 0x100000001b3ULL);
	int in[2], out[2];

	setpgid(0, 0);
	if (chdir("/") < 0 && errno != ENOSYS)
		_exit(120);
#ifdef CLONE_NEWIPC
	unshare(CLONE_NEWIPC); /* Linux: System V objects it creates vanish with it (root only) */
#endif
	/* stdin at EOF; stdout/stderr into a pipe nobody reads, non-blocking: garbage written
	 * there never reaches the TAP stream, and never blocks for long. */
	if (pipe(in) == 0) {
		dup2(in[0], 0);
		close(in[1]);
	}
	if (pipe(out) == 0) {
		fcntl(out[1], F_SETFL, O_NONBLOCK);
		dup2(out[1], 1);
		dup2(out[1], 2);
	}
	for (int fd = 3; fd < 64; fd++)
		close(fd);
	signal(SIGPIPE, SIG_IGN);
	if (setuid(NOBODY) || getuid() != NOBODY || geteuid() != NOBODY)
		_exit(121);
	dropped[nr] = 1;
	for (size_t i = 0; i < sizeof(scratch); i++)
		scratch[i] = (char)splitmix(&s);
	for (int i = 0; i < CALLS; i++) {
		long a[6];

		for (int k = 0; k < 6; k++)
			a[k] = garbage(&s);
		syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	_exit(0);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Waits up to TIMEOUT_MS for pid, then kills it. Returns the wait status, or -1; *killed = 1
 * if it had to be killed. Yields while young (it usually ends within its first time slice),
 * then naps. */
static int wait_child(pid_t pid, int *killed)
{
	long long start = now_ms();
	struct timespec nap = { 0, 5 * 1000 * 1000 };
	int st;
	pid_t w;

	*killed = 0;
	for (;;) {
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid && (WIFEXITED(st) || WIFSIGNALED(st)))
			return st;
		if (w < 0 && errno != EINTR)
			return -1;
		if (now_ms() - start >= TIMEOUT_MS)
			break;
		if (now_ms() - start < 50)
			sched_yield();
		else
			nanosleep(&nap, NULL);
	}
	*killed = 1;
	kill(pid, SIGKILL);
	do
		w = waitpid(pid, &st, 0);
	while ((w < 0 && errno == EINTR) || (w == pid && !WIFEXITED(st) && !WIFSIGNALED(st)));
	return w == pid ? st : -1;
}

int main(int argc, char **argv)
{
	int linux_host = tap_on_linux(), lines = (LAST_NR - FIRST_NR + 1) / PER_LINE, st, p[2];
	int total_killed = 0, total_signalled = 0;
	pid_t me = getpid(), pid;
	char c = 0;

	(void)argc;
	tap_init(argv, lines + 3);
	tap_diag("seed %#llx, %d calls a child, %d ms to end", (unsigned long long)SEED, CALLS,
		 TIMEOUT_MS);
	dropped = mmap(NULL, (LAST_NR + 1) * sizeof(*dropped), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (dropped == MAP_FAILED) {
		tap_diag("mmap: %s", strerror(errno));
		return tap_done() | 1;
	}
	if (linux_host && proc_count_uid(NOBODY, NULL) > 0) {
		/* Their kill(-1, ...) would reach them. */
		for (int l = 0; l < lines; l++)
			tap_skip("syscalls with garbage arguments",
				 "uid 65534 has processes on this host that the children could kill");
		tap_skip("no child left", "not run");
	} else {
		for (int l = 0; l < lines; l++) {
			int first = FIRST_NR + l * PER_LINE, ended = 0, unprivileged = 0, killed;
			char slow[256] = "";
			size_t len = 0;

			for (int nr = first; nr < first + PER_LINE; nr++) {
				pid = fork();
				if (pid == 0)
					child(nr);
				if (pid < 0) {
					tap_diag("fork for %d: %s", nr, strerror(errno));
					continue;
				}
				st = wait_child(pid, &killed);
				kill(-pid, SIGKILL); /* what it forked into its group */
				ended += st != -1 && (WIFEXITED(st) || WIFSIGNALED(st));
				unprivileged += dropped[nr] == 1;
				total_killed += killed;
				total_signalled += st != -1 && WIFSIGNALED(st) && !killed;
				if (killed && len < sizeof(slow) - 8)
					len += (size_t)snprintf(slow + len, sizeof(slow) - len, " %d",
								nr);
			}
			while (waitpid(-1, &st, WNOHANG) > 0) /* CLONE_PARENT grandchildren */
				;
			if (!tap_ok(ended == PER_LINE && unprivileged == PER_LINE,
				    "syscalls %d-%d with garbage arguments: %d children ended", first,
				    first + PER_LINE - 1, ended))
				tap_diag("%d of %d ended, %d ran unprivileged", ended, PER_LINE,
					 unprivileged);
			if (len)
				tap_diag("killed after %d ms:%s", TIMEOUT_MS, slow);
		}
		tap_diag("%d children killed at the timeout, %d died of a signal of their own",
			 total_killed, total_signalled);
		/* Whatever a child forked out of its group (setsid, setpgid) still runs as 65534:
		 * one more unprivileged child kills every such process (never a root one). */
		pid = fork();
		if (pid == 0) {
			if (setuid(NOBODY))
				_exit(1);
			kill(-1, SIGKILL);
			_exit(0);
		}
		tap_exited_with(pid > 0 && waitpid(pid, &st, 0) == pid ? st : -1, 0,
				"an unprivileged child's kill(-1, SIGKILL) sweeps up strays");
	}
	TAP_EQ(getpid(), me, "the kernel is alive: getpid still answers");
	tap_ok(pipe(p) == 0 && write(p[1], "z", 1) == 1 && read(p[0], &c, 1) == 1 && c == 'z',
	       "... and a pipe round trip works");
	return tap_done();
}
