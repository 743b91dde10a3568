/* kernel/arch/x86_64/idt.c: the interrupt descriptor table.
 * Every vector points at its stub in isr.S; NMI, #DF and #MC switch to IST stacks. */
#include <granary/arch.h>
#include <granary/trap.h>

struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define GATE_USER 0x60	    /* DPL 3: reachable with int from user mode */

extern const char isr_stubs[];
#define STUB_SIZE 16

static struct idt_gate idt[256] __aligned(16);

static void set_gate(unsigned vec, unsigned ist, u8 attr)
{
	u64 addr = (u64)(isr_stubs + vec * STUB_SIZE);

	idt[vec] = (struct idt_gate){
		.offset_lo = addr & 0xffff,
		.selector = GDT_KERNEL_CS,
		.ist = ist,
		.type_attr = attr,
		.offset_mid = (addr >> 16) & 0xffff,
		.offset_hi = addr >> 32,
	};
}

void idt_init(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed p = { sizeof(idt) - 1, (u64)idt };

	for (unsigned v = 0; v < 256; v++)
		set_gate(v, 0, GATE_INTERRUPT);
	set_gate(X86_TRAP_NMI, IST_NMI, GATE_INTERRUPT);
	set_gate(X86_TRAP_DF, IST_DOUBLE_FAULT, GATE_INTERRUPT);
	set_gate(X86_TRAP_MC, IST_MACHINE_CHECK, GATE_INTERRUPT);
	/* int3 and into may be used from user mode (debuggers). */
	set_gate(X86_TRAP_BP, 0, GATE_INTERRUPT | GATE_USER);
	set_gate(X86_TRAP_OF, 0, GATE_INTERRUPT | GATE_USER);
	__asm__ __volatile__("lidt %0" : : "m"(p));
}
