/* drivers/tty/tty.c: the tty core: a terminal object joining a driver to the line discipline.
 * Blocking reads (canonical lines, VMIN/VTIME), flow control, hang-up, and the ttystream ops. No job
 * control here (jobctl.c) and no user memory (tty_file.c). */
#include <granary/errno.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/time.h>
#include <granary/file.h>

#include "tty_internal.h"

#define WRITE_CHUNK 64 /* bytes written per hold of the lock: bounds the time interrupts are off */

static struct tty *ttys; /* every tty; none is ever freed */
static spinlock_t ttys_lock = SPINLOCK_INIT;

static const struct ttystream_ops stream_ops;

/* The line discipline's output: straight to the driver (the tty lock is held). */
static void emit(void *ctx, const char *s, size_t n)
{
	struct tty *tty = ctx;

	tty->ops->output(tty, s, n);
}

void tty_std_termios(struct k_termios *t)
{
	ldisc_std_termios(t);
}

struct tty *tty_create(const char *name, dev_t dev, const struct tty_driver_ops *ops, void *drv,
		       const struct k_termios *t, const struct k_winsize *ws)
{
	struct tty *tty = kzalloc(sizeof(*tty));
	struct k_termios std;
	unsigned long irq;

	if (!tty)
		return NULL;
	if (!t) {
		ldisc_std_termios(&std);
		t = &std;
	}
	tty->stream.ops = &stream_ops;
	strlcpy(tty->name, name, sizeof(tty->name));
	tty->dev = dev;
	tty->ops = ops;
	tty->drv = drv;
	tty->refs = 1;
	tty->lock = (spinlock_t)SPINLOCK_INIT;
	ldisc_init(&tty->ld, t, emit, tty);
	if (ws)
		tty->ws = *ws;
	wait_queue_init(&tty->readq);
	wait_queue_init(&tty->writeq);
	irq = spin_lock_irqsave(&ttys_lock);
	tty->next = ttys;
	ttys = tty;
	spin_unlock_irqrestore(&ttys_lock, irq);
	return tty;
}

struct tty *tty_find(dev_t dev)
{
	unsigned long irq = spin_lock_irqsave(&ttys_lock);
	struct tty *tty;

	for (tty = ttys; tty && tty->dev != dev; tty = tty->next)
		;
	spin_unlock_irqrestore(&ttys_lock, irq);
	return tty;
}

void *tty_driver_data(struct tty *tty)
{
	return tty->drv;
}

struct ttystream *tty_stream(struct tty *tty)
{
	return &tty->stream;
}

const char *tty_name(const struct tty *tty)
{
	return tty->name;
}

dev_t tty_dev(const struct tty *tty)
{
	return tty->dev;
}

void tty_get(struct tty *tty)
{
	__atomic_add_fetch(&tty->refs, 1, __ATOMIC_RELAXED);
}

void tty_put(struct tty *tty)
{
	/* ttys are made once per device and never go; the count only tells who holds one. */
	__atomic_sub_fetch(&tty->refs, 1, __ATOMIC_RELEASE);
}

void tty_receive(struct tty *tty, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned long irq = spin_lock_irqsave(&tty->lock);
		unsigned r = ldisc_receive(&tty->ld, (u8)buf[i]);
		bool started = false;
		int sig = (int)LDISC_SIGNAL(r), pgrp;

		if (r & LDISC_STOP)
			tty->stopped = true;
		if ((r & LDISC_START) && tty->stopped && !tty->tco_stopped) {
			tty->stopped = false;
			started = true;
		}
		pgrp = READ_ONCE(tty->pgrp);
		spin_unlock_irqrestore(&tty->lock, irq);
		if (sig && pgrp)
			jobctl_signal_group(pgrp, sig);
		if (r & LDISC_WAKE)
			wake_up(&tty->readq);
		if (started)
			wake_up(&tty->writeq);
	}
}

/* Sleeps on q until woken, a signal comes, or the tick deadline (0: none) passes. */
static void sleep_on(struct wait_queue *q, bool (*ready)(struct tty *), struct tty *tty, u32 gen,
		     u64 deadline)
{
	struct waiter w = { .task = NULL };

	wait_prepare(q, &w, TASK_INTERRUPTIBLE);
	if (!ready(tty) && READ_ONCE(tty->hangups) == gen && !signal_pending() &&
	    !(deadline && time_ticks() >= deadline)) {
		if (deadline)
			schedule_until(deadline);
		else
			schedule();
	}
	wait_finish(q, &w);
}

static bool input_ready(struct tty *tty)
{
	return ldisc_readable(&tty->ld, 1);
}

static bool output_ready(struct tty *tty)
{
	return !READ_ONCE(tty->stopped);
}

static u64 deadline_after(unsigned ds)
{
	return time_tick_after((u64)ds * 100 * NSEC_PER_MSEC);
}

