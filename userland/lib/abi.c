/* userland/lib/abi.c: granary_abi_version(), the one native call that exists from the start.
 * The rest of the native blocks (handles, IPC, modules, silos) arrive with their issues. */
#include <uapi/granary.h>
#include <unistd.h>

long granary_abi_version(void)
{
	return syscall(__GR_NR_abi_version);
}
