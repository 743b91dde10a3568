/* kernel/lib/vsnprintf.c: printf-style formatting into a bounded buffer.
 * No floating point; unknown conversions are copied through. Host unit tests compile this file. */
#include <granary/printk.h>
#include <granary/string.h>

#define F_LEFT 1u
#define F_ZERO 2u
#define F_PLUS 4u
#define F_SPACE 8u
#define F_ALT 16u
#define F_PREFIX 32u /* "0x" even for zero (%p) */

struct out {
	char *buf;
	size_t size, len; /* len counts every byte, also those that did not fit */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void emit_str(struct out *o, const char *s, int width, int prec, unsigned flags)
{
	size_t n;

	if (!s)
		s = "(null)";
	n = prec >= 0 ? strnlen(s, prec) : strlen(s);
	if (!(flags & F_LEFT))
		pad(o, ' ', width - (int)n);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (flags & F_LEFT)
		pad(o, ' ', width - (int)n);
}

static void emit_num(struct out *o, u64 v, bool neg, unsigned base, bool upper, int width, int prec,
		     unsigned flags)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24], prefix[3];
	int n = 0, np = 0, zeros;
	bool nonzero = v != 0;

	if (v == 0 && prec != 0)
		tmp[n++] = '0';
	while (v) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	if (neg)
		prefix[np++] = '-';
	else if (flags & F_PLUS)
		prefix[np++] = '+';
	else if (flags & F_SPACE)
		prefix[np++] = ' ';
	if (base == 16 && ((flags & F_PREFIX) || ((flags & F_ALT) && nonzero))) {
		prefix[np++] = '0';
		prefix[np++] = upper ? 'X' : 'x';
	} else if ((flags & F_ALT) && base == 8 && (n == 0 || tmp[n - 1] != '0')) {
		tmp[n++] = '0';
	}
	/* Precision sets a minimum digit count; '0' pads to the width unless a precision is given. */
	zeros = prec > n ? prec - n : 0;
	if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0 && width > np + n)
		zeros = width - np - n;
	if (!(flags & F_LEFT))
		pad(o, ' ', width - np - zeros - n);
	for (int i = 0; i < np; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	for (int i = n - 1; i >= 0; i--)
		put(o, tmp[i]);
	if (flags & F_LEFT)
		pad(o, ' ', width - np - zeros - n);
}

/* Widths and precisions beyond this are clamped to it. */
#define FMT_MAX_WIDTH 4096

static int parse_int(const char **fmt)
{
	int v = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		if (v <= FMT_MAX_WIDTH)
			v = v * 10 + (**fmt - '0');
		(*fmt)++;
	}
	return min(v, FMT_MAX_WIDTH);
}

/* A '*' width or precision from the arguments, clamped; negative stays negative. */
static int clamp_arg(int v)
{
	return v < -FMT_MAX_WIDTH ? -FMT_MAX_WIDTH : min(v, FMT_MAX_WIDTH);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		unsigned flags = 0, base = 10;
		int width = -1, prec = -1, lmod = 0; /* lmod: -2 hh, -1 h, 0 int, 1 long, 2 long long */
		bool is_signed = false, upper = false;
		u64 v;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (;;) {
			char c = *++fmt;
			if (c == '-')
				flags |= F_LEFT;
			else if (c == '0')
				flags |= F_ZERO;
			else if (c == '+')
				flags |= F_PLUS;
			else if (c == ' ')
				flags |= F_SPACE;
			else if (c == '#')
				flags |= F_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			width = clamp_arg(va_arg(ap, int));
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else if (*fmt >= '0' && *fmt <= '9') {
			width = parse_int(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				prec = clamp_arg(va_arg(ap, int));
				fmt++;
			} else {
				prec = parse_int(&fmt);
			}
		}
		for (;; fmt++) {
			if (*fmt == 'h')
				lmod--;
			else if (*fmt == 'l')
				lmod++;
			else if (*fmt == 'z' || *fmt == 't')
				lmod = 1;
			else
				break;
		}
		switch (*fmt) {
		case 'c':
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - 1);
			put(&o, (char)va_arg(ap, int));
			if (flags & F_LEFT)
				pad(&o, ' ', width - 1);
			continue;
		case 's':
			emit_str(&o, va_arg(ap, const char *), width, prec, flags);
			continue;
		case 'p':
			v = (u64)(uintptr_t)va_arg(ap, void *);
			emit_num(&o, v, false, 16, false, width, prec < 0 ? 16 : prec, flags | F_PREFIX);
			continue;
		case '%':
			put(&o, '%');
			continue;
		case 'd':
		case 'i':
			is_signed = true;
			break;
		case 'u':
			break;
		case 'X':
			upper = true;
			/* fall through */
		case 'x':
			base = 16;
			break;
		case 'o':
			base = 8;
			break;
		case '\0':
			fmt--;
			continue;
		default:
			/* Unknown conversion: show it as written. */
			put(&o, '%');
			put(&o, *fmt);
			continue;
		}
		if (lmod >= 2)
			v = is_signed ? (u64)va_arg(ap, long long) : va_arg(ap, unsigned long long);
		else if (lmod == 1)
			v = is_signed ? (u64)va_arg(ap, long) : va_arg(ap, unsigned long);
		else
			v = is_signed ? (u64)(s64)va_arg(ap, int) : va_arg(ap, unsigned int);
		if (lmod == -1)
			v = is_signed ? (u64)(s64)(short)v : (u16)v;
		else if (lmod <= -2)
			v = is_signed ? (u64)(s64)(signed char)v : (u8)v;
		if (!is_signed)
			flags &= ~(F_PLUS | F_SPACE); /* a sign is only for signed conversions */
		if (is_signed && (s64)v < 0)
			emit_num(&o, 0 - v, true, base, upper, width, prec, flags);
		else
			emit_num(&o, v, false, base, upper, width, prec, flags);
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
