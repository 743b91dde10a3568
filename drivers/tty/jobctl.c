/* drivers/tty/jobctl.c: controlling terminals and job control (Linux rules: sessions, foreground groups, SIGTT*).
 * The process side of ttys: acquiring, inheriting, dropping and hanging up; not the line discipline. */
#include <granary/errno.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/uaccess.h>
#include <uapi/fcntl.h>

#include "tty_internal.h"

#define BIT(sig) (1ULL << ((sig) - 1))

/* Guards tty->sid, tty->pgrp and every process->tty. Taken before the process table's lock
 * (proc_for_each), never after it. */
static spinlock_t ctty_lock = SPINLOCK_INIT;

struct group_signal {
	int pgid, sig;
	const struct process *skip;
};

static void signal_one(struct process *p, void *arg)
{
	const struct group_signal *g = arg;

	if (p->pgid == g->pgid && p != g->skip && !p->zombie && !p->exiting)
		signal_send(p, g->sig, NULL);
}

static void signal_group_except(int pgid, int sig, const struct process *skip)
{
	struct group_signal g = { pgid, sig, skip };

	if (pgid > 0)
		proc_for_each(signal_one, &g);
}

void jobctl_signal_group(int pgid, int sig)
{
	signal_group_except(pgid, sig, NULL);
}

struct orphan_check {
	int pgid;
	bool linked; /* some member has a parent in another group of the same session */
};

static void check_one(struct process *p, void *arg)
{
	struct orphan_check *c = arg;
	struct process *parent = p->parent;

	if (p->pgid != c->pgid || p->zombie || !parent || parent->pid == 1)
		return;
	if (parent->pgid != c->pgid && parent->sid == p->sid)
		c->linked = true;
}

/* POSIX: a group is orphaned when no member has a parent in a different group of the same
 * session (init does not count as such a parent), so nobody is left to continue it. */
static bool group_orphaned(int pgid)
{
	struct orphan_check c = { pgid, false };

	proc_for_each(check_one, &c);
	return !c.linked;
}

struct session_clear {
	int sid;
	struct tty *tty;
};

static void clear_one(struct process *p, void *arg)
{
	struct session_clear *c = arg;

	if (p->sid == c->sid && p->tty == c->tty) {
		p->tty = NULL;
		tty_put(c->tty);
	}
}

/* Ends tty's tie to its session: no process of it keeps tty as its controlling terminal.
 * Returns the foreground group it had. Caller holds ctty_lock. */
static int detach_session(struct tty *tty)
{
	struct session_clear c = { tty->sid, tty };
	int pgrp = tty->pgrp;

	if (c.sid)
		proc_for_each(clear_one, &c);
	WRITE_ONCE(tty->pgrp, 0);
	tty->sid = 0;
	return pgrp;
}

static void attach(struct process *p, struct tty *tty)
{
	tty_get(tty);
	p->tty = tty;
	tty->sid = p->sid;
	WRITE_ONCE(tty->pgrp, p->pgid);
}

void jobctl_open(struct tty *tty, unsigned flags)
{
	struct process *p = proc_current();
	unsigned long irq;

	if (!p || (flags & O_NOCTTY) || p->pid != p->sid)
		return;
	irq = spin_lock_irqsave(&ctty_lock);
	if (!p->tty && !tty->sid)
		attach(p, tty);
	spin_unlock_irqrestore(&ctty_lock, irq);
}

struct tty *jobctl_current_tty(void)
{
	struct process *p = proc_current();
	unsigned long irq;
	struct tty *tty;

	if (!p)
		return NULL;
	irq = spin_lock_irqsave(&ctty_lock);
	tty = p->tty;
	if (tty)
		tty_get(tty);
	spin_unlock_irqrestore(&ctty_lock, irq);
	return tty;
}

int jobctl_check(struct tty *tty, int sig)
{
	struct process *p = proc_current();
	int pgrp;

	if (!p || READ_ONCE(p->tty) != tty)
		return 0;
	pgrp = READ_ONCE(tty->pgrp);
	if (!pgrp || p->pgid == pgrp)
		return 0;
	if ((current_task()->sig_blocked & BIT(sig)) || p->action[sig - 1].handler == SIG_IGN)
		return sig == SIGTTIN ? -EIO : 0;
	if (group_orphaned(p->pgid))
		return -EIO;
	jobctl_signal_group(p->pgid, sig);
	return -ERESTARTSYS;
}

/* TIOCSCTTY: a session leader without a terminal takes tty; one another session holds only
 * with force (arg 1) by root. */
static long set_ctty(struct tty *tty, unsigned long force, bool read_ok)
{
	struct process *p = proc_current();
	bool root = p->cred.euid == 0;
	unsigned long irq = spin_lock_irqsave(&ctty_lock);
	long ret = 0;

	if (p->pid == p->sid && p->tty == tty)
		goto out;
	if (p->pid != p->sid || p->tty || (!read_ok && !root)) {
		ret = -EPERM;
		goto out;
	}
	if (tty->sid) {
		if (force != 1 || !root) {
			ret = -EPERM;
			goto out;
		}
		detach_session(tty);
	}
	attach(p, tty);
out:
	spin_unlock_irqrestore(&ctty_lock, irq);
	return ret;
}

