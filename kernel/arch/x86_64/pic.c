/* kernel/arch/x86_64/pic.c: the legacy 8259 PIC pair, remapped away from the exceptions and masked.
 * Granary routes interrupts through the IOAPIC; the PICs only need to be kept quiet. */
#include <granary/arch.h>
#include <granary/cpu.h>

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

void pic_disable(void)
{
	/* ICW1-4: cascade mode, vectors 0x20-0x2f, 8086 mode; then mask every line. */
	outb(PIC1_CMD, 0x11);
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, 0x20);
	outb(PIC2_DATA, 0x28);
	outb(PIC1_DATA, 4);
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 1);
	outb(PIC2_DATA, 1);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}
