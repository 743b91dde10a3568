/* userland/tests/modules.c: the module loader from user space, with the sample modules in /lib/modules:
 * dependencies and their order, parameters, exports, refusals with their messages, 100 load/unload
 * cycles back at the memory baseline, malformed images. Granary only: on Linux every check is skipped. */
#include "tap.h"
#include "modhelp.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <uapi/module.h>

#define SYS_module_load 1700
#define SYS_module_unload 1701
#define SYS_module_get_symbol 1702
#define SYS_module_query 1703
#define PLAN 39

static char errbuf[192];

static long load(const char *name, const char *params)
{
	errbuf[0] = '\0';
	return syscall(SYS_module_load, MODULE_LOAD_NAME, name, 0, params, errbuf, sizeof(errbuf));
}

static long load_buf(const void *img, size_t len)
{
	errbuf[0] = '\0';
	return syscall(SYS_module_load, MODULE_LOAD_BUFFER, img, len, NULL, errbuf, sizeof(errbuf));
}

static long unload(const char *name)
{
	errbuf[0] = '\0';
	return syscall(SYS_module_unload, name, errbuf, sizeof(errbuf));
}

/* True if /proc/modules has a line for name. */
static int listed(const char *name)
{
	char buf[4096], *line;
	FILE *f = fopen("/proc/modules", "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	size_t len = strlen(name);

	if (f)
		fclose(f);
	buf[n] = '\0';
	for (line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, name, len) && line[len] == ' ')
			return 1;
	return 0;
}

static long long free_bytes(void)
{
	struct sysinfo si;

	return sysinfo(&si) ? -1 : (long long)si.freeram * (si.mem_unit ? si.mem_unit : 1);
}

/* /proc/meminfo's ModulesUsed: kB of the module area that loaded modules take, or -1. */
static long long modules_used_kb(void)
{
	char line[128];
	long long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "ModulesUsed: %lld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* The first entry of the first SHT_RELA section of an ELF64 image, or NULL. */
static Elf64_Rela *first_rela(u8 *img, size_t len)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Shdr *sh;

	if (len < sizeof(*eh) || eh->e_shoff > len || eh->e_shnum > (len - eh->e_shoff) / sizeof(*sh))
		return NULL;
	sh = (Elf64_Shdr *)(img + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_RELA && sh[i].sh_size >= sizeof(Elf64_Rela) &&
		    sh[i].sh_offset <= len - sizeof(Elf64_Rela))
			return (Elf64_Rela *)(img + sh[i].sh_offset);
	return NULL;
}

/* The section header of the section called name, or NULL. */
static Elf64_Shdr *section(u8 *img, size_t len, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Shdr *sh = (Elf64_Shdr *)(img + eh->e_shoff);
	const char *names;

	if (eh->e_shstrndx >= eh->e_shnum || sh[eh->e_shstrndx].sh_offset >= len)
		return NULL;
	names = (const char *)img + sh[eh->e_shstrndx].sh_offset;
	for (unsigned i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_name < sh[eh->e_shstrndx].sh_size && !strcmp(names + sh[i].sh_name, name))
			return &sh[i];
	return NULL;
}

/* The address /proc/kallsyms gives name (with its "\t[module]" suffix, if any), or 0. */
static unsigned long long kallsyms_addr(const char *name, const char *module)
{
	char line[256], want[160];
	unsigned long long addr = 0, a;
	FILE *f = fopen("/proc/kallsyms", "r");

	snprintf(want, sizeof(want), module ? "%s\t[%s]" : "%s", name, module);
	while (f && !addr && fgets(line, sizeof(line), f)) {
		char type, sym[160];
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%llx %c %159[^\n]", &a, &type, sym) == 3 && !strcmp(sym, want))
			addr = a;
	}
	if (f)
		fclose(f);
	return addr;
}

