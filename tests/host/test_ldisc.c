/* tests/host/test_ldisc.c: host tests of the line discipline (drivers/tty/ldisc.c) as the kernel builds it.
 * Exact echo bytes, queue contents, signals and VMIN/VTIME decisions; a seeded fuzz for the invariants. */
#include "hosttest.h"

#include <string.h>

#include "../../drivers/tty/ldisc.h"
#include <uapi/signal.h>

static struct ldisc ld;
static char echo[1 << 16];
static size_t echo_len;

static void capture(void *ctx, const char *s, size_t n)
{
	assert_ptr_equal(ctx, &ld);
	assert_true(n > 0 && n <= LDISC_OBUF);
	assert_true(echo_len + n <= sizeof(echo));
	memcpy(echo + echo_len, s, n);
	echo_len += n;
}

static void reset(void)
{
	struct k_termios t;

	ldisc_std_termios(&t);
	ldisc_init(&ld, &t, capture, &ld);
	echo_len = 0;
}

static int setup(void **state)
{
	reset();
	return 0;
}

/* Feeds a string; returns the OR of the results. */
static unsigned feed(const char *s, size_t n)
{
	unsigned r = 0;

	for (size_t i = 0; i < n; i++)
		r |= ldisc_receive(&ld, (u8)s[i]);
	return r;
}
#define FEED(s) feed(s, sizeof(s) - 1)

#define ECHOED(s)                                                     \
	do {                                                          \
		assert_int_equal(echo_len, sizeof(s) - 1);            \
		assert_memory_equal(echo, s, sizeof(s) - 1);          \
		echo_len = 0;                                         \
	} while (0)

/* A read of up to n bytes gives exactly s. */
#define READS(n, s)                                                   \
	do {                                                          \
		u8 b_[8192];                                          \
		size_t k_ = ldisc_read(&ld, b_, (n));                 \
		assert_int_equal(k_, sizeof(s) - 1);                  \
		assert_memory_equal(b_, s, sizeof(s) - 1);            \
	} while (0)

static void set_lflag(u32 on, u32 off)
{
	struct k_termios t = ld.t;

	t.c_lflag = (t.c_lflag | on) & ~off;
	ldisc_set_termios(&ld, &t);
}

static void std_termios_is_linuxs(void **state)
{
	static const u8 cc[K_NCCS] = { 3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0 };
	struct k_termios t;

	assert_int_equal(sizeof(struct k_termios), 36);
	ldisc_std_termios(&t);
	assert_int_equal(t.c_iflag, 02400);
	assert_int_equal(t.c_oflag, 05);
	assert_int_equal(t.c_cflag, 02277);
	assert_int_equal(t.c_lflag, 0105073);
	assert_int_equal(t.c_line, 0);
	assert_memory_equal(t.c_cc, cc, K_NCCS);
}

static void canonical_erase_gives_edited_line(void **state)
{
	assert_int_equal(FEED("ab\x7f" "c"), LDISC_WAKE);
	assert_false(ldisc_readable(&ld, 1));
	ECHOED("ab\b \bc");
	assert_int_equal(FEED("\n"), LDISC_WAKE);
	ECHOED("\r\n");
	assert_true(ldisc_readable(&ld, 1));
	assert_int_equal(ldisc_inq(&ld), 3);
	READS(100, "ac\n");
	assert_false(ldisc_readable(&ld, 1));
}

static void canonical_read_stops_at_each_line(void **state)
{
	FEED("one\ntwo\nthr");
	READS(100, "one\n");
	READS(2, "tw");
	READS(100, "o\n");
	assert_false(ldisc_readable(&ld, 1));
	assert_int_equal(ldisc_inq(&ld), 0);
}

static void carriage_return_is_newline_under_icrnl(void **state)
{
	struct k_termios t = ld.t;

	FEED("x\r");
	ECHOED("x\r\n");
	READS(10, "x\n");
	t.c_iflag |= IGNCR;
	ldisc_set_termios(&ld, &t);
	FEED("y\rz\n");
	READS(10, "yz\n");
	t.c_iflag = INLCR;
	ldisc_set_termios(&ld, &t);
	/* \n becomes \r, which is then an ordinary byte: no line end yet. */
	FEED("a\n");
	assert_false(ldisc_readable(&ld, 1));
	ECHOED("yz\r\na^M");
}

static void erase_on_empty_line_does_nothing(void **state)
{
	FEED("\x7f\x7f\x15\x17");
	assert_int_equal(echo_len, 0);
	assert_int_equal(ldisc_inq(&ld), 0);
}

