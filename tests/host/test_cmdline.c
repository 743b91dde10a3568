/* tests/host/test_cmdline.c: host tests of cmdline_parse_table() from kernel/cmdline.c (HOST_TEST part).
 * Exact splitting, quoting, "--" and error reporting, then seeded random lines against a reference splitter. */
#include "hosttest.h"

#include <string.h>

#include <granary/cmdline.h>
#include <granary/errno.h>

/* Everything the parser did, as text: "set name=val" for a handler call (no "=val"
 * when val is NULL), "report name=val err" for a report, joined with "; ". */
static char events[1 << 16];
static const char *line_start, *line_end; /* the buffer being parsed */

static void log_event(const char *what, const char *name, const char *val, int err)
{
	size_t len = strlen(events);

	snprintf(events + len, sizeof(events) - len, "%s%s %s%s%s", len ? "; " : "", what, name,
		 val ? "=" : "", val ? val : "");
	if (err) {
		len = strlen(events);
		snprintf(events + len, sizeof(events) - len, " %d", err);
	}
}

static int reports;

static void report(const char *name, const char *val, int err)
{
	reports++;
	log_event("report", name, val, err);
}

/* A handler gets its value in place, inside the line it was cut from. */
static int handle(const char *name, const char *val, int ret)
{
	if (val)
		assert_true(val >= line_start && val < line_end);
	log_event("set", name, val, 0);
	return ret;
}

#define HANDLER(fn, name, ret) \
	static int fn(const char *val) { return handle(name, val, ret); }
HANDLER(set_quiet, "quiet", 0)
HANDLER(set_loglevel, "loglevel", 0)
HANDLER(set_console, "console", 0)
HANDLER(set_fail, "fail", -EINVAL)
HANDLER(set_range, "range", -ERANGE)
HANDLER(set_dup_first, "dup#1", 0)
HANDLER(set_dup_second, "dup#2", 0)

static const struct kparam params[] = {
	{ "quiet", set_quiet },
	{ "loglevel", set_loglevel },
	{ "console", set_console },
	{ "fail", set_fail },
	{ "range", set_range },
	{ "dup", set_dup_first },
	{ "dup", set_dup_second },
};

/* Parses a heap copy of exactly strlen(line) + 1 bytes (so ASan sees any overrun) and
 * checks the return value and the events. */
static void expect_parse(const char *line, int want_bad, const char *want_events)
{
	size_t n = strlen(line) + 1;
	char *copy = malloc(n);
	int bad;

	assert_non_null(copy);
	memcpy(copy, line, n);
	line_start = copy;
	line_end = copy + n;
	events[0] = '\0';
	reports = 0;
	bad = cmdline_parse_table(copy, params, sizeof(params) / sizeof(params[0]), report);
	if (bad != want_bad || strcmp(events, want_events))
		printf("# line \"%s\": returned %d, events \"%s\"\n", line, bad, events);
	assert_string_equal(events, want_events);
	assert_int_equal(bad, want_bad);
	assert_int_equal(reports, bad);
	free(copy);
}

static void test_empty_and_blank(void **state)
{
	expect_parse("", 0, "");
	expect_parse(" ", 0, "");
	expect_parse(" \t\n \t", 0, "");
}

static void test_names_and_values(void **state)
{
	expect_parse("quiet", 0, "set quiet");
	expect_parse("loglevel=7", 0, "set loglevel=7");
	expect_parse("loglevel=", 0, "set loglevel="); /* an empty value is not NULL */
	expect_parse("console=a=b", 0, "set console=a=b"); /* split at the first '=' */
	expect_parse("  quiet\tloglevel=3\n\nconsole=ttyS0  ", 0,
		     "set quiet; set loglevel=3; set console=ttyS0");
	expect_parse("quiet quiet", 0, "set quiet; set quiet");
	expect_parse("dup=1", 0, "set dup#1=1"); /* the first entry of a name wins */
}

