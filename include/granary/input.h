/* include/granary/input.h: input devices (drivers/input/): the PS/2 keyboard feeding tty0.
 * Keys become terminal bytes in the driver; there is no event interface (evdev) yet. */
#ifndef GRANARY_INPUT_H
#define GRANARY_INPUT_H

#ifdef CONFIG_KEYBOARD_I8042
/* Finds the i8042 controller, routes IRQ1 and starts feeding key presses to tty0 (after the
 * interrupt controllers and tty0). Without a controller it says so and does nothing. */
void keyboard_init(void);
#else
static inline void keyboard_init(void) {}
#endif

#endif
