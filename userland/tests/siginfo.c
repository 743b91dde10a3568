/* userland/tests/siginfo.c: what an SA_SIGINFO handler gets: si_signo/code/pid/uid from kill (SI_USER),
 * tkill/tgkill (SI_TKILL), SIGCHLD; si_addr/si_code of faults (SEGV_MAPERR/ACCERR, SI_KERNEL). */
#include "tap.h"

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PG 4096UL
#define KPTR ((volatile char *)0xffffffff80000000UL)  /* the kernel image: present, supervisor */
#define NONCANON ((volatile char *)0x0000800000000000UL) /* past user space: a #GP, not a #PF */

static volatile sig_atomic_t hits;
static siginfo_t last; /* a copy of what the last handler got */

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	last = *si;
	hits++;
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* Checks last against the expected signal, code, pid and uid; one TAP line. */
static void check_sender(const char *what, int sig, int code, pid_t pid, uid_t uid)
{
	int ok = hits == 1 && last.si_signo == sig && last.si_code == code && last.si_pid == pid &&
		 last.si_uid == uid;

	tap_ok(ok, "%s: handler ran once with si_signo %d, si_code %d, si_pid %d, si_uid %u", what,
	       sig, code, (int)pid, (unsigned)uid);
	if (!ok)
		tap_diag("hits %d, si_signo %d, si_code %d, si_pid %d, si_uid %u", (int)hits,
			 last.si_signo, last.si_code, (int)last.si_pid, (unsigned)last.si_uid);
}

/* ---- faults: the handler makes the page usable and returns, so the write is retried ---- */

static char *fault_page;     /* the page the current fault test uses */
static int fault_fix;	     /* 0: map a fresh page at fault_page; 1: mprotect it read-write */
static sigjmp_buf fault_env; /* the way out when the handler cannot fix the fault */
static volatile sig_atomic_t escaped;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	on_info(sig, si, uc);
	if (hits > 1 || !fault_page) {
		escaped = 1;
		siglongjmp(fault_env, 1);
	}
	if (fault_fix == 0)
		mmap(fault_page, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		     -1, 0);
	else
		mprotect(fault_page, PG, PROT_READ | PROT_WRITE);
}

/* Writes 0x5a to addr with the SIGSEGV handler in place; the handler may fix and return. */
static void faulting_write(volatile char *addr)
{
	hits = 0;
	escaped = 0;
	memset(&last, 0, sizeof(last));
	if (sigsetjmp(fault_env, 1) == 0)
		*addr = 0x5a;
}

static void check_fault(const char *what, volatile char *addr, int code)
{
	int ok = hits >= 1 && last.si_signo == SIGSEGV && last.si_code == code &&
		 last.si_addr == (void *)addr;

	tap_ok(ok, "%s: SIGSEGV with si_code %d and si_addr %p exactly", what, code, (void *)addr);
	if (!ok)
		tap_diag("hits %d, si_signo %d, si_code %d, si_addr %p", (int)hits, last.si_signo,
			 last.si_code, last.si_addr);
}

