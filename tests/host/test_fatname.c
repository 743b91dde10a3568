/* tests/host/test_fatname.c: host tests of fs/fat/name.c: 8.3 names and their case flags, UTF-8 to
 * UTF-16 and back (surrogates, hostile bytes), checksums and "~N" aliases. No disk: pure functions. */
#include "hosttest.h"

#include <errno.h>
#include <string.h>

#include "../../fs/fat/name.h"

static void checksum_of_a_short_name(void **state)
{
	/* The spec's rotate-and-add, worked out independently for this name. */
	assert_int_equal(fat_checksum((const u8 *)"README  TXT"), 115);
}

static void utf8_to_units(void **state)
{
	u16 u[FAT_NAME_UNITS];
	char name[300];

	assert_int_equal(fat_utf8_to_units("a", 1, u), 1);
	assert_int_equal(u[0], 'a');
	assert_int_equal(fat_utf8_to_units("\xc3\xa9", 2, u), 1);
	assert_int_equal(u[0], 0xe9);
	assert_int_equal(fat_utf8_to_units("\xe2\x82\xac", 3, u), 1);
	assert_int_equal(u[0], 0x20ac);
	assert_int_equal(fat_utf8_to_units("\xf0\x9f\x98\x80", 4, u), 2);
	assert_int_equal(u[0], 0xd83d);
	assert_int_equal(u[1], 0xde00);
	/* Hostile or unstorable input. */
	assert_int_equal(fat_utf8_to_units("\xc0\x80", 2, u), -EINVAL);	    /* overlong NUL */
	assert_int_equal(fat_utf8_to_units("\xe0\x80\xaf", 3, u), -EINVAL);  /* overlong '/' */
	assert_int_equal(fat_utf8_to_units("\x80", 1, u), -EINVAL);	    /* lone continuation */
	assert_int_equal(fat_utf8_to_units("\xed\xa0\x80", 3, u), -EINVAL);  /* a surrogate */
	assert_int_equal(fat_utf8_to_units("\xf4\x90\x80\x80", 4, u), -EINVAL); /* past U+10FFFF */
	assert_int_equal(fat_utf8_to_units("\xc3", 1, u), -EINVAL);	    /* cut short */
	assert_int_equal(fat_utf8_to_units("a:b", 3, u), -EINVAL);
	assert_int_equal(fat_utf8_to_units("a\\b", 3, u), -EINVAL);
	assert_int_equal(fat_utf8_to_units("a\nb", 3, u), -EINVAL);
	assert_int_equal(fat_utf8_to_units("name.", 5, u), -EINVAL);
	assert_int_equal(fat_utf8_to_units("name ", 5, u), -EINVAL);
	assert_int_equal(fat_utf8_to_units("", 0, u), -EINVAL);
	memset(name, 'a', sizeof(name));
	assert_int_equal(fat_utf8_to_units(name, 255, u), 255);
	assert_int_equal(fat_utf8_to_units(name, 256, u), -ENAMETOOLONG);
}

static void long_names_back_to_utf8(void **state)
{
	u16 smile[] = { 'x', 0xd83d, 0xde00, 0, 0xffff };
	u16 lone[] = { 0xde00, 0 }, high[] = { 'a', 0xd83d, 'b', 0 }, slash[] = { 'a', '/', 0 };
	char out[FAT_NAME_BUF];

	assert_int_equal(fat_lfn_to_utf8(smile, 5, out), 5);
	assert_string_equal(out, "x\xf0\x9f\x98\x80");
	assert_int_equal(fat_lfn_to_utf8(lone, 2, out), -EINVAL);
	assert_int_equal(fat_lfn_to_utf8(high, 4, out), -EINVAL);
	assert_int_equal(fat_lfn_to_utf8(slash, 3, out), -EINVAL);
	assert_int_equal(fat_lfn_to_utf8(lone + 1, 1, out), -EINVAL); /* empty */
}

static void round_trip_of_random_names(void **state)
{
	rng_seed(0xfa7, "round_trip_of_random_names");
	for (int n = 0; n < 2000; n++) {
		char in[FAT_NAME_BUF], out[FAT_NAME_BUF];
		u16 u[FAT_NAME_UNITS];
		size_t len = 0;
		int chars = (int)rng_range(1, 60), got;
		for (int k = 0; k < chars; k++) {
			u32 c;
			do
				c = (u32)rng_range(0x20, rng_below(4) ? 0x7ff : 0x1ffff);
			while ((c >= 0xd800 && c <= 0xdfff) || (c < 0x80 && strchr("\"*/:<>?\\|.", (int)c)));
			if (c < 0x80) {
				in[len++] = (char)c;
			} else if (c < 0x800) {
				in[len++] = (char)(0xc0 | (c >> 6));
				in[len++] = (char)(0x80 | (c & 0x3f));
			} else if (c < 0x10000) {
				in[len++] = (char)(0xe0 | (c >> 12));
				in[len++] = (char)(0x80 | ((c >> 6) & 0x3f));
				in[len++] = (char)(0x80 | (c & 0x3f));
			} else {
				in[len++] = (char)(0xf0 | (c >> 18));
				in[len++] = (char)(0x80 | ((c >> 12) & 0x3f));
				in[len++] = (char)(0x80 | ((c >> 6) & 0x3f));
				in[len++] = (char)(0x80 | (c & 0x3f));
			}
		}
		in[len++] = 'z'; /* never a trailing space */
		got = fat_utf8_to_units(in, len, u);
		assert_true(got > 0);
		assert_int_equal(fat_lfn_to_utf8(u, (unsigned)got, out), (int)len);
		assert_memory_equal(in, out, len);
	}
}

