/* kernel/time.c: the monotonic clock from the TSC and the tick counter.
 * The TSC is calibrated against the PIT once; conversions use a fixed-point multiply, no division. */
#include <granary/arch.h>
#include <granary/cpu.h>
#include <granary/printk.h>
#include <granary/sched.h>
#include <granary/time.h>

#define MULT_SHIFT 32

static u64 tsc_base, tsc_mult, tsc_khz, boot_epoch;
static volatile u64 ticks;
static volatile u64 last_tick_ns; /* time_ns() at the latest tick */

u64 time_cycles_to_ns(u64 cycles, u64 mult, unsigned shift)
{
	return (u64)(((unsigned __int128)cycles * mult) >> shift);
}

void time_init_tsc(void)
{
	u64 cycles = pit_wait_ms(20, NULL, NULL);

	tsc_khz = cycles / 20;
	if (!tsc_khz)
		tsc_khz = 1;
	/* ns = cycles * 10^6 / khz = cycles * mult >> 32. */
	tsc_mult = (1000000ULL << MULT_SHIFT) / tsc_khz;
	tsc_base = rdtsc();
	boot_epoch = rtc_read_epoch();
	pr_info("time: TSC %llu.%03llu MHz\n", (unsigned long long)(tsc_khz / 1000),
		(unsigned long long)(tsc_khz % 1000));
}

u64 time_ns(void)
{
	if (!tsc_mult)
		return 0;
	return time_cycles_to_ns(rdtsc() - tsc_base, tsc_mult, MULT_SHIFT);
}

u64 time_tick_after(u64 ns)
{
	u64 period = NSEC_PER_SEC / CONFIG_HZ, base = last_tick_ns, t = ticks;
	u64 target = time_ns() + ns;

	/* Tick t happened at base; tick t + k comes about k periods later. The first one at or
	 * past the target is the deadline (one more if the tick clock has not started). */
	if (!base)
		return t + (ns + period - 1) / period + 1;
	return t + (target - base + period - 1) / period;
}

u64 time_realtime_ns(void)
{
	return boot_epoch * NSEC_PER_SEC + time_ns();
}

u64 time_tsc_khz(void)
{
	return tsc_khz;
}

u64 time_ticks(void)
{
	return ticks;
}

void time_tick(void)
{
	last_tick_ns = time_ns();
	ticks++;
	sched_tick();
}

void time_delay_ns(u64 ns)
{
	u64 end = time_ns() + ns;

	while (time_ns() < end)
		cpu_relax();
}
