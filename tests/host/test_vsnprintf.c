/* tests/host/test_vsnprintf.c: host tests of kernel/lib/vsnprintf.c, built as k_vsnprintf/k_snprintf.
 * Hand-checked outputs for every conversion, plus long seeded comparisons against glibc's snprintf. */
#include "hosttest.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* The kernel's declarations, under the names the Makefile compiles vsnprintf.c with. */
#define vsnprintf k_vsnprintf
#define snprintf k_snprintf
#include <granary/printk.h>
#undef vsnprintf
#undef snprintf

#define SENTINEL 0x5a

static int caller_line; /* of the expect_out() being checked, for the failure message */

/* Formats with the kernel into a sentinel-filled buffer and checks the exact
 * result: the return value, the bytes, the terminator and the untouched rest. */
static void expect_vout(const char *want, const char *fmt, va_list ap)
{
	char buf[256];
	size_t n = strlen(want);
	int ret;

	memset(buf, SENTINEL, sizeof(buf));
	ret = k_vsnprintf(buf, sizeof(buf), fmt, ap);
	if (strcmp(buf, want) || ret != (int)n || buf[n + 1] != SENTINEL)
		printf("# expect_out at line %d: format \"%s\"\n", caller_line, fmt);
	assert_string_equal(buf, want);
	assert_int_equal(ret, n);
	assert_int_equal(buf[n + 1], SENTINEL);
}

static void __attribute__((format(printf, 2, 3))) expect_out_(const char *want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	expect_vout(want, fmt, ap);
	va_end(ap);
}

/* The same without gcc's format checking, for formats it calls redundant (a flag
 * that another one overrides, a NULL %s) or that are the kernel's own (%p details). */
static void expect_out_unchecked_(const char *want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	expect_vout(want, fmt, ap);
	va_end(ap);
}

#define expect_out(...) (caller_line = __LINE__, expect_out_(__VA_ARGS__))
#define expect_out_unchecked(...) (caller_line = __LINE__, expect_out_unchecked_(__VA_ARGS__))

static void test_plain_conversions(void **state)
{
	expect_out("", "%s", "");
	expect_out("plain text", "plain text");
	expect_out("42", "%d", 42);
	expect_out("-42", "%d", -42);
	expect_out("-2147483648", "%i", INT_MIN);
	expect_out("2147483647", "%i", INT_MAX);
	expect_out("4294967295", "%u", UINT_MAX);
	expect_out("deadbeef", "%x", 0xdeadbeefu);
	expect_out("DEADBEEF", "%X", 0xdeadbeefu);
	expect_out("10", "%o", 8u);
	expect_out("0", "%d", 0);
	expect_out("0", "%x", 0u);
	expect_out("%", "%%");
	expect_out("100%", "%d%%", 100);
	expect_out("A", "%c", 'A');
	expect_out("hi", "%s", "hi");
	expect_out("k=v (0x2a) ok!", "%s=%c (%#x) %s%c", "k", 'v', 42u, "ok", '!');
}

static void test_length_modifiers(void **state)
{
	expect_out("-9223372036854775808", "%lld", LLONG_MIN);
	expect_out("9223372036854775807", "%lli", LLONG_MAX);
	expect_out("18446744073709551615", "%llu", ULLONG_MAX);
	expect_out("ffffffffffffffff", "%llx", ULLONG_MAX);
	expect_out("1777777777777777777777", "%llo", ULLONG_MAX);
	expect_out("-9223372036854775808", "%ld", LONG_MIN);
	expect_out("ffffffffffffffff", "%lx", ULONG_MAX);
	/* h and hh convert the promoted int back to short / char (the values are wider on
	 * purpose, which clang's format check objects to). */
	expect_out_unchecked("-56", "%hhd", 200);
	expect_out_unchecked("255", "%hhu", 511);
	expect_out_unchecked("ff", "%hhx", -1);
	expect_out_unchecked("-25536", "%hd", 40000);
	expect_out_unchecked("1", "%hu", 65537);
	expect_out_unchecked("ffff", "%hx", -1);
	expect_out("18446744073709551615", "%zu", SIZE_MAX);
	expect_out("ffffffffffffffff", "%zx", SIZE_MAX);
	expect_out("-5", "%zd", (ssize_t)-5);
	expect_out("-5", "%td", (ptrdiff_t)-5);
}

