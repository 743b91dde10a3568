/* drivers/input/i8042.c: the PS/2 keyboard behind the i8042 controller, IRQ 1, feeding tty0.
 * Keyboard port only (the mouse port is switched off); scancode translation is keymap.c's. */
#include <granary/cpu.h>
#include <granary/errno.h>
#include <granary/input.h>
#include <granary/printk.h>
#include <granary/trap.h>
#include <granary/tty.h>

#include "keymap.h"

#define DATA 0x60
#define STATUS 0x64 /* read: status; write: controller command */
#define ST_OBF 0x01  /* a byte waits in DATA */
#define ST_IBF 0x02  /* the controller has not taken our last byte yet */
#define ST_AUX 0x20  /* the waiting byte is from the mouse port */
#define CMD_READ_CONFIG 0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_DISABLE_AUX 0xa7
#define CMD_DISABLE_KBD 0xad
#define CMD_ENABLE_KBD 0xae
#define CFG_KBD_IRQ 0x01
#define CFG_AUX_IRQ 0x02
#define CFG_KBD_CLOCK_OFF 0x10
#define CFG_AUX_CLOCK_OFF 0x20
#define CFG_TRANSLATE 0x40 /* the controller turns the keyboard's set 2 into set 1 */
#define KBD_IRQ 1
#define SPINS 100000

static struct kbd_state kbd;

static bool wait_input_empty(void)
{
	for (int i = 0; i < SPINS; i++) {
		if (!(inb(STATUS) & ST_IBF))
			return true;
		cpu_relax();
	}
	return false;
}

static bool wait_output_full(void)
{
	for (int i = 0; i < SPINS; i++) {
		if (inb(STATUS) & ST_OBF)
			return true;
		cpu_relax();
	}
	return false;
}

static bool command(u8 cmd)
{
	if (!wait_input_empty())
		return false;
	outb(STATUS, cmd);
	return true;
}

static bool write_data(u8 v)
{
	if (!wait_input_empty())
		return false;
	outb(DATA, v);
	return true;
}

static void kbd_irq(struct trap_frame *tf, void *arg)
{
	struct tty *tty = tty_screen();

	/* Bounded, in case the controller keeps saying it has data. */
	for (int i = 0; i < 32; i++) {
		u8 st = inb(STATUS), code;
		char out[KBD_MAX_OUT];
		size_t n;

		if (!(st & ST_OBF))
			break;
		code = inb(DATA);
		if (st & ST_AUX)
			continue;
		n = kbd_translate(&kbd, code, out);
		if (n && tty)
			tty_receive(tty, out, n);
	}
}

int i8042_init(void)
{
	u8 cfg;
	int err;

	/* No controller: the status port floats to 0xff. */
	if (inb(STATUS) == 0xff) {
		pr_info("i8042: no controller\n");
		return -ENODEV;
	}
	if (!command(CMD_DISABLE_KBD) || !command(CMD_DISABLE_AUX))
		goto dead;
	for (int i = 0; i < 64 && (inb(STATUS) & ST_OBF); i++)
		(void)inb(DATA);
	if (!command(CMD_READ_CONFIG) || !wait_output_full())
		goto dead;
	cfg = inb(DATA);
	cfg |= CFG_KBD_IRQ | CFG_TRANSLATE | CFG_AUX_CLOCK_OFF;
	cfg &= (u8)~(CFG_AUX_IRQ | CFG_KBD_CLOCK_OFF);
	if (!command(CMD_WRITE_CONFIG) || !write_data(cfg))
		goto dead;
	err = irq_enable_line(KBD_IRQ, kbd_irq, NULL);
	if (err) {
		pr_warn("i8042: IRQ %d: error %d\n", KBD_IRQ, err);
		return err;
	}
	if (!command(CMD_ENABLE_KBD))
		goto dead;
	pr_info("i8042: keyboard on IRQ %d%s\n", KBD_IRQ, tty_screen() ? ", input of tty0" : " (no tty0: ignored)");
	return 0;
dead:
	pr_warn("i8042: the controller does not answer\n");
	return -EIO;
}
