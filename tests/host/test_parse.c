/* tests/host/test_parse.c: host tests of kernel/lib/parse.c: kstrtou64, kstrtos64 and glob_match.
 * Exact edge cases by hand; random strings checked against glibc's strtoull/strtoll and a reference glob. */
#include "hosttest.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <granary/errno.h>
#include <granary/string.h>

#define UNTOUCHED 0x5555555555555555ull

/* kstrtou64(s) must return err, and on success store want; on error leave *out alone. */
static void expect_u64(const char *s, int err, uint64_t want)
{
	u64 v = UNTOUCHED;
	int ret = kstrtou64(s, &v);

	if (ret != err || v != (err ? UNTOUCHED : want))
		printf("# kstrtou64(\"%s\") = %d, %#llx\n", s, ret, (unsigned long long)v);
	assert_int_equal(ret, err);
	assert_int_equal(v, err ? UNTOUCHED : want);
}

static void expect_s64(const char *s, int err, int64_t want)
{
	s64 v = (s64)UNTOUCHED;
	int ret = kstrtos64(s, &v);

	if (ret != err || v != (err ? (s64)UNTOUCHED : want))
		printf("# kstrtos64(\"%s\") = %d, %lld\n", s, ret, (long long)v);
	assert_int_equal(ret, err);
	assert_int_equal(v, err ? (s64)UNTOUCHED : want);
}

static void test_kstrtou64_bases(void **state)
{
	expect_u64("0", 0, 0);
	expect_u64("7", 0, 7);
	expect_u64("123", 0, 123);
	expect_u64("0x1f", 0, 0x1f);
	expect_u64("0X1F", 0, 0x1f);
	expect_u64("0xABCdef", 0, 0xabcdef);
	expect_u64("0x0", 0, 0);
	expect_u64("0x000000000000000000000001", 0, 1); /* leading zeros do not overflow */
	expect_u64("010", 0, 8);
	expect_u64("00", 0, 0);
	expect_u64("0777", 0, 0777);
	expect_u64("000000000000000000000000000001", 0, 1);
}

static void test_kstrtou64_limits(void **state)
{
	expect_u64("18446744073709551615", 0, UINT64_MAX);
	expect_u64("18446744073709551616", -ERANGE, 0);
	expect_u64("99999999999999999999", -ERANGE, 0);
	expect_u64("0xffffffffffffffff", 0, UINT64_MAX);
	expect_u64("0x10000000000000000", -ERANGE, 0);
	expect_u64("01777777777777777777777", 0, UINT64_MAX);
	expect_u64("02000000000000000000000", -ERANGE, 0);
	expect_u64("1844674407370955161", 0, 1844674407370955161ull);
	expect_u64("18446744073709551610", 0, 18446744073709551610ull);
}

/* The first problem from the left decides between -ERANGE and -EINVAL. */
static void test_kstrtou64_garbage(void **state)
{
	expect_u64("", -EINVAL, 0);
	expect_u64("0x", -EINVAL, 0);
	expect_u64("0X", -EINVAL, 0);
	expect_u64("0xg", -EINVAL, 0);
	expect_u64("08", -EINVAL, 0);
	expect_u64("09", -EINVAL, 0);
	expect_u64("0a", -EINVAL, 0);
	expect_u64("12a", -EINVAL, 0);
	expect_u64("1e3", -EINVAL, 0);
	expect_u64(" 1", -EINVAL, 0);
	expect_u64("1 ", -EINVAL, 0);
	expect_u64("-1", -EINVAL, 0);
	expect_u64("+1", -EINVAL, 0);
	expect_u64("x1", -EINVAL, 0);
	expect_u64("0x0x1", -EINVAL, 0);
	expect_u64("1.5", -EINVAL, 0);
	expect_u64("99999999999999999999x", -ERANGE, 0);
	expect_u64("1x99999999999999999999", -EINVAL, 0);
}

static void test_kstrtos64(void **state)
{
	expect_s64("0", 0, 0);
	expect_s64("-0", 0, 0);
	expect_s64("+5", 0, 5);
	expect_s64("-5", 0, -5);
	expect_s64("-0x10", 0, -16);
	expect_s64("-010", 0, -8);
	expect_s64("9223372036854775807", 0, INT64_MAX);
	expect_s64("9223372036854775808", -ERANGE, 0);
	expect_s64("-9223372036854775808", 0, INT64_MIN);
	expect_s64("-9223372036854775809", -ERANGE, 0);
	expect_s64("0x7fffffffffffffff", 0, INT64_MAX);
	expect_s64("-0x8000000000000000", 0, INT64_MIN);
	expect_s64("0x8000000000000000", -ERANGE, 0);
	expect_s64("18446744073709551615", -ERANGE, 0);
	expect_s64("18446744073709551616", -ERANGE, 0);
	expect_s64("", -EINVAL, 0);
	expect_s64("-", -EINVAL, 0);
	expect_s64("+", -EINVAL, 0);
	expect_s64("--1", -EINVAL, 0);
	expect_s64("-+1", -EINVAL, 0);
	expect_s64("+-1", -EINVAL, 0);
	expect_s64("- 1", -EINVAL, 0);
	expect_s64("-0x", -EINVAL, 0);
	expect_s64("1-", -EINVAL, 0);
	/* The magnitude is parsed first: garbage beats a signed overflow, not a u64 one. */
	expect_s64("9223372036854775808x", -EINVAL, 0);
	expect_s64("-99999999999999999999x", -ERANGE, 0);
}

