/* tests/host/test_modelf.c: host tests of kernel/module/modelf.c and relocate.c on real .ko files.
 * Modules built here with the kernel's flags are parsed, laid out and relocated exactly; corrupted copies are refused. */
#define _GNU_SOURCE /* memmem */
#include "hosttest.h"

#include <string.h>

#include <granary/compiler.h>
#include <granary/errno.h>
#include <granary/modelf.h>

#ifndef MODELF_DATA_DIR
#define MODELF_DATA_DIR "build/tests/host/data/modelf"
#endif

/* Where the tests pretend each region runs: inside the top 2 GiB, as the module area is. */
static const u64 vaddr[MODELF_NREGIONS] = { 0xffffffffc0000000ull, 0xffffffffc0100000ull,
					    0xffffffffc0200000ull };
#define EXT_FUNC 0xffffffff81234560ull
#define EXT_COUNTER 0xffffffff81300000ull
#define EXT_SMALL 0x1000ull

/* ---------------------------------------------------------------- files and the raw ELF */

struct ko {
	u8 *buf;
	size_t len;
};

static bool ko_read(const char *name, struct ko *k)
{
	char path[512];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", MODELF_DATA_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		return false;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	k->len = (size_t)n;
	k->buf = malloc(k->len); /* malloc is 16-byte aligned; exact size so ASan sees overreads */
	assert_non_null(k->buf);
	assert_int_equal(fread(k->buf, 1, k->len, f), k->len);
	fclose(f);
	return true;
}

static void ko_load(const char *name, struct ko *k)
{
	if (!ko_read(name, k))
		fail_msg("cannot read %s/%s (built by tests/host/Makefile)", MODELF_DATA_DIR, name);
}

/* The raw structures, read straight from the file rather than through modelf. */
static Elf64_Ehdr *ehdr(const struct ko *k)
{
	return (Elf64_Ehdr *)k->buf;
}

static Elf64_Shdr *shdr(const struct ko *k, unsigned i)
{
	return (Elf64_Shdr *)(k->buf + ehdr(k)->e_shoff) + i;
}

static unsigned sec_find(const struct ko *k, const char *name)
{
	const char *names = (const char *)k->buf + shdr(k, ehdr(k)->e_shstrndx)->sh_offset;

	for (unsigned i = 1; i < ehdr(k)->e_shnum; i++)
		if (!strcmp(names + shdr(k, i)->sh_name, name))
			return i;
	fail_msg("no section %s", name);
	return 0;
}

static Elf64_Sym *syms(const struct ko *k, unsigned *n)
{
	Elf64_Shdr *s = shdr(k, sec_find(k, ".symtab"));

	*n = s->sh_size / sizeof(Elf64_Sym);
	return (Elf64_Sym *)(k->buf + s->sh_offset);
}

static unsigned sym_find(const struct ko *k, const char *name)
{
	unsigned n;
	Elf64_Sym *y = syms(k, &n);
	const char *str = (const char *)k->buf + shdr(k, sec_find(k, ".strtab"))->sh_offset;

	for (unsigned i = 1; i < n; i++)
		if (!strcmp(str + y[i].st_name, name))
			return i;
	fail_msg("no symbol %s", name);
	return 0;
}

static Elf64_Rela *rela(const struct ko *k, const char *sec, unsigned j)
{
	return (Elf64_Rela *)(k->buf + shdr(k, sec_find(k, sec))->sh_offset) + j;
}

/* ---------------------------------------------------------------- parse, load, relocate */

struct resolver {
	u64 func, counter, small;
	int func_err; /* returned for ext_func when not 0 */
	bool no_counter, no_small;
	unsigned calls;
	const struct ko *exporter; /* moduser: modtest's exports, relocated */
	struct modelf_export exports[4];
	unsigned nexports;
};

static int resolve(const char *name, void *arg, u64 *addr)
{
	struct resolver *r = arg;

	r->calls++;
	if (!strcmp(name, "ext_func")) {
		*addr = r->func;
		return r->func_err;
	}
	if (!strcmp(name, "ext_counter") && !r->no_counter) {
		*addr = r->counter;
		return 0;
	}
	if (!strcmp(name, "ext_small") && !r->no_small) {
		*addr = r->small;
		return 0;
	}
	for (unsigned i = 0; i < r->nexports; i++)
		if (!strcmp(name, r->exports[i].name)) {
			*addr = r->exports[i].addr;
			return 0;
		}
	return -ENOENT;
}

static void resolver_init(struct resolver *r)
{
	memset(r, 0, sizeof(*r));
	r->func = EXT_FUNC;
	r->counter = EXT_COUNTER;
	r->small = EXT_SMALL;
}

/* A module loaded into three exactly-sized heap regions. */
struct loaded {
	struct modelf m;
	struct modelf_layout l;
	u8 *base[MODELF_NREGIONS];
	struct modelf_err why;
};

static void parse_ok(const struct ko *k, struct loaded *ld)
{
	memset(ld, 0, sizeof(*ld));
	if (modelf_parse(k->buf, k->len, &ld->m, &ld->why))
		fail_msg("modelf_parse: %d %s", ld->why.err, ld->why.msg);
	if (modelf_layout(&ld->m, &ld->l, &ld->why))
		fail_msg("modelf_layout: %d %s", ld->why.err, ld->why.msg);
	for (unsigned r = 0; r < MODELF_NREGIONS; r++) {
		ld->base[r] = malloc(ld->l.size[r] ? ld->l.size[r] : 1);
		assert_non_null(ld->base[r]);
	}
	modelf_load(&ld->m, &ld->l, ld->base);
}

static int relocate(struct loaded *ld, struct resolver *r)
{
	return modelf_relocate(&ld->m, &ld->l, ld->base, vaddr, resolve, r, &ld->why);
}

static void load_ok(const struct ko *k, struct loaded *ld, struct resolver *r)
{
	parse_ok(k, ld);
	if (relocate(ld, r))
		fail_msg("modelf_relocate: %d %s", ld->why.err, ld->why.msg);
}

static void loaded_free(struct loaded *ld)
{
	for (unsigned r = 0; r < MODELF_NREGIONS; r++)
		free(ld->base[r]);
}

