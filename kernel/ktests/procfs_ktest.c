/* kernel/ktests/procfs_ktest.c: kernel tests of the /proc file generators, seqbuf, remote reads of
 * an address space, CPU accounting, load averages and the syslog record format. */
#include <granary/cmdline.h>
#include <granary/cpu.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/ktest.h>
#include <granary/page.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/seqbuf.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/time.h>
#include <granary/uaccess.h>
#include <granary/uts.h>
#include <granary/vm.h>
#include <uapi/mman.h>

#include "../../fs/procfs/procfs.h"

#define AREA 0x400000UL /* where the test process's two pages live */
#define OUT_SIZE 8192

static char out[OUT_SIZE];

/* Runs a generator into out (NUL-terminated for the string checks); returns its length. */
static size_t gen(procfs_show_fn fn, struct process *p)
{
	struct seqbuf s;

	seq_init(&s, out, OUT_SIZE - 1);
	if (fn(&s, p) || s.overflow)
		ktest_fail(__FILE__, __LINE__, "generator failed or overflowed");
	out[s.len] = '\0';
	return s.len;
}

/* The line of out that starts with prefix (NUL-terminated copy in line), or NULL. */
static const char *find_line(const char *prefix, char *line, size_t size)
{
	size_t n = strlen(prefix);

	for (const char *l = out; *l;) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);

		if (!strncmp(l, prefix, n)) {
			strlcpy(line, l, min(len + 1, size));
			return line;
		}
		if (!end)
			break;
		l = end + 1;
	}
	return NULL;
}

static const char argv_bytes[] = "prog\0-x\0arg two"; /* sizeof includes the last NUL */
static const char env_bytes[] = "A=1\0B=two";

/*
 * A process that never runs: no threads, an mm with two pages at AREA whose first holds argv
 * then envp (as exec lays them out) and whose second is mapped but never touched.
 */
static struct process *make_proc(void)
{
	int pid = task_id_alloc();
	struct process *p = pid > 0 ? proc_alloc(NULL, pid) : NULL;
	struct mm *mm;

	if (!p)
		return NULL;
	strlcpy(p->comm, "kt proc", sizeof(p->comm));
	mm = p->mm = mm_create(NULL);
	if (!mm)
		return p;
	mm_switch(mm);
	if (vm_mmap(mm, AREA, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) == (long)AREA &&
	    !copy_to_user((void __user *)AREA, argv_bytes, sizeof(argv_bytes)) &&
	    !copy_to_user((void __user *)(AREA + sizeof(argv_bytes)), env_bytes, sizeof(env_bytes))) {
		mm->arg_start = AREA;
		mm->arg_end = mm->env_start = AREA + sizeof(argv_bytes);
		mm->env_end = mm->env_start + sizeof(env_bytes);
		mm->start_stack = AREA + 0x800;
	}
	mm_switch(NULL);
	return p;
}

static void free_proc(struct process *p)
{
	if (p->mm)
		mm_put(p->mm);
	p->mm = NULL;
	proc_put(p); /* frees the pid too */
}

KTEST(seqbuf_printf_write_and_overflow)
{
	char buf[8];
	struct seqbuf s;

	seq_init(&s, buf, sizeof(buf));
	KT_EXPECT_EQ(seq_printf(&s, "%d-%s", 42, "ab"), 0);
	KT_EXPECT_EQ(s.len, 5);
	KT_EXPECT(!memcmp(buf, "42-ab", 5));
	KT_EXPECT_EQ(seq_printf(&s, "%s", ""), 0);
	KT_EXPECT_EQ(seq_write(&s, "\0x", 2), 0);
	KT_EXPECT_EQ(s.len, 7);
	KT_EXPECT(!s.overflow);
	KT_EXPECT_EQ(seq_printf(&s, "toolong"), -EOVERFLOW);
	KT_EXPECT(s.overflow);
	KT_EXPECT(s.len <= s.size);
	KT_EXPECT_EQ(seq_putc(&s, 'z'), -EOVERFLOW);
	KT_EXPECT(s.len <= s.size);

	seq_init(&s, buf, sizeof(buf));
	KT_EXPECT_EQ(seq_write(&s, "abcdefghij", 10), -EOVERFLOW);
	KT_EXPECT_EQ(s.len, 8);
	KT_EXPECT(s.overflow);

	seq_init(&s, buf, sizeof(buf));
	seq_putc(&s, 'a');
	KT_EXPECT_EQ(seq_pad(&s, 4, '|'), 0);
	KT_EXPECT_EQ(s.len, 5);
	KT_EXPECT(!memcmp(buf, "a   |", 5));
}

