/* kernel/proc/signal_sys.c: the signal system calls: sigaction, masks, sigreturn, sigsuspend, altstack, kill.
 * Delivery and the frame layout are kernel/proc/signal.c. */
#include <granary/arch.h>
#include <granary/errno.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/string.h>
#include <granary/syscall.h>
#include <granary/trap.h>
#include <granary/uaccess.h>

#define BIT(sig) (1ULL << ((sig) - 1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
#define RFLAGS_USER_MASK 0x254dd5UL
#define MXCSR_OFFSET 24
#define MXCSR_VALID 0xffbfu

SYSCALL_DEFINE4(rt_sigaction, int, sig, const struct k_sigaction __user *, act,
		struct k_sigaction __user *, oact, size_t, setsize)
{
	struct process *p = proc_current();
	struct k_sigaction k;

	if (setsize != 8 || sig < 1 || sig > NSIG)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (act && copy_from_user(&k, act, sizeof(k)))
		return -EFAULT;
	if (oact && copy_to_user(oact, &p->action[sig - 1], sizeof(k)))
		return -EFAULT;
	if (act) {
		k.mask &= ~UNBLOCKABLE;
		p->action[sig - 1] = k;
	}
	return 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, const u64 __user *, set, u64 __user *, oset, size_t, setsize)
{
	struct task *t = current_task();
	u64 s;

	if (setsize != 8)
		return -EINVAL;
	if (oset && copy_to_user(oset, &t->sig_blocked, 8))
		return -EFAULT;
	if (!set)
		return 0;
	if (copy_from_user(&s, set, 8))
		return -EFAULT;
	switch (how) {
	case SIG_BLOCK:
		t->sig_blocked |= s;
		break;
	case SIG_UNBLOCK:
		t->sig_blocked &= ~s;
		break;
	case SIG_SETMASK:
		t->sig_blocked = s;
		break;
	default:
		return -EINVAL;
	}
	t->sig_blocked &= ~UNBLOCKABLE;
	return 0;
}

SYSCALL_DEFINE0(rt_sigreturn)
{
	struct task *t = current_task();
	struct trap_frame *tf = task_user_frame(t);
	struct k_rt_sigframe f;
	struct k_sigcontext *mc = &f.uc.mcontext;
	u32 mxcsr;

	/* The handler's ret popped pretcode: the frame starts 8 bytes below the stack. */
	if (copy_from_user(&f, (void __user *)(tf->rsp - 8), sizeof(f))) {
		signal_force(SIGSEGV, SEGV_MAPERR, tf->rsp - 8);
		return -EFAULT;
	}
	if (mc->fpstate) {
		if (copy_from_user(t->fpu, (void __user *)mc->fpstate, FPU_STATE_SIZE)) {
			signal_force(SIGSEGV, SEGV_MAPERR, mc->fpstate);
			return -EFAULT;
		}
		/* Reserved MXCSR bits would make FXRSTOR fault in the kernel. */
		memcpy(&mxcsr, (u8 *)t->fpu + MXCSR_OFFSET, 4);
		mxcsr &= MXCSR_VALID;
		memcpy((u8 *)t->fpu + MXCSR_OFFSET, &mxcsr, 4);
		fpu_restore(t->fpu);
	}
	tf->r8 = mc->r8, tf->r9 = mc->r9, tf->r10 = mc->r10, tf->r11 = mc->r11;
	tf->r12 = mc->r12, tf->r13 = mc->r13, tf->r14 = mc->r14, tf->r15 = mc->r15;
	tf->rdi = mc->rdi, tf->rsi = mc->rsi, tf->rbp = mc->rbp, tf->rbx = mc->rbx;
	tf->rdx = mc->rdx, tf->rcx = mc->rcx, tf->rsp = mc->rsp, tf->rip = mc->rip;
	tf->rflags = (tf->rflags & ~RFLAGS_USER_MASK) | (mc->eflags & RFLAGS_USER_MASK);
	tf->cs = GDT_USER_CS | 3;
	tf->ss = GDT_USER_DS | 3;
	tf->vector = 0; /* no longer a fresh system call: nothing to restart */
	t->sig_blocked = f.uc.sigmask & ~UNBLOCKABLE;
	return (long)mc->rax; /* the dispatcher stores this back into rax */
}

SYSCALL_DEFINE2(rt_sigpending, u64 __user *, set, size_t, setsize)
{
	struct task *t = current_task();
	u64 pending = t->proc->pending.set | (t->sig_pending ? t->sig_pending->set : 0);

	if (setsize != 8)
		return -EINVAL;
	pending &= t->sig_blocked; /* the unblocked ones would have been delivered */
	return copy_to_user(set, &pending, 8);
}

