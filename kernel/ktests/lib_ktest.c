/* kernel/ktests/lib_ktest.c: kernel tests of the string, number-parsing and glob helpers.
 * They run the kernel's own build of kernel/lib (rep movsb memcpy and all). */
#include <granary/errno.h>
#include <granary/ktest.h>
#include <granary/string.h>

KTEST(lib_mem_functions)
{
	char a[32], b[32];

	memset(a, 'x', sizeof(a));
	KT_EXPECT_EQ(a[0], 'x');
	KT_EXPECT_EQ(a[31], 'x');
	memcpy(b, "hello, world", 13);
	KT_EXPECT_STREQ(b, "hello, world");
	memmove(b + 2, b, 13); /* overlapping, forwards */
	KT_EXPECT_STREQ(b + 2, "hello, world");
	memmove(b, b + 2, 13); /* overlapping, backwards */
	KT_EXPECT_STREQ(b, "hello, world");
	KT_EXPECT(memcmp("abc", "abd", 3) < 0);
	KT_EXPECT_EQ(strlen(""), 0);
	KT_EXPECT_EQ(strnlen("abcdef", 3), 3);
	KT_EXPECT_EQ(strlcpy(a, "truncated", 4), 9);
	KT_EXPECT_STREQ(a, "tru");
}

KTEST(lib_kstrtou64)
{
	u64 v = 7;

	KT_EXPECT_EQ(kstrtou64("0", &v), 0);
	KT_EXPECT_EQ(v, 0);
	KT_EXPECT_EQ(kstrtou64("0x1F", &v), 0);
	KT_EXPECT_EQ(v, 31);
	KT_EXPECT_EQ(kstrtou64("017", &v), 0);
	KT_EXPECT_EQ(v, 15);
	KT_EXPECT_EQ(kstrtou64("18446744073709551615", &v), 0);
	KT_EXPECT_EQ(v, ~0ULL);
	KT_EXPECT_EQ(kstrtou64("18446744073709551616", &v), -ERANGE);
	KT_EXPECT_EQ(kstrtou64("12a", &v), -EINVAL);
	KT_EXPECT_EQ(kstrtou64("", &v), -EINVAL);
}

KTEST(lib_glob_match)
{
	KT_EXPECT(glob_match("printk_*", "printk_format"));
	KT_EXPECT(glob_match("*_ring_*", "printk_ring_keeps"));
	KT_EXPECT(glob_match("t?me", "time"));
	KT_EXPECT(!glob_match("printk_*", "cmdline_parse"));
	KT_EXPECT(!glob_match("abc", "abcd"));
	KT_EXPECT(glob_match("*", ""));
}