KTEST(procfs_vm_read_remote_stops_at_unmapped)
{
	struct process *p = make_proc();
	char buf[64];

	KT_ASSERT(p && p->mm && p->mm->arg_start == AREA);
	KT_EXPECT_EQ(vm_read_remote(p->mm, AREA, buf, sizeof(argv_bytes)), sizeof(argv_bytes));
	KT_EXPECT(!memcmp(buf, argv_bytes, sizeof(argv_bytes)));
	/* The second page was never touched: not resident, so the read stops at the boundary. */
	KT_EXPECT_EQ(vm_read_remote(p->mm, AREA + PAGE_SIZE - 8, buf, 16), 8);
	KT_EXPECT_EQ(vm_read_remote(p->mm, AREA + 2 * PAGE_SIZE, buf, 16), 0);
	KT_EXPECT_EQ(vm_read_remote(p->mm, 0, buf, 16), 0);
	KT_EXPECT_EQ(vm_read_remote(p->mm, KERNEL_VMA, buf, 16), 0);
	KT_EXPECT_EQ(vm_read_remote(p->mm, USER_TOP - 8, buf, 16), 0);
	KT_EXPECT_EQ(vm_read_remote(NULL, AREA, buf, 16), 0);
	free_proc(p);
}

KTEST(procfs_pid_cmdline_and_environ_are_the_strings)
{
	struct process *p = make_proc();

	KT_ASSERT(p && p->mm && p->mm->arg_start == AREA);
	KT_EXPECT_EQ(gen(procfs_show_pid_cmdline, p), sizeof(argv_bytes));
	KT_EXPECT(!memcmp(out, argv_bytes, sizeof(argv_bytes)));
	KT_EXPECT_EQ(gen(procfs_show_pid_environ, p), sizeof(env_bytes));
	KT_EXPECT(!memcmp(out, env_bytes, sizeof(env_bytes)));
	KT_EXPECT_EQ(gen(procfs_show_pid_comm, p), 8);
	KT_EXPECT_STREQ(out, "kt proc\n");

	/* An argv area running into the untouched page ends where memory ends. */
	p->mm->arg_end = AREA + PAGE_SIZE + 100;
	KT_EXPECT_EQ(gen(procfs_show_pid_cmdline, p), PAGE_SIZE);

	/* A buffer too small for the strings overflows (the caller retries). */
	{
		struct seqbuf s;
		char small[4];

		p->mm->arg_end = AREA + sizeof(argv_bytes);
		seq_init(&s, small, sizeof(small));
		KT_EXPECT_EQ(procfs_show_pid_cmdline(&s, p), 0);
		KT_EXPECT(s.overflow);
		KT_EXPECT_EQ(s.len, 4);
	}
	p->zombie = true;
	KT_EXPECT_EQ(gen(procfs_show_pid_cmdline, p), 0);
	p->zombie = false;
	free_proc(p);
}

