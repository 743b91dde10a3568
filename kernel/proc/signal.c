/* kernel/proc/signal.c: signals: sending, default actions, handler frames (Linux rt_sigframe), sigreturn.
 * Standard signals do not queue: one pending bit each, with the details of the first sender. */
#include <granary/arch.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/syscall.h>
#include <granary/trap.h>
#include <granary/uaccess.h>

#define BIT(sig) (1ULL << ((sig) - 1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
#define STOP_SIGNALS (BIT(SIGSTOP) | BIT(SIGTSTP) | BIT(SIGTTIN) | BIT(SIGTTOU))
#define IGNORED_BY_DEFAULT (BIT(SIGCHLD) | BIT(SIGURG) | BIT(SIGWINCH) | BIT(SIGCONT))
#define CORE_SIGNALS (BIT(SIGQUIT) | BIT(SIGILL) | BIT(SIGTRAP) | BIT(SIGABRT) | BIT(SIGBUS) | \
		      BIT(SIGFPE) | BIT(SIGSEGV) | BIT(SIGXCPU) | BIT(SIGXFSZ) | BIT(SIGSYS))
#define SYSCALL_VECTOR 0x100
#define RFLAGS_USER_MASK 0x254dd5 /* CF PF AF ZF SF TF DF OF NT AC ID: what sigreturn may set */

static spinlock_t sig_lock = SPINLOCK_INIT;

static void queue(struct sig_pending *q, int sig, const struct sig_info *info)
{
	if (!(q->set & BIT(sig)))
		q->info[sig - 1] = info ? *info : (struct sig_info){ .code = 0x80 /* SI_KERNEL */ };
	q->set |= BIT(sig);
}

/* Wakes t if it sleeps interruptibly (or is stopped and sig is SIGKILL). */
static void kick(struct task *t, int sig)
{
	if (t->state == TASK_INTERRUPTIBLE || (t->state == TASK_STOPPED && sig == SIGKILL))
		sched_wake(t);
}

/* SIGCONT resumes a stopped process (and discards pending stops); a stop signal discards a
 * pending SIGCONT. Caller holds sig_lock. */
static void resume_or_stop(struct process *p, int sig)
{
	struct list_head *pos;

	if (sig == SIGCONT || sig == SIGKILL) {
		p->pending.set &= ~STOP_SIGNALS;
		if (p->stopped) {
			p->stopped = false;
			p->report = 0xffff; /* WIFCONTINUED */
			list_for_each(pos, &p->threads) {
				struct task *t = list_entry(pos, struct task, thread_link);
				if (t->state == TASK_STOPPED)
					sched_wake(t);
			}
		}
	} else if (STOP_SIGNALS & BIT(sig)) {
		p->pending.set &= ~BIT(SIGCONT);
	}
}

void signal_send(struct process *p, int sig, const struct sig_info *info)
{
	unsigned long irq = spin_lock_irqsave(&sig_lock);
	struct list_head *pos;
	struct task *target = NULL;

	resume_or_stop(p, sig);
	/* An ignored signal is dropped at once (SIGCONT has already done its work). */
	if (p->action[sig - 1].handler == SIG_IGN ||
	    (p->action[sig - 1].handler == SIG_DFL && (IGNORED_BY_DEFAULT & BIT(sig)))) {
		spin_unlock_irqrestore(&sig_lock, irq);
		return;
	}
	queue(&p->pending, sig, info);
	list_for_each(pos, &p->threads) {
		struct task *t = list_entry(pos, struct task, thread_link);
		if (!(t->sig_blocked & BIT(sig)) || sig == SIGKILL) {
			target = t;
			break;
		}
	}
	if (target)
		kick(target, sig);
	spin_unlock_irqrestore(&sig_lock, irq);
	if (p->parent && (p->report == 0xffff))
		wake_up(&p->parent->child_exit);
}

void signal_send_task(struct task *t, int sig, const struct sig_info *info)
{
	unsigned long irq;

	if (!t->sig_pending) {
		struct sig_pending *q = kzalloc(sizeof(*q));
		if (!q)
			return; /* a lost signal is better than a failed fault path */
		irq = spin_lock_irqsave(&sig_lock);
		if (!t->sig_pending)
			t->sig_pending = q;
		else
			kfree(q);
		spin_unlock_irqrestore(&sig_lock, irq);
	}
	irq = spin_lock_irqsave(&sig_lock);
	resume_or_stop(t->proc, sig);
	queue(t->sig_pending, sig, info);
	kick(t, sig);
	spin_unlock_irqrestore(&sig_lock, irq);
}

