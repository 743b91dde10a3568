/* tests/host/test_elf.c: host tests of kernel/elf.c: ELF files assembled here field by field, and real binaries.
 * A valid file parsed exactly, each rejection from one bad field, then seeded mutation fuzzing under ASan/UBSan. */
#include "hosttest.h"

#include <string.h>

#include <granary/compiler.h>
#include <granary/elf.h>
#include <granary/errno.h>
#include <granary/paging.h>
#include <uapi/mman.h>

/* ---------------------------------------------------------------- assembling ELF files */

#define MAX_PH 24

/* A file to assemble: its header, the program headers it writes at e_phoff (e_phnum of
 * them, as far as they fit), and its length. The other bytes are a fixed pattern. */
struct spec {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAX_PH];
	size_t len;
};

static Elf64_Phdr phdr(u32 type, u32 flags, u64 offset, u64 vaddr, u64 filesz, u64 memsz, u64 align)
{
	return (Elf64_Phdr){ .p_type = type, .p_flags = flags, .p_offset = offset,
			     .p_vaddr = vaddr, .p_paddr = vaddr, .p_filesz = filesz,
			     .p_memsz = memsz, .p_align = align };
}

/* The valid file every test starts from, an ET_EXEC shaped like a small static binary:
 *   0x0000  ELF header, then 7 program headers at 64
 *   PT_LOAD R    offset 0x0000 vaddr 0x400000 filesz 0x200 memsz 0x200
 *   PT_LOAD R|X  offset 0x1000 vaddr 0x401000 filesz 0x100 memsz 0x100   (entry 0x401010)
 *   PT_LOAD R|W  offset 0x1100 vaddr 0x402100 filesz 0x80  memsz 0x300   (a .bss)
 * plus PT_PHDR, PT_TLS inside the data, PT_GNU_STACK R|W and a PT_NOTE; 0x1180 bytes in all. */
enum { PH_PHDR, PH_TEXT_R, PH_TEXT_X, PH_DATA, PH_TLS, PH_STACK, PH_NOTE, NPH };

static void valid_spec(struct spec *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->eh.e_ident, "\177ELF", 4);
	s->eh.e_ident[EI_CLASS] = ELFCLASS64;
	s->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	s->eh.e_ident[EI_VERSION] = EV_CURRENT;
	s->eh.e_type = ET_EXEC;
	s->eh.e_machine = EM_X86_64;
	s->eh.e_version = EV_CURRENT;
	s->eh.e_entry = 0x401010;
	s->eh.e_phoff = 64;
	s->eh.e_shoff = 0;
	s->eh.e_ehsize = sizeof(Elf64_Ehdr);
	s->eh.e_phentsize = sizeof(Elf64_Phdr);
	s->eh.e_phnum = NPH;
	s->ph[PH_PHDR] = phdr(PT_PHDR, PF_R, 64, 0x400040, NPH * 56, NPH * 56, 8);
	s->ph[PH_TEXT_R] = phdr(PT_LOAD, PF_R, 0, 0x400000, 0x200, 0x200, 0x1000);
	s->ph[PH_TEXT_X] = phdr(PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x100, 0x100, 0x1000);
	s->ph[PH_DATA] = phdr(PT_LOAD, PF_R | PF_W, 0x1100, 0x402100, 0x80, 0x300, 0x1000);
	s->ph[PH_TLS] = phdr(PT_TLS, PF_R, 0x1100, 0x402100, 0x10, 0x40, 16);
	s->ph[PH_STACK] = phdr(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
	s->ph[PH_NOTE] = phdr(PT_NOTE, PF_R, 0x1e0, 0x4001e0, 0x20, 0x20, 4);
	s->len = 0x1180;
}

/* The file bytes, in a buffer of exactly s->len bytes so ASan sees any read past the end. */
static u8 *emit(const struct spec *s)
{
	u8 *buf = malloc(s->len ? s->len : 1);

	assert_non_null(buf);
	for (size_t i = 0; i < s->len; i++)
		buf[i] = (u8)(i * 7 + 1);
	memcpy(buf, &s->eh, s->len < sizeof(s->eh) ? s->len : sizeof(s->eh));
	for (unsigned i = 0; i < s->eh.e_phnum && i < MAX_PH; i++) {
		u64 at = s->eh.e_phoff + i * sizeof(Elf64_Phdr);
		if (at <= s->len && sizeof(Elf64_Phdr) <= s->len - at)
			memcpy(buf + at, &s->ph[i], sizeof(Elf64_Phdr));
	}
	return buf;
}

