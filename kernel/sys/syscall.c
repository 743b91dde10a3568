/* kernel/sys/syscall.c: the system-call table (from syscall_list.h) and the dispatcher.
 * Unknown numbers return -ENOSYS; syscall_trace=1 logs every call with its arguments and result. */
#include <granary/cmdline.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/syscall.h>
#include <granary/trap.h>

#define SYSCALL(nr, name, n, pl) [nr] = { #name, sys_##name, n, pl },
static const struct syscall_entry table[NR_SYSCALLS] = {
#include "syscall_list.h"
};
#undef SYSCALL

static bool trace;

static int param_trace(const char *val)
{
	trace = !val || (val[0] != '0');
	return 0;
}
KERNEL_PARAM("syscall_trace", param_trace);

const struct syscall_entry *syscall_lookup(u64 nr)
{
	return nr < NR_SYSCALLS && table[nr].fn ? &table[nr] : NULL;
}

static void trace_call(const struct syscall_entry *e, u64 nr, const struct trap_frame *tf, long ret)
{
	const u64 args[6] = { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 };
	struct task *t = current_task();
	char buf[160];
	int n = snprintf(buf, sizeof(buf), "[%u] %s(", t->tid, e ? e->name : "?");

	for (unsigned i = 0; i < (e ? e->nargs : 0) && n < (int)sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%#llx", i ? ", " : "", (unsigned long long)args[i]);
	if (!e)
		n += snprintf(buf + n, sizeof(buf) - n, "%llu", (unsigned long long)nr);
	pr_info("%s) = %ld\n", buf, ret);
}

void syscall_dispatch(struct trap_frame *tf)
{
	u64 nr = tf->rax;
	const struct syscall_entry *e = syscall_lookup(nr);
	long ret = -ENOSYS;

	if (e)
		ret = e->fn(tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9);
	tf->rax = (u64)ret;
	if (unlikely(trace))
		trace_call(e, nr, tf, ret);
	proc_return_to_user(tf);
}

SYSCALL_DEFINE0(granary_abi_version)
{
	return GRANARY_ABI_VERSION;
}