static void kill_erases_the_line_char_by_char(void **state)
{
	FEED("hello\x15");
	ECHOED("hello\b \b\b \b\b \b\b \b\b \b");
	FEED("\n");
	READS(10, "\n");
}

static void kill_without_echoke_echoes_the_key_and_newline(void **state)
{
	set_lflag(0, ECHOKE);
	FEED("hi\x15");
	ECHOED("hi^U\r\n");
	set_lflag(0, ECHOK);
	FEED("hi\x15");
	ECHOED("hi^U");
	set_lflag(0, ECHO);
	FEED("hi\x15z\n");
	assert_int_equal(echo_len, 0);
	READS(10, "z\n");
}

static void word_erase_takes_spaces_then_a_word(void **state)
{
	FEED("foo bar  \x17");
	ECHOED("foo bar  \b \b\b \b\b \b\b \b\b \b");
	FEED("\x17");
	ECHOED("\b \b\b \b\b \b\b \b");
	FEED("\n");
	READS(20, "\n");
	/* Without IEXTEN ^W is an ordinary (control) byte. */
	set_lflag(0, IEXTEN);
	FEED("a\x17\n");
	READS(20, "a\x17\n");
}

static void erase_of_control_char_takes_two_columns(void **state)
{
	FEED("a\x01\x7f");
	ECHOED("a^A\b \b\b \b");
	set_lflag(0, ECHOCTL);
	FEED("\x01\x7f");
	/* Without ECHOCTL, a control byte is echoed as is and takes no column to erase. */
	ECHOED("\x01");
}

static void erase_without_echoe_echoes_the_erase_key(void **state)
{
	set_lflag(0, ECHOE);
	FEED("ab\x7f");
	ECHOED("ab^?");
	FEED("\n");
	READS(10, "a\n");
}

static void erase_of_tab_backs_to_the_tab_stop(void **state)
{
	FEED("a\t\x7f");
	ECHOED("a\t\b\b\b\b\b\b\b");
	assert_int_equal(ld.column, 1);
	/* After a prompt of 3 columns (output before the line started). */
	FEED("\x7f\n");
	echo_len = 0;
	ldisc_write(&ld, (const u8 *)"$> ", 3);
	FEED("\t\x7f");
	ECHOED("$> \t\b\b\b\b\b");
}

static void echoprt_shows_erased_bytes_between_slashes(void **state)
{
	set_lflag(ECHOPRT, 0);
	FEED("abc\x7f\x7f" "d");
	ECHOED("abc\\cb/d");
}

static void utf8_erase_takes_the_whole_character(void **state)
{
	struct k_termios t = ld.t;

	t.c_iflag |= IUTF8;
	ldisc_set_termios(&ld, &t);
	FEED("x\xc3\xa9\x7f\n");
	ECHOED("x\xc3\xa9\b \b\r\n");
	READS(10, "x\n");
}

static void intr_echoes_signals_and_flushes(void **state)
{
	unsigned r = FEED("abc\x03");

	assert_int_equal(LDISC_SIGNAL(r), SIGINT);
	assert_true(r & LDISC_WAKE);
	ECHOED("abc^C");
	assert_int_equal(ldisc_inq(&ld), 0);
	FEED("\n");
	READS(10, "\n");
	assert_int_equal(LDISC_SIGNAL(FEED("\x1c")), SIGQUIT);
	ECHOED("\r\n^\\");
	assert_int_equal(LDISC_SIGNAL(FEED("\x1a")), SIGTSTP);
	ECHOED("^Z");
}

static void noflsh_keeps_input_on_signal(void **state)
{
	set_lflag(NOFLSH, 0);
	assert_int_equal(LDISC_SIGNAL(FEED("ab\x03")), SIGINT);
	FEED("\n");
	READS(10, "ab\n");
}

static void without_isig_intr_is_data(void **state)
{
	set_lflag(0, ISIG | ICANON);
	assert_int_equal(LDISC_SIGNAL(FEED("\x03\x1a")), 0);
	ECHOED("^C^Z");
	READS(10, "\x03\x1a");
}

static void eof_ends_a_line_and_reads_as_nothing(void **state)
{
	assert_int_equal(FEED("\x04"), LDISC_WAKE);
	assert_int_equal(echo_len, 0);
	assert_true(ldisc_readable(&ld, 1));
	assert_int_equal(ldisc_inq(&ld), 0);
	READS(10, "");
	assert_false(ldisc_readable(&ld, 1));
	FEED("ab\x04");
	ECHOED("ab");
	assert_int_equal(ldisc_inq(&ld), 2);
	READS(10, "ab");
	assert_false(ldisc_readable(&ld, 1));
}