/* Makes the file's PT_LOAD count nloads by appending small R segments past the data segment
 * (the first segment grows to keep the longer program headers inside it). */
static void add_loads(struct spec *s, int nloads)
{
	s->eh.e_phnum = NPH + nloads - 3;
	assert_true(s->eh.e_phnum <= MAX_PH);
	for (int i = NPH; i < s->eh.e_phnum; i++)
		s->ph[i] = phdr(PT_LOAD, PF_R, 0x1000, 0x501000 + 0x1000 * i, 0x10, 0x10, 0x1000);
	s->ph[PH_PHDR].p_memsz = s->ph[PH_PHDR].p_filesz = s->eh.e_phnum * 56;
	s->ph[PH_TEXT_R].p_memsz = s->ph[PH_TEXT_R].p_filesz = 0x600;
}

static int parse_spec(const struct spec *s, struct elf_image *img)
{
	u8 *buf = emit(s);
	int ret = elf_parse(buf, s->len, img);

	free(buf);
	return ret;
}

static bool all_zero(const void *p, size_t n)
{
	const u8 *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* The spec must be refused, and the image left zeroed. */
static void expect_reject(const struct spec *s)
{
	struct elf_image img;

	memset(&img, 0xa5, sizeof(img));
	assert_int_equal(parse_spec(s, &img), -ENOEXEC);
	assert_true(all_zero(&img, sizeof(img)));
}

static void expect_accept(const struct spec *s, struct elf_image *img)
{
	assert_int_equal(parse_spec(s, img), 0);
}

/* ---------------------------------------------------------------- valid files */

static void check_seg(const struct elf_segment *g, u64 vaddr, u64 memsz, u64 filesz, u64 offset,
		      unsigned prot)
{
	assert_int_equal(g->vaddr, vaddr);
	assert_int_equal(g->memsz, memsz);
	assert_int_equal(g->filesz, filesz);
	assert_int_equal(g->offset, offset);
	assert_int_equal(g->prot, prot);
}

static void test_valid_file_every_field(void **state)
{
	struct spec s;
	struct elf_image img;

	valid_spec(&s);
	expect_accept(&s, &img);
	assert_int_equal(img.type, ET_EXEC);
	assert_int_equal(img.entry, 0x401010);
	assert_int_equal(img.phoff, 64);
	assert_int_equal(img.phnum, NPH);
	assert_int_equal(img.phentsize, 56);
	assert_int_equal(img.phdr_vaddr, 0x400040);
	assert_int_equal(img.nseg, 3);
	check_seg(&img.seg[0], 0x400000, 0x200, 0x200, 0, PROT_READ);
	check_seg(&img.seg[1], 0x401000, 0x100, 0x100, 0x1000, PROT_READ | PROT_EXEC);
	check_seg(&img.seg[2], 0x402100, 0x300, 0x80, 0x1100, PROT_READ | PROT_WRITE);
	assert_int_equal(img.lo, 0x400000);
	assert_int_equal(img.hi, 0x403000);
	assert_false(img.exec_stack);
	assert_int_equal(img.tls_vaddr, 0x402100);
	assert_int_equal(img.tls_filesz, 0x10);
	assert_int_equal(img.tls_memsz, 0x40);
	assert_int_equal(img.tls_align, 16);
	assert_true(all_zero(&img.seg[3], sizeof(img.seg) - 3 * sizeof(img.seg[0])));
}

static void test_unaligned_buffer(void **state)
{
	struct spec s;
	struct elf_image img;
	u8 *file, *buf;

	valid_spec(&s);
	file = emit(&s);
	buf = malloc(s.len + 1);
	memcpy(buf + 1, file, s.len);
	assert_int_equal(elf_parse(buf + 1, s.len, &img), 0);
	assert_int_equal(img.entry, 0x401010);
	assert_int_equal(img.nseg, 3);
	free(buf);
	free(file);
}

static void test_static_pie(void **state)
{
	struct spec s;
	struct elf_image img;

	/* The same file linked at 0, as a static PIE is. */
	valid_spec(&s);
	s.eh.e_type = ET_DYN;
	s.eh.e_entry -= 0x400000;
	for (int i = 0; i < NPH; i++)
		if (s.ph[i].p_vaddr)
			s.ph[i].p_vaddr -= 0x400000;
	expect_accept(&s, &img);
	assert_int_equal(img.type, ET_DYN);
	assert_int_equal(img.entry, 0x1010);
	assert_int_equal(img.phdr_vaddr, 0x40);
	assert_int_equal(img.lo, 0);
	assert_int_equal(img.hi, 0x3000);
	check_seg(&img.seg[0], 0, 0x200, 0x200, 0, PROT_READ);
}

static void test_phdr_vaddr_without_pt_phdr(void **state)
{
	struct spec s;
	struct elf_image img;

	/* Derived from the PT_LOAD whose file bytes hold the headers. */
	valid_spec(&s);
	s.ph[PH_PHDR].p_type = PT_NULL;
	expect_accept(&s, &img);
	assert_int_equal(img.phdr_vaddr, 0x400040);

	/* Headers past every segment's file bytes: not mapped. */
	s.eh.e_phoff = 0x1180;
	s.len = 0x1180 + NPH * 56;
	expect_accept(&s, &img);
	assert_int_equal(img.phoff, 0x1180);
	assert_int_equal(img.phdr_vaddr, 0);

	/* Headers starting in the first segment but running past its file bytes: not mapped. */
	valid_spec(&s);
	s.ph[PH_PHDR].p_type = PT_NULL;
	s.ph[PH_TEXT_R].p_filesz = s.ph[PH_TEXT_R].p_memsz = 64 + NPH * 56 - 1;
	expect_accept(&s, &img);
	assert_int_equal(img.phdr_vaddr, 0);
	s.ph[PH_TEXT_R].p_filesz = s.ph[PH_TEXT_R].p_memsz = 64 + NPH * 56;
	expect_accept(&s, &img);
	assert_int_equal(img.phdr_vaddr, 0x400040);
}

static void test_flags_stack_and_tls(void **state)
{
	struct spec s;
	struct elf_image img;

	valid_spec(&s);
	s.ph[PH_STACK].p_flags = PF_R | PF_W | PF_X;
	s.ph[PH_TEXT_R].p_flags = 0;
	s.ph[PH_DATA].p_flags = PF_W | PF_X | 0xf0000000; /* OS/processor bits ignored */
	expect_accept(&s, &img);
	assert_true(img.exec_stack);
	assert_int_equal(img.seg[0].prot, PROT_NONE);
	assert_int_equal(img.seg[2].prot, PROT_WRITE | PROT_EXEC);

	/* No PT_GNU_STACK and no PT_TLS: a non-executable stack, TLS fields zero. */
	valid_spec(&s);
	s.ph[PH_STACK].p_type = PT_NULL;
	s.ph[PH_TLS].p_type = PT_NULL;
	expect_accept(&s, &img);
	assert_false(img.exec_stack);
	assert_int_equal(img.tls_vaddr | img.tls_filesz | img.tls_memsz | img.tls_align, 0);
}

static void test_boundaries_accepted(void **state)
{
	struct spec s;
	struct elf_image img;

	/* The data segment's file bytes end exactly at the end of the file. */
	valid_spec(&s);
	s.len = 0x1180;
	expect_accept(&s, &img);

	/* The last segment ends exactly at USER_TOP. */
	valid_spec(&s);
	s.ph[PH_DATA].p_vaddr = USER_TOP - 0x1000 + 0x100;
	s.ph[PH_DATA].p_memsz = 0xf00;
	expect_accept(&s, &img);
	assert_int_equal(img.hi, USER_TOP);

	/* Neighbours sharing a page: text R ends at 0x400200 and text X starts there. */
	valid_spec(&s);
	s.ph[PH_TEXT_X].p_vaddr = 0x400200;
	s.ph[PH_TEXT_X].p_offset = 0x200;
	s.eh.e_entry = 0x400200;
	expect_accept(&s, &img);
	assert_int_equal(img.seg[1].vaddr, 0x400200);

	/* A third segment after them, from the next page on. */
	s.ph[PH_DATA].p_vaddr = 0x401300;
	s.ph[PH_DATA].p_offset = 0x300;
	s.ph[PH_TLS].p_vaddr = 0x401300;
	expect_accept(&s, &img);
	assert_int_equal(img.lo, 0x400000);
	assert_int_equal(img.hi, 0x402000);

	/* Entry at the last byte of the executable segment. */
	valid_spec(&s);
	s.eh.e_entry = 0x4010ff;
	expect_accept(&s, &img);

	/* p_align 0, 1, and a large power of two the addresses agree modulo. */
	valid_spec(&s);
	s.ph[PH_TEXT_R].p_align = 0;
	s.ph[PH_TEXT_X].p_align = 1;
	s.ph[PH_DATA].p_align = 0x100;
	expect_accept(&s, &img);
	s.ph[PH_TEXT_X].p_vaddr = 0x601000;
	s.ph[PH_TEXT_X].p_align = 0x200000;
	s.ph[PH_DATA].p_vaddr = 0x602100;
	s.ph[PH_TLS].p_vaddr = 0x602100;
	s.eh.e_entry = 0x601000;
	expect_accept(&s, &img);

	/* Exactly ELF_MAX_SEGMENTS PT_LOADs. */
	valid_spec(&s);
	add_loads(&s, ELF_MAX_SEGMENTS);
	expect_accept(&s, &img);
	assert_int_equal(img.nseg, ELF_MAX_SEGMENTS);
	assert_int_equal(img.seg[ELF_MAX_SEGMENTS - 1].vaddr,
			 0x501000 + 0x1000 * (s.eh.e_phnum - 1));
}

/* ---------------------------------------------------------------- one rejection reason each */

static void test_reject_short_file(void **state)
{
	struct spec s;
	struct elf_image img;

	valid_spec(&s);
	for (s.len = 0; s.len < sizeof(Elf64_Ehdr); s.len++)
		expect_reject(&s);
	assert_int_equal(elf_parse(NULL, 0x1180, &img), -ENOEXEC);
}

static void test_reject_ident(void **state)
{
	struct spec s;

	for (int i = 0; i < 4; i++) {
		valid_spec(&s);
		s.eh.e_ident[i] ^= 0x20;
		expect_reject(&s);
	}
	valid_spec(&s);
	s.eh.e_ident[EI_CLASS] = 1; /* ELFCLASS32 */
	expect_reject(&s);
	valid_spec(&s);
	s.eh.e_ident[EI_DATA] = 2; /* big-endian */
	expect_reject(&s);
	valid_spec(&s);
	s.eh.e_ident[EI_VERSION] = 0;
	expect_reject(&s);
	valid_spec(&s);
	s.eh.e_version = 2;
	expect_reject(&s);
}

static void test_reject_machine_and_type(void **state)
{
	static const u16 bad_types[] = { 0, 1 /* ET_REL */, 4 /* ET_CORE */, 0xfe00 };
	struct spec s;

	valid_spec(&s);
	s.eh.e_machine = 3; /* EM_386 */
	expect_reject(&s);
	valid_spec(&s);
	s.eh.e_machine = 183; /* EM_AARCH64 */
	expect_reject(&s);
	for (unsigned i = 0; i < ARRAY_SIZE(bad_types); i++) {
		valid_spec(&s);
		s.eh.e_type = bad_types[i];
		expect_reject(&s);
	}
}

static void test_reject_interp(void **state)
{
	struct spec s;

	valid_spec(&s);
	s.ph[PH_NOTE] = phdr(PT_INTERP, PF_R, 0x1e0, 0x4001e0, 0x1c, 0x1c, 1);
	expect_reject(&s);
}

static void test_reject_phentsize(void **state)
{
	struct spec s;

	valid_spec(&s);
	s.eh.e_phentsize = 64;
	expect_reject(&s);
	s.eh.e_phentsize = 0;
	expect_reject(&s);
	s.eh.e_phentsize = 32; /* ELF32's size */
	expect_reject(&s);
}

static void test_reject_phdrs_out_of_bounds(void **state)
{
	struct spec s;

	/* The last header one byte short of the end of the file. */
	valid_spec(&s);
	s.eh.e_phoff = s.len - NPH * 56 + 1;
	expect_reject(&s);
	s.eh.e_phoff = s.len - NPH * 56; /* exactly fits: the headers still describe the file */
	{
		struct elf_image img;
		s.ph[PH_PHDR].p_type = PT_NULL;
		expect_accept(&s, &img);
	}
	valid_spec(&s);
	s.eh.e_phoff = ~0ull - 8; /* phoff + size would wrap */
	expect_reject(&s);
	valid_spec(&s);
	s.eh.e_phoff = s.len + 1;
	expect_reject(&s);
	valid_spec(&s);
	s.eh.e_phnum = 0xffff; /* PN_XNUM: far more than the file holds */
	expect_reject(&s);
}

static void test_reject_no_load(void **state)
{
	struct spec s;

	valid_spec(&s);
	s.ph[PH_TEXT_R].p_type = s.ph[PH_TEXT_X].p_type = s.ph[PH_DATA].p_type = PT_NULL;
	expect_reject(&s);
	valid_spec(&s);
	s.eh.e_phnum = 0;
	expect_reject(&s);
}

static void test_reject_too_many_loads(void **state)
{
	struct spec s;

	/* One more than test_boundaries_accepted's ELF_MAX_SEGMENTS. */
	valid_spec(&s);
	add_loads(&s, ELF_MAX_SEGMENTS + 1);
	expect_reject(&s);
}

static void test_reject_segment_sizes(void **state)
{
	struct spec s;

	valid_spec(&s);
	s.ph[PH_DATA].p_filesz = s.ph[PH_DATA].p_memsz + 1;
	expect_reject(&s);

	valid_spec(&s); /* an empty PT_LOAD */
	s.ph[PH_NOTE] = phdr(PT_LOAD, PF_R, 0x1000, 0x501000, 0, 0, 0x1000);
	expect_reject(&s);

	valid_spec(&s); /* file bytes one past the end of the file */
	s.len = 0x117f;
	expect_reject(&s);

	valid_spec(&s); /* offset near 2^64, where offset + filesz wraps to a small number */
	s.ph[PH_DATA].p_offset = ~0ull - 0xfff + 0x100; /* still congruent with vaddr */
	expect_reject(&s);

	valid_spec(&s); /* offset past the file with filesz 0 */
	s.ph[PH_DATA].p_offset = 0x2100;
	s.ph[PH_DATA].p_filesz = 0;
	expect_reject(&s);
}

static void test_reject_address_range(void **state)
{
	struct spec s;

	valid_spec(&s); /* one byte into the kernel half */
	s.ph[PH_DATA].p_vaddr = USER_TOP - 0x1000 + 0x100;
	s.ph[PH_DATA].p_memsz = 0xf01;
	expect_reject(&s);

	valid_spec(&s); /* starting in the kernel half */
	s.ph[PH_DATA].p_vaddr = 0xffff800000002100ull;
	expect_reject(&s);

	valid_spec(&s); /* vaddr + memsz wraps to a small number */
	s.ph[PH_DATA].p_vaddr = 0xfffffffffffff100ull;
	s.ph[PH_DATA].p_memsz = 0x1000;
	expect_reject(&s);
}

static void test_reject_alignment(void **state)
{
	struct spec s;

	valid_spec(&s); /* vaddr and offset not congruent modulo the page */
	s.ph[PH_DATA].p_offset = 0x1108;
	s.ph[PH_DATA].p_filesz = 0x78;
	expect_reject(&s);
	s.ph[PH_DATA].p_align = 0; /* the page rule holds whatever p_align says */
	expect_reject(&s);
	s.ph[PH_DATA].p_align = 8; /* even when congruent modulo p_align */
	expect_reject(&s);

	valid_spec(&s); /* congruent modulo the page but not modulo p_align: 0x401000 % 0x2000 */
	s.ph[PH_DATA].p_align = 0x2000;
	expect_reject(&s);

	valid_spec(&s); /* p_align not a power of two */
	s.ph[PH_TEXT_X].p_align = 0x3000;
	expect_reject(&s);
}

static void test_reject_overlap_and_order(void **state)
{
	struct spec s;

	valid_spec(&s); /* one byte of overlap */
	s.ph[PH_TEXT_X].p_vaddr = 0x4001ff;
	s.ph[PH_TEXT_X].p_offset = 0x1ff;
	s.eh.e_entry = 0x400200;
	expect_reject(&s);

	valid_spec(&s); /* same page range, out of order */
	s.ph[PH_TEXT_R] = s.ph[PH_TEXT_X];
	s.ph[PH_TEXT_X] = phdr(PT_LOAD, PF_R, 0, 0x400000, 0x200, 0x200, 0x1000);
	expect_reject(&s);

	valid_spec(&s); /* a later segment inside an earlier one's .bss */
	s.ph[PH_NOTE] = phdr(PT_LOAD, PF_R, 0x300, 0x402300, 0x10, 0x10, 0x1000);
	expect_reject(&s);

	valid_spec(&s); /* three segments in one page, each after the one before */
	s.ph[PH_TEXT_X].p_vaddr = 0x400200;
	s.ph[PH_TEXT_X].p_offset = 0x200;
	s.eh.e_entry = 0x400200;
	s.ph[PH_DATA].p_vaddr = 0x400300;
	s.ph[PH_DATA].p_offset = 0x300;
	s.ph[PH_TLS].p_vaddr = 0x400300;
	expect_reject(&s);
	s.ph[PH_DATA].p_vaddr = 0x401000; /* the third in the next page: fine */
	s.ph[PH_DATA].p_offset = 0x1000;
	{
		struct elf_image img;
		expect_accept(&s, &img);
	}

	valid_spec(&s); /* the same segment twice */
	s.ph[PH_NOTE] = s.ph[PH_DATA];
	expect_reject(&s);
}

static void test_reject_entry(void **state)
{
	static const u64 bad[] = { 0, 0x400000 /* R only */, 0x401100 /* one past R|X */,
				   0x402200 /* in RW's .bss */, 0x400fff /* a gap */, ~0ull };
	struct spec s;

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		valid_spec(&s);
		s.eh.e_entry = bad[i];
		expect_reject(&s);
	}
	valid_spec(&s); /* the entry's segment not executable */
	s.ph[PH_TEXT_X].p_flags = PF_R;
	expect_reject(&s);
}