void signal_force(int sig, int code, u64 addr)
{
	struct task *t = current_task();
	struct k_sigaction *a = &t->proc->action[sig - 1];
	struct sig_info info = { .code = code, .addr = addr };

	/* A fault the program blocks or ignores cannot be survived: make it fatal. */
	if ((t->sig_blocked & BIT(sig)) || a->handler == SIG_IGN) {
		t->sig_blocked &= ~BIT(sig);
		a->handler = SIG_DFL;
	}
	signal_send_task(t, sig, &info);
}

static u64 deliverable(struct task *t)
{
	u64 set = t->proc->pending.set | (t->sig_pending ? t->sig_pending->set : 0);

	return set & ~(t->sig_blocked & ~UNBLOCKABLE);
}

bool signal_pending(void)
{
	struct task *t = current_task();

	return t->proc && deliverable(t);
}

/* Takes the lowest deliverable signal (thread-directed first); 0 if none. */
static int dequeue(struct task *t, struct sig_info *info)
{
	unsigned long irq = spin_lock_irqsave(&sig_lock);
	u64 mine = t->sig_pending ? t->sig_pending->set & ~(t->sig_blocked & ~UNBLOCKABLE) : 0;
	struct sig_pending *q = mine ? t->sig_pending : &t->proc->pending;
	u64 set = mine ? mine : deliverable(t);
	int sig = 0;

	if (set) {
		sig = __builtin_ctzll(set) + 1;
		*info = q->info[sig - 1];
		q->set &= ~BIT(sig);
	}
	spin_unlock_irqrestore(&sig_lock, irq);
	return sig;
}

/* Stops the process until SIGCONT (or SIGKILL), telling the parent. */
static void do_stop(struct process *p, int sig)
{
	struct task *t = current_task();
	unsigned long irq = spin_lock_irqsave(&sig_lock);

	p->stopped = true;
	p->report = (sig << 8) | 0x7f; /* WIFSTOPPED */
	spin_unlock_irqrestore(&sig_lock, irq);
	if (p->parent) {
		struct k_sigaction *pa = &p->parent->action[SIGCHLD - 1];
		if (!(pa->flags & SA_NOCLDSTOP))
			signal_send(p->parent, SIGCHLD, &(struct sig_info){ .code = CLD_STOPPED, .pid = p->pid, .status = sig });
		wake_up(&p->parent->child_exit);
	}
	while (READ_ONCE(p->stopped) && !(deliverable(t) & BIT(SIGKILL))) {
		t->state = TASK_STOPPED;
		schedule();
	}
	t->state = TASK_RUNNING;
}

static void fill_siginfo(struct k_siginfo *si, int sig, const struct sig_info *info)
{
	memset(si, 0, sizeof(*si));
	si->signo = sig;
	si->code = info->code;
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE) {
		si->addr = info->addr;
	} else {
		si->proc.pid = info->pid;
		si->proc.uid = info->uid;
		si->proc.status = info->status;
	}
}

/* Builds the rt_sigframe on the user stack and points tf at the handler. false if the
 * stack cannot take it (the caller then kills the process with SIGSEGV). */
