/* ipc/pipe.c: pipes: a ring buffer between a read end and a write end, with blocking and O_NONBLOCK.
 * Writes of up to PIPE_BUF bytes are atomic; writing with no reader fails with EPIPE (and SIGPIPE). */
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/slab.h>
#include <granary/time.h>
#include <granary/vfs.h>
#include <uapi/fcntl.h>

#define PIPE_SIZE 65536
#define PIPE_BUF 4096

struct pipe {
	spinlock_t lock;
	u8 *buf;
	size_t head, len; /* data is [head, head + len) modulo PIPE_SIZE */
	unsigned readers, writers;
	struct wait_queue readable, writable;
	struct inode *fifo; /* a named pipe's inode (its fifo field points back), or NULL */
	unsigned ropens, wopens; /* FIFO opens for reading and writing so far */
};

/* Moves up to n bytes between the ring and user memory; returns bytes moved or -EFAULT.
 * Caller holds the lock. */
static long ring_io(struct pipe *p, char __user *ubuf, size_t n, bool to_user)
{
	size_t done = 0;

	while (done < n) {
		size_t pos = to_user ? p->head : (p->head + p->len) % PIPE_SIZE;
		size_t room = to_user ? p->len : PIPE_SIZE - p->len;
		size_t k = min(min(n - done, room), PIPE_SIZE - pos);
		int err;

		if (!k)
			break;
		err = to_user ? copy_to_user(ubuf + done, p->buf + pos, k)
			      : copy_from_user(p->buf + pos, ubuf + done, k);
		if (err)
			return done ? (long)done : -EFAULT;
		if (to_user) {
			p->head = (p->head + k) % PIPE_SIZE;
			p->len -= k;
		} else {
			p->len += k;
		}
		done += k;
	}
	return (long)done;
}

static long pipe_read(struct file *f, char __user *buf, size_t n)
{
	struct pipe *p = f->priv;
	unsigned long irq;
	long r;

	if (!n)
		return 0;
	for (;;) {
		irq = spin_lock_irqsave(&p->lock);
		if (p->len || !p->writers)
			break;
		spin_unlock_irqrestore(&p->lock, irq);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(p->readable, READ_ONCE(p->len) || !READ_ONCE(p->writers)))
			return -ERESTARTSYS;
	}
	r = ring_io(p, (char __user *)buf, n, true);
	spin_unlock_irqrestore(&p->lock, irq);
	if (r > 0)
		wake_up(&p->writable);
	return r;
}

static long pipe_write(struct file *f, const char __user *buf, size_t n)
{
	struct pipe *p = f->priv;
	size_t done = 0;

	while (done < n) {
		unsigned long irq = spin_lock_irqsave(&p->lock);
		/* A write of at most PIPE_BUF waits for room for all of it: never interleaved. */
		size_t need = n - done <= PIPE_BUF ? n - done : 1;
		long r;

		if (!p->readers) {
			spin_unlock_irqrestore(&p->lock, irq);
			signal_send_task(current_task(), SIGPIPE, NULL);
			return done ? (long)done : -EPIPE;
		}
		if (PIPE_SIZE - p->len < need) {
			spin_unlock_irqrestore(&p->lock, irq);
			if (f->flags & O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			if (wait_event_interruptible(p->writable,
						     PIPE_SIZE - READ_ONCE(p->len) >= need || !READ_ONCE(p->readers)))
				return done ? (long)done : -ERESTARTSYS;
			continue;
		}
		r = ring_io(p, (char __user *)buf + done, n - done, false);
		spin_unlock_irqrestore(&p->lock, irq);
		if (r < 0)
			return done ? (long)done : r;
		done += r;
		wake_up(&p->readable);
	}
	return (long)done;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned long irq = spin_lock_irqsave(&p->lock);
	bool last;

	if ((f->flags & O_ACCMODE) != O_WRONLY)
		p->readers--;
	if ((f->flags & O_ACCMODE) != O_RDONLY)
		p->writers--;
	last = !p->readers && !p->writers;
	if (last && p->fifo)
		p->fifo->fifo = NULL;
	spin_unlock_irqrestore(&p->lock, irq);
	wake_up(&p->readable);
	wake_up(&p->writable);
	if (last) {
		kfree(p->buf);
		kfree(p);
	}
}

static unsigned pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;

	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return (READ_ONCE(p->len) ? POLLIN : 0) | (READ_ONCE(p->writers) ? 0 : POLLHUP);
	if ((f->flags & O_ACCMODE) == O_RDWR)
		return (READ_ONCE(p->len) ? POLLIN : 0) | POLLOUT;
	if (!READ_ONCE(p->readers))
		return POLLERR;
	return PIPE_SIZE - READ_ONCE(p->len) >= PIPE_BUF ? POLLOUT : 0;
}

