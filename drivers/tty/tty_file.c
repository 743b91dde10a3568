/* drivers/tty/tty_file.c: open files on ttys: read/write/poll/ioctl from user space, job control checks.
 * Adapts user memory and the Linux ioctl ABI to the tty core; unknown ioctls are -ENOTTY as in Linux. */
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/proc.h>
#include <granary/slab.h>
#include <granary/uaccess.h>
#include <uapi/fcntl.h>

#include "tty_internal.h"

#define CHUNK 256

struct tty_file {
	struct tty *tty;
	u32 hangups;  /* the tty's count when opened: a later hang-up ends this file */
	bool console; /* /dev/console: never hung up (it outlives sessions, as in Linux) */
};

static bool hung_up(const struct tty_file *tf)
{
	return !tf->console && READ_ONCE(tf->tty->hangups) != tf->hangups;
}

static unsigned io_flags(const struct file *f)
{
	return (f->flags & O_NONBLOCK) ? TTYS_NONBLOCK : 0;
}

static long tf_read(struct file *f, char __user *buf, size_t n)
{
	struct tty_file *tf = f->priv;
	char stack[CHUNK], *kbuf = stack;
	long r;

	if (hung_up(tf))
		return 0;
	r = jobctl_check(tf->tty, SIGTTIN);
	if (r)
		return r;
	/* One read never returns more than the input queue holds. */
	n = min(n, (size_t)LDISC_BUF);
	if (n > sizeof(stack)) {
		kbuf = kmalloc(n, 0);
		if (!kbuf)
			return -ENOMEM;
	}
	r = tty_read(tf->tty, kbuf, n, io_flags(f));
	if (r > 0 && copy_to_user(buf, kbuf, (size_t)r))
		r = -EFAULT;
	if (kbuf != stack)
		kfree(kbuf);
	return r;
}

static long tf_write(struct file *f, const char __user *buf, size_t n)
{
	struct tty_file *tf = f->priv;
	char chunk[CHUNK];
	size_t done = 0;
	long r;

	if (hung_up(tf))
		return -EIO;
	if (tf->tty->ld.t.c_lflag & TOSTOP) {
		r = jobctl_check(tf->tty, SIGTTOU);
		if (r)
			return r;
	}
	while (done < n) {
		size_t k = min(n - done, sizeof(chunk));
		if (copy_from_user(chunk, buf + done, k))
			return done ? (long)done : -EFAULT;
		r = tty_write(tf->tty, chunk, k, io_flags(f));
		if (r < 0)
			return done ? (long)done : r;
		done += (size_t)r;
		if ((size_t)r < k)
			break;
	}
	return (long)done;
}

static unsigned tf_poll(struct file *f)
{
	struct tty_file *tf = f->priv;

	if (hung_up(tf))
		return POLLIN | POLLOUT | POLLERR | POLLHUP;
	return tty_poll(tf->tty);
}

static long put_int(unsigned long arg, int v)
{
	return copy_to_user((void __user *)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long get_int(unsigned long arg, int *v)
{
	return copy_from_user(v, (const void __user *)arg, sizeof(*v)) ? -EFAULT : 0;
}

static long set_termios(struct tty *tty, unsigned cmd, unsigned long arg)
{
	struct k_termios t;
	long r = jobctl_check(tty, SIGTTOU);

	if (r)
		return r;
	if (copy_from_user(&t, (const void __user *)arg, sizeof(t)))
		return -EFAULT;
	return tty_set_termios(tty, cmd == TCSETS ? TCSANOW : cmd == TCSETSW ? TCSADRAIN : TCSAFLUSH,
			       &t);
}

/* TIOCSTI: a byte as if typed, on the caller's own terminal (or any, for root). */
static long inject(struct tty *tty, unsigned long arg)
{
	struct process *p = proc_current();
	struct tty *mine = jobctl_current_tty();
	bool allowed = mine == tty || (p && p->cred.euid == 0);
	char c;

	if (mine)
		tty_put(mine);
	if (!allowed)
		return -EPERM;
	if (copy_from_user(&c, (const void __user *)arg, 1))
		return -EFAULT;
	tty_receive(tty, &c, 1);
	return 0;
}

static long tf_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct tty_file *tf = f->priv;
	struct tty *tty = tf->tty;
	struct k_termios t;
	struct k_winsize ws;
	long r;
	int v;

	if (hung_up(tf))
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	switch (cmd) {
	case TCGETS:
		tty_get_termios(tty, &t);
		return copy_to_user((void __user *)arg, &t, sizeof(t)) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return set_termios(tty, cmd, arg);
	case TCFLSH:
	case TCXONC:
	case TCSBRK:
	case TCSBRKP:
		r = jobctl_check(tty, SIGTTOU);
		if (r)
			return r;
		if (cmd == TCFLSH)
			return tty_flush(tty, (int)arg);
		if (cmd == TCXONC)
			return tty_flow(tty, (int)arg);
		return 0; /* output is already drained; there is no line to send a break on */
	case TIOCOUTQ:
		return put_int(arg, 0);
	case FIONREAD:
		return put_int(arg, (int)tty_inq(tty));
	case TIOCSTI:
		return inject(tty, arg);
	case TIOCGWINSZ:
		tty_get_winsize(tty, &ws);
		return copy_to_user((void __user *)arg, &ws, sizeof(ws)) ? -EFAULT : 0;
	case TIOCSWINSZ:
		if (copy_from_user(&ws, (const void __user *)arg, sizeof(ws)))
			return -EFAULT;
		tty_set_winsize(tty, &ws);
		return 0;
	case FIONBIO:
		r = get_int(arg, &v);
		if (r)
			return r;
		if (v)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~O_NONBLOCK;
		return 0;
	case TIOCGETD:
		return put_int(arg, N_TTY);
	case TIOCSETD:
		r = get_int(arg, &v);
		return r ? r : v == N_TTY ? 0 : -EINVAL;
	}
	r = jobctl_ioctl(tty, cmd, arg, (f->flags & O_ACCMODE) != O_WRONLY);
	return r == -ENOIOCTLCMD ? -ENOTTY : r;
}

static void tf_stat(struct file *f, struct kstat *k)
{
	struct tty_file *tf = f->priv;

	k->rdev = dev_encode(tf->tty->dev);
	k->mode = S_IFCHR | 0620;
}

static void tf_release(struct file *f)
{
	struct tty_file *tf = f->priv;

	tty_put(tf->tty);
	kfree(tf);
}

static const struct file_ops tty_file_ops = {
	.read = tf_read,
	.write = tf_write,
	.ioctl = tf_ioctl,
	.poll = tf_poll,
	.stat = tf_stat,
	.release = tf_release,
	.ifmt = S_IFCHR,
};

int tty_file_setup(struct file *f, struct tty *tty, bool noctty, bool is_console)
{
	struct tty_file *tf = kzalloc(sizeof(*tf));

	if (!tf)
		return -ENOMEM;
	tty_get(tty);
	tf->tty = tty;
	tf->hangups = READ_ONCE(tty->hangups);
	tf->console = is_console;
	f->ops = &tty_file_ops;
	f->priv = tf;
	if (!noctty)
		jobctl_open(tty, f->flags);
	return 0;
}
