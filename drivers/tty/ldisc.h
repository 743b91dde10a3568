/* drivers/tty/ldisc.h: the line discipline: termios input editing, echo and output processing.
 * Pure logic over one struct (no locks, no sleeping, no devices), so it also compiles on the host. */
#ifndef TTY_LDISC_H
#define TTY_LDISC_H

#include <granary/types.h>
#include <uapi/termios.h>

#define LDISC_BUF 4096 /* input queue size; a power of two */
#define LDISC_OBUF 64  /* output staged before one emit() */

/* Where echo and processed output go: the tty core passes it to the driver. */
typedef void (*ldisc_emit_fn)(void *ctx, const char *s, size_t n);

struct ldisc {
	struct k_termios t;
	/* The input queue, indices free-running (masked on use): [tail, canon) is complete lines
	 * a canonical read may take, [canon, head) the line being edited. Without ICANON every
	 * byte up to head is readable. */
	u8 buf[LDISC_BUF];
	u64 eol[LDISC_BUF / 64]; /* bit set: this byte ends a line (a 0 byte so marked is an EOF) */
	size_t tail, canon, head;
	unsigned column;       /* output column, for tab stops and erasing tabs */
	unsigned canon_column; /* column where the line being edited started */
	bool lnext;	       /* the next byte is taken literally (VLNEXT) */
	bool erasing;	       /* inside a "\...\" ECHOPRT erase */
	ldisc_emit_fn emit;
	void *ctx;
	char obuf[LDISC_OBUF];
	size_t olen;
};

/* What ldisc_receive() asks of the tty core. */
#define LDISC_WAKE 0x01u  /* readers may be able to go on */
#define LDISC_STOP 0x02u  /* VSTOP under IXON: stop output */
#define LDISC_START 0x04u /* VSTART (or any byte under IXANY): restart output */
#define LDISC_SIG_SHIFT 8 /* bits 8-15: a signal for the foreground process group, or 0 */
#define LDISC_SIGNAL(r) (((r) >> LDISC_SIG_SHIFT) & 0xffu)

/* How a non-canonical read waits (VMIN/VTIME). */
struct ldisc_plan {
	size_t minimum;	     /* bytes that end the read; 0: return at once with what there is */
	unsigned timeout_ds; /* deciseconds; 0: no timer */
	bool interbyte;	     /* the timer starts at the first byte and restarts at each one;
			      * otherwise it runs from the start of the read */
};

/* Linux's default settings (tty_std_termios): ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD|HUPCL,
 * ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN and the usual control characters. */
void ldisc_std_termios(struct k_termios *t);
/* An empty discipline with settings t, emitting through emit(ctx, ...). */
void ldisc_init(struct ldisc *l, const struct k_termios *t, ldisc_emit_fn emit, void *ctx);
/* New settings; switching ICANON makes pending input one readable line (on) or raw bytes (off). */
void ldisc_set_termios(struct ldisc *l, const struct k_termios *t);
/* One received byte: edits, queues, echoes. Returns LDISC_* bits and maybe a signal. */
unsigned ldisc_receive(struct ldisc *l, u8 c);
/* Output written by a program: OPOST processing, then emit. */
void ldisc_write(struct ldisc *l, const u8 *s, size_t n);
/* Takes up to n readable bytes: at most one line in canonical mode (the line's end is consumed;
 * an EOF gives 0 bytes). Returns the count. */
size_t ldisc_read(struct ldisc *l, u8 *out, size_t n);
/* True if a read would not wait: a complete line (canonical), else at least amt bytes. */
bool ldisc_readable(const struct ldisc *l, size_t amt);
/* How many bytes poll() wants before it says POLLIN (Linux: VMIN when VTIME is 0). */
size_t ldisc_poll_amount(const struct ldisc *l);
/* Bytes a read could take now, for FIONREAD (EOF marks not counted). */
size_t ldisc_inq(const struct ldisc *l);
/* Discards all pending input. */
void ldisc_flush_input(struct ldisc *l);
/* The VMIN/VTIME rules for a non-canonical read of n bytes. */
void ldisc_read_plan(const struct k_termios *t, size_t n, struct ldisc_plan *p);
/* True if a read following p with copied bytes so far (timer expired or not) should return. */
bool ldisc_read_done(const struct ldisc_plan *p, size_t copied, bool timed_out);

static inline bool ldisc_canonical(const struct ldisc *l)
{
	return l->t.c_lflag & ICANON;
}

#endif
