/* kernel/ktests/printk_ktest.c: kernel tests of formatting and the log ring buffer.
 * The host tests cover vsnprintf exhaustively; these check it inside the real kernel build. */
#include <granary/ktest.h>
#include <granary/printk.h>
#include <granary/string.h>

#define EXPECT_FMT(want, ...)                                          \
	do {                                                           \
		char __b[128];                                         \
		int __n = snprintf(__b, sizeof(__b), __VA_ARGS__);     \
		KT_EXPECT_STREQ(__b, want);                            \
		KT_EXPECT_EQ(__n, strlen(want));                       \
	} while (0)

KTEST(printk_format_integers)
{
	EXPECT_FMT("-42 42 4294967254", "%d %i %u", -42, 42, -42);
	EXPECT_FMT("ff FF 0xff 777", "%x %X %#x %o", 255, 255, 255, 511);
	EXPECT_FMT("-9223372036854775808", "%lld", (long long)(-9223372036854775807LL - 1));
	EXPECT_FMT("18446744073709551615", "%llu", ~0ULL);
	EXPECT_FMT("123456789012", "%zu", (size_t)123456789012ULL);
	EXPECT_FMT("-1 255 -1", "%hhd %hhu %hd", (char)255, (unsigned char)255, (short)65535);
}

KTEST(printk_format_width_precision)
{
	EXPECT_FMT("[   42]", "[%5d]", 42);
	EXPECT_FMT("[42   ]", "[%-5d]", 42);
	EXPECT_FMT("[00042]", "[%05d]", 42);
	EXPECT_FMT("[-0042]", "[%05d]", -42);
	EXPECT_FMT("[  042]", "[%5.3d]", 42);
	EXPECT_FMT("[ab]", "[%.2s]", "abcdef");
	EXPECT_FMT("[   ab]", "[%*.*s]", 5, 2, "abcdef");
	EXPECT_FMT("[x  ]", "[%-3c]", 'x');
}

KTEST(printk_format_pointer_and_strings)
{
	const char *volatile null_str = NULL; /* hidden from the compiler's format checks */

	EXPECT_FMT("0xffffffff80001000", "%p", (void *)0xffffffff80001000UL);
	EXPECT_FMT("0x0000000000000000", "%p", (void *)0);
	EXPECT_FMT("(null)", "%s", null_str);
	EXPECT_FMT("100%", "100%%");
}

KTEST(printk_format_truncates)
{
	char buf[8];
	int n = snprintf(buf, sizeof(buf), "%s", "0123456789");

	KT_EXPECT_EQ(n, 10);
	KT_EXPECT_STREQ(buf, "0123456");
}

KTEST(printk_ring_keeps_messages)
{
	char line[256];
	u64 seq = log_next_seq();
	size_t n;

	pr_info("ktest ring marker %d\n", 1234);
	n = log_read(&seq, line, sizeof(line));
	KT_ASSERT(n > 0);
	/* "[    s.uuuuuu] text\n": the timestamp prefix is 15 characters. */
	KT_EXPECT_EQ(line[0], '[');
	KT_EXPECT_EQ(line[13], ']');
	KT_EXPECT_STREQ(line + 15, "ktest ring marker 1234\n");
	KT_EXPECT_EQ(log_read(&seq, line, sizeof(line)), 0);
}

KTEST(printk_continuation_joins_line)
{
	char line[256];
	u64 seq = log_next_seq();

	pr_info("part one");
	pr_cont(", part two\n");
	KT_ASSERT(log_read(&seq, line, sizeof(line)) > 0);
	KT_EXPECT_STREQ(line + 15, "part one, part two\n");
}

KTEST(printk_ring_wraps_and_drops_oldest)
{
	char line[256];
	u64 start = log_next_seq(), seq = 0;
	unsigned n = (2u << CONFIG_LOG_BUF_SHIFT) / 40; /* about twice the ring */

	for (unsigned i = 0; i < n; i++)
		pr_debug("wrap record %u\n", i);
	KT_EXPECT_EQ(log_next_seq(), start + n);
	/* The oldest record left is newer than the start: the ring dropped some. */
	KT_ASSERT(log_read(&seq, line, sizeof(line)) > 0);
	KT_EXPECT(seq - 1 > start);
	/* Every record still kept reads back intact, in order, up to the last. */
	for (u64 expect = seq - 1 - start;; expect++) {
		char want[32];
		snprintf(want, sizeof(want), "wrap record %llu\n", (unsigned long long)expect);
		KT_EXPECT_STREQ(line + 15, want);
		if (!log_read(&seq, line, sizeof(line)))
			break;
	}
	KT_EXPECT_EQ(seq, start + n);
}
