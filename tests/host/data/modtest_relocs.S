/* tests/host/data/modtest_relocs.S: the second object of modtest.ko: one relocation of each type
 * the loader supports, at fixed offsets from modtest_relocs, so test_modelf can check exact values. */
	.section .rodata.relocs, "a", @progbits
	.balign 8
	.globl modtest_relocs
modtest_relocs:
	.reloc ., R_X86_64_64, ext_func + 5		/* +0 */
	.quad 0
	.reloc ., R_X86_64_32, ext_small + 8		/* +8 */
	.long 0
	.reloc ., R_X86_64_32S, modtest_value - 4	/* +12 */
	.long 0
	.reloc ., R_X86_64_PC32, ext_func - 4		/* +16 */
	.long 0
	.reloc ., R_X86_64_PLT32, ext_func - 4	/* +20 */
	.long 0
	.reloc ., R_X86_64_PC64, modtest_relocs + 3	/* +24 */
	.quad 0
	.reloc ., R_X86_64_NONE			/* +32: left as assembled */
	.long 0x11223344
	.long 0

	.section .note.GNU-stack, "", @progbits