static void test_flags_width_precision(void **state)
{
	expect_out("   42", "%5d", 42);
	expect_out("42   |", "%-5d|", 42);
	expect_out("-0042", "%05d", -42);
	expect_out("+5", "%+d", 5);
	expect_out("-5", "%+d", -5);
	expect_out(" 5", "% d", 5);
	expect_out_unchecked("+5", "%+ d", 5);
	expect_out("0xff", "%#x", 255u);
	expect_out("0XFF", "%#X", 255u);
	expect_out("010", "%#o", 8u);
	expect_out("0", "%#x", 0u);
	expect_out("0", "%#o", 0u);
	expect_out("0x0000ab", "%#08x", 0xabu);
	expect_out_unchecked("     005", "%08.3d", 5);
	expect_out_unchecked("5       |", "%-08d|", 5);
	expect_out("", "%.0d", 0);
	expect_out("   ", "%3.0d", 0);
	expect_out("+", "%+.0d", 0);
	expect_out("00a", "%.3x", 0xau);
	expect_out("-007", "%.3d", -7);
	expect_out("00010", "%#.5o", 8u);
	expect_out("0", "%#.0o", 0u);
	expect_out("", "%#.0x", 0u); /* no digits, and no 0x for a zero */
	expect_out("   ", "%#3.0x", 0u);
	/* '+' and ' ' only sign signed conversions. */
	expect_out_unchecked("5 5 ff 17", "%+u %+u %+x % o", 5u, 5u, 255u, 15u);
	expect_out("2", "%0d", 2);
	expect_out("99999", "%d", 99999);
	/* Widths are clamped at 4096 (FMT_MAX_WIDTH); the return value says how long the output was. */
	assert_int_equal(k_snprintf(NULL, 0, "%4000d", 1), 4000);
	assert_int_equal(k_snprintf(NULL, 0, "%99999d", 1), 4096);
	{
		/* Hidden from the compiler's format checks, which know these overflow. */
		volatile int huge_neg = INT_MIN, huge = INT_MAX;
		assert_int_equal(k_snprintf(NULL, 0, "%*d", huge_neg, 1), 4096);
		assert_int_equal(k_snprintf(NULL, 0, "%.*d", huge, 1), 4096);
	}
}

static void test_star_width_precision(void **state)
{
	expect_out("   42", "%*d", 5, 42);
	expect_out("42   |", "%*d|", -5, 42);
	expect_out("1   |", "%-*d|", 4, 1);
	expect_out("007", "%.*d", 3, 7);
	expect_out("7", "%.*d", -1, 7); /* a negative precision counts as none */
	expect_out_unchecked("00007", "%05.*d", -1, 7); /* ... so '0' pads again */
	expect_out("   007", "%*.*d", 6, 3, 7);
	expect_out("ab", "%.*s", 2, "abcdef");
	expect_out("abcdef", "%.*s", -3, "abcdef");
	expect_out("  x", "%*c", 3, 'x');
}

static void test_strings_and_chars(void **state)
{
	const char unterminated[3] = { 'a', 'b', 'c' };
	char buf[8];

	expect_out_unchecked("(null)", "%s", (char *)NULL);
	expect_out_unchecked("(nu", "%.3s", (char *)NULL);
	expect_out("     abc", "%8s", "abc");
	expect_out("abc     |", "%-8s|", "abc");
	expect_out("", "%.0s", "abc");
	expect_out("ab", "%.2s", "abc");
	expect_out("abc", "%.5s", "abc");
	/* A precision bounds the read: the array has no NUL (ASan watches the strnlen). */
	expect_out("abc", "%.3s", unterminated);
	expect_out("  x", "%3c", 'x');
	expect_out("x  |", "%-3c|", 'x');

	/* %c of 0 stores a NUL byte and counts it. */
	memset(buf, SENTINEL, sizeof(buf));
	assert_int_equal(k_snprintf(buf, sizeof(buf), "a%cb", 0), 3);
	assert_memory_equal(buf, "a\0b\0", 4);
	assert_int_equal(buf[4], SENTINEL);
}

