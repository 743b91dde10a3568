/* kernel/sys/sys_ids.c: credentials, process groups and sessions, umask, resource limits.
 * Linux semantics; only root changes uids and gids freely. */
#include <granary/errno.h>
#include <granary/proc.h>
#include <granary/string.h>
#include <granary/syscall.h>
#include <granary/tty.h>
#include <granary/uaccess.h>

SYSCALL_DEFINE1(setuid, u32, uid)
{
	struct cred *c = &proc_current()->cred;

	if (c->euid == 0)
		c->uid = c->euid = c->suid = uid;
	else if (uid == c->uid || uid == c->suid)
		c->euid = uid;
	else
		return -EPERM;
	return 0;
}

SYSCALL_DEFINE1(setgid, u32, gid)
{
	struct cred *c = &proc_current()->cred;

	if (c->euid == 0)
		c->gid = c->egid = c->sgid = gid;
	else if (gid == c->gid || gid == c->sgid)
		c->egid = gid;
	else
		return -EPERM;
	return 0;
}

SYSCALL_DEFINE1(umask, u32, mask)
{
	struct process *p = proc_current();
	u32 old = p->umask;

	p->umask = mask & 0777;
	return old;
}

SYSCALL_DEFINE2(setpgid, int, pid, int, pgid)
{
	struct process *me = proc_current(), *p = pid ? proc_find(pid) : me;
	long ret = 0;

	if (pgid < 0)
		return -EINVAL;
	if (!p)
		return -ESRCH;
	/* Ourselves or a child of ours, in our session; a session leader cannot move; the
	 * group must be new (pgid == pid) or already exist in the session. */
	if (!pgid)
		pgid = p->pid;
	if (p != me && p->parent != me)
		ret = -ESRCH;
	else if (p->sid != me->sid || p->pid == p->sid)
		ret = -EPERM;
	else if (pgid != p->pid && !proc_group_exists(pgid, me->sid))
		ret = -EPERM;
	else
		p->pgid = pgid;
	if (p != me)
		proc_put(p);
	return ret;
}

static long get_field(int pid, bool sid)
{
	struct process *p = pid ? proc_find(pid) : proc_current();
	long r;

	if (!p)
		return -ESRCH;
	r = sid ? p->sid : p->pgid;
	if (pid)
		proc_put(p);
	return r;
}

SYSCALL_DEFINE1(getpgid, int, pid) { return get_field(pid, false); }
SYSCALL_DEFINE0(getpgrp) { return proc_current()->pgid; }
SYSCALL_DEFINE1(getsid, int, pid) { return get_field(pid, true); }

SYSCALL_DEFINE0(setsid)
{
	struct process *me = proc_current();

	/* A process group leader cannot start a session: its group would straddle two. */
	if (me->pgid == me->pid)
		return -EPERM;
	me->sid = me->pgid = me->pid;
	tty_proc_setsid(me);
	return me->sid;
}

/* Another process's limits: root, or a process whose every uid and gid are ours. */
static bool may_limit(const struct process *p)
{
	const struct cred *c = &proc_current()->cred, *t = &p->cred;

	return c->euid == 0 || p == proc_current() ||
	       (c->uid == t->uid && c->uid == t->euid && c->uid == t->suid && c->gid == t->gid &&
		c->gid == t->egid && c->gid == t->sgid);
}

static long limits(int pid, int res, const struct rlimit64 __user *nl, struct rlimit64 __user *ol)
{
	struct process *p = pid ? proc_find(pid) : proc_current();
	struct rlimit64 k;
	long ret = 0;

	if (!p)
		return -ESRCH;
	if (!may_limit(p))
		ret = -EPERM;
	else if (res < 0 || res >= RLIM_NLIMITS)
		ret = -EINVAL;
	else if (ol && copy_to_user(ol, &p->rlim[res], sizeof(k)))
		ret = -EFAULT;
	else if (nl && copy_from_user(&k, nl, sizeof(k)))
		ret = -EFAULT;
	else if (nl && k.cur > k.max)
		ret = -EINVAL;
	else if (nl && k.max > p->rlim[res].max && proc_current()->cred.euid != 0)
		ret = -EPERM; /* only root raises a hard limit */
	else if (nl && res == RLIMIT_NOFILE && k.max > 256)
		ret = -EPERM;
	else if (nl)
		p->rlim[res] = k;
	if (pid)
		proc_put(p);
	return ret;
}

SYSCALL_DEFINE4(prlimit64, int, pid, int, res, const struct rlimit64 __user *, nl, struct rlimit64 __user *, ol)
{
	return limits(pid, res, nl, ol);
}

SYSCALL_DEFINE2(getrlimit, int, res, struct rlimit64 __user *, ol)
{
	return limits(0, res, NULL, ol);
}

SYSCALL_DEFINE2(setrlimit, int, res, const struct rlimit64 __user *, nl)
{
	return limits(0, res, nl, NULL);
}