static void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	*len = f && buf ? fread(buf, 1, 1 << 20, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static void as_nobody(void *arg)
{
	(void)arg;
	if (setuid(65534))
		_exit(2);
	_exit(load("sample_export", NULL) == -1 && errno == EPERM ? 0 : 1);
}

int main(int argc, char **argv)
{
	struct granary_module_info info;
	struct utsname u;
	long id_export, id_use, r;
	unsigned long long addr = 0;
	char path[256];
	size_t len;
	u8 *img, *bad;
	long long before, after, area, loaded_kb = -1;
	Elf64_Rela *rela;
	Elf64_Shdr *text;
	int good;

	(void)argc;
	tap_init(argv, PLAN);
	if (uname(&u) || strcmp(u.sysname, "Granary")) {
		for (int i = 0; i < PLAN; i++)
			tap_skip("module loader check", "the module calls are Granary's");
		return tap_done();
	}
	if (!samples_are_modules(&u)) {
		for (int i = 0; i < PLAN; i++)
			tap_skip("module loader check", "this configuration has no sample_export.ko");
		return tap_done();
	}
	snprintf(path, sizeof(path), "/lib/modules/%s/sample_export.ko", u.release);

	r = load("sample_use", NULL);
	tap_ok(r == -1 && errno == ENOENT && strstr(errbuf, "unknown symbol sample_add"),
	       "sample_use before sample_export: ENOENT, \"unknown symbol sample_add\" (%s)", errbuf);
	TAP_EQ(listed("sample_use"), 0, "... and it is not listed in /proc/modules");
	id_export = load("sample_export", NULL);
	tap_ok(id_export > 0, "sample_export loads by name (id %ld, %s)", id_export, errbuf);
	TAP_EQ(listed("sample_export"), 1, "/proc/modules lists sample_export");
	r = load("sample_export", NULL);
	tap_ok(r == -1 && errno == EEXIST, "loading it again: EEXIST (%s)", errbuf);
	r = load("sample_use", "sample_base=-1");
	tap_ok(r == -1 && errno == EINVAL, "sample_use with base -1: its init fails with EINVAL");
	TAP_EQ(listed("sample_use"), 0, "... and nothing of it stays");
	r = load("sample_use", "nosuch=1");
	tap_ok(r == -1 && errno == EINVAL && strstr(errbuf, "unknown parameter nosuch"),
	       "an unknown parameter: EINVAL, \"unknown parameter nosuch\" (%s)", errbuf);
	id_use = load("sample_use", "sample_base=5 sample_who=granary");
	tap_ok(id_use > 0, "sample_use loads with parameters (id %ld, %s)", id_use, errbuf);
	r = syscall(SYS_module_query, (int)id_use, &info, 0);
	tap_ok(r == id_use && info.ndeps == 1 && !strcmp(info.deps[0], "sample_export") &&
		       info.state == MODULE_STATE_LIVE && !strcmp(info.version, "1.0"),
	       "module_query: sample_use, live, version 1.0, uses sample_export (%u deps)", info.ndeps);
	r = syscall(SYS_module_query, (int)id_export, &info, 0);
	TAP_EQ(info.refcount, 1, "sample_export has one user");
	r = unload("sample_export");
	tap_ok(r == -1 && errno == EBUSY && strstr(errbuf, "in use by sample_use"),
	       "unloading sample_export first: EBUSY, \"in use by sample_use\" (%s)", errbuf);
	r = syscall(SYS_module_get_symbol, (int)id_export, "sample_add", &addr);
	tap_ok(r == 0 && addr >= 0xffffffff80000000ULL, "module_get_symbol(sample_add): an address in the module area (%#llx)", addr);
	TAP_EQ(kallsyms_addr("sample_add", "sample_export"), addr,
	       "/proc/kallsyms names sample_add [sample_export] at that address");
	tap_ok(kallsyms_addr("panic", NULL) >= 0xffffffff80000000ULL,
	       "/proc/kallsyms lists the kernel's own symbols (panic at %#llx)", kallsyms_addr("panic", NULL));
	r = syscall(SYS_module_get_symbol, (int)id_export, "sample_export_init", &addr);
	tap_ok(r == -1 && errno == ENOENT, "module_get_symbol of a name it does not export: ENOENT");
	r = syscall(SYS_module_get_symbol, 9999, "sample_add", &addr);
	tap_ok(r == -1 && errno == ENOENT, "module_get_symbol of no such module: ENOENT");
	TAP_EQ(unload("sample_use"), 0, "sample_use unloads");
	TAP_EQ(unload("sample_export"), 0, "then sample_export unloads");
	TAP_EQ(listed("sample_export") + listed("sample_use"), 0, "/proc/modules lists neither");
	r = unload("sample_export");
	tap_ok(r == -1 && errno == ENOENT, "unloading what is not loaded: ENOENT");
	TAP_EQ(tap_child(as_nobody, NULL), 0, "as uid 65534 loading is refused: EPERM");

	/* Cycles: memory comes back, page for page. */
	good = 0;
	for (int i = 0; i < 3; i++)
		good += load("sample_export", NULL) > 0 && unload("sample_export") == 0;
	before = free_bytes();
	area = modules_used_kb();
	for (int i = 0; i < 100; i++) {
		good += load("sample_export", NULL) > 0;
		if (i == 0)
			loaded_kb = modules_used_kb();
		good += unload("sample_export") == 0;
	}
	after = free_bytes();
	TAP_EQ(good, 203, "100 load+unload cycles of sample_export after 3 to warm up");
	tap_ok(before > 0 && after == before, "free memory after 100 cycles is the baseline (%+lld bytes)",
	       after - before);
	TAP_EQ(area, 0, "/proc/meminfo ModulesUsed is 0 kB with no module loaded");
	tap_ok(loaded_kb >= 12, "... at least 12 kB (text, rodata, data pages) with sample_export (%lld kB)",
	       loaded_kb);
	TAP_EQ(modules_used_kb(), area, "... and back to %lld kB after the cycles", area);

	/* Images from a buffer, whole and damaged. */
	img = read_file(path, &len);
	bad = malloc(len ? len : 1);
	tap_ok(len > 64, "%s read (%zu bytes)", path, len);
	memcpy(bad, img, len);
	before = free_bytes();
	r = load_buf(img, len);
	tap_ok(r > 0 && unload("sample_export") == 0, "the same image from a buffer loads and unloads");
	r = load_buf(img, 100);
	tap_ok(r == -1 && errno == ENOEXEC && errbuf[0], "truncated to 100 bytes: ENOEXEC (%s)", errbuf);
	memcpy(bad, img, len);
	memset(bad + 0x28, 0x7f, 8); /* e_shoff far past the end */
	r = load_buf(bad, len);
	tap_ok(r == -1 && errno == ENOEXEC && errbuf[0], "section headers past the end: ENOEXEC (%s)", errbuf);
	memcpy(bad, img, len);
	bad[18] = 3; /* e_machine EM_386 */
	r = load_buf(bad, len);
	tap_ok(r == -1 && errno == ENOEXEC, "another machine: ENOEXEC (%s)", errbuf);
	memcpy(bad, img, len);
	text = section(bad, len, ".text");
	if (text)
		text->sh_offset = len + 4096;
	r = load_buf(bad, len);
	tap_ok(text && r == -1 && errno == ENOEXEC && strstr(errbuf, "outside the file"),
	       ".text's contents past the end: ENOEXEC (%s)", errbuf);
	memcpy(bad, img, len);
	rela = first_rela(bad, len);
	if (rela)
		rela->r_info = ELF64_R_INFO(ELF64_R_SYM(rela->r_info), R_X86_64_IRELATIVE);
	r = load_buf(bad, len);
	tap_ok(rela && r == -1 && errno == ENOEXEC && strstr(errbuf, "unknown type 37"),
	       "a relocation of type 37 (R_X86_64_IRELATIVE): ENOEXEC naming it (%s)", errbuf);
	after = free_bytes();
	tap_ok(after == before && modules_used_kb() == area,
	       "the refused images leave free memory (%+lld bytes) and the module area as they were",
	       after - before);
	r = syscall(SYS_module_load, MODULE_LOAD_BUFFER, (void *)8, 4096, NULL, errbuf, sizeof(errbuf));
	tap_ok(r == -1 && errno == EFAULT, "a bad buffer pointer: EFAULT");
	r = syscall(SYS_init_module, img, len, "");
	tap_ok(r == 0 && listed("sample_export"), "Linux's init_module loads it too");
	r = syscall(SYS_delete_module, "sample_export", O_NONBLOCK | O_TRUNC);
	tap_ok(r == -1 && errno == EOPNOTSUPP && listed("sample_export"),
	       "a forced delete_module (O_TRUNC): EOPNOTSUPP, and the module stays");
	r = syscall(SYS_delete_module, "sample_export", O_NONBLOCK | O_EXCL);
	tap_ok(r == 0 && !listed("sample_export"), "and delete_module unloads it");
	free(img);
	free(bad);
	return tap_done();
}
