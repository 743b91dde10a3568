/* userland/sbin/lsmod.c: lsmod: the loaded modules as Linux lists them (Module, Size, Used by), from
 * module_query rather than by parsing /proc/modules. */
#include "modcommon.h"

int main(int argc, char **argv)
{
	struct granary_module_info info;

	(void)argv;
	tool = "lsmod";
	if (argc > 1) {
		fprintf(stderr, "usage: lsmod\n");
		return 2;
	}
	printf("%-19s %8s  %s\n", "Module", "Size", "Used by");
	for (long id = 0; (id = module_query((int)id, &info, MODULE_QUERY_NEXT)) > 0;) {
		struct granary_module_info other;
		int first = 1;
		printf("%-19s %8llu  %u", info.name, (unsigned long long)info.size, info.refcount);
		/* The users are the modules that name this one among their dependencies. */
		for (long o = 0; (o = module_query((int)o, &other, MODULE_QUERY_NEXT)) > 0;)
			for (unsigned d = 0; d < other.ndeps && d < 8; d++)
				if (!strcmp(other.deps[d], info.name)) {
					printf("%s%s", first ? " " : ",", other.name);
					first = 0;
				}
		printf("\n");
	}
	return 0;
}
