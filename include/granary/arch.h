/* include/granary/arch.h: the x86_64 arch layer's interface: descriptor tables, interrupt controllers.
 * Implemented under kernel/arch/x86_64/; the rest of the kernel calls only what is declared here. */
#ifndef GRANARY_ARCH_H
#define GRANARY_ARCH_H

#include <granary/compiler.h>
#include <granary/types.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)

#include <granary/segments.h>

/* Interrupt stack table slots (1-based in the IDT, 0-based in the TSS array). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3
#define IST_COUNT 3

/* Loads the GDT and the TSS with its IST stacks. */
void gdt_init(void);
/* Points SYSCALL at syscall_entry (entry.S) with the kernel and user segments. */
void syscall_msr_init(void);
/* Sets the stack the CPU switches to on an interrupt from user mode. */
void gdt_set_kernel_stack(u64 rsp0);
/* Address of the guard page below IST stack i (0-based), for paging to leave unmapped. */
unsigned long gdt_ist_guard(unsigned i);

/* x87/SSE state (FXSAVE format, 512 bytes, 16-byte aligned) of user tasks. */
#define FPU_STATE_SIZE 512
/* Enables FXSAVE/SSE for user code and records the initial state. */
void fpu_init(void);
/* A new state buffer holding the initial state; NULL when out of memory (kfree() it). */
void *fpu_alloc(void);
void fpu_save(void *state);
/* The state a new program (or a signal handler) starts with. */
const void *fpu_initial_state(void);
void fpu_restore(const void *state);

/* Fills and loads the IDT: every vector has a stub; NMI, #DF and #MC use IST stacks. */
void idt_init(void);

/* Finds the MADT through the RSDP and records LAPIC/IOAPIC addresses and ISA overrides.
 * Returns 0, or -ENODEV when there is no usable ACPI (defaults are then used). */
int acpi_init(void);
/* Physical addresses and routing that acpi_init() found (or the PC defaults). */
struct acpi_info {
	u64 lapic_phys;
	u64 ioapic_phys;
	u32 ioapic_gsi_base;
	u32 isa_gsi[16];   /* ISA IRQ -> global system interrupt */
	u16 isa_flags[16]; /* MPS INTI flags: polarity and trigger */
	unsigned cpu_count;
	bool found;
};
extern struct acpi_info acpi_info;

/* Remaps and masks the legacy 8259 PICs so they never deliver. */
void pic_disable(void);

void lapic_init(void);
void lapic_eoi(void);
u32 lapic_id(void);
/* Starts the periodic timer at hz on LAPIC_TIMER_VECTOR, calibrated against the PIT. */
void lapic_timer_start(unsigned hz);

void ioapic_init(void);
/* Routes global system interrupt gsi to vector with the given MPS flags, unmasked. */
void ioapic_route(u32 gsi, u8 vector, u16 flags);
void ioapic_mask(u32 gsi, bool masked);

/* PIT channel 2 one-shot used to calibrate the TSC and the LAPIC timer: waits ms
 * milliseconds by polling and returns the TSC cycles that elapsed. */
u64 pit_wait_ms(unsigned ms, void (*at_start)(void), void (*at_end)(void));

#endif
