/* tests/host/modelf_test.h: what test_modelf.c and test_modelf_bad.c share: reading the .ko files built for them,
 * the raw ELF structures, a stub resolver, and modules loaded into exactly-sized heap regions. */
#ifndef MODELF_TEST_H
#define MODELF_TEST_H

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

static inline bool ko_read(const char *name, struct ko *k)
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

static inline void ko_load(const char *name, struct ko *k)
{
	if (!ko_read(name, k))
		fail_msg("cannot read %s/%s (built by tests/host/Makefile)", MODELF_DATA_DIR, name);
}

/* The raw structures, read straight from the file rather than through modelf. */
static inline Elf64_Ehdr *ehdr(const struct ko *k)
{
	return (Elf64_Ehdr *)k->buf;
}

static inline Elf64_Shdr *shdr(const struct ko *k, unsigned i)
{
	return (Elf64_Shdr *)(k->buf + ehdr(k)->e_shoff) + i;
}

static inline unsigned sec_find(const struct ko *k, const char *name)
{
	const char *names = (const char *)k->buf + shdr(k, ehdr(k)->e_shstrndx)->sh_offset;

	for (unsigned i = 1; i < ehdr(k)->e_shnum; i++)
		if (!strcmp(names + shdr(k, i)->sh_name, name))
			return i;
	fail_msg("no section %s", name);
	return 0;
}

static inline Elf64_Sym *syms(const struct ko *k, unsigned *n)
{
	Elf64_Shdr *s = shdr(k, sec_find(k, ".symtab"));

	*n = s->sh_size / sizeof(Elf64_Sym);
	return (Elf64_Sym *)(k->buf + s->sh_offset);
}

static inline unsigned sym_find(const struct ko *k, const char *name)
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

static inline Elf64_Rela *rela(const struct ko *k, const char *sec, unsigned j)
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

static inline int resolve(const char *name, void *arg, u64 *addr)
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

static inline void resolver_init(struct resolver *r)
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

static inline void parse_ok(const struct ko *k, struct loaded *ld)
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

static inline int relocate(struct loaded *ld, struct resolver *r)
{
	return modelf_relocate(&ld->m, &ld->l, ld->base, vaddr, resolve, r, &ld->why);
}

static inline void load_ok(const struct ko *k, struct loaded *ld, struct resolver *r)
{
	parse_ok(k, ld);
	if (relocate(ld, r))
		fail_msg("modelf_relocate: %d %s", ld->why.err, ld->why.msg);
}

static inline void loaded_free(struct loaded *ld)
{
	for (unsigned r = 0; r < MODELF_NREGIONS; r++)
		free(ld->base[r]);
}

/* Where section i landed: its bytes in the heap copy and its final address. */
static inline u8 *sec_mem(struct loaded *ld, unsigned i)
{
	assert_int_not_equal(ld->l.region[i], MODELF_NOT_LOADED);
	return ld->base[ld->l.region[i]] + ld->l.off[i];
}

static inline u64 sec_vaddr(struct loaded *ld, unsigned i)
{
	assert_int_not_equal(ld->l.region[i], MODELF_NOT_LOADED);
	return vaddr[ld->l.region[i]] + ld->l.off[i];
}

static inline u64 rd64(const u8 *p)
{
	u64 v;
	memcpy(&v, p, 8);
	return v;
}

static inline u32 rd32(const u8 *p)
{
	u32 v;
	memcpy(&v, p, 4);
	return v;
}


/* A message with numbers the test computes. */
static inline const char *fmt(const char *f, ...) __printf(1, 2);
static inline const char *fmt(const char *f, ...)
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


#endif
