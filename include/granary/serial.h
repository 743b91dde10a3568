/* include/granary/serial.h: the COM1 serial console.
 * serial_init() registers it with printk unless console= names only other consoles. */
#ifndef GRANARY_SERIAL_H
#define GRANARY_SERIAL_H

#include <granary/types.h>

#ifdef CONFIG_SERIAL_16550
/* Programs COM1 for 115200 8N1 and registers the "ttyS0" console if the UART exists. */
void serial_init(void);
bool serial_present(void);
/* Calls fn (from the interrupt) for every byte received on COM1. 0, or -ENODEV/-EBUSY. */
int serial_enable_input(void (*fn)(char c));
#else
static inline void serial_init(void) {}
static inline bool serial_present(void) { return false; }
static inline int serial_enable_input(void (*fn)(char c)) { return -19; }
#endif

#endif
