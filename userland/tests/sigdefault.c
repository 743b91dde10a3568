/* userland/tests/sigdefault.c: default signal actions through wait4: WTERMSIG for every killing
 * signal, WCOREDUMP for core ones, ignored ones, SIGSTOP/SIGTSTP/SIGCONT, WUNTRACED/WCONTINUED. */
#include "tap.h"

#include <signal.h>
#include <stdint.h>
#include <time.h>

static const int core_sigs[] = { SIGQUIT, SIGILL,  SIGTRAP, SIGABRT, SIGBUS,
				 SIGFPE,  SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS };
static const int term_sigs[] = { SIGHUP,    SIGINT,	SIGKILL,   SIGUSR1, SIGUSR2, SIGPIPE,
				 SIGALRM,   SIGTERM,	SIGSTKFLT, SIGVTALRM, SIGPROF, SIGIO,
				 SIGPWR,    40 /* real-time */, 64 };

/* Linux sets WCOREDUMP only when it really writes a core file (RLIMIT_CORE, core_pattern). */
static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A child that waits in pause() with every signal at its default action. */
static pid_t start_pauser(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (int i = 0; i < 10000; i++)
			pause();
		_exit(99);
	}
	return pid;
}

static int wait_for(pid_t pid, int flags)
{
	int st;
	pid_t w;

	do
		w = waitpid(pid, &st, flags);
	while (w < 0 && errno == EINTR);
	if (w == 0)
		return 0x10000; /* nothing to report (WNOHANG) */
	return w == pid ? st : -1;
}

/* Kills a pausing child with sig; returns the wait status. */
static int killed_status(int sig)
{
	pid_t pid = start_pauser();

	if (pid < 0)
		return -1;
	nap_ms(5);
	kill(pid, sig);
	return wait_for(pid, 0);
}

/* Child: sends itself an ignored-by-default signal, then exits 0. */
static void ignores(void *arg)
{
	kill(getpid(), (int)(long)arg);
	_exit(0);
}

static void aborts(void *arg)
{
	(void)arg;
	abort();
}

static void segfaults(void *arg)
{
	*(volatile int *)arg = 1;
}

int main(int argc, char **argv)
{
	int linux_host = tap_on_linux(), st, bad_sig = 0, bad_st = 0, ok;
	pid_t pid;

	(void)argc;
	tap_init(argv, 23);

	st = killed_status(SIGTERM);
	tap_killed_by(st, SIGTERM, "SIGTERM kills: WIFSIGNALED, WTERMSIG SIGTERM");
	tap_ok(st != -1 && !WCOREDUMP(st), "... without WCOREDUMP");
	st = killed_status(SIGKILL);
	tap_killed_by(st, SIGKILL, "SIGKILL kills: WTERMSIG SIGKILL");
	tap_ok(st != -1 && !WCOREDUMP(st), "... without WCOREDUMP");
	st = tap_child(aborts, NULL);
	tap_killed_by(st, SIGABRT, "abort() kills: WTERMSIG SIGABRT");
	if (linux_host)
		tap_skip("... with WCOREDUMP", "Linux sets it only when it writes a core file");
	else
		tap_ok(st != -1 && WCOREDUMP(st), "... with WCOREDUMP (%#x)", st);
	st = tap_child(segfaults, NULL);
	tap_killed_by(st, SIGSEGV, "a write to address 0: WTERMSIG SIGSEGV");
	if (linux_host)
		tap_skip("... with WCOREDUMP", "Linux sets it only when it writes a core file");
	else
		tap_ok(st != -1 && WCOREDUMP(st), "... with WCOREDUMP (%#x)", st);

	for (size_t i = 0; i < sizeof(core_sigs) / sizeof(core_sigs[0]) && !bad_sig; i++) {
		st = killed_status(core_sigs[i]);
		if (st == -1 || !WIFSIGNALED(st) || WTERMSIG(st) != core_sigs[i] ||
		    (!linux_host && !WCOREDUMP(st)))
			bad_sig = core_sigs[i], bad_st = st;
	}
	tap_ok(!bad_sig, "each of the 10 core signals sent by kill: WTERMSIG is that signal%s",
	       linux_host ? "" : ", WCOREDUMP set");
	if (bad_sig)
		tap_diag("signal %d: wait status %#x (%s)", bad_sig, bad_st, tap_wstatus(bad_st));
	bad_sig = 0;
	for (size_t i = 0; i < sizeof(term_sigs) / sizeof(term_sigs[0]) && !bad_sig; i++) {
		st = killed_status(term_sigs[i]);
		if (st == -1 || !WIFSIGNALED(st) || WTERMSIG(st) != term_sigs[i] || WCOREDUMP(st))
			bad_sig = term_sigs[i], bad_st = st;
	}
	tap_ok(!bad_sig,
	       "each of 15 terminating signals (incl. real-time 40, 64): WTERMSIG is that signal, "
	       "no WCOREDUMP");
	if (bad_sig)
		tap_diag("signal %d: wait status %#x (%s)", bad_sig, bad_st, tap_wstatus(bad_st));

	tap_exited_with(tap_child(ignores, (void *)SIGCHLD), 0, "SIGCHLD is ignored by default");
	tap_exited_with(tap_child(ignores, (void *)SIGURG), 0, "SIGURG is ignored by default");
	tap_exited_with(tap_child(ignores, (void *)SIGWINCH), 0, "SIGWINCH is ignored by default");
	tap_exited_with(tap_child(ignores, (void *)SIGCONT), 0,
			"SIGCONT to a running process is ignored by default");

	/* Stop and continue. */
	pid = start_pauser();
	if (pid < 0) {
		for (int i = 0; i < 9; i++)
			tap_blocked("stop and continue (fork failed)");
		return tap_done();
	}
	kill(pid, SIGCONT);
	nap_ms(20);
	TAP_EQ(wait_for(pid, WNOHANG | WCONTINUED | WUNTRACED), 0x10000,
	       "SIGCONT to a child that was not stopped: nothing for WCONTINUED to report");
	kill(pid, SIGSTOP);
	st = wait_for(pid, WUNTRACED);
	tap_ok(st != -1 && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
	       "SIGSTOP: waitpid(WUNTRACED) reports WIFSTOPPED with WSTOPSIG SIGSTOP");
	TAP_EQ(wait_for(pid, WNOHANG | WUNTRACED), 0x10000, "the stop is reported only once");
	kill(pid, SIGTERM);
	nap_ms(20);
	TAP_EQ(wait_for(pid, WNOHANG), 0x10000,
	       "a stopped child does not die of SIGTERM while stopped");
	kill(pid, SIGCONT);
	st = wait_for(pid, 0);
	tap_killed_by(st, SIGTERM, "... and dies of it once SIGCONT resumes it");

	pid = start_pauser();
	kill(pid, SIGTSTP);
	st = wait_for(pid, WUNTRACED);
	tap_ok(st != -1 && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP,
	       "SIGTSTP stops by default: WSTOPSIG SIGTSTP");
	kill(pid, SIGCONT);
	st = wait_for(pid, WCONTINUED);
	tap_ok(st != -1 && WIFCONTINUED(st), "SIGCONT: waitpid(WCONTINUED) reports WIFCONTINUED");
	TAP_EQ(wait_for(pid, WNOHANG | WCONTINUED), 0x10000, "the continue is reported only once");
	kill(pid, SIGKILL);
	st = wait_for(pid, 0);
	ok = st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
	tap_ok(ok, "the continued child runs again and dies of SIGKILL");
	return tap_done();
}
