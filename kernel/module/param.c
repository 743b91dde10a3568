/* kernel/module/param.c: module parameters: a value parsed into the variable module_param() names,
 * for the loader ("name=value" at load time) and for built-in modules (the command line). Pure. */
#include <granary/errno.h>
#include <granary/string.h>
#include "internal.h"

const struct module_param *module_param_find(const struct module_param *tab, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(tab[i].name, name))
			return &tab[i];
	return NULL;
}

int module_param_set(const struct module_param *p, const char *val, char **pool, size_t *left)
{
	u64 u;
	s64 s;

	if (!val)
		val = p->type == MPT_BOOL ? "1" : ""; /* a bare "name" */
	switch (p->type) {
	case MPT_INT:
		if (kstrtos64(val, &s) || s < -2147483648LL || s > 2147483647LL)
			return -EINVAL;
		*(int *)p->ptr = (int)s;
		return 0;
	case MPT_UINT:
		if (kstrtou64(val, &u) || u > 0xffffffffULL)
			return -EINVAL;
		*(unsigned *)p->ptr = (unsigned)u;
		return 0;
	case MPT_BOOL:
		if (!strcmp(val, "1") || !strcmp(val, "y") || !strcmp(val, "Y") || !strcmp(val, "true"))
			*(bool *)p->ptr = true;
		else if (!strcmp(val, "0") || !strcmp(val, "n") || !strcmp(val, "N") || !strcmp(val, "false"))
			*(bool *)p->ptr = false;
		else
			return -EINVAL;
		return 0;
	case MPT_CHARP: {
		size_t len = strlen(val) + 1;
		if (!pool) {
			*(const char **)p->ptr = val;
			return 0;
		}
		if (len > *left)
			return -ENOSPC;
		memcpy(*pool, val, len);
		*(char **)p->ptr = *pool;
		*pool += len;
		*left -= len;
		return 0;
	}
	}
	return -EINVAL;
}
