/* tests/host/test_bootinfo.c: host tests of kernel/bootinfo.c: multiboot2 information built here, byte by byte.
 * Valid tags parsed exactly, each kind of malformed input refused or counted, and seeded fuzzing under ASan/UBSan. */
#include "hosttest.h"

#include <string.h>

#include <granary/bootinfo.h>
#include <granary/errno.h>

#define MAGIC MULTIBOOT2_BOOTLOADER_MAGIC

/* ---------------------------------------------------------------- building multiboot2 information */

/* The information being built: a u32 total_size, a u32 reserved, then 8-byte aligned tags. */
struct mb2 {
	uint64_t words[4096]; /* 32 KiB, 8-byte aligned like the real thing */
	size_t len;
};

static u8 *bytes(struct mb2 *b)
{
	return (u8 *)b->words;
}

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

static void mb2_init(struct mb2 *b)
{
	memset(b, 0, sizeof(*b));
	b->len = 8;
}

/* Appends a tag whose size field says size_field and whose body is n bytes, padded to 8. */
static void mb2_raw_tag(struct mb2 *b, u32 type, u32 size_field, const void *body, size_t n)
{
	u8 *p = bytes(b) + b->len;

	assert_true(b->len + 8 + n + 8 <= sizeof(b->words));
	put32(p, type);
	put32(p + 4, size_field);
	if (n)
		memcpy(p + 8, body, n);
	b->len += (8 + n + 7) & ~(size_t)7;
}

static void mb2_tag(struct mb2 *b, u32 type, const void *body, size_t n)
{
	mb2_raw_tag(b, type, 8 + n, body, n);
}

/* The header's total_size: everything so far. */
static void mb2_seal(struct mb2 *b)
{
	put32(bytes(b), b->len);
}

/* The end tag, then the header. */
static void mb2_end(struct mb2 *b)
{
	mb2_tag(b, 0, NULL, 0);
	mb2_seal(b);
}

static void mb2_string(struct mb2 *b, u32 type, const char *s)
{
	mb2_tag(b, type, s, strlen(s) + 1);
}

static void mb2_module(struct mb2 *b, u32 start, u32 end, const char *name)
{
	u8 body[256];

	put32(body, start);
	put32(body + 4, end);
	memcpy(body + 8, name, strlen(name) + 1);
	mb2_tag(b, 3, body, 8 + strlen(name) + 1);
}

static void mb2_meminfo(struct mb2 *b, u32 lower, u32 upper)
{
	u8 body[8];

	put32(body, lower);
	put32(body + 4, upper);
	mb2_tag(b, 4, body, 8);
}

struct mmap_entry {
	u64 base, len;
	u32 type;
};

/* A memory map tag with entries of esize bytes (24 or more; the rest of each is 0xee). */
static void mb2_mmap(struct mb2 *b, u32 esize, const struct mmap_entry *e, int n)
{
	static u8 body[8 + 128 * 40];

	assert_true(esize >= 24 && esize <= 40 && n <= 128);
	memset(body, 0xee, sizeof(body));
	put32(body, esize);
	put32(body + 4, 0);
	for (int i = 0; i < n; i++) {
		u8 *p = body + 8 + i * esize;
		put64(p, e[i].base);
		put64(p + 8, e[i].len);
		put32(p + 16, e[i].type);
		put32(p + 20, 0);
	}
	mb2_tag(b, 6, body, 8 + n * esize);
}

/* A framebuffer tag body: the common part (22 bytes and 2 reserved) and, for RGB, the
 * six colour field bytes. */
static size_t fb_body(u8 *body, u64 addr, u32 pitch, u32 width, u32 height, u8 bpp, u8 type)
{
	memset(body, 0, 32);
	put64(body, addr);
	put32(body + 8, pitch);
	put32(body + 12, width);
	put32(body + 16, height);
	body[20] = bpp;
	body[21] = type;
	if (type != 1)
		return 24;
	memcpy(body + 24, "\x10\x08\x08\x08\x00\x08", 6); /* red 16/8, green 8/8, blue 0/8 */
	return 30;
}

/* An ACPI RSDP tag (14 old, 15 new) whose n body bytes are 0x40, 0x41, ... */
static void mb2_rsdp(struct mb2 *b, u32 type, size_t n, u8 first)
{
	u8 body[64];

	for (size_t i = 0; i < n; i++)
		body[i] = first + i;
	mb2_tag(b, type, body, n);
}

/* ---------------------------------------------------------------- parsing it */

static struct bootinfo bi;

/* Parses a heap copy of exactly size bytes (at offset shift from malloc's alignment),
 * so ASan reports any read past what the parser was told it may read. */
