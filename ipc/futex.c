/* ipc/futex.c: futexes: sleep while a user word holds a value, wake by address; robust-list cleanup.
 * Private futexes are keyed by (address space, address); shared ones by the physical page. */
#include <granary/errno.h>
#include <granary/page.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/syscall.h>
#include <granary/time.h>
#include <granary/uaccess.h>
#include <granary/vm.h>
#include <uapi/time.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_ANY 0xffffffffu

#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu
#define ROBUST_LIST_LIMIT 2048

#define BUCKETS 64

struct futex_key {
	u64 space; /* an mm pointer, or 0 for a physical key */
	u64 addr;  /* user address, or physical address */
};

struct futex_waiter {
	struct list_head link;
	struct futex_key key;
	u32 bitset;
	struct task *task;
	bool woken;
};

static struct bucket {
	spinlock_t lock;
	struct list_head waiters;
} buckets[BUCKETS];
static bool buckets_ready;

static struct bucket *bucket_of(const struct futex_key *k)
{
	u64 h = (k->space ^ k->addr) * 0x9e3779b97f4a7c15ULL;

	if (!buckets_ready) {
		for (int i = 0; i < BUCKETS; i++) {
			buckets[i].lock = (spinlock_t)SPINLOCK_INIT;
			list_init(&buckets[i].waiters);
		}
		buckets_ready = true;
	}
	return &buckets[h >> 58];
}

/* Works out the key of uaddr: -EFAULT if it is not a mapped, aligned user word. */
static int get_key(u64 uaddr, bool private, struct futex_key *k)
{
	struct mm *mm = proc_current()->mm;
	struct vm_area *a;
	u32 v;

	if (uaddr & 3)
		return -EINVAL;
	if (copy_from_user(&v, (const void __user *)uaddr, 4))
		return -EFAULT; /* also brings the page in */
	a = vma_lookup(&mm->areas, uaddr);
	if (!private && a && (a->flags & VMA_SHARED)) {
		u64 pte = pgt_get(mm->pml4, uaddr);
		*k = (struct futex_key){ 0, (pte & PTE_ADDR_MASK) | (uaddr & (PAGE_SIZE - 1)) };
	} else {
		*k = (struct futex_key){ (u64)mm, uaddr };
	}
	return 0;
}

static bool same(const struct futex_key *a, const struct futex_key *b)
{
	return a->space == b->space && a->addr == b->addr;
}

static long futex_wait(u64 uaddr, bool private, u32 val, u64 deadline_tick, u32 bitset)
{
	struct futex_waiter w = { .bitset = bitset, .task = current_task() };
	struct bucket *b;
	unsigned long irq;
	long ret = 0;
	u32 cur;
	int err = get_key(uaddr, private, &w.key);

	if (err)
		return err;
	if (!bitset)
		return -EINVAL;
	b = bucket_of(&w.key);
	irq = spin_lock_irqsave(&b->lock);
	/* Checked under the bucket lock: a waker that changed the word takes the same lock. */
	if (copy_from_user(&cur, (const void __user *)uaddr, 4) || cur != val) {
		spin_unlock_irqrestore(&b->lock, irq);
		return cur != val ? -EAGAIN : -EFAULT;
	}
	list_add_tail(&w.link, &b->waiters);
	w.task->state = TASK_INTERRUPTIBLE;
	spin_unlock_irqrestore(&b->lock, irq);

	for (;;) {
		if (READ_ONCE(w.woken))
			break;
		if (signal_pending()) {
			ret = deadline_tick ? -EINTR : -ERESTARTSYS;
			break;
		}
		if (deadline_tick && time_ticks() >= deadline_tick) {
			ret = -ETIMEDOUT;
			break;
		}
		if (deadline_tick)
			schedule_until(deadline_tick);
		else
			schedule();
		w.task->state = TASK_INTERRUPTIBLE;
	}
	irq = spin_lock_irqsave(&b->lock);
	w.task->state = TASK_RUNNING;
	if (!w.woken)
		list_del(&w.link);
	else
		ret = 0; /* a wake that raced with a signal or the timeout still counts */
	spin_unlock_irqrestore(&b->lock, irq);
	return ret;
}

