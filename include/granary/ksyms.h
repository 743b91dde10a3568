/* include/granary/ksyms.h: symbol lookup by address, over the table tools/gen-ksyms links in.
 * Used for backtraces; the table is sorted by address and lives in .ksyms. */
#ifndef GRANARY_KSYMS_H
#define GRANARY_KSYMS_H

#include <granary/types.h>

/* One entry of the generated table. name is an offset into the names blob. */
struct ksym {
	u64 addr;
	u32 size;
	u32 name;
};

struct ksym_table {
	const struct ksym *syms;
	u64 count;
	const char *names;
};

/* Finds the symbol containing addr in t: its name, and the offset and size.
 * Returns NULL if addr is before the first symbol or past the end of the one before it. */
const char *ksyms_lookup_in(const struct ksym_table *t, u64 addr, u64 *offset, u64 *size);
/* ksyms_lookup_in() on the kernel's own table. */
const char *ksyms_lookup(u64 addr, u64 *offset, u64 *size);
/* Address of the named symbol in the kernel's table, or 0. */
u64 ksyms_address(const char *name);
/* Formats addr as "name+0xoff/0xsize", with " [module]" inside a module, or "0x...", into buf;
 * returns buf. */
char *ksyms_format(u64 addr, char *buf, size_t size);
struct seqbuf;
struct process;
/* /proc/kallsyms: the kernel's symbols, then the loaded modules'. */
int ksyms_proc_show(struct seqbuf *s, struct process *p);

#endif