static int parse_shifted(struct mb2 *b, u32 magic, size_t size, size_t shift)
{
	u8 *copy = malloc(size + shift);
	int ret;

	assert_non_null(copy);
	memcpy(copy + shift, bytes(b), size);
	memset(&bi, 0xaa, sizeof(bi)); /* the parser must clear it */
	ret = bootinfo_parse(&bi, magic, copy + shift, size);
	free(copy);
	return ret;
}

static int parse(struct mb2 *b)
{
	return parse_shifted(b, MAGIC, b->len, 0);
}

static void assert_bootinfo_zero(void)
{
	static const struct bootinfo zero;

	assert_memory_equal(&bi, &zero, sizeof(bi));
}

/* ---------------------------------------------------------------- valid information */

static const struct mmap_entry qemu_map[] = {
	{ 0x0, 0x9fc00, MMAP_AVAILABLE },
	{ 0x9fc00, 0x400, MMAP_RESERVED },
	{ 0xf0000, 0x10000, MMAP_RESERVED },
	{ 0x100000, 0x7ee0000, MMAP_AVAILABLE },
	{ 0x7fe0000, 0x20000, MMAP_RESERVED },
	{ 0xfffc0000, 0x40000, MMAP_RESERVED },
};

/* Information as GRUB gives it under QEMU, with one of every tag the kernel reads. */
static void build_full(struct mb2 *b)
{
	u8 fb[32];

	mb2_init(b);
	mb2_string(b, 1, "console=ttyS0 loglevel=7");
	mb2_string(b, 2, "GRUB 2.06-13+deb12u1");
	mb2_module(b, 0x200000, 0x280000, "/boot/initramfs.cpio");
	mb2_module(b, 0x280000, 0x280000, "empty");
	mb2_meminfo(b, 639, 129920);
	mb2_tag(b, 21, "\0\0\0\0", 4); /* load base address: not used */
	mb2_mmap(b, 24, qemu_map, 6);
	mb2_tag(b, 8, fb, fb_body(fb, 0xfd000000, 4096, 1024, 768, 32, 1));
	mb2_rsdp(b, 15, 36, 0x40);
	mb2_end(b);
}

static void test_full_information(void **state)
{
	struct mb2 b;

	build_full(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.warnings, 0);
	assert_int_equal(bi.info_size, b.len);
	assert_string_equal(bi.cmdline, "console=ttyS0 loglevel=7");
	assert_string_equal(bi.loader, "GRUB 2.06-13+deb12u1");

	assert_int_equal(bi.module_count, 2);
	assert_int_equal(bi.modules[0].start, 0x200000);
	assert_int_equal(bi.modules[0].end, 0x280000);
	assert_string_equal(bi.modules[0].name, "/boot/initramfs.cpio");
	assert_int_equal(bi.modules[1].start, 0x280000);
	assert_int_equal(bi.modules[1].end, 0x280000);
	assert_string_equal(bi.modules[1].name, "empty");

	assert_int_equal(bi.mem_lower_kb, 639);
	assert_int_equal(bi.mem_upper_kb, 129920);

	assert_int_equal(bi.mmap_count, 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(bi.mmap[i].base, qemu_map[i].base);
		assert_int_equal(bi.mmap[i].length, qemu_map[i].len);
		assert_int_equal(bi.mmap[i].type, qemu_map[i].type);
	}

	assert_true(bi.has_framebuffer);
	assert_int_equal(bi.fb.addr, 0xfd000000);
	assert_int_equal(bi.fb.pitch, 4096);
	assert_int_equal(bi.fb.width, 1024);
	assert_int_equal(bi.fb.height, 768);
	assert_int_equal(bi.fb.bpp, 32);
	assert_int_equal(bi.fb.type, 1);
	assert_int_equal(bi.fb.red_pos, 16);
	assert_int_equal(bi.fb.red_size, 8);
	assert_int_equal(bi.fb.green_pos, 8);
	assert_int_equal(bi.fb.green_size, 8);
	assert_int_equal(bi.fb.blue_pos, 0);
	assert_int_equal(bi.fb.blue_size, 8);

	assert_int_equal(bi.rsdp_len, 36);
	for (int i = 0; i < 36; i++)
		assert_int_equal(bi.rsdp[i], 0x40 + i);

	assert_int_equal(bootinfo_ram_top(&bi), 0x7fe0000);
}

static void test_minimal_information(void **state)
{
	struct mb2 b;

	mb2_init(&b);
	mb2_end(&b);
	assert_int_equal(b.len, 16);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.info_size, 16);
	bi.info_size = 0;
	assert_bootinfo_zero();
}

