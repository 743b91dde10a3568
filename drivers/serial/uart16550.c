/* drivers/serial/uart16550.c: 16550 UARTs on COM1/COM2: the polled printk console (COM1) and the ttyS* ttys.
 * Output is polled; input comes by interrupt into the tty core. No modem lines or break detection. */
#include <granary/cpu.h>
#include <granary/device.h>
#include <granary/errno.h>
#include <granary/printk.h>
#include <granary/serial.h>
#include <granary/trap.h>
#include <granary/tty.h>

#define REG_DATA 0
#define REG_IER 1
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_SCRATCH 7
#define LSR_DATA_READY 0x01
#define LSR_THRE 0x20
#define LCR_DLAB 0x80
#define IER_RX 0x01
#define MCR_DTR_RTS 0x03
#define MCR_OUT2 0x08 /* gates the UART's interrupt line on PCs */
#define FCR_ENABLE 0x01
#define BASE_CLOCK 115200

#define EARLY_MAX 16 /* a 16550's receive FIFO */

struct uart {
	u16 base;
	u8 irq;
	bool present;
	struct tty *tty;
	/* Bytes that arrived before the FIFOs were switched on (which clears them), kept for the tty. */
	char early[EARLY_MAX];
	unsigned nearly;
};

static struct uart ports[2] = { { .base = 0x3f8, .irq = 4 }, { .base = 0x2f8, .irq = 3 } };

static void putc_raw(const struct uart *u, char c)
{
	/* Bounded wait: a wedged UART must not hang printk forever. */
	for (int spins = 0; spins < 100000 && !(inb(u->base + REG_LSR) & LSR_THRE); spins++)
		cpu_relax();
	outb(u->base + REG_DATA, (u8)c);
}

static void serial_write(struct console *con, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			putc_raw(&ports[0], '\r');
		putc_raw(&ports[0], s[i]);
	}
}

static struct console serial_console = { .name = "ttyS0", .write = serial_write };

static void set_line(const struct uart *u, unsigned divisor, u8 lcr)
{
	outb(u->base + REG_LCR, LCR_DLAB);
	outb(u->base + REG_DATA, (u8)divisor);
	outb(u->base + REG_IER, (u8)(divisor >> 8));
	outb(u->base + REG_LCR, lcr);
}

/* Finds and programs one UART: 115200 8N1, FIFOs on, interrupts off. */
static bool probe(struct uart *u)
{
	/* A missing UART reads back 0xff; the scratch register tells. */
	outb(u->base + REG_SCRATCH, 0x5a);
	if (inb(u->base + REG_SCRATCH) != 0x5a)
		return false;
	outb(u->base + REG_IER, 0);
	/* Switching the FIFOs on clears them: keep what was typed already. */
	while (u->nearly < EARLY_MAX && (inb(u->base + REG_LSR) & LSR_DATA_READY))
		u->early[u->nearly++] = (char)inb(u->base + REG_DATA);
	set_line(u, 1, 0x03);
	outb(u->base + REG_FCR, 0xc5); /* FIFOs on, transmit FIFO cleared, 14-byte threshold */
	outb(u->base + REG_MCR, MCR_DTR_RTS);
	u->present = true;
	return true;
}

void serial_init(void)
{
	if (probe(&ports[0]) && console_enabled(serial_console.name))
		console_register(&serial_console);
}

bool serial_present(void)
{
	return ports[0].present;
}

static void uart_irq(struct trap_frame *tf, void *arg)
{
	struct uart *u = arg;
	char buf[EARLY_MAX];
	unsigned n;

	/* Bounded: a stuck data-ready bit must not hold the CPU in the handler. */
	for (int rounds = 0; rounds < 64; rounds++) {
		for (n = 0; n < sizeof(buf) && (inb(u->base + REG_LSR) & LSR_DATA_READY); n++)
			buf[n] = (char)inb(u->base + REG_DATA);
		if (!n)
			break;
		tty_receive(u->tty, buf, n);
	}
}

static void uart_output(struct tty *tty, const char *s, size_t n)
{
	const struct uart *u = tty_driver_data(tty);

	for (size_t i = 0; i < n; i++)
		putc_raw(u, s[i]);
}

static const u32 speeds[16] = { 0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400 };

/* Speed, character size, stop bits and parity from c_cflag. B0 (hang up) drops DTR/RTS. */
static void uart_set_termios(struct tty *tty, const struct k_termios *t)
{
	const struct uart *u = tty_driver_data(tty);
	u32 code = t->c_cflag & CBAUD, baud;
	u8 lcr = (u8)((t->c_cflag & CSIZE) >> 4); /* CS5..CS8 are 0..3, as the LCR wants */

	if (code & CBAUDEX)
		baud = code == B57600 ? 57600 : code == B115200 ? 115200 : 0;
	else
		baud = speeds[code];
	if (t->c_cflag & CSTOPB)
		lcr |= 0x04;
	if (t->c_cflag & PARENB)
		lcr |= (t->c_cflag & PARODD) ? 0x08 : 0x18;
	if (!baud) {
		outb(u->base + REG_MCR, MCR_OUT2);
		return;
	}
	set_line(u, BASE_CLOCK / baud, lcr);
	outb(u->base + REG_MCR, MCR_DTR_RTS | MCR_OUT2);
}

static const struct tty_driver_ops uart_ops = {
	.output = uart_output,
	.set_termios = uart_set_termios,
};

/* Makes ttyS<i> and starts its receive interrupt, handing over what came before. */
static void attach(unsigned i)
{
	static const char *const names[] = { "ttyS0", "ttyS1" };
	struct uart *u = &ports[i];
	struct k_termios t;
	int err;

	/* Linux's defaults, at the speed the port runs (and no modem control lines to obey). */
	tty_std_termios(&t);
	t.c_cflag = B115200 | CS8 | CREAD | HUPCL | CLOCAL;
	u->tty = tty_create(names[i], MKDEV(4, 64 + i), &uart_ops, u, &t, NULL);
	if (!u->tty) {
		pr_warn("serial: no memory for %s\n", names[i]);
		return;
	}
	err = irq_enable_line(u->irq, uart_irq, u);
	if (err) {
		pr_warn("serial: %s: IRQ %u: error %d; no input\n", names[i], u->irq, err);
		return;
	}
	/* FIFOs on (not cleared: what arrived since probe() stays) with an interrupt per byte, as
	 * typing is interactive. */
	outb(u->base + REG_FCR, FCR_ENABLE);
	outb(u->base + REG_MCR, MCR_DTR_RTS | MCR_OUT2);
	tty_receive(u->tty, u->early, u->nearly);
	u->nearly = 0;
	outb(u->base + REG_IER, IER_RX);
	uart_irq(NULL, u);
}

void serial_tty_init(void)
{
	/* COM2 is probed only now: nothing prints to it before. */
	probe(&ports[1]);
	for (unsigned i = 0; i < 2; i++)
		if (ports[i].present)
			attach(i);
}
