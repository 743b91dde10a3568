/* include/granary/kernel.h: panic, poweroff, assertions and the release string.
 * What every part of the kernel reaches for when things go wrong. */
#ifndef GRANARY_KERNEL_H
#define GRANARY_KERNEL_H

#include <granary/compiler.h>
#include <granary/printk.h>
#include <granary/types.h>

struct trap_frame;

/* Prints the message and a backtrace, then acts on panic= (halt, or exit QEMU with status 125). */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);
/* Like panic(), for an exception: also dumps the registers of the trapped context. */
__noreturn void panic_trap(struct trap_frame *tf, const char *what);
/* Status the guest gives QEMU on a panic under panic=exit. */
#define PANIC_EXIT_STATUS 125

/* Ends the machine: QEMU exits with status through isa-debug-exit, else ACPI, else halt. */
__noreturn void machine_poweroff(int status);
/* Resets the machine through the keyboard controller, or a triple fault. */
__noreturn void machine_reboot(void);
/* Stops this CPU for good with interrupts off. */
__noreturn void machine_halt(void);

/* Prints "Call trace:" and the frames from rbp upward, function+offset/size each. */
void dump_backtrace(unsigned long rip, unsigned long rbp);

#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)
#define BUG_ON(c)                 \
	do {                      \
		if (unlikely(c))  \
			BUG();    \
	} while (0)
#define WARN_ON(c)                                                                 \
	({                                                                         \
		bool __w = !!(c);                                                  \
		if (unlikely(__w))                                                 \
			pr_warn("WARNING at %s:%d: %s\n", __FILE__, __LINE__, #c); \
		__w;                                                               \
	})

extern const char granary_release[];
extern const char granary_banner[];

#endif
