/* kernel/module/modsyms.c: a loaded module's own symbols, so that backtraces and /proc/kallsyms name
 * code in modules: its function and object symbols, sorted by address when it is loaded. */
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
	return l->region[y->st_shndx] != MODELF_NOT_LOADED && *modelf_sym_name(e, i);
}

/* Restores the heap order (largest address on top) below slot i of a[0..n). */
static void sift_down(struct ksym *a, u64 i, u64 n)
{
	for (u64 c; (c = 2 * i + 1) < n; i = c) {
		struct ksym t;
		if (c + 1 < n && a[c + 1].addr > a[c].addr)
			c++;
		if (a[i].addr >= a[c].addr)
			return;
		t = a[i], a[i] = a[c], a[c] = t;
	}
}

static void sort_by_address(struct ksym *a, u64 n)
{
	for (u64 i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (u64 end = n; end-- > 1;) {
		struct ksym t = a[0];
		a[0] = a[end], a[end] = t;
		sift_down(a, 0, end);
	}
}

int module_syms_build(struct module *m, const struct modelf *e, const struct modelf_layout *l,
		      const u64 vaddr[])
{
	u64 n = 0, bytes = 0, k = 0, at = 0;
	struct ksym *syms;
	char *names;

	for (unsigned i = 1; i < e->nsym; i++)
		if (wanted(e, l, i)) {
			n++;
			bytes += strlen(modelf_sym_name(e, i)) + 1;
		}
	if (!n)
		return 0;
	syms = kmalloc(n * sizeof(*syms) + bytes, 0);
	if (!syms)
		return -ENOMEM;
	names = (char *)(syms + n);
	for (unsigned i = 1; i < e->nsym; i++) {
		const char *name = modelf_sym_name(e, i);
		size_t len = strlen(name) + 1;
		if (!wanted(e, l, i))
			continue;
		modelf_sym_addr(e, l, vaddr, i, &syms[k].addr);
		syms[k].size = e->sym[i].st_size > 0xffffffffull ? 0xffffffffu : (u32)e->sym[i].st_size;
		syms[k].name = (u32)at;
		memcpy(names + at, name, len);
		at += len;
		k++;
	}
	sort_by_address(syms, n);
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

	*modname = m ? m->name : NULL;
	return m && m->syms.count ? ksyms_lookup_in(&m->syms, addr, offset, size) : NULL;
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