/* Alignment is not the caller's problem: every field is read with memcpy. */
static void test_unaligned_buffer(void **state)
{
	struct mb2 b;
	struct bootinfo aligned;

	build_full(&b);
	assert_int_equal(parse(&b), 0);
	aligned = bi;
	for (size_t shift = 1; shift < 8; shift++) {
		assert_int_equal(parse_shifted(&b, MAGIC, b.len, shift), 0);
		assert_memory_equal(&bi, &aligned, sizeof(bi));
	}
}

/* Bytes past total_size are not information, even if the caller may read them. */
static void test_bytes_past_total_ignored(void **state)
{
	struct mb2 b;

	mb2_init(&b);
	mb2_string(&b, 1, "quiet");
	mb2_end(&b);
	mb2_string(&b, 2, "not me"); /* after the end tag, outside total_size */
	assert_int_equal(parse_shifted(&b, MAGIC, b.len, 0), 0);
	assert_string_equal(bi.cmdline, "quiet");
	assert_string_equal(bi.loader, "");
	assert_int_equal(bi.warnings, 0);
	assert_int_equal(bi.info_size, 32);
}

/* ---------------------------------------------------------------- refused outright */

static void test_bad_magic(void **state)
{
	struct mb2 b;

	build_full(&b);
	assert_int_equal(parse_shifted(&b, 0x2badb002, b.len, 0), -EINVAL); /* multiboot 1 */
	assert_bootinfo_zero();
	assert_int_equal(parse_shifted(&b, 0, b.len, 0), -EINVAL);
	assert_bootinfo_zero();
}

static void test_bad_header(void **state)
{
	struct mb2 b;

	memset(&bi, 0xaa, sizeof(bi));
	assert_int_equal(bootinfo_parse(&bi, MAGIC, NULL, 4096), -EINVAL);
	assert_bootinfo_zero();

	/* Fewer than 16 readable bytes: not even a header and an end tag. */
	mb2_init(&b);
	mb2_end(&b);
	assert_int_equal(parse_shifted(&b, MAGIC, 15, 0), -EINVAL);
	assert_bootinfo_zero();
	assert_int_equal(parse_shifted(&b, MAGIC, 0, 0), -EINVAL);

	/* total_size larger than what may be read. */
	build_full(&b);
	assert_int_equal(parse_shifted(&b, MAGIC, b.len - 8, 0), -EINVAL);
	assert_bootinfo_zero();
	assert_int_equal(parse_shifted(&b, MAGIC, b.len - 1, 0), -EINVAL);

	/* total_size below the minimum, or not a multiple of 8. */
	mb2_init(&b);
	mb2_end(&b);
	put32(bytes(&b), 8);
	assert_int_equal(parse_shifted(&b, MAGIC, 16, 0), -EINVAL);
	put32(bytes(&b), 0);
	assert_int_equal(parse_shifted(&b, MAGIC, 16, 0), -EINVAL);
	mb2_init(&b);
	mb2_string(&b, 1, "abc");
	mb2_end(&b);
	put32(bytes(&b), b.len - 4);
	assert_int_equal(parse_shifted(&b, MAGIC, b.len, 0), -EINVAL);
	put32(bytes(&b), 0xffffffff);
	assert_int_equal(parse_shifted(&b, MAGIC, b.len, 0), -EINVAL);
	assert_bootinfo_zero();
}

/* ---------------------------------------------------------------- malformed tags */

/* A tag size below 8 leaves no way to find the next tag: stop, keep what came before. */
static void test_tag_size_below_header(void **state)
{
	for (u32 size = 0; size < 8; size++) {
		struct mb2 b;

		mb2_init(&b);
		mb2_string(&b, 1, "before");
		mb2_raw_tag(&b, 2, size, "xxxxxxxx", 8);
		mb2_string(&b, 2, "after");
		mb2_end(&b);
		assert_int_equal(parse(&b), 0);
		assert_string_equal(bi.cmdline, "before");
		assert_string_equal(bi.loader, "");
		assert_int_equal(bi.warnings, 1);
	}
}

static void test_tag_past_end(void **state)
{
	struct mb2 b;

	mb2_init(&b);
	mb2_string(&b, 1, "before");
	mb2_raw_tag(&b, 2, 4096, "GRUB", 5); /* claims far more than total_size */
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_string_equal(bi.cmdline, "before");
	assert_string_equal(bi.loader, "");
	assert_int_equal(bi.warnings, 1);

	/* One byte more than is left before total_size. */
	mb2_init(&b);
	mb2_raw_tag(&b, 1, 8 + 8 + 8 + 1, "abcdefgh", 8);
	mb2_end(&b);
	assert_int_equal(b.len, 32);
	assert_int_equal(parse(&b), 0);
	assert_string_equal(bi.cmdline, "");
	assert_int_equal(bi.warnings, 1);
	/* Exactly what is left is allowed: the tag swallows the end tag (whose zero bytes
	 * end the string), and then there is no end tag. */
	put32(bytes(&b) + 12, 8 + 8 + 8);
	assert_int_equal(parse(&b), 0);
	assert_string_equal(bi.cmdline, "abcdefgh");
	assert_int_equal(bi.warnings, 1);
}

