/* tests/host/data/moduser.c: moduser.ko for test_modelf: a module that uses modtest's exports.
 * Its undefined symbols are what a modules.dep generator would read. */
#include <granary/module.h>

int modtest_export(int x);
extern int modtest_value;

static int moduser_init(void)
{
	return modtest_export(modtest_value) > 0 ? 0 : -1;
}
module_init(moduser_init);
MODULE_LICENSE("GPL");
MODULE_INFO(name, "moduser");
MODULE_INFO(depends, "modtest");
