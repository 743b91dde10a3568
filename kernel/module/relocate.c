/* kernel/module/relocate.c: placing a checked module image in its three regions and relocating it there.
 * Works only on what modelf_parse accepted; the regions' memory, mapping and protection are the loader's. */
#include <granary/compiler.h>
#include <granary/errno.h>
#include <granary/modelf.h>
#include <granary/module.h>
#include <granary/printk.h>
#include <granary/string.h>

#include "modelf_priv.h"

static const char *const region_names[MODELF_NREGIONS] = { "text", "rodata", "data" };

static const struct {
	u32 type;
	int width;
	const char *name;
} relocs[] = {
	{ R_X86_64_NONE, 0, "R_X86_64_NONE" }, { R_X86_64_64, 8, "R_X86_64_64" },
	{ R_X86_64_PC32, 4, "R_X86_64_PC32" }, { R_X86_64_PLT32, 4, "R_X86_64_PLT32" },
	{ R_X86_64_32, 4, "R_X86_64_32" },     { R_X86_64_32S, 4, "R_X86_64_32S" },
	{ R_X86_64_PC64, 8, "R_X86_64_PC64" },
};

int modelf_reloc_width(u32 type)
{
	for (unsigned i = 0; i < ARRAY_SIZE(relocs); i++)
		if (relocs[i].type == type)
			return relocs[i].width;
	return -1;
}

static const char *reloc_name(u32 type)
{
	for (unsigned i = 0; i < ARRAY_SIZE(relocs); i++)
		if (relocs[i].type == type)
			return relocs[i].name;
	return "?";
}

/* ---------------------------------------------------------------- layout and copy */

int modelf_layout(const struct modelf *m, struct modelf_layout *l, struct modelf_err *why)
{
	u64 cur[MODELF_NREGIONS] = { 0 };

	memset(l, 0, sizeof(*l));
	memset(l->region, MODELF_NOT_LOADED, sizeof(l->region));
	for (unsigned i = 1; i < m->shnum; i++) {
		const Elf64_Shdr *s = &m->sh[i];
		u64 align = s->sh_addralign ? s->sh_addralign : 1, off;
		unsigned r;

		/* .modinfo is read from the image; keeping it would only cost memory. */
		if (!(s->sh_flags & SHF_ALLOC) || i == m->modinfo)
			continue;
		if ((s->sh_flags & (SHF_WRITE | SHF_EXECINSTR)) == (SHF_WRITE | SHF_EXECINSTR))
			return modelf_sec_fail(m, i, why, -ENOEXEC, "writable and executable (W^X)");
		r = s->sh_flags & SHF_EXECINSTR ? MODELF_TEXT :
		    s->sh_flags & SHF_WRITE	    ? MODELF_DATA :
						      MODELF_RODATA;
		/* cur <= MODELF_MAX_REGION and align <= MODELF_MAX_ALIGN (modelf_parse): no wrap. */
		off = ALIGN_UP(cur[r], align);
		if (s->sh_size > MODELF_MAX_REGION || off > MODELF_MAX_REGION - s->sh_size)
			return modelf_sec_fail(m, i, why, -EFBIG,
					       "the %s region would pass its limit of 0x%x bytes",
					       region_names[r], MODELF_MAX_REGION);
		l->region[i] = (u8)r;
		l->off[i] = (u32)off;
		cur[r] = off + s->sh_size;
	}
	for (unsigned r = 0; r < MODELF_NREGIONS; r++)
		l->size[r] = ALIGN_UP(cur[r], MODELF_PAGE);
	return 0;
}

void modelf_load(const struct modelf *m, const struct modelf_layout *l, u8 *const base[])
{
	for (unsigned r = 0; r < MODELF_NREGIONS; r++)
		if (l->size[r])
			memset(base[r], 0, l->size[r]);
	for (unsigned i = 1; i < m->shnum; i++) {
		const Elf64_Shdr *s = &m->sh[i];
		if (l->region[i] == MODELF_NOT_LOADED || s->sh_type == SHT_NOBITS || !s->sh_size)
			continue;
		memcpy(base[l->region[i]] + l->off[i], m->img + s->sh_offset, s->sh_size);
	}
}