KTEST(procfs_pid_stat_has_52_fields)
{
	struct process *p = make_proc();
	char want[64];
	const char *f;
	u64 field[53] = { 0 };
	int n = 2;

	KT_ASSERT(p && p->mm);
	p->utime = 7 * CONFIG_HZ / 100;
	p->stime = 3 * CONFIG_HZ / 100;
	gen(procfs_show_pid_stat, p);
	snprintf(want, sizeof(want), "%d (kt proc) S 0 %d %d 0 -1 0 ", p->pid, p->pid, p->pid);
	KT_EXPECT(!strncmp(out, want, strlen(want)));
	KT_EXPECT_EQ(out[strlen(out) - 1], '\n');
	/* Fields 3 to 52 follow the ") ". Field 3 is a letter and 7 and 8 may be negative. */
	f = strchr(out, ')');
	KT_ASSERT(f);
	for (f += 2; *f && *f != '\n'; n++) {
		char num[24];
		size_t len = 0;
		s64 v;

		while (f[len] && f[len] != ' ' && f[len] != '\n' && len < sizeof(num) - 1)
			len++;
		memcpy(num, f, len);
		num[len] = '\0';
		if (n + 1 <= 52 && n + 1 != 3) {
			if (num[0] == '-')
				KT_EXPECT(!kstrtos64(num, &v));
			else
				KT_EXPECT(!kstrtou64(num, &field[n + 1]));
		}
		f += len;
		if (*f == ' ')
			f++;
	}
	KT_EXPECT_EQ(n, 52);
	KT_EXPECT_EQ(field[14], 7);  /* utime, USER_HZ */
	KT_EXPECT_EQ(field[15], 3);  /* stime */
	KT_EXPECT_EQ(field[18], 20); /* priority of a nice-0 task */
	KT_EXPECT_EQ(field[19], 0);  /* nice */
	KT_EXPECT_EQ(field[22], procfs_clock_t(p->start_tick));
	KT_EXPECT_EQ(field[23], 2 * PAGE_SIZE); /* vsize in bytes */
	KT_EXPECT_EQ(field[24], 1);		/* rss in pages: the one touched */
	KT_EXPECT_EQ(field[25], RLIM_INFINITY);
	KT_EXPECT_EQ(field[28], AREA + 0x800); /* startstack */
	KT_EXPECT_EQ(field[38], 17);	       /* exit signal SIGCHLD */
	KT_EXPECT_EQ(field[48], AREA);
	KT_EXPECT_EQ(field[49], AREA + sizeof(argv_bytes));
	KT_EXPECT_EQ(field[51], AREA + sizeof(argv_bytes) + sizeof(env_bytes));
	free_proc(p);
}

KTEST(procfs_pid_status_lines)
{
	struct process *p = make_proc();
	char line[80], want[80];

	KT_ASSERT(p && p->mm);
	p->cred.uid = 1000;
	p->cred.euid = 1001;
	p->cred.suid = 1002;
	p->action[SIGUSR1 - 1].handler = 0x1234;
	p->action[SIGPIPE - 1].handler = SIG_IGN;
	p->pending.set = 1ULL << (SIGHUP - 1);
	gen(procfs_show_pid_status, p);
	KT_EXPECT(!strncmp(out, "Name:\tkt proc\nUmask:\t0022\nState:\tS (sleeping)\n", 46));
	snprintf(want, sizeof(want), "Pid:\t%d", p->pid);
	KT_EXPECT_STREQ(find_line("Pid:", line, sizeof(line)), want);
	KT_EXPECT_STREQ(find_line("PPid:", line, sizeof(line)), "PPid:\t0");
	KT_EXPECT_STREQ(find_line("Uid:", line, sizeof(line)), "Uid:\t1000\t1001\t1002\t1001");
	KT_EXPECT_STREQ(find_line("Gid:", line, sizeof(line)), "Gid:\t0\t0\t0\t0");
	KT_EXPECT_STREQ(find_line("VmSize:", line, sizeof(line)), "VmSize:\t       8 kB");
	KT_EXPECT_STREQ(find_line("VmRSS:", line, sizeof(line)), "VmRSS:\t       4 kB");
	KT_EXPECT_STREQ(find_line("VmStk:", line, sizeof(line)), "VmStk:\t       8 kB");
	KT_EXPECT_STREQ(find_line("Threads:", line, sizeof(line)), "Threads:\t0");
	KT_EXPECT_STREQ(find_line("ShdPnd:", line, sizeof(line)), "ShdPnd:\t0000000000000001");
	KT_EXPECT_STREQ(find_line("SigIgn:", line, sizeof(line)), "SigIgn:\t0000000000001000");
	KT_EXPECT_STREQ(find_line("SigCgt:", line, sizeof(line)), "SigCgt:\t0000000000000200");
	KT_EXPECT_STREQ(find_line("CapEff:", line, sizeof(line)), "CapEff:\t0000000000000000");

	p->stopped = true;
	gen(procfs_show_pid_status, p);
	KT_EXPECT_STREQ(find_line("State:", line, sizeof(line)), "State:\tT (stopped)");
	p->zombie = true;
	gen(procfs_show_pid_status, p);
	KT_EXPECT_STREQ(find_line("State:", line, sizeof(line)), "State:\tZ (zombie)");
	free_proc(p);
}

