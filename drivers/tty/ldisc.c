/* drivers/tty/ldisc.c: the termios line discipline: bytes in -> edited input queue, echo and output out.
 * Follows Linux's N_TTY rules for what is special, echoed and erased; no locking, devices or processes. */
#include <granary/string.h>
#include <uapi/signal.h>

#include "ldisc.h"

#define MASK(i) ((i) & (LDISC_BUF - 1))
#define CC(l, v) ((l)->t.c_cc[v])
#define I(l, f) ((l)->t.c_iflag & (f))
#define O(l, f) ((l)->t.c_oflag & (f))
#define L(l, f) ((l)->t.c_lflag & (f))

/* ASCII control bytes only: bytes >= 0x80 are UTF-8 or Latin-1 text, echoed as they are. */
static bool is_cntrl(u8 c)
{
	return c < 0x20 || c == 0x7f;
}

static bool is_alnum(u8 c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_continuation(const struct ldisc *l, u8 c)
{
	return I(l, IUTF8) && (c & 0xc0) == 0x80;
}

/* c is the control character in slot v, which is not disabled. */
static bool is_cc(const struct ldisc *l, unsigned v, u8 c)
{
	return c != K_POSIX_VDISABLE && CC(l, v) == c;
}

static bool eol_test(const struct ldisc *l, size_t i)
{
	return l->eol[MASK(i) / 64] & (1ULL << (MASK(i) % 64));
}

static void eol_set(struct ldisc *l, size_t i, bool on)
{
	if (on)
		l->eol[MASK(i) / 64] |= 1ULL << (MASK(i) % 64);
	else
		l->eol[MASK(i) / 64] &= ~(1ULL << (MASK(i) % 64));
}

void ldisc_std_termios(struct k_termios *t)
{
	static const u8 cc[K_NCCS] = {
		[VINTR] = 0x03, [VQUIT] = 0x1c, [VERASE] = 0x7f, [VKILL] = 0x15, [VEOF] = 0x04,
		[VTIME] = 0, [VMIN] = 1, [VSWTC] = 0, [VSTART] = 0x11, [VSTOP] = 0x13,
		[VSUSP] = 0x1a, [VEOL] = 0, [VREPRINT] = 0x12, [VDISCARD] = 0x0f,
		[VWERASE] = 0x17, [VLNEXT] = 0x16, [VEOL2] = 0,
	};

	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD | HUPCL;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	t->c_line = N_TTY;
	memcpy(t->c_cc, cc, sizeof(cc));
}

void ldisc_init(struct ldisc *l, const struct k_termios *t, ldisc_emit_fn emit, void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->t = *t;
	l->emit = emit;
	l->ctx = ctx;
}

/* ---- output ---- */

static void flush_out(struct ldisc *l)
{
	if (l->olen && l->emit)
		l->emit(l->ctx, l->obuf, l->olen);
	l->olen = 0;
}

static void put_raw(struct ldisc *l, char c)
{
	if (l->olen == LDISC_OBUF)
		flush_out(l);
	l->obuf[l->olen++] = c;
}

/* One byte through OPOST (when on), keeping the column up to date. */
static void put_out(struct ldisc *l, u8 c)
{
	if (!O(l, OPOST)) {
		put_raw(l, (char)c);
		return;
	}
	switch (c) {
	case '\n':
		if (O(l, ONLRET))
			l->column = 0;
		if (O(l, ONLCR)) {
			put_raw(l, '\r');
			put_raw(l, '\n');
			l->canon_column = l->column = 0;
			return;
		}
		l->canon_column = l->column;
		break;
	case '\r':
		if (O(l, ONOCR) && l->column == 0)
			return;
		if (O(l, OCRNL)) {
			c = '\n';
			if (O(l, ONLRET))
				l->canon_column = l->column = 0;
			break;
		}
		l->canon_column = l->column = 0;
		break;
	case '\t': {
		unsigned spaces = 8 - (l->column & 7);
		if ((l->t.c_oflag & TABDLY) == XTABS) {
			l->column += spaces;
			while (spaces--)
				put_raw(l, ' ');
			return;
		}
		l->column += spaces;
		break;
	}
	case '\b':
		if (l->column)
			l->column--;
		break;
	default:
		if (!is_cntrl(c)) {
			if (O(l, OLCUC) && c >= 'a' && c <= 'z')
				c = (u8)(c - 'a' + 'A');
			if (!is_continuation(l, c))
				l->column++;
		}
	}
	put_raw(l, (char)c);
}

/* Echo of a typed byte: control characters as ^X under ECHOCTL (tab excepted). */
static void echo_char(struct ldisc *l, u8 c)
{
	if (L(l, ECHOCTL) && is_cntrl(c) && c != '\t') {
		put_raw(l, '^');
		put_raw(l, (char)(c ^ 0x40));
		l->column += 2;
		return;
	}
	put_out(l, c);
}

/* The first byte of a line records where on the screen the line starts (for tab erase). */
static void echo_typed(struct ldisc *l, u8 c)
{
	if (l->canon == l->head)
		l->canon_column = l->column;
	echo_char(l, c);
}

static void finish_erasing(struct ldisc *l)
{
	if (l->erasing) {
		put_out(l, '/');
		l->erasing = false;
	}
}

void ldisc_write(struct ldisc *l, const u8 *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_out(l, s[i]);
	flush_out(l);
}

/* ---- input ---- */

static void queue(struct ldisc *l, u8 c)
{
	eol_set(l, l->head, false);
	l->buf[MASK(l->head)] = c;
	l->head++;
}

/* Ends the line being edited with c (0 for an EOF, which reads give back as nothing). */
static void end_line(struct ldisc *l, u8 c)
{
	eol_set(l, l->head, true);
	l->buf[MASK(l->head)] = c;
	l->head++;
	l->canon = l->head;
}

/* Backs up over an erased tab: to the tab stop before it, counting the columns typed since the
 * line started (or since the tab before it). */
static void erase_tab(struct ldisc *l)
{
	unsigned cols = 0, bs;
	bool after_tab = false;

	for (size_t i = l->head; i != l->canon;) {
		u8 c = l->buf[MASK(--i)];
		if (c == '\t') {
			after_tab = true;
			break;
		}
		if (is_cntrl(c))
			cols += L(l, ECHOCTL) ? 2 : 0;
		else if (!is_continuation(l, c))
			cols++;
	}
	if (!after_tab)
		cols += l->canon_column;
	for (bs = 8 - (cols & 7); bs; bs--) {
		put_raw(l, '\b');
		if (l->column)
			l->column--;
	}
}

/* VERASE, VWERASE or VKILL on the line being edited. */
static void erase(struct ldisc *l, u8 key)
{
	enum { ERASE, WERASE, KILL } kind;
	unsigned alnums = 0;

	if (l->head == l->canon)
		return;
	if (is_cc(l, VERASE, key)) {
		kind = ERASE;
	} else if (is_cc(l, VWERASE, key)) {
		kind = WERASE;
	} else {
		kind = KILL;
		if (!L(l, ECHO)) {
			l->head = l->canon;
			return;
		}
		if (!L(l, ECHOK) || !L(l, ECHOKE) || !L(l, ECHOE)) {
			l->head = l->canon;
			finish_erasing(l);
			echo_char(l, key);
			if (L(l, ECHOK))
				put_out(l, '\n');
			return;
		}
	}
	while (l->head != l->canon) {
		size_t h = l->head;
		size_t n;
		u8 c;

		/* A multibyte character goes whole, or not at all. */
		do {
			c = l->buf[MASK(--h)];
		} while (is_continuation(l, c) && h != l->canon);
		if (is_continuation(l, c))
			break;
		if (kind == WERASE) {
			if (is_alnum(c) || c == '_')
				alnums++;
			else if (alnums)
				break;
		}
		n = l->head - h;
		l->head = h;
		if (L(l, ECHO)) {
			if (L(l, ECHOPRT)) {
				if (!l->erasing) {
					put_out(l, '\\');
					l->erasing = true;
				}
				echo_char(l, c);
				for (size_t i = 1; i < n; i++)
					put_out(l, l->buf[MASK(h + i)]);
			} else if (kind == ERASE && !L(l, ECHOE)) {
				echo_char(l, CC(l, VERASE));
			} else if (c == '\t') {
				erase_tab(l);
			} else {
				/* A ^X echo is two columns wide. */
				unsigned width = is_cntrl(c) ? (L(l, ECHOCTL) ? 2 : 0) : 1;
				for (unsigned i = 0; i < width; i++) {
					put_out(l, '\b');
					put_out(l, ' ');
					put_out(l, '\b');
				}
			}
		}
		if (kind == ERASE)
			break;
	}
	if (l->head == l->canon && L(l, ECHO))
		finish_erasing(l);
}

/* VINTR, VQUIT, VSUSP under ISIG: input is discarded first unless NOFLSH. */
static unsigned isig(struct ldisc *l, int sig, u8 c)
{
	unsigned r = LDISC_WAKE | ((unsigned)sig << LDISC_SIG_SHIFT);

	if (!L(l, NOFLSH))
		ldisc_flush_input(l);
	if (I(l, IXON))
		r |= LDISC_START;
	if (L(l, ECHO))
		echo_char(l, c);
	return r;
}

/* Line editing keys in canonical mode; false if c is not one of them. */
static bool canonical_key(struct ldisc *l, u8 c, unsigned *r)
{
	if (is_cc(l, VERASE, c) || is_cc(l, VKILL, c) || (is_cc(l, VWERASE, c) && L(l, IEXTEN))) {
		erase(l, c);
		return true;
	}
	if (is_cc(l, VLNEXT, c) && L(l, IEXTEN)) {
		l->lnext = true;
		if (L(l, ECHO)) {
			finish_erasing(l);
			if (L(l, ECHOCTL)) {
				put_out(l, '^');
				put_out(l, '\b');
			}
		}
		return true;
	}
	if (is_cc(l, VREPRINT, c) && L(l, ECHO) && L(l, IEXTEN)) {
		finish_erasing(l);
		echo_char(l, c);
		put_out(l, '\n');
		for (size_t i = l->canon; i != l->head; i++)
			echo_char(l, l->buf[MASK(i)]);
		return true;
	}
	if (c == '\n') {
		if (L(l, ECHO) || L(l, ECHONL))
			put_out(l, '\n');
		end_line(l, c);
		*r |= LDISC_WAKE;
		return true;
	}
	if (is_cc(l, VEOF, c)) {
		end_line(l, 0);
		*r |= LDISC_WAKE;
		return true;
	}
	if (is_cc(l, VEOL, c) || (is_cc(l, VEOL2, c) && L(l, IEXTEN))) {
		if (L(l, ECHO))
			echo_typed(l, c);
		end_line(l, c);
		*r |= LDISC_WAKE;
		return true;
	}
	return false;
}

/* Linux's set of bytes that take the slow path under the current settings. */
static bool is_special(const struct ldisc *l, u8 c)
{
	if (c == K_POSIX_VDISABLE)
		return false;
	if (c == '\r' && (I(l, IGNCR) || I(l, ICRNL)))
		return true;
	if (c == '\n' && I(l, INLCR))
		return true;
	if (L(l, ICANON)) {
		if (c == '\n' || c == CC(l, VERASE) || c == CC(l, VKILL) || c == CC(l, VEOF) ||
		    c == CC(l, VEOL))
			return true;
		if (L(l, IEXTEN) && (c == CC(l, VWERASE) || c == CC(l, VLNEXT) || c == CC(l, VEOL2) ||
				     (L(l, ECHO) && c == CC(l, VREPRINT))))
			return true;
	}
	if (I(l, IXON) && (c == CC(l, VSTART) || c == CC(l, VSTOP)))
		return true;
	return L(l, ISIG) && (c == CC(l, VINTR) || c == CC(l, VQUIT) || c == CC(l, VSUSP));
}

/* An ordinary byte: echoed and queued. */
static void plain(struct ldisc *l, u8 c, bool newline_raw)
{
	if (L(l, ECHO)) {
		finish_erasing(l);
		if (c == '\n' && newline_raw)
			put_out(l, '\n');
		else
			echo_typed(l, c);
	}
	queue(l, c);
	if (!L(l, ICANON))
		l->canon = l->head;
}

static unsigned special(struct ldisc *l, u8 c)
{
	unsigned r = 0;

	if (I(l, IXON)) {
		if (is_cc(l, VSTART, c))
			return LDISC_START;
		if (is_cc(l, VSTOP, c))
			return LDISC_STOP;
	}
	if (L(l, ISIG)) {
		if (is_cc(l, VINTR, c))
			return isig(l, SIGINT, c);
		if (is_cc(l, VQUIT, c))
			return isig(l, SIGQUIT, c);
		if (is_cc(l, VSUSP, c))
			return isig(l, SIGTSTP, c);
	}
	if (I(l, IXON) && I(l, IXANY))
		r |= LDISC_START;
	if (c == '\r') {
		if (I(l, IGNCR))
			return r;
		if (I(l, ICRNL))
			c = '\n';
	} else if (c == '\n' && I(l, INLCR)) {
		c = '\r';
	}
	if (L(l, ICANON) && canonical_key(l, c, &r))
		return r;
	plain(l, c, true);
	return r | LDISC_WAKE;
}

unsigned ldisc_receive(struct ldisc *l, u8 c)
{
	size_t used = l->head - l->tail;
	unsigned r;

	/* A full queue drops what comes (the device cannot be throttled). In canonical mode with
	 * no complete line, the last byte typed is overwritten instead, so that a newline can
	 * always end the line. */
	if (used >= LDISC_BUF - 1) {
		if (!L(l, ICANON) || l->canon != l->tail)
			return 0;
		if (used >= LDISC_BUF)
			l->head--;
	}
	if (I(l, ISTRIP))
		c &= 0x7f;
	if (I(l, IUCLC) && L(l, IEXTEN) && c >= 'A' && c <= 'Z')
		c = (u8)(c - 'A' + 'a');
	if (l->lnext) {
		l->lnext = false;
		plain(l, c, false);
		r = LDISC_WAKE;
	} else if (is_special(l, c)) {
		r = special(l, c);
	} else {
		plain(l, c, false);
		r = LDISC_WAKE | (I(l, IXON) && I(l, IXANY) ? LDISC_START : 0);
	}
	flush_out(l);
	return r;
}

void ldisc_set_termios(struct ldisc *l, const struct k_termios *t)
{
	bool was_canon = L(l, ICANON);

	l->t = *t;
	if (was_canon == !!L(l, ICANON))
		return;
	memset(l->eol, 0, sizeof(l->eol));
	if (L(l, ICANON) && l->head != l->tail) {
		/* What was typed raw becomes one line a read can take. */
		eol_set(l, l->head - 1, true);
		l->canon = l->head;
	} else {
		l->canon = L(l, ICANON) ? l->tail : l->head;
	}
	l->erasing = false;
	l->lnext = false;
}

void ldisc_flush_input(struct ldisc *l)
{
	l->tail = l->canon = l->head = 0;
	memset(l->eol, 0, sizeof(l->eol));
	l->lnext = false;
	l->erasing = false;
}

size_t ldisc_read(struct ldisc *l, u8 *out, size_t n)
{
	size_t k = 0;

	if (!L(l, ICANON)) {
		while (k < n && l->tail != l->head)
			out[k++] = l->buf[MASK(l->tail++)];
		return k;
	}
	while (k < n && l->tail != l->canon) {
		size_t i = l->tail++;
		u8 c = l->buf[MASK(i)];
		if (eol_test(l, i)) {
			eol_set(l, i, false);
			if (c != 0)
				out[k++] = c;
			break;
		}
		out[k++] = c;
	}
	return k;
}

bool ldisc_readable(const struct ldisc *l, size_t amt)
{
	if (L(l, ICANON))
		return l->canon != l->tail;
	return l->head - l->tail >= (amt ? amt : 1);
}

size_t ldisc_poll_amount(const struct ldisc *l)
{
	return !CC(l, VTIME) && CC(l, VMIN) ? CC(l, VMIN) : 1;
}

size_t ldisc_inq(const struct ldisc *l)
{
	size_t n = 0;

	if (!L(l, ICANON))
		return l->head - l->tail;
	for (size_t i = l->tail; i != l->canon; i++)
		n += !(eol_test(l, i) && l->buf[MASK(i)] == 0);
	return n;
}

void ldisc_read_plan(const struct k_termios *t, size_t n, struct ldisc_plan *p)
{
	size_t vmin = t->c_cc[VMIN];

	p->timeout_ds = t->c_cc[VTIME];
	if (vmin) {
		/* VMIN bytes (or as many as asked for); VTIME, if set, between bytes. */
		p->minimum = vmin < n ? vmin : n;
		p->interbyte = true;
	} else {
		/* One byte, waiting VTIME from the start at most; nothing at all when VTIME is 0. */
		p->minimum = p->timeout_ds ? 1 : 0;
		p->interbyte = false;
	}
}

bool ldisc_read_done(const struct ldisc_plan *p, size_t copied, bool timed_out)
{
	return copied >= p->minimum || timed_out;
}
