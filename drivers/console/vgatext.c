/* drivers/console/vgatext.c: kernel messages on the 80x25 VGA text screen, with scrolling.
 * Registered as "tty0" for printk; the tty layer writes terminal output here too (no escape sequences). */
#include <granary/console.h>
#include <granary/cpu.h>
#include <granary/paging.h>
#include <granary/printk.h>
#include <granary/string.h>

#define VGA_PHYS 0xb8000
#define COLS 80
#define ROWS 25
#define ATTR 0x0700 /* light grey on black */
#define CRTC_INDEX 0x3d4
#define CRTC_DATA 0x3d5

static volatile u16 *screen;
static unsigned row, col;

static void scroll(void)
{
	for (unsigned i = 0; i < (ROWS - 1) * COLS; i++)
		screen[i] = screen[i + COLS];
	for (unsigned i = (ROWS - 1) * COLS; i < ROWS * COLS; i++)
		screen[i] = ATTR | ' ';
	row = ROWS - 1;
}

static void move_cursor(void)
{
	u16 pos = row * COLS + col;

	outb(CRTC_INDEX, 0x0f);
	outb(CRTC_DATA, pos & 0xff);
	outb(CRTC_INDEX, 0x0e);
	outb(CRTC_DATA, pos >> 8);
}

static void put(char c)
{
	switch (c) {
	case '\n':
		col = 0;
		row++;
		break;
	case '\r':
		col = 0;
		break;
	case '\t':
		col = (col + 8) & ~7u;
		break;
	case '\b':
		if (col)
			col--;
		break;
	default:
		screen[row * COLS + col] = ATTR | (u8)c;
		col++;
	}
	if (col >= COLS) {
		col = 0;
		row++;
	}
	if (row >= ROWS)
		scroll();
}

static void vga_write(struct console *con, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put(s[i]);
	move_cursor();
}

static struct console vga_console = { .name = "tty0", .write = vga_write };

void screen_console_init(void)
{
	if (!console_enabled(vga_console.name))
		return;
	screen = ioremap(VGA_PHYS, COLS * ROWS * 2);
	if (!screen)
		return;
	for (unsigned i = 0; i < ROWS * COLS; i++)
		screen[i] = ATTR | ' ';
	row = col = 0;
	console_register(&vga_console);
}

bool screen_console_size(unsigned *rows, unsigned *cols)
{
	*rows = ROWS;
	*cols = COLS;
	return screen != NULL;
}

void screen_console_write(const char *s, size_t n)
{
	if (screen)
		vga_write(&vga_console, s, n);
}
