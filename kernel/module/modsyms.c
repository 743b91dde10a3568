/* kernel/module/modsyms.c: a loaded module's own symbols, so that backtraces and /proc/kallsyms name
 * code in modules: its function and object symbols, kept while it is loaded. */
#include <granary/errno.h>
#include <granary/ksyms.h>
#include <granary/seqbuf.h>
#include <granary/slab.h>
#include <granary/string.h>
#include "internal.h"

/* Symbols worth naming: functions and objects, named, in a section that was loaded. */
static bool wanted(const struct modelf *e, const struct modelf_layout *l, unsigned i)
{
	const Elf64_Sym *y = &e->sym[i];
	unsigned type = ELF64_ST_TYPE(y->st_info);

	if (type != STT_FUNC && type != STT_OBJECT)
		return false;
	if (y->st_shndx == SHN_UNDEF || y->st_shndx >= SHN_LORESERVE)
		return false;
	return l->region[y->st_shndx] != MODELF_NOT_LOADED && e->str[y->st_name]; /* parse checked */
}

int module_syms_build(struct module *m, const struct modelf *e, const struct modelf_layout *l,
		      const u64 vaddr[])
{
	u64 n = 0, k = 0;
	struct ksym *syms;
	char *names;

	for (unsigned i = 1; i < e->nsym; i++)
		n += wanted(e, l, i);
	if (!n)
		return 0;
	/* The names stay where the string table had them: one copy, no lengths to measure. */
	syms = kmalloc(n * sizeof(*syms) + e->str_size, 0);
	if (!syms)
		return -ENOMEM;
	names = (char *)(syms + n);
	memcpy(names, e->str, e->str_size);
	for (unsigned i = 1; i < e->nsym; i++) {
		if (!wanted(e, l, i))
			continue;
		modelf_sym_addr(e, l, vaddr, i, &syms[k].addr);
		syms[k].size = e->sym[i].st_size > 0xffffffffull ? 0xffffffffu : (u32)e->sym[i].st_size;
		syms[k].name = e->sym[i].st_name;
		k++;
	}
	m->syms = (struct ksym_table){ syms, n, names };
	return 0;
}

void module_syms_free(struct module *m)
{
	kfree((void *)m->syms.syms);
	m->syms = (struct ksym_table){ NULL, 0, NULL };
}

static struct module *module_at(u64 addr)
{
	struct list_head *pos;

	list_for_each(pos, &module_list) {
		struct module *m = list_entry(pos, struct module, link);
		if (addr >= (u64)(uintptr_t)m->base && addr - (u64)(uintptr_t)m->base < m->size)
			return m;
	}
	return NULL;
}

const char *module_address_lookup(u64 addr, u64 *offset, u64 *size, const char **modname)
{
	struct module *m = module_at(addr);

	const struct ksym *best = NULL;

	*modname = m ? m->name : NULL;
	/* Unsorted, so a scan: lookups are for backtraces and /proc/kallsyms, loads are many more. */
	for (u64 i = 0; m && i < m->syms.count; i++) {
		const struct ksym *y = &m->syms.syms[i];
		if (y->addr <= addr && (!best || y->addr > best->addr))
			best = y;
	}
	/* A sized symbol covers [addr, addr + size) only. */
	if (!best || (best->size && addr - best->addr >= best->size))
		return NULL;
	if (offset)
		*offset = addr - best->addr;
	if (size)
		*size = best->size;
	return m->syms.names + best->name;
}

/* The modules' lines of /proc/kallsyms: "address type name\t[module]". */
void module_kallsyms_show(struct seqbuf *s, bool addresses)
{
	struct list_head *pos;

	list_for_each(pos, &module_list) {
		struct module *m = list_entry(pos, struct module, link);
		u64 text_end = (u64)(uintptr_t)m->base + m->region_size[MODELF_TEXT];
		for (u64 i = 0; i < m->syms.count; i++) {
			const struct ksym *y = &m->syms.syms[i];
			seq_printf(s, "%016llx %c %s\t[%s]\n", addresses ? (unsigned long long)y->addr : 0ull,
				   y->addr < text_end ? 't' : 'd', m->syms.names + y->name, m->name);
		}
	}
}
