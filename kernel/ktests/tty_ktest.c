/* kernel/ktests/tty_ktest.c: kernel tests of the tty core through its input path: echo, reads, VMIN/VTIME.
 * A test tty with a capturing driver, input fed from a timer interrupt; then the real UART (loopback) and keyboard. */
#include <granary/cpu.h>
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/ktest.h>
#include <granary/sched.h>
#include <granary/string.h>
#include <granary/time.h>
#include <granary/tty.h>
#include <granary/wait.h>

#include "../../drivers/tty/tty_internal.h"

static char captured[512];
static size_t ncaptured;

static void capture(struct tty *tty, const char *s, size_t n)
{
	for (size_t i = 0; i < n && ncaptured < sizeof(captured); i++)
		captured[ncaptured++] = s[i];
}

static const struct tty_driver_ops capture_ops = { .output = capture };
static struct tty *test_tty; /* made once: ttys are never freed */

/* The test tty, emptied and back to the default settings. */
static struct ttystream *fresh(void)
{
	struct k_termios t;

	if (!test_tty)
		test_tty = tty_create("ktest", MKDEV(4, 200), &capture_ops, NULL, NULL, NULL);
	if (!test_tty)
		return NULL;
	tty_std_termios(&t);
	tty_set_termios(test_tty, TCSAFLUSH, &t);
	tty_flow(test_tty, TCOON);
	ncaptured = 0;
	return tty_stream(test_tty);
}

static void check_bytes(int line, const char *what, const void *got, size_t ngot, const char *want,
			size_t nwant)
{
	if (ngot == nwant && !memcmp(got, want, nwant))
		return;
	ktest_fail(__FILE__, line, "%s: got %zu bytes, want %zu", what, ngot, nwant);
	for (size_t i = 0; i < ngot; i++)
		ktest_note("got[%zu] = %#x", i, ((const u8 *)got)[i]);
}
#define expect_bytes(...) check_bytes(__LINE__, __VA_ARGS__)
#define EXPECT_CAPTURED(s) expect_bytes("echo", captured, ncaptured, s, sizeof(s) - 1)

KTEST(tty_canonical_input_echo_and_read)
{
	struct ttystream *s = fresh();
	char buf[32];

	KT_ASSERT(s);
	tty_receive(test_tty, "ab\x7f" "c", 4);
	KT_EXPECT_EQ(s->ops->poll(s), POLLOUT);
	KT_EXPECT_EQ(s->ops->read(s, buf, sizeof(buf), TTYS_NONBLOCK), -EAGAIN);
	tty_receive(test_tty, "\r", 1);
	EXPECT_CAPTURED("ab\b \bc\r\n");
	KT_EXPECT_EQ(s->ops->poll(s), POLLIN | POLLOUT);
	KT_EXPECT_EQ(s->ops->read(s, buf, sizeof(buf), TTYS_NONBLOCK), 3);
	expect_bytes("line", buf, 3, "ac\n", 3);
	KT_EXPECT_EQ(s->ops->read(s, buf, sizeof(buf), TTYS_NONBLOCK), -EAGAIN);
	/* ^D on an empty line: end of file, one read of 0. */
	tty_receive(test_tty, "\x04", 1);
	KT_EXPECT_EQ(s->ops->read(s, buf, sizeof(buf), TTYS_NONBLOCK), 0);
	KT_EXPECT_EQ(s->ops->read(s, buf, sizeof(buf), TTYS_NONBLOCK), -EAGAIN);
}

KTEST(tty_output_goes_through_opost)
{
	struct ttystream *s = fresh();
	struct k_termios t;

	KT_ASSERT(s);
	KT_EXPECT_EQ(s->ops->write(s, "x\ny", 3, 0), 3);
	EXPECT_CAPTURED("x\r\ny");
	s->ops->getattr(s, &t);
	t.c_oflag &= ~OPOST;
	KT_EXPECT_EQ(s->ops->setattr(s, TCSANOW, &t), 0);
	KT_EXPECT_EQ(s->ops->setattr(s, 7, &t), -EINVAL);
	ncaptured = 0;
	KT_EXPECT_EQ(s->ops->write(s, "x\ny", 3, 0), 3);
	EXPECT_CAPTURED("x\ny");
}

KTEST(tty_stream_object_ops)
{
	struct ttystream *s = fresh(), *q = NULL;
	void *out = NULL;

	KT_ASSERT(s);
	KT_EXPECT_EQ(s->ops->query(s, "ttystream", &out), 0);
	q = out;
	KT_EXPECT(q == s);
	KT_EXPECT_EQ(s->ops->query(s, "blkio", &out), -EOPNOTSUPP);
	u32 after = s->ops->addref(s);
	KT_EXPECT_EQ(s->ops->release(s), after - 1);
	obj_release(q);
}

/* Input fed from the timer interrupt, as a device's receive interrupt would. */
static struct timer feeder;
static const char *feed_text;

