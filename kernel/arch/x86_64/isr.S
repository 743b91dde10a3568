/* kernel/arch/x86_64/isr.S: the 256 interrupt stubs, which build a struct trap_frame, and trap_return,
 * which pops one and irets (also how new tasks first enter user mode). Syscalls: entry.S. */

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.text
	.balign 16
	.globl isr_stubs
isr_stubs:
	vec = 0
	.rept 256
	.balign 16
	.if !HAS_ERROR(vec)
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	vec = vec + 1
	.endr

isr_common:
	/* From user mode, GS must become the kernel's (per-CPU data) first. */
	testb $3, 24(%rsp)
	jz 1f
	swapgs
1:	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call trap_dispatch
	.globl trap_return
trap_return:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp			/* vector and error code */
	testb $3, 8(%rsp)
	jz 2f
	swapgs
2:	iretq
