/* kernel/arch/x86_64/boot.S: multiboot2 header and the 32-bit entry that enters long mode.
 * Maps the first GiB twice (identity and at 0xffffffff80000000) and jumps to kmain in the higher half. */

#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define PG_P 0x1
#define PG_W 0x2
#define PG_PS 0x80

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Module alignment: boot modules start on page boundaries. */
	.balign 8
	.short 6, 0
	.long 8
#ifdef CONFIG_CONSOLE_FB
	/* Ask for a linear framebuffer (the console draws into it). */
	.balign 8
	.short 5, 0
	.long 20
	.long 1024, 768, 32
#endif
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	movl $boot_stack32_top, %esp
	movl %eax, %edi			/* multiboot2 magic, checked by kmain */
	movl %ebx, %esi			/* physical address of the multiboot2 information */

	/* Long mode and NX are required. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz no_long_mode
	testl $(1 << 20), %edx
	jz no_long_mode

	/* Clear the boot page tables (4 pages). */
	movl $boot_pml4, %edx
	xorl %eax, %eax
	movl $(4 * 1024), %ecx		/* 4 pages of 1024 longs (no "/": x86_64-elf-as reads it as a comment) */
	push %edi
	movl %edx, %edi
	rep stosl
	pop %edi

	/* PML4[0] -> pdpt_lo, PML4[511] -> pdpt_hi; both reach one page directory of 2 MiB pages. */
	movl $(boot_pdpt_lo + PG_P + PG_W), boot_pml4
	movl $(boot_pdpt_hi + PG_P + PG_W), boot_pml4 + 511 * 8
	movl $(boot_pd + PG_P + PG_W), boot_pdpt_lo
	movl $(boot_pd + PG_P + PG_W), boot_pdpt_hi + 510 * 8
	movl $boot_pd, %edx
	movl $(PG_P + PG_W + PG_PS), %eax
	movl $512, %ecx
1:	movl %eax, (%edx)
	addl $0x200000, %eax
	addl $8, %edx
	loop 1b

	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER: long mode and no-execute */
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax		/* PG, WP, PE */
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $boot_long_mode

no_long_mode:
	movl $no_lm_msg, %esi
1:	lodsb
	testb %al, %al
	jz 2f
	movw $0x3f8, %dx
	outb %al, %dx
	jmp 1b
2:	cli
	hlt
	jmp 2b

	.code64
boot_long_mode:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movabsq $start64, %rax
	jmp *%rax

	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_ptr:
	.short boot_gdt_ptr - boot_gdt - 1
	.long boot_gdt

no_lm_msg:
	.asciz "Granary: this CPU lacks long mode or NX; cannot boot.\r\n"

	.section .boot.bss, "aw", @nobits
	.balign 4096
boot_pml4:	.skip 4096
boot_pdpt_lo:	.skip 4096
boot_pdpt_hi:	.skip 4096
boot_pd:	.skip 4096
	.skip 1024
boot_stack32_top:

	.section .text.entry, "ax"
	.globl start64
start64:
	movl %edi, %r12d
	movl %esi, %r13d
	/* Zero .bss before anything in C can rely on it. */
	movabsq $__bss_start, %rdi
	movabsq $__bss_end, %rcx
	subq %rdi, %rcx
	shrq $3, %rcx
	xorl %eax, %eax
	rep stosq
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl %r12d, %edi
	movl %r13d, %esi
	call kmain
1:	cli
	hlt
	jmp 1b

	/* The boot CPU's kernel stack; paging leaves the guard page below it unmapped. */
	.section .bss.stack, "aw", @nobits
	.balign 4096
	.globl boot_stack_guard, boot_stack, boot_stack_top
boot_stack_guard:
	.skip 4096
boot_stack:
	.skip 16384
boot_stack_top:
