/* tests/host/test_ksyms.c: host tests of ksyms_lookup_in() from kernel/ksyms.c (HOST_TEST part).
 * Hand-built tables with every boundary, then random sorted tables against a linear scan. */
#include "hosttest.h"

#include <string.h>

#include <granary/ksyms.h>

#define UNTOUCHED 0x5555555555555555ull

/* Names blob: each name's offset is its 'name' field below. */
static const char names[] = "\0start\0mid\0unsized\0end";
#define N_START 1
#define N_MID 7
#define N_UNSIZED 11
#define N_END 19

static const struct ksym syms[] = {
	{ 0x1000, 0x10, N_START },
	{ 0x1010, 0x20, N_MID },   /* ends at 0x1030: a gap follows */
	{ 0x2000, 0, N_UNSIZED },  /* no size: reaches up to end */
	{ 0x3000, 0x8, N_END },
};
static const struct ksym_table table = { syms, 4, names };

/* addr must resolve to name at offset off in a symbol of size size, or (name NULL) to
 * nothing, leaving *offset and *size untouched. */
static void expect_sym(const struct ksym_table *t, u64 addr, const char *name, u64 off, u64 size)
{
	u64 got_off = UNTOUCHED, got_size = UNTOUCHED;
	const char *got = ksyms_lookup_in(t, addr, &got_off, &got_size);

	if (!name) {
		if (got)
			printf("# %#llx resolved to %s\n", (unsigned long long)addr, got);
		assert_null(got);
		assert_int_equal(got_off, UNTOUCHED);
		assert_int_equal(got_size, UNTOUCHED);
		return;
	}
	if (!got || strcmp(got, name) || got_off != off || got_size != size)
		printf("# %#llx resolved to %s+%#llx/%#llx, not %s+%#llx/%#llx\n",
		       (unsigned long long)addr, got ? got : "nothing", (unsigned long long)got_off,
		       (unsigned long long)got_size, name, (unsigned long long)off,
		       (unsigned long long)size);
	assert_non_null(got);
	assert_string_equal(got, name);
	assert_int_equal(got_off, off);
	assert_int_equal(got_size, size);
}

static void test_before_first_symbol(void **state)
{
	expect_sym(&table, 0, NULL, 0, 0);
	expect_sym(&table, 0xfff, NULL, 0, 0);
}

static void test_sized_symbols(void **state)
{
	expect_sym(&table, 0x1000, "start", 0, 0x10);
	expect_sym(&table, 0x100f, "start", 0xf, 0x10);
	expect_sym(&table, 0x1010, "mid", 0, 0x20); /* adjacent: the next one starts */
	expect_sym(&table, 0x102f, "mid", 0x1f, 0x20);
	expect_sym(&table, 0x3000, "end", 0, 0x8);
	expect_sym(&table, 0x3007, "end", 7, 0x8);
}

static void test_past_a_sized_symbol(void **state)
{
	expect_sym(&table, 0x1030, NULL, 0, 0); /* one past mid, in the gap */
	expect_sym(&table, 0x1fff, NULL, 0, 0);
	expect_sym(&table, 0x3008, NULL, 0, 0);
	expect_sym(&table, UINT64_MAX, NULL, 0, 0);
}

static void test_unsized_reaches_next(void **state)
{
	expect_sym(&table, 0x2000, "unsized", 0, 0);
	expect_sym(&table, 0x2fff, "unsized", 0xfff, 0);

	/* A last symbol without a size reaches the top of the address space. */
	static const struct ksym one[] = { { 0xffffffff80000000ull, 0, N_END } };
	const struct ksym_table t = { one, 1, names };
	expect_sym(&t, 0xffffffff80000000ull, "end", 0, 0);
	expect_sym(&t, UINT64_MAX, "end", 0x7fffffff, 0);
	expect_sym(&t, 0xffffffff7fffffffull, NULL, 0, 0);
}

static void test_empty_table(void **state)
{
	const struct ksym_table t = { syms, 0, names };

	expect_sym(&t, 0, NULL, 0, 0);
	expect_sym(&t, 0x1000, NULL, 0, 0);
	expect_sym(&t, UINT64_MAX, NULL, 0, 0);
}