static void test_missing_end_tag(void **state)
{
	struct mb2 b;

	mb2_init(&b);
	mb2_string(&b, 1, "quiet");
	mb2_seal(&b);
	assert_int_equal(parse(&b), 0);
	assert_string_equal(bi.cmdline, "quiet");
	assert_int_equal(bi.warnings, 1);

	/* Type 0 with another size is not the end tag: it is skipped like an unknown tag. */
	mb2_init(&b);
	mb2_raw_tag(&b, 0, 16, "\0\0\0\0\0\0\0\0", 8);
	mb2_string(&b, 1, "after");
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_string_equal(bi.cmdline, "after");
	assert_int_equal(bi.warnings, 0);
}

static void test_unknown_tags_ignored(void **state)
{
	struct mb2 b;

	mb2_init(&b);
	mb2_tag(&b, 21, "\0\0\x10\0", 4);
	mb2_tag(&b, 9, NULL, 0);
	mb2_tag(&b, 0xffffffff, "junk", 4);
	mb2_string(&b, 1, "seen");
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_string_equal(bi.cmdline, "seen");
	assert_int_equal(bi.warnings, 0);
}

static void test_strings_without_nul(void **state)
{
	struct mb2 b;

	mb2_init(&b);
	mb2_tag(&b, 1, "console", 7); /* no NUL in the tag */
	mb2_tag(&b, 2, "GRUB", 4);
	mb2_tag(&b, 1, NULL, 0); /* nothing at all */
	mb2_meminfo(&b, 1, 2);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader, "");
	assert_int_equal(bi.mem_upper_kb, 2); /* later tags still parsed */
	assert_int_equal(bi.warnings, 3);

	/* The NUL may come early; the rest of the tag is ignored. */
	mb2_init(&b);
	mb2_tag(&b, 1, "ab\0cd", 5);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_string_equal(bi.cmdline, "ab");
	assert_int_equal(bi.warnings, 0);
}

static void test_long_strings_truncated(void **state)
{
	static char cmdline[3000], loader[200];
	struct mb2 b;

	memset(cmdline, 'c', sizeof(cmdline) - 1);
	memset(loader, 'l', sizeof(loader) - 1);
	mb2_init(&b);
	mb2_string(&b, 1, cmdline);
	mb2_string(&b, 2, loader);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(strlen(bi.cmdline), BOOTINFO_CMDLINE_MAX - 1);
	assert_memory_equal(bi.cmdline, cmdline, BOOTINFO_CMDLINE_MAX - 1);
	assert_int_equal(strlen(bi.loader), BOOTINFO_NAME_MAX - 1);
	assert_int_equal(bi.warnings, 0);
}

static void test_bad_modules(void **state)
{
	static char long_name[100];
	struct mb2 b;

	memset(long_name, 'm', sizeof(long_name) - 1);
	mb2_init(&b);
	mb2_module(&b, 0x300000, 0x200000, "backwards"); /* end before start */
	mb2_tag(&b, 3, "\0\0\x10\0\0\0\x20\0", 8);       /* no name byte at all */
	mb2_tag(&b, 3, "\0\0\x10\0\0\0\x20\0name", 12);  /* name without NUL */
	mb2_module(&b, 0x100000, 0x100001, long_name);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.warnings, 3);
	assert_int_equal(bi.module_count, 1);
	assert_int_equal(bi.modules[0].start, 0x100000);
	assert_int_equal(bi.modules[0].end, 0x100001);
	assert_int_equal(strlen(bi.modules[0].name), BOOTINFO_NAME_MAX - 1);
}

static void test_too_many_modules(void **state)
{
	struct mb2 b;
	char name[16];

	mb2_init(&b);
	for (int i = 0; i < BOOTINFO_MAX_MODULES + 3; i++) {
		snprintf(name, sizeof(name), "mod%d", i);
		mb2_module(&b, 0x100000 * (i + 1), 0x100000 * (i + 1) + 0x1000, name);
	}
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.module_count, BOOTINFO_MAX_MODULES);
	assert_int_equal(bi.warnings, 3); /* one per module that did not fit */
	assert_string_equal(bi.modules[BOOTINFO_MAX_MODULES - 1].name, "mod7");
	assert_int_equal(bi.modules[BOOTINFO_MAX_MODULES - 1].start, 0x800000);
}