/* Where section i landed: its bytes in the heap copy and its final address. */
static u8 *sec_mem(struct loaded *ld, unsigned i)
{
	assert_int_not_equal(ld->l.region[i], MODELF_NOT_LOADED);
	return ld->base[ld->l.region[i]] + ld->l.off[i];
}

static u64 sec_vaddr(struct loaded *ld, unsigned i)
{
	assert_int_not_equal(ld->l.region[i], MODELF_NOT_LOADED);
	return vaddr[ld->l.region[i]] + ld->l.off[i];
}

static u64 rd64(const u8 *p)
{
	u64 v;
	memcpy(&v, p, 8);
	return v;
}

static u32 rd32(const u8 *p)
{
	u32 v;
	memcpy(&v, p, 4);
	return v;
}

/* ---------------------------------------------------------------- the valid modules */

static void test_parse_modtest(void **state)
{
	struct ko k;
	struct modelf m;
	struct modelf_err why;

	ko_load("modtest.ko", &k);
	assert_int_equal(modelf_parse(k.buf, k.len, &m, &why), 0);
	assert_int_equal(why.err, 0);
	assert_string_equal(why.msg, "");
	assert_int_equal(m.shnum, ehdr(&k)->e_shnum);
	assert_int_equal(m.symtab, sec_find(&k, ".symtab"));
	assert_int_equal(m.nsym, shdr(&k, m.symtab)->sh_size / 24);
	assert_int_equal(m.modinfo, sec_find(&k, ".modinfo"));
	assert_int_equal(m.ksymtab, sec_find(&k, "__ksymtab"));
	assert_int_equal(m.ksymtab_gpl, sec_find(&k, "__ksymtab_gpl"));
	assert_int_equal(m.ksymtab_strings, sec_find(&k, "__ksymtab_strings"));
	assert_int_equal(m.param, sec_find(&k, "__param"));
	assert_string_equal(modelf_sec_name(&m, 1), ".text");
	assert_string_equal(modelf_sec_name(&m, m.shnum), "?");
	assert_string_equal(modelf_sym_name(&m, m.init_sym), "__module_init");
	assert_string_equal(modelf_sym_name(&m, m.exit_sym), "__module_exit");
	assert_string_equal(modelf_sym_name(&m, m.nsym), "?");
	/* module_init() is an alias: the same place as the function it names. */
	assert_int_equal(m.sym[m.init_sym].st_value, m.sym[sym_find(&k, "modtest_init")].st_value);
	assert_int_equal(m.sym[m.init_sym].st_shndx, sec_find(&k, ".text"));
	assert_int_equal(m.sym[m.exit_sym].st_value, m.sym[sym_find(&k, "modtest_exit")].st_value);
	free(k.buf);
}

static void test_modinfo(void **state)
{
	static const char *const want[] = { "parmtype=level:int", "parm=level:how loud",
					    "license=GPL", "description=host test module",
					    "name=modtest" };
	bool seen[ARRAY_SIZE(want)] = { false };
	unsigned n = 0;
	struct ko k;
	struct modelf m;

	ko_load("modtest.ko", &k);
	assert_int_equal(modelf_parse(k.buf, k.len, &m, NULL), 0);
	assert_string_equal(modelf_modinfo_get(&m, "name"), "modtest");
	assert_string_equal(modelf_modinfo_get(&m, "license"), "GPL");
	assert_string_equal(modelf_modinfo_get(&m, "description"), "host test module");
	assert_string_equal(modelf_modinfo_get(&m, "parmtype"), "level:int");
	assert_null(modelf_modinfo_get(&m, "licens"));
	assert_null(modelf_modinfo_get(&m, "version"));
	for (const char *p = modelf_modinfo_next(&m, NULL); p; p = modelf_modinfo_next(&m, p)) {
		unsigned i;
		for (i = 0; i < ARRAY_SIZE(want) && strcmp(p, want[i]); i++)
			;
		if (i == ARRAY_SIZE(want) || seen[i])
			fail_msg("unexpected .modinfo string '%s'", p);
		seen[i] = true;
		n++;
	}
	assert_int_equal(n, ARRAY_SIZE(want));
	free(k.buf);
}

/* The undefined symbols, as a sorted comma-separated list. */
static void undefs(const struct modelf *m, char *out, size_t size)
{
	const char *names[16];
	unsigned n = 0, pos = 0;
	bool weak;

	out[0] = '\0';
	for (const char *s; (s = modelf_undef_next(m, &pos, &weak)) && n < 16;) {
		assert_false(weak);
		names[n++] = s;
	}
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (strcmp(names[j], names[i]) < 0) {
				const char *t = names[i];
				names[i] = names[j];
				names[j] = t;
			}
	for (unsigned i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? "," : "", names[i]);
}

static void test_undefined_symbols(void **state)
{
	struct ko k, u;
	struct modelf m;
	char list[256];

	ko_load("modtest.ko", &k);
	ko_load("moduser.ko", &u);
	assert_int_equal(modelf_parse(k.buf, k.len, &m, NULL), 0);
	undefs(&m, list, sizeof(list));
	assert_string_equal(list, "ext_counter,ext_func,ext_small");
	assert_int_equal(modelf_parse(u.buf, u.len, &m, NULL), 0);
	undefs(&m, list, sizeof(list));
	assert_string_equal(list, "modtest_export,modtest_value");
	assert_string_equal(modelf_modinfo_get(&m, "depends"), "modtest");
	assert_int_equal(m.exit_sym, 0);
	free(k.buf);
	free(u.buf);
}

