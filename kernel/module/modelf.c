/* kernel/module/modelf.c: strict checking of a module's ELF64 ET_REL image before anything in it is trusted.
 * Every offset, size, index and string is checked here, once; relocate.c relies on that. Maps nothing. */
#include <granary/compiler.h>
#include <granary/errno.h>
#include <granary/modelf.h>
#include <granary/module.h>
#include <granary/printk.h>
#include <granary/string.h>

#include "modelf_priv.h"

BUILD_BUG_ON(sizeof(Elf64_Ehdr) != 64);
BUILD_BUG_ON(sizeof(Elf64_Shdr) != 64);
BUILD_BUG_ON(sizeof(Elf64_Sym) != 24);
BUILD_BUG_ON(sizeof(Elf64_Rela) != 24);
BUILD_BUG_ON(sizeof(struct kernel_symbol) != 16);
BUILD_BUG_ON(MODELF_MAX_SECTIONS > SHN_LORESERVE);

#define NOEXEC -ENOEXEC

/* ---------------------------------------------------------------- messages */

char *modelf_clean(char buf[MODELF_NAME_MAX + 4], const char *s)
{
	size_t i;

	for (i = 0; s[i] && i < MODELF_NAME_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (s[i]) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

int modelf_fail(struct modelf_err *why, int err, const char *fmt, ...)
{
	va_list ap;

	if (!why)
		return err;
	why->err = err;
	va_start(ap, fmt);
	vsnprintf(why->msg, sizeof(why->msg), fmt, ap);
	va_end(ap);
	return err;
}

int modelf_sec_fail(const struct modelf *m, unsigned i, struct modelf_err *why, int err,
		    const char *fmt, ...)
{
	char name[MODELF_NAME_MAX + 4];
	va_list ap;
	int n;

	if (!why)
		return err;
	why->err = err;
	n = snprintf(why->msg, sizeof(why->msg), "section %u (%s): ", i,
		     modelf_clean(name, modelf_sec_name(m, i)));
	if (n >= 0 && (size_t)n < sizeof(why->msg)) {
		va_start(ap, fmt);
		vsnprintf(why->msg + n, sizeof(why->msg) - n, fmt, ap);
		va_end(ap);
	}
	return err;
}

const char *modelf_sec_name(const struct modelf *m, unsigned i)
{
	if (!m->shstr || i >= m->shnum || m->sh[i].sh_name >= m->shstr_size)
		return "?";
	return m->shstr + m->sh[i].sh_name;
}

const char *modelf_sym_name(const struct modelf *m, unsigned i)
{
	if (!m->str || i >= m->nsym || m->sym[i].st_name >= m->str_size)
		return "?";
	return m->str + m->sym[i].st_name;
}

const char *modelf_sym_label(const struct modelf *m, unsigned i, char buf[MODELF_NAME_MAX + 4])
{
	const char *name = modelf_sym_name(m, i);

	if (i < m->nsym && !name[0] && ELF64_ST_TYPE(m->sym[i].st_info) == STT_SECTION)
		name = modelf_sec_name(m, m->sym[i].st_shndx);
	if (!name[0]) {
		snprintf(buf, MODELF_NAME_MAX + 4, "#%u", i);
		return buf;
	}
	return modelf_clean(buf, name);
}

/* ---------------------------------------------------------------- header and sections */

static bool is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

static bool in_file(const struct modelf *m, u64 off, u64 size)
{
	return off <= m->len && size <= m->len - off;
}

static int check_header(const Elf64_Ehdr *eh, size_t len, struct modelf_err *why)
{
	if (memcmp(eh->e_ident, ELFMAG, 4))
		return modelf_fail(why, NOEXEC, "not an ELF file (bad magic)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return modelf_fail(why, NOEXEC, "ELF class %u is not ELFCLASS64", eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return modelf_fail(why, NOEXEC, "ELF data encoding %u is not little-endian",
				   eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return modelf_fail(why, NOEXEC, "ELF version %u/%u is not EV_CURRENT",
				   eh->e_ident[EI_VERSION], eh->e_version);
	if (eh->e_machine != EM_X86_64)
		return modelf_fail(why, NOEXEC, "machine %u is not x86_64 (62)", eh->e_machine);
	if (eh->e_type != ET_REL)
		return modelf_fail(why, NOEXEC, "type %u is not a relocatable object (ET_REL)",
				   eh->e_type);
	if (eh->e_ehsize != sizeof(Elf64_Ehdr))
		return modelf_fail(why, NOEXEC, "ELF header size %u, not 64", eh->e_ehsize);
	if (eh->e_shentsize != sizeof(Elf64_Shdr))
		return modelf_fail(why, NOEXEC, "section header size %u, not 64", eh->e_shentsize);
	if (!eh->e_shnum)
		return modelf_fail(why, NOEXEC, "no section headers");
	if (eh->e_shnum > MODELF_MAX_SECTIONS)
		return modelf_fail(why, -EFBIG, "%u sections, more than %u", eh->e_shnum,
				   MODELF_MAX_SECTIONS);
	if (eh->e_shoff % 8)
		return modelf_fail(why, NOEXEC, "section headers at 0x%llx not 8-byte aligned",
				   (unsigned long long)eh->e_shoff);
	if (eh->e_shoff > len || (u64)eh->e_shnum * sizeof(Elf64_Shdr) > len - eh->e_shoff)
		return modelf_fail(why, NOEXEC,
				   "section headers at 0x%llx (%u of 64 bytes) outside the file "
				   "(0x%zx bytes)",
				   (unsigned long long)eh->e_shoff, eh->e_shnum, len);
	if (!eh->e_shstrndx || eh->e_shstrndx >= eh->e_shnum)
		return modelf_fail(why, NOEXEC, "section name table index %u out of range (%u sections)",
				   eh->e_shstrndx, eh->e_shnum);
	return 0;
}

/* Section i as a string table: SHT_STRTAB, inside the file, its last byte NUL. */
static int check_strtab(const struct modelf *m, unsigned i, struct modelf_err *why)
{
	const Elf64_Shdr *s = &m->sh[i];

	if (s->sh_type != SHT_STRTAB)
		return modelf_sec_fail(m, i, why, NOEXEC, "type %u is not a string table",
				       s->sh_type);
	if (!in_file(m, s->sh_offset, s->sh_size))
		return modelf_sec_fail(m, i, why, NOEXEC,
				       "contents at 0x%llx size 0x%llx outside the file (0x%zx bytes)",
				       (unsigned long long)s->sh_offset,
				       (unsigned long long)s->sh_size, m->len);
	if (!s->sh_size || m->img[s->sh_offset + s->sh_size - 1])
		return modelf_sec_fail(m, i, why, NOEXEC, "string table not NUL-terminated");
	return 0;
}

/* Records section i if it is one the loader looks for by name; each may appear once. */
static int note_special(struct modelf *m, unsigned i, struct modelf_err *why)
{
	static const char *const names[] = { ".modinfo", "__ksymtab", "__ksymtab_gpl",
					     "__ksymtab_strings", "__param" };
	unsigned *const slots[] = { &m->modinfo, &m->ksymtab, &m->ksymtab_gpl,
				    &m->ksymtab_strings, &m->param };
	const char *name = modelf_sec_name(m, i);

	for (unsigned k = 0; k < ARRAY_SIZE(names); k++) {
		if (strcmp(name, names[k]))
			continue;
		if (*slots[k])
			return modelf_sec_fail(m, i, why, NOEXEC, "duplicate section (also section %u)",
					       *slots[k]);
		*slots[k] = i;
	}
	return 0;
}

static int check_section(struct modelf *m, unsigned i, struct modelf_err *why)
{
	const Elf64_Shdr *s = &m->sh[i];

	if (s->sh_name >= m->shstr_size)
		return modelf_sec_fail(m, i, why, NOEXEC,
				       "name offset 0x%x outside the section name table (size 0x%zx)",
				       s->sh_name, m->shstr_size);
	switch (s->sh_type) {
	case SHT_REL:
		return modelf_sec_fail(m, i, why, NOEXEC,
				       "SHT_REL relocations are not supported (only SHT_RELA)");
	case SHT_HASH:
	case SHT_DYNAMIC:
	case SHT_SHLIB:
	case SHT_DYNSYM:
	case SHT_GROUP:
	case SHT_SYMTAB_SHNDX:
		return modelf_sec_fail(m, i, why, NOEXEC, "unsupported section type %u", s->sh_type);
	}
	if (s->sh_type != SHT_NOBITS && s->sh_type != SHT_NULL &&
	    !in_file(m, s->sh_offset, s->sh_size))
		return modelf_sec_fail(m, i, why, NOEXEC,
				       "contents at 0x%llx size 0x%llx outside the file (0x%zx bytes)",
				       (unsigned long long)s->sh_offset,
				       (unsigned long long)s->sh_size, m->len);
	if (s->sh_addralign > 1 && !is_pow2(s->sh_addralign))
		return modelf_sec_fail(m, i, why, NOEXEC, "alignment 0x%llx is not a power of two",
				       (unsigned long long)s->sh_addralign);
	if (s->sh_addralign > MODELF_MAX_ALIGN)
		return modelf_sec_fail(m, i, why, NOEXEC, "alignment 0x%llx above the page size",
				       (unsigned long long)s->sh_addralign);
	if (s->sh_flags & SHF_ALLOC) {
		switch (s->sh_type) {
		case SHT_PROGBITS:
		case SHT_NOBITS:
		case SHT_NOTE:
		case SHT_INIT_ARRAY:
		case SHT_FINI_ARRAY:
		case SHT_PREINIT_ARRAY:
			break;
		default:
			return modelf_sec_fail(m, i, why, NOEXEC, "allocated section of type %u",
					       s->sh_type);
		}
		if (s->sh_flags & SHF_TLS)
			return modelf_sec_fail(m, i, why, NOEXEC,
					       "thread-local storage is not supported");
		if (s->sh_size > MODELF_MAX_REGION)
			return modelf_sec_fail(m, i, why, -EFBIG, "size 0x%llx above the limit 0x%x",
					       (unsigned long long)s->sh_size, MODELF_MAX_REGION);
	}
	if (s->sh_type == SHT_SYMTAB) {
		if (m->symtab)
			return modelf_sec_fail(m, i, why, NOEXEC,
					       "second symbol table (the first is section %u)",
					       m->symtab);
		m->symtab = i;
	}
	return note_special(m, i, why);
}

/* ---------------------------------------------------------------- symbols */

static int check_symtab(struct modelf *m, struct modelf_err *why)
{
	const Elf64_Shdr *s = &m->sh[m->symtab];
	u64 n = s->sh_size / sizeof(Elf64_Sym);
	int err;

	if (s->sh_entsize != sizeof(Elf64_Sym))
		return modelf_sec_fail(m, m->symtab, why, NOEXEC, "entry size %llu, not 24",
				       (unsigned long long)s->sh_entsize);
	if (!s->sh_size || s->sh_size % sizeof(Elf64_Sym) || n > 0xffffffffu)
		return modelf_sec_fail(m, m->symtab, why, NOEXEC,
				       "size 0x%llx is not a whole number of symbols",
				       (unsigned long long)s->sh_size);
	if (s->sh_offset % 8)
		return modelf_sec_fail(m, m->symtab, why, NOEXEC,
				       "contents at 0x%llx not 8-byte aligned",
				       (unsigned long long)s->sh_offset);
	if (!s->sh_link || s->sh_link >= m->shnum)
		return modelf_sec_fail(m, m->symtab, why, NOEXEC,
				       "string table index %u out of range (%u sections)", s->sh_link,
				       m->shnum);
	err = check_strtab(m, s->sh_link, why);
	if (err)
		return err;
	if (s->sh_info > n)
		return modelf_sec_fail(m, m->symtab, why, NOEXEC,
				       "first global symbol %u past the %llu symbols", s->sh_info,
				       (unsigned long long)n);
	m->sym = (const Elf64_Sym *)(m->img + s->sh_offset);
	m->nsym = (unsigned)n;
	m->str = (const char *)m->img + m->sh[s->sh_link].sh_offset;
	m->str_size = m->sh[s->sh_link].sh_size;
	return 0;
}

static int sym_fail(const struct modelf *m, unsigned i, struct modelf_err *why, const char *what)
{
	char name[MODELF_NAME_MAX + 4];

	return modelf_sec_fail(m, m->symtab, why, NOEXEC, "symbol %u (%s): %s", i,
			       modelf_sym_label(m, i, name), what);
}

/* Records symbol i if it is a module entry point. */
static int note_entry(struct modelf *m, unsigned i, struct modelf_err *why)
{
	const Elf64_Sym *y = &m->sym[i];
	const char *name = modelf_sym_name(m, i);
	unsigned *slot;

	if (ELF64_ST_BIND(y->st_info) == STB_LOCAL || y->st_shndx == SHN_UNDEF)
		return 0;
	if (!strcmp(name, "__module_init"))
		slot = &m->init_sym;
	else if (!strcmp(name, "__module_exit"))
		slot = &m->exit_sym;
	else
		return 0;
	if (*slot)
		return sym_fail(m, i, why, "defined twice");
	if (y->st_shndx == SHN_ABS ||
	    (m->sh[y->st_shndx].sh_flags & (SHF_ALLOC | SHF_EXECINSTR)) !=
		    (SHF_ALLOC | SHF_EXECINSTR))
		return sym_fail(m, i, why, "entry point not in executable code");
	*slot = i;
	return 0;
}

static int check_symbol(struct modelf *m, unsigned i, struct modelf_err *why)
{
	const Elf64_Sym *y = &m->sym[i];
	unsigned bind = ELF64_ST_BIND(y->st_info), type = ELF64_ST_TYPE(y->st_info);
	char msg[80];

	if (y->st_name >= m->str_size) {
		snprintf(msg, sizeof(msg), "name offset 0x%x outside the string table (size 0x%zx)",
			 y->st_name, m->str_size);
		return sym_fail(m, i, why, msg);
	}
	if (!i)
		return 0; /* the null symbol: a relocation against it uses 0 */
	if (y->st_shndx == SHN_COMMON)
		return sym_fail(m, i, why, "common symbol (SHN_COMMON; build with -fno-common)");
	if (y->st_shndx >= SHN_LORESERVE && y->st_shndx != SHN_ABS) {
		snprintf(msg, sizeof(msg), "reserved section index 0x%x", y->st_shndx);
		return sym_fail(m, i, why, msg);
	}
	if (y->st_shndx != SHN_ABS && y->st_shndx >= m->shnum) {
		snprintf(msg, sizeof(msg), "section index %u out of range (%u sections)",
			 y->st_shndx, m->shnum);
		return sym_fail(m, i, why, msg);
	}
	if (type == STT_TLS)
		return sym_fail(m, i, why, "thread-local symbol");
	if (type == STT_GNU_IFUNC)
		return sym_fail(m, i, why, "indirect function (STT_GNU_IFUNC)");
	if (y->st_shndx == SHN_UNDEF) {
		if (bind != STB_GLOBAL && bind != STB_WEAK)
			return sym_fail(m, i, why, "undefined and not global");
		if (!m->str[y->st_name])
			return sym_fail(m, i, why, "undefined and without a name");
	} else if (y->st_shndx != SHN_ABS && y->st_value > m->sh[y->st_shndx].sh_size) {
		snprintf(msg, sizeof(msg), "value 0x%llx past the end of section %u (size 0x%llx)",
			 (unsigned long long)y->st_value, y->st_shndx,
			 (unsigned long long)m->sh[y->st_shndx].sh_size);
		return sym_fail(m, i, why, msg);
	}
	return note_entry(m, i, why);
}

/* ---------------------------------------------------------------- relocations */

static int check_rela(const struct modelf *m, unsigned i, struct modelf_err *why)
{
	const Elf64_Shdr *s = &m->sh[i], *ts;
	const Elf64_Rela *r;
	char tname[MODELF_NAME_MAX + 4];
	u64 n = s->sh_size / sizeof(Elf64_Rela);

	if (s->sh_entsize != sizeof(Elf64_Rela))
		return modelf_sec_fail(m, i, why, NOEXEC, "entry size %llu, not 24",
				       (unsigned long long)s->sh_entsize);
	if (s->sh_size % sizeof(Elf64_Rela))
		return modelf_sec_fail(m, i, why, NOEXEC,
				       "size 0x%llx is not a whole number of relocations",
				       (unsigned long long)s->sh_size);
	if (s->sh_offset % 8)
		return modelf_sec_fail(m, i, why, NOEXEC, "contents at 0x%llx not 8-byte aligned",
				       (unsigned long long)s->sh_offset);
	if (s->sh_link != m->symtab)
		return modelf_sec_fail(m, i, why, NOEXEC,
				       "linked to section %u, not the symbol table (section %u)",
				       s->sh_link, m->symtab);
	if (!s->sh_info || s->sh_info >= m->shnum)
		return modelf_sec_fail(m, i, why, NOEXEC, "target section %u out of range (%u sections)",
				       s->sh_info, m->shnum);
	ts = &m->sh[s->sh_info];
	modelf_clean(tname, modelf_sec_name(m, s->sh_info));
	switch (ts->sh_type) {
	case SHT_NULL:
	case SHT_NOBITS:
	case SHT_SYMTAB:
	case SHT_STRTAB:
	case SHT_RELA:
		return modelf_sec_fail(m, i, why, NOEXEC, "target section %u (%s) of type %u",
				       s->sh_info, tname, ts->sh_type);
	}
	r = (const Elf64_Rela *)(m->img + s->sh_offset);
	for (u64 j = 0; j < n; j++) {
		u32 type = ELF64_R_TYPE(r[j].r_info), sym = ELF64_R_SYM(r[j].r_info);
		int width = modelf_reloc_width(type);
		if (width < 0)
			return modelf_sec_fail(m, i, why, NOEXEC, "relocation %llu: unknown type %u",
					       (unsigned long long)j, type);
		if (sym >= m->nsym)
			return modelf_sec_fail(m, i, why, NOEXEC,
					       "relocation %llu: symbol index %u out of range (%u symbols)",
					       (unsigned long long)j, sym, m->nsym);
		if (r[j].r_offset > ts->sh_size || (u64)width > ts->sh_size - r[j].r_offset)
			return modelf_sec_fail(m, i, why, NOEXEC,
					       "relocation %llu offset 0x%llx outside section %u (%s, size "
					       "0x%llx)",
					       (unsigned long long)j, (unsigned long long)r[j].r_offset,
					       s->sh_info, tname, (unsigned long long)ts->sh_size);
	}
	return 0;
}

/* ---------------------------------------------------------------- sections the loader reads */

static int check_modinfo(const struct modelf *m, struct modelf_err *why)
{
	const Elf64_Shdr *s = &m->sh[m->modinfo];
	const char *p = (const char *)m->img + s->sh_offset;

	if (s->sh_type != SHT_PROGBITS)
		return modelf_sec_fail(m, m->modinfo, why, NOEXEC, "type %u, not SHT_PROGBITS",
				       s->sh_type);
	if (s->sh_size && p[s->sh_size - 1])
		return modelf_sec_fail(m, m->modinfo, why, NOEXEC, "last string not NUL-terminated");
	for (u64 off = 0; off < s->sh_size; off += strlen(p + off) + 1)
		if (p[off] && !strchr(p + off, '='))
			return modelf_sec_fail(m, m->modinfo, why, NOEXEC,
					       "string at offset 0x%llx is not key=value",
					       (unsigned long long)off);
	return 0;
}

/* A table the loader reads after relocation: allocated, with contents, entsize-byte entries. */
static int check_table(const struct modelf *m, unsigned i, u64 entsize, struct modelf_err *why)
{
	const Elf64_Shdr *s = &m->sh[i];

	if (!i)
		return 0;
	if (s->sh_type != SHT_PROGBITS || !(s->sh_flags & SHF_ALLOC))
		return modelf_sec_fail(m, i, why, NOEXEC, "not an allocated SHT_PROGBITS section");
	if (s->sh_size % entsize)
		return modelf_sec_fail(m, i, why, NOEXEC,
				       "size 0x%llx is not a multiple of the entry size %llu",
				       (unsigned long long)s->sh_size, (unsigned long long)entsize);
	return 0;
}

/* ---------------------------------------------------------------- modelf_parse */

int modelf_parse(const void *img, size_t len, struct modelf *m, struct modelf_err *why)
{
	const Elf64_Ehdr *eh = img;
	int err;

	memset(m, 0, sizeof(*m));
	if (why) {
		why->err = 0;
		why->msg[0] = '\0';
	}
	if (!img || (uintptr_t)img % 8)
		return modelf_fail(why, -EINVAL, "image buffer not 8-byte aligned");
	if (len < sizeof(Elf64_Ehdr))
		return modelf_fail(why, NOEXEC, "file of %zu bytes is too short for an ELF header",
				   len);
	err = check_header(eh, len, why);
	if (err)
		goto out;
	m->img = img;
	m->len = len;
	m->sh = (const Elf64_Shdr *)(m->img + eh->e_shoff);
	m->shnum = eh->e_shnum;
	if (m->sh[0].sh_type != SHT_NULL) {
		err = modelf_fail(why, NOEXEC, "section 0: type %u, not SHT_NULL", m->sh[0].sh_type);
		goto out;
	}
	err = check_strtab(m, eh->e_shstrndx, why);
	if (err)
		goto out;
	m->shstr = (const char *)m->img + m->sh[eh->e_shstrndx].sh_offset;
	m->shstr_size = m->sh[eh->e_shstrndx].sh_size;
	for (unsigned i = 1; i < m->shnum; i++) {
		err = check_section(m, i, why);
		if (err)
			goto out;
	}
	if (!m->symtab) {
		err = modelf_fail(why, NOEXEC, "no symbol table");
		goto out;
	}
	err = check_symtab(m, why);
	for (unsigned i = 0; !err && i < m->nsym; i++)
		err = check_symbol(m, i, why);
	for (unsigned i = 1; !err && i < m->shnum; i++)
		if (m->sh[i].sh_type == SHT_RELA)
			err = check_rela(m, i, why);
	if (!err && m->modinfo)
		err = check_modinfo(m, why);
	if (!err)
		err = check_table(m, m->ksymtab, sizeof(struct kernel_symbol), why);
	if (!err)
		err = check_table(m, m->ksymtab_gpl, sizeof(struct kernel_symbol), why);
	if (!err)
		err = check_table(m, m->ksymtab_strings, 1, why);
	if (!err)
		err = check_table(m, m->param, sizeof(struct module_param), why);
out:
	if (err)
		memset(m, 0, sizeof(*m));
	return err;
}

/* ---------------------------------------------------------------- what the loader asks */

const char *modelf_modinfo_next(const struct modelf *m, const char *prev)
{
	const char *p, *end;

	if (!m->modinfo)
		return NULL;
	p = (const char *)m->img + m->sh[m->modinfo].sh_offset;
	end = p + m->sh[m->modinfo].sh_size;
	if (prev)
		p = prev + strlen(prev) + 1;
	while (p < end && !*p)
		p++; /* alignment padding between the strings */
	return p < end ? p : NULL;
}

const char *modelf_modinfo_get(const struct modelf *m, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = modelf_modinfo_next(m, NULL); p; p = modelf_modinfo_next(m, p))
		if (!strncmp(p, key, n) && p[n] == '=')
			return p + n + 1;
	return NULL;
}

const char *modelf_undef_next(const struct modelf *m, unsigned *pos, bool *weak)
{
	for (unsigned i = *pos ? *pos : 1; i < m->nsym; i++) {
		if (m->sym[i].st_shndx != SHN_UNDEF)
			continue;
		*pos = i + 1;
		if (weak)
			*weak = ELF64_ST_BIND(m->sym[i].st_info) == STB_WEAK;
		return m->str + m->sym[i].st_name;
	}
	*pos = m->nsym;
	return NULL;
}
