/* tests/host/test_modelf_bad.c: kernel/module/modelf.c and relocate.c against corrupted copies of a real .ko.
 * Each corruption refused with its own errno and exact message; random mutations under ASan/UBSan never crash. */
#define _GNU_SOURCE /* memmem */
#include "modelf_test.h"

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
	free(k.buf);
}

/* modtest.ko with its section headers and their names (the end of the file, as ld writes it)
 * moved in front of the contents, so that cutting it short cuts sections, not the headers. */
static void headers_first(const struct ko *k, struct ko *out)
{
	size_t hdrs = (size_t)ehdr(k)->e_shnum * sizeof(Elf64_Shdr);
	Elf64_Shdr *names = shdr(k, ehdr(k)->e_shstrndx);
	size_t front = hdrs + ALIGN_UP(names->sh_size, 64); /* keeps every alignment */
	u64 shoff = ehdr(k)->e_shoff;

	assert_int_equal(shoff + hdrs, k->len);
	assert_int_equal(names->sh_offset + names->sh_size, shoff);
	out->len = 64 + front + (names->sh_offset - 64);
	out->buf = calloc(1, out->len);
	assert_non_null(out->buf);
	memcpy(out->buf, k->buf, 64);
	memcpy(out->buf + 64, k->buf + shoff, hdrs);
	memcpy(out->buf + 64 + hdrs, k->buf + names->sh_offset, names->sh_size);
	memcpy(out->buf + 64 + front, k->buf + 64, names->sh_offset - 64);
	ehdr(out)->e_shoff = 64;
	for (unsigned i = 1; i < ehdr(out)->e_shnum; i++)
		shdr(out, i)->sh_offset += front;
	shdr(out, ehdr(out)->e_shstrndx)->sh_offset = 64 + hdrs;
}

static void test_truncated_contents(void **state)
{
	struct ko k, h;
	struct loaded ld;
	struct resolver r;
	unsigned shstr, n = 0;

	ko_load("modtest.ko", &k);
	headers_first(&k, &h);
	shstr = ehdr(&h)->e_shstrndx;
	resolver_init(&r);
	load_ok(&h, &ld, &r); /* whole, it still loads */
	loaded_free(&ld);
	for (size_t len = shdr(&h, shstr)->sh_offset + shdr(&h, shstr)->sh_size; len < h.len;
	     len += 64) {
		struct ko t = { malloc(len), len };
		unsigned cut = 0;
		Elf64_Shdr *s;
		assert_non_null(t.buf);
		memcpy(t.buf, h.buf, len);
		/* The sections in order: the names, first in the file, are whole. */
		for (unsigned i = 1; i < ehdr(&h)->e_shnum && !cut; i++)
			if (shdr(&h, i)->sh_type != SHT_NOBITS &&
			    shdr(&h, i)->sh_offset + shdr(&h, i)->sh_size > len)
				cut = i;
		assert_int_not_equal(cut, 0);
		s = shdr(&h, cut);
		expect_parse_len(&t, len, -ENOEXEC,
				 fmt("section %u (%s): contents at 0x%llx size 0x%llx outside the "
				     "file (0x%zx bytes)", cut,
				     (const char *)h.buf + shdr(&h, shstr)->sh_offset + s->sh_name,
				     (unsigned long long)s->sh_offset, (unsigned long long)s->sh_size,
				     len));
		free(t.buf);
		n++;
	}
	assert_true(n > 100);
	free(h.buf);
	free(k.buf);
}

static unsigned nsym_of(struct ko *k)
{
	unsigned n;

	syms(k, &n);
	return n;
}

static Elf64_Sym *sym_of(struct ko *k, const char *name)
{
	unsigned n;

	return &syms(k, &n)[sym_find(k, name)];
}

static void set_rela_type(struct ko *k, const char *sec, unsigned j, u32 type)
{
	Elf64_Rela *r = rela(k, sec, j);

	r->r_info = (r->r_info & ~0xffffffffull) | type;
}

/* Applies corruption c (numbered from 0) to a fresh copy k of modtest.ko and returns the exact
 * message modelf_parse must give, with *err its errno (-ENOEXEC unless set); NULL past the last. */