static void test_unknown_words(void **state)
{
	expect_parse("bogus", 1, "report bogus -2");
	expect_parse("bogus=1 quiet other=x=y", 2,
		     "report bogus=1 -2; set quiet; report other=x=y -2");
	expect_parse("=value", 1, "report =value -2");
	expect_parse("=", 1, "report = -2");
	expect_parse("QUIET quie quiet2", 3, "report QUIET -2; report quie -2; report quiet2 -2");
	expect_parse("---", 1, "report --- -2");
	expect_parse("--x", 1, "report --x -2");
}

static void test_handler_errors(void **state)
{
	expect_parse("fail=1", 1, "set fail=1; report fail=1 -22");
	expect_parse("fail", 1, "set fail; report fail -22");
	expect_parse("range=9 quiet fail", 2,
		     "set range=9; report range=9 -34; set quiet; set fail; report fail -22");
}

static void test_quotes(void **state)
{
	expect_parse("console=\"a b\"", 0, "set console=a b");
	expect_parse("console=\"a b\" quiet", 0, "set console=a b; set quiet");
	expect_parse("\"quiet\"", 0, "set quiet");
	expect_parse("con\"sole=x y\"z", 0, "set console=x yz");
	expect_parse("console=\"\"", 0, "set console=");
	expect_parse("console=\"tab\there\nnl\"", 0, "set console=tab\there\nnl");
	/* An unterminated quote runs to the end of the line. */
	expect_parse("console=\"a b quiet", 0, "set console=a b quiet");
	/* A pair of quotes alone is an empty word, and no parameter is named "". */
	expect_parse("\"\" quiet", 1, "report  -2; set quiet");
}

static void test_double_dash_stops(void **state)
{
	expect_parse("quiet -- loglevel=3 bogus", 0, "set quiet");
	expect_parse("-- quiet", 0, "");
	expect_parse("bogus --", 1, "report bogus -2");
	expect_parse("quiet --\tbogus", 0, "set quiet");
	/* Quotes are removed first, so a quoted "--" stops too. */
	expect_parse("\"--\" quiet", 0, "");
}

static void test_no_report_callback(void **state)
{
	char line[] = "bogus quiet fail=1";

	events[0] = '\0';
	line_start = line;
	line_end = line + sizeof(line);
	assert_int_equal(cmdline_parse_table(line, params, sizeof(params) / sizeof(params[0]), NULL), 2);
	assert_string_equal(events, "set quiet; set fail=1");
}

static void test_empty_table(void **state)
{
	char line[] = "quiet loglevel=1";

	events[0] = '\0';
	reports = 0;
	assert_int_equal(cmdline_parse_table(line, NULL, 0, report), 2);
	assert_string_equal(events, "report quiet -2; report loglevel=1 -2");
	assert_int_equal(reports, 2);
}

/* The line is cut in place: each word NUL-terminated where it ended. */
static void test_splits_in_place(void **state)
{
	char line[] = "quiet loglevel=7 \"x\"";

	events[0] = '\0';
	line_start = line;
	line_end = line + sizeof(line);
	assert_int_equal(cmdline_parse_table(line, params, sizeof(params) / sizeof(params[0]), report), 1);
	assert_memory_equal(line, "quiet\0loglevel\0" "7\0x\0\"", sizeof(line));
}

/* ---------------------------------------------------------------- random lines */

/* Reference splitter, written as a character loop: a word is a run of characters that
 * are not unquoted separators; quotes toggle the quoting and are dropped. */
static int ref_split(const char *line, char **words, int max)
{
	int n = 0;
	bool in_word = false, quoted = false;
	size_t len = 0;

	for (const char *p = line;; p++) {
		char c = *p;

		if (c == '\0' || (!quoted && (c == ' ' || c == '\t' || c == '\n'))) {
			if (in_word)
				words[n++][len] = '\0';
			in_word = false;
			if (!c || n == max)
				return n;
			continue;
		}
		if (!in_word) {
			in_word = true;
			len = 0;
		}
		if (c == '"')
			quoted = !quoted;
		else
			words[n][len++] = c;
	}
}

/* The table the random lines use; "b" rejects values starting with 'x'. */
static int fuzz_set(const char *name, const char *val)
{
	if (val)
		assert_true(val >= line_start && val < line_end);
	log_event("set", name, val, 0);
	return val && val[0] == 'x' ? -EINVAL : 0;
}

