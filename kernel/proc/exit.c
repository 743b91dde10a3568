/* kernel/proc/exit.c: ending tasks and processes, zombies, wait4, and re-parenting orphans to init.
 * Statuses are encoded as Linux encodes them: (code << 8) for exit, the signal number for a kill. */
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/kernel.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/syscall.h>
#include <granary/tty.h>
#include <granary/uaccess.h>
#include <granary/vm.h>

#define WNOHANG 1
#define WUNTRACED 2
#define WCONTINUED 8

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

	futex_exit_robust(t);
	/* CLONE_CHILD_CLEARTID: zero the tid word and wake a thread joining this one. */
	if (t->clear_child_tid &&
	    !copy_to_user((void __user *)t->clear_child_tid, &zero, sizeof(zero)))
		futex_wake(t->clear_child_tid, false, 1, 0xffffffffu);
}

/* Ends the calling thread only (exit(2) in a multi-threaded process). */
void proc_exit_thread(void)
{
	struct task *t = current_task();
	struct process *p = t->proc;

	release_thread(t);
	list_del(&t->thread_link);
	p->nthreads--;
	t->proc = NULL;
	task_exit();
}

void proc_exit(int status)
{
	struct task *t = current_task();
	struct process *p = t->proc;
	struct list_head *pos;

	/* The first exit decides the status; the other threads are killed and the last one
	 * out tears the process down. */
	if (!p->exiting) {
		p->exiting = true;
		p->exit_status = status;
		list_for_each(pos, &p->threads) {
			struct task *o = list_entry(pos, struct task, thread_link);
			if (o != t)
				signal_send_task(o, SIGKILL, NULL);
		}
	}
	if (p->nthreads > 1)
		proc_exit_thread();
	status = p->exit_status;
	if (p->pid == 1) {
		/* QEMU's debug-exit carries 7 bits: a death by signal becomes 64 + the signal. */
		if (status & 0x7f) {
			pr_notice("init killed by signal %d\n", status & 0x7f);
			machine_poweroff(64 + (status & 0x7f));
		}
		pr_notice("init exited with status %d\n", (status >> 8) & 0xff);
		machine_poweroff((status >> 8) & 0xff);
	}
	release_thread(t);
	files_put(p->files);
	proc_release_paths(p);
	p->files = NULL;
	tty_proc_exit(p);
	mm_switch(NULL);
	mm_put(p->mm);
	p->mm = NULL;
	list_del(&t->thread_link);
	p->nthreads--;
	t->proc = NULL;
	reparent_children(p);
	p->vfork_done = true;
	wake_up(&p->vfork_wait);
	p->zombie = true;
	if (signal_child_exit(p)) {
		proc_put(p); /* the parent ignores children: no zombie */
	} else if (p->parent) {
		wake_up(&p->parent->child_exit);
	}
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

/* A child matching pid with news for wait4: exited, or (as options ask) stopped or
 * continued; NULL if none. *any says whether any child matches at all. */
static struct process *find_news(struct process *me, int pid, int options, bool *any)
{
	struct list_head *pos;

	*any = false;
	list_for_each(pos, &me->children) {
		struct process *c = list_entry(pos, struct process, sibling);
		int r = READ_ONCE(c->report);
		if (!matches(c, pid, me))
			continue;
		*any = true;
		if (c->zombie || ((options & WUNTRACED) && (r & 0xff) == 0x7f) ||
		    ((options & WCONTINUED) && r == 0xffff))
			return c;
	}
	return NULL;
}

SYSCALL_DEFINE4(wait4, int, pid, int __user *, status, int, options, void __user *, rusage)
{
	struct process *me = proc_current(), *c;
	bool any;
	int ret;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED))
		return -EINVAL;
	c = find_news(me, pid, options, &any);
	if (!c && !any)
		return -ECHILD;
	if (!c && (options & WNOHANG))
		return 0;
	if (!c) {
		int err = wait_event_interruptible(me->child_exit,
						   (c = find_news(me, pid, options, &any)) || !any);
		if (err)
			return err;
	}
	if (!c)
		return -ECHILD;
	if (!c->zombie) {
		/* A stop or continue: reported once, the child stays. */
		int st = c->report;
		c->report = 0;
		if (status && copy_to_user(status, &st, sizeof(int)))
			return -EFAULT;
		return c->pid;
	}
	if (status && copy_to_user(status, &c->exit_status, sizeof(int)))
		return -EFAULT;
	/* The child's times and those of the children it waited for, as Linux reports. */
	if (rusage && proc_rusage_to_user(rusage, c->utime + c->cutime, c->stime + c->cstime))
		return -EFAULT;
	me->cutime += c->utime + c->cutime;
	me->cstime += c->stime + c->cstime;
	ret = c->pid;
	proc_put(c); /* the pid and the process go */
	return ret;
}
