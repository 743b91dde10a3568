/* tests/host/test_keymap.c: host tests of the scancode set 1 translation (drivers/input/keymap.c).
 * Exact bytes for letters, Shift/Caps Lock/Ctrl/Alt, arrows and function keys, prefixes and releases. */
#include "hosttest.h"

#include <string.h>

#include "../../drivers/input/keymap.h"

static struct kbd_state st;
static char got[256];
static size_t got_len;

static int setup(void **state)
{
	memset(&st, 0, sizeof(st));
	got_len = 0;
	return 0;
}

/* Feeds scancode bytes, collecting everything produced. */
static void keys(const u8 *codes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char out[KBD_MAX_OUT + 8];
		memset(out, 0x55, sizeof(out));
		size_t k = kbd_translate(&st, codes[i], out);
		assert_true(k <= KBD_MAX_OUT);
		assert_int_equal((u8)out[k], 0x55); /* nothing written past the count */
		memcpy(got + got_len, out, k);
		got_len += k;
	}
}
#define KEYS(...)                                                    \
	do {                                                         \
		static const u8 c_[] = { __VA_ARGS__ };              \
		keys(c_, sizeof(c_));                                \
	} while (0)
#define GOT(s)                                                       \
	do {                                                         \
		assert_int_equal(got_len, sizeof(s) - 1);            \
		assert_memory_equal(got, s, sizeof(s) - 1);          \
		got_len = 0;                                         \
	} while (0)

static void whole_main_block_unshifted_and_shifted(void **state)
{
	/* Every character key from Esc (0x01) to Space (0x39), in make-code order. */
	static const char plain[] = "\0331234567890-=\x7f\tqwertyuiop[]\rasdfghjkl;'`\\zxcvbnm,./* ";
	static const char shifted[] = "\033!@#$%^&*()_+\x7f\tQWERTYUIOP{}\rASDFGHJKL:\"~|ZXCVBNM<>?* ";

	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			KEYS(0x2a);
		for (u8 c = 0x01; c <= 0x39; c++)
			if (c != 0x1d && c != 0x2a && c != 0x36 && c != 0x38)
				keys(&c, 1);
		assert_int_equal(got_len, sizeof(plain) - 1);
		assert_memory_equal(got, pass ? shifted : plain, sizeof(plain) - 1);
		got_len = 0;
	}
}

static void releases_give_nothing(void **state)
{
	KEYS(0x1e, 0x9e, 0x30, 0xb0);
	GOT("ab");
}

static void shift_is_held_until_released(void **state)
{
	KEYS(0x36, 0x1e, 0x2a, 0xb6, 0x1e, 0xaa, 0x1e);
	GOT("AAa");
}

static void caps_lock_inverts_letters_only(void **state)
{
	KEYS(0x3a, 0xba, 0x1e, 0x02, 0x2a, 0x1e, 0x02, 0xaa, 0x3a, 0xba, 0x1e);
	GOT("A1a!a");
}

static void ctrl_letter_gives_control_byte(void **state)
{
	KEYS(0x1d, 0x2e, 0x20, 0x1a, 0x39, 0x9d, 0x2e);
	GOT("\x03\x04\x1b\0c");
	/* Right Ctrl (e0 1d) too, and Caps Lock does not change ^C. */
	KEYS(0x3a, 0xe0, 0x1d, 0x2e, 0xe0, 0x9d, 0x2e);
	GOT("\x03" "C");
}

static void alt_prefixes_escape(void **state)
{
	KEYS(0x38, 0x1e, 0xb8, 0x1e);
	GOT("\033aa");
}

static void arrows_and_editing_keys(void **state)
{
	KEYS(0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x50, 0xe0, 0x4d, 0xe0, 0x4b);
	GOT("\033[A\033[B\033[C\033[D");
	KEYS(0xe0, 0x47, 0xe0, 0x4f, 0xe0, 0x52, 0xe0, 0x53, 0xe0, 0x49, 0xe0, 0x51);
	GOT("\033[1~\033[4~\033[2~\033[3~\033[5~\033[6~");
	/* Fake shifts around them change nothing. */
	KEYS(0xe0, 0x2a, 0xe0, 0x48, 0xe0, 0xaa, 0x1e);
	GOT("\033[Aa");
}

static void keypad_follows_num_lock(void **state)
{
	KEYS(0x48, 0x4a, 0x4e, 0x37);
	GOT("\033[A-+*");
	KEYS(0x45, 0xc5, 0x47, 0x48, 0x49, 0x4b, 0x4c, 0x4d, 0x4f, 0x50, 0x51, 0x52, 0x53);
	GOT("789456123" "0.");
	KEYS(0xe0, 0x1c, 0xe0, 0x35);
	GOT("\r/");
}

static void function_keys(void **state)
{
	KEYS(0x3b, 0x3f, 0x40, 0x44, 0x57, 0x58);
	GOT("\033[[A\033[[E\033[17~\033[21~\033[23~\033[24~");
}

static void pause_and_controller_bytes_are_ignored(void **state)
{
	KEYS(0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0xfa, 0xfe, 0x00, 0xff, 0x1e);
	GOT("a");
	assert_int_equal(st.num, false);
	assert_int_equal(st.mods, 0);
}

static void random_bytes_stay_in_bounds(void **state)
{
	rng_seed(0x6b64, "random_bytes_stay_in_bounds");
	for (int i = 0; i < 100000; i++) {
		u8 c = (u8)rng_below(256);
		keys(&c, 1);
		got_len = 0;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(whole_main_block_unshifted_and_shifted, setup),
		cmocka_unit_test_setup(releases_give_nothing, setup),
		cmocka_unit_test_setup(shift_is_held_until_released, setup),
		cmocka_unit_test_setup(caps_lock_inverts_letters_only, setup),
		cmocka_unit_test_setup(ctrl_letter_gives_control_byte, setup),
		cmocka_unit_test_setup(alt_prefixes_escape, setup),
		cmocka_unit_test_setup(arrows_and_editing_keys, setup),
		cmocka_unit_test_setup(keypad_follows_num_lock, setup),
		cmocka_unit_test_setup(function_keys, setup),
		cmocka_unit_test_setup(pause_and_controller_bytes_are_ignored, setup),
		cmocka_unit_test_setup(random_bytes_stay_in_bounds, setup),
	};

	hosttest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
