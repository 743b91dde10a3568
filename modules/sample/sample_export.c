/* modules/sample/sample_export.c: a module that exports a function (sample_add) for others to use.
 * Shows EXPORT_SYMBOL, the .modinfo tags and a counter that proves which module calls in. */
#include <granary/module.h>
#include <granary/printk.h>
#include "sample.h"

static unsigned long calls;

/* Returns a + b and counts the call. */
long sample_add(long a, long b)
{
	calls++;
	return a + b;
}
EXPORT_SYMBOL(sample_add);

/* The number of sample_add calls so far. */
unsigned long sample_calls(void)
{
	return calls;
}
EXPORT_SYMBOL(sample_calls);

static int sample_export_init(void)
{
	pr_info("sample_export: loaded\n");
	return 0;
}

static void sample_export_exit(void)
{
	pr_info("sample_export: unloaded after %lu calls\n", calls);
}

module_init(sample_export_init);
module_exit(sample_export_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Sample module that exports sample_add()");
MODULE_AUTHOR("Granary");
MODULE_VERSION("1.0");
