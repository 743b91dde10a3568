/* kernel/lib/seqbuf.c: appending text to a bounded buffer for generated files.
 * Overflow is recorded rather than fatal: the caller allocates more and generates again. */
#include <granary/errno.h>
#include <granary/printk.h>
#include <granary/seqbuf.h>
#include <granary/string.h>

int seq_vprintf(struct seqbuf *s, const char *fmt, va_list ap)
{
	size_t room = seq_room(s);
	int n;

	if (s->overflow)
		return -EOVERFLOW;
	/* vsnprintf always writes a NUL; it may take the last byte, which then is not text. */
	n = vsnprintf(room ? s->buf + s->len : NULL, room, fmt, ap);
	if (n < 0)
		return n;
	if (n == 0)
		return 0;
	if ((size_t)n >= room) {
		if (!room) {
			s->overflow = true;
			return -EOVERFLOW;
		}
		/* Keep what fit (all but the NUL): the caller sees overflow and retries anyway. */
		s->len += room - 1;
		s->overflow = true;
		return -EOVERFLOW;
	}
	s->len += (size_t)n;
	return 0;
}

int seq_printf(struct seqbuf *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = seq_vprintf(s, fmt, ap);
	va_end(ap);
	return r;
}

int seq_write(struct seqbuf *s, const void *p, size_t n)
{
	size_t room = seq_room(s), take = n < room ? n : room;

	if (s->overflow)
		return -EOVERFLOW;
	memcpy(s->buf + s->len, p, take);
	s->len += take;
	if (take < n) {
		s->overflow = true;
		return -EOVERFLOW;
	}
	return 0;
}

int seq_putc(struct seqbuf *s, char c)
{
	return seq_write(s, &c, 1);
}

int seq_puts(struct seqbuf *s, const char *str)
{
	return seq_write(s, str, strlen(str));
}

int seq_pad(struct seqbuf *s, size_t col, char c)
{
	while (s->len < col && !s->overflow)
		seq_putc(s, ' ');
	return c ? seq_putc(s, c) : (s->overflow ? -EOVERFLOW : 0);
}
