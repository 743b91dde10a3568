/* kernel/module/ksymtab.c: the kernel's exported symbols (EXPORT_SYMBOL's __ksymtab) by name, through a
 * hash table built on first use. Modules' own exports are the loader's, in each struct module. */
#include <granary/errno.h>
#include <granary/module.h>
#include <granary/slab.h>
#include <granary/string.h>
#include "internal.h"

extern const struct kernel_symbol __ksymtab_start[], __ksymtab_end[];
extern const struct kernel_symbol __ksymtab_gpl_start[], __ksymtab_gpl_end[];

static const struct kernel_symbol **table;
static size_t table_size; /* a power of two, at least twice the exports */

static u32 hash(const char *s)
{
	u32 h = 2166136261u;

	while (*s)
		h = (h ^ (u8)*s++) * 16777619u;
	return h;
}

static void insert(const struct kernel_symbol *k)
{
	for (size_t i = hash(k->name) & (table_size - 1);; i = (i + 1) & (table_size - 1)) {
		if (!table[i]) {
			table[i] = k;
			return;
		}
	}
}

static int build(void)
{
	size_t n = (size_t)(__ksymtab_end - __ksymtab_start) + (size_t)(__ksymtab_gpl_end - __ksymtab_gpl_start);

	for (table_size = 16; table_size < 2 * n; table_size *= 2)
		;
	table = kzalloc(table_size * sizeof(*table));
	if (!table)
		return -ENOMEM;
	for (const struct kernel_symbol *k = __ksymtab_start; k < __ksymtab_end; k++)
		insert(k);
	for (const struct kernel_symbol *k = __ksymtab_gpl_start; k < __ksymtab_gpl_end; k++)
		insert(k);
	return 0;
}

int ksymtab_lookup(const char *name, u64 *addr)
{
	if (!table && build())
		return -ENOMEM;
	for (size_t i = hash(name) & (table_size - 1); table[i]; i = (i + 1) & (table_size - 1)) {
		if (!strcmp(table[i]->name, name)) {
			*addr = table[i]->addr;
			return 0;
		}
	}
	return -ENOENT;
}