static void feed(struct timer *t)
{
	tty_receive(test_tty, feed_text, strlen(feed_text));
}

struct read_job {
	struct ttystream *s;
	char buf[64];
	long ret;
	u64 ns;
};

static int reader(void *arg)
{
	struct read_job *j = arg;
	u64 start = time_ns();

	j->ret = j->s->ops->read(j->s, j->buf, sizeof(j->buf), 0);
	j->ns = time_ns() - start;
	return 0;
}

/* Starts a blocking read in a thread, feeds text from a timer interrupt `ticks` later, joins. */
static void read_with_feed(struct read_job *j, const char *text, u64 ticks)
{
	struct task *t = kthread_create("ttyread", 10, reader, j);

	KT_ASSERT(t);
	sched_sleep_ticks(2);
	KT_EXPECT_EQ(t->state, TASK_INTERRUPTIBLE); /* asleep on the tty, not finished */
	if (text) {
		feed_text = text;
		timer_add(&feeder, time_ticks() + ticks, feed);
	}
	task_join(t);
	task_put(t);
}

KTEST(tty_blocking_read_woken_from_interrupt)
{
	struct read_job j = { .s = fresh() };

	KT_ASSERT(j.s);
	read_with_feed(&j, "hi\n", 1);
	KT_EXPECT_EQ(j.ret, 3);
	expect_bytes("line", j.buf, 3, "hi\n", 3);
}

static void set_raw(struct ttystream *s, u8 vmin, u8 vtime)
{
	struct k_termios t;

	s->ops->getattr(s, &t);
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = vmin;
	t.c_cc[VTIME] = vtime;
	s->ops->setattr(s, TCSANOW, &t);
}

KTEST(tty_vmin0_vtime0_returns_at_once)
{
	struct ttystream *s = fresh();
	char buf[8];

	KT_ASSERT(s);
	set_raw(s, 0, 0);
	KT_EXPECT_EQ(s->ops->read(s, buf, sizeof(buf), 0), 0);
	tty_receive(test_tty, "q", 1);
	KT_EXPECT_EQ(s->ops->read(s, buf, sizeof(buf), 0), 1);
	KT_EXPECT_EQ(buf[0], 'q');
}

KTEST(tty_vmin0_vtime_times_out_with_nothing)
{
	struct read_job j = { .s = fresh() };

	KT_ASSERT(j.s);
	set_raw(j.s, 0, 2);
	read_with_feed(&j, NULL, 0);
	KT_EXPECT_EQ(j.ret, 0);
	KT_EXPECT(j.ns >= 190 * NSEC_PER_MSEC && j.ns < 2 * NSEC_PER_SEC);
}

KTEST(tty_vmin_waits_for_enough_bytes)
{
	struct read_job j = { .s = fresh() };

	KT_ASSERT(j.s);
	set_raw(j.s, 3, 0);
	tty_receive(test_tty, "ab", 2);
	read_with_feed(&j, "cde", 2);
	KT_EXPECT_EQ(j.ret, 5); /* all that is there once VMIN is reached */
	expect_bytes("raw", j.buf, 5, "abcde", 5);
}

KTEST(tty_vmin_vtime_interbyte_timer)
{
	struct read_job j = { .s = fresh() };

	KT_ASSERT(j.s);
	set_raw(j.s, 10, 1);
	/* Two bytes, then silence: the 0.1 s inter-byte timer ends the read short of VMIN. */
	read_with_feed(&j, "xy", 1);
	KT_EXPECT_EQ(j.ret, 2);
	expect_bytes("raw", j.buf, 2, "xy", 2);
	KT_EXPECT(j.ns >= 100 * NSEC_PER_MSEC && j.ns < 2 * NSEC_PER_SEC);
}

KTEST(tty_stop_start_flow_control)
{
	struct ttystream *s = fresh();

	KT_ASSERT(s);
	tty_receive(test_tty, "\x13", 1); /* ^S */
	KT_EXPECT_EQ(s->ops->write(s, "z", 1, TTYS_NONBLOCK), -EAGAIN);
	KT_EXPECT_EQ(ncaptured, 0);
	tty_receive(test_tty, "\x11", 1); /* ^Q */
	KT_EXPECT_EQ(s->ops->write(s, "z", 1, TTYS_NONBLOCK), 1);
	EXPECT_CAPTURED("z");
	/* TCOOFF holds output even against ^Q; TCOON releases it. */
	KT_EXPECT_EQ(s->ops->flow(s, TCOOFF), 0);
	tty_receive(test_tty, "\x11", 1);
	KT_EXPECT_EQ(s->ops->write(s, "z", 1, TTYS_NONBLOCK), -EAGAIN);
	KT_EXPECT_EQ(s->ops->flow(s, TCOON), 0);
	KT_EXPECT_EQ(s->ops->flow(s, 9), -EINVAL);
	KT_EXPECT_EQ(s->ops->flush(s, 9), -EINVAL);
}

