/* include/uapi/signal.h: signal numbers, sigaction flags and the signal frame layout of Linux x86_64.
 * musl's and glibc's handlers and sigreturn depend on these exact layouts. */
#ifndef UAPI_SIGNAL_H
#define UAPI_SIGNAL_H

#include <granary/types.h>

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31
#define NSIG 64

#define SIG_DFL 0UL
#define SIG_IGN 1UL

#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO 0x00000004
#define SA_RESTORER 0x04000000
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048

/* si_code values */
#define SI_USER 0
#define SI_TKILL (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define ILL_ILLOPN 2
#define FPE_INTDIV 1
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

/* The kernel's struct sigaction (not libc's): handler, flags, restorer, mask. */
struct k_sigaction {
	u64 handler;
	u64 flags;
	u64 restorer;
	u64 mask;
};

struct k_siginfo {
	s32 signo, errno_, code, pad;
	union {
		struct {
			s32 pid;
			u32 uid;
			s32 status; /* SIGCHLD */
		} proc;
		u64 addr; /* SIGSEGV, SIGBUS, SIGILL, SIGFPE */
		u8 bytes[112];
	};
};

struct k_stack {
	u64 sp;
	s32 flags, pad;
	u64 size;
};

/* uc_mcontext: what glibc calls gregs[23], fpregs, __reserved1[8]. */
struct k_sigcontext {
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	u16 cs, gs, fs, ss;
	u64 err, trapno, oldmask, cr2;
	u64 fpstate; /* user address of the FXSAVE image */
	u64 reserved1[8];
};

struct k_ucontext {
	u64 flags;
	u64 link;
	struct k_stack stack;
	struct k_sigcontext mcontext;
	u64 sigmask;
};

/* What the kernel pushes for a handler; the handler returns into pretcode (sa_restorer),
 * which calls rt_sigreturn. The FXSAVE image sits above it, 64-byte aligned. */
struct k_rt_sigframe {
	u64 pretcode;
	struct k_ucontext uc;
	struct k_siginfo info;
};

#endif
