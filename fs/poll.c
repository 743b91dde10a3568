/* fs/poll.c: poll and ppoll over the files' poll ops.
 * Files have no readiness callbacks yet (asyncio arrives with the tty layer), so a waiting poll
 * re-checks on every tick: the answer is right, the latency is up to one tick. */
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/slab.h>
#include <granary/syscall.h>
#include <granary/time.h>
#include <granary/uaccess.h>
#include <uapi/time.h>

#define POLL_MAX 1024

struct pollfd {
	int fd;
	short events, revents;
};

/* One pass: fills revents, returns how many fds have any. */
static int scan(struct pollfd *pf, unsigned n)
{
	struct files *fs = proc_current()->files;
	int ready = 0;

	for (unsigned i = 0; i < n; i++) {
		struct file *f;
		unsigned m;

		pf[i].revents = 0;
		if (pf[i].fd < 0)
			continue;
		f = fd_get(fs, pf[i].fd);
		if (!f) {
			pf[i].revents = POLLNVAL;
			ready++;
			continue;
		}
		m = f->ops->poll ? f->ops->poll(f) : POLLIN | POLLOUT;
		file_put(f);
		pf[i].revents = m & ((u16)pf[i].events | POLLERR | POLLHUP);
		ready += pf[i].revents != 0;
	}
	return ready;
}

/* timeout_ns < 0: wait for ever. */
static long do_poll(struct pollfd __user *ufds, unsigned n, s64 timeout_ns)
{
	struct pollfd *pf;
	u64 deadline = 0;
	long ret;

	if (n > POLL_MAX)
		return -EINVAL;
	pf = kmalloc(n ? n * sizeof(*pf) : 1, 0);
	if (!pf)
		return -ENOMEM;
	if (copy_from_user(pf, ufds, n * sizeof(*pf))) {
		kfree(pf);
		return -EFAULT;
	}
	/* The timeout is on the CLOCK_MONOTONIC clock, not counted in ticks (see sleep_ns). */
	if (timeout_ns > 0)
		deadline = time_ns() + (u64)timeout_ns;
	for (;;) {
		ret = scan(pf, n);
		if (ret || timeout_ns == 0 || (deadline && time_ns() >= deadline))
			break;
		if (signal_pending()) {
			ret = -EINTR;
			break;
		}
		current_task()->state = TASK_INTERRUPTIBLE;
		schedule_until(time_ticks() + 1);
		current_task()->state = TASK_RUNNING;
	}
	if (ret >= 0 && copy_to_user(ufds, pf, n * sizeof(*pf)))
		ret = -EFAULT;
	kfree(pf);
	return ret;
}

SYSCALL_DEFINE3(poll, struct pollfd __user *, ufds, unsigned, n, int, timeout_ms)
{
	return do_poll(ufds, n, timeout_ms < 0 ? -1 : (s64)timeout_ms * 1000000);
}

SYSCALL_DEFINE6(ppoll, struct pollfd __user *, ufds, unsigned, n, const struct k_timespec __user *, uts,
		const u64 __user *, umask, size_t, setsize, u64, unused)
{
	struct task *t = current_task();
	s64 timeout = -1;
	u64 mask, ns;
	long ret;

	if (uts) {
		int err = timespec_from_user(uts, &ns);
		if (err)
			return err;
		timeout = (s64)ns;
	}
	if (umask) {
		if (setsize != 8 || copy_from_user(&mask, umask, 8))
			return -EINVAL;
		t->sig_saved = t->sig_blocked;
		t->sig_restore = true; /* restored after a handler runs, as for sigsuspend */
		t->sig_blocked = mask & ~((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)));
	}
	ret = do_poll(ufds, n, timeout);
	if (umask && ret != -EINTR) {
		t->sig_blocked = t->sig_saved;
		t->sig_restore = false;
	}
	return ret;
}