static void test_layout(void **state)
{
	struct ko k;
	struct loaded ld;
	u64 end[MODELF_NREGIONS] = { 0 };

	ko_load("modtest.ko", &k);
	parse_ok(&k, &ld);
	for (unsigned i = 1; i < ld.m.shnum; i++) {
		Elf64_Shdr *s = shdr(&k, i);
		unsigned want = !(s->sh_flags & SHF_ALLOC) || i == ld.m.modinfo ? MODELF_NOT_LOADED :
				s->sh_flags & SHF_EXECINSTR			  ? MODELF_TEXT :
				s->sh_flags & SHF_WRITE				  ? MODELF_DATA :
											    MODELF_RODATA;
		u64 align = s->sh_addralign ? s->sh_addralign : 1;
		assert_int_equal(ld.l.region[i], want);
		if (want == MODELF_NOT_LOADED)
			continue;
		/* In file order, aligned, not overlapping the one before, inside the region. */
		assert_int_equal(ld.l.off[i] % align, 0);
		assert_true(ld.l.off[i] >= end[want]);
		assert_true(ld.l.off[i] - end[want] < align);
		end[want] = ld.l.off[i] + s->sh_size;
		assert_true(end[want] <= ld.l.size[want]);
	}
	for (unsigned r = 0; r < MODELF_NREGIONS; r++)
		assert_int_equal(ld.l.size[r], ALIGN_UP(end[r], MODELF_PAGE));
	assert_int_equal(ld.l.size[MODELF_TEXT], 4096);
	assert_int_equal(ld.l.size[MODELF_RODATA], 4096);
	assert_int_equal(ld.l.size[MODELF_DATA], 4096);
	assert_int_equal(ld.l.off[sec_find(&k, ".text")], 0);
	assert_int_equal(ld.l.off[sec_find(&k, ".data")], 0);
	assert_int_equal(ld.l.off[sec_find(&k, ".bss")], 32); /* .data is 8 bytes, .bss 32-aligned */
	/* Loaded: the file bytes, zeros for .bss and the padding. */
	assert_memory_equal(sec_mem(&ld, 1), k.buf + shdr(&k, 1)->sh_offset, shdr(&k, 1)->sh_size);
	for (u64 i = end[MODELF_DATA] - 64; i < ld.l.size[MODELF_DATA]; i++)
		assert_int_equal(ld.base[MODELF_DATA][i], 0);
	loaded_free(&ld);
	free(k.buf);
}

/* modtest_relocs.S: one relocation of each type at fixed offsets. */
static void test_relocate_exact(void **state)
{
	struct ko k;
	struct loaded ld;
	struct resolver r;
	unsigned tab, data;
	u64 at, p, text;
	const u8 *t;

	ko_load("modtest.ko", &k);
	resolver_init(&r);
	load_ok(&k, &ld, &r);
	tab = sec_find(&k, ".rodata.relocs");
	data = sec_find(&k, ".data");
	assert_int_equal(ld.m.sym[sym_find(&k, "modtest_relocs")].st_value, 0);
	t = sec_mem(&ld, tab);
	at = sec_vaddr(&ld, tab);
	assert_int_equal(rd64(t + 0), EXT_FUNC + 5);				  /* 64 */
	assert_int_equal(rd32(t + 8), EXT_SMALL + 8);				  /* 32 */
	assert_int_equal(rd32(t + 12), (u32)(sec_vaddr(&ld, data) + 4 - 4));	  /* 32S */
	assert_int_equal(rd32(t + 16), (u32)(EXT_FUNC - 4 - (at + 16)));	  /* PC32 */
	assert_int_equal(rd32(t + 20), (u32)(EXT_FUNC - 4 - (at + 20)));	  /* PLT32 */
	assert_int_equal(rd64(t + 24), (u64)(3 - 24));				  /* PC64 */
	assert_int_equal(rd32(t + 32), 0x11223344);				  /* NONE */
	assert_int_equal(rd32(t + 36), 0);
	/* The first relocation of the code: the call to ext_func (PLT32, addend -4). */
	text = sec_vaddr(&ld, sec_find(&k, ".text"));
	p = rela(&k, ".rela.text", 0)->r_offset;
	assert_int_equal(ELF64_R_TYPE(rela(&k, ".rela.text", 0)->r_info), R_X86_64_PLT32);
	assert_int_equal(rd32(sec_mem(&ld, 1) + p), (u32)(EXT_FUNC - 4 - (text + p)));
	/* Only references to undefined symbols reach the resolver: 4 in the table, 2 in code. */
	assert_int_equal(r.calls, 6);
	loaded_free(&ld);
	free(k.buf);
}

/* Every relocated field recomputed here; every other byte as in the file. */
static void check_all_relocations(const char *file)
{
	struct ko k;
	struct loaded ld;
	struct resolver r;
	unsigned nsym, checked = 0;
	Elf64_Sym *y;

	if (!ko_read(file, &k)) {
		skip();
		return;
	}
	resolver_init(&r);
	load_ok(&k, &ld, &r);
	y = syms(&k, &nsym);
	for (unsigned rs = 1; rs < ehdr(&k)->e_shnum; rs++) {
		Elf64_Shdr *s = shdr(&k, rs);
		unsigned t = s->sh_info;
		u8 *mem, *orig;
		if (s->sh_type != SHT_RELA || ld.l.region[t] == MODELF_NOT_LOADED)
			continue;
		mem = sec_mem(&ld, t);
		orig = k.buf + shdr(&k, t)->sh_offset;
		for (unsigned j = 0; j < s->sh_size / 24; j++) {
			Elf64_Rela *e = (Elf64_Rela *)(k.buf + s->sh_offset) + j;
			Elf64_Sym *sy = &y[ELF64_R_SYM(e->r_info)];
			u64 S, P = sec_vaddr(&ld, t) + e->r_offset, v;
			int w = ELF64_R_TYPE(e->r_info) == R_X86_64_64 ||
						ELF64_R_TYPE(e->r_info) == R_X86_64_PC64 ? 8 :
				ELF64_R_TYPE(e->r_info) == R_X86_64_NONE	       ? 0 :
												 4;
			if (!ELF64_R_SYM(e->r_info))
				S = 0;
			else if (sy->st_shndx == SHN_UNDEF)
				assert_int_equal(resolve(modelf_sym_name(&ld.m, ELF64_R_SYM(e->r_info)),
							 &r, &S), 0);
			else
				S = sec_vaddr(&ld, sy->st_shndx) + sy->st_value;
			v = S + e->r_addend;
			if (ELF64_R_TYPE(e->r_info) == R_X86_64_PC32 ||
			    ELF64_R_TYPE(e->r_info) == R_X86_64_PLT32 ||
			    ELF64_R_TYPE(e->r_info) == R_X86_64_PC64)
				v -= P;
			if (w == 8)
				assert_int_equal(rd64(mem + e->r_offset), v);
			else if (w == 4)
				assert_int_equal(rd32(mem + e->r_offset), (u32)v);
			memset(orig + e->r_offset, 0xa5, w); /* mark: compared below */
			memset(mem + e->r_offset, 0xa5, w);
			checked++;
		}
		assert_memory_equal(mem, orig, shdr(&k, t)->sh_size);
	}
	assert_true(checked >= 20);
	loaded_free(&ld);
	free(k.buf);
}

