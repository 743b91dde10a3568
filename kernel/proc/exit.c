/* kernel/proc/exit.c: ending tasks and processes, zombies, wait4, and re-parenting orphans to init.
 * Statuses are encoded as Linux encodes them: (code << 8) for exit, the signal number for a kill. */
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/kernel.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/syscall.h>
#include <granary/uaccess.h>
#include <granary/vm.h>

#define WNOHANG 1
#define WUNTRACED 2

/* Gives the children of p to init (pid 1), waking init if any is already a zombie. */
static void reparent_children(struct process *p)
{
	struct process *init = proc_find(1);
	struct list_head *pos, *tmp;
	bool zombies = false;

	if (!init)
		return;
	list_for_each_safe(pos, tmp, &p->children) {
		struct process *c = list_entry(pos, struct process, sibling);
		list_del(&c->sibling);
		c->parent = init;
		list_add_tail(&c->sibling, &init->children);
		zombies |= c->zombie;
	}
	if (zombies)
		wake_up(&init->child_exit);
	proc_put(init);
}

static void release_thread(struct task *t)
{
	u32 zero = 0;

	/* CLONE_CHILD_CLEARTID: tell a joining thread (futex wake arrives with futexes). */
	if (t->clear_child_tid)
		copy_to_user((void __user *)t->clear_child_tid, &zero, sizeof(zero));
}

void proc_exit(int status)
{
	struct task *t = current_task();
	struct process *p = t->proc;

	if (p->pid == 1) {
		int code = (status & 0x7f) ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
		pr_notice("init exited with status %d\n", code);
		machine_poweroff(code);
	}
	release_thread(t);
	files_put(p->files);
	p->files = NULL;
	mm_switch(NULL);
	mm_put(p->mm);
	p->mm = NULL;
	list_del(&t->thread_link);
	p->nthreads--;
	t->proc = NULL;
	reparent_children(p);
	p->exit_status = status;
	p->vfork_done = true;
	wake_up(&p->vfork_wait);
	p->zombie = true;
	if (p->parent)
		wake_up(&p->parent->child_exit);
	task_exit();
}

static bool matches(const struct process *c, int pid, const struct process *me)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == 0)
		return c->pgid == me->pgid;
	if (pid < -1)
		return c->pgid == -pid;
	return true;
}

/* A zombie child matching pid (reaped: unlinked), 0 if there are matching children but none
 * has exited, -ECHILD if there are none. */
static struct process *find_zombie(struct process *me, int pid, bool *any)
{
	struct list_head *pos;

	*any = false;
	list_for_each(pos, &me->children) {
		struct process *c = list_entry(pos, struct process, sibling);
		if (!matches(c, pid, me))
			continue;
		*any = true;
		if (c->zombie)
			return c;
	}
	return NULL;
}

SYSCALL_DEFINE4(wait4, int, pid, int __user *, status, int, options, void __user *, rusage)
{
	struct process *me = proc_current(), *c;
	bool any;
	int ret;

	if (options & ~(WNOHANG | WUNTRACED))
		return -EINVAL;
	c = find_zombie(me, pid, &any);
	if (!c && !any)
		return -ECHILD;
	if (!c && (options & WNOHANG))
		return 0;
	if (!c)
		wait_event(me->child_exit, (c = find_zombie(me, pid, &any)) || !any);
	if (!c)
		return -ECHILD;
	if (status && copy_to_user(status, &c->exit_status, sizeof(int)))
		return -EFAULT;
	if (rusage && clear_user(rusage, 144))
		return -EFAULT;
	ret = c->pid;
	proc_put(c); /* the pid and the process go */
	return ret;
}
