/* include/granary/time.h: the monotonic nanosecond clock (TSC) and the periodic tick.
 * time_ns() is zero until the TSC is calibrated, then counts from boot. */
#ifndef GRANARY_TIME_H
#define GRANARY_TIME_H

#include <granary/types.h>

#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_USEC 1000ULL

/* Nanoseconds since boot, from the TSC; never goes backwards. */
u64 time_ns(void);
/* Ticks since the timer started (the Kconfig HZ option per second). */
u64 time_ticks(void);
/* The tick count by which at least ns will have passed: a sleep's deadline, at most one
 * tick late. */
u64 time_tick_after(u64 ns);
/* TSC frequency in kHz as calibrated at boot (0 before). */
u64 time_tsc_khz(void);

/* Calibrates the TSC against the PIT and starts counting time_ns() from now. */
void time_init_tsc(void);
/* Called from the timer interrupt once per tick. */
void time_tick(void);

/* Seconds since 1970 read from the CMOS clock (drivers/rtc/cmos.c). */
u64 rtc_read_epoch(void);
/* Wall-clock nanoseconds since 1970: the RTC at boot plus time_ns(). */
u64 time_realtime_ns(void);

struct k_timespec;
/* Reads a user timespec as nanoseconds (kernel/sys/sys_proc.c): 0, -EFAULT, or -EINVAL
 * (negative, or nsec >= 10^9). */
int timespec_from_user(const struct k_timespec *uts, u64 *ns);

/* Busy-waits for at least ns nanoseconds (after time_init_tsc). */
void time_delay_ns(u64 ns);

/* Converts TSC cycles to ns with a 64x64->128 multiply, host-testable. */
u64 time_cycles_to_ns(u64 cycles, u64 mult, unsigned shift);

#endif
