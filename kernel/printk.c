/* kernel/printk.c: printk, the log ring buffer and the console list.
 * Formatting is kernel/lib/vsnprintf.c; drivers provide consoles. One lock covers ring and consoles. */
#include <granary/cmdline.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/printk.h>
#include <granary/spinlock.h>
#include <granary/string.h>
#include <granary/time.h>

#define LOG_LEN (1u << CONFIG_LOG_BUF_SHIFT)
#define LINE_MAX 512

/* A record in the ring: this header, then len bytes of text without the newline.
 * Positions are byte counts since boot; the buffer index is pos % LOG_LEN, so a
 * record may wrap around the end of log_buf. */
struct log_hdr {
	u64 ts_ns;
	u16 len;
	u8 level;
	u8 pad[5];
};

static u8 log_buf[LOG_LEN];
static u64 log_head, log_tail;	   /* byte positions of the oldest record and of the end */
static u64 log_first, log_next;	   /* sequence numbers of the oldest record and of the next */
static u64 cursor_seq, cursor_pos; /* last record found by seek(), to make reading in order O(1) */

/* The line being assembled until its newline arrives. */
static char cont_buf[LINE_MAX];
static size_t cont_len;
static bool cont_open;
static int cont_level;
static u64 cont_ts;

static struct console *consoles;
static spinlock_t log_lock = SPINLOCK_INIT;
int console_loglevel = CONFIG_DEFAULT_LOGLEVEL;

/* Copies n bytes between the ring (at byte position pos) and dst/src, in at most two pieces. */
static void ring_copy(u64 pos, void *dst, const void *src, size_t n, bool to_ring)
{
	size_t idx = pos % LOG_LEN, first = min(n, LOG_LEN - idx);

	if (to_ring) {
		memcpy(&log_buf[idx], src, first);
		memcpy(log_buf, (const u8 *)src + first, n - first);
	} else {
		memcpy(dst, &log_buf[idx], first);
		memcpy((u8 *)dst + first, log_buf, n - first);
	}
}

static void log_store(int level, u64 ts, const char *text, size_t len)
{
	struct log_hdr h = { .ts_ns = ts, .len = (u16)len, .level = (u8)level };
	size_t need = sizeof(h) + len;

	/* Drop the oldest records until the new one fits. */
	while (log_tail - log_head + need > LOG_LEN) {
		struct log_hdr old;
		ring_copy(log_head, &old, NULL, sizeof(old), false);
		log_head += sizeof(old) + old.len;
		log_first++;
	}
	ring_copy(log_tail, NULL, &h, sizeof(h), true);
	ring_copy(log_tail + sizeof(h), NULL, text, len, true);
	log_tail += need;
	log_next++;
}

/* Finds the position of record seq (log_first <= seq < log_next). */
static u64 seek(u64 seq)
{
	u64 s = log_first, pos = log_head;

	if (cursor_seq >= log_first && cursor_seq <= seq && cursor_pos >= log_head) {
		s = cursor_seq;
		pos = cursor_pos;
	}
	for (; s < seq; s++) {
		struct log_hdr h;
		ring_copy(pos, &h, NULL, sizeof(h), false);
		pos += sizeof(h) + h.len;
	}
	cursor_seq = seq;
	cursor_pos = pos;
	return pos;
}

static size_t format_prefix(char *buf, size_t size, u64 ts)
{
	return snprintf(buf, size, "[%5llu.%06llu] ", (unsigned long long)(ts / NSEC_PER_SEC),
			(unsigned long long)(ts % NSEC_PER_SEC / NSEC_PER_USEC));
}

static void console_emit(const char *s, size_t len)
{
	for (struct console *c = consoles; c; c = c->next)
		c->write(c, s, len);
}

static void line_end(void)
{
	if (!cont_open)
		return;
	log_store(cont_level, cont_ts, cont_buf, cont_len);
	cont_open = false;
	cont_len = 0;
}

/* Appends one piece of a line, printing it on the consoles as it comes. */
static void line_add(int level, const char *s, size_t len, bool newline)
{
	bool show;

	if (!cont_open) {
		cont_open = true;
		cont_level = level;
		cont_ts = time_ns();
		if (cont_level < console_loglevel) {
			char pfx[32];
			console_emit(pfx, format_prefix(pfx, sizeof(pfx), cont_ts));
		}
	}
	show = cont_level < console_loglevel;
	if (len > sizeof(cont_buf) - cont_len)
		len = sizeof(cont_buf) - cont_len;
	memcpy(cont_buf + cont_len, s, len);
	cont_len += len;
	if (show)
		console_emit(s, len);
	if (newline) {
		if (show)
			console_emit("\n", 1);
		line_end();
	}
}