static void test_relocate_all_gcc(void **state)
{
	check_all_relocations("modtest.ko");
}

static void test_relocate_all_clang(void **state)
{
	check_all_relocations("modtest-clang.ko");
}

static void test_exports_and_entry(void **state)
{
	struct ko k;
	struct loaded ld;
	struct resolver r;
	struct modelf_export e;
	u64 addr;

	ko_load("modtest.ko", &k);
	resolver_init(&r);
	load_ok(&k, &ld, &r);
	assert_int_equal(modelf_export_count(&ld.m), 2);
	assert_int_equal(modelf_export_get(&ld.m, &ld.l, ld.base, vaddr, 0, &e, &ld.why), 0);
	assert_string_equal(e.name, "modtest_export");
	assert_false(e.gpl);
	assert_int_equal(e.addr, sec_vaddr(&ld, sec_find(&k, ".text")) +
					 ld.m.sym[sym_find(&k, "modtest_export")].st_value);
	assert_int_equal(e.name_vaddr, vaddr[MODELF_RODATA] + (u64)((u8 *)e.name - ld.base[MODELF_RODATA]));
	assert_int_equal(modelf_export_get(&ld.m, &ld.l, ld.base, vaddr, 1, &e, &ld.why), 0);
	assert_string_equal(e.name, "modtest_value");
	assert_true(e.gpl);
	assert_int_equal(e.addr, sec_vaddr(&ld, sec_find(&k, ".data")) + 4);
	assert_int_equal(modelf_export_get(&ld.m, &ld.l, ld.base, vaddr, 2, &e, &ld.why), -EINVAL);
	assert_string_equal(ld.why.msg, "export 2 out of range (2 exports)");
	/* Entry points at their final addresses; an undefined symbol has none. */
	assert_int_equal(modelf_sym_addr(&ld.m, &ld.l, vaddr, ld.m.init_sym, &addr), 0);
	assert_int_equal(addr, sec_vaddr(&ld, 1) + ld.m.sym[sym_find(&k, "modtest_init")].st_value);
	assert_int_equal(modelf_sym_addr(&ld.m, &ld.l, vaddr, sym_find(&k, "ext_func"), &addr),
			 -ENOEXEC);
	assert_int_equal(modelf_sym_addr(&ld.m, &ld.l, vaddr, ld.m.nsym, &addr), -ENOEXEC);
	/* A name pointer that leads outside the module is refused. */
	memset(sec_mem(&ld, ld.m.ksymtab) + 8, 0, 8);
	assert_int_equal(modelf_export_get(&ld.m, &ld.l, ld.base, vaddr, 0, &e, &ld.why), -ENOEXEC);
	assert_string_equal(ld.why.msg, "section 8 (__ksymtab): entry 0: name at 0x0 is not a string "
					"in the module");
	loaded_free(&ld);
	free(k.buf);
}

/* moduser.ko's undefined symbols resolved from modtest.ko's relocated export table. */
static void test_dependent_module(void **state)
{
	struct ko k, u;
	struct loaded ld, lu;
	struct resolver r, ru;
	u64 addr;
	unsigned call;

	ko_load("modtest.ko", &k);
	ko_load("moduser.ko", &u);
	resolver_init(&r);
	load_ok(&k, &ld, &r);
	resolver_init(&ru);
	ru.nexports = modelf_export_count(&ld.m);
	for (unsigned i = 0; i < ru.nexports; i++)
		assert_int_equal(modelf_export_get(&ld.m, &ld.l, ld.base, vaddr, i, &ru.exports[i],
						   NULL),
				 0);
	parse_ok(&u, &lu);
	for (unsigned i = 0; i < MODELF_NREGIONS; i++)
		assert_int_equal(lu.l.size[i], i == MODELF_TEXT ? 4096 : 0);
	assert_int_equal(relocate(&lu, &ru), 0);
	assert_int_equal(ru.calls, 2);
	/* The call to modtest_export in moduser_init (PLT32, addend -4). */
	for (call = 0; ELF64_R_SYM(rela(&u, ".rela.text", call)->r_info) !=
		       sym_find(&u, "modtest_export");
	     call++)
		;
	addr = sec_vaddr(&lu, 1) + rela(&u, ".rela.text", call)->r_offset;
	assert_int_equal(rd32(sec_mem(&lu, 1) + rela(&u, ".rela.text", call)->r_offset),
			 (u32)(ru.exports[0].addr - 4 - addr));
	loaded_free(&lu);
	loaded_free(&ld);
	free(u.buf);
	free(k.buf);
}

/* ---------------------------------------------------------------- relocation failures */

static void expect_relocate(struct resolver *r, void (*edit)(struct ko *), int err,
			    const char *msg)
{
	struct ko k;
	struct loaded ld;

	ko_load("modtest.ko", &k);
	if (edit)
		edit(&k);
	parse_ok(&k, &ld);
	assert_int_equal(relocate(&ld, r), err);
	assert_int_equal(ld.why.err, err);
	assert_string_equal(ld.why.msg, msg);
	loaded_free(&ld);
	free(k.buf);
}

/* A message with numbers the test computes. */
static const char *fmt(const char *f, ...) __printf(1, 2);
static const char *fmt(const char *f, ...)
{
	static char buf[2][MODELF_ERR_MAX];
	static unsigned n;
	va_list ap;

	n ^= 1;
	va_start(ap, f);
	vsnprintf(buf[n], sizeof(buf[n]), f, ap);
	va_end(ap);
	return buf[n];
}

static void make_ext_small_weak(struct ko *k)
{
	unsigned n;

	syms(k, &n)[sym_find(k, "ext_small")].st_info = (STB_WEAK << 4) | STT_NOTYPE;
}

