/* userland/lib/module.c: libgranary's module calls (module_load, module_unload, module_get_symbol,
 * module_query) over the native system calls 1700-1703, returning negative errno values. */
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <uapi/granary.h>

static long ret(long r)
{
	return r == -1 ? -errno : r;
}

long module_load(int how, const void *src, size_t len, const char *params, char *why, size_t size)
{
	if (why && size)
		why[0] = '\0';
	return ret(syscall(__GR_NR_module_load, how, src, len, params, why, why ? size : 0));
}

long module_unload(const char *name, char *why, size_t size)
{
	if (why && size)
		why[0] = '\0';
	return ret(syscall(__GR_NR_module_unload, name, why, why ? size : 0));
}

long module_get_symbol(int id, const char *name, uint64_t *addr)
{
	return ret(syscall(__GR_NR_module_get_symbol, id, name, addr));
}

long module_query(int id, struct granary_module_info *info, unsigned flags)
{
	return ret(syscall(__GR_NR_module_query, id, info, flags));
}