static void test_short_meminfo(void **state)
{
	struct mb2 b;

	mb2_init(&b);
	mb2_tag(&b, 4, "\x01\0\0\0\x02\0\0", 7);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.mem_lower_kb, 0);
	assert_int_equal(bi.mem_upper_kb, 0);
	assert_int_equal(bi.warnings, 1);
}

/* ---------------------------------------------------------------- memory map */

static void test_mmap_entry_sizes(void **state)
{
	struct mb2 b;
	u8 body[8 + 3 * 24];

	/* Larger entries are stepped over by their size; only the first 24 bytes count. */
	mb2_init(&b);
	mb2_mmap(&b, 32, qemu_map, 6);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.mmap_count, 6);
	assert_int_equal(bi.mmap[5].base, 0xfffc0000);
	assert_int_equal(bi.mmap[5].length, 0x40000);
	assert_int_equal(bi.warnings, 0);

	/* Entry sizes below 24 or not a multiple of 8 are refused; so is a body under 8 bytes. */
	for (u32 esize = 0; esize <= 40; esize++) {
		if (esize >= 24 && esize % 8 == 0)
			continue;
		memset(body, 0x11, sizeof(body));
		put32(body, esize);
		mb2_init(&b);
		mb2_tag(&b, 6, body, sizeof(body));
		mb2_end(&b);
		assert_int_equal(parse(&b), 0);
		assert_int_equal(bi.mmap_count, 0);
		assert_int_equal(bi.warnings, 1);
	}
	mb2_init(&b);
	mb2_tag(&b, 6, "\x18\0\0\0\0\0\0", 7);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.warnings, 1);

	/* A header without entries, or a partial entry at the end, is fine. */
	mb2_init(&b);
	mb2_mmap(&b, 24, qemu_map, 0);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.mmap_count, 0);
	assert_int_equal(bi.warnings, 0);
	memset(body, 0, sizeof(body));
	put32(body, 24);
	put64(body + 8, 0x1000);
	put64(body + 16, 0x2000);
	put32(body + 24, MMAP_AVAILABLE);
	mb2_init(&b);
	mb2_tag(&b, 6, body, 8 + 24 + 20);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.mmap_count, 1);
	assert_int_equal(bi.mmap[0].base, 0x1000);
	assert_int_equal(bi.warnings, 0);
}

static void test_mmap_skips_empty_and_wrapping(void **state)
{
	static const struct mmap_entry map[] = {
		{ 0x1000, 0, MMAP_AVAILABLE },                       /* empty */
		{ 0xfffffffffffff000ull, 0x1000, MMAP_AVAILABLE },   /* ends exactly at 2^64: wraps to 0 */
		{ 0xffffffffffff0000ull, 0x20000, MMAP_RESERVED },   /* wraps */
		{ 0x100000, 0x1000, MMAP_BADRAM },
		{ 0xfffffffffffff000ull, 0xfff, MMAP_AVAILABLE },    /* ends just below 2^64 */
	};
	struct mb2 b;

	mb2_init(&b);
	mb2_mmap(&b, 24, map, 5);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.warnings, 0);
	assert_int_equal(bi.mmap_count, 2);
	assert_int_equal(bi.mmap[0].base, 0x100000);
	assert_int_equal(bi.mmap[0].type, MMAP_BADRAM);
	assert_int_equal(bi.mmap[1].base, 0xfffffffffffff000ull);
	assert_int_equal(bi.mmap[1].length, 0xfff);
}

/* Entries beyond BOOTINFO_MAX_MMAP are dropped (not malformed: no warning); two map
 * tags add up. */
static void test_mmap_capped(void **state)
{
	static struct mmap_entry map[100];
	struct mb2 b;

	for (int i = 0; i < 100; i++)
		map[i] = (struct mmap_entry){ 0x100000ull * i, 0x1000, MMAP_AVAILABLE };
	mb2_init(&b);
	mb2_mmap(&b, 24, map, 40);
	mb2_mmap(&b, 24, map + 40, 60);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.mmap_count, BOOTINFO_MAX_MMAP);
	assert_int_equal(bi.warnings, 1); /* the dropped entries are counted once */
	for (int i = 0; i < BOOTINFO_MAX_MMAP; i++)
		assert_int_equal(bi.mmap[i].base, 0x100000ull * i);
}

/* ---------------------------------------------------------------- framebuffer and ACPI */

static void expect_fb(u8 *body, size_t n, bool accepted)
{
	struct mb2 b;

	mb2_init(&b);
	mb2_tag(&b, 8, body, n);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.has_framebuffer, accepted);
	assert_int_equal(bi.warnings, accepted ? 0 : 1);
}

