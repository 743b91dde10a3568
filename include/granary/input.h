/* include/granary/input.h: input devices (drivers/input/): the PS/2 keyboard feeding tty0.
 * Keys become terminal bytes in the driver; there is no event interface (evdev) yet. */
#ifndef GRANARY_INPUT_H
#define GRANARY_INPUT_H

/* Finds the i8042 controller, routes IRQ 1 and starts feeding key presses to tty0 (after the
 * interrupt controllers and tty0). 0, -ENODEV (no controller), -EIO (it does not answer) or
 * the IRQ's error. The module's entry point once modules load. */
int i8042_init(void);

#ifdef CONFIG_KEYBOARD_I8042
static inline void keyboard_init(void) { i8042_init(); }
#else
static inline void keyboard_init(void) {}
#endif

#endif
