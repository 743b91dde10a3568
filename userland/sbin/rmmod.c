/* userland/sbin/rmmod.c: rmmod NAME...: unloads modules; a module in use is refused with the reason
 * the kernel gives (the module or mount that holds it), a built-in one with "rmmod: fat is built
 * into the kernel and cannot be unloaded". */
#include "modcommon.h"

int main(int argc, char **argv)
{
	int status = 0;

	tool = "rmmod";
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout, "usage: rmmod NAME ...\n");
		return argc < 2 ? 2 : 0;
	}
	for (int i = 1; i < argc; i++) {
		char why[192], name[64];
		long r = module_unload(mod_name(argv[i], name, sizeof(name)), why, sizeof(why));
		if (r < 0)
			status = mod_fail("unload", name, r, why);
	}
	return status;
}