static struct timer hanger;

static void hang(struct timer *t)
{
	tty_hangup(test_tty);
}

KTEST(tty_hangup_ends_a_blocked_read)
{
	struct read_job j = { .s = fresh() };
	struct task *t;

	KT_ASSERT(j.s);
	t = kthread_create("ttyread", 10, reader, &j);
	KT_ASSERT(t);
	sched_sleep_ticks(2);
	timer_add(&hanger, time_ticks() + 1, hang);
	task_join(t);
	task_put(t);
	KT_EXPECT_EQ(j.ret, 0);
}

KTEST(tty_winsize_roundtrip)
{
	struct ttystream *s = fresh();
	struct k_winsize ws = { 24, 80, 640, 480 }, got;

	KT_ASSERT(s);
	s->ops->setwinsize(s, &ws);
	s->ops->getwinsize(s, &got);
	KT_EXPECT(!memcmp(&ws, &got, sizeof(ws)));
}

/* ttyS1 (COM2) with the UART in loopback: bytes written come back through its receive
 * interrupt, the whole real input path. */
#define COM2 0x2f8
#define MCR_LOOP 0x10

KTEST(tty_uart_loopback_through_irq)
{
	struct tty *tty = tty_find(MKDEV(4, 65));
	struct ttystream *s;
	struct k_termios saved, t;
	char buf[16];
	long r = -EAGAIN;
	u8 mcr;

	if (!tty) {
		ktest_note("no COM2 (tools/qemu-run adds one): skipped");
		return;
	}
	s = tty_stream(tty);
	s->ops->getattr(s, &saved);
	t = saved;
	t.c_lflag &= ~ECHO; /* echo would loop back too */
	KT_EXPECT_EQ(s->ops->setattr(s, TCSAFLUSH, &t), 0);
	mcr = inb(COM2 + 4);
	outb(COM2 + 4, mcr | MCR_LOOP);
	KT_EXPECT_EQ(s->ops->write(s, "ok\n", 3, 0), 3); /* "ok\r\n" on the wire */
	for (int i = 0; i < 50 && r == -EAGAIN; i++) {
		r = s->ops->read(s, buf, sizeof(buf), TTYS_NONBLOCK);
		if (r == -EAGAIN)
			sched_sleep_ticks(1);
	}
	outb(COM2 + 4, mcr);
	KT_EXPECT_EQ(r, 3);
	expect_bytes("loopback", buf, r > 0 ? (size_t)r : 0, "ok\n", 3);
	/* \r became \n (ICRNL): a second, empty line. */
	KT_EXPECT_EQ(s->ops->read(s, buf, sizeof(buf), TTYS_NONBLOCK), 1);
	KT_EXPECT_EQ(buf[0], '\n');
	s->ops->setattr(s, TCSAFLUSH, &saved);
}

/* The i8042's "write keyboard output" command puts a byte in the controller as if the
 * keyboard had sent it, with IRQ 1: the keyboard driver's real path into tty0. */
static void fake_key(u8 code)
{
	for (int i = 0; i < 100000 && (inb(0x64) & 2); i++)
		cpu_relax();
	outb(0x64, 0xd2);
	for (int i = 0; i < 100000 && (inb(0x64) & 2); i++)
		cpu_relax();
	outb(0x60, code);
	/* The interrupt takes the byte before the next one goes in. */
	for (int i = 0; i < 100 && (inb(0x64) & 1); i++)
		sched_sleep_ticks(1);
}

KTEST(tty_keyboard_feeds_tty0)
{
	static const u8 keys[] = { 0x2a, 0x23, 0xaa, 0x17, 0x1d, 0x2e, 0x9d, 0x1c, 0x9c };
	struct tty *tty = tty_screen();
	struct ttystream *s;
	struct k_termios saved, t;
	char buf[16];
	long r = -EAGAIN;

	if (!tty || inb(0x64) == 0xff) {
		ktest_note("no screen console or keyboard controller: skipped");
		return;
	}
	s = tty_stream(tty);
	s->ops->getattr(s, &saved);
	t = saved;
	t.c_lflag &= ~(ICANON | ISIG);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	KT_EXPECT_EQ(s->ops->setattr(s, TCSAFLUSH, &t), 0);
	/* Shift+h, i, Ctrl+c, Enter: "Hi", ^C as a byte (ISIG off), \r turned into \n. */
	for (size_t i = 0; i < sizeof(keys); i++)
		fake_key(keys[i]);
	r = s->ops->read(s, buf, sizeof(buf), 0);
	KT_EXPECT_EQ(r, 4);
	expect_bytes("keys", buf, r > 0 ? (size_t)r : 0, "Hi\x03\n", 4);
	s->ops->setattr(s, TCSAFLUSH, &saved);
}
