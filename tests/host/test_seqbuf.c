/* tests/host/test_seqbuf.c: host tests of kernel/lib/seqbuf.c (with the kernel's vsnprintf): exact
 * contents, and that overflow is flagged while the length never passes the size, for every size. */
#include "hosttest.h"

#include <string.h>

#include <granary/errno.h>
#include <granary/seqbuf.h>

#define GUARD 0x5a

static void test_appends_exactly(void **state)
{
	char buf[64];
	struct seqbuf s;

	seq_init(&s, buf, sizeof(buf));
	assert_int_equal(seq_printf(&s, "%s:%8llu kB\n", "MemTotal", 123920ULL), 0);
	assert_int_equal(seq_write(&s, "a\0b", 3), 0);
	assert_int_equal(seq_putc(&s, '|'), 0);
	assert_int_equal(seq_puts(&s, "xy"), 0);
	assert_int_equal(s.len, 21 + 3 + 1 + 2);
	assert_memory_equal(buf, "MemTotal:  123920 kB\na\0b|xy", s.len);
	assert_false(s.overflow);
}

static void test_pad_to_column(void **state)
{
	char buf[16];
	struct seqbuf s;

	seq_init(&s, buf, sizeof(buf));
	seq_puts(&s, "ab");
	assert_int_equal(seq_pad(&s, 6, 'X'), 0);
	assert_int_equal(s.len, 7);
	assert_memory_equal(buf, "ab    X", 7);
	/* Already past the column: only the character. */
	assert_int_equal(seq_pad(&s, 3, 0), 0);
	assert_int_equal(s.len, 7);
	assert_int_equal(seq_pad(&s, 20, 0), -EOVERFLOW);
	assert_true(s.overflow);
	assert_int_equal(s.len, 16);
}

/* Every buffer size from 0 to past the text: the prefix that fits, the flag iff it did not. */
static void test_every_size(void **state)
{
	const char *text = "12345 (name) S 1 0 0";
	size_t full = strlen(text);

	for (size_t size = 0; size <= full + 2; size++) {
		char buf[64];
		struct seqbuf s;
		int r;

		memset(buf, GUARD, sizeof(buf));
		seq_init(&s, buf, size);
		r = seq_printf(&s, "%d (%s) %c %d %d %d", 12345, "name", 'S', 1, 0, 0);
		assert_true(s.len <= size);
		if (size > full) {
			assert_int_equal(r, 0);
			assert_false(s.overflow);
			assert_int_equal(s.len, full);
		} else {
			assert_int_equal(r, -EOVERFLOW);
			assert_true(s.overflow);
		}
		assert_memory_equal(buf, text, s.len);
		/* Nothing past the buffer's end was touched. */
		for (size_t i = size; i < sizeof(buf); i++)
			assert_int_equal((unsigned char)buf[i], GUARD);
		/* After an overflow, nothing more is appended. */
		if (s.overflow) {
			size_t len = s.len;
			assert_int_equal(seq_puts(&s, ""), -EOVERFLOW);
			assert_int_equal(s.len, len);
		}
	}
}

static void test_write_cuts_at_size(void **state)
{
	char buf[8];
	struct seqbuf s;

	seq_init(&s, buf, sizeof(buf));
	assert_int_equal(seq_write(&s, "0123456789", 10), -EOVERFLOW);
	assert_int_equal(s.len, 8);
	assert_true(s.overflow);
	assert_memory_equal(buf, "01234567", 8);
	seq_init(&s, buf, sizeof(buf));
	assert_int_equal(seq_printf(&s, "%s", ""), 0);
	assert_int_equal(seq_write(&s, "01234567", 8), 0);
	assert_false(s.overflow);
	/* Full but not overflowed: an empty append is fine, a byte is not. */
	assert_int_equal(seq_printf(&s, "%s", ""), 0);
	assert_false(s.overflow);
	assert_int_equal(seq_putc(&s, 'x'), -EOVERFLOW);
	assert_true(s.overflow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appends_exactly),
		cmocka_unit_test(test_pad_to_column),
		cmocka_unit_test(test_every_size),
		cmocka_unit_test(test_write_cuts_at_size),
	};

	hosttest_init();
	return cmocka_run_group_tests_name("seqbuf", tests, NULL, NULL);
}