/* Kernel %p: always "0x" and 16 digits (the precision, if given, is the digit count). */
static void test_pointer(void **state)
{
	expect_out_unchecked("0x0000000000001234", "%p", (void *)0x1234);
	expect_out_unchecked("0x0000000000000000", "%p", NULL);
	expect_out_unchecked("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
	expect_out_unchecked("0xffff800000100000", "%p", (void *)0xffff800000100000ull);
	expect_out_unchecked("  0x0000000000001234", "%20p", (void *)0x1234);
	expect_out_unchecked("0x0000000000001234  |", "%-20p|", (void *)0x1234);
	expect_out_unchecked("0x1234", "%.4p", (void *)0x1234);
	expect_out_unchecked("0x1234", "%.2p", (void *)0x1234);
	expect_out_unchecked("0x00001234", "%.8p", (void *)0x1234);
}

/* Unknown conversions are copied through as '%' and the character, without their
 * flags; a '%' at the very end of the format prints nothing. */
static void test_unknown_and_incomplete(void **state)
{
	expect_out_unchecked("%q", "%q");
	expect_out_unchecked("a%qb", "a%5qb");
	expect_out_unchecked("%q", "%-08.3lq");
	expect_out_unchecked("%jd", "%jd"); /* j is no size here: "%j", then "d" */
	expect_out_unchecked("a", "a%");
	expect_out_unchecked("a", "a%5");
	expect_out_unchecked("a", "a%-");
	expect_out_unchecked("a", "a%.");
	expect_out_unchecked("a", "a%ll");
}

static void test_truncation(void **state)
{
	char buf[16];

	memset(buf, SENTINEL, sizeof(buf));
	assert_int_equal(k_snprintf(buf, 5, "hello %s", "world"), 11);
	assert_memory_equal(buf, "hell\0", 5);
	assert_int_equal(buf[5], SENTINEL);

	memset(buf, SENTINEL, sizeof(buf));
	assert_int_equal(k_snprintf(buf, 1, "hello"), 5);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], SENTINEL);

	/* size 0 writes nothing, not even the terminator, so buf may be NULL. */
	memset(buf, SENTINEL, sizeof(buf));
	assert_int_equal(k_snprintf(buf, 0, "hello"), 5);
	assert_int_equal(buf[0], SENTINEL);
	assert_int_equal(k_snprintf(NULL, 0, "%d-%s", -12, "abc"), 7);

	memset(buf, SENTINEL, sizeof(buf));
	assert_int_equal(k_snprintf(buf, 12, "hello world"), 11);
	assert_string_equal(buf, "hello world");
	assert_int_equal(buf[12], SENTINEL);

	memset(buf, SENTINEL, sizeof(buf));
	assert_int_equal(k_snprintf(buf, 11, "hello world"), 11);
	assert_string_equal(buf, "hello worl");
	assert_int_equal(buf[11], SENTINEL);

	/* A number cut in the middle keeps its leading digits. */
	memset(buf, SENTINEL, sizeof(buf));
	assert_int_equal(k_snprintf(buf, 4, "%08x", 0x1234abu), 8);
	assert_string_equal(buf, "001");
}

/* ---------------------------------------------------------------- random comparisons with glibc */

typedef int (*snprintf_fn)(char *, size_t, const char *, ...);

/* One integer conversion with literal text around it, and the arguments it takes. */
struct int_case {
	char fmt[64];
	int nstar, star[2];
	int type; /* 0 int, 1 long, 2 long long: what the length modifier reads */
	bool is_signed;
	uint64_t v;
};