static void test_framebuffer(void **state)
{
	u8 body[32];
	size_t n;

	/* EGA text and indexed need no colour fields. */
	expect_fb(body, fb_body(body, 0xb8000, 160, 80, 25, 16, 2), true);
	assert_int_equal(bi.fb.type, 2);
	assert_int_equal(bi.fb.width, 80);
	expect_fb(body, 22, true); /* the common part alone */
	expect_fb(body, fb_body(body, 0xfd000000, 640, 640, 480, 8, 0), true);

	/* RGB needs its six colour bytes. */
	n = fb_body(body, 0xfd000000, 4096, 1024, 768, 32, 1);
	expect_fb(body, n, true);
	assert_int_equal(bi.fb.blue_size, 8);
	expect_fb(body, n - 1, false);
	expect_fb(body, 24, false);

	/* Shorter than the common part. */
	fb_body(body, 0xb8000, 160, 80, 25, 16, 2);
	expect_fb(body, 21, false);
	expect_fb(body, 0, false);

	/* Sizes that cannot be real. */
	expect_fb(body, fb_body(body, 0xfd000000, 4096, 0, 768, 32, 1), false);
	expect_fb(body, fb_body(body, 0xfd000000, 4096, 1024, 0, 32, 1), false);
	expect_fb(body, fb_body(body, 0xfd000000, 65540 * 4, 16385, 768, 32, 1), false);
	expect_fb(body, fb_body(body, 0xfd000000, 4096, 1024, 16385, 32, 1), false);
	expect_fb(body, fb_body(body, 0xfd000000, 65536 * 4, 16384, 16384, 32, 1), true);
	expect_fb(body, fb_body(body, 0xfd000000, 4095, 1024, 768, 32, 1), false); /* pitch < a row */
	expect_fb(body, fb_body(body, 0xfd000000, 0xffffffff, 16384, 16384, 255, 1), true);
}

/* A refused framebuffer tag changes nothing: not the flag, not the fields of an
 * earlier good one. A later good one replaces an earlier one. */
static void test_framebuffer_refused_after_good(void **state)
{
	struct mb2 b;
	u8 good[32], bad[32], other[32];

	mb2_init(&b);
	mb2_tag(&b, 8, good, fb_body(good, 0xfd000000, 4096, 1024, 768, 32, 1));
	mb2_tag(&b, 8, bad, fb_body(bad, 0xc0000000, 64, 100000, 5, 8, 2));
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.warnings, 1);
	assert_true(bi.has_framebuffer);
	assert_int_equal(bi.fb.addr, 0xfd000000);
	assert_int_equal(bi.fb.pitch, 4096);
	assert_int_equal(bi.fb.width, 1024);
	assert_int_equal(bi.fb.height, 768);
	assert_int_equal(bi.fb.bpp, 32);
	assert_int_equal(bi.fb.type, 1);
	assert_int_equal(bi.fb.red_pos, 16);

	mb2_init(&b);
	mb2_tag(&b, 8, good, fb_body(good, 0xfd000000, 4096, 1024, 768, 32, 1));
	mb2_tag(&b, 8, other, fb_body(other, 0xb8000, 160, 80, 25, 16, 2));
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.warnings, 0);
	assert_int_equal(bi.fb.addr, 0xb8000);
	assert_int_equal(bi.fb.type, 2);
	assert_int_equal(bi.fb.red_pos, 0); /* no colour fields left from the first */

	/* Refused alone: no framebuffer, and no half-filled fields either. */
	mb2_init(&b);
	mb2_tag(&b, 8, bad, fb_body(bad, 0xc0000000, 64, 100000, 5, 8, 2));
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_false(bi.has_framebuffer);
	assert_int_equal(bi.fb.addr, 0);
	assert_int_equal(bi.fb.width, 0);
}

