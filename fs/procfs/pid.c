/* fs/procfs/pid.c: the text of /proc/<pid>/ files: stat, status, statm, cmdline, environ, comm.
 * Linux's formats field for field, since busybox ps/top and libc parse them; maps is maps.c. */
#include <granary/file.h>
#include <granary/list.h>
#include <granary/page.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/vm.h>
#include <uapi/signal.h>

#include "procfs.h"

#define RLIMIT_RSS 5
#define RLIMIT_SIGPENDING 11
#define KB_PER_PAGE (PAGE_SIZE / 1024)
#define SIG31 0x7fffffffULL
/* Every capability Linux 6.x knows (CAP_LAST_CAP 40): what root holds. */
#define CAP_FULL 0x000001ffffffffffULL

/* The first thread stands for the process in the fields that are per thread in Linux. */
static struct task *main_thread(struct process *p)
{
	return list_empty(&p->threads) ? NULL : list_first_entry(&p->threads, struct task, thread_link);
}

/* Linux's letter: R running or runnable, D uninterruptible, S sleeping, T stopped, Z zombie. */
static char proc_state(struct process *p)
{
	char st = 'S';
	struct list_head *pos;

	if (p->zombie)
		return 'Z';
	if (p->stopped)
		return 'T';
	list_for_each(pos, &p->threads) {
		struct task *t = list_entry(pos, struct task, thread_link);

		if (t->state == TASK_RUNNING)
			return 'R';
		if (t->state == TASK_UNINTERRUPTIBLE)
			st = 'D';
	}
	return st;
}

static const char *state_name(char st)
{
	switch (st) {
	case 'R': return "R (running)";
	case 'D': return "D (disk sleep)";
	case 'T': return "T (stopped)";
	case 'Z': return "Z (zombie)";
	default: return "S (sleeping)";
	}
}

struct sigsets {
	u64 pending, shared, blocked, ignored, caught;
};

static void get_sigsets(struct process *p, struct sigsets *ss)
{
	struct task *t = main_thread(p);

	ss->shared = p->pending.set;
	ss->pending = t && t->sig_pending ? t->sig_pending->set : 0;
	ss->blocked = t ? t->sig_blocked : 0;
	ss->ignored = ss->caught = 0;
	for (int i = 0; i < 64; i++) {
		if (p->action[i].handler == SIG_IGN)
			ss->ignored |= 1ULL << i;
		else if (p->action[i].handler != SIG_DFL)
			ss->caught |= 1ULL << i;
	}
}

