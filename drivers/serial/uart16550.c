/* drivers/serial/uart16550.c: the 16550 UART on COM1 as a polled console (115200 8N1).
 * Output only for now; the tty layer adds interrupt-driven input. */
#include <granary/cpu.h>
#include <granary/printk.h>
#include <granary/serial.h>
#include <granary/errno.h>
#include <granary/trap.h>

#define COM1 0x3f8
#define REG_DATA 0
#define REG_IER 1
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_SCRATCH 7
#define LSR_THRE 0x20
#define LCR_DLAB 0x80

static bool present;

static void putc_raw(char c)
{
	/* Bounded wait: a wedged UART must not hang printk forever. */
	for (int spins = 0; spins < 100000 && !(inb(COM1 + REG_LSR) & LSR_THRE); spins++)
		cpu_relax();
	outb(COM1 + REG_DATA, (u8)c);
}

static void serial_write(struct console *con, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			putc_raw('\r');
		putc_raw(s[i]);
	}
}

static struct console serial_console = { .name = "ttyS0", .write = serial_write };

void serial_init(void)
{
	/* A missing UART reads back 0xff; the scratch register tells. */
	outb(COM1 + REG_SCRATCH, 0x5a);
	if (inb(COM1 + REG_SCRATCH) != 0x5a)
		return;
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, LCR_DLAB);
	outb(COM1 + REG_DATA, 1); /* divisor 1: 115200 baud */
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, 0x03); /* 8N1 */
	outb(COM1 + REG_FCR, 0xc5); /* FIFOs on, transmit FIFO cleared (input kept), 14-byte threshold */
	outb(COM1 + REG_MCR, 0x03); /* DTR, RTS */
	present = true;
	if (console_enabled(serial_console.name))
		console_register(&serial_console);
}

bool serial_present(void)
{
	return present;
}

#define LSR_DATA_READY 0x01
#define IER_RX 0x01
#define MCR_OUT2 0x08 /* gates the UART's interrupt line on PCs */
#define COM1_IRQ 4

static void (*input_fn)(char c);

static void serial_irq(struct trap_frame *tf, void *arg)
{
	while (inb(COM1 + REG_LSR) & LSR_DATA_READY)
		input_fn((char)inb(COM1 + REG_DATA));
}

int serial_enable_input(void (*fn)(char c))
{
	int err;

	if (!present)
		return -ENODEV;
	input_fn = fn;
	err = irq_enable_line(COM1_IRQ, serial_irq, NULL);
	if (err)
		return err;
	/* FIFOs on with an interrupt for every byte (typing is interactive); not cleared, so
	 * what arrived before now is kept, and taken at once. */
	outb(COM1 + REG_FCR, 0x01);
	outb(COM1 + REG_MCR, 0x03 | MCR_OUT2);
	outb(COM1 + REG_IER, IER_RX);
	serial_irq(NULL, NULL);
	return 0;
}
