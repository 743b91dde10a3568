/* userland/sbin/modcommon.h: what Granary's insmod, rmmod, lsmod, modinfo and modprobe share: where
 * modules live, error messages, loading one by name or path. Header-only; each tool is one program. */
#ifndef MODCOMMON_H
#define MODCOMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <uapi/granary.h>

static const char *tool = "mod";

/* /lib/modules/<release> */
static inline const char *mod_dir(void)
{
	static char dir[128];
	struct utsname u;

	if (!dir[0])
		snprintf(dir, sizeof(dir), "/lib/modules/%s", uname(&u) ? "?" : u.release);
	return dir;
}

/* Prints "tool: cannot VERB NAME: reason" for err (negative) and why from the kernel; a built-in
 * module's refusal names it already: "tool: fat is built into the kernel". */
static inline int mod_fail(const char *verb, const char *name, long err, const char *why)
{
	const char *reason = why && why[0] ? why
			     : err == -EPERM  ? "permission denied (loading modules needs root, outside silos)"
			     : err == -EEXIST ? "already loaded"
			     : err == -ENOENT ? "no such module"
			     : err == -EBUSY  ? "in use"
					      : strerror((int)-err);

	if (strstr(reason, " is built into the kernel"))
		fprintf(stderr, "%s: %s\n", tool, reason);
	else
		fprintf(stderr, "%s: cannot %s %s: %s\n", tool, verb, name, reason);
	return 1;
}

/* Strips a directory and ".ko" from a path: the module name, in buf. */
static inline const char *mod_name(const char *arg, char *buf, size_t size)
{
	const char *base = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;
	size_t len = strlen(base);

	if (len > 3 && !strcmp(base + len - 3, ".ko"))
		len -= 3;
	snprintf(buf, size, "%.*s", (int)len, base);
	return buf;
}

/* Whether modules.builtin lists name ("kernel/fs/fat/fat.ko" for fat): it is built into the kernel. */
static inline int mod_builtin(const char *name)
{
	char path[256], line[512], base[64];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/modules.builtin", mod_dir());
	f = fopen(path, "r");
	while (f && !found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		found = !strcmp(mod_name(line, base, sizeof(base)), name);
	}
	if (f)
		fclose(f);
	return found;
}

/* Joins argv[from..] into "a=1 b=2" params (NULL for none). */
static inline char *mod_params(int argc, char **argv, int from)
{
	size_t len = 1;
	char *p;

	if (from >= argc)
		return NULL;
	for (int i = from; i < argc; i++)
		len += strlen(argv[i]) + 1;
	p = calloc(1, len);
	for (int i = from; p && i < argc; i++) {
		strcat(p, argv[i]);
		if (i + 1 < argc)
			strcat(p, " ");
	}
	return p;
}

/* Loads arg, a path (with a '/') or a name from mod_dir(): 0, or prints why and returns 1. An
 * already loaded module is fine when quiet_exists. */
static inline int mod_load(const char *arg, const char *params, int quiet_exists)
{
	char why[192], name[64];
	int by_path = strchr(arg, '/') != NULL;
	long r = module_load(by_path ? MODULE_LOAD_PATH : MODULE_LOAD_NAME, arg, 0, params, why, sizeof(why));

	if (r >= 0 || (r == -EEXIST && quiet_exists))
		return 0;
	if (r == -ENOENT && !why[0])
		snprintf(why, sizeof(why), "not found%s%s", by_path ? "" : " in ", by_path ? "" : mod_dir());
	return mod_fail("load", mod_name(arg, name, sizeof(name)), r, why);
}

#endif