static bool setup_frame(struct trap_frame *tf, int sig, const struct sig_info *info,
			const struct k_sigaction *a)
{
	struct task *t = current_task();
	struct k_rt_sigframe f;
	u64 sp = tf->rsp, fpstate;
	bool on_alt = t->ss_size && tf->rsp - t->ss_sp < t->ss_size;

	if ((a->flags & SA_ONSTACK) && t->ss_size && !(t->ss_flags & SS_DISABLE) && !on_alt)
		sp = t->ss_sp + t->ss_size;
	sp -= 128; /* the red zone of the interrupted code */
	fpstate = (sp - FPU_STATE_SIZE) & ~63UL;
	sp = ((fpstate - sizeof(f)) & ~15UL) - 8; /* handler entry: (rsp + 8) % 16 == 0 */

	memset(&f, 0, sizeof(f));
	f.pretcode = a->restorer;
	f.uc.stack = (struct k_stack){ t->ss_sp, on_alt ? SS_ONSTACK : (t->ss_size ? 0 : SS_DISABLE), 0, t->ss_size };
	f.uc.mcontext = (struct k_sigcontext){
		.r8 = tf->r8, .r9 = tf->r9, .r10 = tf->r10, .r11 = tf->r11, .r12 = tf->r12,
		.r13 = tf->r13, .r14 = tf->r14, .r15 = tf->r15, .rdi = tf->rdi, .rsi = tf->rsi,
		.rbp = tf->rbp, .rbx = tf->rbx, .rdx = tf->rdx, .rax = tf->rax, .rcx = tf->rcx,
		.rsp = tf->rsp, .rip = tf->rip, .eflags = tf->rflags, .cs = (u16)tf->cs,
		.ss = (u16)tf->ss, .err = tf->vector < 32 ? tf->error : 0,
		.trapno = tf->vector < 32 ? tf->vector : 0, .oldmask = t->sig_blocked,
		.cr2 = info->addr, .fpstate = fpstate,
	};
	f.uc.sigmask = t->sig_restore ? t->sig_saved : t->sig_blocked;
	fill_siginfo(&f.info, sig, info);
	fpu_save(t->fpu);
	if (copy_to_user((void __user *)fpstate, t->fpu, FPU_STATE_SIZE) ||
	    copy_to_user((void __user *)sp, &f, sizeof(f)))
		return false;

	tf->rip = a->handler;
	tf->rsp = sp;
	tf->rdi = sig;
	tf->rsi = sp + __builtin_offsetof(struct k_rt_sigframe, info);
	tf->rdx = sp + __builtin_offsetof(struct k_rt_sigframe, uc);
	tf->rax = 0;
	tf->rflags &= ~((1UL << 8) | (1UL << 10)); /* TF, DF */
	tf->cs = GDT_USER_CS | 3;
	tf->ss = GDT_USER_DS | 3;
	return true;
}

/* After a handled signal interrupted a blocking call: restart it or make it fail with EINTR. */
static void fix_restart(struct trap_frame *tf, const struct k_sigaction *a)
{
	if (tf->vector != SYSCALL_VECTOR || (long)tf->rax != -ERESTARTSYS)
		return;
	if (!a || (a->flags & SA_RESTART)) {
		tf->rax = tf->error; /* the syscall number */
		tf->rip -= 2;	     /* the syscall instruction again */
	} else {
		tf->rax = (u64)-EINTR;
	}
}

void signal_deliver(struct trap_frame *tf)
{
	struct task *t = current_task();
	struct process *p = t->proc;
	struct sig_info info;
	int sig;

	while ((sig = dequeue(t, &info))) {
		struct k_sigaction *a = &p->action[sig - 1];
		u64 bit = BIT(sig);

		if (a->handler == SIG_IGN)
			continue;
		if (a->handler == SIG_DFL) {
			if (IGNORED_BY_DEFAULT & bit)
				continue;
			if (STOP_SIGNALS & bit) {
				do_stop(p, sig);
				continue;
			}
			proc_exit(sig | ((CORE_SIGNALS & bit) ? 0x80 : 0));
		}
		fix_restart(tf, a);
		if (!setup_frame(tf, sig, &info, a)) {
			pr_info("pid %d (%s): cannot push a frame for signal %d: killed\n", p->pid, p->comm, sig);
			proc_exit(SIGSEGV);
		}
		t->sig_blocked |= (a->mask | ((a->flags & SA_NODEFER) ? 0 : bit)) & ~UNBLOCKABLE;
		if (a->flags & SA_RESETHAND)
			a->handler = SIG_DFL;
		/* The handler starts with clean FPU/SSE registers. */
		fpu_restore(fpu_initial_state());
		t->sig_restore = false;
		return;
	}
	/* No handler ran: an interrupted call simply restarts. */
	fix_restart(tf, NULL);
	if (t->sig_restore) {
		t->sig_blocked = t->sig_saved;
		t->sig_restore = false;
	}
}

bool signal_child_exit(struct process *p)
{
	struct process *parent = p->parent;
	struct k_sigaction *a;
	int st = p->exit_status;

	if (!parent)
		return false;
	a = &parent->action[SIGCHLD - 1];
	if (a->handler == SIG_IGN || (a->flags & SA_NOCLDWAIT))
		return true;
	signal_send(parent, SIGCHLD,
		    &(struct sig_info){ .code = (st & 0x7f) ? ((st & 0x80) ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED,
					.pid = p->pid, .uid = p->cred.uid,
					.status = (st & 0x7f) ? (st & 0x7f) : (st >> 8) & 0xff });
	return false;
}

void signal_exec(struct process *p)
{
	for (int i = 0; i < NSIG; i++)
		if (p->action[i].handler != SIG_IGN)
			p->action[i] = (struct k_sigaction){ 0 };
}
