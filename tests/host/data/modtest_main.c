/* tests/host/data/modtest_main.c: the C half of modtest.ko, the module test_modelf loads on the host.
 * Built with the kernel's module flags; never run: only its relocated bytes are checked. */
#include <granary/module.h>

extern int ext_counter;
int ext_func(int x);

int modtest_value = 42;
static int modtest_bss[16];
static const char greeting[] = "hello from modtest";
static int level = 7;
module_param(level, int, 0644);
MODULE_PARM_DESC(level, "how loud");

int modtest_export(int x)
{
	return ext_func(x) + ext_counter + modtest_bss[x & 15] + level;
}
EXPORT_SYMBOL(modtest_export);
EXPORT_SYMBOL_GPL(modtest_value);

static int modtest_init(void)
{
	modtest_bss[0] = greeting[modtest_value & 7];
	return 0;
}

static void modtest_exit(void)
{
	modtest_bss[1] = 0;
}

module_init(modtest_init);
module_exit(modtest_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("host test module");
MODULE_INFO(name, "modtest");