static void test_reject_phdr_and_tls(void **state)
{
	struct spec s;

	valid_spec(&s); /* PT_PHDR outside every PT_LOAD */
	s.ph[PH_PHDR].p_vaddr = 0x300040;
	expect_reject(&s);
	valid_spec(&s); /* PT_PHDR running off the end of its PT_LOAD */
	s.ph[PH_PHDR].p_vaddr = 0x4010ff;
	expect_reject(&s);

	valid_spec(&s);
	s.ph[PH_NOTE] = s.ph[PH_TLS]; /* two PT_TLS */
	expect_reject(&s);
	valid_spec(&s);
	s.ph[PH_TLS].p_filesz = s.ph[PH_TLS].p_memsz + 1;
	expect_reject(&s);
	valid_spec(&s);
	s.ph[PH_TLS].p_align = 24;
	expect_reject(&s);
}

/* ---------------------------------------------------------------- real binaries */

static u8 *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	u8 *buf;
	long n;

	if (!f)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc(n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = n;
	return buf;
}

/* Checks a parsed real binary against its program headers, read here with plain memcpy. */
static void check_real(const char *path, const u8 *buf, size_t len, const struct elf_image *img)
{
	Elf64_Ehdr eh;
	unsigned loads = 0, tls = 0;
	bool entry_ok = false, phdr_ok = false;

	memcpy(&eh, buf, sizeof(eh));
	assert_int_equal(img->type, eh.e_type);
	assert_int_equal(img->entry, eh.e_entry);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, buf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD) {
			const struct elf_segment *g = &img->seg[loads++];
			assert_int_equal(g->vaddr, ph.p_vaddr);
			assert_int_equal(g->memsz, ph.p_memsz);
			assert_int_equal(g->filesz, ph.p_filesz);
			assert_int_equal(g->offset, ph.p_offset);
		}
		if (ph.p_type == PT_TLS) {
			tls++;
			assert_int_equal(img->tls_vaddr, ph.p_vaddr);
			assert_int_equal(img->tls_memsz, ph.p_memsz);
		}
	}
	assert_int_equal(img->nseg, loads);
	if (!tls)
		assert_int_equal(img->tls_memsz, 0);
	assert_false(img->exec_stack);
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *g = &img->seg[i];
		if (img->entry >= g->vaddr && img->entry < g->vaddr + g->memsz)
			entry_ok = g->prot == (PROT_READ | PROT_EXEC);
		if (img->phdr_vaddr >= g->vaddr &&
		    img->phdr_vaddr + img->phnum * 56 <= g->vaddr + g->filesz)
			phdr_ok = true;
	}
	assert_true(entry_ok);
	assert_true(phdr_ok);
	assert_int_equal(img->lo, img->seg[0].vaddr & ~0xfffull);
	assert_true(img->hi % 4096 == 0 && img->hi > img->lo);
	printf("# %s: type %u, %u PT_LOADs, entry 0x%llx, phdrs at 0x%llx, [0x%llx, 0x%llx), "
	       "tls %llu\n", path, img->type, img->nseg, (unsigned long long)img->entry,
	       (unsigned long long)img->phdr_vaddr, (unsigned long long)img->lo,
	       (unsigned long long)img->hi, (unsigned long long)img->tls_memsz);
}