int main(int argc, char **argv)
{
	pid_t me = getpid(), pid;
	uid_t uid = getuid();
	sigset_t usr1;
	int st, ok;
	char *m;

	(void)argc;
	tap_init(argv, 19);
	install(SIGUSR1, on_info, 0);
	install(SIGUSR2, on_info, 0);

	hits = 0;
	TAP_EQ(kill(me, SIGUSR1), 0, "kill(getpid(), SIGUSR1) returns 0");
	check_sender("kill from the process itself", SIGUSR1, SI_USER, me, uid);

	/* From a child: SIGUSR1 is blocked until the child is reaped, then unblocked here. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	hits = 0;
	pid = fork();
	if (pid == 0)
		_exit(kill(getppid(), SIGUSR1) == 0 ? 0 : 1);
	st = pid > 0 && waitpid(pid, &st, 0) == pid ? st : -1;
	tap_exited_with(st, 0, "a child's kill(getppid(), SIGUSR1) returns 0");
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	check_sender("kill from a child", SIGUSR1, SI_USER, pid, uid);

	hits = 0;
	TAP_EQ(syscall(SYS_tgkill, me, syscall(SYS_gettid), SIGUSR2), 0,
	       "tgkill(getpid(), gettid(), SIGUSR2) returns 0");
	check_sender("tgkill", SIGUSR2, SI_TKILL, me, uid);
	hits = 0;
	syscall(SYS_tkill, syscall(SYS_gettid), SIGUSR2);
	check_sender("tkill", SIGUSR2, SI_TKILL, me, uid);

	/* SIGCHLD: the child's pid, uid, CLD_EXITED and its exit status. */
	install(SIGCHLD, on_info, 0);
	hits = 0;
	pid = fork();
	if (pid == 0)
		_exit(42);
	st = pid > 0 && waitpid(pid, &st, 0) == pid ? st : -1;
	ok = hits == 1 && last.si_signo == SIGCHLD && last.si_code == CLD_EXITED &&
	     last.si_pid == pid && last.si_uid == uid && last.si_status == 42;
	tap_ok(ok, "SIGCHLD from an exiting child: si_code CLD_EXITED, its si_pid, si_status 42");
	if (!ok)
		tap_diag("hits %d, si_signo %d, si_code %d, si_pid %d (child %d), si_status %d",
			 (int)hits, last.si_signo, last.si_code, (int)last.si_pid, (int)pid,
			 last.si_status);
	hits = 0;
	pid = fork();
	if (pid == 0)
		for (;;)
			pause();
	if (pid > 0)
		kill(pid, SIGTERM);
	st = pid > 0 && waitpid(pid, &st, 0) == pid ? st : -1;
	ok = hits == 1 && last.si_code == CLD_KILLED && last.si_pid == pid &&
	     last.si_status == SIGTERM;
	tap_ok(ok, "SIGCHLD from a child killed by SIGTERM: si_code CLD_KILLED, si_status SIGTERM");
	if (!ok)
		tap_diag("hits %d, si_code %d, si_pid %d (child %d), si_status %d", (int)hits,
			 last.si_code, (int)last.si_pid, (int)pid, last.si_status);
	signal(SIGCHLD, SIG_DFL);

	/* Faults. Linux's si_code: SEGV_MAPERR where no mapping covers the address, SEGV_ACCERR
	 * where one does but forbids the access, whether or not the page was ever touched. */
	install(SIGSEGV, on_segv, SA_NODEFER);
	m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!tap_ok(m != MAP_FAILED && munmap(m, PG) == 0,
		    "mmap four pages and munmap the first")) {
		for (int i = 0; i < 9; i++)
			tap_blocked("fault tests (mmap failed)");
		return tap_done();
	}
	fault_page = m;
	fault_fix = 0;
	faulting_write(m + 123);
	check_fault("a write to an unmapped page", m + 123, SEGV_MAPERR);
	tap_ok(hits == 1 && !escaped && m[123] == 0x5a,
	       "the handler maps the page and returns: the write is retried and lands");

	m[2 * PG] = 1; /* present before it becomes read-only; m + PG never is */
	if (mprotect(m + PG, 2 * PG, PROT_READ) || mprotect(m + 3 * PG, PG, PROT_NONE))
		tap_diag("mprotect: %s", strerror(errno));
	fault_page = m + 2 * PG;
	fault_fix = 1;
	faulting_write(m + 2 * PG + 4095);
	check_fault("a write to a PROT_READ page (written before)", m + 2 * PG + 4095, SEGV_ACCERR);
	tap_ok(hits == 1 && !escaped && m[2 * PG + 4095] == 0x5a,
	       "the handler mprotects it read-write and returns: the write lands");
	fault_page = m + PG;
	faulting_write(m + PG + 8);
	check_fault("a write to a PROT_READ page never touched before", m + PG + 8, SEGV_ACCERR);
	tap_ok(hits == 1 && !escaped && m[PG + 8] == 0x5a,
	       "the handler mprotects it read-write and returns: the write lands");
	fault_page = m + 3 * PG;
	faulting_write(m + 3 * PG + 1);
	check_fault("a write to a PROT_NONE page", m + 3 * PG + 1, SEGV_ACCERR);

	/* Nothing the handler can fix: it jumps out. Linux reports both as in the comments. */
	fault_page = NULL;
	faulting_write(KPTR);
	check_fault("a write to a kernel address (not user memory: Linux says SEGV_MAPERR)", KPTR,
		    SEGV_MAPERR);
	faulting_write(NONCANON);
	ok = hits == 1 && escaped && last.si_signo == SIGSEGV && last.si_code == SI_KERNEL &&
	     last.si_addr == NULL;
	tap_ok(ok, "a write to a non-canonical address (#GP): SIGSEGV, si_code SI_KERNEL, "
		   "si_addr NULL");
	if (!ok)
		tap_diag("hits %d, si_signo %d, si_code %d, si_addr %p", (int)hits, last.si_signo,
			 last.si_code, last.si_addr);
	return tap_done();
}
