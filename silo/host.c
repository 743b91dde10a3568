/* silo/host.c: the host silo, which holds every process until the silo issue adds real containers.
 * It charges memory to the unlimited host group. */
#include <granary/silo.h>
#include <granary/vm.h>

struct silo silo_host = {
	.id = 0,
	.name = "host",
	.memory = &mem_group_host,
};