static void eol_and_eol2_end_lines_and_are_kept(void **state)
{
	struct k_termios t = ld.t;

	t.c_cc[VEOL] = ';';
	t.c_cc[VEOL2] = 0x01;
	ldisc_set_termios(&ld, &t);
	FEED("ab;c\x01");
	ECHOED("ab;c^A");
	READS(10, "ab;");
	READS(10, "c\x01");
}

static void echo_off_and_echonl(void **state)
{
	set_lflag(0, ECHO);
	FEED("pw\n");
	assert_int_equal(echo_len, 0);
	set_lflag(ECHONL, 0);
	FEED("pw\n");
	ECHOED("\r\n");
	READS(10, "pw\n");
	READS(10, "pw\n");
}

static void lnext_quotes_the_next_byte(void **state)
{
	unsigned r = FEED("\x16\x03\x16\x7f\n");

	assert_int_equal(LDISC_SIGNAL(r), 0);
	ECHOED("^\b^C^\b^?\r\n");
	READS(10, "\x03\x7f\n");
}

static void reprint_echoes_the_line_again(void **state)
{
	FEED("ab\x12");
	ECHOED("ab^R\r\nab");
	FEED("\n");
	READS(10, "ab\n");
}

static void ixon_start_stop_are_not_data(void **state)
{
	assert_int_equal(FEED("\x13"), LDISC_STOP);
	assert_int_equal(FEED("\x11"), LDISC_START);
	assert_int_equal(echo_len, 0);
	assert_int_equal(ld.head, 0);
	struct k_termios t = ld.t;
	t.c_iflag |= IXANY;
	ldisc_set_termios(&ld, &t);
	assert_int_equal(FEED("q"), LDISC_WAKE | LDISC_START);
	t.c_iflag &= ~(IXON | IXANY);
	ldisc_set_termios(&ld, &t);
	set_lflag(0, ICANON);
	assert_int_equal(FEED("\x13"), LDISC_WAKE);
	READS(10, "q\x13");
}

static void istrip_and_iuclc(void **state)
{
	struct k_termios t = ld.t;

	t.c_iflag |= ISTRIP | IUCLC;
	ldisc_set_termios(&ld, &t);
	FEED("\xc1" "B\n");
	READS(10, "ab\n");
}

static void raw_newline_echo_depends_on_the_path(void **state)
{
	/* Non-canonical: \r turned into \n by ICRNL echoes as a newline; a typed \n is plain data
	 * and ECHOCTL shows it as ^J, as Linux does. */
	set_lflag(0, ICANON);
	FEED("\r\n");
	ECHOED("\r\n^J");
	READS(10, "\n\n");
}

static void canon_switch_keeps_pending_input(void **state)
{
	FEED("ab");
	assert_false(ldisc_readable(&ld, 1));
	set_lflag(0, ICANON);
	assert_true(ldisc_readable(&ld, 2));
	assert_false(ldisc_readable(&ld, 3));
	FEED("cd");
	set_lflag(ICANON, 0);
	/* Raw bytes become one line when canonical mode comes back. */
	assert_true(ldisc_readable(&ld, 1));
	assert_int_equal(ldisc_inq(&ld), 4);
	READS(10, "abcd");
	assert_false(ldisc_readable(&ld, 1));
}

static void noncanonical_poll_amount(void **state)
{
	struct k_termios t = ld.t;

	t.c_lflag &= ~ICANON;
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 0;
	ldisc_set_termios(&ld, &t);
	assert_int_equal(ldisc_poll_amount(&ld), 3);
	t.c_cc[VTIME] = 5;
	ldisc_set_termios(&ld, &t);
	assert_int_equal(ldisc_poll_amount(&ld), 1);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	ldisc_set_termios(&ld, &t);
	assert_int_equal(ldisc_poll_amount(&ld), 1);
	FEED("xy");
	assert_true(ldisc_readable(&ld, 2));
	assert_false(ldisc_readable(&ld, 3));
	assert_int_equal(ldisc_inq(&ld), 2);
}

