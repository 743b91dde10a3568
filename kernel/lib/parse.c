/* kernel/lib/parse.c: number parsing and glob matching for command-line and test selection.
 * Pure functions with no kernel state; host unit tests compile this file as it is. */
#include <granary/errno.h>
#include <granary/string.h>

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

int kstrtou64(const char *s, u64 *out)
{
	unsigned base = 10;
	u64 v = 0;

	if (!*s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -EINVAL;
	} else if (s[0] == '0' && s[1]) {
		base = 8;
		s++;
	}
	for (; *s; s++) {
		unsigned d = digit_value(*s);
		if (d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

int kstrtos64(const char *s, s64 *out)
{
	bool neg = *s == '-';
	u64 v;
	int err = kstrtou64(s + (neg || *s == '+'), &v);

	if (err)
		return err;
	if (v > (u64)INT64_MAX + neg)
		return -ERANGE;
	*out = neg ? (s64)(0 - v) : (s64)v;
	return 0;
}

bool glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	/* Greedy match with one backtrack point: the most recent '*'. */
	while (*s) {
		if (*pat == '*') {
			star = ++pat;
			resume = s;
		} else if (*pat == '?' || *pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}
