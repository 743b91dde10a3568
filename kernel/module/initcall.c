/* kernel/module/initcall.c: runs the init functions of built-in drivers and filesystems at boot.
 * The same module_init() in a .ko is called by the loader instead. */
#include <granary/ksyms.h>
#include <granary/module.h>
#include <granary/printk.h>

extern const initcall_t __initcall_start[], __initcall_end[];

void initcall_run(void)
{
	for (const initcall_t *c = __initcall_start; c < __initcall_end; c++) {
		int err = (*c)();
		u64 off, size;
		const char *name;
		if (!err)
			continue;
		name = ksyms_lookup((u64)(uintptr_t)*c, &off, &size);
		pr_warn("initcall %s failed: error %d\n", name ? name : "?", err);
	}
}
