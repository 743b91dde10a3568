/* userland/sbin/modinfo.c: modinfo NAME|PATH: the .modinfo tags of a module file (filename, name,
 * version, description, author, license, depends from modules.dep, parm), or of a module built into
 * the kernel (filename "(builtin)", its tags from modules.builtin.modinfo, as Linux's modinfo). The
 * file is untrusted: every offset is checked before it is read. */
#include "modcommon.h"

#include <elf.h>

#define FILE_MAX (64 << 20)

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long size;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (size = ftell(f)) > 0 && size <= FILE_MAX && !fseek(f, 0, SEEK_SET) &&
	    (buf = malloc((size_t)size)) && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	*len = buf ? (size_t)size : 0;
	fclose(f);
	return buf;
}

/* The .modinfo section's bytes, or NULL with *why set. */
static const char *find_modinfo(const unsigned char *img, size_t len, size_t *size, const char **why)
{
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf64_Shdr *sh, *names;

	*why = "not an ELF64 module";
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_type != ET_REL || eh->e_shentsize != sizeof(Elf64_Shdr))
		return NULL;
	*why = "section headers outside the file";
	if (eh->e_shoff > len || eh->e_shnum > (len - eh->e_shoff) / sizeof(Elf64_Shdr) ||
	    eh->e_shstrndx >= eh->e_shnum)
		return NULL;
	sh = (const void *)(img + eh->e_shoff);
	names = &sh[eh->e_shstrndx];
	*why = "section names outside the file";
	if (names->sh_offset > len || names->sh_size > len - names->sh_offset)
		return NULL;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const char *n = (const char *)img + names->sh_offset + sh[i].sh_name;
		if (sh[i].sh_name >= names->sh_size || !memchr(n, 0, names->sh_size - sh[i].sh_name) ||
		    strcmp(n, ".modinfo"))
			continue;
		*why = ".modinfo outside the file";
		if (sh[i].sh_offset > len || sh[i].sh_size > len - sh[i].sh_offset)
			return NULL;
		*size = sh[i].sh_size;
		return (const char *)img + sh[i].sh_offset;
	}
	*why = "no .modinfo section";
	return NULL;
}

/* The depends line for name.ko from modules.dep ("" if none). */
static void depends(const char *name, char *out, size_t size)
{
	char path[256], line[1024];
	size_t nlen = strlen(name);
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/modules.dep", mod_dir());
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, nlen) || strncmp(line + nlen, ".ko:", 4))
			continue;
		for (char *t = strtok(line + nlen + 4, " \n"); t; t = strtok(NULL, " \n")) {
			char dep[64];
			snprintf(out + strlen(out), size - strlen(out), "%s%s", out[0] ? "," : "",
				 mod_name(t, dep, sizeof(dep)));
		}
	}
	if (f)
		fclose(f);
}

/* Prints info's "tag=value" strings (size bytes) as "tag: value" lines, but parmtype; with mod
 * given, only mod's built-in "mod.tag=value" ones. */
static void print_tags(const char *info, size_t size, const char *mod)
{
	size_t mlen = mod ? strlen(mod) : 0;

	for (size_t off = 0; off < size;) {
		const char *s = info + off, *eq;
		size_t n = strnlen(s, size - off);
		char key[32];
		off += n + 1;
		if (mod) {
			if (n <= mlen || strncmp(s, mod, mlen) || s[mlen] != '.')
				continue;
			s += mlen + 1;
			n -= mlen + 1;
		}
		if (n && (eq = memchr(s, '=', n)) && (size_t)(eq - s) < sizeof(key) - 1) {
			snprintf(key, sizeof(key), "%.*s:", (int)(eq - s), s);
			if (strcmp(key, "parmtype:"))
				printf("%-12s %.*s\n", key, (int)(n - (size_t)(eq - s) - 1), eq + 1);
		}
	}
}

/* modinfo of a built-in module: its name, "(builtin)" and its tags. */
static int builtin_info(const char *name)
{
	char path[256];
	unsigned char *info;
	size_t len;

	snprintf(path, sizeof(path), "%s/modules.builtin.modinfo", mod_dir());
	info = slurp(path, &len);
	printf("%-12s %s\n%-12s %s\n", "name:", name, "filename:", "(builtin)");
	if (info)
		print_tags((const char *)info, len, name);
	free(info);
	return 0;
}

int main(int argc, char **argv)
{
	char path[512], name[64], deps[512];
	const char *info, *why;
	unsigned char *img;
	size_t len, size = 0;

	tool = "modinfo";
	if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc != 2 ? stderr : stdout, "usage: modinfo NAME|PATH.ko\n");
		return argc != 2 ? 2 : 0;
	}
	if (!strchr(argv[1], '/') && mod_builtin(argv[1]))
		return builtin_info(argv[1]);
	if (strchr(argv[1], '/'))
		snprintf(path, sizeof(path), "%s", argv[1]);
	else
		snprintf(path, sizeof(path), "%s/%s.ko", mod_dir(), argv[1]);
	img = slurp(path, &len);
	if (!img) {
		fprintf(stderr, "modinfo: %s: %s\n", path, errno ? strerror(errno) : "cannot read");
		return 1;
	}
	info = find_modinfo(img, len, &size, &why);
	if (!info) {
		fprintf(stderr, "modinfo: %s: bad module: %s\n", path, why);
		return 1;
	}
	printf("%-12s %s\n", "filename:", path);
	print_tags(info, size, NULL);
	depends(mod_name(path, name, sizeof(name)), deps, sizeof(deps));
	printf("%-12s %s\n", "depends:", deps);
	free(img);
	return 0;
}