static void test_relocate_failures(void **state)
{
	struct resolver r;
	u64 p;

	resolver_init(&r);
	r.no_counter = true;
	expect_relocate(&r, NULL, -ENOENT, "unknown symbol ext_counter");
	resolver_init(&r);
	r.func_err = -EBUSY;
	expect_relocate(&r, NULL, -EBUSY, "symbol ext_func: error -16");
	resolver_init(&r);
	r.small = 0x100000000ull - 8;
	expect_relocate(&r, NULL, -ENOEXEC,
			"section 14 (.rela.rodata.relocs): relocation 1 (R_X86_64_32) against "
			"ext_small: value 0x100000000 does not fit in 32 bits (unsigned)");
	resolver_init(&r);
	r.func = 0xffff888000000000ull; /* the direct map: far from the module area */
	p = vaddr[MODELF_TEXT] + 0xf; /* the call in modtest_export */
	expect_relocate(&r, NULL, -ENOEXEC,
			fmt("section 2 (.rela.text): relocation 0 (R_X86_64_PLT32) against ext_func: "
			    "value 0x%llx does not fit in 32 bits (signed)",
			    (unsigned long long)(r.func - 4 - p)));
	/* A weak undefined symbol nobody defines is 0; a strong one is an error. */
	resolver_init(&r);
	r.no_small = true;
	expect_relocate(&r, NULL, -ENOENT, "unknown symbol ext_small");
	{
		struct ko k;
		struct loaded ld;

		ko_load("modtest.ko", &k);
		make_ext_small_weak(&k);
		parse_ok(&k, &ld);
		assert_int_equal(relocate(&ld, &r), 0);
		assert_int_equal(rd32(sec_mem(&ld, sec_find(&k, ".rodata.relocs")) + 8), 8);
		loaded_free(&ld);
		free(k.buf);
	}
	/* Without a resolver every undefined symbol is unknown. */
	{
		struct ko k;
		struct loaded ld;

		ko_load("modtest.ko", &k);
		parse_ok(&k, &ld);
		assert_int_equal(modelf_relocate(&ld.m, &ld.l, ld.base, vaddr, NULL, NULL, &ld.why),
				 -ENOENT);
		assert_string_equal(ld.why.msg, "unknown symbol ext_func");
		loaded_free(&ld);
		free(k.buf);
	}
}

/* ---------------------------------------------------------------- corrupted files */

static void expect_parse_len(const struct ko *k, size_t len, int err, const char *msg)
{
	struct modelf m;
	struct modelf_err why;

	memset(&m, 0x5a, sizeof(m));
	assert_int_equal(modelf_parse(k->buf, len, &m, &why), err);
	assert_int_equal(why.err, err);
	assert_string_equal(why.msg, msg);
	assert_int_equal(m.shnum, 0); /* nothing half-filled is left behind */
	assert_null(m.img);
}

static void expect_parse(const struct ko *k, int err, const char *msg)
{
	expect_parse_len(k, k->len, err, msg);
}

static void test_truncated(void **state)
{
	struct ko k;
	unsigned n = 0;

	ko_load("modtest.ko", &k);
	for (size_t len = 0; len < k.len; len += 64, n++) {
		/* A copy of exactly len bytes, so ASan sees a read past it. */
		struct ko t = { malloc(len ? len : 1), len };
		assert_non_null(t.buf);
		memcpy(t.buf, k.buf, len);
		if (len < 64)
			expect_parse_len(&t, len, -ENOEXEC,
					 fmt("file of %zu bytes is too short for an ELF header", len));
		else
			expect_parse_len(&t, len, -ENOEXEC,
					 fmt("section headers at 0x%llx (%u of 64 bytes) outside the "
					     "file (0x%zx bytes)",
					     (unsigned long long)ehdr(&k)->e_shoff, ehdr(&k)->e_shnum,
					     len));
		free(t.buf);
	}
	assert_int_equal(n, (k.len + 63) / 64);
	/* Cut inside the contents with the headers kept: the section past the end is named. */
	{
		unsigned sec = sec_find(&k, ".shstrtab");
		Elf64_Shdr *s = shdr(&k, sec);
		s->sh_size = k.len - s->sh_offset + 1;
		expect_parse(&k, -ENOEXEC,
			     fmt("section %u (?): contents at 0x%llx size 0x%llx outside the file "
				 "(0x%zx bytes)",
				 sec, (unsigned long long)s->sh_offset,
				 (unsigned long long)s->sh_size, k.len));
	}
	free(k.buf);
}

/* Each case edits a fresh copy of modtest.ko and expects one exact refusal from modelf_parse. */
struct corruption {
	const char *what;
	void (*edit)(struct ko *k);
	int err;
	const char *(*msg)(struct ko *k); /* computed on the edited copy */
};

#define EDIT(name) static void edit_##name(struct ko *k)
#define MSG(name) static const char *msg_##name(struct ko *k)

EDIT(magic) { k->buf[1] = 'F'; }
MSG(magic) { return "not an ELF file (bad magic)"; }
EDIT(class) { k->buf[EI_CLASS] = 1; }
MSG(class) { return "ELF class 1 is not ELFCLASS64"; }
EDIT(endian) { k->buf[EI_DATA] = 2; }
MSG(endian) { return "ELF data encoding 2 is not little-endian"; }
EDIT(version) { ehdr(k)->e_version = 2; }
MSG(version) { return "ELF version 1/2 is not EV_CURRENT"; }
EDIT(machine) { ehdr(k)->e_machine = 3; }
MSG(machine) { return "machine 3 is not x86_64 (62)"; }
EDIT(type) { ehdr(k)->e_type = ET_EXEC; }
MSG(type) { return "type 2 is not a relocatable object (ET_REL)"; }
EDIT(shentsize) { ehdr(k)->e_shentsize = 40; }
MSG(shentsize) { return "section header size 40, not 64"; }
EDIT(shnum) { ehdr(k)->e_shnum = 300; }
MSG(shnum) { return "300 sections, more than 256"; }
EDIT(shstrndx) { ehdr(k)->e_shstrndx = ehdr(k)->e_shnum; }
MSG(shstrndx) { return fmt("section name table index %u out of range (%u sections)",
			   ehdr(k)->e_shnum, ehdr(k)->e_shnum); }
EDIT(text_offset) { shdr(k, 1)->sh_offset = k->len - 0x10; }
MSG(text_offset) { return fmt("section 1 (.text): contents at 0x%zx size 0x%llx outside the file "
			      "(0x%zx bytes)", k->len - 0x10,
			      (unsigned long long)shdr(k, 1)->sh_size, k->len); }
EDIT(text_offset_wraps) { shdr(k, 1)->sh_offset = ~0ull - 0x20; }
MSG(text_offset_wraps) { return fmt("section 1 (.text): contents at 0xffffffffffffffdf size 0x%llx "
				    "outside the file (0x%zx bytes)",
				    (unsigned long long)shdr(k, 1)->sh_size, k->len); }
