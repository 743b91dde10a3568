/* kernel/arch/x86_64/switch.S: the context switch between two kernel stacks, and where new threads start.
 * Only callee-saved registers are switched: everything else was saved by the C caller of switch_to(). */

	.text
/* void switch_to(struct task *prev, struct task *next): task->ksp is at offset 0. */
	.globl switch_to
switch_to:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq (%rsi), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* A new kernel thread's first switch-in returns here with r12 = fn and r13 = arg
 * (laid out by kernel/sched/task.c); fn's return value becomes the exit code. */
	.globl kthread_trampoline
kthread_trampoline:
	call sched_task_start
	movq %r13, %rdi
	call *%r12
	movl %eax, %edi
	call kthread_exit
	ud2

/* void enter_user(struct trap_frame *tf): drops the current stack down to tf and returns
 * to user mode through it. */
	.globl enter_user
enter_user:
	movq %rdi, %rsp
	jmp trap_return

/* A forked task's first switch-in returns here, with its user frame just above. */
	.globl fork_trampoline
fork_trampoline:
	call sched_task_start
	jmp trap_return
