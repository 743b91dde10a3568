/* userland/tests/abi.c: the edges of the system-call ABI: abi_version (1900) through libgranary,
 * and -ENOSYS for numbers nothing is assigned to (between the blocks, past them, negative). */
#include "tap.h"

#include <uapi/granary.h>

/* Linux runs these tests too (to check the tests); it has no native calls. */
int main(int argc, char **argv)
{
	static const long unassigned[] = { 512, 999, 1999, 4096, 0x7fffffffL, -1L };
	long v;

	(void)argc;
	tap_init(argv, 7);
	errno = 0;
	v = granary_abi_version();
	if (v == -1 && errno == ENOSYS && tap_on_linux())
		tap_skip("granary_abi_version() is GRANARY_ABI_VERSION",
			 "Linux has no native calls");
	else if (!TAP_EQ(v, GRANARY_ABI_VERSION, "granary_abi_version() is GRANARY_ABI_VERSION"))
		tap_diag("errno %s", tap_errname(errno));
	for (size_t i = 0; i < sizeof(unassigned) / sizeof(unassigned[0]); i++)
		TAP_ERRNO(syscall(unassigned[i]), ENOSYS, "system call %ld: ENOSYS", unassigned[i]);
	return tap_done();
}