static const char *corrupt(struct ko *k, unsigned c, const char **what, int *err)
{
	unsigned symtab = sec_find(k, ".symtab"), shstr = ehdr(k)->e_shstrndx;
	unsigned long long text_size = shdr(k, 1)->sh_size;
	unsigned n;
	Elf64_Shdr *s;
	u8 *p;

#define CASE(n, name) \
	case n:       \
		*what = name;
	switch (c) {
	CASE(0, "bad magic")
		k->buf[1] = 'F';
		return "not an ELF file (bad magic)";
	CASE(1, "ELFCLASS32")
		k->buf[EI_CLASS] = 1;
		return "ELF class 1 is not ELFCLASS64";
	CASE(2, "big-endian")
		k->buf[EI_DATA] = 2;
		return "ELF data encoding 2 is not little-endian";
	CASE(3, "e_version")
		ehdr(k)->e_version = 2;
		return "ELF version 1/2 is not EV_CURRENT";
	CASE(4, "machine")
		ehdr(k)->e_machine = 3;
		return "machine 3 is not x86_64 (62)";
	CASE(5, "ET_EXEC")
		ehdr(k)->e_type = ET_EXEC;
		return "type 2 is not a relocatable object (ET_REL)";
	CASE(6, "e_shentsize")
		ehdr(k)->e_shentsize = 40;
		return "section header size 40, not 64";
	CASE(7, "too many sections")
		*err = -EFBIG;
		ehdr(k)->e_shnum = 300;
		return "300 sections, more than 256";
	CASE(8, "e_shstrndx")
		ehdr(k)->e_shstrndx = ehdr(k)->e_shnum;
		return fmt("section name table index %u out of range (%u sections)",
			   ehdr(k)->e_shnum, ehdr(k)->e_shnum);
	CASE(9, "section offset past the end")
		shdr(k, 1)->sh_offset = k->len - 0x10;
		return fmt("section 1 (.text): contents at 0x%zx size 0x%llx outside the file "
			   "(0x%zx bytes)", k->len - 0x10, text_size, k->len);
	CASE(10, "section offset + size wraps")
		shdr(k, 1)->sh_offset = ~0ull - 0x20;
		return fmt("section 1 (.text): contents at 0xffffffffffffffdf size 0x%llx outside "
			   "the file (0x%zx bytes)", text_size, k->len);
	CASE(11, ".strtab without NUL")
		s = shdr(k, symtab + 1);
		k->buf[s->sh_offset + s->sh_size - 1] = 'x';
		return fmt("section %u (.strtab): string table not NUL-terminated", symtab + 1);
	CASE(12, ".shstrtab without NUL")
		s = shdr(k, shstr);
		k->buf[s->sh_offset + s->sh_size - 1] = 'x';
		return fmt("section %u (?): string table not NUL-terminated", shstr);
	CASE(13, "section name offset")
		shdr(k, 3)->sh_name = shdr(k, shstr)->sh_size;
		return fmt("section 3 (?): name offset 0x%llx outside the section name table "
			   "(size 0x%llx)", (unsigned long long)shdr(k, shstr)->sh_size,
			   (unsigned long long)shdr(k, shstr)->sh_size);
	CASE(14, "SHN_COMMON symbol")
		sym_of(k, "modtest_value")->st_shndx = SHN_COMMON;
		return fmt("section %u (.symtab): symbol %u (modtest_value): common symbol "
			   "(SHN_COMMON; build with -fno-common)", symtab,
			   sym_find(k, "modtest_value"));
	CASE(15, "reserved symbol section index")
		sym_of(k, "modtest_value")->st_shndx = 0xff05;
		return fmt("section %u (.symtab): symbol %u (modtest_value): reserved section index "
			   "0xff05", symtab, sym_find(k, "modtest_value"));
	CASE(16, "symbol section index out of range")
		sym_of(k, "modtest_value")->st_shndx = 200;
		return fmt("section %u (.symtab): symbol %u (modtest_value): section index 200 out "
			   "of range (%u sections)", symtab, sym_find(k, "modtest_value"),
			   ehdr(k)->e_shnum);
	CASE(17, "symbol name offset")
		syms(k, &(unsigned){ 0 })[3].st_name = 0x7fffffff;
		return fmt("section %u (.symtab): symbol 3 (?): name offset 0x7fffffff outside the "
			   "string table (size 0x%llx)", symtab,
			   (unsigned long long)shdr(k, symtab + 1)->sh_size);
	CASE(18, "symbol value past its section")
		sym_of(k, "modtest_value")->st_value = 9;
		return fmt("section %u (.symtab): symbol %u (modtest_value): value 0x9 past the end "
			   "of section %u (size 0x8)", symtab, sym_find(k, "modtest_value"),
			   sec_find(k, ".data"));
	CASE(19, "STT_TLS symbol")
		sym_of(k, "modtest_value")->st_info = (STB_GLOBAL << 4) | STT_TLS;
		return fmt("section %u (.symtab): symbol %u (modtest_value): thread-local symbol",
			   symtab, sym_find(k, "modtest_value"));
	CASE(20, "undefined local symbol")
		sym_of(k, "ext_small")->st_info = (STB_LOCAL << 4) | STT_NOTYPE;
		return fmt("section %u (.symtab): symbol %u (ext_small): undefined and not global",
			   symtab, sym_find(k, "ext_small"));
	CASE(21, "relocation type 42")
		set_rela_type(k, ".rela.text", 0, 42);
		return "section 2 (.rela.text): relocation 0: unknown type 42";
	CASE(22, "GOTPCREL in debug information")
		set_rela_type(k, ".rela.debug_info", 5, 9);
		return fmt("section %u (.rela.debug_info): relocation 5: unknown type 9",
			   sec_find(k, ".rela.debug_info"));
	CASE(23, "relocation offset past its section")
		rela(k, ".rela.text", 3)->r_offset = text_size - 2;
		return fmt("section 2 (.rela.text): relocation 3 offset 0x%llx outside section 1 "
			   "(.text, size 0x%llx)", text_size - 2, text_size);
	CASE(24, "relocation offset + width wraps")
		rela(k, ".rela__ksymtab", 1)->r_offset = ~0ull - 3;
		return fmt("section %u (.rela__ksymtab): relocation 1 offset 0xfffffffffffffffc "
			   "outside section %u (__ksymtab, size 0x10)",
			   sec_find(k, ".rela__ksymtab"), sec_find(k, "__ksymtab"));
	CASE(25, "relocation symbol index")
		n = nsym_of(k);
		rela(k, ".rela.text", 2)->r_info = ((u64)n << 32) | R_X86_64_PC32;
		return fmt("section 2 (.rela.text): relocation 2: symbol index %u out of range "
			   "(%u symbols)", n, n);
	CASE(26, "SHT_REL")
		shdr(k, 2)->sh_type = SHT_REL;
		return "section 2 (.rela.text): SHT_REL relocations are not supported (only SHT_RELA)";
	CASE(27, "relocations linked to .strtab")
		shdr(k, 2)->sh_link = symtab + 1;
		return fmt("section 2 (.rela.text): linked to section %u, not the symbol table "
			   "(section %u)", symtab + 1, symtab);
	CASE(28, "relocations of .bss")
		shdr(k, 2)->sh_info = sec_find(k, ".bss");
		return fmt("section 2 (.rela.text): target section %u (.bss) of type 8",
			   sec_find(k, ".bss"));
	CASE(29, "relocations of section 0")
		shdr(k, 2)->sh_info = 0;
		return fmt("section 2 (.rela.text): target section 0 out of range (%u sections)",
			   ehdr(k)->e_shnum);
	CASE(30, "two symbol tables")
		shdr(k, sec_find(k, ".comment"))->sh_type = SHT_SYMTAB;
		return fmt("section %u (.symtab): second symbol table (the first is section %u)",
			   symtab, sec_find(k, ".comment"));
	CASE(31, "no symbol table")
		shdr(k, symtab)->sh_type = SHT_PROGBITS;
		return "no symbol table";
	CASE(32, "symbol entry size")
		shdr(k, symtab)->sh_entsize = 16;
		return fmt("section %u (.symtab): entry size 16, not 24", symtab);
	CASE(33, "symbol names in .text")
		shdr(k, symtab)->sh_link = 1;
		return "section 1 (.text): type 1 is not a string table";
	CASE(34, "alignment 24")
		shdr(k, 1)->sh_addralign = 24;
		return "section 1 (.text): alignment 0x18 is not a power of two";
	CASE(35, "alignment 8192")
		shdr(k, 1)->sh_addralign = 8192;
		return "section 1 (.text): alignment 0x2000 above the page size";
	CASE(36, "huge .bss")
		*err = -EFBIG;
		shdr(k, sec_find(k, ".bss"))->sh_size = MODELF_MAX_REGION + 1ull;
		return fmt("section %u (.bss): size 0x4000001 above the limit 0x4000000",
			   sec_find(k, ".bss"));
	CASE(37, "SHF_TLS")
		shdr(k, sec_find(k, ".data"))->sh_flags |= SHF_TLS;
		return fmt("section %u (.data): thread-local storage is not supported",
			   sec_find(k, ".data"));
	CASE(38, "allocated string table")
		shdr(k, symtab + 1)->sh_flags |= SHF_ALLOC;
		return fmt("section %u (.strtab): allocated section of type 3", symtab + 1);
	CASE(39, ".modinfo without NUL")
		s = shdr(k, sec_find(k, ".modinfo"));
		k->buf[s->sh_offset + s->sh_size - 1] = 'x';
		return fmt("section %u (.modinfo): last string not NUL-terminated",
			   sec_find(k, ".modinfo"));
	CASE(40, ".modinfo string without =")
		s = shdr(k, sec_find(k, ".modinfo"));
		p = memmem(k->buf + s->sh_offset, s->sh_size, "license=", 8);
		p[7] = ':';
		return fmt("section %u (.modinfo): string at offset 0x%llx is not key=value",
			   sec_find(k, ".modinfo"),
			   (unsigned long long)(p - (k->buf + s->sh_offset)));
	CASE(41, "__ksymtab size")
		shdr(k, sec_find(k, "__ksymtab"))->sh_size = 24;
		return fmt("section %u (__ksymtab): size 0x18 is not a multiple of the entry size 16",
			   sec_find(k, "__ksymtab"));
	CASE(42, "two __ksymtab")
		n = sec_find(k, ".comment"); /* after __ksymtab */
		shdr(k, n)->sh_name = shdr(k, sec_find(k, "__ksymtab"))->sh_name;
		return fmt("section %u (__ksymtab): duplicate section (also section %u)", n,
			   sec_find(k, "__ksymtab"));
	CASE(43, "__module_init in .data")
		sym_of(k, "__module_init")->st_shndx = sec_find(k, ".data");
		sym_of(k, "__module_init")->st_value = 0;
		return fmt("section %u (.symtab): symbol %u (__module_init): entry point not in "
			   "executable code", symtab, sym_find(k, "__module_init"));
	}
#undef CASE
	return NULL;
}

static void test_corrupted(void **state)
{
	struct ko orig;
	unsigned c;

	ko_load("modtest.ko", &orig);
	assert_int_equal(sec_find(&orig, ".strtab"), sec_find(&orig, ".symtab") + 1);
	for (c = 0;; c++) {
		struct ko k = { malloc(orig.len), orig.len };
		struct modelf m;
		struct modelf_err why;
		const char *what = NULL, *msg;
		int err = -ENOEXEC;

		assert_non_null(k.buf);
		memcpy(k.buf, orig.buf, orig.len);
		msg = corrupt(&k, c, &what, &err);
		if (!msg) {
			free(k.buf);
			break;
		}
		printf("# corrupted: %s\n", what);
		assert_int_equal(modelf_parse(k.buf, k.len, &m, &why), err);
		assert_int_equal(why.err, err);
		if (strcmp(why.msg, msg))
			fail_msg("%s: message '%s', expected '%s'", what, why.msg, msg);
		free(k.buf);
	}
	assert_int_equal(c, 44);
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
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_truncated_contents),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_layout_refusals),
		cmocka_unit_test(test_random_mutations),
	};

	hosttest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
