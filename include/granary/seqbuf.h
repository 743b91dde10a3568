/* include/granary/seqbuf.h: a bounded text buffer that generated files (procfs) are printed into.
 * Not a seq_file: no iteration, no user copies; a caller that sees overflow retries with more room. */
#ifndef GRANARY_SEQBUF_H
#define GRANARY_SEQBUF_H

#include <granary/compiler.h>
#include <granary/types.h>

struct seqbuf {
	char *buf;
	size_t size, len; /* len <= size always; the text is not NUL-terminated */
	bool overflow;	  /* something did not fit: the text is cut short */
};

/* An empty seqbuf over buf[0..size). */
static inline void seq_init(struct seqbuf *s, char *buf, size_t size)
{
	s->buf = buf;
	s->size = size;
	s->len = 0;
	s->overflow = false;
}

/* Appends formatted text (kernel vsnprintf conversions). What does not fit is dropped and sets
 * overflow. Returns 0, or -EOVERFLOW when the text did not fit. */
int seq_printf(struct seqbuf *s, const char *fmt, ...) __printf(2, 3);
int seq_vprintf(struct seqbuf *s, const char *fmt, va_list ap);
/* Appends n bytes (NULs included), or as many as fit; -EOVERFLOW when cut. */
int seq_write(struct seqbuf *s, const void *p, size_t n);
/* Appends one byte; -EOVERFLOW when full. */
int seq_putc(struct seqbuf *s, char c);
/* Appends a NUL-terminated string; -EOVERFLOW when cut. */
int seq_puts(struct seqbuf *s, const char *str);
/* Appends spaces until the text is col bytes long (nothing if it already is); then c if c != 0. */
int seq_pad(struct seqbuf *s, size_t col, char c);
/* Bytes still free. */
static inline size_t seq_room(const struct seqbuf *s) { return s->size - s->len; }

#endif