#define FIONREAD 0x541B

static long pipe_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct pipe *p = f->priv;
	int n = (int)READ_ONCE(p->len);

	if (cmd != FIONREAD)
		return -ENOTTY;
	return copy_to_user((void __user *)arg, &n, sizeof(n)) ? -EFAULT : 0;
}

static const struct file_ops pipe_ops = {
	.ioctl = pipe_ioctl,
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.release = pipe_release,
	.ifmt = S_IFIFO,
};

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->buf = kmalloc(PIPE_SIZE, 0);
	if (!p->buf) {
		kfree(p);
		return NULL;
	}
	p->lock = (spinlock_t)SPINLOCK_INIT;
	wait_queue_init(&p->readable);
	wait_queue_init(&p->writable);
	return p;
}

int pipe_open_fifo(struct inode *i, struct file *f)
{
	struct pipe *p = i->fifo;
	unsigned mode = f->flags & O_ACCMODE, ropens, wopens;

	if (!p) {
		p = pipe_alloc();
		if (!p)
			return -ENOMEM;
		p->fifo = i;
		i->fifo = p;
	}
	/* A write-only open without a reader fails at once with O_NONBLOCK (POSIX). */
	if (mode == O_WRONLY && (f->flags & O_NONBLOCK) && !p->readers) {
		if (!p->writers && !p->readers) {
			i->fifo = NULL;
			kfree(p->buf);
			kfree(p);
		}
		return -ENXIO;
	}
	f->ops = &pipe_ops;
	f->priv = p;
	if (mode != O_WRONLY)
		p->readers++;
	if (mode != O_RDONLY)
		p->writers++;
	ropens = p->ropens += mode != O_WRONLY;
	wopens = p->wopens += mode != O_RDONLY;
	wake_up(&p->readable);
	wake_up(&p->writable);
	if (mode == O_RDWR || (f->flags & O_NONBLOCK))
		return 0;
	/* Blocking opens wait until the other side has opened too (even if it closed since). */
	if (mode == O_RDONLY && !p->writers &&
	    wait_event_interruptible(p->readable, READ_ONCE(p->wopens) != wopens))
		goto interrupted;
	if (mode == O_WRONLY && !p->readers &&
	    wait_event_interruptible(p->writable, READ_ONCE(p->ropens) != ropens))
		goto interrupted;
	return 0;
interrupted:
	pipe_release(f); /* the caller frees f without calling release again */
	return -ERESTARTSYS;
}

int pipe_create(struct file *files[2], unsigned flags)
{
	struct pipe *p = kzalloc(sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->buf = kmalloc(PIPE_SIZE, 0);
	files[0] = file_alloc(&pipe_ops, O_RDONLY | (flags & O_NONBLOCK), p);
	files[1] = file_alloc(&pipe_ops, O_WRONLY | (flags & O_NONBLOCK), p);
	if (!p->buf || !files[0] || !files[1]) {
		kfree(files[0]);
		kfree(files[1]);
		kfree(p->buf);
		kfree(p);
		return -ENOMEM;
	}
	p->lock = (spinlock_t)SPINLOCK_INIT;
	p->readers = p->writers = 1;
	wait_queue_init(&p->readable);
	wait_queue_init(&p->writable);
	return 0;
}