long tty_read(struct tty *tty, void *buf, size_t n, unsigned flags)
{
	u32 gen = READ_ONCE(tty->hangups);
	struct ldisc_plan plan;
	size_t copied = 0;
	u64 deadline = 0;
	unsigned long irq;

	if (!n)
		return 0;
	irq = spin_lock_irqsave(&tty->lock);
	ldisc_read_plan(&tty->ld.t, n, &plan);
	if (!ldisc_canonical(&tty->ld) && plan.timeout_ds && !plan.interbyte)
		deadline = deadline_after(plan.timeout_ds);
	spin_unlock_irqrestore(&tty->lock, irq);
	for (;;) {
		bool timed_out = deadline && time_ticks() >= deadline;

		irq = spin_lock_irqsave(&tty->lock);
		if (ldisc_canonical(&tty->ld)) {
			/* One line, or 0 for an EOF; whatever was taken raw before stays taken. */
			if (ldisc_readable(&tty->ld, 1) && !copied) {
				copied = ldisc_read(&tty->ld, buf, n);
				spin_unlock_irqrestore(&tty->lock, irq);
				return (long)copied;
			}
			if (copied) {
				spin_unlock_irqrestore(&tty->lock, irq);
				return (long)copied;
			}
		} else {
			size_t k = ldisc_read(&tty->ld, (u8 *)buf + copied, n - copied);
			copied += k;
			if (k && plan.interbyte && plan.timeout_ds) {
				deadline = deadline_after(plan.timeout_ds);
				timed_out = false;
			}
			if (ldisc_read_done(&plan, copied, timed_out)) {
				spin_unlock_irqrestore(&tty->lock, irq);
				return (long)copied;
			}
		}
		spin_unlock_irqrestore(&tty->lock, irq);
		if (READ_ONCE(tty->hangups) != gen)
			return (long)copied;
		if (flags & TTYS_NONBLOCK)
			return copied ? (long)copied : -EAGAIN;
		if (signal_pending())
			return copied ? (long)copied : -ERESTARTSYS;
		sleep_on(&tty->readq, input_ready, tty, gen, deadline);
	}
}