/* TIOCNOTTY: the caller gives up its terminal; a session leader takes the session with it
 * (SIGHUP and SIGCONT to the foreground group). */
static long drop_ctty(struct tty *tty)
{
	struct process *p = proc_current();
	unsigned long irq = spin_lock_irqsave(&ctty_lock);
	int pgrp = 0;

	if (p->tty != tty) {
		spin_unlock_irqrestore(&ctty_lock, irq);
		return -ENOTTY;
	}
	if (p->pid == p->sid && tty->sid == p->sid)
		pgrp = detach_session(tty);
	if (p->tty) {
		p->tty = NULL;
		tty_put(tty);
	}
	spin_unlock_irqrestore(&ctty_lock, irq);
	if (pgrp) {
		jobctl_signal_group(pgrp, SIGHUP);
		jobctl_signal_group(pgrp, SIGCONT);
	}
	return 0;
}

struct group_session {
	int nr;
	int sid;	/* of a member of group nr, else of process nr; 0: neither exists */
	bool from_group;
};

static void find_session(struct process *p, void *arg)
{
	struct group_session *g = arg;

	/* Zombies count: a pipeline's first command may have exited (not yet reaped) when the
	 * shell makes its group the foreground, and the group still exists, as on Linux. */
	if (g->from_group)
		return;
	if (p->pgid == g->nr) {
		g->sid = p->sid;
		g->from_group = true;
	} else if (p->pid == g->nr) {
		g->sid = p->sid;
	}
}

static long set_pgrp(struct tty *tty, int __user *up)
{
	struct process *p = proc_current();
	struct group_session g = { 0 };
	unsigned long irq;
	int nr, ret;

	ret = jobctl_check(tty, SIGTTOU);
	if (ret)
		return ret == -EIO ? -ENOTTY : ret;
	if (copy_from_user(&nr, up, sizeof(nr)))
		return -EFAULT;
	if (nr < 0)
		return -EINVAL;
	g.nr = nr;
	proc_for_each(find_session, &g);
	irq = spin_lock_irqsave(&ctty_lock);
	if (p->tty != tty || tty->sid != p->sid)
		ret = -ENOTTY;
	else if (!g.sid)
		ret = -ESRCH;
	else if (g.sid != p->sid)
		ret = -EPERM;
	else
		WRITE_ONCE(tty->pgrp, nr);
	spin_unlock_irqrestore(&ctty_lock, irq);
	return ret;
}

/* TIOCGPGRP/TIOCGSID: only on the caller's own controlling terminal. */
static long get_id(struct tty *tty, int __user *up, bool sid)
{
	struct process *p = proc_current();
	unsigned long irq = spin_lock_irqsave(&ctty_lock);
	int v = sid ? tty->sid : tty->pgrp;
	bool mine = p->tty == tty;

	spin_unlock_irqrestore(&ctty_lock, irq);
	if (!mine || (sid && !v))
		return -ENOTTY;
	return copy_to_user(up, &v, sizeof(v)) ? -EFAULT : 0;
}

long jobctl_ioctl(struct tty *tty, unsigned cmd, unsigned long arg, bool read_ok)
{
	if (!proc_current())
		return -ENOTTY;
	switch (cmd) {
	case TIOCSCTTY:
		return set_ctty(tty, arg, read_ok);
	case TIOCNOTTY:
		return drop_ctty(tty);
	case TIOCGPGRP:
		return get_id(tty, (int __user *)arg, false);
	case TIOCGSID:
		return get_id(tty, (int __user *)arg, true);
	case TIOCSPGRP:
		return set_pgrp(tty, (int __user *)arg);
	}
	return -ENOIOCTLCMD;
}

void tty_proc_fork(struct process *child, struct process *parent)
{
	unsigned long irq = spin_lock_irqsave(&ctty_lock);

	child->tty = parent->tty;
	if (child->tty)
		tty_get(child->tty);
	spin_unlock_irqrestore(&ctty_lock, irq);
}

void tty_proc_setsid(struct process *p)
{
	unsigned long irq = spin_lock_irqsave(&ctty_lock);
	struct tty *tty = p->tty;

	p->tty = NULL;
	spin_unlock_irqrestore(&ctty_lock, irq);
	if (tty)
		tty_put(tty);
}

void tty_proc_exit(struct process *p)
{
	unsigned long irq = spin_lock_irqsave(&ctty_lock);
	struct tty *tty = p->tty, *hung = NULL;
	int pgrp = 0;

	if (tty && p->pid == p->sid && tty->sid == p->sid) {
		/* The controlling process is gone: the session loses its terminal. */
		pgrp = detach_session(tty);
		hung = tty;
	} else if (tty) {
		p->tty = NULL;
		tty_put(tty);
	}
	spin_unlock_irqrestore(&ctty_lock, irq);
	if (hung) {
		tty_hangup(hung);
		signal_group_except(pgrp, SIGHUP, p);
		signal_group_except(pgrp, SIGCONT, p);
	}
}