static void test_acpi_rsdp(void **state)
{
	struct mb2 b;

	/* ACPI 1.0: 20 bytes. */
	mb2_init(&b);
	mb2_rsdp(&b, 14, 20, 0x10);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.rsdp_len, 20);
	assert_int_equal(bi.rsdp[0], 0x10);
	assert_int_equal(bi.rsdp[19], 0x10 + 19);
	assert_int_equal(bi.rsdp[20], 0);

	/* A longer body is cut at 36 bytes. */
	mb2_init(&b);
	mb2_rsdp(&b, 15, 48, 0x10);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.rsdp_len, 36);
	assert_int_equal(bi.rsdp[35], 0x10 + 35);
	assert_int_equal(bi.warnings, 0);

	/* With both, the 2.0 copy is kept, whichever comes first. */
	mb2_init(&b);
	mb2_rsdp(&b, 14, 20, 0x10);
	mb2_rsdp(&b, 15, 36, 0x80);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.rsdp_len, 36);
	assert_int_equal(bi.rsdp[0], 0x80);
	assert_int_equal(bi.warnings, 0);
	mb2_init(&b);
	mb2_rsdp(&b, 15, 36, 0x80);
	mb2_rsdp(&b, 14, 20, 0x10);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.rsdp_len, 36);
	assert_int_equal(bi.rsdp[0], 0x80);
	assert_int_equal(bi.warnings, 0);

	/* Under 20 bytes is not an RSDP. */
	mb2_init(&b);
	mb2_rsdp(&b, 14, 19, 0x10);
	mb2_rsdp(&b, 15, 0, 0x10);
	mb2_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.rsdp_len, 0);
	assert_int_equal(bi.warnings, 2);
}

/* ---------------------------------------------------------------- bootinfo_ram_top */

static void test_ram_top(void **state)
{
	struct bootinfo *r = calloc(1, sizeof(*r));

	/* No map: 1 MiB plus the upper memory. */
	assert_int_equal(bootinfo_ram_top(r), 0x100000);
	r->mem_upper_kb = 129920;
	assert_int_equal(bootinfo_ram_top(r), 0x100000 + 129920ull * 1024);

	/* The highest end of a usable entry, in any order; reserved and bad RAM do not count. */
	r->mmap[0] = (struct boot_mmap_entry){ 0x100000, 0x7ee0000, MMAP_AVAILABLE };
	r->mmap[1] = (struct boot_mmap_entry){ 0xfffc0000, 0x40000, MMAP_RESERVED };
	r->mmap[2] = (struct boot_mmap_entry){ 0x0, 0x9fc00, MMAP_AVAILABLE };
	r->mmap[3] = (struct boot_mmap_entry){ 0x100000000ull, 0x1000, MMAP_BADRAM };
	r->mmap_count = 4;
	assert_int_equal(bootinfo_ram_top(r), 0x7fe0000);

	/* ACPI reclaimable and NVS entries count too. */
	r->mmap[4] = (struct boot_mmap_entry){ 0x7fe0000, 0x10000, MMAP_ACPI_RECLAIMABLE };
	r->mmap_count = 5;
	assert_int_equal(bootinfo_ram_top(r), 0x7ff0000);
	r->mmap[5] = (struct boot_mmap_entry){ 0x7ff0000, 0x10000, MMAP_NVS };
	r->mmap_count = 6;
	assert_int_equal(bootinfo_ram_top(r), 0x8000000);

	/* Entries past mmap_count are not looked at. */
	r->mmap[6] = (struct boot_mmap_entry){ 0x200000000ull, 0x1000, MMAP_AVAILABLE };
	assert_int_equal(bootinfo_ram_top(r), 0x8000000);

	/* A map with nothing usable falls back to the basic information. */
	r->mmap[0].type = r->mmap[2].type = r->mmap[4].type = r->mmap[5].type = MMAP_RESERVED;
	assert_int_equal(bootinfo_ram_top(r), 0x100000 + 129920ull * 1024);
	free(r);
}

/* ---------------------------------------------------------------- fuzzing */

/* What must hold after any input: a clean refusal or a bootinfo within its bounds. */
static void check_sane(int ret, size_t size)
{
	if (ret) {
		assert_int_equal(ret, -EINVAL);
		assert_bootinfo_zero();
		return;
	}
	assert_true(bi.info_size >= 16 && bi.info_size <= size && bi.info_size % 8 == 0);
	assert_non_null(memchr(bi.cmdline, 0, sizeof(bi.cmdline)));
	assert_non_null(memchr(bi.loader, 0, sizeof(bi.loader)));
	assert_true(bi.mmap_count <= BOOTINFO_MAX_MMAP);
	assert_true(bi.module_count <= BOOTINFO_MAX_MODULES);
	for (unsigned i = 0; i < bi.mmap_count; i++)
		assert_true(bi.mmap[i].length && bi.mmap[i].base + bi.mmap[i].length > bi.mmap[i].base);
	for (unsigned i = 0; i < bi.module_count; i++) {
		assert_true(bi.modules[i].end >= bi.modules[i].start);
		assert_non_null(memchr(bi.modules[i].name, 0, sizeof(bi.modules[i].name)));
	}
	assert_true(bi.rsdp_len == 0 || (bi.rsdp_len >= 20 && bi.rsdp_len <= 36));
	if (bi.has_framebuffer) {
		assert_true(bi.fb.width && bi.fb.width <= 16384 && bi.fb.height && bi.fb.height <= 16384);
		assert_true((u64)bi.fb.pitch * 8 >= (u64)bi.fb.width * bi.fb.bpp);
	}
	assert_true(bootinfo_ram_top(&bi) >= 0x100000 || bi.mmap_count);
}