int vprintk(const char *fmt, va_list ap)
{
	char text[LINE_MAX];
	int level = LOGLEVEL_DEFAULT, n;
	bool cont = false;
	unsigned long flags;
	const char *p;

	if (fmt[0] == KERN_SOH[0] && fmt[1]) {
		if (fmt[1] == 'c')
			cont = true;
		else if (fmt[1] >= '0' && fmt[1] <= '7')
			level = fmt[1] - '0';
		fmt += 2;
	}
	n = vsnprintf(text, sizeof(text), fmt, ap);
	if (n >= (int)sizeof(text))
		n = sizeof(text) - 1;

	flags = spin_lock_irqsave(&log_lock);
	if (!cont)
		line_end();
	else if (cont_open)
		level = cont_level;
	for (p = text; p < text + n;) {
		const char *nl = memchr(p, '\n', text + n - p);
		size_t len = nl ? (size_t)(nl - p) : (size_t)(text + n - p);
		line_add(level, p, len, nl != NULL);
		p += len + (nl != NULL);
	}
	spin_unlock_irqrestore(&log_lock, flags);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

/* Copies record seq as a "[ts] text\n" line. Caller holds log_lock. */
static size_t read_locked(u64 seq, char *buf, size_t size, int *level)
{
	struct log_hdr h;
	u64 pos = seek(seq);
	size_t n, len;

	ring_copy(pos, &h, NULL, sizeof(h), false);
	n = format_prefix(buf, size, h.ts_ns);
	if (n >= size)
		return 0;
	len = min((size_t)h.len, size - n - 1);
	ring_copy(pos + sizeof(h), buf + n, NULL, len, false);
	n += len;
	if (n < size - 1)
		buf[n++] = '\n';
	buf[n] = '\0';
	*level = h.level;
	return n;
}

size_t log_read(u64 *seq, char *buf, size_t size)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);
	size_t n = 0;
	int level;

	if (*seq < log_first)
		*seq = log_first;
	if (*seq < log_next && size > 0) {
		n = read_locked(*seq, buf, size, &level);
		(*seq)++;
	}
	spin_unlock_irqrestore(&log_lock, flags);
	return n;
}

size_t log_read_syslog(u64 *seq, char *buf, size_t size)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);
	size_t n = 0;
	int level = 0;

	if (*seq < log_first)
		*seq = log_first;
	/* "<L>" is three bytes: the level is one digit (facility 0, the kernel's). */
	if (*seq < log_next && size > 32) {
		n = read_locked(*seq, buf + 3, size - 3, &level);
		buf[0] = '<';
		buf[1] = (char)('0' + (level & 7));
		buf[2] = '>';
		n += 3;
		(*seq)++;
	}
	spin_unlock_irqrestore(&log_lock, flags);
	return n;
}

u64 log_next_seq(void)
{
	return READ_ONCE(log_next);
}

void console_write(const char *s, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);

	console_emit(s, len);
	spin_unlock_irqrestore(&log_lock, flags);
}

void console_register(struct console *con)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);
	char line[LINE_MAX + 32];
	int level;

	/* Replay what was logged before this console existed, at the console level. */
	for (u64 seq = log_first; seq < log_next; seq++) {
		size_t n = read_locked(seq, line, sizeof(line), &level);
		if (level < console_loglevel)
			con->write(con, line, n);
	}
	if (cont_open && cont_level < console_loglevel) {
		size_t n = format_prefix(line, sizeof(line), cont_ts);
		con->write(con, line, n);
		con->write(con, cont_buf, cont_len);
	}
	con->next = consoles;
	consoles = con;
	spin_unlock_irqrestore(&log_lock, flags);
}

void printk_panic_unlock(void)
{
	spin_lock_reset(&log_lock);
}

/* console=NAME may be given several times; with none, every console is on. */
#define MAX_CONSOLE_ARGS 4
static char console_args[MAX_CONSOLE_ARGS][16];
static unsigned console_nargs;

bool console_enabled(const char *name)
{
	if (!console_nargs)
		return true;
	for (unsigned i = 0; i < console_nargs; i++) {
		/* "ttyS0,115200": the options after the comma belong to the driver. */
		size_t n = strlen(name);
		if (!strncmp(console_args[i], name, n) &&
		    (console_args[i][n] == '\0' || console_args[i][n] == ','))
			return true;
	}
	return false;
}

static int param_console(const char *val)
{
	if (!val || !*val || console_nargs == MAX_CONSOLE_ARGS)
		return -EINVAL;
	strlcpy(console_args[console_nargs++], val, sizeof(console_args[0]));
	return 0;
}
KERNEL_PARAM("console", param_console);

static int param_loglevel(const char *val)
{
	s64 v;

	if (!val || kstrtos64(val, &v) || v < 0 || v > 8)
		return -EINVAL;
	console_loglevel = (int)v;
	return 0;
}
KERNEL_PARAM("loglevel", param_loglevel);

static int param_quiet(const char *val)
{
	console_loglevel = 4;
	return 0;
}
KERNEL_PARAM("quiet", param_quiet);