static void vmin_vtime_four_cases(void **state)
{
	struct k_termios t = ld.t;
	struct ldisc_plan p;

	/* MIN 0, TIME 0: return at once, even with nothing. */
	t.c_cc[VMIN] = 0, t.c_cc[VTIME] = 0;
	ldisc_read_plan(&t, 10, &p);
	assert_int_equal(p.minimum, 0);
	assert_int_equal(p.timeout_ds, 0);
	assert_true(ldisc_read_done(&p, 0, false));
	/* MIN 4, TIME 0: wait for 4 bytes (or as many as asked), no timer. */
	t.c_cc[VMIN] = 4;
	ldisc_read_plan(&t, 10, &p);
	assert_int_equal(p.minimum, 4);
	assert_int_equal(p.timeout_ds, 0);
	assert_false(ldisc_read_done(&p, 3, false));
	assert_true(ldisc_read_done(&p, 4, false));
	ldisc_read_plan(&t, 2, &p);
	assert_int_equal(p.minimum, 2);
	assert_true(ldisc_read_done(&p, 2, false));
	/* MIN 4, TIME 7: an inter-byte timer, started by the first byte. */
	t.c_cc[VTIME] = 7;
	ldisc_read_plan(&t, 10, &p);
	assert_int_equal(p.minimum, 4);
	assert_int_equal(p.timeout_ds, 7);
	assert_true(p.interbyte);
	assert_false(ldisc_read_done(&p, 1, false));
	assert_true(ldisc_read_done(&p, 1, true));
	assert_true(ldisc_read_done(&p, 4, false));
	/* MIN 0, TIME 7: one byte, or give up 0.7 s after the read started. */
	t.c_cc[VMIN] = 0;
	ldisc_read_plan(&t, 10, &p);
	assert_int_equal(p.minimum, 1);
	assert_int_equal(p.timeout_ds, 7);
	assert_false(p.interbyte);
	assert_false(ldisc_read_done(&p, 0, false));
	assert_true(ldisc_read_done(&p, 0, true));
	assert_true(ldisc_read_done(&p, 1, false));
}

