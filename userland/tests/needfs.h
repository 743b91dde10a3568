/* userland/tests/needfs.h: makes a filesystem type available before a test mounts it, loading its
 * module by name (Granary's module_load) when /proc/filesystems does not list the type yet. */
#ifndef NEEDFS_H
#define NEEDFS_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
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

#endif
