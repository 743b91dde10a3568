/* kernel/ktests/time_ktest.c: kernel tests of the tick and the TSC clock.
 * Bounds are loose enough for TCG on a loaded host, tight enough to catch a wrong calibration. */
#include <granary/cpu.h>
#include <granary/ktest.h>
#include <granary/time.h>
#include <granary/trap.h>

KTEST(time_tick_advances)
{
	u64 start = time_ticks(), deadline = time_ns() + 2 * NSEC_PER_SEC;

	while (time_ticks() < start + 3 && time_ns() < deadline)
		cpu_halt(); /* the next interrupt wakes us */
	KT_EXPECT(time_ticks() >= start + 3);
	KT_EXPECT(irq_count(LAPIC_TIMER_VECTOR) >= 3);
}

KTEST(time_tsc_clock_monotonic)
{
	u64 prev = time_ns();

	KT_ASSERT(time_tsc_khz() > 0);
	for (int i = 0; i < 100000; i++) {
		u64 now = time_ns();
		if (now < prev) {
			ktest_fail(__FILE__, __LINE__, "time went back from %llu to %llu",
				   (unsigned long long)prev, (unsigned long long)now);
			return;
		}
		prev = now;
	}
	KT_EXPECT(prev > 0);
}

KTEST(time_tick_rate_matches_clock)
{
	/* 10 ticks at CONFIG_HZ measured with the TSC clock: within a factor of two. */
	u64 t0, t1, start, expect = 10 * NSEC_PER_SEC / CONFIG_HZ;

	start = time_ticks();
	while (time_ticks() == start)
		cpu_halt();
	t0 = time_ns();
	start = time_ticks();
	while (time_ticks() < start + 10)
		cpu_halt();
	t1 = time_ns();
	ktest_note("10 ticks took %llu us (expected %llu)", (unsigned long long)(t1 - t0) / 1000,
		   (unsigned long long)expect / 1000);
	KT_EXPECT(t1 - t0 > expect / 2);
	KT_EXPECT(t1 - t0 < expect * 2);
}

KTEST(time_cycles_to_ns_math)
{
	/* 1 GHz: mult = 2^32 with shift 32 is the identity. */
	KT_EXPECT_EQ(time_cycles_to_ns(123456789, 1ULL << 32, 32), 123456789);
	/* 2 GHz: half. Large inputs must not overflow. */
	KT_EXPECT_EQ(time_cycles_to_ns(1ULL << 62, 1ULL << 31, 32), 1ULL << 61);
}
