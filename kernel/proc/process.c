/* kernel/proc/process.c: process objects, pids, and starting init.
 * fork/clone is fork.c, exit and wait4 exit.c, exec exec.c. */
#include <granary/arch.h>
#include <granary/cpu.h>
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/kernel.h>
#include <granary/proc.h>
#include <granary/vfs.h>
#include <granary/sched.h>
#include <granary/silo.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/time.h>
#include <granary/vm.h>

static spinlock_t pid_lock = SPINLOCK_INIT;
static struct process *pid_table[PID_MAX];
static unsigned nprocs;
static u64 nprocs_created;

struct process *proc_current(void)
{
	return current_task()->proc;
}

static void default_limits(struct process *p)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		p->rlim[i] = (struct rlimit64){ RLIM_INFINITY, RLIM_INFINITY };
	p->rlim[RLIMIT_STACK] = (struct rlimit64){ 8UL << 20, RLIM_INFINITY };
	p->rlim[RLIMIT_NOFILE] = (struct rlimit64){ FILES_MAX, FILES_MAX };
	p->rlim[RLIMIT_NPROC] = (struct rlimit64){ PROC_MAX, PROC_MAX };
}

/* A new process with pid (its first thread's tid, or 1 for init), linked under parent. */
struct process *proc_alloc(struct process *parent, int pid)
{
	struct process *p = kzalloc(sizeof(*p));
	unsigned long irq;

	if (!p)
		return NULL;
	irq = spin_lock_irqsave(&pid_lock);
	p->pid = nprocs < PROC_MAX ? pid : -EAGAIN;
	if (p->pid > 0) {
		pid_table[p->pid] = p;
		nprocs++;
		nprocs_created++;
	}
	spin_unlock_irqrestore(&pid_lock, irq);
	if (p->pid < 0) {
		kfree(p);
		return NULL;
	}
	p->refcount = 1;
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->threads);
	wait_queue_init(&p->child_exit);
	wait_queue_init(&p->vfork_wait);
	p->parent = parent;
	p->start_tick = time_ticks();
	p->silo = parent ? parent->silo : &silo_host;
	if (parent) {
		p->cred = parent->cred;
		p->umask = parent->umask;
		p->cwd = parent->cwd;
		p->root = parent->root;
		if (p->cwd.dentry)
			path_get(&p->cwd);
		if (p->root.dentry)
			path_get(&p->root);
		p->pgid = parent->pgid;
		p->sid = parent->sid;
		memcpy(p->rlim, parent->rlim, sizeof(p->rlim));
		list_add_tail(&p->sibling, &parent->children);
	} else {
		p->umask = 022;
		vfs_root(&p->cwd);
		vfs_root(&p->root);
		p->pgid = p->sid = p->pid;
		default_limits(p);
	}
	return p;
}

void proc_release_paths(struct process *p)
{
	if (p->cwd.dentry)
		path_put(&p->cwd);
	if (p->root.dentry)
		path_put(&p->root);
	p->cwd.dentry = p->root.dentry = NULL;
}

struct process *proc_find(int pid)
{
	unsigned long irq;
	struct process *p = NULL;

	if (pid <= 0 || pid >= PID_MAX)
		return NULL;
	irq = spin_lock_irqsave(&pid_lock);
	p = pid_table[pid];
	if (p)
		p->refcount++;
	spin_unlock_irqrestore(&pid_lock, irq);
	return p;
}

int proc_next_pid(int after)
{
	unsigned long irq = spin_lock_irqsave(&pid_lock);
	int found = 0;

	for (int i = after < 0 ? 1 : after + 1; i < PID_MAX && !found; i++)
		if (pid_table[i])
			found = i;
	spin_unlock_irqrestore(&pid_lock, irq);
	return found;
}

int proc_foreach(int (*fn)(struct process *p, void *arg), void *arg)
{
	int r = 0;

	for (int pid = proc_next_pid(0); pid && !r; pid = proc_next_pid(pid)) {
		struct process *p = proc_find(pid);

		if (p) {
			r = fn(p, arg);
			proc_put(p);
		}
	}
	return r;
}

u64 proc_created_total(void)
{
	return READ_ONCE(nprocs_created);
}