EDIT(strtab_nul) { Elf64_Shdr *s = shdr(k, sec_find(k, ".strtab"));
		   k->buf[s->sh_offset + s->sh_size - 1] = 'x'; }
MSG(strtab_nul) { return fmt("section %u (.strtab): string table not NUL-terminated",
			     sec_find(k, ".strtab")); }
EDIT(shstrtab_nul) { Elf64_Shdr *s = shdr(k, ehdr(k)->e_shstrndx);
		     k->buf[s->sh_offset + s->sh_size - 1] = 'x'; }
MSG(shstrtab_nul) { return fmt("section %u (?): string table not NUL-terminated",
			       ehdr(k)->e_shstrndx); }
EDIT(sec_name) { shdr(k, 3)->sh_name = shdr(k, ehdr(k)->e_shstrndx)->sh_size; }
MSG(sec_name) { return fmt("section 3 (?): name offset 0x%llx outside the section name table "
			   "(size 0x%llx)",
			   (unsigned long long)shdr(k, ehdr(k)->e_shstrndx)->sh_size,
			   (unsigned long long)shdr(k, ehdr(k)->e_shstrndx)->sh_size); }
static unsigned nsym_of(struct ko *k) { unsigned n; syms(k, &n); return n; }
static Elf64_Sym *sym_of(struct ko *k, const char *name) { unsigned n; return &syms(k, &n)[sym_find(k, name)]; }
EDIT(common) { sym_of(k, "modtest_value")->st_shndx = SHN_COMMON; }
MSG(common) { return fmt("section %u (.symtab): symbol %u (modtest_value): common symbol "
			 "(SHN_COMMON; build with -fno-common)",
			 sec_find(k, ".symtab"), sym_find(k, "modtest_value")); }
EDIT(reserved) { sym_of(k, "modtest_value")->st_shndx = 0xff05; }
MSG(reserved) { return fmt("section %u (.symtab): symbol %u (modtest_value): reserved section "
			   "index 0xff05", sec_find(k, ".symtab"), sym_find(k, "modtest_value")); }
EDIT(sym_shndx) { sym_of(k, "modtest_value")->st_shndx = 200; }
MSG(sym_shndx) { return fmt("section %u (.symtab): symbol %u (modtest_value): section index 200 "
			    "out of range (%u sections)", sec_find(k, ".symtab"),
			    sym_find(k, "modtest_value"), ehdr(k)->e_shnum); }
EDIT(sym_name) { syms(k, &(unsigned){ 0 })[3].st_name = 0x7fffffff; }
MSG(sym_name) { return fmt("section %u (.symtab): symbol 3 (?): name offset 0x7fffffff outside "
			   "the string table (size 0x%llx)", sec_find(k, ".symtab"),
			   (unsigned long long)shdr(k, sec_find(k, ".strtab"))->sh_size); }
EDIT(sym_value) { sym_of(k, "modtest_value")->st_value = 9; }
MSG(sym_value) { return fmt("section %u (.symtab): symbol %u (modtest_value): value 0x9 past the "
			    "end of section %u (size 0x8)", sec_find(k, ".symtab"),
			    sym_find(k, "modtest_value"), sec_find(k, ".data")); }
EDIT(sym_tls) { sym_of(k, "modtest_value")->st_info = (STB_GLOBAL << 4) | STT_TLS; }
MSG(sym_tls) { return fmt("section %u (.symtab): symbol %u (modtest_value): thread-local symbol",
			  sec_find(k, ".symtab"), sym_find(k, "modtest_value")); }
EDIT(undef_local) { sym_of(k, "ext_small")->st_info = (STB_LOCAL << 4) | STT_NOTYPE; }
MSG(undef_local) { return fmt("section %u (.symtab): symbol %u (ext_small): undefined and not "
			      "global", sec_find(k, ".symtab"), sym_find(k, "ext_small")); }
EDIT(reloc_type) { Elf64_Rela *r = rela(k, ".rela.text", 0);
		   r->r_info = (r->r_info & ~0xffffffffull) | 42; }
MSG(reloc_type) { return "section 2 (.rela.text): relocation 0: unknown type 42"; }
EDIT(reloc_type_debug) { Elf64_Rela *r = rela(k, ".rela.debug_info", 5);
			 r->r_info = (r->r_info & ~0xffffffffull) | 9 /* GOTPCREL */; }
MSG(reloc_type_debug) { return fmt("section %u (.rela.debug_info): relocation 5: unknown type 9",
				   sec_find(k, ".rela.debug_info")); }
EDIT(reloc_offset) { rela(k, ".rela.text", 3)->r_offset = shdr(k, 1)->sh_size - 2; }
MSG(reloc_offset) { return fmt("section 2 (.rela.text): relocation 3 offset 0x%llx outside "
			       "section 1 (.text, size 0x%llx)",
			       (unsigned long long)shdr(k, 1)->sh_size - 2,
			       (unsigned long long)shdr(k, 1)->sh_size); }
EDIT(reloc_offset_wraps) { rela(k, ".rela__ksymtab", 1)->r_offset = ~0ull - 3; }
MSG(reloc_offset_wraps) { return fmt("section %u (.rela__ksymtab): relocation 1 offset "
				     "0xfffffffffffffffc outside section %u (__ksymtab, size 0x10)",
				     sec_find(k, ".rela__ksymtab"), sec_find(k, "__ksymtab")); }
EDIT(reloc_sym) { Elf64_Rela *r = rela(k, ".rela.text", 2);
		  r->r_info = ((u64)nsym_of(k) << 32) | ELF64_R_TYPE(r->r_info); }
MSG(reloc_sym) { return fmt("section 2 (.rela.text): relocation 2: symbol index %u out of range "
			    "(%u symbols)", nsym_of(k), nsym_of(k)); }
EDIT(rel) { shdr(k, 2)->sh_type = SHT_REL; }
MSG(rel) { return "section 2 (.rela.text): SHT_REL relocations are not supported (only SHT_RELA)"; }
EDIT(rela_link) { shdr(k, 2)->sh_link = sec_find(k, ".strtab"); }
MSG(rela_link) { return fmt("section 2 (.rela.text): linked to section %u, not the symbol table "
			    "(section %u)", sec_find(k, ".strtab"), sec_find(k, ".symtab")); }
