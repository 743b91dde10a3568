/* kernel/ksyms.c: address-to-symbol lookup over the table that tools/gen-ksyms generates.
 * Binary search over addresses sorted at build time; the lookup itself is host-tested. */
#include <granary/ksyms.h>
#include <granary/module.h>
#include <granary/printk.h>
#include <granary/proc.h>
#include <granary/seqbuf.h>
#include <granary/string.h>

const char *ksyms_lookup_in(const struct ksym_table *t, u64 addr, u64 *offset, u64 *size)
{
	u64 lo = 0, hi = t->count;
	const struct ksym *s;

	/* Find the last symbol whose address is <= addr. */
	while (lo < hi) {
		u64 mid = lo + (hi - lo) / 2;
		if (t->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	s = &t->syms[lo - 1];
	/* A sized symbol only covers [addr, addr+size); an unsized one reaches the next. */
	if (s->size && addr - s->addr >= s->size)
		return NULL;
	if (offset)
		*offset = addr - s->addr;
	if (size)
		*size = s->size;
	return t->names + s->name;
}

#ifndef HOST_TEST
/* Emitted by tools/gen-ksyms into .ksyms (empty in the first link pass). */
extern const struct ksym ksyms_syms[];
extern const u64 ksyms_count;
extern const char ksyms_names[];

static const struct ksym_table kernel_table = { ksyms_syms, 0, ksyms_names };

const char *ksyms_lookup(u64 addr, u64 *offset, u64 *size)
{
	struct ksym_table t = kernel_table;

	t.count = ksyms_count;
	return ksyms_lookup_in(&t, addr, offset, size);
}

u64 ksyms_address(const char *name)
{
	for (u64 i = 0; i < ksyms_count; i++)
		if (!strcmp(ksyms_names + ksyms_syms[i].name, name))
			return ksyms_syms[i].addr;
	return 0;
}

char *ksyms_format(u64 addr, char *buf, size_t size)
{
	u64 off, sz;
	const char *mod = NULL, *name = ksyms_lookup(addr, &off, &sz);

	if (!name)
		name = module_address_lookup(addr, &off, &sz, &mod);
	if (name)
		snprintf(buf, size, "%s+0x%llx/0x%llx%s%s%s", name, (unsigned long long)off,
			 (unsigned long long)sz, mod ? " [" : "", mod ? mod : "", mod ? "]" : "");
	else if (mod)
		snprintf(buf, size, "0x%016llx [%s]", (unsigned long long)addr, mod);
	else
		snprintf(buf, size, "0x%016llx", (unsigned long long)addr);
	return buf;
}

/* /proc/kallsyms as Linux writes it: "address type name", the kernel's symbols (T in the text,
 * D outside it), then the modules' with "\t[module]". Only root sees the addresses (zeros for
 * others, as with Linux's kptr_restrict). */
int ksyms_proc_show(struct seqbuf *s, struct process *p)
{
	extern const char __text_start[], __text_end[];
	struct process *me = proc_current();
	bool show = !me || !me->cred.euid;

	(void)p;
	for (u64 i = 0; i < ksyms_count; i++) {
		u64 a = ksyms_syms[i].addr;
		bool text = a >= (u64)(uintptr_t)__text_start && a < (u64)(uintptr_t)__text_end;
		seq_printf(s, "%016llx %c %s\n", show ? (unsigned long long)a : 0ull, text ? 'T' : 'D',
			   ksyms_names + ksyms_syms[i].name);
	}
	module_kallsyms_show(s, show);
	return 0;
}
#endif