static uint64_t random_value(void)
{
	static const uint64_t edges[] = {
		0, 1, (uint64_t)-1, (uint64_t)INT_MIN, INT_MAX, UINT_MAX, (uint64_t)LLONG_MIN, LLONG_MAX,
		ULLONG_MAX, (uint64_t)SCHAR_MIN, 127, 128, 255, 256, 32767, 32768, 65535, 65536, 7, 8, 15, 16,
	};

	switch (rng_below(4)) {
	case 0:
		return edges[rng_below(sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return (uint64_t)rng_range(-1000, 1000);
	case 2:
		return rng_next() >> rng_below(64);
	default:
		return rng_next();
	}
}

static void append(char *fmt, size_t size, const char *s)
{
	strncat(fmt, s, size - strlen(fmt) - 1);
}

/* Literal text that cannot start a conversion. */
static void append_literal(char *fmt, size_t size)
{
	static const char chars[] = "ab:- 0";
	char one[2] = { 0 };

	for (int n = rng_below(4); n > 0; n--) {
		one[0] = chars[rng_below(sizeof(chars) - 1)];
		append(fmt, size, one);
	}
}

/* Flags, width and precision, each in a random form ('*' ones recorded in c). */
static void append_flags_width_prec(char *fmt, size_t size, struct int_case *c, const char *flags,
				    bool stars)
{
	char num[16];
	char one[2] = { 0 };

	for (int n = rng_below(5); n > 0; n--) {
		one[0] = flags[rng_below(strlen(flags))];
		append(fmt, size, one);
	}
	switch (rng_below(stars ? 3 : 2)) {
	case 0:
		break;
	case 1:
		snprintf(num, sizeof(num), "%d", (int)rng_range(1, 30));
		append(fmt, size, num);
		break;
	default:
		append(fmt, size, "*");
		c->star[c->nstar++] = rng_range(-30, 30);
		break;
	}
	switch (rng_below(stars ? 4 : 3)) {
	case 0:
		break;
	case 1:
		append(fmt, size, ".");
		break;
	case 2:
		snprintf(num, sizeof(num), ".%d", (int)rng_range(0, 25));
		append(fmt, size, num);
		break;
	default:
		append(fmt, size, ".*");
		c->star[c->nstar++] = rng_range(-5, 25);
		break;
	}
}

static void random_int_case(struct int_case *c)
{
	static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "t" };
	static const int types[] = { 0, 0, 0, 1, 2, 1, 1 };
	static const char convs[] = "diuxXo";
	int l = rng_below(7);
	char conv = convs[rng_below(6)], one[2] = { conv, 0 };

	memset(c, 0, sizeof(*c));
	append_literal(c->fmt, sizeof(c->fmt));
	append(c->fmt, sizeof(c->fmt), "%");
	append_flags_width_prec(c->fmt, sizeof(c->fmt), c, "-0+ #", true);
	append(c->fmt, sizeof(c->fmt), lengths[l]);
	append(c->fmt, sizeof(c->fmt), one);
	append_literal(c->fmt, sizeof(c->fmt));
	c->type = types[l];
	c->is_signed = conv == 'd' || conv == 'i';
	c->v = random_value();
}

static int call_int_case(snprintf_fn fn, char *buf, size_t size, const struct int_case *c)
{
	int a = c->star[0], b = c->star[1];

#define CALL(...)                                                      \
	(c->nstar == 0 ? fn(buf, size, c->fmt, __VA_ARGS__) :          \
	 c->nstar == 1 ? fn(buf, size, c->fmt, a, __VA_ARGS__) :       \
			 fn(buf, size, c->fmt, a, b, __VA_ARGS__))
	if (c->type == 2)
		return c->is_signed ? CALL((long long)c->v) : CALL((unsigned long long)c->v);
	if (c->type == 1)
		return c->is_signed ? CALL((long)c->v) : CALL((unsigned long)c->v);
	return c->is_signed ? CALL((int)c->v) : CALL((unsigned int)c->v);
#undef CALL
}

/* Compares the whole sentinel-filled buffers, so bytes past the terminator count too;
 * on a difference, prints the case as TAP comments and fails. */
static void compare_outputs(const char *what, const char *fmt, const char *args, int kret,
			    const char *kbuf, int gret, const char *gbuf, size_t bufsize)
{
	int kshow = kret < (int)bufsize ? kret : (int)bufsize;
	int gshow = gret < (int)bufsize ? gret : (int)bufsize;

	if (kret == gret && !memcmp(kbuf, gbuf, bufsize))
		return;
	printf("# %s: format \"%s\" args %s\n", what, fmt, args);
	printf("#   kernel returned %d: \"%.*s\"\n", kret, kshow, kbuf);
	printf("#   glibc  returned %d: \"%.*s\"\n", gret, gshow, gbuf);
	fail();
}

static const char *describe(const char *fmt, ...)
{
	static char desc[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	return desc;
}

/* Output sizes: mostly roomy, sometimes cut anywhere from nothing to just enough. */
static size_t random_size(int full_len, size_t bufsize)
{
	if (rng_below(4))
		return bufsize;
	return rng_below((size_t)full_len + 3 < bufsize ? (size_t)full_len + 3 : bufsize);
}

static void test_random_integers_match_glibc(void **state)
{
	char kbuf[128], gbuf[128];
	struct int_case c;

	rng_seed(0x6772616e617279ull, "integers vs glibc");
	for (int i = 0; i < 300000; i++) {
		int full, kret, gret;
		size_t size;

		random_int_case(&c);
		full = call_int_case(snprintf, NULL, 0, &c);
		size = random_size(full, sizeof(kbuf));
		memset(kbuf, SENTINEL, sizeof(kbuf));
		memset(gbuf, SENTINEL, sizeof(gbuf));
		kret = call_int_case(k_snprintf, kbuf, size, &c);
		gret = call_int_case(snprintf, gbuf, size, &c);
		if (kret != gret || memcmp(kbuf, gbuf, sizeof(kbuf)))
			compare_outputs("integer", c.fmt,
					describe("[%d %d] %#llx, size %zu", c.star[0], c.star[1],
						 (unsigned long long)c.v, size),
					kret, kbuf, gret, gbuf, sizeof(kbuf));
	}
}

/* Three long long conversions in one format: arguments are consumed in order. */
static void test_random_multiple_conversions_match_glibc(void **state)
{
	static const char convs[] = "diuxXo";
	char kbuf[256], gbuf[256];

	rng_seed(0x3c0e7e75ull, "three conversions vs glibc");
	for (int i = 0; i < 50000; i++) {
		struct int_case c;
		long long v[3];
		int kret, gret;
		size_t size;

		memset(&c, 0, sizeof(c));
		for (int k = 0; k < 3; k++) {
			char conv[4] = { 'l', 'l', convs[rng_below(6)], 0 };
			append_literal(c.fmt, sizeof(c.fmt));
			append(c.fmt, sizeof(c.fmt), "%");
			append_flags_width_prec(c.fmt, sizeof(c.fmt), &c, "-0#", false);
			append(c.fmt, sizeof(c.fmt), conv);
			v[k] = (long long)random_value();
		}
		size = random_size(snprintf(NULL, 0, c.fmt, v[0], v[1], v[2]), sizeof(kbuf));
		memset(kbuf, SENTINEL, sizeof(kbuf));
		memset(gbuf, SENTINEL, sizeof(gbuf));
		kret = k_snprintf(kbuf, size, c.fmt, v[0], v[1], v[2]);
		gret = snprintf(gbuf, size, c.fmt, v[0], v[1], v[2]);
		if (kret != gret || memcmp(kbuf, gbuf, sizeof(kbuf)))
			compare_outputs("three conversions", c.fmt,
					describe("%#llx %#llx %#llx, size %zu", v[0], v[1], v[2], size),
					kret, kbuf, gret, gbuf, sizeof(kbuf));
	}
}

/* %s and %c with '-', width and precision (no '0': glibc pads strings with zeros). */
static void test_random_strings_match_glibc(void **state)
{
	char kbuf[128], gbuf[128], s[24];

	rng_seed(0x737472696e67ull, "strings vs glibc");
	for (int i = 0; i < 100000; i++) {
		struct int_case c;
		bool is_char = rng_below(4) == 0;
		int len = rng_below(sizeof(s)), kret, gret, ch = (int)rng_range(1, 255);
		size_t size;

		for (int k = 0; k < len; k++)
			s[k] = (char)rng_range(1, 255);
		s[len] = '\0';
		memset(&c, 0, sizeof(c));
		append_literal(c.fmt, sizeof(c.fmt));
		append(c.fmt, sizeof(c.fmt), "%");
		append_flags_width_prec(c.fmt, sizeof(c.fmt), &c, "-", true);
		append(c.fmt, sizeof(c.fmt), is_char ? "c%%" : "s");
		append_literal(c.fmt, sizeof(c.fmt));
		if (is_char && strchr(c.fmt, '.')) /* a precision on %c is undefined */
			continue;

#define CALL(fn, buf, size)                                                                     \
	(c.nstar == 0 ? (is_char ? fn(buf, size, c.fmt, ch) : fn(buf, size, c.fmt, s)) :        \
	 c.nstar == 1 ? (is_char ? fn(buf, size, c.fmt, c.star[0], ch) :                        \
			 fn(buf, size, c.fmt, c.star[0], s)) :                                  \
			(is_char ? fn(buf, size, c.fmt, c.star[0], c.star[1], ch) :             \
				   fn(buf, size, c.fmt, c.star[0], c.star[1], s)))
		size = random_size(CALL(snprintf, NULL, 0), sizeof(kbuf));
		memset(kbuf, SENTINEL, sizeof(kbuf));
		memset(gbuf, SENTINEL, sizeof(gbuf));
		kret = CALL(k_snprintf, kbuf, size);
		gret = CALL(snprintf, gbuf, size);
#undef CALL
		if (kret != gret || memcmp(kbuf, gbuf, sizeof(kbuf)))
			compare_outputs(is_char ? "char" : "string", c.fmt,
					describe("[%d %d] %#x \"%s\", size %zu", c.star[0], c.star[1], ch,
						 s, size),
					kret, kbuf, gret, gbuf, sizeof(kbuf));
	}
}

/* Kernel "%-Wp" is glibc's "%-Ws" of "0x" and 16 hex digits. */
static void test_random_pointers_match_reference(void **state)
{
	char kbuf[64], gbuf[64], kfmt[16], gfmt[16], hex[24];

	rng_seed(0x706f696e74ull, "pointers vs reference");
	for (int i = 0; i < 20000; i++) {
		uintptr_t p = (uintptr_t)random_value();
		int width = rng_range(0, 30);
		const char *left = rng_below(2) ? "-" : "";

		snprintf(kfmt, sizeof(kfmt), "%%%s%dp", left, width);
		snprintf(gfmt, sizeof(gfmt), "%%%s%ds", left, width);
		snprintf(hex, sizeof(hex), "0x%016llx", (unsigned long long)p);
		memset(kbuf, SENTINEL, sizeof(kbuf));
		memset(gbuf, SENTINEL, sizeof(gbuf));
		compare_outputs("pointer", kfmt, describe("%#llx", (unsigned long long)p),
				k_snprintf(kbuf, sizeof(kbuf), kfmt, (void *)p), kbuf,
				snprintf(gbuf, sizeof(gbuf), gfmt, hex), gbuf, sizeof(kbuf));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_conversions),
		cmocka_unit_test(test_length_modifiers),
		cmocka_unit_test(test_flags_width_precision),
		cmocka_unit_test(test_star_width_precision),
		cmocka_unit_test(test_strings_and_chars),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_unknown_and_incomplete),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_random_integers_match_glibc),
		cmocka_unit_test(test_random_multiple_conversions_match_glibc),
		cmocka_unit_test(test_random_strings_match_glibc),
		cmocka_unit_test(test_random_pointers_match_reference),
	};

	hosttest_init();
	return cmocka_run_group_tests_name("vsnprintf", tests, NULL, NULL);
}