long tty_write(struct tty *tty, const void *buf, size_t n, unsigned flags)
{
	u32 gen = READ_ONCE(tty->hangups);
	size_t done = 0;

	while (done < n) {
		unsigned long irq;
		size_t k;

		if (READ_ONCE(tty->hangups) != gen)
			return done ? (long)done : -EIO;
		irq = spin_lock_irqsave(&tty->lock);
		if (tty->stopped) {
			spin_unlock_irqrestore(&tty->lock, irq);
			if (flags & TTYS_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			if (signal_pending())
				return done ? (long)done : -ERESTARTSYS;
			sleep_on(&tty->writeq, output_ready, tty, gen, 0);
			continue;
		}
		k = min(n - done, (size_t)WRITE_CHUNK);
		ldisc_write(&tty->ld, (const u8 *)buf + done, k);
		spin_unlock_irqrestore(&tty->lock, irq);
		done += k;
	}
	return (long)done;
}

void tty_get_termios(struct tty *tty, struct k_termios *t)
{
	unsigned long irq = spin_lock_irqsave(&tty->lock);

	*t = tty->ld.t;
	spin_unlock_irqrestore(&tty->lock, irq);
}

int tty_set_termios(struct tty *tty, int when, const struct k_termios *t)
{
	unsigned long irq;

	if (when != TCSANOW && when != TCSADRAIN && when != TCSAFLUSH)
		return -EINVAL;
	/* Output is written synchronously: by now it has been drained already. */
	irq = spin_lock_irqsave(&tty->lock);
	if (when == TCSAFLUSH)
		ldisc_flush_input(&tty->ld);
	ldisc_set_termios(&tty->ld, t);
	if (tty->ops->set_termios)
		tty->ops->set_termios(tty, t);
	if (!(t->c_iflag & IXON) && tty->stopped && !tty->tco_stopped)
		tty->stopped = false;
	spin_unlock_irqrestore(&tty->lock, irq);
	/* Leaving canonical mode can make bytes readable; new VMIN/VTIME change what waits. */
	wake_up(&tty->readq);
	wake_up(&tty->writeq);
	return 0;
}

unsigned tty_poll(struct tty *tty)
{
	unsigned long irq = spin_lock_irqsave(&tty->lock);
	unsigned r = POLLOUT;

	if (ldisc_readable(&tty->ld, ldisc_poll_amount(&tty->ld)))
		r |= POLLIN;
	spin_unlock_irqrestore(&tty->lock, irq);
	return r;
}

size_t tty_inq(struct tty *tty)
{
	unsigned long irq = spin_lock_irqsave(&tty->lock);
	size_t n = ldisc_inq(&tty->ld);

	spin_unlock_irqrestore(&tty->lock, irq);
	return n;
}

int tty_flush(struct tty *tty, int queue)
{
	unsigned long irq;

	if (queue != TCIFLUSH && queue != TCOFLUSH && queue != TCIOFLUSH)
		return -EINVAL;
	/* Output has no queue to discard: it went to the device as it was written. */
	if (queue != TCOFLUSH) {
		irq = spin_lock_irqsave(&tty->lock);
		ldisc_flush_input(&tty->ld);
		spin_unlock_irqrestore(&tty->lock, irq);
	}
	return 0;
}

int tty_flow(struct tty *tty, int action)
{
	unsigned long irq;
	u8 c;

	switch (action) {
	case TCOOFF:
	case TCOON:
		irq = spin_lock_irqsave(&tty->lock);
		tty->stopped = tty->tco_stopped = action == TCOOFF;
		spin_unlock_irqrestore(&tty->lock, irq);
		wake_up(&tty->writeq);
		return 0;
	case TCIOFF:
	case TCION:
		irq = spin_lock_irqsave(&tty->lock);
		c = tty->ld.t.c_cc[action == TCIOFF ? VSTOP : VSTART];
		if (c != K_POSIX_VDISABLE)
			tty->ops->output(tty, (const char *)&c, 1);
		spin_unlock_irqrestore(&tty->lock, irq);
		return 0;
	}
	return -EINVAL;
}

void tty_set_winsize(struct tty *tty, const struct k_winsize *ws)
{
	unsigned long irq = spin_lock_irqsave(&tty->lock);
	bool changed = memcmp(&tty->ws, ws, sizeof(*ws)) != 0;
	int pgrp = tty->pgrp;

	tty->ws = *ws;
	spin_unlock_irqrestore(&tty->lock, irq);
	if (changed && pgrp)
		jobctl_signal_group(pgrp, SIGWINCH);
}

void tty_get_winsize(struct tty *tty, struct k_winsize *ws)
{
	unsigned long irq = spin_lock_irqsave(&tty->lock);

	*ws = tty->ws;
	spin_unlock_irqrestore(&tty->lock, irq);
}

void tty_hangup(struct tty *tty)
{
	unsigned long irq = spin_lock_irqsave(&tty->lock);

	tty->hangups++;
	ldisc_flush_input(&tty->ld);
	tty->stopped = tty->tco_stopped = false;
	spin_unlock_irqrestore(&tty->lock, irq);
	wake_up(&tty->readq);
	wake_up(&tty->writeq);
}

/* ---- the ttystream interface ---- */

#define TTY_OF(s) ((struct tty *)(s)) /* stream is the first member */

static int s_query(struct ttystream *s, const char *iid, void **out)
{
	if (strcmp(iid, "ttystream"))
		return -EOPNOTSUPP;
	tty_get(TTY_OF(s));
	*out = s;
	return 0;
}

static u32 s_addref(struct ttystream *s)
{
	return __atomic_add_fetch(&TTY_OF(s)->refs, 1, __ATOMIC_RELAXED);
}

static u32 s_release(struct ttystream *s)
{
	return __atomic_sub_fetch(&TTY_OF(s)->refs, 1, __ATOMIC_RELEASE);
}

static long s_read(struct ttystream *s, void *buf, size_t n, unsigned flags)
{
	return tty_read(TTY_OF(s), buf, n, flags);
}

static long s_write(struct ttystream *s, const void *buf, size_t n, unsigned flags)
{
	return tty_write(TTY_OF(s), buf, n, flags);
}

static int s_getattr(struct ttystream *s, struct k_termios *t)
{
	tty_get_termios(TTY_OF(s), t);
	return 0;
}

static int s_setattr(struct ttystream *s, int when, const struct k_termios *t)
{
	return tty_set_termios(TTY_OF(s), when, t);
}

static unsigned s_poll(struct ttystream *s)
{
	return tty_poll(TTY_OF(s));
}

static int s_flush(struct ttystream *s, int queue)
{
	return tty_flush(TTY_OF(s), queue);
}

static int s_flow(struct ttystream *s, int action)
{
	return tty_flow(TTY_OF(s), action);
}

static int s_drain(struct ttystream *s)
{
	return 0;
}

static int s_sendbreak(struct ttystream *s, u32 ms)
{
	return 0;
}

static void s_getwinsize(struct ttystream *s, struct k_winsize *ws)
{
	tty_get_winsize(TTY_OF(s), ws);
}

static void s_setwinsize(struct ttystream *s, const struct k_winsize *ws)
{
	tty_set_winsize(TTY_OF(s), ws);
}

static const struct ttystream_ops stream_ops = {
	.query = s_query,
	.addref = s_addref,
	.release = s_release,
	.read = s_read,
	.write = s_write,
	.getattr = s_getattr,
	.setattr = s_setattr,
	.poll = s_poll,
	.flush = s_flush,
	.flow = s_flow,
	.drain = s_drain,
	.sendbreak = s_sendbreak,
	.getwinsize = s_getwinsize,
	.setwinsize = s_setwinsize,
};