static int set_a(const char *val) { return fuzz_set("a", val); }
static int set_ab(const char *val) { return fuzz_set("ab", val); }
static int set_b(const char *val) { return fuzz_set("b", val); }

static const struct kparam fuzz_params[] = { { "a", set_a }, { "ab", set_ab }, { "b", set_b } };

static int ref_stopped; /* lines the reference saw "--" in, for coverage */

/* The events the reference expects for line, with the number of reports. */
static int ref_events(const char *line, char *out, size_t size)
{
	static char storage[128][300];
	char *words[128];
	int n, bad = 0;

	for (int i = 0; i < 128; i++)
		words[i] = storage[i];
	n = ref_split(line, words, 128);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		char *name = words[i], *val = strchr(name, '=');
		const char *known = NULL;
		int err = -ENOENT;

		if (!strcmp(name, "--")) {
			ref_stopped++;
			break;
		}
		if (val)
			*val++ = '\0';
		for (size_t k = 0; k < sizeof(fuzz_params) / sizeof(fuzz_params[0]); k++)
			if (!strcmp(name, fuzz_params[k].name) && !known)
				known = fuzz_params[k].name;
		if (known) {
			size_t len = strlen(out);
			snprintf(out + len, size - len, "%sset %s%s%s", len ? "; " : "", name,
				 val ? "=" : "", val ? val : "");
			err = val && val[0] == 'x' ? -EINVAL : 0;
		}
		if (err) {
			size_t len = strlen(out);
			snprintf(out + len, size - len, "%sreport %s%s%s %d", len ? "; " : "", name,
				 val ? "=" : "", val ? val : "", err);
			bad++;
		}
	}
	return bad;
}

/* Parses random lines and compares with the reference; returns how many handler calls
 * there were, so a caller can see that the lines reach the handlers. */
static int fuzz(const char *alphabet, int iterations)
{
	static char want[1 << 16];
	int sets = 0;

	for (int i = 0; i < iterations; i++) {
		size_t len = rng_below(300);
		char *line = malloc(len + 1);
		int bad, want_bad;

		for (size_t k = 0; k < len; k++)
			line[k] = alphabet ? alphabet[rng_below(strlen(alphabet))] : (char)rng_range(1, 255);
		line[len] = '\0';
		want_bad = ref_events(line, want, sizeof(want));

		events[0] = '\0';
		reports = 0;
		line_start = line;
		line_end = line + len + 1;
		bad = cmdline_parse_table(line, fuzz_params, 3, report);
		if (bad != want_bad || strcmp(events, want)) {
			printf("# iteration %d: returned %d (reference %d)\n#   events    \"%s\"\n"
			       "#   reference \"%s\"\n",
			       i, bad, want_bad, events, want);
			fail();
		}
		assert_int_equal(reports, bad);
		for (const char *p = events; (p = strstr(p, "set ")); p++)
			sets++;
		free(line);
	}
	return sets;
}

/* Lines made of the characters that matter, so words, quotes, names and "--" all occur. */
static void test_random_lines_match_reference(void **state)
{
	int sets;

	rng_seed(0x636d646c696e65ull, "cmdline lines vs reference");
	ref_stopped = 0;
	sets = fuzz("ab=\"  \t\n-x", 20000);
	printf("# %d handler calls, %d lines stopped at \"--\"\n", sets, ref_stopped);
	assert_true(sets > 20000);
	assert_true(ref_stopped > 1000);
}

/* Any bytes at all: no sanitizer report, and the same events as the reference. */
static void test_random_bytes(void **state)
{
	rng_seed(0x6279746573ull, "cmdline random bytes");
	fuzz(NULL, 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_blank),
		cmocka_unit_test(test_names_and_values),
		cmocka_unit_test(test_unknown_words),
		cmocka_unit_test(test_handler_errors),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_double_dash_stops),
		cmocka_unit_test(test_no_report_callback),
		cmocka_unit_test(test_empty_table),
		cmocka_unit_test(test_splits_in_place),
		cmocka_unit_test(test_random_lines_match_reference),
		cmocka_unit_test(test_random_bytes),
	};

	hosttest_init();
	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
