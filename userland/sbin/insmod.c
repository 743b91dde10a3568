/* userland/sbin/insmod.c: insmod NAME|PATH [param=value...]: loads one module, by name from
 * /lib/modules/<release>/ or by path; says why when the kernel refuses (no dependencies: modprobe),
 * "insmod: fat is built into the kernel" for a built-in module. */
#include "modcommon.h"

int main(int argc, char **argv)
{
	tool = "insmod";
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout, "usage: insmod NAME|PATH.ko [param=value ...]\n");
		return argc < 2 ? 2 : 0;
	}
	return mod_load(argv[1], mod_params(argc, argv, 2), 0);
}
