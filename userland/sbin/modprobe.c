/* userland/sbin/modprobe.c: modprobe NAME [param=value...] loads a module after what it needs (from
 * modules.dep, in load order); modprobe -r NAME unloads it, then the modules it needed that nothing
 * else uses. A module built into the kernel (modules.builtin) is there already: modprobe NAME
 * succeeds quietly, as Linux's does, and modprobe -r NAME fails. */
#include "modcommon.h"

#define DEPS_MAX 32

/* The modules name.ko needs, in load order, from modules.dep: how many, or -1 if not listed. */
static int deps_of(const char *name, char deps[][64])
{
	char path[256], line[2048];
	size_t nlen = strlen(name);
	int n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/modules.dep", mod_dir());
	f = fopen(path, "r");
	while (f && n < 0 && fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, nlen) || strncmp(line + nlen, ".ko:", 4))
			continue;
		n = 0;
		for (char *t = strtok(line + nlen + 4, " \n"); t && n < DEPS_MAX; t = strtok(NULL, " \n"))
			mod_name(t, deps[n++], 64);
	}
	if (f)
		fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	char deps[DEPS_MAX][64], name[64], why[192];
	int remove = argc > 1 && !strcmp(argv[1], "-r"), n;

	tool = "modprobe";
	if (argc < 2 + remove || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout, "usage: modprobe NAME [param=value ...]\n       modprobe -r NAME\n");
		return argc < 2 + remove ? 2 : 0;
	}
	mod_name(argv[1 + remove], name, sizeof(name));
	if (mod_builtin(name)) {
		if (!remove)
			return 0;
		fprintf(stderr, "modprobe: %s is built into the kernel\n", name);
		return 1;
	}
	n = deps_of(name, deps);
	if (n < 0) {
		fprintf(stderr, "modprobe: %s: not found in %s/modules.dep\n", name, mod_dir());
		return 1;
	}
	if (remove) {
		long r = module_unload(name, why, sizeof(why));
		if (r < 0)
			return mod_fail("unload", name, r, why);
		/* Then what it needed, last loaded first; those still used stay. */
		for (int i = n - 1; i >= 0; i--)
			module_unload(deps[i], NULL, 0);
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (mod_load(deps[i], NULL, 1))
			return 1;
	return mod_load(name, mod_params(argc, argv, 2), 0);
}