/* Parses the binary at path, expecting type (0: either); a SKIP note if it is missing. */
static void parse_real(const char *path, u16 type)
{
	struct elf_image img;
	size_t len;
	u8 *buf = read_file(path, &len);

	if (!buf) {
		/* Passes with a note: cmocka's skip() prints "not ok N # SKIP", which
		 * tests/host/run counts as a failure. */
		printf("# SKIP %s: not found\n", path);
		return;
	}
	assert_int_equal(elf_parse(buf, len, &img), 0);
	if (type)
		assert_int_equal(img.type, type);
	check_real(path, buf, len, &img);
	free(buf);
}

static void test_busybox(void **state)
{
	parse_real("/bin/busybox", 0);
}

static void test_musl_static(void **state)
{
	parse_real(ELF_DATA_DIR "/hello-static", ET_EXEC);
}

static void test_musl_static_pie(void **state)
{
	parse_real(ELF_DATA_DIR "/hello-pie", ET_DYN);
}

/* ---------------------------------------------------------------- fuzzing */

/* What any accepted image must satisfy, whatever the input. */
static void check_invariants(const struct elf_image *img, size_t len)
{
	bool entry_ok = false;

	assert_true(img->nseg >= 1 && img->nseg <= ELF_MAX_SEGMENTS);
	assert_true(img->type == ET_EXEC || img->type == ET_DYN);
	assert_true(img->lo % 4096 == 0 && img->hi % 4096 == 0 && img->lo < img->hi);
	assert_true(img->hi <= USER_TOP);
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *g = &img->seg[i];
		assert_true(g->memsz && g->filesz <= g->memsz);
		assert_true(g->offset <= len && g->filesz <= len - g->offset);
		assert_true(g->vaddr >= img->lo && g->vaddr + g->memsz <= img->hi);
		assert_true((g->vaddr - g->offset) % 4096 == 0);
		if (i)
			assert_true(g->vaddr >= img->seg[i - 1].vaddr + img->seg[i - 1].memsz);
		if (i >= 2) { /* no page with bytes of three segments */
			u64 end2 = img->seg[i - 2].vaddr + img->seg[i - 2].memsz;
			assert_true((g->vaddr & ~0xfffull) >= ((end2 + 0xfff) & ~0xfffull));
		}
		if (img->entry >= g->vaddr && img->entry - g->vaddr < g->memsz)
			entry_ok = g->prot & PROT_EXEC;
	}
	assert_true(entry_ok);
}

