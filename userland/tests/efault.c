/* userland/tests/efault.c: system calls given pointers the caller may not use (kernel addresses,
 * non-canonical addresses, the unmapped page 0, a range running off the top of user space) fail
 * with EFAULT, and the kernel survives. Raw syscall() is used where musl would touch the
 * pointer itself (vDSO clock_gettime, sigaction's copy). */
#include "tap.h"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>

#define KPTR ((void *)0xffffffff80000000UL)	/* the kernel image */
#define NONCANON ((void *)0x0000800000000000UL) /* just past user space: non-canonical */
#define NULLPTR ((void *)(unsigned long)0)
#define USER_END_MINUS_1K ((void *)0x00007ffffffffc00UL)

int main(int argc, char **argv)
{
	int p[2], st;
	pid_t pid;

	(void)argc;
	tap_init(argv, 14);
	TAP_ERRNO(write(1, KPTR, 16), EFAULT, "write from a kernel address: EFAULT");
	TAP_ERRNO(write(1, NONCANON, 16), EFAULT, "write from a non-canonical address: EFAULT");
	TAP_ERRNO(write(1, NULLPTR, 16), EFAULT, "write from address 0: EFAULT");
	TAP_ERRNO(write(1, USER_END_MINUS_1K, 4096), EFAULT,
		  "write of a range running past the top of user space: EFAULT");
	if (pipe(p) == 0) {
		write(p[1], "0123456789abcdef0123456789abcdef", 32);
		TAP_ERRNO(read(p[0], KPTR, 16), EFAULT, "read into a kernel address: EFAULT");
		TAP_ERRNO(read(p[0], NONCANON, 16), EFAULT,
			  "read into a non-canonical address: EFAULT");
		close(p[0]);
		close(p[1]);
	} else {
		tap_blocked("read into a kernel address: EFAULT (pipe failed)");
		tap_blocked("read into a non-canonical address: EFAULT (pipe failed)");
	}
	TAP_ERRNO(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, KPTR), EFAULT,
		  "clock_gettime into a kernel address: EFAULT");
	TAP_ERRNO(syscall(SYS_nanosleep, KPTR, NULL), EFAULT,
		  "nanosleep from a kernel address: EFAULT");
	TAP_ERRNO(uname(KPTR), EFAULT, "uname into a kernel address: EFAULT");
	TAP_ERRNO(pipe(KPTR), EFAULT, "pipe into a kernel address: EFAULT");
	TAP_ERRNO(syscall(SYS_rt_sigaction, SIGUSR1, KPTR, NULL, 8), EFAULT,
		  "rt_sigaction from a kernel address: EFAULT");
	TAP_ERRNO(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NONCANON, NULL, 8), EFAULT,
		  "rt_sigprocmask from a non-canonical address: EFAULT");
	TAP_ERRNO(syscall(SYS_execve, "/bin/true", KPTR, NULL), EFAULT,
		  "execve with argv in the kernel: EFAULT");
	pid = fork();
	if (pid == 0)
		_exit(3);
	if (pid > 0) {
		TAP_ERRNO(wait4(pid, KPTR, 0, NULL), EFAULT,
			  "wait4 storing the status into the kernel: EFAULT");
		waitpid(pid, &st, WNOHANG); /* reap it if the failed call did not */
	} else {
		tap_blocked("wait4 storing the status into the kernel: EFAULT (fork failed)");
	}
	return tap_done();
}