/* Flips, overwrites and interesting u32 values at random places of a valid buffer, and
 * hands the parser a random readable size. */
static void test_random_mutations(void **state)
{
	static const u32 interesting[] = { 0, 1, 7, 8, 9, 16, 20, 23, 24, 0x7fffffff, 0x80000000, 0xfffffff8,
					   0xffffffff };
	static struct mb2 valid, b;
	int accepted = 0, refused = 0;

	rng_seed(0x6d62326d7574ull, "bootinfo mutations");
	build_full(&valid);
	for (int i = 0; i < 20000; i++) {
		size_t size;
		int ret;

		b = valid;
		for (int k = rng_range(1, 8); k > 0; k--) {
			size_t at = rng_below(valid.len);
			switch (rng_below(3)) {
			case 0:
				bytes(&b)[at] ^= 1u << rng_below(8);
				break;
			case 1:
				bytes(&b)[at] = rng_next();
				break;
			default:
				at &= ~(size_t)3; /* a u32 field: type, size, count... */
				put32(bytes(&b) + at, interesting[rng_below(sizeof(interesting) / 4)]);
				break;
			}
		}
		size = rng_below(4) ? valid.len : rng_below(valid.len + 64);
		ret = parse_shifted(&b, MAGIC, size, rng_below(8));
		check_sane(ret, size);
		accepted += ret == 0;
		refused += ret != 0;
	}
	printf("# %d accepted, %d refused\n", accepted, refused);
	assert_true(accepted > 5000 && refused > 1000);
}

/* Random sequences of tags of the kinds the parser knows, with random sizes and bodies. */
static void test_random_tag_streams(void **state)
{
	static const u32 types[] = { 0, 1, 2, 3, 4, 6, 8, 14, 15, 21 };
	static struct mb2 b;
	static u8 body[600];
	unsigned warned = 0;

	rng_seed(0x746167737472ull, "bootinfo tag streams");
	for (int i = 0; i < 10000; i++) {
		int ret;

		mb2_init(&b);
		for (int t = rng_below(12); t > 0; t--) {
			u32 type = types[rng_below(sizeof(types) / 4)];
			size_t n = rng_below(4) ? rng_below(48) : rng_below(sizeof(body));

			for (size_t k = 0; k < n; k++)
				body[k] = rng_below(3) ? rng_below(4) * 8 : rng_next();
			if (type == 6 && n >= 4)
				put32(body, rng_below(2) ? 24 : rng_below(48));
			if (rng_below(16))
				mb2_tag(&b, type, body, n);
			else
				mb2_raw_tag(&b, type, rng_below(64), body, n);
		}
		if (rng_below(8) || b.len == 8) /* total_size must reach 16 */
			mb2_end(&b);
		else
			mb2_seal(&b);
		ret = parse_shifted(&b, MAGIC, b.len, 0);
		assert_int_equal(ret, 0);
		check_sane(ret, b.len);
		warned += bi.warnings != 0;
	}
	printf("# %u of 10000 streams had warnings\n", warned);
	assert_true(warned > 1000 && warned < 9900);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_information),
		cmocka_unit_test(test_minimal_information),
		cmocka_unit_test(test_unaligned_buffer),
		cmocka_unit_test(test_bytes_past_total_ignored),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_tag_size_below_header),
		cmocka_unit_test(test_tag_past_end),
		cmocka_unit_test(test_missing_end_tag),
		cmocka_unit_test(test_unknown_tags_ignored),
		cmocka_unit_test(test_strings_without_nul),
		cmocka_unit_test(test_long_strings_truncated),
		cmocka_unit_test(test_bad_modules),
		cmocka_unit_test(test_too_many_modules),
		cmocka_unit_test(test_short_meminfo),
		cmocka_unit_test(test_mmap_entry_sizes),
		cmocka_unit_test(test_mmap_skips_empty_and_wrapping),
		cmocka_unit_test(test_mmap_capped),
		cmocka_unit_test(test_framebuffer),
		cmocka_unit_test(test_framebuffer_refused_after_good),
		cmocka_unit_test(test_acpi_rsdp),
		cmocka_unit_test(test_ram_top),
		cmocka_unit_test(test_random_mutations),
		cmocka_unit_test(test_random_tag_streams),
	};

	hosttest_init();
	return cmocka_run_group_tests_name("bootinfo", tests, NULL, NULL);
}
