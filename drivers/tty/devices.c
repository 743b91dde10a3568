/* drivers/tty/devices.c: the terminal devices: ttyS*, tty0 (screen and keyboard), /dev/tty and /dev/console.
 * Makes the ttys at boot and registers their device numbers; the ttys themselves are tty.c's. */
#include <granary/console.h>
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/input.h>
#include <granary/printk.h>
#include <granary/serial.h>
#include <granary/slab.h>
#include <uapi/fcntl.h>

#include "tty_internal.h"

#define TTY_MAJOR 4
#define TTYAUX_MAJOR 5

static struct tty *screen_tty;

static void screen_output(struct tty *tty, const char *s, size_t n)
{
	screen_console_write(s, n);
}

static const struct tty_driver_ops screen_ops = { .output = screen_output };

struct tty *tty_screen(void)
{
	return screen_tty;
}

struct tty *tty_console(void)
{
	struct tty *serial = tty_find(MKDEV(TTY_MAJOR, 64));

	/* The serial port when it is a console (console= names it, or names nothing). */
	if (serial && console_enabled("ttyS0"))
		return serial;
	return screen_tty ? screen_tty : serial;
}

/* ttyS* and tty0: tty0 is the screen whatever the session, so it never becomes a controlling
 * terminal by being opened (Linux's rule for /dev/tty0, /dev/tty and /dev/console). */
static int open_tty(struct file *f, dev_t rdev)
{
	struct tty *tty = tty_find(rdev);

	if (!tty)
		return -ENXIO;
	return tty_file_setup(f, tty, MINOR(rdev) == 0, false);
}

/* /dev/tty: the caller's controlling terminal. */
static int open_ctty(struct file *f, dev_t rdev)
{
	struct tty *tty = jobctl_current_tty();
	int err;

	if (!tty)
		return -ENXIO;
	err = tty_file_setup(f, tty, true, false);
	tty_put(tty);
	return err;
}

static int open_console(struct file *f, dev_t rdev)
{
	struct tty *tty = tty_console();

	return tty ? tty_file_setup(f, tty, true, true) : -ENXIO;
}

static struct chrdev cd_tty0 = { "tty0", TTY_MAJOR, 0, 1, 0620, open_tty, NULL, NULL };
static struct chrdev cd_ttyS[2] = {
	{ "ttyS0", TTY_MAJOR, 64, 1, 0660, open_tty, NULL, NULL },
	{ "ttyS1", TTY_MAJOR, 65, 1, 0660, open_tty, NULL, NULL },
};
static struct chrdev cd_ctty = { "tty", TTYAUX_MAJOR, 0, 1, 0666, open_ctty, NULL, NULL };
static struct chrdev cd_console = { "console", TTYAUX_MAJOR, 1, 1, 0600, open_console, NULL, NULL };

static void reg(struct chrdev *cd)
{
	int err = chrdev_register(cd);

	if (err)
		pr_warn("tty: cannot register %s (%u,%u): error %d\n", cd->name, cd->major, cd->minor, err);
}

void tty_init(void)
{
	struct k_winsize ws = { 0 };
	unsigned rows, cols;

	serial_tty_init();
	if (screen_console_size(&rows, &cols)) {
		ws.ws_row = (u16)rows;
		ws.ws_col = (u16)cols;
		screen_tty = tty_create("tty0", MKDEV(TTY_MAJOR, 0), &screen_ops, NULL, NULL, &ws);
		if (!screen_tty)
			pr_warn("tty: no memory for tty0\n");
	}
	if (screen_tty)
		reg(&cd_tty0);
	for (unsigned i = 0; i < 2; i++)
		if (tty_find(MKDEV(TTY_MAJOR, 64 + i)))
			reg(&cd_ttyS[i]);
	reg(&cd_ctty);
	reg(&cd_console);
	keyboard_init();
}

/* Called where the old console layer started its input (kmain, after the interrupt controllers). */
void console_input_init(void)
{
	tty_init();
}

struct file *console_file_open(void)
{
	struct tty *tty = tty_console();
	struct file *f;

	if (!tty)
		return NULL;
	f = file_alloc(NULL, O_RDWR, NULL);
	if (f && tty_file_setup(f, tty, true, true)) {
		kfree(f); /* no ops yet: nothing to release */
		return NULL;
	}
	return f;
}
