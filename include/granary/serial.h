/* include/granary/serial.h: the 16550 UARTs: COM1 as the early printk console, COM1/COM2 as ttyS0/ttyS1.
 * serial_init() registers the printk console unless console= names only other consoles. */
#ifndef GRANARY_SERIAL_H
#define GRANARY_SERIAL_H

#include <granary/types.h>

#ifdef CONFIG_SERIAL_16550
/* Programs COM1 for 115200 8N1 and registers the "ttyS0" console if the UART exists. */
void serial_init(void);
bool serial_present(void);
/* Makes the ttyS0/ttyS1 ttys for the UARTs present and starts their receive interrupts
 * (after the interrupt controllers and the heap). Bytes received since serial_init are kept. */
void serial_tty_init(void);
#else
static inline void serial_init(void) {}
static inline bool serial_present(void) { return false; }
static inline void serial_tty_init(void) {}
#endif

#endif
