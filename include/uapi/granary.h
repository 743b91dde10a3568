/* include/uapi/granary.h: Granary-native system call numbers, and libgranary's C API over them.
 * The numbers are shared with the kernel; the API below them is user-space only (libgranary,
 * userland/lib/, built with musl). POSIX calls are not here: they keep Linux's numbers. */
#ifndef UAPI_GRANARY_H
#define UAPI_GRANARY_H

/*
 * Native calls sit at 1000 and above, one block per area, so that they never meet
 * Linux's numbers (below 512). An unassigned number returns -ENOSYS.
 */
#define __GR_NR_HANDLE_BASE 1000 /* handles: close, wait, grant, revoke, query */
#define __GR_NR_IPC_BASE 1200	 /* ports, channels, message queues */
#define __GR_NR_MODULE_BASE 1700 /* load, unload, get_symbol, query */
#define __GR_NR_SILO_BASE 1800	 /* create, config, attach_module, start ... enter_sandbox */
#define __GR_NR_abi_version 1900 /* () -> GRANARY_ABI_VERSION */
#define __GR_NR_module_load (__GR_NR_MODULE_BASE + 0)
#define __GR_NR_module_unload (__GR_NR_MODULE_BASE + 1)
#define __GR_NR_module_get_symbol (__GR_NR_MODULE_BASE + 2)
#define __GR_NR_module_query (__GR_NR_MODULE_BASE + 3)

/* What abi_version returns; bumped when a native call changes incompatibly. (The kernel's
 * include/granary/syscall.h has the same definition; the two must stay identical.) */
#define GRANARY_ABI_VERSION 1

#if __STDC_HOSTED__ && !defined(HOST_TEST) /* ---- libgranary, user space only */

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The kernel's ABI version (GRANARY_ABI_VERSION when it matches this header), or -1 with
 * errno set (ENOSYS: not Granary). */
long granary_abi_version(void);

/*
 * The Zen task interface: processes and threads.
 *
 * Every call returns -1 and sets errno on failure, like the POSIX calls it is built on.
 * A task is named by a struct thr, which is either a thread of the calling process
 * (filled in by taskstart) or a child process (filled in by thrproc from taskexec's pid).
 * A NULL struct thr means the calling thread itself, where that makes sense.
 */
enum thr_type {
	THR_NONE = 0, /* zeroed: names nothing; calls taking it fail with EINVAL */
	THR_THREAD,   /* a thread of this process, made by taskstart */
	THR_PROC,     /* a process, usually a child made by taskexec */
};

struct thr {
	enum thr_type type;
	pid_t pid;	   /* THR_PROC: the process id */
	pthread_t pthread; /* THR_THREAD: musl's thread handle */
	void *ret;	   /* THR_THREAD, after taskwait: what the thread function returned */
	int status;	   /* THR_PROC, after taskwait: the wait status (WIFEXITED() etc.) */
};

/* Thread attributes for taskstart; a NULL pointer means all defaults. */
struct thratr {
	size_t stksize; /* stack size in bytes; 0 = musl's default */
	int flags;	/* THR_DETACHED: no taskwait; the thread's resources go when it ends */
};
#define THR_DETACHED 0x1

/* Runs pathname as a new child process (fork + execve); returns its pid, or -1 with errno
 * (EAGAIN/ENOMEM from fork; the execve error, e.g. ENOENT or ENOEXEC, when it fails:
 * the child reports it back before exiting with status 127, and is reaped). */
int taskexec(const char *pathname, char *const argv[], char *const envp[]);

/* Fills thr so that it names process pid (for taskwait, tasksig, taskstop, taskcont). */
void thrproc(struct thr *thr, pid_t pid);

/* Starts func(arg) in a new thread of this process (pthread_create) and fills thr;
 * returns 0, or -1 with errno (EAGAIN: no resources; EINVAL: bad attributes). */
int taskstart(struct thr *thr, const struct thratr *atr, void *(*func)(void *), void *arg);

/* Puts the calling thread to sleep for usecs microseconds (nanosleep). thr must be NULL or
 * the caller's own handle (EINVAL otherwise: one task cannot put another to sleep).
 * Returns 0, or -1 with EINTR when a signal handler ran first (the sleep is not resumed). */
int tasksleep(struct thr *thr, unsigned int usecs);

/* Waits for a task to end.
 * - THR_THREAD: joins the thread (pthread_join); wchan must be 0. Stores its return value
 *   in thr->ret and returns 0. Errors: EINVAL (detached), EDEADLK (joining itself).
 * - THR_PROC: waits for the process (wait4); wchan is wait4's options (0 or WNOHANG).
 *   Stores the wait status in thr->status and returns the pid, or 0 when WNOHANG was given
 *   and it is still running. Errors: ECHILD (not a child, or already reaped), EINTR.
 * - NULL: waits for any child process (wchan: options as above) and returns its pid; the
 *   status is discarded.
 * Zen's wchan named an arbitrary wait channel; Granary has no such object, so the argument
 * carries the wait options instead. */
int taskwait(struct thr *thr, intptr_t wchan);

/* Replaces the calling thread's signal mask with sigmask and waits for a signal whose
 * handler runs (sigsuspend); thr must be NULL or the caller itself (EINVAL otherwise).
 * Always returns -1 with errno EINTR, after the handler returned. */
int taskpause(struct thr *thr, sigset_t sigmask);

/* Sends signal sig to a task: a thread (pthread_kill), a process (kill), or NULL for the
 * calling thread (raise). sig 0 only checks that the task exists. Returns 0, or -1 with
 * errno (ESRCH: no such task; EINVAL: bad signal; EPERM: not allowed). */
int tasksig(struct thr *thr, int sig);

/* tasksig(thr, SIGSTOP) and tasksig(thr, SIGCONT). As in POSIX, stopping a thread stops its
 * whole process, and so does taskstop(NULL). */
int taskstop(struct thr *thr);
int taskcont(struct thr *thr);

/* Gives the CPU to another runnable task, if there is one (sched_yield). */
void taskyield(void);

/* ---- modules (userland/lib/module.c); each returns a negative errno on failure ---- */
#include <uapi/module.h>

/* Loads a module by path (MODULE_LOAD_PATH), by name from /lib/modules/<release>/
 * (MODULE_LOAD_NAME) or from len bytes (MODULE_LOAD_BUFFER), with "name=value ..." params (or
 * NULL). The id; on failure why (if not NULL, size bytes) says what went wrong. */
long module_load(int how, const void *src, size_t len, const char *params, char *why, size_t size);
/* Unloads a module by name: 0, -EBUSY (why names the user), -ENOENT, -EPERM. */
long module_unload(const char *name, char *why, size_t size);
/* The address of symbol name exported by module id: 0, or -ENOENT (not exported). */
long module_get_symbol(int id, const char *name, uint64_t *addr);
/* Module id (or with MODULE_QUERY_NEXT the next after id) into info: its id, or -ENOENT. */
long module_query(int id, struct granary_module_info *info, unsigned flags);

/* The Zen I/O interface (io*) is in <uapi/zenio.h>, not included here: its ioctl() macro
 * replaces POSIX's in the files that include it. See docs/libgranary.md. */

#endif /* __STDC_HOSTED__ && !HOST_TEST */

#endif