KTEST(procfs_pid_maps_names_the_stack)
{
	struct process *p = make_proc();
	const char *want = "00400000-00402000 rw-p 00000000 00:00 0 ";

	KT_ASSERT(p && p->mm);
	gen(procfs_show_pid_maps, p);
	KT_EXPECT(!strncmp(out, want, strlen(want)));
	/* The name starts in column 73, after padding, as Linux lays it out. */
	KT_EXPECT_EQ(strlen(out), 73 + strlen("[stack]\n"));
	KT_EXPECT_STREQ(out + 73, "[stack]\n");
	for (size_t i = strlen(want); i < 73; i++)
		KT_EXPECT_EQ(out[i], ' ');

	p->mm->start_stack = 0;
	gen(procfs_show_pid_maps, p);
	/* No name: the line ends after the inode's trailing space, as Linux's does. */
	KT_EXPECT_STREQ(out, "00400000-00402000 rw-p 00000000 00:00 0 \n");
	free_proc(p);
}

KTEST(procfs_meminfo_total_is_the_allocator_total)
{
	struct mem_stats m;
	char line[80], want[80];

	gen(procfs_show_meminfo, NULL);
	mem_get_stats(&m);
	snprintf(want, sizeof(want), "MemTotal:       %8llu kB",
		 (unsigned long long)(m.total * (PAGE_SIZE / 1024)));
	KT_EXPECT_STREQ(find_line("MemTotal:", line, sizeof(line)), want);
	KT_EXPECT(!strncmp(out, "MemTotal:", 9));
	KT_EXPECT(find_line("MemFree:", line, sizeof(line)) != NULL);
	KT_EXPECT(find_line("MemAvailable:", line, sizeof(line)) != NULL);
	KT_EXPECT_STREQ(find_line("SwapTotal:", line, sizeof(line)), "SwapTotal:             0 kB");
	KT_EXPECT_STREQ(find_line("HugePages_Total:", line, sizeof(line)), "HugePages_Total:       0");
}