static void output_processing(void **state)
{
	struct k_termios t = ld.t;

	ldisc_write(&ld, (const u8 *)"a\nb\tc", 5);
	ECHOED("a\r\nb\tc");
	assert_int_equal(ld.column, 9);
	t.c_oflag = OPOST | OCRNL | XTABS | OLCUC;
	ldisc_set_termios(&ld, &t);
	/* OCRNL without ONLRET keeps the column: Y is at column 10, so the tab is 5 spaces. */
	ldisc_write(&ld, (const u8 *)"x\ry\t.", 5);
	ECHOED("X\nY     .");
	t.c_oflag = OPOST | ONOCR | ONLCR;
	ldisc_set_termios(&ld, &t);
	ldisc_write(&ld, (const u8 *)"\n\rz\r", 4);
	ECHOED("\r\nz\r");
	t.c_oflag = ONLCR; /* no OPOST: nothing is changed */
	ldisc_set_termios(&ld, &t);
	ldisc_write(&ld, (const u8 *)"\n\t", 2);
	ECHOED("\n\t");
	/* Long output goes out in LDISC_OBUF pieces, in order. */
	char big[1000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	ldisc_write(&ld, (const u8 *)big, sizeof(big));
	assert_int_equal(echo_len, sizeof(big));
	assert_memory_equal(echo, big, sizeof(big));
}

static void full_canonical_line_still_takes_newline(void **state)
{
	u8 *b = malloc(LDISC_BUF + 10);

	set_lflag(0, ECHO);
	for (int i = 0; i < LDISC_BUF + 100; i++)
		ldisc_receive(&ld, 'x');
	assert_int_equal(ld.head - ld.tail, LDISC_BUF);
	FEED("\n");
	assert_int_equal(ldisc_read(&ld, b, LDISC_BUF + 10), LDISC_BUF);
	assert_int_equal(b[LDISC_BUF - 1], '\n');
	assert_int_equal(b[LDISC_BUF - 2], 'x');
	/* Non-canonical: one slot stays free and the rest is dropped. */
	set_lflag(0, ICANON);
	for (int i = 0; i < LDISC_BUF + 100; i++)
		ldisc_receive(&ld, 'y');
	assert_int_equal(ldisc_inq(&ld), LDISC_BUF - 1);
	assert_int_equal(ldisc_receive(&ld, 'z'), 0);
	free(b);
}

static void flush_discards_everything(void **state)
{
	FEED("line\npartial");
	ldisc_flush_input(&ld);
	assert_false(ldisc_readable(&ld, 1));
	assert_int_equal(ldisc_inq(&ld), 0);
	FEED("\n");
	READS(10, "\n");
}

/* Random bytes under random settings: the queue indices stay ordered and in bounds, reads
 * never return more than asked, and ASan watches every access. */
static void fuzz_invariants(void **state)
{
	static const u32 lflags[] = { ISIG, ICANON, ECHO, ECHOE, ECHOK, ECHONL, NOFLSH, ECHOCTL, ECHOPRT, ECHOKE, IEXTEN };
	static const u32 iflags[] = { ISTRIP, INLCR, IGNCR, ICRNL, IUCLC, IXON, IXANY, IUTF8 };
	u8 out[LDISC_BUF];

	rng_seed(0x7e57, "fuzz_invariants");
	for (int round = 0; round < 200; round++) {
		struct k_termios t = ld.t;
		t.c_lflag = t.c_iflag = 0;
		for (size_t i = 0; i < sizeof(lflags) / sizeof(lflags[0]); i++)
			t.c_lflag |= rng_below(2) ? lflags[i] : 0;
		for (size_t i = 0; i < sizeof(iflags) / sizeof(iflags[0]); i++)
			t.c_iflag |= rng_below(2) ? iflags[i] : 0;
		t.c_oflag = rng_below(2) ? (u32)rng_below(0x10000) : OPOST | ONLCR;
		if (rng_below(4) == 0)
			t.c_cc[rng_below(K_NCCS)] = (u8)rng_below(256);
		ldisc_set_termios(&ld, &t);
		for (int i = 0, n = (int)rng_below(3000); i < n; i++) {
			ldisc_receive(&ld, (u8)(rng_below(3) ? rng_below(0x21) : rng_below(256)));
			assert_true(ld.tail <= ld.canon || !(ld.t.c_lflag & ICANON));
			assert_true(ld.canon <= ld.head);
			assert_true(ld.head - ld.tail <= LDISC_BUF);
			echo_len = 0;
		}
		size_t want = rng_below(sizeof(out)) + 1;
		size_t before = ld.head - ld.tail;
		size_t got = ldisc_read(&ld, out, want);
		assert_true(got <= want && got <= before);
		assert_true(ldisc_inq(&ld) <= ld.head - ld.tail);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(std_termios_is_linuxs, setup),
		cmocka_unit_test_setup(canonical_erase_gives_edited_line, setup),
		cmocka_unit_test_setup(canonical_read_stops_at_each_line, setup),
		cmocka_unit_test_setup(carriage_return_is_newline_under_icrnl, setup),
		cmocka_unit_test_setup(erase_on_empty_line_does_nothing, setup),
		cmocka_unit_test_setup(kill_erases_the_line_char_by_char, setup),
		cmocka_unit_test_setup(kill_without_echoke_echoes_the_key_and_newline, setup),
		cmocka_unit_test_setup(word_erase_takes_spaces_then_a_word, setup),
		cmocka_unit_test_setup(erase_of_control_char_takes_two_columns, setup),
		cmocka_unit_test_setup(erase_without_echoe_echoes_the_erase_key, setup),
		cmocka_unit_test_setup(erase_of_tab_backs_to_the_tab_stop, setup),
		cmocka_unit_test_setup(echoprt_shows_erased_bytes_between_slashes, setup),
		cmocka_unit_test_setup(utf8_erase_takes_the_whole_character, setup),
		cmocka_unit_test_setup(intr_echoes_signals_and_flushes, setup),
		cmocka_unit_test_setup(noflsh_keeps_input_on_signal, setup),
		cmocka_unit_test_setup(without_isig_intr_is_data, setup),
		cmocka_unit_test_setup(eof_ends_a_line_and_reads_as_nothing, setup),
		cmocka_unit_test_setup(eol_and_eol2_end_lines_and_are_kept, setup),
		cmocka_unit_test_setup(echo_off_and_echonl, setup),
		cmocka_unit_test_setup(lnext_quotes_the_next_byte, setup),
		cmocka_unit_test_setup(reprint_echoes_the_line_again, setup),
		cmocka_unit_test_setup(ixon_start_stop_are_not_data, setup),
		cmocka_unit_test_setup(istrip_and_iuclc, setup),
		cmocka_unit_test_setup(raw_newline_echo_depends_on_the_path, setup),
		cmocka_unit_test_setup(canon_switch_keeps_pending_input, setup),
		cmocka_unit_test_setup(noncanonical_poll_amount, setup),
		cmocka_unit_test_setup(vmin_vtime_four_cases, setup),
		cmocka_unit_test_setup(output_processing, setup),
		cmocka_unit_test_setup(full_canonical_line_still_takes_newline, setup),
		cmocka_unit_test_setup(flush_discards_everything, setup),
		cmocka_unit_test_setup(fuzz_invariants, setup),
	};

	hosttest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
