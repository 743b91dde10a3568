/* include/granary/proc.h: processes (thread groups): address space, files, credentials, limits, family.
 * A process owns one or more tasks (include/granary/sched.h); pid 1 is init. */
#ifndef GRANARY_PROC_H
#define GRANARY_PROC_H

#include <granary/file.h>
#include <granary/list.h>
#include <granary/types.h>
#include <granary/wait.h>
#include <uapi/signal.h>

struct mm;
struct silo;
struct files;
struct task;
struct trap_frame;
struct tty;

#define PID_MAX 32768
#define PROC_MAX 1024 /* processes alive at once, whatever the limits say */

/* A pending signal's details (the parts of siginfo that vary). */
struct sig_info {
	s32 code;
	s32 pid;
	u32 uid;
	s32 status;
	u64 addr;
};

struct sig_pending {
	u64 set; /* bit (sig - 1) */
	struct sig_info info[64];
};

struct cred {
	u32 uid, gid, euid, egid, suid, sgid;
};

struct rlimit64 {
	u64 cur, max;
};
#define RLIM_NLIMITS 16
#define RLIMIT_STACK 3
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIM_INFINITY (~0ULL)

struct process {
	int pid, pgid, sid;
	struct process *parent;
	struct list_head children; /* struct process.sibling */
	struct list_head sibling;
	struct list_head threads; /* struct task.thread_link */
	unsigned nthreads;
	struct mm *mm;
	struct files *files;
	struct cred cred;
	u32 umask;
	struct rlimit64 rlim[RLIM_NLIMITS];
	struct silo *silo; /* the container it lives in: the host silo until silos exist */
	struct tty *tty;   /* controlling terminal, with a reference (NULL: none); drivers/tty/jobctl.c */
	struct k_sigaction action[64]; /* index sig - 1 */
	struct sig_pending pending;    /* sent to the process: any thread may take it */
	bool stopped;		       /* stopped by SIGSTOP/SIGTSTP/...; SIGCONT resumes */
	int report;		       /* stop/continue news for wait4 (WUNTRACED/WCONTINUED) */
	int exit_status;	 /* as wait4 reports it, once a zombie */
	bool zombie;
	bool exiting;		 /* exit_group has begun: exit_status is final */
	bool vfork_done;	 /* a vfork child has exec'd or exited: its parent may go on */
	struct wait_queue vfork_wait;
	struct wait_queue child_exit; /* the parent sleeps here in wait4 */
	char comm[16];
	char exe[256]; /* the path exec was given */
	struct path cwd, root; /* working and root directory, with references (NULL before init runs) */
	u32 refcount;
	u64 utime, stime;   /* ticks its threads ran in user mode / in the kernel */
	u64 cutime, cstime; /* the same, summed over the children it waited for */
	u64 start_tick;	    /* time_ticks() when it was created */
};

/* The process of the running task (NULL for kernel threads). */
struct process *proc_current(void);

/* Starts pid 1 running path (init= on the command line). Returns 0 or a negative errno
 * (the program could not be loaded). */
int proc_start_init(const char *path);

/* Replaces the current process's program: loads path from the initramfs (until the VFS),
 * builds the stack with argv and envp (kernel copies, NULL-terminated) and points the
 * user frame tf at the entry. 0, or -ENOENT, -EACCES, -ENOEXEC, -E2BIG, -ENOMEM. */
int proc_exec(struct trap_frame *tf, const char *path, char *const argv[], char *const envp[]);

/* Ends the calling thread of a multi-threaded process. */
__attribute__((noreturn)) void proc_exit_thread(void);
/* Ends the current process with a wait status (exit code << 8, or a signal number). */
__attribute__((noreturn)) void proc_exit(int status);

/* A new process with pid under parent, with a copy of its credentials and limits (NULL:
 * init's defaults); nothing else is set up. NULL when out of memory or over the cap. */
struct process *proc_alloc(struct process *parent, int pid);
/* Processes alive (zombies included), in all and with real uid uid (RLIMIT_NPROC). */
unsigned proc_count(void);
unsigned proc_count_uid(u32 uid);
/* True if a live process of session sid is in process group pgid. */
bool proc_group_exists(int pgid, int sid);
/* The lowest pid above after that belongs to a process (zombies too), or 0 if none: for
 * listing processes without holding a lock across the caller's work. */
int proc_next_pid(int after);
/* Calls fn on every process in pid order, with a reference held across the call; stops at
 * the first non-zero return and returns it (0 when all were visited). */
int proc_foreach(int (*fn)(struct process *p, void *arg), void *arg);
/* Processes created since boot (forks and init), for /proc/stat. */
u64 proc_created_total(void);
/* Calls fn for every process (zombies included) with the process table locked and interrupts
 * off: fn must not sleep nor call proc_find/proc_put. */
void proc_for_each(void (*fn)(struct process *p, void *arg), void *arg);
/* The process with this pid, with a reference (proc_put() it), or NULL. */
struct process *proc_find(int pid);
void proc_put(struct process *p);
/* Drops the cwd and root references (exit; again harmless). */
void proc_release_paths(struct process *p);

/* Writes a struct rusage with ru_utime and ru_stime from tick counts (the rest zero): 0 or
 * -EFAULT (kernel/sys/sys_times.c). */
int proc_rusage_to_user(void *ru, u64 uticks, u64 sticks); /* ru: a user pointer */

/* Loads the current task's user TLS and FPU state and enters user mode with tf. */
__attribute__((noreturn)) void proc_enter_user(struct trap_frame *tf);

/* Runs on the way back to user mode: pending signals, rescheduling. */
void proc_return_to_user(struct trap_frame *tf);

/* ---- futexes (ipc/futex.c) ---- */

/* Wakes up to n waiters on the user word at uaddr; the number woken or a negative errno. */
long futex_wake(u64 uaddr, bool private, int n, u32 bitset);
/* Marks the robust locks a dying task holds as owner-died and wakes a waiter of each. */
void futex_exit_robust(struct task *t);

/* ---- signals (kernel/proc/signal.c) ---- */

/* Internal: an interrupted call restarts under SA_RESTART, else fails with EINTR. */
#define ERESTARTSYS 512

/* Queues sig for process p (info may be NULL: sent by the kernel); wakes a thread to take it. */
void signal_send(struct process *p, int sig, const struct sig_info *info);
/* Queues sig for one task (tkill, faults). */
void signal_send_task(struct task *t, int sig, const struct sig_info *info);
/* A synchronous fault signal: delivered even if blocked or ignored (then it kills). */
void signal_force(int sig, int code, u64 addr);
/* True if the current task has a signal it does not block. */
bool signal_pending(void);
/* Delivers pending signals before returning to user mode with tf. */
void signal_deliver(struct trap_frame *tf);
/* Tells p's parent that p exited (SIGCHLD); returns true if the parent ignores children,
 * so p should be reaped at once. */
bool signal_child_exit(struct process *p);
/* Resets handlers to default across exec (ignored signals stay ignored). */
void signal_exec(struct process *p);

#endif
