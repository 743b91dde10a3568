/* kernel/arch/x86_64/setjmp.S: ksetjmp/klongjmp (layout of struct kjmp_buf in setjmp.h), and
 * call_on_stack() to run a function on another stack. Used by ktest and, later, the scheduler. */

	.text
	.globl ksetjmp
ksetjmp:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax		/* the caller's stack pointer after return */
	movq %rax, 48(%rdi)
	movq (%rsp), %rax		/* the return address */
	movq %rax, 56(%rdi)
	pushfq
	popq 64(%rdi)
	xorl %eax, %eax
	ret

	.globl klongjmp
klongjmp:
	movl %esi, %eax
	testl %eax, %eax
	jnz 1f
	incl %eax
1:	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	movq 48(%rdi), %rsp
	pushq 64(%rdi)
	popfq
	jmpq *56(%rdi)

/* void call_on_stack(void (*fn)(void *), void *arg, void *stack_top): runs fn(arg) on
 * another stack and returns to the caller's. */
	.globl call_on_stack
call_on_stack:
	pushq %rbp
	movq %rsp, %rbp
	movq %rdx, %rsp
	movq %rdi, %rax
	movq %rsi, %rdi
	callq *%rax
	movq %rbp, %rsp
	popq %rbp
	ret
