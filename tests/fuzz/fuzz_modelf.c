/* tests/fuzz/fuzz_modelf.c: libFuzzer harness for the module ELF checker, layout and relocator (kernel/module/).
 * Each input is parsed, laid out, loaded into exact-size heap regions and relocated; nothing may crash or break an invariant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* glibc's <sys/cdefs.h> defines it too; the kernel's definition wins. */
#undef __always_inline
#include <granary/compiler.h>
#include <granary/errno.h>
#include <granary/modelf.h>

#define MAX_LOAD (1u << 20) /* bigger regions are laid out but not allocated: time, not coverage */

static const u64 vaddr[MODELF_NREGIONS] = { 0xffffffffc0000000ull, 0xffffffffc0400000ull,
					    0xffffffffc0800000ull };

/* Names starting with 'x' are unknown, "small*" are low addresses (R_X86_64_32 fits), the rest
 * kernel addresses; one name in 64 gets another error. */
static int resolve(const char *name, void *arg, u64 *addr)
{
	u64 h = 1469598103934665603ull;

	for (const char *p = name; *p; p++)
		h = (h ^ (u8)*p) * 1099511628211ull;
	if (name[0] == 'x')
		return -ENOENT;
	if ((h & 63) == 7)
		return -EBUSY;
	*addr = !strncmp(name, "small", 5) ? h & 0xffff : 0xffffffff81000000ull + (h & 0xffffff);
	return 0;
}

/* A broken invariant is a finding: stop so libFuzzer saves the input. */
#define CHECK(c)                                \
	do {                                    \
		if (!(c))                       \
			__builtin_trap();       \
	} while (0)

static void check_err(int err, const struct modelf_err *why)
{
	CHECK(err < 0 && err >= -4095 && why->err == err);
	CHECK(memchr(why->msg, 0, sizeof(why->msg)) && why->msg[0]);
}

static void query(const struct modelf *m)
{
	unsigned pos = 0, n = 0;
	bool weak;

	for (const char *p = modelf_modinfo_next(m, NULL); p; p = modelf_modinfo_next(m, p))
		CHECK(strchr(p, '=') && ++n <= m->len);
	(void)modelf_modinfo_get(m, "name");
	while (modelf_undef_next(m, &pos, &weak))
		CHECK(pos <= m->nsym);
	for (unsigned i = 0; i <= m->shnum; i++)
		(void)strlen(modelf_sec_name(m, i));
	for (unsigned i = 0; i <= m->nsym; i++)
		(void)strlen(modelf_sym_name(m, i));
}

static void check_layout(const struct modelf *m, const struct modelf_layout *l)
{
	for (unsigned r = 0; r < MODELF_NREGIONS; r++)
		CHECK(l->size[r] % MODELF_PAGE == 0 && l->size[r] <= MODELF_MAX_REGION);
	for (unsigned i = 0; i < m->shnum; i++) {
		const Elf64_Shdr *s = &m->sh[i];
		if (l->region[i] == MODELF_NOT_LOADED) {
			CHECK(!i || !(s->sh_flags & SHF_ALLOC) || i == m->modinfo);
			continue;
		}
		CHECK(l->region[i] < MODELF_NREGIONS && (s->sh_flags & SHF_ALLOC));
		CHECK((u64)l->off[i] + s->sh_size <= l->size[l->region[i]]);
		CHECK(!(s->sh_addralign > 1 && l->off[i] % s->sh_addralign));
		CHECK((l->region[i] == MODELF_TEXT) == !!(s->sh_flags & SHF_EXECINSTR));
		CHECK((l->region[i] == MODELF_DATA) == !!(s->sh_flags & SHF_WRITE));
	}
}

static void load(const struct modelf *m, const struct modelf_layout *l)
{
	u8 *base[MODELF_NREGIONS] = { NULL };
	struct modelf_err why;
	struct modelf_export e;
	u64 addr;
	int err;

	for (unsigned r = 0; r < MODELF_NREGIONS; r++)
		if (l->size[r] > MAX_LOAD)
			return;
	for (unsigned r = 0; r < MODELF_NREGIONS; r++) {
		base[r] = malloc(l->size[r] ? l->size[r] : 1);
		if (!base[r])
			goto out;
	}
	modelf_load(m, l, base);
	err = modelf_relocate(m, l, base, vaddr, resolve, NULL, &why);
	if (err) {
		check_err(err, &why);
		goto out;
	}
	for (unsigned i = 0, n = modelf_export_count(m); i < n; i++) {
		err = modelf_export_get(m, l, base, vaddr, i, &e, &why);
		if (err)
			check_err(err, &why);
		else
			CHECK(e.name[0] && strlen(e.name) < MODELF_MAX_REGION);
	}
	if (m->init_sym)
		CHECK(!modelf_sym_addr(m, l, vaddr, m->init_sym, &addr) &&
		      addr - vaddr[MODELF_TEXT] <= l->size[MODELF_TEXT]);
	if (m->exit_sym)
		CHECK(!modelf_sym_addr(m, l, vaddr, m->exit_sym, &addr));
out:
	for (unsigned r = 0; r < MODELF_NREGIONS; r++)
		free(base[r]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct modelf_layout l;
	struct modelf m;
	struct modelf_err why;
	/* A copy of exactly size bytes (malloc aligns it), so ASan catches any read past the end. */
	u8 *img = malloc(size ? size : 1);
	int err;

	if (!img)
		return 0;
	memcpy(img, data, size);
	err = modelf_parse(img, size, &m, &why);
	if (err) {
		check_err(err, &why);
		goto out;
	}
	CHECK(why.err == 0);
	query(&m);
	err = modelf_layout(&m, &l, &why);
	if (err) {
		check_err(err, &why);
		goto out;
	}
	check_layout(&m, &l);
	load(&m, &l);
out:
	free(img);
	return 0;
}