long futex_wake(u64 uaddr, bool private, int n, u32 bitset)
{
	struct futex_key k;
	struct bucket *b;
	struct list_head *pos, *tmp;
	unsigned long irq;
	long woken = 0;
	int err = get_key(uaddr, private, &k);

	if (err)
		return err;
	b = bucket_of(&k);
	irq = spin_lock_irqsave(&b->lock);
	list_for_each_safe(pos, tmp, &b->waiters) {
		struct futex_waiter *w = list_entry(pos, struct futex_waiter, link);
		if (woken >= n)
			break;
		if (!same(&w->key, &k) || !(w->bitset & bitset))
			continue;
		list_del(&w->link);
		w->woken = true;
		sched_wake(w->task);
		woken++;
	}
	spin_unlock_irqrestore(&b->lock, irq);
	return woken;
}

/* The tick by which a wait with timeout ts must end: relative, or absolute on the monotonic
 * clock or (realtime) the wall clock. */
static long deadline_of(const struct k_timespec __user *uts, bool absolute, bool realtime, u64 *tick)
{
	u64 ns, now = realtime ? time_realtime_ns() : time_ns();
	int err;

	*tick = 0;
	if (!uts)
		return 0;
	err = timespec_from_user(uts, &ns);
	if (err)
		return err;
	if (absolute)
		ns = ns > now ? ns - now : 0;
	*tick = time_tick_after(ns);
	return 0;
}

SYSCALL_DEFINE6(futex, u64, uaddr, int, op, u32, val, const struct k_timespec __user *, uts, u64, uaddr2,
		u32, val3)
{
	bool private = op & FUTEX_PRIVATE_FLAG;
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	u64 deadline;
	long err;

	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		err = deadline_of(uts, cmd == FUTEX_WAIT_BITSET, op & FUTEX_CLOCK_REALTIME, &deadline);
		if (err)
			return err;
		return futex_wait(uaddr, private, val, deadline, cmd == FUTEX_WAIT ? FUTEX_BITSET_ANY : val3);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return futex_wake(uaddr, private, (int)val, cmd == FUTEX_WAKE ? FUTEX_BITSET_ANY : val3);
	default:
		return -ENOSYS; /* requeue and PI futexes are not implemented */
	}
}

/* ---- robust lists: locks held by a dying thread are marked and their waiters woken ---- */

struct robust_list_head {
	u64 next;	    /* first entry (a pointer to the next field of a lock's entry) */
	s64 futex_offset;   /* from an entry to its futex word */
	u64 list_op_pending;
};

SYSCALL_DEFINE2(set_robust_list, u64, head, size_t, len)
{
	if (len != sizeof(struct robust_list_head))
		return -EINVAL;
	current_task()->robust_list = head;
	return 0;
}

static void robust_release(u64 entry, s64 offset, u32 tid)
{
	u64 uaddr = entry + offset;
	u32 v, nv;

	if (copy_from_user(&v, (const void __user *)uaddr, 4) || (v & FUTEX_TID_MASK) != tid)
		return;
	nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	if (!copy_to_user((void __user *)uaddr, &nv, 4) && (v & FUTEX_WAITERS))
		futex_wake(uaddr, false, 1, FUTEX_BITSET_ANY);
}

void futex_exit_robust(struct task *t)
{
	struct robust_list_head h;
	u64 entry;
	int n = 0;

	if (!t->robust_list || copy_from_user(&h, (const void __user *)t->robust_list, sizeof(h)))
		return;
	for (entry = h.next; entry && entry != t->robust_list && n < ROBUST_LIST_LIMIT; n++) {
		u64 next;
		if (copy_from_user(&next, (const void __user *)entry, 8))
			break;
		if (entry != h.list_op_pending)
			robust_release(entry, h.futex_offset, t->tid);
		entry = next;
	}
	if (h.list_op_pending)
		robust_release(h.list_op_pending, h.futex_offset, t->tid);
}
