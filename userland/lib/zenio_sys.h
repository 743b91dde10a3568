/* userland/lib/zenio_sys.h: the raw system-call instruction for libgranary's io* calls (internal).
 * Not musl's syscall(): that turns -errno into -1 and errno, and io* returns the kernel's -errno. */
#ifndef ZENIO_SYS_H
#define ZENIO_SYS_H

#include <sys/syscall.h>

/* Linux x86_64 convention: number in rax, arguments in rdi rsi rdx r10; the instruction
 * clobbers rcx (return address) and r11 (flags). Returns the kernel's value, -4095..-1 on error. */
static inline long zenio_syscall(long nr, long a1, long a2, long a3, long a4)
{
	register long r10 __asm__("r10") = a4;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

#define zenio_sys1(nr, a) zenio_syscall((nr), (long)(a), 0, 0, 0)
#define zenio_sys2(nr, a, b) zenio_syscall((nr), (long)(a), (long)(b), 0, 0)
#define zenio_sys3(nr, a, b, c) zenio_syscall((nr), (long)(a), (long)(b), (long)(c), 0)
#define zenio_sys4(nr, a, b, c, d) zenio_syscall((nr), (long)(a), (long)(b), (long)(c), (long)(d))

#endif
