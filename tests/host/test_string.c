/* tests/host/test_string.c: host tests of kernel/lib/string.c, whose functions are built as k_memcpy,
 * k_strlen, ... (see the Makefile) with strlcpy under its own name. Exact cases and seeded random ones. */
#include "hosttest.h"

/* Compiled with the Makefile's renames: these declare k_memcpy and the rest. This file
 * calls no libc string function; cmocka's assert_memory_equal does the comparing. */
#include <granary/string.h>

#define GUARD 0xa5
#define ARENA 256

/* An arena with guard bytes around the part a call may touch. */
struct arena {
	unsigned char bytes[ARENA];
};

static void fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + seed * 13 + 1);
}

/* Every byte outside [from, to) still holds GUARD. */
static void assert_guards(const unsigned char *p, size_t from, size_t to)
{
	for (size_t i = 0; i < ARENA; i++) {
		if (i >= from && i < to)
			continue;
		if (p[i] != GUARD)
			printf("# byte %zu outside [%zu, %zu) changed to %#x\n", i, from, to, p[i]);
		assert_int_equal(p[i], GUARD);
	}
}

static void test_memcpy(void **state)
{
	struct arena a;
	unsigned char src[64];

	fill_pattern(src, sizeof(src), 1);
	for (size_t off = 0; off < 9; off++) {
		for (size_t n = 0; n <= sizeof(src); n++) {
			for (size_t i = 0; i < ARENA; i++)
				a.bytes[i] = GUARD;
			assert_ptr_equal(k_memcpy(a.bytes + 16 + off, src, n), a.bytes + 16 + off);
			if (n)
				assert_memory_equal(a.bytes + 16 + off, src, n);
			assert_guards(a.bytes, 16 + off, 16 + off + n);
		}
	}
}

static void test_memset(void **state)
{
	struct arena a;

	for (size_t i = 0; i < ARENA; i++)
		a.bytes[i] = GUARD;
	assert_ptr_equal(k_memset(a.bytes + 3, 0, 0), a.bytes + 3);
	assert_guards(a.bytes, 0, 0);

	/* Only the low byte of c is stored. */
	assert_ptr_equal(k_memset(a.bytes + 5, 0x1ab, 37), a.bytes + 5);
	for (size_t i = 5; i < 42; i++)
		assert_int_equal(a.bytes[i], 0xab);
	for (size_t i = 5; i < 42; i++)
		a.bytes[i] = GUARD;
	assert_guards(a.bytes, 0, 0);

	k_memset(a.bytes + 100, -1, 1);
	assert_int_equal(a.bytes[100], 0xff);
	assert_guards(a.bytes, 100, 101);
}

/* Reference move through a temporary, so overlap cannot matter. */
static void ref_move(unsigned char *base, size_t dst, size_t src, size_t n)
{
	unsigned char tmp[ARENA];

	for (size_t i = 0; i < n; i++)
		tmp[i] = base[src + i];
	for (size_t i = 0; i < n; i++)
		base[dst + i] = tmp[i];
}

static void test_memmove_overlap(void **state)
{
	unsigned char buf[16], want[16];

	/* Forward overlap: dst above src. */
	for (int i = 0; i < 16; i++)
		buf[i] = want[i] = (unsigned char)i;
	assert_ptr_equal(k_memmove(buf + 2, buf, 10), buf + 2);
	ref_move(want, 2, 0, 10);
	assert_memory_equal(buf, want, 16);

	/* Backward overlap: dst below src. */
	for (int i = 0; i < 16; i++)
		buf[i] = want[i] = (unsigned char)i;
	assert_ptr_equal(k_memmove(buf, buf + 3, 13), buf);
	ref_move(want, 0, 3, 13);
	assert_memory_equal(buf, want, 16);

	/* Onto itself, and nothing at all. */
	assert_ptr_equal(k_memmove(buf, buf, 16), buf);
	assert_memory_equal(buf, want, 16);
	assert_ptr_equal(k_memmove(buf + 1, buf, 0), buf + 1);
	assert_memory_equal(buf, want, 16);
}

static void test_random_memmove(void **state)
{
	unsigned char buf[ARENA], want[ARENA];

	rng_seed(0x6d656d6d6f7665ull, "memmove vs reference");
	for (int i = 0; i < 50000; i++) {
		size_t n = rng_below(ARENA / 2), src = rng_below(ARENA - n + 1), dst = rng_below(ARENA - n + 1);

		fill_pattern(buf, ARENA, i);
		fill_pattern(want, ARENA, i);
		ref_move(want, dst, src, n);
		assert_ptr_equal(k_memmove(buf + dst, buf + src, n), buf + dst);
		for (size_t k = 0; k < ARENA; k++) {
			if (buf[k] != want[k])
				printf("# memmove(buf + %zu, buf + %zu, %zu): byte %zu is %#x, not %#x\n",
				       dst, src, n, k, buf[k], want[k]);
			assert_int_equal(buf[k], want[k]);
		}
	}
}