static void test_optional_outputs(void **state)
{
	u64 off = UNTOUCHED, size = UNTOUCHED;

	assert_string_equal(ksyms_lookup_in(&table, 0x1012, NULL, NULL), "mid");
	assert_string_equal(ksyms_lookup_in(&table, 0x1012, &off, NULL), "mid");
	assert_int_equal(off, 2);
	assert_string_equal(ksyms_lookup_in(&table, 0x1012, NULL, &size), "mid");
	assert_int_equal(size, 0x20);
}

/* Aliases at one address: the lookup gives the last entry of the run. */
static void test_aliases(void **state)
{
	static const struct ksym aliased[] = {
		{ 0x1000, 0x10, N_START },
		{ 0x1000, 0x40, N_MID },
		{ 0x2000, 0x10, N_END },
	};
	const struct ksym_table t = { aliased, 3, names };

	expect_sym(&t, 0x1000, "mid", 0, 0x40);
	expect_sym(&t, 0x1020, "mid", 0x20, 0x40);
	expect_sym(&t, 0x1040, NULL, 0, 0);
}

/* Reference: the last symbol at or below addr, by a scan from the start. */
static const struct ksym *ref_lookup(const struct ksym_table *t, u64 addr)
{
	const struct ksym *best = NULL;

	for (u64 i = 0; i < t->count; i++)
		if (t->syms[i].addr <= addr)
			best = &t->syms[i];
	if (best && best->size && addr - best->addr >= best->size)
		return NULL;
	return best;
}

static void check_against_reference(const struct ksym_table *t, u64 addr)
{
	const struct ksym *want = ref_lookup(t, addr);

	expect_sym(t, addr, want ? t->names + want->name : NULL, want ? addr - want->addr : 0,
		   want ? want->size : 0);
}

static void test_random_tables_match_linear_scan(void **state)
{
	enum { MAX_SYMS = 300 };
	static struct ksym rsyms[MAX_SYMS];
	static char rnames[MAX_SYMS * 8];
	int found = 0, missed = 0;

	rng_seed(0x6b73796d73ull, "ksyms vs linear scan");
	for (int round = 0; round < 1000; round++) {
		u64 count = rng_below(MAX_SYMS) + 1, addr = rng_below(2) ? 0 : rng_next() >> 1;
		const struct ksym_table t = { rsyms, count, rnames };
		size_t off = 0;

		/* Sorted addresses with gaps of 0 (aliases) to large, sizes 0 to beyond the gap. */
		for (u64 i = 0; i < count; i++) {
			u64 gap = rng_below(4) == 0 ? 0 : rng_below(0x100) + 1;
			addr = addr + gap < addr ? addr : addr + gap; /* saturate at the top */
			rsyms[i].addr = addr;
			rsyms[i].size = rng_below(3) == 0 ? 0 : (u32)rng_below(0x120);
			rsyms[i].name = off;
			off += snprintf(rnames + off, sizeof(rnames) - off, "s%llu", (unsigned long long)i) + 1;
		}
		for (int k = 0; k < 200; k++) {
			u64 first = rsyms[0].addr, last = rsyms[count - 1].addr + 0x200;
			u64 a = first - 0x10 + rng_below(last - first + 0x20);
			check_against_reference(&t, a);
			found += ref_lookup(&t, a) != NULL;
			missed += ref_lookup(&t, a) == NULL;
		}
		/* Every boundary: each start, one before it, its end and one before the end. */
		for (u64 i = 0; i < count; i++) {
			check_against_reference(&t, rsyms[i].addr);
			check_against_reference(&t, rsyms[i].addr - 1);
			check_against_reference(&t, rsyms[i].addr + rsyms[i].size);
			check_against_reference(&t, rsyms[i].addr + rsyms[i].size - 1);
		}
		check_against_reference(&t, 0);
		check_against_reference(&t, UINT64_MAX);
	}
	printf("# random addresses: %d in a symbol, %d in none\n", found, missed);
	assert_true(found > 20000 && missed > 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_first_symbol),
		cmocka_unit_test(test_sized_symbols),
		cmocka_unit_test(test_past_a_sized_symbol),
		cmocka_unit_test(test_unsized_reaches_next),
		cmocka_unit_test(test_empty_table),
		cmocka_unit_test(test_optional_outputs),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_random_tables_match_linear_scan),
	};

	hosttest_init();
	return cmocka_run_group_tests_name("ksyms", tests, NULL, NULL);
}