/* Every u64 printed in each base parses back to itself. */
static void test_random_round_trip(void **state)
{
	static const char *const formats[] = { "%llu", "0x%llx", "0X%llX", "0%llo" };
	char s[32];

	rng_seed(0x726f756e64ull, "round trip");
	for (int i = 0; i < 100000; i++) {
		uint64_t v = rng_next() >> rng_below(64);
		int64_t sv = (int64_t)rng_next() >> rng_below(64);
		const char *fmt = formats[rng_below(4)];
		u64 got = 0;
		s64 sgot = 0;

		snprintf(s, sizeof(s), fmt, (unsigned long long)v);
		assert_int_equal(kstrtou64(s, &got), 0);
		assert_int_equal(got, v);

		/* Signed: "-" and the magnitude, or the plain value. */
		snprintf(s, sizeof(s), sv < 0 ? "-%llu" : "%llu",
			 sv < 0 ? 0 - (unsigned long long)sv : (unsigned long long)sv);
		assert_int_equal(kstrtos64(s, &sgot), 0);
		assert_int_equal(sgot, sv);
	}
}

/* glibc's strto*ll with base 0 uses the same base rules. It also takes leading spaces
 * and a sign, which the kernel refuses, and stops at garbage (end points at it) where
 * the kernel rejects the string. */
