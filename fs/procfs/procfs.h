/* fs/procfs/procfs.h: procfs's private interface: the generators that produce each file's text.
 * The directory side (lookup of /proc/<pid>/..., readdir, open) is the glue's; it calls these. */
#ifndef FS_PROCFS_PROCFS_H
#define FS_PROCFS_PROCFS_H

#include <granary/seqbuf.h>
#include <granary/types.h>

struct process;

/*
 * Every generator prints a whole file into s, in Linux's format, and returns 0 or a negative
 * errno. Text that does not fit sets s->overflow (the return value is still 0): the caller
 * retries with a bigger buffer. Generators never sleep and take no reference; the caller
 * holds one on p (proc_find) for the duration. Files of a zombie show what Linux shows
 * (no memory: cmdline, environ and maps are empty).
 */
typedef int (*procfs_show_fn)(struct seqbuf *s, struct process *p);

/* ---- /proc/<pid>/ (pid.c, maps.c) ---- */
int procfs_show_pid_stat(struct seqbuf *s, struct process *p);    /* the 52 fields */
int procfs_show_pid_status(struct seqbuf *s, struct process *p);  /* "Name:\t..." lines */
int procfs_show_pid_cmdline(struct seqbuf *s, struct process *p); /* argv, NUL-separated */
int procfs_show_pid_environ(struct seqbuf *s, struct process *p); /* envp, NUL-separated */
int procfs_show_pid_comm(struct seqbuf *s, struct process *p);    /* the name and "\n" */
int procfs_show_pid_maps(struct seqbuf *s, struct process *p);    /* one line per area */
int procfs_show_pid_statm(struct seqbuf *s, struct process *p);   /* sizes in pages */

/* ---- /proc/ (sys.c, cpuinfo.c); p is ignored ---- */
int procfs_show_meminfo(struct seqbuf *s, struct process *p);
int procfs_show_uptime(struct seqbuf *s, struct process *p);
int procfs_show_loadavg(struct seqbuf *s, struct process *p);
int procfs_show_cpuinfo(struct seqbuf *s, struct process *p);
int procfs_show_version(struct seqbuf *s, struct process *p);
int procfs_show_cmdline(struct seqbuf *s, struct process *p);
int procfs_show_stat(struct seqbuf *s, struct process *p);

/* An address space summed up by kind of area (maps.c), for status, statm and stat. Pages. */
struct mm;
struct procfs_vm {
	u64 size, rss;		  /* all areas; resident pages */
	u64 data, stack, exec;	  /* private writable, the main stack, executable (not writable) */
	unsigned long start_code, end_code; /* the first executable area */
};
void procfs_vm_summary(struct mm *mm, struct procfs_vm *v);

/* The files of each directory for the glue: name, generator, permission bits; the tables end
 * with a NULL name. */
struct procfs_file {
	const char *name;
	procfs_show_fn show;
	u16 mode;
};
extern const struct procfs_file procfs_pid_files[];
extern const struct procfs_file procfs_root_files[];

/* Clock ticks (CONFIG_HZ) as USER_HZ (100) ticks, the unit of every time in /proc. */
#define PROCFS_USER_HZ 100
static inline u64 procfs_clock_t(u64 ticks)
{
	return CONFIG_HZ == PROCFS_USER_HZ ? ticks : ticks * PROCFS_USER_HZ / CONFIG_HZ;
}

#endif