EDIT(rela_target) { shdr(k, 2)->sh_info = sec_find(k, ".bss"); }
MSG(rela_target) { return fmt("section 2 (.rela.text): target section %u (.bss) of type 8",
			      sec_find(k, ".bss")); }
EDIT(rela_target_range) { shdr(k, 2)->sh_info = 0; }
MSG(rela_target_range) { return fmt("section 2 (.rela.text): target section 0 out of range "
				    "(%u sections)", ehdr(k)->e_shnum); }
EDIT(two_symtabs) { shdr(k, sec_find(k, ".comment"))->sh_type = SHT_SYMTAB; }
MSG(two_symtabs) { return fmt("section %u (.symtab): second symbol table (the first is section %u)",
			      sec_find(k, ".symtab"), sec_find(k, ".comment")); }
EDIT(no_symtab) { shdr(k, sec_find(k, ".symtab"))->sh_type = SHT_PROGBITS; }
MSG(no_symtab) { return "no symbol table"; }
EDIT(symtab_entsize) { shdr(k, sec_find(k, ".symtab"))->sh_entsize = 16; }
MSG(symtab_entsize) { return fmt("section %u (.symtab): entry size 16, not 24",
				 sec_find(k, ".symtab")); }
EDIT(symtab_link) { shdr(k, sec_find(k, ".symtab"))->sh_link = 1; }
MSG(symtab_link) { return "section 1 (.text): type 1 is not a string table"; }
EDIT(align) { shdr(k, 1)->sh_addralign = 24; }
MSG(align) { return "section 1 (.text): alignment 0x18 is not a power of two"; }
EDIT(align_big) { shdr(k, 1)->sh_addralign = 8192; }
MSG(align_big) { return "section 1 (.text): alignment 0x2000 above the page size"; }
EDIT(big_bss) { shdr(k, sec_find(k, ".bss"))->sh_size = MODELF_MAX_REGION + 1ull; }
MSG(big_bss) { return fmt("section %u (.bss): size 0x4000001 above the limit 0x4000000",
			  sec_find(k, ".bss")); }
EDIT(tls) { shdr(k, sec_find(k, ".data"))->sh_flags |= SHF_TLS; }
MSG(tls) { return fmt("section %u (.data): thread-local storage is not supported",
		      sec_find(k, ".data")); }
EDIT(alloc_strtab) { shdr(k, sec_find(k, ".strtab"))->sh_flags |= SHF_ALLOC; }
MSG(alloc_strtab) { return fmt("section %u (.strtab): allocated section of type 3",
			       sec_find(k, ".strtab")); }
EDIT(modinfo_nul) { Elf64_Shdr *s = shdr(k, sec_find(k, ".modinfo"));
		    k->buf[s->sh_offset + s->sh_size - 1] = 'x'; }
MSG(modinfo_nul) { return fmt("section %u (.modinfo): last string not NUL-terminated",
			      sec_find(k, ".modinfo")); }
EDIT(modinfo_eq) { Elf64_Shdr *s = shdr(k, sec_find(k, ".modinfo"));
		   char *p = memmem(k->buf + s->sh_offset, s->sh_size, "license=", 8);
		   p[7] = ':'; }
MSG(modinfo_eq) { Elf64_Shdr *s = shdr(k, sec_find(k, ".modinfo"));
		  u8 *p = memmem(k->buf + s->sh_offset, s->sh_size, "license:", 8);
		  return fmt("section %u (.modinfo): string at offset 0x%llx is not key=value",
			     sec_find(k, ".modinfo"),
			     (unsigned long long)(p - (k->buf + s->sh_offset))); }
EDIT(ksymtab_size) { shdr(k, sec_find(k, "__ksymtab"))->sh_size = 24; }
MSG(ksymtab_size) { return fmt("section %u (__ksymtab): size 0x18 is not a multiple of the entry "
			       "size 16", sec_find(k, "__ksymtab")); }
EDIT(ksymtab_dup) { Elf64_Shdr *s = shdr(k, sec_find(k, ".comment"));
		    s->sh_name = shdr(k, sec_find(k, "__ksymtab"))->sh_name; }
MSG(ksymtab_dup) { return fmt("section %u (__ksymtab): duplicate section (also section %u)",
			      sec_find(k, "__ksymtab") < 17 ? 17 : sec_find(k, "__ksymtab"),
			      sec_find(k, "__ksymtab")); }
EDIT(init_data) { Elf64_Sym *y = sym_of(k, "__module_init");
		  y->st_shndx = sec_find(k, ".data"); y->st_value = 0; }
MSG(init_data) { return fmt("section %u (.symtab): symbol %u (__module_init): entry point not in "
			    "executable code", sec_find(k, ".symtab"), sym_find(k, "__module_init")); }

#define CASE(name, err) { #name, edit_##name, err, msg_##name }
static const struct corruption corruptions[] = {
	CASE(magic, -ENOEXEC), CASE(class, -ENOEXEC), CASE(endian, -ENOEXEC),
	CASE(version, -ENOEXEC), CASE(machine, -ENOEXEC), CASE(type, -ENOEXEC),
	CASE(shentsize, -ENOEXEC), CASE(shnum, -EFBIG), CASE(shstrndx, -ENOEXEC),
	CASE(text_offset, -ENOEXEC), CASE(text_offset_wraps, -ENOEXEC),
	CASE(strtab_nul, -ENOEXEC), CASE(shstrtab_nul, -ENOEXEC), CASE(sec_name, -ENOEXEC),
	CASE(common, -ENOEXEC), CASE(reserved, -ENOEXEC), CASE(sym_shndx, -ENOEXEC),
	CASE(sym_name, -ENOEXEC), CASE(sym_value, -ENOEXEC), CASE(sym_tls, -ENOEXEC),
	CASE(undef_local, -ENOEXEC), CASE(reloc_type, -ENOEXEC), CASE(reloc_type_debug, -ENOEXEC),
	CASE(reloc_offset, -ENOEXEC), CASE(reloc_offset_wraps, -ENOEXEC),
	CASE(reloc_sym, -ENOEXEC), CASE(rel, -ENOEXEC), CASE(rela_link, -ENOEXEC),
	CASE(rela_target, -ENOEXEC), CASE(rela_target_range, -ENOEXEC),
	CASE(two_symtabs, -ENOEXEC), CASE(no_symtab, -ENOEXEC), CASE(symtab_entsize, -ENOEXEC),
	CASE(symtab_link, -ENOEXEC), CASE(align, -ENOEXEC), CASE(align_big, -ENOEXEC),
	CASE(big_bss, -EFBIG), CASE(tls, -ENOEXEC), CASE(alloc_strtab, -ENOEXEC),
	CASE(modinfo_nul, -ENOEXEC), CASE(modinfo_eq, -ENOEXEC), CASE(ksymtab_size, -ENOEXEC),
	CASE(ksymtab_dup, -ENOEXEC), CASE(init_data, -ENOEXEC),
};

