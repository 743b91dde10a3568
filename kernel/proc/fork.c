/* kernel/proc/fork.c: fork, vfork and clone: new processes with copy-on-write memory, and threads.
 * Thread-style clones share the process (memory, files); the rest copy it. */
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/string.h>
#include <granary/syscall.h>
#include <granary/tty.h>
#include <granary/uaccess.h>
#include <granary/vm.h>

#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_VFORK 0x00004000
#define CLONE_PARENT 0x00008000
#define CLONE_THREAD 0x00010000
#define CLONE_SYSVSEM 0x00040000 /* shares SysV semaphore undo lists: there are none */
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_DETACHED 0x00400000 /* ignored, as Linux ignores it */
#define CLONE_CHILD_SETTID 0x01000000
#define CSIGNAL 0xff

/* The flags Granary understands; anything else is -EINVAL rather than silently ignored. */
#define CLONE_KNOWN (CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_VFORK | \
		     CLONE_PARENT | CLONE_THREAD | CLONE_SETTLS | CLONE_PARENT_SETTID |         \
		     CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_SYSVSEM | CLONE_DETACHED)

/* A new process: memory copied on write, descriptors copied. */
static struct process *copy_process(struct process *parent, struct task *t)
{
	struct process *p = proc_alloc(parent, (int)t->tid);

	if (!p)
		return NULL;
	t->flags |= TF_ID_KEPT; /* the process frees the id with itself */
	p->mm = mm_clone(parent->mm);
	p->files = files_clone(parent->files);
	if (!p->mm || !p->files) {
		if (p->mm)
			mm_put(p->mm);
		if (p->files)
			files_put(p->files);
		p->zombie = true;
		proc_put(p); /* frees the id too: the task keeps TF_ID_KEPT */
		return NULL;
	}
	strlcpy(p->comm, parent->comm, sizeof(p->comm));
	strlcpy(p->exe, parent->exe, sizeof(p->exe));
	memcpy(p->action, parent->action, sizeof(p->action)); /* dispositions are inherited */
	tty_proc_fork(p, parent);
	t->proc = p;
	list_add_tail(&t->thread_link, &p->threads);
	p->nthreads = 1;
	return p;
}

static long do_clone(unsigned long flags, u64 newsp, u64 ptid, u64 ctid, u64 tls)
{
	struct process *parent = proc_current();
	struct trap_frame *tf = task_user_frame(current_task());
	struct process *p;
	struct task *t;
	long id;

	if (flags & ~CLONE_KNOWN)
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	/* The global cap holds even for root; RLIMIT_NPROC counts the user's processes. */
	if (!(flags & CLONE_THREAD) &&
	    (proc_count() >= PROC_MAX ||
	     (parent->cred.uid && proc_count_uid(parent->cred.uid) >= parent->rlim[RLIMIT_NPROC].cur)))
		return -EAGAIN;
	t = task_fork(tf);
	if (!t)
		return -ENOMEM;
	task_user_frame(t)->rax = 0; /* the child sees 0 */
	t->sig_blocked = current_task()->sig_blocked; /* so is the signal mask */
	if (newsp)
		task_user_frame(t)->rsp = newsp;
	if (flags & CLONE_SETTLS)
		t->fs_base = tls;
	if (flags & CLONE_THREAD) {
		p = parent;
		t->proc = p;
		list_add_tail(&t->thread_link, &p->threads);
		p->nthreads++;
		id = t->tid;
	} else {
		p = copy_process(parent, t);
		if (!p) {
			task_put(t);
			return -ENOMEM;
		}
		id = p->pid;
	}
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;
	if (flags & CLONE_CHILD_SETTID) {
		/* The child's memory: the same as ours for a thread, its own copy otherwise. */
		if (p != parent)
			mm_switch(p->mm);
		(void)copy_to_user((void __user *)ctid, &id, sizeof(int));
		if (p != parent)
			mm_switch(parent->mm);
	}
	/* Like Linux, a bad address here does not undo the clone. */
	if (flags & CLONE_PARENT_SETTID)
		(void)copy_to_user((void __user *)ptid, &id, sizeof(int));
	sched_wake(t);
	if (flags & CLONE_VFORK)
		wait_event(p->vfork_wait, READ_ONCE(p->vfork_done));
	return id;
}

SYSCALL_DEFINE0(fork)
{
	return do_clone(17 /* SIGCHLD */, 0, 0, 0, 0);
}

SYSCALL_DEFINE0(vfork)
{
	return do_clone(CLONE_VM | CLONE_VFORK | 17, 0, 0, 0, 0);
}

/* x86_64 argument order: flags, newsp, parent_tid, child_tid, tls. */
SYSCALL_DEFINE6(clone, unsigned long, flags, u64, newsp, u64, ptid, u64, ctid, u64, tls, u64, unused)
{
	return do_clone(flags, newsp, ptid, ctid, tls);
}
