/* include/granary/cpu.h: x86_64 instructions the rest of the kernel needs as inline functions.
 * Port I/O, MSRs, control registers, interrupt flag, TSC, CPUID. No state lives here. */
#ifndef GRANARY_CPU_H
#define GRANARY_CPU_H

#include <granary/types.h>

static inline void outb(u16 port, u8 v) { __asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ __volatile__("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u16 inw(u16 port)
{
	u16 v;
	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u32 inl(u16 port)
{
	u32 v;
	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

#define DEFINE_CR(n)                                                                      \
	static inline u64 read_cr##n(void)                                                \
	{                                                                                 \
		u64 v;                                                                    \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));                     \
		return v;                                                                 \
	}                                                                                 \
	static inline void write_cr##n(u64 v) { __asm__ __volatile__("mov %0, %%cr" #n : : "r"(v) : "memory"); }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void invlpg(unsigned long va) { __asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory"); }

#define X86_RFLAGS_IF (1UL << 9)

#ifdef HOST_TEST
/* Host unit tests run kernel code in user mode, where cli/sti would fault. */
static inline unsigned long read_rflags(void) { return X86_RFLAGS_IF; }
static inline void irq_disable(void) {}
static inline void irq_enable(void) {}
#else
static inline unsigned long read_rflags(void)
{
	unsigned long f;
	__asm__ __volatile__("pushfq; popq %0" : "=r"(f));
	return f;
}
static inline void irq_disable(void) { __asm__ __volatile__("cli" ::: "memory"); }
static inline void irq_enable(void) { __asm__ __volatile__("sti" ::: "memory"); }
#endif
/* Disables interrupts and returns the previous flags for irq_restore(). */
static inline unsigned long irq_save(void)
{
	unsigned long f = read_rflags();
	irq_disable();
	return f;
}
static inline void irq_restore(unsigned long flags)
{
	if (flags & X86_RFLAGS_IF)
		irq_enable();
}
static inline void cpu_relax(void) { __asm__ __volatile__("pause" ::: "memory"); }
static inline void cpu_halt(void) { __asm__ __volatile__("hlt" ::: "memory"); }

/* MSRs used by the kernel. */
#define MSR_APIC_BASE 0x1b
#define MSR_PAT 0x277
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define MSR_EFER 0xc0000080
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define EFER_SCE (1UL << 0)
#define EFER_LME (1UL << 8)
#define EFER_NXE (1UL << 11)

#define CR0_WP (1UL << 16)
#define CR4_PGE (1UL << 7)
#define CR4_SMEP (1UL << 20)

#endif
