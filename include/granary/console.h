/* include/granary/console.h: the screen console (VGA text or framebuffer, chosen in Kconfig).
 * Both register with printk as "tty0"; the serial console is in serial.h. */
#ifndef GRANARY_CONSOLE_H
#define GRANARY_CONSOLE_H

#if defined(CONFIG_CONSOLE_VGA_TEXT) || defined(CONFIG_CONSOLE_FB)
/* Maps the screen and registers it as a console (after paging_init). */
void screen_console_init(void);
#else
static inline void screen_console_init(void) {}
#endif

#endif
