/* kernel/ktests/cmdline_ktest.c: kernel tests of the command-line registry.
 * Uses a private parameter table so the real parameters are not disturbed. */
#include <granary/cmdline.h>
#include <granary/errno.h>
#include <granary/ktest.h>
#include <granary/string.h>

static char seen_a[32];
static int seen_flag;
static int rejected;

static int set_a(const char *v)
{
	strlcpy(seen_a, v ? v : "(none)", sizeof(seen_a));
	return 0;
}
static int set_flag(const char *v)
{
	seen_flag++;
	return v ? -EINVAL : 0;
}
static void report(const char *name, const char *val, int err)
{
	rejected++;
}

static const struct kparam table[] = { { "alpha", set_a }, { "flag", set_flag } };

KTEST(cmdline_parses_values_and_flags)
{
	char line[] = "alpha=\"two words\" flag unknown=3 flag=bad -- alpha=init";

	rejected = 0;
	seen_flag = 0;
	KT_EXPECT_EQ(cmdline_parse_table(line, table, 2, report), 2);
	KT_EXPECT_STREQ(seen_a, "two words");
	KT_EXPECT_EQ(seen_flag, 2);
	KT_EXPECT_EQ(rejected, 2);
}

KTEST(cmdline_kernel_line_recorded)
{
	/* The harness boots with ktest=...; the saved line must contain it. */
	const char *line = cmdline_get();
	bool found = false;

	for (const char *p = line; *p; p++)
		if (!strncmp(p, "ktest=", 6))
			found = true;
	KT_EXPECT(found);
}