/* Sign of a comparison result: -1, 0 or 1. */
static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_memcmp(void **state)
{
	assert_int_equal(k_memcmp("abc", "abd", 0), 0);
	assert_int_equal(k_memcmp("abc", "abc", 3), 0);
	assert_int_equal(sign(k_memcmp("abc", "abd", 3)), -1);
	assert_int_equal(sign(k_memcmp("abd", "abc", 3)), 1);
	/* Bytes compare as unsigned, and the first difference decides. */
	assert_int_equal(sign(k_memcmp("\x80", "\x7f", 1)), 1);
	assert_int_equal(sign(k_memcmp("\x01\xff", "\x02\x00", 2)), -1);
	/* NUL is an ordinary byte. */
	assert_int_equal(sign(k_memcmp("a\0b", "a\0c", 3)), -1);
	assert_int_equal(k_memcmp("ab\0x", "ab\0y", 3), 0);
}

/* A heap copy of exactly n bytes, so ASan reports any read past them. */
static char *exact(const char *bytes, size_t n)
{
	char *p = malloc(n ? n : 1);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = bytes[i];
	return p;
}

static void test_strlen_strnlen(void **state)
{
	char *unterminated = exact("abcdef", 6);
	char *s = exact("hello", 6);

	assert_int_equal(k_strlen(""), 0);
	assert_int_equal(k_strlen(s), 5);
	assert_int_equal(k_strlen("a\0b"), 1);
	assert_int_equal(k_strnlen(s, 0), 0);
	assert_int_equal(k_strnlen(s, 3), 3);
	assert_int_equal(k_strnlen(s, 5), 5);
	assert_int_equal(k_strnlen(s, 6), 5);
	assert_int_equal(k_strnlen(s, SIZE_MAX), 5);
	/* max bounds the read: six bytes, no NUL among them. */
	assert_int_equal(k_strnlen(unterminated, 6), 6);
	assert_int_equal(k_strnlen(unterminated, 4), 4);
	free(unterminated);
	free(s);
}

static void test_strcmp_strncmp(void **state)
{
	char *ab = exact("ab", 3), *abc = exact("abc", 4), *abx = exact("ab\0x", 4);
	char *aby = exact("ab\0y", 4);

	assert_int_equal(k_strcmp("", ""), 0);
	assert_int_equal(k_strcmp(abc, "abc"), 0);
	assert_int_equal(sign(k_strcmp(ab, abc)), -1); /* a prefix sorts first */
	assert_int_equal(sign(k_strcmp(abc, ab)), 1);
	assert_int_equal(sign(k_strcmp("abd", abc)), 1);
	assert_int_equal(sign(k_strcmp("\x80", "a")), 1); /* unsigned bytes */
	assert_int_equal(sign(k_strcmp("a", "\xff")), -1);
	assert_int_equal(k_strcmp(abx, aby), 0); /* stops at the NUL */

	assert_int_equal(k_strncmp(abc, "abd", 0), 0);
	assert_int_equal(k_strncmp(abc, "abd", 2), 0);
	assert_int_equal(sign(k_strncmp(abc, "abd", 3)), -1);
	assert_int_equal(k_strncmp(abx, aby, 4), 0);
	assert_int_equal(k_strncmp(ab, ab, 100), 0); /* n past the NUL reads no further */
	assert_int_equal(sign(k_strncmp(ab, abc, 100)), -1);
	assert_int_equal(sign(k_strncmp("\xe9", "e", 1)), 1);
	free(ab);
	free(abc);
	free(abx);
	free(aby);
}

static void test_strchr(void **state)
{
	char *s = exact("hello\xe9", 7);

	assert_ptr_equal(k_strchr(s, 'h'), s);
	assert_ptr_equal(k_strchr(s, 'l'), s + 2); /* the first one */
	assert_ptr_equal(k_strchr(s, 'o'), s + 4);
	assert_null(k_strchr(s, 'z'));
	assert_ptr_equal(k_strchr(s, '\0'), s + 6); /* the terminator is part of the string */
	assert_ptr_equal(k_strchr(s, 'h' + 256), s); /* c converts to char */
	assert_ptr_equal(k_strchr(s, 0xe9), s + 5);
	assert_ptr_equal(k_strchr(s, -23), s + 5); /* (char)0xe9 either way */
	free(s);
}

