/* kernel/module/builtin.c: modules built into the kernel. MODULE_LICENSE() and MODULE_INFO() leave
 * "name.tag=value" strings in the image's .modinfo, and module_param() "name.param" entries in
 * __param: which names are built in, and their parameters set from the command line. */
#include <granary/errno.h>
#include <granary/module.h>
#include <granary/string.h>
#include "internal.h"

const char *modinfo_find(const char *info, size_t len, const char *mod, const char *tag)
{
	size_t mlen = mod ? strlen(mod) : 0, tlen = strlen(tag);

	for (size_t off = 0; off < len;) {
		const char *s = info + off;
		size_t n = strnlen(s, len - off);
		if (n == len - off)
			break; /* not NUL-terminated: not a tag */
		if (n > mlen + tlen + (mod ? 1 : 0) && (!mod || (!strncmp(s, mod, mlen) && s[mlen] == '.'))) {
			const char *t = s + mlen + (mod ? 1 : 0);
			if (!strncmp(t, tag, tlen) && t[tlen] == '=')
				return t + tlen + 1;
		}
		off += n + 1;
	}
	return NULL;
}

#ifndef HOST_TEST
extern const char __modinfo_start[], __modinfo_end[];
extern const struct module_param __param_start[], __param_end[];

bool module_builtin(const char *name)
{
	return *name && !strchr(name, '.') &&
	       modinfo_find(__modinfo_start, (size_t)(__modinfo_end - __modinfo_start), name, "file");
}

int module_builtin_param(const char *name, const char *val)
{
	const struct module_param *p =
		module_param_find(__param_start, (size_t)(__param_end - __param_start), name);

	/* Runs before the heap exists: a string parameter points into the kept command line. */
	return p ? module_param_set(p, val, NULL, NULL) : -ENOENT;
}
#endif