static const u64 interesting[] = { 0, 1, 0x1000, 0xfff, 0x400000, USER_TOP, USER_TOP - 1,
				   0x7fffffffffffull, ~0ull, ~0ull - 0xfff, 1ull << 63 };

/* Mutates buf (len bytes) a few times, mostly in the headers, which the parser reads. */
static size_t mutate(u8 *buf, size_t len, size_t hot)
{
	int n = rng_range(1, 6);

	for (int k = 0; k < n && len; k++) {
		size_t at = rng_below(rng_below(4) ? (hot < len ? hot : len) : len);
		switch (rng_below(5)) {
		case 0:
			buf[at] ^= 1u << rng_below(8);
			break;
		case 1:
			buf[at] = rng_next();
			break;
		case 2: {
			u64 v = interesting[rng_below(ARRAY_SIZE(interesting))] + rng_range(-2, 2);
			at &= ~(size_t)7;
			if (at + 8 <= len)
				memcpy(buf + at, &v, 8);
			break;
		}
		case 3:
			buf[at] = rng_below(8); /* small values: types, flags */
			break;
		case 4:
			if (rng_below(4) == 0)
				len = rng_below(len + 1);
			break;
		}
	}
	return len;
}

/* Runs iters mutations of file (len bytes) and returns how many were accepted. */
static unsigned fuzz_one(const u8 *file, size_t len, unsigned iters)
{
	unsigned accepted = 0;

	for (unsigned i = 0; i < iters; i++) {
		u8 *buf = malloc(len ? len : 1);
		struct elf_image img;
		size_t n;
		int ret;

		memcpy(buf, file, len);
		n = mutate(buf, len, 64 + 24 * 56);
		/* Copy down to exactly n bytes, so a read past the end is an ASan report. */
		u8 *exact = malloc(n ? n : 1);
		memcpy(exact, buf, n);
		free(buf);
		ret = elf_parse(exact, n, &img);
		assert_true(ret == 0 || ret == -ENOEXEC);
		if (ret == 0) {
			check_invariants(&img, n);
			accepted++;
		} else {
			assert_true(all_zero(&img, sizeof(img)));
		}
		free(exact);
	}
	return accepted;
}