void proc_put(struct process *p)
{
	unsigned long irq = spin_lock_irqsave(&pid_lock);
	bool last = --p->refcount == 0;

	if (last) {
		list_del(&p->sibling);
		pid_table[p->pid] = NULL;
		nprocs--;
	}
	spin_unlock_irqrestore(&pid_lock, irq);
	if (last) {
		proc_release_paths(p);
		task_id_free(p->pid);
		kfree(p);
	}
}

/* Turns the calling kernel thread into the first (or only) thread of p. */
static int adopt_current(struct process *p)
{
	struct task *t = current_task();

	t->fpu = fpu_alloc();
	if (!t->fpu)
		return -ENOMEM;
	t->proc = p;
	t->flags &= ~TF_KTHREAD;
	/* init's thread takes its pid, 1, as its tid. */
	task_id_free((int)t->tid);
	t->tid = (u32)p->pid;
	t->flags |= TF_ID_KEPT;
	t->prio = SCHED_PRIO_DEFAULT;
	list_add_tail(&t->thread_link, &p->threads);
	p->nthreads = 1;
	return 0;
}

void proc_enter_user(struct trap_frame *tf)
{
	struct task *t = current_task();

	irq_disable();
	wrmsr(MSR_FS_BASE, t->fs_base);
	fpu_restore(t->fpu);
	enter_user(tf);
}

static char init_path[256];

static int init_main(void *arg)
{
	struct process *p = arg;
	char *argv[] = { init_path, NULL };
	char *envp[] = { "HOME=/", "TERM=linux", "PATH=/sbin:/bin:/usr/sbin:/usr/bin", NULL };
	struct trap_frame *tf = task_user_frame(current_task());
	struct file *con = console_file_open();
	int err;

	p->files = files_create();
	p->mm = mm_create(p->silo->memory);
	if (!con || !p->files || !p->mm || adopt_current(p))
		panic("init: out of memory");
	for (int fd = 0; fd < 3; fd++)
		fd_install(p->files, con, fd, false);
	file_put(con);
	mm_switch(p->mm);
	memset(tf, 0, sizeof(*tf));
	pr_notice("init: running %s\n", init_path);
	err = proc_exec(tf, init_path, argv, envp);
	if (err)
		panic("init: cannot run %s (error %d)", init_path, err);
	proc_enter_user(tf);
}

int proc_start_init(const char *path)
{
	struct process *p = proc_alloc(NULL, 1);

	if (!p)
		return -ENOMEM;
	strlcpy(init_path, path, sizeof(init_path));
	strlcpy(p->comm, "init", sizeof(p->comm));
	return kthread_create("init", SCHED_PRIO_DEFAULT, init_main, p) ? 0 : -ENOMEM;
}

void proc_return_to_user(struct trap_frame *tf)
{
	struct task *t = current_task();

	sched_preempt_point();
	if (t->proc && (signal_pending() || t->sig_restore ||
			(tf->vector == 0x100 && (long)tf->rax == -ERESTARTSYS)))
		signal_deliver(tf);
}

unsigned proc_count(void)
{
	return nprocs;
}

bool proc_group_exists(int pgid, int sid)
{
	unsigned long irq = spin_lock_irqsave(&pid_lock);
	bool found = false;

	for (unsigned i = 0, seen = 0; i < PID_MAX && seen < nprocs && !found; i++) {
		if (pid_table[i]) {
			seen++;
			/* A zombie is still in its group until it is reaped, as on Linux. */
			found = pid_table[i]->pgid == pgid && pid_table[i]->sid == sid;
		}
	}
	spin_unlock_irqrestore(&pid_lock, irq);
	return found;
}

unsigned proc_count_uid(u32 uid)
{
	unsigned long irq = spin_lock_irqsave(&pid_lock);
	unsigned n = 0;

	for (unsigned i = 0, seen = 0; i < PID_MAX && seen < nprocs; i++) {
		if (pid_table[i]) {
			seen++;
			n += pid_table[i]->cred.uid == uid;
		}
	}
	spin_unlock_irqrestore(&pid_lock, irq);
	return n;
}

void proc_for_each(void (*fn)(struct process *p, void *arg), void *arg)
{
	unsigned long irq = spin_lock_irqsave(&pid_lock);

	for (unsigned i = 0, seen = 0; i < PID_MAX && seen < nprocs; i++) {
		if (pid_table[i]) {
			seen++;
			fn(pid_table[i], arg);
		}
	}
	spin_unlock_irqrestore(&pid_lock, irq);
}
