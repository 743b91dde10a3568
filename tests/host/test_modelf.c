/* tests/host/test_modelf.c: host tests of kernel/module/modelf.c and relocate.c on real .ko files.
 * Modules built with the kernel's flags parsed, laid out and relocated exactly; relocation failures named. */
#include "modelf_test.h"

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

static void make_ext_small_weak(struct ko *k)
{
	unsigned n;

	syms(k, &n)[sym_find(k, "ext_small")].st_info = (STB_WEAK << 4) | STT_NOTYPE;
}

static void test_relocate_failures(void **state)
{
	struct resolver r;
	u64 p, table;

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
	/* The edges: S + A - P = 0x7fffffff and -0x80000000 fit in the call's field, one more or
	 * one less does not (the second is first refused by a later field, further away). */
	{
		struct ko k;
		struct loaded ld;

		ko_load("modtest.ko", &k);
		parse_ok(&k, &ld);
		resolver_init(&r);
		r.func = p + 4 + 0x7fffffff;
		assert_int_equal(relocate(&ld, &r), 0);
		assert_int_equal(rd32(sec_mem(&ld, 1) + 0xf), 0x7fffffff);
		r.small = 0xffffffff - 8;
		assert_int_equal(relocate(&ld, &r), 0);
		assert_int_equal(rd32(sec_mem(&ld, sec_find(&k, ".rodata.relocs")) + 8), 0xffffffff);
		table = sec_vaddr(&ld, sec_find(&k, ".rodata.relocs"));
		loaded_free(&ld);
		free(k.buf);
	}
	resolver_init(&r);
	r.func = p + 4 + 0x80000000ull;
	expect_relocate(&r, NULL, -ENOEXEC,
			"section 2 (.rela.text): relocation 0 (R_X86_64_PLT32) against ext_func: "
			"value 0x80000000 does not fit in 32 bits (signed)");
	r.func = p + 4 - 0x80000000ull;
	expect_relocate(&r, NULL, -ENOEXEC,
			fmt("section 14 (.rela.rodata.relocs): relocation 3 (R_X86_64_PC32) against "
			    "ext_func: value 0x%llx does not fit in 32 bits (signed)",
			    (unsigned long long)(r.func - 4 - (table + 16))));
	r.func = p + 4 - 0x80000001ull;
	expect_relocate(&r, NULL, -ENOEXEC,
			"section 2 (.rela.text): relocation 0 (R_X86_64_PLT32) against ext_func: "
			"value 0xffffffff7fffffff does not fit in 32 bits (signed)");
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
		cmocka_unit_test(test_bad_buffer),
	};

	hosttest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