static int glibc_strtou64(const char *s, uint64_t *v)
{
	char *end;

	if (*s == ' ' || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return -ERANGE; /* the overflow came before any garbage */
	return end == s || *end ? -EINVAL : 0;
}

/* kstrtos64 parses the magnitude as kstrtou64 does (so garbage beats a signed
 * overflow) and then checks the range, which is what strtoll's ERANGE tells. */
static int glibc_strtos64(const char *s, int64_t *v)
{
	const char *mag = s + (*s == '-' || *s == '+');
	uint64_t u;
	char *end;
	int err;

	err = glibc_strtou64(mag, &u);
	if (err)
		return err;
	errno = 0;
	*v = strtoll(s, &end, 0);
	return errno == ERANGE ? -ERANGE : 0;
}

/* A decimal, 0x-hex or 0-octal number of 0 to 27 digits (so often past 64 bits), with an
 * optional sign, and in a third of them one character replaced by something else. */
static void random_number_string(char *s, size_t size, bool sign)
{
	static const char *const digits[] = { "0123456789", "0123456789abcdefABCDEF", "01234567" };
	static const char *const prefixes[] = { "", "0x", "0" };
	static const char others[] = "gxX.-+ 89aF0";
	int base = rng_below(3);
	size_t n = 0, len;

	if (sign && rng_below(2))
		s[n++] = "+-"[rng_below(2)];
	strcpy(s + n, prefixes[base]);
	n += strlen(prefixes[base]);
	len = n + rng_below(28);
	if (len > size - 1)
		len = size - 1;
	while (n < len)
		s[n++] = digits[base][rng_below(strlen(digits[base]))];
	s[n] = '\0';
	if (n && rng_below(3) == 0)
		s[rng_below(n)] = others[rng_below(sizeof(others) - 1)];
}

static void test_random_strings_match_glibc(void **state)
{
	char s[40];
	int outcomes[3] = { 0 }; /* 0, -EINVAL, -ERANGE from kstrtou64 */

	rng_seed(0x7374726f756cull, "strings vs glibc strtoull/strtoll");
	for (int i = 0; i < 200000; i++) {
		uint64_t want = 0;
		int64_t swant = 0;
		u64 got = UNTOUCHED;
		s64 sgot = (s64)UNTOUCHED;
		int err, ret;

		random_number_string(s, sizeof(s), false);
		err = glibc_strtou64(s, &want);
		ret = kstrtou64(s, &got);
		outcomes[ret == 0 ? 0 : ret == -EINVAL ? 1 : 2]++;
		if (ret != err || (!err && got != want)) {
			printf("# kstrtou64(\"%s\") = %d %#llx, glibc says %d %#llx\n", s, ret,
			       (unsigned long long)got, err, (unsigned long long)want);
			fail();
		}

		random_number_string(s, sizeof(s), true);
		err = glibc_strtos64(s, &swant);
		ret = kstrtos64(s, &sgot);
		if (ret != err || (!err && sgot != swant)) {
			printf("# kstrtos64(\"%s\") = %d %lld, glibc says %d %lld\n", s, ret,
			       (long long)sgot, err, (long long)swant);
			fail();
		}
	}
	/* The strings reach all three answers often. */
	printf("# kstrtou64: %d ok, %d -EINVAL, %d -ERANGE\n", outcomes[0], outcomes[1], outcomes[2]);
	for (int k = 0; k < 3; k++)
		assert_true(outcomes[k] > 5000);
}

static void test_glob_match(void **state)
{
	assert_true(glob_match("", ""));
	assert_false(glob_match("", "a"));
	assert_true(glob_match("*", ""));
	assert_true(glob_match("**", ""));
	assert_false(glob_match("?", ""));
	assert_true(glob_match("*", "anything at all"));
	assert_true(glob_match("a", "a"));
	assert_false(glob_match("a", "A"));
	assert_false(glob_match("a", "ab"));
	assert_false(glob_match("ab", "a"));
	assert_true(glob_match("a*", "abc"));
	assert_true(glob_match("*c", "abc"));
	assert_false(glob_match("*c", "abcd"));
	assert_true(glob_match("a?c", "abc"));
	assert_false(glob_match("a?c", "ac"));
	assert_true(glob_match("???", "xyz"));
	assert_false(glob_match("???", "xy"));
	assert_true(glob_match("*a*b*", "xaybz"));
	assert_false(glob_match("*a*b*", "xbyaz"));
	assert_false(glob_match("a*b", "a"));
	assert_true(glob_match("a*b", "ab"));
	assert_true(glob_match("a*b", "aXbYb"));
	assert_false(glob_match("a*b", "aXbYc"));
	assert_true(glob_match("*x", "xxxx"));
	assert_true(glob_match("a*a*a", "aaa"));
	assert_false(glob_match("a*a*a", "aa"));
	assert_true(glob_match("*?", "a"));
	assert_false(glob_match("*?", ""));
	assert_true(glob_match("*ab*ab", "abababab"));
	assert_true(glob_match("bench_*", "bench_sched"));
	assert_false(glob_match("bench_*", "ktest_bench"));
	assert_true(glob_match("*_ktest*", "lib_ktest_strings"));
	/* No escapes or classes: '[', '\\' and '.' are plain characters. */
	assert_true(glob_match("[a]", "[a]"));
	assert_false(glob_match("[a]", "a"));
	assert_true(glob_match("\\*", "\\x"));
}

/* Reference: the textbook recursion, memoized on (pattern, string) positions. */
#define GLOB_MAX 16
static signed char memo[GLOB_MAX + 1][GLOB_MAX + 1];

static bool ref_glob(const char *pat, int p, const char *s, int i)
{
	bool r;

	if (memo[p][i] >= 0)
		return memo[p][i];
	if (!pat[p])
		r = !s[i];
	else if (pat[p] == '*')
		r = ref_glob(pat, p + 1, s, i) || (s[i] && ref_glob(pat, p, s, i + 1));
	else
		r = s[i] && (pat[p] == '?' || pat[p] == s[i]) && ref_glob(pat, p + 1, s, i + 1);
	memo[p][i] = r;
	return r;
}

static void random_word(char *w, const char *alphabet, int maxlen)
{
	int len = rng_below(maxlen + 1);

	for (int k = 0; k < len; k++)
		w[k] = alphabet[rng_below(strlen(alphabet))];
	w[len] = '\0';
}

static void test_random_glob_matches_reference(void **state)
{
	char pat[GLOB_MAX + 1], s[GLOB_MAX + 1];
	int matches = 0;

	rng_seed(0x676c6f62ull, "glob vs reference");
	for (int i = 0; i < 300000; i++) {
		bool want;

		random_word(pat, rng_below(2) ? "ab?*" : "abc??**", rng_below(2) ? 6 : GLOB_MAX);
		random_word(s, rng_below(2) ? "ab" : "abc", rng_below(2) ? 6 : GLOB_MAX);
		memset(memo, -1, sizeof(memo));
		want = ref_glob(pat, 0, s, 0);
		matches += want;
		if (glob_match(pat, s) != want) {
			printf("# glob_match(\"%s\", \"%s\") should be %d\n", pat, s, want);
			fail();
		}
	}
	/* The inputs exercise both answers, not just "no". */
	printf("# %d of 300000 matched\n", matches);
	assert_true(matches > 30000 && matches < 270000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kstrtou64_bases),
		cmocka_unit_test(test_kstrtou64_limits),
		cmocka_unit_test(test_kstrtou64_garbage),
		cmocka_unit_test(test_kstrtos64),
		cmocka_unit_test(test_random_round_trip),
		cmocka_unit_test(test_random_strings_match_glibc),
		cmocka_unit_test(test_glob_match),
		cmocka_unit_test(test_random_glob_matches_reference),
	};

	hosttest_init();
	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
