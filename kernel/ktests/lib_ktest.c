/* kernel/ktests/lib_ktest.c: kernel tests of the string, number-parsing and glob helpers.
 * They run the kernel's own build of kernel/lib (rep movsq memcpy and all). */
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

/* memcpy and memset at every length to 40 and alignment to 7: the quadword part, the byte
 * tail and the bytes either side, against a byte-at-a-time model. */
KTEST(lib_mem_lengths_and_alignments)
{
	u8 src[64], dst[64];
	int bad = 0;

	for (int i = 0; i < 64; i++)
		src[i] = (u8)(i * 7 + 1);
	for (int off = 0; off < 8; off++) {
		for (int len = 0; len <= 40; len++) {
			memset(dst, 0xee, sizeof(dst));
			memcpy(dst + off, src + (off ^ 3), len);
			for (int i = 0; i < 64; i++)
				bad += dst[i] != (i >= off && i < off + len ? src[(off ^ 3) + i - off] : 0xee);
			memset(dst + off, 0x1a5, len); /* only the low byte counts */
			for (int i = 0; i < 64; i++)
				bad += dst[i] != (i >= off && i < off + len ? 0xa5 : 0xee);
		}
	}
	KT_EXPECT_EQ(bad, 0);
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
