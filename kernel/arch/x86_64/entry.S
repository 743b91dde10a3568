/* kernel/arch/x86_64/entry.S: the SYSCALL entry point and its SYSRET/IRET return path.
 * Builds the same struct trap_frame as an interrupt (vector SYSCALL_VECTOR, error = the number). */

#include "frame.h"

#include <granary/segments.h>

#define PERCPU_KERNEL_RSP 16
#define PERCPU_USER_RSP 24
#define SYSCALL_VECTOR 0x100

/* struct trap_frame offsets */
#define TF_R11 32
#define TF_RCX 96
#define TF_RIP 136
#define TF_RFLAGS 152
#define TF_RSP 160

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:PERCPU_USER_RSP
	movq %gs:PERCPU_KERNEL_RSP, %rsp
	pushq $(GDT_USER_DS | 3)	/* ss */
	pushq %gs:PERCPU_USER_RSP	/* rsp */
	pushq %r11			/* rflags, as SYSCALL saved them */
	pushq $(GDT_USER_CS | 3)	/* cs */
	pushq %rcx			/* rip */
	pushq %rax			/* error: the syscall number, kept for restarts */
	pushq $SYSCALL_VECTOR
	PUSH_REGS
	sti
	cld
	movq %rsp, %rdi
	call syscall_dispatch
	cli
	/* SYSRET reloads rip from rcx and rflags from r11: usable only when the frame still
	 * says so (sigreturn and exec change them) and rip is a canonical user address. */
	movq TF_RIP(%rsp), %rcx
	cmpq TF_RCX(%rsp), %rcx
	jne 1f
	movq TF_RFLAGS(%rsp), %r11
	cmpq TF_R11(%rsp), %r11
	jne 1f
	btq $47, %rcx
	jc 1f
	shrq $48, %rcx
	jnz 1f
	POP_REGS
	movq 40(%rsp), %rsp		/* the user stack, last */
	swapgs
	sysretq
1:	jmp trap_return			/* the general path: iretq */
