/* kernel/arch/x86_64/gdt.c: the GDT, the TSS with IST stacks for #DF/NMI/#MC, and the SYSCALL MSRs.
 * Segment layout is what SYSCALL/SYSRET need: kernel code/data, then user code32/data/code64. */
#include <granary/arch.h>
#include <granary/cpu.h>
#include <granary/string.h>

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

#define IST_STACK_SIZE 8192

/* IST stacks get a guard page each below them (see paging_init). */
static u8 ist_stacks[IST_COUNT][IST_STACK_SIZE + PAGE_SIZE] __aligned(PAGE_SIZE) __section(".bss.stack");
static struct tss tss __aligned(16);
static u64 gdt[GDT_ENTRIES] __aligned(16);

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

#define SEG_CODE64_KERNEL 0x00af9a000000ffffULL
#define SEG_DATA_KERNEL 0x00cf92000000ffffULL
#define SEG_CODE32_USER 0x00cffa000000ffffULL
#define SEG_DATA_USER 0x00cff2000000ffffULL
#define SEG_CODE64_USER 0x00affa000000ffffULL

unsigned long gdt_ist_guard(unsigned i)
{
	return (unsigned long)ist_stacks[i];
}

void gdt_set_kernel_stack(u64 rsp0)
{
	tss.rsp[0] = rsp0;
}

void gdt_init(void)
{
	u64 base = (u64)&tss, limit = sizeof(tss) - 1;
	struct desc_ptr p = { sizeof(gdt) - 1, (u64)gdt };

	gdt[GDT_KERNEL_CS / 8] = SEG_CODE64_KERNEL;
	gdt[GDT_KERNEL_DS / 8] = SEG_DATA_KERNEL;
	gdt[GDT_USER_CS32 / 8] = SEG_CODE32_USER;
	gdt[GDT_USER_DS / 8] = SEG_DATA_USER;
	gdt[GDT_USER_CS / 8] = SEG_CODE64_USER;
	/* 64-bit TSS descriptor: two slots, type 9 (available TSS), present. */
	gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
			   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;

	for (unsigned i = 0; i < IST_COUNT; i++)
		tss.ist[i] = (u64)&ist_stacks[i][IST_STACK_SIZE + PAGE_SIZE];
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */

	__asm__ __volatile__("lgdt %0\n\t"
			     "pushq %1\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "movw %w2, %%ds\n\t"
			     "movw %w2, %%es\n\t"
			     "movw %w2, %%ss\n\t"
			     "xorl %%eax, %%eax\n\t"
			     "movw %%ax, %%fs\n\t"
			     "movw %%ax, %%gs\n\t"
			     "ltr %w3"
			     :
			     : "m"(p), "i"(GDT_KERNEL_CS), "r"(GDT_KERNEL_DS), "r"(GDT_TSS)
			     : "rax", "memory");
}

void syscall_msr_init(void)
{
	extern char syscall_entry[];

	/* SYSCALL loads CS from STAR[47:32] (SS = +8); SYSRET loads CS from STAR[63:48] + 16
	 * and SS from + 8: user code32 is the base, so user data and code64 follow it. */
	wrmsr(MSR_STAR, ((u64)(GDT_USER_CS32 | 3) << 48) | ((u64)GDT_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (u64)syscall_entry);
	/* Cleared on entry: IF (until the stack is switched), TF, DF, AC, NT. */
	wrmsr(MSR_FMASK, (1u << 9) | (1u << 8) | (1u << 10) | (1u << 18) | (1u << 14));
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}
