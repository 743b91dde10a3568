/* kernel/arch/x86_64/fpu.c: x87/SSE state for user tasks, saved and restored with FXSAVE on every switch.
 * The kernel itself never touches these registers (-mgeneral-regs-only); AVX stays off (no XSAVE yet). */
#include <granary/arch.h>
#include <granary/cpu.h>
#include <granary/slab.h>
#include <granary/string.h>

#define CR0_MP (1UL << 1)
#define CR0_EM (1UL << 2)
#define CR0_TS (1UL << 3)
#define CR0_NE (1UL << 5)
#define CR4_OSFXSR (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)

/* The state a new program starts with: FNINIT's, with MXCSR at its reset value. */
static u8 initial_state[FPU_STATE_SIZE] __aligned(16);

void fpu_init(void)
{
	u32 mxcsr = 0x1f80;

	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	__asm__ __volatile__("fninit; ldmxcsr %0" : : "m"(mxcsr));
	fpu_save(initial_state);
}

const void *fpu_initial_state(void)
{
	return initial_state;
}

void *fpu_alloc(void)
{
	/* kmalloc aligns power-of-two sizes to themselves: 512 bytes, 512-aligned. */
	void *s = kmalloc(FPU_STATE_SIZE, 0);

	if (s)
		memcpy(s, initial_state, FPU_STATE_SIZE);
	return s;
}

void fpu_save(void *state)
{
	__asm__ __volatile__("fxsave64 (%0)" : : "r"(state) : "memory");
}

void fpu_restore(const void *state)
{
	__asm__ __volatile__("fxrstor64 (%0)" : : "r"(state) : "memory");
}
