/* kernel/arch/x86_64/uaccess.S: the instructions that touch user memory on the kernel's behalf.
 * Each faulting instruction has an __ex_table entry; the fault handler resumes at its fixup. */

#define EXTABLE(insn, fixup) \
	.pushsection __ex_table, "a"; .balign 8; .quad insn, fixup; .popsection

	.text
/* size_t uaccess_copy(void *dst, const void *src, size_t n): bytes NOT copied (0 on success).
 * Eight bytes a step, then the n % 8 tail; a rep string leaves the steps still to do in rcx. */
	.globl uaccess_copy
uaccess_copy:
	movq %rdx, %rcx
	shrq $3, %rcx
	andl $7, %edx
1:	rep movsq
	movl %edx, %ecx
2:	rep movsb
	xorl %eax, %eax
	ret
3:	leaq (%rdx,%rcx,8), %rax	/* faulted in the quadwords: they and the tail are left */
	ret
4:	movq %rcx, %rax
	ret
	EXTABLE(1b, 3b)
	EXTABLE(2b, 4b)

/* size_t uaccess_clear(void *dst, size_t n): bytes NOT cleared. */
	.globl uaccess_clear
uaccess_clear:
	movq %rsi, %rcx
	shrq $3, %rcx
	andl $7, %esi
	xorl %eax, %eax
1:	rep stosq
	movl %esi, %ecx
2:	rep stosb
	ret
3:	leaq (%rsi,%rcx,8), %rax
	ret
4:	movq %rcx, %rax
	ret
	EXTABLE(1b, 3b)
	EXTABLE(2b, 4b)

/* long uaccess_strncpy(char *dst, const char *src, long n): the string's length if its NUL
 * came within n bytes (NUL copied), n if not (no NUL written), -14 (-EFAULT) on a fault. */
	.globl uaccess_strncpy
uaccess_strncpy:
	xorl %eax, %eax
1:	cmpq %rdx, %rax
	jae 3f
2:	movb (%rsi,%rax), %cl
	movb %cl, (%rdi,%rax)
	testb %cl, %cl
	jz 3f
	incq %rax
	jmp 1b
3:	ret
4:	movq $-14, %rax
	ret
	EXTABLE(2b, 4b)