/* ---------------------------------------------------------------- symbols */

int modelf_sym_addr(const struct modelf *m, const struct modelf_layout *l, const u64 vaddr[],
		    unsigned i, u64 *addr)
{
	const Elf64_Sym *y;

	if (!i || i >= m->nsym)
		return -ENOEXEC;
	y = &m->sym[i];
	if (y->st_shndx == SHN_ABS) {
		*addr = y->st_value;
		return 0;
	}
	/* modelf_parse: any other st_shndx is UNDEF or below shnum. */
	if (y->st_shndx == SHN_UNDEF || l->region[y->st_shndx] == MODELF_NOT_LOADED)
		return -ENOEXEC;
	*addr = vaddr[l->region[y->st_shndx]] + l->off[y->st_shndx] + y->st_value;
	return 0;
}

/* The value S of symbol si for relocation j of section rs: defined, absolute or resolved. */
static int sym_value(const struct modelf *m, const struct modelf_layout *l, const u64 vaddr[],
		     unsigned si, modelf_resolve_fn resolve, void *arg, u64 *v, unsigned rs,
		     u64 j, struct modelf_err *why)
{
	const Elf64_Sym *y = &m->sym[si];
	char name[MODELF_NAME_MAX + 4], sname[MODELF_NAME_MAX + 4];
	int err;

	if (!si) {
		*v = 0;
		return 0;
	}
	if (y->st_shndx != SHN_UNDEF) {
		if (!modelf_sym_addr(m, l, vaddr, si, v))
			return 0;
		return modelf_sec_fail(m, rs, why, -ENOEXEC,
				       "relocation %llu against %s: its section %u (%s) is not loaded",
				       (unsigned long long)j, modelf_sym_label(m, si, name),
				       y->st_shndx, modelf_clean(sname, modelf_sec_name(m, y->st_shndx)));
	}
	err = resolve ? resolve(modelf_sym_name(m, si), arg, v) : -ENOENT;
	if (!err)
		return 0;
	if (err == -ENOENT && ELF64_ST_BIND(y->st_info) == STB_WEAK) {
		*v = 0;
		return 0;
	}
	if (err == -ENOENT)
		return modelf_fail(why, -ENOENT, "unknown symbol %s", modelf_sym_label(m, si, name));
	return modelf_fail(why, err < 0 ? err : -EINVAL, "symbol %s: error %d",
			   modelf_sym_label(m, si, name), err);
}

static bool fits_s32(u64 v)
{
	return v + 0x80000000ull <= 0xffffffffull;
}

/* Applies the relocations of section rs (SHT_RELA) to its loaded target. */
static int relocate_section(const struct modelf *m, const struct modelf_layout *l,
			    u8 *const base[], const u64 vaddr[], unsigned rs,
			    modelf_resolve_fn resolve, void *arg, struct modelf_err *why)
{
	const Elf64_Shdr *s = &m->sh[rs];
	unsigned t = s->sh_info, r = l->region[t];
	const Elf64_Rela *rel = (const Elf64_Rela *)(m->img + s->sh_offset);
	u64 n = s->sh_size / sizeof(Elf64_Rela);
	u8 *where0 = base[r] + l->off[t];
	u64 p0 = vaddr[r] + l->off[t];
	char name[MODELF_NAME_MAX + 4];

	for (u64 j = 0; j < n; j++) {
		u32 type = ELF64_R_TYPE(rel[j].r_info), si = ELF64_R_SYM(rel[j].r_info);
		u64 p = p0 + rel[j].r_offset, sv, v;
		u8 *where = where0 + rel[j].r_offset;
		u32 v32;
		bool ok;
		int err;

		if (type == R_X86_64_NONE)
			continue;
		err = sym_value(m, l, vaddr, si, resolve, arg, &sv, rs, j, why);
		if (err)
			return err;
		v = sv + (u64)rel[j].r_addend;
		switch (type) {
		case R_X86_64_64:
			memcpy(where, &v, 8);
			continue;
		case R_X86_64_PC64:
			v -= p;
			memcpy(where, &v, 8);
			continue;
		case R_X86_64_32:
			ok = v <= 0xffffffffull;
			break;
		case R_X86_64_32S:
			ok = fits_s32(v);
			break;
		case R_X86_64_PC32:
		case R_X86_64_PLT32: /* no PLT: modules live within 2 GiB of the kernel */
			v -= p;
			ok = fits_s32(v);
			break;
		default: /* modelf_parse refused it already */
			return modelf_sec_fail(m, rs, why, -ENOEXEC, "relocation %llu: unknown type %u",
					       (unsigned long long)j, type);
		}
		if (!ok)
			return modelf_sec_fail(m, rs, why, -ENOEXEC,
					       "relocation %llu (%s) against %s: value 0x%llx does not "
					       "fit in 32 bits (%s)",
					       (unsigned long long)j, reloc_name(type),
					       modelf_sym_label(m, si, name), (unsigned long long)v,
					       type == R_X86_64_32 ? "unsigned" : "signed");
		v32 = (u32)v;
		memcpy(where, &v32, 4);
	}
	return 0;
}

