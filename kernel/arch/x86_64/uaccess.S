/* kernel/arch/x86_64/uaccess.S: the instructions that touch user memory on the kernel's behalf.
 * Each faulting instruction has an __ex_table entry; the fault handler resumes at its fixup. */

#define EXTABLE(insn, fixup) \
	.pushsection __ex_table, "a"; .balign 8; .quad insn, fixup; .popsection

	.text
/* size_t uaccess_copy(void *dst, const void *src, size_t n): bytes NOT copied (0 on success). */
	.globl uaccess_copy
uaccess_copy:
	movq %rdx, %rcx
1:	rep movsb
	xorl %eax, %eax
	ret
2:	movq %rcx, %rax			/* rep movsb leaves the remaining count in rcx */
	ret
	EXTABLE(1b, 2b)

/* size_t uaccess_clear(void *dst, size_t n): bytes NOT cleared. */
	.globl uaccess_clear
uaccess_clear:
	movq %rsi, %rcx
	xorl %eax, %eax
1:	rep stosb
	ret
2:	movq %rcx, %rax
	ret
	EXTABLE(1b, 2b)

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