/* Parses "digits.dd" at *s, moving past it; the value in hundredths, or -1. */
static s64 parse_centis(const char **s)
{
	s64 v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	if (p[0] != '.' || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9')
		return -1;
	v = v * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	*s = p + 3;
	return v;
}

KTEST(procfs_uptime_parses_and_matches_the_clock)
{
	u64 before = time_ns() / (NSEC_PER_SEC / 100), after;
	const char *s = out;
	s64 up, idle;

	gen(procfs_show_uptime, NULL);
	after = time_ns() / (NSEC_PER_SEC / 100);
	up = parse_centis(&s);
	KT_EXPECT_EQ(*s++, ' ');
	idle = parse_centis(&s);
	KT_EXPECT_STREQ(s, "\n");
	KT_EXPECT(up >= (s64)before && up <= (s64)after);
	KT_EXPECT(idle >= 0 && idle <= up + 1);
}

KTEST(procfs_loadavg_format_and_math)
{
	const char *s = out;
	unsigned long avg[3];

	/* Linux's fixed-point steps: a first sample of 1 runnable task, steady state, decay. */
	KT_EXPECT_EQ(sched_calc_load(0, 1884, LOAD_FIXED_1), 164);
	KT_EXPECT_EQ(sched_calc_load(LOAD_FIXED_1, 1884, LOAD_FIXED_1), LOAD_FIXED_1);
	KT_EXPECT_EQ(sched_calc_load(LOAD_FIXED_1, 1884, 0), 1884);
	KT_EXPECT_EQ(sched_calc_load(2 * LOAD_FIXED_1, 2037, 2 * LOAD_FIXED_1), 2 * LOAD_FIXED_1);

	sched_loadavg(avg);
	gen(procfs_show_loadavg, NULL);
	for (int i = 0; i < 3; i++) {
		KT_EXPECT(parse_centis(&s) >= 0);
		KT_EXPECT_EQ(*s++, ' ');
	}
	/* The ktest thread itself is running: at least 1 runnable. */
	KT_EXPECT(*s >= '1' && *s <= '9');
	KT_EXPECT(strchr(s, '/') != NULL);
	KT_EXPECT_EQ(out[strlen(out) - 1], '\n');
}

KTEST(procfs_cmdline_is_the_kernel_command_line)
{
	size_t n = gen(procfs_show_cmdline, NULL);

	KT_EXPECT_EQ(n, strlen(cmdline_get()) + 1);
	KT_EXPECT(!strncmp(out, cmdline_get(), n - 1));
	KT_EXPECT_EQ(out[n - 1], '\n');
	/* ktest= is how this very test was started. */
	KT_EXPECT(n > 6);
}

KTEST(procfs_version_cpuinfo_stat)
{
	char line[128], want[128];
	u32 a, b, c, d;

	gen(procfs_show_version, NULL);
	snprintf(want, sizeof(want), "Granary version %s (", granary_release);
	KT_EXPECT(!strncmp(out, want, strlen(want)));
	KT_EXPECT_EQ(out[strlen(out) - 1], '\n');

	gen(procfs_show_cpuinfo, NULL);
	KT_EXPECT(!strncmp(out, "processor\t: 0\nvendor_id\t: ", 26));
	cpuid(0, 0, &a, &b, &c, &d);
	memcpy(want, "vendor_id\t: ", 12);
	memcpy(want + 12, &b, 4);
	memcpy(want + 16, &d, 4);
	memcpy(want + 20, &c, 4);
	want[24] = '\0';
	KT_EXPECT_STREQ(find_line("vendor_id", line, sizeof(line)), want);
	snprintf(want, sizeof(want), "cpu MHz\t\t: %llu.%03llu",
		 (unsigned long long)(time_tsc_khz() / 1000), (unsigned long long)(time_tsc_khz() % 1000));
	KT_EXPECT_STREQ(find_line("cpu MHz", line, sizeof(line)), want);
	/* Every x86_64 CPU has these; the list starts with fpu. */
	KT_EXPECT(!strncmp(find_line("flags", line, sizeof(line)), "flags\t\t: fpu ", 13));
	KT_EXPECT(find_line("address sizes", line, sizeof(line)) != NULL);

	gen(procfs_show_stat, NULL);
	KT_EXPECT(!strncmp(out, "cpu  ", 5));
	KT_EXPECT(find_line("cpu0 ", line, sizeof(line)) != NULL);
	KT_EXPECT(find_line("btime ", line, sizeof(line)) != NULL);
	KT_EXPECT(find_line("procs_running ", line, sizeof(line)) != NULL);
	snprintf(want, sizeof(want), "processes %llu", (unsigned long long)proc_created_total());
	KT_EXPECT_STREQ(find_line("processes ", line, sizeof(line)), want);
}

KTEST(procfs_cpu_time_is_charged_to_the_kernel)
{
	struct cpu_times t0, t1;
	u64 start;

	sched_cpu_times(&t0);
	/* Busy in a kernel thread for 4 ticks: each tick interrupts kernel mode here. */
	start = time_ticks();
	while (time_ticks() < start + 4)
		cpu_relax();
	sched_cpu_times(&t1);
	KT_EXPECT(t1.system - t0.system >= 3);
	KT_EXPECT_EQ(t1.user, t0.user);
	KT_EXPECT(t1.idle - t0.idle <= 1);
}

KTEST(procfs_proc_next_pid_lists_a_new_process)
{
	struct process *p = make_proc();
	bool seen = false;

	KT_ASSERT(p);
	for (int pid = proc_next_pid(0); pid; pid = proc_next_pid(pid))
		seen |= pid == p->pid;
	KT_EXPECT(seen);
	KT_EXPECT_EQ(proc_next_pid(PID_MAX - 1), 0);
	free_proc(p);
}

KTEST(syslog_record_has_the_level_first)
{
	u64 seq;
	char line[LOG_LINE_MAX];
	size_t n;
	const char *text;

	pr_info("procfs ktest marker %d\n", 4321);
	seq = log_next_seq() - 1;
	n = log_read_syslog(&seq, line, sizeof(line));
	KT_ASSERT(n > 0 && n < sizeof(line));
	line[n] = '\0';
	KT_EXPECT(!strncmp(line, "<6>[", 4));
	text = strchr(line, ']');
	KT_ASSERT(text);
	KT_EXPECT_STREQ(text, "] procfs ktest marker 4321\n");
	KT_EXPECT_EQ(seq, log_next_seq());
	/* Too small for the prefix: nothing is read. */
	seq = log_next_seq() - 1;
	KT_EXPECT_EQ(log_read_syslog(&seq, line, 16), 0);
}

KTEST(uts_hostname_set_and_get)
{
	char node[UTS_NAME_LEN + 1], dom[UTS_NAME_LEN + 1], saved[UTS_NAME_LEN + 1];

	uts_get(saved, dom);
	KT_EXPECT_EQ(uts_set_hostname("abcdef", 3), 0);
	uts_get(node, NULL);
	KT_EXPECT_STREQ(node, "abc");
	KT_EXPECT_EQ(uts_set_hostname("x", UTS_NAME_LEN + 1), -EINVAL);
	uts_get(node, NULL);
	KT_EXPECT_STREQ(node, "abc");
	KT_EXPECT_EQ(uts_set_hostname(saved, strlen(saved)), 0);
}

/* Prints every generated file (system files, then those of the test process), for a person
 * checking the formats by eye: ktest=procfs_dump_files. */
KTEST_MANUAL(procfs_dump_files)
{
	struct process *p = make_proc();

	KT_ASSERT(p);
	for (int dir = 0; dir < 2; dir++) {
		const struct procfs_file *f = dir ? procfs_pid_files : procfs_root_files;

		for (; f->name; f++) {
			size_t n = gen(f->show, dir ? p : NULL);

			printk(KERN_INFO "==== %s%s (%zu bytes)\n", dir ? "pid/" : "", f->name, n);
			for (size_t i = 0; i < n; i++)
				if (out[i] == '\0')
					out[i] = '^'; /* NUL separators, visible */
			/* A line at a time: printk keeps lines of up to 512 bytes. */
			for (char *l = out, *e; *l; l = e + 1) {
				e = strchr(l, '\n');
				if (!e) {
					printk(KERN_INFO "%s\n", l);
					break;
				}
				*e = '\0';
				printk(KERN_INFO "%s\n", l);
			}
		}
	}
	free_proc(p);
}
