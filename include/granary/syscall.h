/* include/granary/syscall.h: how system calls are declared, defined and dispatched.
 * kernel/sys/syscall_list.h is the one list; the table, the prototypes and the names come from it. */
#ifndef GRANARY_SYSCALL_H
#define GRANARY_SYSCALL_H

#include <granary/types.h>

/* The pledge promise a call needs (the silo issue enforces them); one list gives the enum. */
#define PLEDGE_CLASSES(X) X(ALWAYS) X(STDIO) X(RPATH) X(WPATH) X(CPATH) X(DPATH) X(FATTR) \
	X(CHOWN) X(PROC) X(EXEC) X(ID) X(TTY) X(VMINFO) X(NATIVE) X(NEVER)
#define X_ENUM(n) PL_##n,
enum pledge_class { PLEDGE_CLASSES(X_ENUM) PL_COUNT };
#undef X_ENUM

typedef long (*syscall_fn)(u64, u64, u64, u64, u64, u64);

struct syscall_entry {
	const char *name;
	syscall_fn fn;
	u8 nargs;
	u8 pledge;
};

#define NR_SYSCALLS 2000
/* What abi_version (1900) answers; bumped when a native call changes incompatibly. */
#define GRANARY_ABI_VERSION 1

/* Every handler has the uniform signature; SYSCALL_DEFINEn gives it typed arguments. */
#define SYSCALL(nr, name, nargs, pledge) long sys_##name(u64, u64, u64, u64, u64, u64);
#include "../../kernel/sys/syscall_list.h"
#undef SYSCALL

#define __SYSCALL_HEAD(name) long sys_##name(u64 x1, u64 x2, u64 x3, u64 x4, u64 x5, u64 x6)

#define SYSCALL_DEFINE0(name)                                      \
	static long do_sys_##name(void);                           \
	__SYSCALL_HEAD(name) { return do_sys_##name(); }           \
	static long do_sys_##name(void)
#define SYSCALL_DEFINE1(name, t1, a1)                              \
	static long do_sys_##name(t1 a1);                          \
	__SYSCALL_HEAD(name) { return do_sys_##name((t1)x1); }     \
	static long do_sys_##name(t1 a1)
#define SYSCALL_DEFINE2(name, t1, a1, t2, a2)                          \
	static long do_sys_##name(t1 a1, t2 a2);                       \
	__SYSCALL_HEAD(name) { return do_sys_##name((t1)x1, (t2)x2); } \
	static long do_sys_##name(t1 a1, t2 a2)
#define SYSCALL_DEFINE3(name, t1, a1, t2, a2, t3, a3)                          \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3);                        \
	__SYSCALL_HEAD(name) { return do_sys_##name((t1)x1, (t2)x2, (t3)x3); } \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3)
#define SYSCALL_DEFINE4(name, t1, a1, t2, a2, t3, a3, t4, a4)                          \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4);                         \
	__SYSCALL_HEAD(name) { return do_sys_##name((t1)x1, (t2)x2, (t3)x3, (t4)x4); } \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4)
#define SYSCALL_DEFINE5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)                          \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5);                          \
	__SYSCALL_HEAD(name) { return do_sys_##name((t1)x1, (t2)x2, (t3)x3, (t4)x4, (t5)x5); } \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5)
#define SYSCALL_DEFINE6(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6)          \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6);           \
	__SYSCALL_HEAD(name)                                                           \
	{                                                                              \
		return do_sys_##name((t1)x1, (t2)x2, (t3)x3, (t4)x4, (t5)x5, (t6)x6); \
	}                                                                              \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6)

struct trap_frame;
/* From entry.S with interrupts enabled: runs the call in tf->rax and stores the result. */
void syscall_dispatch(struct trap_frame *tf);
/* The table entry for nr, or NULL (for tests and tracing). */
const struct syscall_entry *syscall_lookup(u64 nr);

#endif
