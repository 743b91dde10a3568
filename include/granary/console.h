/* include/granary/console.h: the screen console (VGA text or framebuffer, chosen in Kconfig).
 * Both register with printk as "tty0"; the serial console is in serial.h. */
#ifndef GRANARY_CONSOLE_H
#define GRANARY_CONSOLE_H

#include <granary/types.h>

#if defined(CONFIG_CONSOLE_VGA_TEXT) || defined(CONFIG_CONSOLE_FB)
/* Maps the screen and registers it as a console (after paging_init). */
void screen_console_init(void);
/* The text size of the screen, for tty0's window size; false if the screen console is off. */
bool screen_console_size(unsigned *rows, unsigned *cols);
/* Terminal output (tty0) onto the screen. Call with interrupts off, as printk does. */
void screen_console_write(const char *s, size_t n);
#else
static inline void screen_console_init(void) {}
static inline bool screen_console_size(unsigned *rows, unsigned *cols) { return false; }
static inline void screen_console_write(const char *s, size_t n) {}
#endif

#endif
