/* tests/host/test_modparam.c: host tests of module parameters (kernel/module/param.c) and of .modinfo
 * lookups (kernel/module/builtin.c, HOST_TEST part): each type's accepted and refused values, string
 * pools, module_param()'s "module.param" names built in, built-in and plain tag lookups. */
#include "hosttest.h"

#include <string.h>

#include <granary/errno.h>
#include <granary/module.h>
#include "../../kernel/module/internal.h"

/* Compiled as built-in code of a unit "hostmod" (the Makefile gives KBUILD_MODNAME and
 * KBUILD_MODFILE as the kernel build does): module_param() prefixes the names. */
static int level = 3;
static unsigned count = 7;
static bool verbose;
static char *who = "world";
module_param(level, int, 0644);
module_param(count, uint, 0444);
module_param(verbose, bool, 0644);
module_param(who, charp, 0444);

/* __param of this program: the four above, in some order. */
extern const struct module_param __start___param[], __stop___param[];
#define PARAMS __start___param, (size_t)(__stop___param - __start___param)

static const struct module_param *param(const char *name)
{
	const struct module_param *p = module_param_find(PARAMS, name);

	assert_non_null(p);
	return p;
}

static void test_builtin_names_carry_the_module(void **state)
{
	assert_int_equal(__stop___param - __start___param, 4);
	assert_ptr_equal(param("hostmod.level")->ptr, &level);
	assert_int_equal(param("hostmod.count")->type, MPT_UINT);
	assert_int_equal(param("hostmod.verbose")->type, MPT_BOOL);
	assert_int_equal(param("hostmod.who")->perm, 0444);
	/* The plain name, or another module's, is not this parameter. */
	assert_null(module_param_find(PARAMS, "level"));
	assert_null(module_param_find(PARAMS, "other.level"));
	assert_null(module_param_find(PARAMS, "hostmod.lev"));
	assert_null(module_param_find(PARAMS, "hostmod.levels"));
	assert_null(module_param_find(PARAMS, "hostmod."));
	assert_null(module_param_find(PARAMS, ""));
	assert_null(module_param_find(NULL, 0, "hostmod.level"));
}

