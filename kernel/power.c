/* kernel/power.c: ending the machine: poweroff with a status, reboot, halt.
 * Under QEMU, isa-debug-exit (port 0xf4) turns the status into QEMU's exit code as (status << 1) | 1. */
#include <granary/cpu.h>
#include <granary/kernel.h>

#define DEBUG_EXIT_PORT 0xf4
#define QEMU_ACPI_PM1A_CNT 0x604
#define ACPI_SLP_S5 0x2000
#define KBC_CMD 0x64

void machine_halt(void)
{
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

void machine_poweroff(int status)
{
	irq_disable();
	pr_notice("power off (status %d)\n", status);
	outl(DEBUG_EXIT_PORT, (u32)status);
	/* Not under QEMU's debug-exit device: try ACPI S5 as QEMU's PIIX4 implements it. */
	outw(QEMU_ACPI_PM1A_CNT, ACPI_SLP_S5);
	pr_emerg("power off failed; halting\n");
	machine_halt();
}

void machine_reboot(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed empty_idt = { 0, 0 };

	irq_disable();
	outb(KBC_CMD, 0xfe); /* pulse the reset line through the keyboard controller */
	/* Failing that, a triple fault resets the CPU. */
	__asm__ __volatile__("lidt %0; int3" : : "m"(empty_idt));
	machine_halt();
}