static void test_random_mutations(void **state)
{
	static const char *const real[] = { "/bin/busybox", ELF_DATA_DIR "/hello-static",
					     ELF_DATA_DIR "/hello-pie" };
	struct spec s;
	u8 *file;
	unsigned acc;

	rng_seed(0xe1f0e1f0, "elf mutations");
	valid_spec(&s);
	file = emit(&s);
	acc = fuzz_one(file, s.len, 30000);
	printf("# small file: %u of 30000 mutants accepted\n", acc);
	assert_true(acc > 1000 && acc < 29000); /* the fuzzing reaches past the first checks */
	free(file);

	for (unsigned i = 0; i < ARRAY_SIZE(real); i++) {
		size_t len;
		u8 *buf = read_file(real[i], &len);
		if (!buf) {
			printf("# %s: not found, not fuzzed\n", real[i]);
			continue;
		}
		acc = fuzz_one(buf, len < 4096 ? len : 4096, 5000);
		printf("# %s: first 4 KiB, %u of 5000 mutants accepted\n", real[i], acc);
		if (len <= 64 * 1024) {
			acc = fuzz_one(buf, len, 2000);
			printf("# %s: whole file, %u of 2000 mutants accepted\n", real[i], acc);
			assert_true(acc > 0);
		}
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_file_every_field),
		cmocka_unit_test(test_unaligned_buffer),
		cmocka_unit_test(test_static_pie),
		cmocka_unit_test(test_phdr_vaddr_without_pt_phdr),
		cmocka_unit_test(test_flags_stack_and_tls),
		cmocka_unit_test(test_boundaries_accepted),
		cmocka_unit_test(test_reject_short_file),
		cmocka_unit_test(test_reject_ident),
		cmocka_unit_test(test_reject_machine_and_type),
		cmocka_unit_test(test_reject_interp),
		cmocka_unit_test(test_reject_phentsize),
		cmocka_unit_test(test_reject_phdrs_out_of_bounds),
		cmocka_unit_test(test_reject_no_load),
		cmocka_unit_test(test_reject_too_many_loads),
		cmocka_unit_test(test_reject_segment_sizes),
		cmocka_unit_test(test_reject_address_range),
		cmocka_unit_test(test_reject_alignment),
		cmocka_unit_test(test_reject_overlap_and_order),
		cmocka_unit_test(test_reject_entry),
		cmocka_unit_test(test_reject_phdr_and_tls),
		cmocka_unit_test(test_busybox),
		cmocka_unit_test(test_musl_static),
		cmocka_unit_test(test_musl_static_pie),
		cmocka_unit_test(test_random_mutations),
	};

	hosttest_init();
	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