static void test_corrupted(void **state)
{
	struct ko orig;

	ko_load("modtest.ko", &orig);
	for (unsigned i = 0; i < ARRAY_SIZE(corruptions); i++) {
		const struct corruption *c = &corruptions[i];
		struct ko k = { malloc(orig.len), orig.len };
		struct modelf m;
		struct modelf_err why;
		assert_non_null(k.buf);
		memcpy(k.buf, orig.buf, orig.len);
		c->edit(&k);
		printf("# corrupted: %s\n", c->what);
		assert_int_equal(modelf_parse(k.buf, k.len, &m, &why), c->err);
		assert_int_equal(why.err, c->err);
		if (strcmp(why.msg, c->msg(&k)))
			fail_msg("%s: message '%s', expected '%s'", c->what, why.msg, c->msg(&k));
		free(k.buf);
	}
	free(orig.buf);
}

/* W^X and the region limit are layout's refusals; the file itself parses. */
static void test_layout_refusals(void **state)
{
	struct ko k;
	struct modelf m;
	struct modelf_layout *l = malloc(sizeof(*l));
	struct modelf_err why;
	unsigned data, stack;

	assert_non_null(l);
	ko_load("modtest.ko", &k);
	data = sec_find(&k, ".data");
	shdr(&k, data)->sh_flags |= SHF_EXECINSTR;
	assert_int_equal(modelf_parse(k.buf, k.len, &m, &why), 0);
	assert_int_equal(modelf_layout(&m, l, &why), -ENOEXEC);
	assert_string_equal(why.msg, fmt("section %u (.data): writable and executable (W^X)", data));
	shdr(&k, data)->sh_flags &= ~(u64)SHF_EXECINSTR;
	/* Two sections of 40 MiB each in the data region: the second passes the limit. */
	stack = sec_find(&k, ".note.GNU-stack");
	shdr(&k, stack)->sh_type = SHT_NOBITS;
	shdr(&k, stack)->sh_flags = SHF_ALLOC | SHF_WRITE;
	shdr(&k, stack)->sh_size = 40u << 20;
	shdr(&k, sec_find(&k, ".bss"))->sh_size = 40u << 20;
	assert_int_equal(modelf_parse(k.buf, k.len, &m, &why), 0);
	assert_int_equal(modelf_layout(&m, l, &why), -EFBIG);
	assert_string_equal(why.msg, fmt("section %u (.note.GNU-stack): the data region would pass "
					 "its limit of 0x4000000 bytes", stack));
	free(l);
	free(k.buf);
}

static void test_bad_buffer(void **state)
{
	struct ko k;
	struct modelf m;
	struct modelf_err why;
	u8 *odd;

	ko_load("modtest.ko", &k);
	odd = malloc(k.len + 4);
	assert_non_null(odd);
	memcpy(odd + 4, k.buf, k.len);
	assert_int_equal(modelf_parse(odd + 4, k.len, &m, &why), -EINVAL);
	assert_string_equal(why.msg, "image buffer not 8-byte aligned");
	assert_int_equal(modelf_parse(NULL, 0, &m, NULL), -EINVAL);
	free(odd);
	free(k.buf);
}

/* Seeded random byte changes: each file is refused or loads, never a sanitizer report. */
static void test_random_mutations(void **state)
{
	struct ko orig;
	unsigned accepted = 0;
	struct modelf_layout *l = malloc(sizeof(*l));

	assert_non_null(l);
	ko_load("modtest.ko", &orig);
	rng_seed(0x6d6f64656c66ull, "random_mutations");
	for (unsigned iter = 0; iter < 3000; iter++) {
		struct ko k = { malloc(orig.len), orig.len };
		struct modelf m;
		struct resolver r;
		unsigned n = 1 + rng_below(4);
		assert_non_null(k.buf);
		memcpy(k.buf, orig.buf, orig.len);
		for (unsigned i = 0; i < n; i++) {
			/* Mostly the headers and tables, where the checks are. */
			size_t shoff = ehdr(&orig)->e_shoff;
			size_t at = rng_below(4) ? shoff + rng_below(orig.len - shoff) : rng_below(orig.len);
			k.buf[at] = rng_below(2) ? (u8)rng_next() : k.buf[at] ^ (u8)(1u << rng_below(8));
		}
		if (!modelf_parse(k.buf, k.len, &m, NULL) && !modelf_layout(&m, l, NULL)) {
			u8 *base[MODELF_NREGIONS];
			for (unsigned rg = 0; rg < MODELF_NREGIONS; rg++)
				base[rg] = malloc(l->size[rg] ? l->size[rg] : 1);
			modelf_load(&m, l, base);
			resolver_init(&r);
			if (!modelf_relocate(&m, l, base, vaddr, resolve, &r, NULL))
				accepted++;
			for (unsigned rg = 0; rg < MODELF_NREGIONS; rg++)
				free(base[rg]);
		}
		free(k.buf);
	}
	printf("# random_mutations: %u of 3000 loaded\n", accepted);
	free(l);
	free(orig.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_modtest),
		cmocka_unit_test(test_modinfo),
		cmocka_unit_test(test_undefined_symbols),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_relocate_exact),
		cmocka_unit_test(test_relocate_all_gcc),
		cmocka_unit_test(test_relocate_all_clang),
		cmocka_unit_test(test_exports_and_entry),
		cmocka_unit_test(test_dependent_module),
		cmocka_unit_test(test_relocate_failures),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_layout_refusals),
		cmocka_unit_test(test_bad_buffer),
		cmocka_unit_test(test_random_mutations),
	};

	hosttest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