int modelf_relocate(const struct modelf *m, const struct modelf_layout *l, u8 *const base[],
		    const u64 vaddr[], modelf_resolve_fn resolve, void *arg, struct modelf_err *why)
{
	if (why) {
		why->err = 0;
		why->msg[0] = '\0';
	}
	for (unsigned i = 1; i < m->shnum; i++) {
		int err;
		/* Relocations of what is not loaded (debug information) have nothing to patch. */
		if (m->sh[i].sh_type != SHT_RELA || l->region[m->sh[i].sh_info] == MODELF_NOT_LOADED)
			continue;
		err = relocate_section(m, l, base, vaddr, i, resolve, arg, why);
		if (err)
			return err;
	}
	return 0;
}

/* ---------------------------------------------------------------- exports */

unsigned modelf_export_count(const struct modelf *m)
{
	unsigned n = 0;

	if (m->ksymtab)
		n += m->sh[m->ksymtab].sh_size / sizeof(struct kernel_symbol);
	if (m->ksymtab_gpl)
		n += m->sh[m->ksymtab_gpl].sh_size / sizeof(struct kernel_symbol);
	return n;
}

int modelf_export_get(const struct modelf *m, const struct modelf_layout *l, u8 *const base[],
		      const u64 vaddr[], unsigned i, struct modelf_export *e,
		      struct modelf_err *why)
{
	unsigned n0 = m->ksymtab ? m->sh[m->ksymtab].sh_size / sizeof(struct kernel_symbol) : 0;
	unsigned sec = i < n0 ? m->ksymtab : m->ksymtab_gpl, k = i < n0 ? i : i - n0;
	const u8 *ent;
	u64 name, at;

	if (i >= modelf_export_count(m))
		return modelf_fail(why, -EINVAL, "export %u out of range (%u exports)", i,
				   modelf_export_count(m));
	if (l->region[sec] == MODELF_NOT_LOADED) /* __ksymtab* are allocated: not reached */
		return modelf_sec_fail(m, sec, why, -ENOEXEC, "not loaded");
	ent = base[l->region[sec]] + l->off[sec] + (u64)k * sizeof(struct kernel_symbol);
	memcpy(&e->addr, ent, 8);
	memcpy(&name, ent + 8, 8);
	e->gpl = sec == m->ksymtab_gpl;
	e->name_vaddr = name;
	e->name = NULL;
	for (unsigned r = 0; r < MODELF_NREGIONS; r++) {
		const u8 *p, *nul;
		if (name < vaddr[r] || name - vaddr[r] >= l->size[r])
			continue;
		at = name - vaddr[r];
		p = base[r] + at;
		nul = memchr(p, 0, l->size[r] - at);
		if (!nul || nul == p)
			break;
		e->name = (const char *)p;
		return 0;
	}
	return modelf_sec_fail(m, sec, why, -ENOEXEC,
			       "entry %u: name at 0x%llx is not a string in the module", k,
			       (unsigned long long)name);
}