static void fits_short(const char *name, const char *want, u8 want_nt)
{
	u16 u[FAT_NAME_UNITS];
	u8 out[11], nt = 0xff;
	int n = fat_utf8_to_units(name, strlen(name), u);

	assert_true(n > 0);
	if (!want) {
		assert_false(fat_fits_short(u, (unsigned)n, out, &nt));
		return;
	}
	assert_true(fat_fits_short(u, (unsigned)n, out, &nt));
	assert_memory_equal(out, want, 11);
	assert_int_equal(nt, want_nt);
}

static void which_names_fit_8_3(void **state)
{
	fits_short("README.TXT", "README  TXT", 0);
	fits_short("lower.txt", "LOWER   TXT", FAT_NT_LOWER_BASE | FAT_NT_LOWER_EXT);
	fits_short("x.TXT", "X       TXT", FAT_NT_LOWER_BASE);
	fits_short("NOEXT", "NOEXT      ", 0);
	fits_short("A~1-$.{}", "A~1-$   {} ", 0);
	fits_short("MixedCase.txt", NULL, 0);
	fits_short("a.b.c", NULL, 0);
	fits_short(".hidden", NULL, 0);
	fits_short("toolongname.txt", NULL, 0);
	fits_short("name.text", NULL, 0);
	fits_short("a b.txt", NULL, 0);
	fits_short("a+b.txt", NULL, 0);
	fits_short("\xc3\xa9t\xc3\xa9.txt", NULL, 0);
}

static void aliases(void **state)
{
	u16 u[FAT_NAME_UNITS];
	char base[9], ext[4];
	u8 out[11];
	int n;

	n = fat_utf8_to_units("MixedCase.Txt", 13, u);
	fat_alias_basis(u, (unsigned)n, base, ext);
	assert_string_equal(base, "MIXEDCAS");
	assert_string_equal(ext, "TXT");
	fat_alias_make(base, ext, 1, out);
	assert_memory_equal(out, "MIXEDC~1TXT", 11);
	assert_int_equal(fat_alias_number(out, base, ext), 1);
	fat_alias_make(base, ext, 12, out);
	assert_memory_equal(out, "MIXED~12TXT", 11);
	assert_int_equal(fat_alias_number(out, base, ext), 12);
	assert_int_equal(fat_alias_number((const u8 *)"MIXEDC~1DOC", base, ext), 0);
	assert_int_equal(fat_alias_number((const u8 *)"MIXEDCASTXT", base, ext), 0);
	assert_int_equal(fat_alias_number((const u8 *)"OTHERS~1TXT", base, ext), 0);
	n = fat_utf8_to_units(".bashrc", 7, u);
	fat_alias_basis(u, (unsigned)n, base, ext);
	assert_string_equal(base, "BASHRC");
	assert_string_equal(ext, "");
	fat_alias_make(base, ext, 3, out);
	assert_memory_equal(out, "BASHRC~3   ", 11);
	n = fat_utf8_to_units("a+b c.tar.gz", 12, u);
	fat_alias_basis(u, (unsigned)n, base, ext);
	assert_string_equal(base, "A_BCTAR");
	assert_string_equal(ext, "GZ");
	n = fat_utf8_to_units("\xd1\x84\xd0\xb0", 4, u);
	fat_alias_basis(u, (unsigned)n, base, ext);
	assert_string_equal(base, "__");
}

static void short_names_shown(void **state)
{
	struct fat_dirent de = { .ntres = 0 };
	char out[32];

	memcpy(de.name, "README  TXT", 11);
	assert_int_equal(fat_short_to_utf8(&de, out), 10);
	assert_string_equal(out, "README.TXT");
	de.ntres = FAT_NT_LOWER_BASE | FAT_NT_LOWER_EXT;
	assert_int_equal(fat_short_to_utf8(&de, out), 10);
	assert_string_equal(out, "readme.txt");
	memcpy(de.name, "\x05" "BC        ", 11);
	de.ntres = 0;
	assert_int_equal(fat_short_to_utf8(&de, out), 4);
	assert_string_equal(out, "\xc3\xa5" "BC"); /* 0x05 stands for a first byte 0xe5 */
	memcpy(de.name, "A/B        ", 11);
	assert_int_equal(fat_short_to_utf8(&de, out), -EINVAL);
	memcpy(de.name, "   X    TXT", 11);
	assert_int_equal(fat_short_to_utf8(&de, out), -EINVAL);
	memcpy(de.name, "A\x01         ", 11);
	assert_int_equal(fat_short_to_utf8(&de, out), -EINVAL);
}

static void case_blind_comparison(void **state)
{
	assert_true(fat_name_eq("ReadMe.TXT", 10, "readme.txt", 10));
	assert_false(fat_name_eq("readme.txt", 10, "readme.tx", 9));
	assert_false(fat_name_eq("\xc3\xa9", 2, "\xc3\x89", 2)); /* only ASCII folds */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(checksum_of_a_short_name),
		cmocka_unit_test(utf8_to_units),
		cmocka_unit_test(long_names_back_to_utf8),
		cmocka_unit_test(round_trip_of_random_names),
		cmocka_unit_test(which_names_fit_8_3),
		cmocka_unit_test(aliases),
		cmocka_unit_test(short_names_shown),
		cmocka_unit_test(case_blind_comparison),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
