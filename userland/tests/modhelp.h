/* userland/tests/modhelp.h: module helpers for the tests: a filesystem type made available before a
 * mount (its module loaded by name when /proc/filesystems lacks it), and whether the samples are .ko files. */
#ifndef MODHELP_H
#define MODHELP_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <uapi/granary.h>
#include <uapi/module.h>

/* True if /proc/filesystems lists type ("nodev\ttype" or "\ttype"). */
static inline int fs_listed(const char *type)
{
	char line[128];
	int found = 0;
	FILE *f = fopen("/proc/filesystems", "r");

	while (f && !found && fgets(line, sizeof(line), f)) {
		char *name = strchr(line, '\t');
		name = name ? name + 1 : line;
		name[strcspn(name, "\n")] = '\0';
		found = !strcmp(name, type);
	}
	if (f)
		fclose(f);
	return found;
}

/* 0 if type is there, or was made so by loading module; else -1 with the reason printed as a
 * TAP diagnostic. */
static inline int need_fs(const char *type, const char *module)
{
	char why[192] = "";

	if (fs_listed(type))
		return 0;
	if (syscall(__GR_NR_module_load, MODULE_LOAD_NAME, module, 0L, NULL, why, sizeof(why)) < 0) {
		printf("# loading %s for %s: %s (%s)\n", module, type, strerror(errno), why);
		return -1;
	}
	printf("# %s: loaded module %s\n", type, module);
	return fs_listed(type) ? 0 : -1;
}

/* True if this configuration built the sample modules as .ko files (not built in or left out,
 * and the kernel has the loader): what the module tests load. */
static inline int samples_are_modules(const struct utsname *u)
{
	char path[256];

	snprintf(path, sizeof(path), "/lib/modules/%s/sample_export.ko", u->release);
	return !access(path, R_OK);
}

#endif
