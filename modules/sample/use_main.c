/* modules/sample/use_main.c: a module that uses sample_export's sample_add(), so it depends on it
 * and must be loaded after it and unloaded before it. Its init fails when base is negative. */
#include <granary/errno.h>
#include <granary/module.h>
#include <granary/printk.h>
#include "sample.h"

static int sample_use_init(void)
{
	if (sample_base < 0) {
		pr_warn("sample_use: base %d is negative: refusing to load\n", sample_base);
		return -EINVAL;
	}
	pr_info("sample_use: hello %s, %d + 2 = %ld\n", sample_who, sample_base, sample_add(sample_base, 2));
	return 0;
}

static void sample_use_exit(void)
{
	pr_info("sample_use: goodbye %s (%lu calls)\n", sample_who, sample_calls());
}

module_init(sample_use_init);
module_exit(sample_use_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Sample module that calls sample_add() from sample_export");
MODULE_AUTHOR("Granary");
MODULE_VERSION("1.0");
