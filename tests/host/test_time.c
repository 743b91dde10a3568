/* tests/host/test_time.c: host tests of kernel/time.c: the cycles-to-ns conversion, calibration and ticks.
 * time.c links against stubs of pit_wait_ms() and printk() defined here; rdtsc is the host's own. */
#include "hosttest.h"

#include <string.h>

#include <granary/arch.h>
#include <granary/printk.h>
#include <granary/time.h>

/* ---------------------------------------------------------------- stubs for time.c */

static u64 pit_cycles; /* what the "PIT" measures over its 20 ms */
static char printed[256];

/* The RTC is hardware: a fixed wall-clock second (2026-01-01) stands in for it. */
u64 rtc_read_epoch(void)
{
	return 1767225600;
}

/* The tick hands on to the scheduler; here it only counts. */
static int sched_ticks;
void sched_tick(void)
{
	sched_ticks++;
}

u64 pit_wait_ms(unsigned ms, void (*at_start)(void), void (*at_end)(void))
{
	assert_int_equal(ms, 20);
	assert_null(at_start);
	assert_null(at_end);
	return pit_cycles;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(printed, sizeof(printed), fmt, ap);
	va_end(ap);
	return n;
}

/* ---------------------------------------------------------------- tests */

/* Runs first: time.c's state is still as it was at boot. */
static void test_before_calibration(void **state)
{
	assert_int_equal(time_ns(), 0);
	assert_int_equal(time_tsc_khz(), 0);
	assert_int_equal(time_ticks(), 0);
}

static void test_cycles_to_ns(void **state)
{
	const u64 mult_3ghz = (1000000ull << 32) / 3000000; /* as time_init_tsc() computes it */

	assert_int_equal(mult_3ghz, 1431655765);
	assert_int_equal(time_cycles_to_ns(0, mult_3ghz, 32), 0);
	assert_int_equal(time_cycles_to_ns(5, 7, 0), 35);
	assert_int_equal(time_cycles_to_ns(1000, 1ull << 32, 32), 1000);
	assert_int_equal(time_cycles_to_ns(3, mult_3ghz, 32), 0); /* rounds down */
	assert_int_equal(time_cycles_to_ns(3000000000ull, mult_3ghz, 32), 999999999);
	/* Ten years at 3 GHz: the product needs more than 64 bits. */
	assert_int_equal(time_cycles_to_ns(946080000000000000ull, mult_3ghz, 32), 315359999926574528ull);
	assert_int_equal(time_cycles_to_ns(UINT64_MAX, UINT64_MAX, 64), 0xfffffffffffffffeull);
	assert_int_equal(time_cycles_to_ns(UINT64_MAX, 1ull << 32, 32), UINT64_MAX);
	assert_int_equal(time_cycles_to_ns(1ull << 63, 2, 127), 0);
}

static void test_calibration(void **state)
{
	pit_cycles = 20 * 3000000; /* 3 GHz */
	time_init_tsc();
	assert_int_equal(time_tsc_khz(), 3000000);
	assert_string_equal(printed, KERN_INFO "time: TSC 3000.000 MHz\n");

	pit_cycles = 20 * 2399999 + 19; /* the rest of the division is dropped */
	time_init_tsc();
	assert_int_equal(time_tsc_khz(), 2399999);
	assert_string_equal(printed, KERN_INFO "time: TSC 2399.999 MHz\n");

	/* A PIT that measured nothing still leaves a usable divisor. */
	pit_cycles = 0;
	time_init_tsc();
	assert_int_equal(time_tsc_khz(), 1);
	assert_string_equal(printed, KERN_INFO "time: TSC 0.001 MHz\n");
}

/* With a calibration in place, time_ns() counts from it and never goes backwards. */
static void test_ns_after_calibration(void **state)
{
	u64 prev, start;

	pit_cycles = 20 * 1000000; /* claim 1 GHz: one ns per cycle, whatever the host runs at */
	time_init_tsc();
	start = prev = time_ns();
	assert_true(start < 1000000000ull); /* counted from time_init_tsc(), not from boot */
	for (int i = 0; i < 100000; i++) {
		u64 now = time_ns();
		assert_true(now >= prev);
		prev = now;
	}
	start = time_ns();
	time_delay_ns(50000);
	assert_true(time_ns() >= start + 50000);
}

static void test_ticks(void **state)
{
	u64 before = time_ticks();
	int sched_before = sched_ticks;

	for (int i = 0; i < 1000; i++)
		time_tick();
	assert_int_equal(time_ticks(), before + 1000);
	assert_int_equal(sched_ticks, sched_before + 1000); /* each tick reaches the scheduler */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_calibration),
		cmocka_unit_test(test_cycles_to_ns),
		cmocka_unit_test(test_calibration),
		cmocka_unit_test(test_ns_after_calibration),
		cmocka_unit_test(test_ticks),
	};

	hosttest_init();
	return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