/* No libgcc: __builtin_popcountll would need its helper on CPUs without popcnt. */
static int bit_count(u64 v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static int parent_pid(struct process *p)
{
	return p->parent ? p->parent->pid : 0;
}

int procfs_show_pid_stat(struct seqbuf *s, struct process *p)
{
	struct task *t = main_thread(p);
	struct mm *mm = p->mm;
	struct procfs_vm vm;
	struct sigsets ss;
	int prio = t ? t->prio : SCHED_PRIO_DEFAULT;

	procfs_vm_summary(mm, &vm);
	get_sigsets(p, &ss);
	/* 1-13: identity, no controlling tty until the tty layer (tty_nr 0, tpgid -1), no flags,
	 * no fault counts. */
	seq_printf(s, "%d (%s) %c %d %d %d %d %d %u %lu %lu %lu %lu ", p->pid, p->comm,
		   proc_state(p), parent_pid(p), p->pgid, p->sid, 0, -1, 0u, 0UL, 0UL, 0UL, 0UL);
	/* 14-22: times; priority as Linux shows a normal task (20 at nice 0); starttime. */
	seq_printf(s, "%llu %llu %llu %llu %d %d %u %d %llu ",
		   (unsigned long long)procfs_clock_t(p->utime),
		   (unsigned long long)procfs_clock_t(p->stime),
		   (unsigned long long)procfs_clock_t(p->cutime),
		   (unsigned long long)procfs_clock_t(p->cstime), prio,
		   prio - SCHED_PRIO_DEFAULT, p->nthreads, 0,
		   (unsigned long long)procfs_clock_t(p->start_tick));
	/* 23-30: vsize in bytes, rss in pages, rsslim, code, stack; no saved esp/eip. */
	seq_printf(s, "%llu %llu %llu %lu %lu %lu %lu %lu ",
		   (unsigned long long)(vm.size * PAGE_SIZE), (unsigned long long)vm.rss,
		   (unsigned long long)p->rlim[RLIMIT_RSS].cur, vm.start_code, vm.end_code,
		   mm ? mm->start_stack : 0UL, 0UL, 0UL);
	/* 31-44: signal sets (the thread's pending ones), in decimal and cut to 31 bits as Linux
	 * does for compatibility; wchan, swap, exit signal, cpu, rt priority and policy, block-I/O
	 * delay, guest times. */
	seq_printf(s, "%llu %llu %llu %llu %lu %lu %lu %d %d %u %u %llu %lu %ld ",
		   (unsigned long long)(ss.pending & SIG31), (unsigned long long)(ss.blocked & SIG31),
		   (unsigned long long)(ss.ignored & SIG31), (unsigned long long)(ss.caught & SIG31),
		   0UL, 0UL, 0UL,
		   SIGCHLD, 0, 0u, 0u, 0ULL, 0UL, 0L);
	/* 45-52: data (unknown: 0), heap start, argument and environment strings, exit code. */
	seq_printf(s, "%lu %lu %lu %lu %lu %lu %lu %d\n", 0UL, 0UL, mm ? mm->brk_start : 0UL,
		   mm ? mm->arg_start : 0UL, mm ? mm->arg_end : 0UL, mm ? mm->env_start : 0UL,
		   mm ? mm->env_end : 0UL, p->zombie ? p->exit_status : 0);
	return 0;
}

/* Name as Linux escapes it in status: a newline or backslash would break line parsers. */
static void put_escaped(struct seqbuf *s, const char *str)
{
	for (; *str; str++) {
		if (*str == '\n')
			seq_puts(s, "\\n");
		else if (*str == '\\')
			seq_puts(s, "\\\\");
		else
			seq_putc(s, *str);
	}
}

static void show_kb(struct seqbuf *s, const char *name, u64 pages)
{
	seq_printf(s, "%s:\t%8llu kB\n", name, (unsigned long long)(pages * KB_PER_PAGE));
}

int procfs_show_pid_status(struct seqbuf *s, struct process *p)
{
	const struct cred *c = &p->cred;
	char st = proc_state(p);
	struct procfs_vm vm;
	struct sigsets ss;
	u64 caps = c->euid == 0 ? CAP_FULL : 0;

	seq_puts(s, "Name:\t");
	put_escaped(s, p->comm);
	seq_printf(s, "\nUmask:\t%04o\nState:\t%s\n", p->umask, state_name(st));
	seq_printf(s, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", p->pid, p->pid,
		   parent_pid(p));
	/* The fourth id is the filesystem one, which follows the effective one here. */
	seq_printf(s, "Uid:\t%u\t%u\t%u\t%u\n", c->uid, c->euid, c->suid, c->euid);
	seq_printf(s, "Gid:\t%u\t%u\t%u\t%u\n", c->gid, c->egid, c->sgid, c->egid);
	seq_printf(s, "FDSize:\t%d\nGroups:\t\n", p->files ? FILES_MAX : 0);
	seq_printf(s, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n", p->pid,
		   p->pid, p->pgid, p->sid);
	if (p->mm) {
		procfs_vm_summary(p->mm, &vm);
		/* No high-water marks are kept: the peaks are the current sizes. */
		show_kb(s, "VmPeak", vm.size);
		show_kb(s, "VmSize", vm.size);
		show_kb(s, "VmLck", 0);
		show_kb(s, "VmPin", 0);
		show_kb(s, "VmHWM", vm.rss);
		show_kb(s, "VmRSS", vm.rss);
		show_kb(s, "RssAnon", vm.rss);
		show_kb(s, "RssFile", 0);
		show_kb(s, "RssShmem", 0);
		show_kb(s, "VmData", vm.data);
		show_kb(s, "VmStk", vm.stack);
		show_kb(s, "VmExe", vm.exec);
		show_kb(s, "VmLib", 0);
		show_kb(s, "VmPTE", 0);
		show_kb(s, "VmSwap", 0);
		show_kb(s, "HugetlbPages", 0);
	}
	get_sigsets(p, &ss);
	seq_printf(s, "CoreDumping:\t0\nTHP_enabled:\t0\nThreads:\t%u\n", p->nthreads);
	seq_printf(s, "SigQ:\t%d/%llu\n",
		   bit_count(ss.pending) + bit_count(ss.shared),
		   (unsigned long long)p->rlim[RLIMIT_SIGPENDING].cur);
	seq_printf(s, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\n",
		   (unsigned long long)ss.pending, (unsigned long long)ss.shared,
		   (unsigned long long)ss.blocked, (unsigned long long)ss.ignored);
	seq_printf(s, "SigCgt:\t%016llx\n", (unsigned long long)ss.caught);
	seq_printf(s, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\n", 0ULL,
		   (unsigned long long)caps, (unsigned long long)caps);
	seq_printf(s, "CapBnd:\t%016llx\nCapAmb:\t%016llx\n", (unsigned long long)CAP_FULL, 0ULL);
	seq_puts(s, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n");
	seq_puts(s, "Cpus_allowed:\t1\nCpus_allowed_list:\t0\nMems_allowed:\t1\nMems_allowed_list:\t0\n");
	seq_puts(s, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
	return 0;
}

int procfs_show_pid_statm(struct seqbuf *s, struct process *p)
{
	struct procfs_vm vm;

	procfs_vm_summary(p->mm, &vm);
	/* size resident shared text lib data dt, in pages. */
	seq_printf(s, "%llu %llu 0 %llu 0 %llu 0\n", (unsigned long long)vm.size,
		   (unsigned long long)vm.rss, (unsigned long long)vm.exec,
		   (unsigned long long)(vm.data + vm.stack));
	return 0;
}

/* Copies [start, end) of p's memory as it is now: a process may have rewritten its argv. */
static int show_strings(struct seqbuf *s, struct mm *mm, unsigned long start, unsigned long end)
{
	size_t want, room, got;

	if (!mm || end <= start)
		return 0;
	want = end - start;
	room = seq_room(s);
	got = vm_read_remote(mm, start, s->buf + s->len, min(want, room));
	s->len += got;
	if (got == room && got < want)
		s->overflow = true;
	return 0;
}

int procfs_show_pid_cmdline(struct seqbuf *s, struct process *p)
{
	struct mm *mm = p->zombie ? NULL : p->mm;

	return mm ? show_strings(s, mm, mm->arg_start, mm->arg_end) : 0;
}

int procfs_show_pid_environ(struct seqbuf *s, struct process *p)
{
	struct mm *mm = p->zombie ? NULL : p->mm;

	return mm ? show_strings(s, mm, mm->env_start, mm->env_end) : 0;
}

int procfs_show_pid_comm(struct seqbuf *s, struct process *p)
{
	seq_printf(s, "%s\n", p->comm);
	return 0;
}

const struct procfs_file procfs_pid_files[] = {
	{ "cmdline", procfs_show_pid_cmdline, 0444 },
	{ "comm", procfs_show_pid_comm, 0444 },
	{ "environ", procfs_show_pid_environ, 0400 },
	{ "maps", procfs_show_pid_maps, 0444 },
	{ "stat", procfs_show_pid_stat, 0444 },
	{ "statm", procfs_show_pid_statm, 0444 },
	{ "status", procfs_show_pid_status, 0444 },
	{ NULL, NULL, 0 },
};
