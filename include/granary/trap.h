/* include/granary/trap.h: the saved register frame of an exception or interrupt, and IRQ handlers.
 * kernel/arch/x86_64/isr.S builds the frame; trap_dispatch() routes it. */
#ifndef GRANARY_TRAP_H
#define GRANARY_TRAP_H

#include <granary/types.h>

/* Layout fixed by isr.S: general registers pushed by the stub, then the vector
 * and error code, then what the CPU pushed. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

/* Exception vectors. */
#define X86_TRAP_DE 0
#define X86_TRAP_DB 1
#define X86_TRAP_NMI 2
#define X86_TRAP_BP 3
#define X86_TRAP_OF 4
#define X86_TRAP_BR 5
#define X86_TRAP_UD 6
#define X86_TRAP_NM 7
#define X86_TRAP_DF 8
#define X86_TRAP_TS 10
#define X86_TRAP_NP 11
#define X86_TRAP_SS 12
#define X86_TRAP_GP 13
#define X86_TRAP_PF 14
#define X86_TRAP_MF 16
#define X86_TRAP_AC 17
#define X86_TRAP_MC 18
#define X86_TRAP_XM 19
#define X86_TRAP_VE 20
#define X86_TRAP_CP 21

/* Page-fault error code bits. */
#define PF_PRESENT (1u << 0)
#define PF_WRITE (1u << 1)
#define PF_USER (1u << 2)
#define PF_RSVD (1u << 3)
#define PF_INSTR (1u << 4)

/* Interrupt vectors above the exceptions. */
#define IRQ_VECTOR_BASE 0x30 /* IOAPIC pin n arrives on IRQ_VECTOR_BASE + n */
#define LAPIC_TIMER_VECTOR 0xef
#define SPURIOUS_VECTOR 0xff

/* Short mnemonic ("#PF") and long name of an exception vector, or "IRQ". */
const char *trap_name(unsigned vector);
const char *trap_mnemonic(unsigned vector);

/* What happened, for reports: the exception's name, or what it means (a stack overflow). */
const char *trap_reason(const struct trap_frame *tf);

/* Called from isr.S with interrupts off. */
void trap_dispatch(struct trap_frame *tf);

typedef void (*irq_handler_fn)(struct trap_frame *tf, void *arg);
/* Installs the handler for an interrupt vector (>= 32). Returns -EBUSY if taken, -EINVAL if out of range. */
int irq_register(unsigned vector, irq_handler_fn fn, void *arg);
/* Routes ISA interrupt line irq through the IOAPIC to IRQ_VECTOR_BASE + irq and unmasks it. */
int irq_enable_line(unsigned irq, irq_handler_fn fn, void *arg);

/* Count of interrupts taken per vector since boot (for /proc/interrupts later). */
u64 irq_count(unsigned vector);

#endif