static void test_int(void **state)
{
	const struct module_param *p = param("hostmod.level");

	assert_int_equal(module_param_set(p, "42", NULL, NULL), 0);
	assert_int_equal(level, 42);
	assert_int_equal(module_param_set(p, "-2147483648", NULL, NULL), 0);
	assert_int_equal(level, -2147483647 - 1);
	assert_int_equal(module_param_set(p, "2147483647", NULL, NULL), 0);
	assert_int_equal(level, 2147483647);
	assert_int_equal(module_param_set(p, "0x10", NULL, NULL), 0);
	assert_int_equal(level, 16);
	/* Refused values leave the variable as it was. */
	static const char *const bad[] = { "2147483648", "-2147483649", "abc", "", "12x", "1 2" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(module_param_set(p, bad[i], NULL, NULL), -EINVAL);
		assert_int_equal(level, 16);
	}
	/* A bare "level" is an empty value: refused for a number. */
	assert_int_equal(module_param_set(p, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(level, 16);
}

static void test_uint(void **state)
{
	const struct module_param *p = param("hostmod.count");

	assert_int_equal(module_param_set(p, "4294967295", NULL, NULL), 0);
	assert_int_equal(count, 4294967295u);
	assert_int_equal(module_param_set(p, "0", NULL, NULL), 0);
	assert_int_equal(count, 0);
	assert_int_equal(module_param_set(p, "4294967296", NULL, NULL), -EINVAL);
	assert_int_equal(module_param_set(p, "-1", NULL, NULL), -EINVAL);
	assert_int_equal(count, 0);
}

static void test_bool(void **state)
{
	const struct module_param *p = param("hostmod.verbose");
	static const char *const yes[] = { "1", "y", "Y", "true" }, *const no[] = { "0", "n", "N", "false" };

	for (size_t i = 0; i < 4; i++) {
		verbose = false;
		assert_int_equal(module_param_set(p, yes[i], NULL, NULL), 0);
		assert_true(verbose);
		assert_int_equal(module_param_set(p, no[i], NULL, NULL), 0);
		assert_false(verbose);
	}
	/* A bare "verbose" turns it on. */
	assert_int_equal(module_param_set(p, NULL, NULL, NULL), 0);
	assert_true(verbose);
	assert_int_equal(module_param_set(p, "yes", NULL, NULL), -EINVAL);
	assert_int_equal(module_param_set(p, "", NULL, NULL), -EINVAL);
	assert_true(verbose);
}

static void test_charp(void **state)
{
	const struct module_param *p = param("hostmod.who");
	char line[] = "kept", pool[10], *at = pool;
	size_t left = sizeof(pool);

	/* Without a pool (built in) the variable points at the value itself. */
	assert_int_equal(module_param_set(p, line, NULL, NULL), 0);
	assert_ptr_equal(who, line);
	assert_int_equal(module_param_set(p, NULL, NULL, NULL), 0);
	assert_string_equal(who, "");
	/* With one (the loader) it gets a copy, and the pool shrinks by the copy's size. */
	assert_int_equal(module_param_set(p, "abcd", &at, &left), 0);
	assert_ptr_equal(who, pool);
	assert_string_equal(who, "abcd");
	assert_ptr_equal(at, pool + 5);
	assert_int_equal(left, 5);
	assert_int_equal(module_param_set(p, "wxyz", &at, &left), 0);
	assert_string_equal(who, "wxyz");
	assert_int_equal(left, 0);
	assert_int_equal(module_param_set(p, "", &at, &left), -ENOSPC);
	assert_string_equal(who, "wxyz");
	assert_string_equal(pool, "abcd");
}

/* A built-in image's .modinfo as the kernel keeps it. */
static const char builtin_info[] = "fat.license=GPL\0fat.file=fs/fat/fat\0virtio_blk.file=drivers/virtio/"
				   "virtio_blk\0sample_use.parm=sample_base:the number\0fa.file=x\0"
				   "fatter.file=y\0noprefixfile=z\0";

static void test_builtin_lookup(void **state)
{
	const size_t len = sizeof(builtin_info) - 1; /* the section's bytes, last NUL included */

	assert_string_equal(modinfo_find(builtin_info, len, "fat", "file"), "fs/fat/fat");
	assert_string_equal(modinfo_find(builtin_info, len, "fat", "license"), "GPL");
	assert_string_equal(modinfo_find(builtin_info, len, "virtio_blk", "file"), "drivers/virtio/virtio_blk");
	assert_string_equal(modinfo_find(builtin_info, len, "sample_use", "parm"), "sample_base:the number");
	assert_string_equal(modinfo_find(builtin_info, len, "fa", "file"), "x");
	assert_string_equal(modinfo_find(builtin_info, len, "fatter", "file"), "y");
	/* Prefixes of names and tags do not match. */
	assert_null(modinfo_find(builtin_info, len, "f", "file"));
	assert_null(modinfo_find(builtin_info, len, "fatt", "file"));
	assert_null(modinfo_find(builtin_info, len, "fat", "fil"));
	assert_null(modinfo_find(builtin_info, len, "fat", "licens"));
	assert_null(modinfo_find(builtin_info, len, "sample_use", "file"));
	assert_null(modinfo_find(builtin_info, len, "noprefix", "file"));
	assert_null(modinfo_find(builtin_info, len, "", "file"));
	assert_null(modinfo_find(builtin_info, 0, "fat", "file"));
	assert_null(modinfo_find(NULL, 0, "fat", "file"));
}

static void test_plain_lookup(void **state)
{
	static const char info[] = "name=fat\0version=1.0\0versions=2\0=empty\0license=GPL";

	assert_string_equal(modinfo_find(info, sizeof(info), NULL, "version"), "1.0");
	assert_string_equal(modinfo_find(info, sizeof(info), NULL, "versions"), "2");
	assert_string_equal(modinfo_find(info, sizeof(info), NULL, "license"), "GPL");
	assert_string_equal(modinfo_find(info, sizeof(info), NULL, ""), "empty");
	assert_null(modinfo_find(info, sizeof(info), NULL, "vers"));
	/* The last string cut short of its NUL is not read (nor past it). */
	assert_null(modinfo_find(info, sizeof(info) - 1, NULL, "license"));
	assert_null(modinfo_find(info, sizeof(info) - 2, NULL, "license"));
	assert_string_equal(modinfo_find(info, sizeof(info) - 2, NULL, "name"), "fat");
	/* Built-in style lookups in a plain blob find nothing. */
	assert_null(modinfo_find(info, sizeof(info), "name", "fat"));
}

/* Random blobs of short strings: what is found is always a whole tag's value, never past len. */
static void test_random_blobs(void **state)
{
	static const char *const parts[] = { "a", "ab", "b", ".", "=", "a.", "a=", "a.b=", "ab.b=v", "\0" };
	char blob[64];

	rng_seed(0x6d6f64696e666full, "modinfo random blobs");
	for (int round = 0; round < 20000; round++) {
		size_t len = 0;
		while (len < sizeof(blob) - 8 && rng_below(8)) {
			const char *s = parts[rng_below(sizeof(parts) / sizeof(parts[0]))];
			size_t n = *s ? strlen(s) : 1;
			memcpy(blob + len, s, n);
			len += n;
		}
		char *copy = malloc(len ? len : 1); /* exactly len bytes, so ASan sees any overread */
		memcpy(copy, blob, len);
		const char *v = modinfo_find(copy, len, rng_below(2) ? "a" : NULL, rng_below(2) ? "b" : "a");
		if (v) {
			assert_true(v > copy && v <= copy + len);
			assert_non_null(memchr(v, '\0', (size_t)(copy + len - v)));
			assert_int_equal(v[-1], '=');
		}
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_names_carry_the_module),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_charp),
		cmocka_unit_test(test_builtin_lookup),
		cmocka_unit_test(test_plain_lookup),
		cmocka_unit_test(test_random_blobs),
	};

	hosttest_init();
	return cmocka_run_group_tests_name("modparam", tests, NULL, NULL);
}