/* Sleeps until a signal the task does not block arrives; always -EINTR. */
static long wait_for_signal(void)
{
	struct task *t = current_task();

	while (!signal_pending()) {
		t->state = TASK_INTERRUPTIBLE;
		if (!signal_pending())
			schedule();
		t->state = TASK_RUNNING;
	}
	return -EINTR;
}

SYSCALL_DEFINE2(rt_sigsuspend, const u64 __user *, set, size_t, setsize)
{
	struct task *t = current_task();
	u64 mask;

	if (setsize != 8)
		return -EINVAL;
	if (copy_from_user(&mask, set, 8))
		return -EFAULT;
	t->sig_saved = t->sig_blocked;
	t->sig_restore = true; /* the old mask comes back once the handler is set up */
	t->sig_blocked = mask & ~UNBLOCKABLE;
	return wait_for_signal();
}

SYSCALL_DEFINE0(pause)
{
	return wait_for_signal();
}

SYSCALL_DEFINE2(sigaltstack, const struct k_stack __user *, ss, struct k_stack __user *, old)
{
	struct task *t = current_task();
	struct trap_frame *tf = task_user_frame(t);
	bool on = t->ss_size && tf->rsp - t->ss_sp < t->ss_size;
	struct k_stack k = { t->ss_sp, (int)(on ? SS_ONSTACK : (t->ss_size ? 0 : SS_DISABLE)), 0, t->ss_size };

	if (old && copy_to_user(old, &k, sizeof(k)))
		return -EFAULT;
	if (!ss)
		return 0;
	if (copy_from_user(&k, ss, sizeof(k)))
		return -EFAULT;
	if (on)
		return -EPERM;
	if (k.flags & ~SS_DISABLE)
		return -EINVAL;
	if (k.flags & SS_DISABLE) {
		t->ss_sp = t->ss_size = 0;
	} else {
		if (k.size < MINSIGSTKSZ)
			return -ENOMEM;
		t->ss_sp = k.sp;
		t->ss_size = k.size;
	}
	t->ss_flags = 0;
	return 0;
}

/* May the current process signal p? Root may; otherwise a real or effective uid must match
 * the target's real or saved uid. */
static bool may_signal(const struct process *p)
{
	const struct cred *c = &proc_current()->cred, *tc = &p->cred;

	return c->euid == 0 || c->uid == tc->uid || c->uid == tc->suid || c->euid == tc->uid ||
	       c->euid == tc->suid;
}

static long kill_one(struct process *p, int sig, const struct sig_info *info)
{
	if (p->zombie)
		return 0; /* exists but cannot receive anything */
	if (!may_signal(p))
		return -EPERM;
	if (sig)
		signal_send(p, sig, info);
	return 0;
}

SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
	struct process *me = proc_current();
	struct sig_info info = { .code = SI_USER, .pid = me->pid, .uid = me->cred.uid };
	long ret = -ESRCH;
	bool found = false;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid > 0) {
		struct process *p = proc_find(pid);
		if (!p)
			return -ESRCH;
		ret = kill_one(p, sig, &info);
		proc_put(p);
		return ret;
	}
	/* A group (0: ours, < -1: -pid) or everyone we may signal (-1), init excepted. */
	for (int i = 1; i < PID_MAX; i++) {
		struct process *p = proc_find(i);
		bool hit;
		if (!p)
			continue;
		hit = pid == -1 ? p->pid != 1 && p != me : p->pgid == (pid == 0 ? me->pgid : -pid);
		if (hit && !p->zombie) {
			long r = kill_one(p, sig, &info);
			found = true;
			ret = (ret == 0 || r == 0) ? 0 : r;
		}
		proc_put(p);
	}
	return found ? ret : -ESRCH;
}

static long kill_thread(int tgid, int tid, int sig)
{
	struct process *me = proc_current();
	struct sig_info info = { .code = SI_TKILL, .pid = me->pid, .uid = me->cred.uid };
	struct list_head *pos;
	long ret = -ESRCH;

	if (sig < 0 || sig > NSIG || tid <= 0)
		return -EINVAL;
	/* Threads are found through their process; tkill without a tgid searches them all. */
	for (int i = tgid > 0 ? tgid : 1; i < (tgid > 0 ? tgid + 1 : PID_MAX); i++) {
		struct process *p = proc_find(i);
		if (!p)
			continue;
		list_for_each(pos, &p->threads) {
			struct task *t = list_entry(pos, struct task, thread_link);
			if ((int)t->tid != tid)
				continue;
			ret = may_signal(p) ? 0 : -EPERM;
			if (!ret && sig)
				signal_send_task(t, sig, &info);
		}
		proc_put(p);
		if (ret != -ESRCH)
			break;
	}
	return ret;
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	return kill_thread(0, tid, sig);
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	if (tgid <= 0)
		return -EINVAL;
	return kill_thread(tgid, tid, sig);
}