static void test_memchr(void **state)
{
	char *s = exact("ab\0cb\xff", 6);

	assert_ptr_equal(k_memchr(s, 'b', 6), s + 1);
	assert_ptr_equal(k_memchr(s, '\0', 6), s + 2);
	assert_ptr_equal(k_memchr(s, 'c', 6), s + 3); /* NUL does not stop it */
	assert_ptr_equal(k_memchr(s, 0xff, 6), s + 5);
	assert_ptr_equal(k_memchr(s, -1, 6), s + 5);
	assert_ptr_equal(k_memchr(s, 'a' + 256, 6), s);
	assert_null(k_memchr(s, 'c', 3)); /* n bounds the search */
	assert_null(k_memchr(s, 'a', 0));
	assert_null(k_memchr(s, 'z', 6));
	free(s);
}

static void test_strlcpy(void **state)
{
	struct arena a;

	for (size_t i = 0; i < ARENA; i++)
		a.bytes[i] = GUARD;
	/* size 0 writes nothing, so dst may be NULL; the return value is still strlen(src). */
	assert_int_equal(strlcpy(NULL, "hello", 0), 5);
	assert_int_equal(strlcpy((char *)a.bytes + 8, "hello", 0), 5);
	assert_guards(a.bytes, 0, 0);

	assert_int_equal(strlcpy((char *)a.bytes + 8, "hello", 1), 5);
	assert_int_equal(a.bytes[8], '\0');
	assert_guards(a.bytes, 8, 9);

	assert_int_equal(strlcpy((char *)a.bytes + 8, "hello", 4), 5);
	assert_memory_equal(a.bytes + 8, "hel", 4);
	assert_guards(a.bytes, 8, 12);

	assert_int_equal(strlcpy((char *)a.bytes + 8, "hello", 6), 5);
	assert_memory_equal(a.bytes + 8, "hello", 6);
	assert_guards(a.bytes, 8, 14);

	/* A roomy dst gets the string and one NUL, nothing past it. */
	for (size_t i = 0; i < ARENA; i++)
		a.bytes[i] = GUARD;
	assert_int_equal(strlcpy((char *)a.bytes + 8, "hi", 100), 2);
	assert_memory_equal(a.bytes + 8, "hi", 3);
	assert_guards(a.bytes, 8, 11);

	assert_int_equal(strlcpy((char *)a.bytes + 8, "", 100), 0);
	assert_int_equal(a.bytes[8], '\0');
}

/* Reference comparison of at most n bytes of two strings, by sign. */
static int ref_strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char x = a[i], y = b[i];
		if (x != y)
			return x < y ? -1 : 1;
		if (!x)
			return 0;
	}
	return 0;
}

static void random_string(char *s, size_t maxlen)
{
	static const char chars[] = "ab\x80\xff";
	size_t len = rng_below(maxlen + 1);

	for (size_t i = 0; i < len; i++)
		s[i] = chars[rng_below(4)];
	s[len] = '\0';
}

static void test_random_compares(void **state)
{
	char a[12], b[12];

	rng_seed(0x636d70ull, "compares vs reference");
	for (int i = 0; i < 100000; i++) {
		size_t n = rng_below(12);
		size_t la, lb;

		random_string(a, 8);
		random_string(b, rng_below(2) ? 8 : 3);
		if (rng_below(4) == 0)
			strlcpy(b, a, sizeof(b)); /* equal strings often enough */
		la = k_strlen(a);
		lb = k_strlen(b);
		assert_int_equal(sign(k_strcmp(a, b)), ref_strncmp(a, b, SIZE_MAX));
		assert_int_equal(sign(k_strncmp(a, b, n)), ref_strncmp(a, b, n));
		/* memcmp over both terminators orders like strcmp. */
		assert_int_equal(sign(k_memcmp(a, b, (la < lb ? la : lb) + 1)), ref_strncmp(a, b, SIZE_MAX));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy),
		cmocka_unit_test(test_memset),
		cmocka_unit_test(test_memmove_overlap),
		cmocka_unit_test(test_random_memmove),
		cmocka_unit_test(test_memcmp),
		cmocka_unit_test(test_strlen_strnlen),
		cmocka_unit_test(test_strcmp_strncmp),
		cmocka_unit_test(test_strchr),
		cmocka_unit_test(test_memchr),
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_random_compares),
	};

	hosttest_init();
	return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
