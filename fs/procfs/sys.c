/* fs/procfs/sys.c: the text of the system-wide /proc files: meminfo, uptime, loadavg, stat,
 * version, cmdline. Linux's formats (busybox free, top and uptime parse them); cpuinfo is cpuinfo.c. */
#include <granary/cmdline.h>
#include <granary/kernel.h>
#include <granary/page.h>
#include <granary/paging.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/shm.h>
#include <granary/slab.h>
#include <granary/time.h>

#include <granary/ksyms.h>
#include <granary/module.h>
#include "procfs.h"

#define KB(pages) ((unsigned long long)(pages) * (PAGE_SIZE / 1024))

/* "Name:" padded to 16 columns, then the value right-aligned in 8, as Linux prints it. */
static void show_kb(struct seqbuf *s, const char *name, unsigned long long kb)
{
	char label[24];

	snprintf(label, sizeof(label), "%s:", name);
	seq_printf(s, "%-16s%8llu kB\n", label, kb);
}

int procfs_show_meminfo(struct seqbuf *s, struct process *p)
{
	struct mem_stats m;
	u64 shm_objects, shm_pages, anon;

	/* As sysinfo does: empty slabs kept for speed count as free, so free and top agree. */
	slab_shrink();
	mem_get_stats(&m);
	shm_stats(&shm_objects, &shm_pages);
	anon = m.user > shm_pages ? m.user - shm_pages : 0;
	show_kb(s, "MemTotal", KB(m.total));
	show_kb(s, "MemFree", KB(m.free));
	show_kb(s, "MemAvailable", KB(m.free));
	show_kb(s, "Buffers", 0);
	/* Linux counts shared memory in the page cache. */
	show_kb(s, "Cached", KB(shm_pages));
	show_kb(s, "SwapCached", 0);
	show_kb(s, "Active", KB(m.user));
	show_kb(s, "Inactive", 0);
	show_kb(s, "Active(anon)", KB(m.user));
	show_kb(s, "Inactive(anon)", 0);
	show_kb(s, "Active(file)", 0);
	show_kb(s, "Inactive(file)", 0);
	show_kb(s, "Unevictable", 0);
	show_kb(s, "Mlocked", 0);
	show_kb(s, "SwapTotal", 0);
	show_kb(s, "SwapFree", 0);
	show_kb(s, "Dirty", 0);
	show_kb(s, "Writeback", 0);
	show_kb(s, "AnonPages", KB(anon));
	show_kb(s, "Mapped", KB(shm_pages));
	show_kb(s, "Shmem", KB(shm_pages));
	show_kb(s, "KReclaimable", 0);
	show_kb(s, "Slab", KB(m.slab));
	show_kb(s, "SReclaimable", 0);
	show_kb(s, "SUnreclaim", KB(m.slab));
	show_kb(s, "KernelStack", KB(m.kstacks));
	show_kb(s, "PageTables", KB(m.pagetables));
	show_kb(s, "NFS_Unstable", 0);
	show_kb(s, "Bounce", 0);
	show_kb(s, "WritebackTmp", 0);
	show_kb(s, "CommitLimit", KB(m.total));
	show_kb(s, "Committed_AS", KB(m.user));
	show_kb(s, "VmallocTotal", VMALLOC_SIZE / 1024);
	show_kb(s, "VmallocUsed", KB(m.vmalloc));
	show_kb(s, "VmallocChunk", 0);
	/* Granary's own: what loaded modules take of the module area (text, rodata, data). */
	show_kb(s, "ModulesUsed", KB(m.modules));
	seq_printf(s, "%-16s%8d\n%-16s%8d\n%-16s%8d\n%-16s%8d\n", "HugePages_Total:", 0,
		   "HugePages_Free:", 0, "HugePages_Rsvd:", 0, "HugePages_Surp:", 0);
	show_kb(s, "Hugepagesize", 2048);
	show_kb(s, "Hugetlb", 0);
	return 0;
}

/* Hundredths of a second from ticks. */
static void put_centis(struct seqbuf *s, u64 ticks, char after)
{
	u64 c = procfs_clock_t(ticks);

	seq_printf(s, "%llu.%02llu%c", (unsigned long long)(c / 100), (unsigned long long)(c % 100),
		   after);
}

int procfs_show_uptime(struct seqbuf *s, struct process *p)
{
	u64 ns = time_ns();
	struct cpu_times ct;

	sched_cpu_times(&ct);
	seq_printf(s, "%llu.%02llu ", (unsigned long long)(ns / NSEC_PER_SEC),
		   (unsigned long long)(ns % NSEC_PER_SEC / (NSEC_PER_SEC / 100)));
	put_centis(s, ct.idle, '\n');
	return 0;
}

int procfs_show_loadavg(struct seqbuf *s, struct process *p)
{
	unsigned long avg[3];

	sched_loadavg(avg);
	for (int i = 0; i < 3; i++) {
		/* Rounded to the hundredth shown, as Linux does. */
		unsigned long v = avg[i] + LOAD_FIXED_1 / 200;

		seq_printf(s, "%lu.%02lu ", v >> LOAD_FSHIFT,
			   ((v & (LOAD_FIXED_1 - 1)) * 100) >> LOAD_FSHIFT);
	}
	seq_printf(s, "%u/%u %d\n", sched_nr_running(), sched_task_count(), task_id_last());
	return 0;
}

int procfs_show_stat(struct seqbuf *s, struct process *p)
{
	struct cpu_times ct;
	u64 boot = (time_realtime_ns() - time_ns()) / NSEC_PER_SEC;

	sched_cpu_times(&ct);
	/* user nice system idle iowait irq softirq steal guest guest_nice; one CPU. */
	for (int line = 0; line < 2; line++)
		seq_printf(s, "%s %llu 0 %llu %llu 0 0 0 0 0 0\n", line ? "cpu0" : "cpu ",
			   (unsigned long long)procfs_clock_t(ct.user),
			   (unsigned long long)procfs_clock_t(ct.system),
			   (unsigned long long)procfs_clock_t(ct.idle));
	seq_printf(s, "intr 0\nctxt %u\nbtime %llu\nprocesses %llu\n", sched_rq_switches(),
		   (unsigned long long)boot, (unsigned long long)proc_created_total());
	seq_printf(s, "procs_running %u\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		   sched_nr_running());
	return 0;
}

#ifdef __clang__
#define COMPILER_VERSION "clang version " __clang_version__
#else
#define COMPILER_VERSION "gcc version " __VERSION__
#endif

int procfs_show_version(struct seqbuf *s, struct process *p)
{
	/* Linux's layout: sysname "version" release (compiler) then uname's version string. */
	seq_printf(s, "Granary version %s (%s) %s\n", granary_release, COMPILER_VERSION,
		   granary_banner);
	return 0;
}

int procfs_show_cmdline(struct seqbuf *s, struct process *p)
{
	seq_printf(s, "%s\n", cmdline_get());
	return 0;
}

const struct procfs_file procfs_root_files[] = {
	{ "cmdline", procfs_show_cmdline, 0444 },
	{ "cpuinfo", procfs_show_cpuinfo, 0444 },
	{ "kallsyms", ksyms_proc_show, 0444 },
	{ "loadavg", procfs_show_loadavg, 0444 },
	{ "meminfo", procfs_show_meminfo, 0444 },
#ifdef CONFIG_MODULES
	{ "modules", module_proc_show, 0444 },
#endif
	{ "stat", procfs_show_stat, 0444 },
	{ "uptime", procfs_show_uptime, 0444 },
	{ "version", procfs_show_version, 0444 },
	{ NULL, NULL, 0 },
};
