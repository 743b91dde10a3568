/* kernel/arch/x86_64/pit.c: the 8254 PIT as a calibration reference (channel 2, polled, no IRQ).
 * Used once at boot to measure the TSC and LAPIC timer frequencies. */
#include <granary/arch.h>
#include <granary/cpu.h>

#define PIT_HZ 1193182
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B 0x61

u64 pit_wait_ms(unsigned ms, void (*at_start)(void), void (*at_end)(void))
{
	u32 count = PIT_HZ * ms / 1000;
	u64 t0, t1;

	/* Gate channel 2 on, speaker off; mode 0 (interrupt on terminal count). */
	outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);
	outb(PIT_CMD, 0xb0);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	/* Restart the count by toggling the gate. */
	outb(PORT_B, inb(PORT_B) & ~0x01);
	outb(PORT_B, inb(PORT_B) | 0x01);
	if (at_start)
		at_start();
	t0 = rdtsc();
	while (!(inb(PORT_B) & 0x20))
		cpu_relax();
	t1 = rdtsc();
	if (at_end)
		at_end();
	return t1 - t0;
}
