/* kernel/ktests/selftest_ktest.c: tests that fail or panic on purpose, to check the harness.
 * Manual: they run only when named (ktest=selftest_fail), never under ktest=all. */
#include <granary/kernel.h>
#include <granary/ktest.h>

KTEST_MANUAL(selftest_fail)
{
	KT_EXPECT_EQ(1 + 1, 3);
}

static __noinline void selftest_panic_here(void)
{
	panic("deliberate panic from selftest_panic_here");
}

KTEST_MANUAL(selftest_panic)
{
	selftest_panic_here();
}

KTEST_MANUAL(selftest_unexpected_fault)
{
	/* Not wrapped in KT_CATCH_TRAP: the framework must report it and go on. */
	*(volatile int *)0x10 = 1;
}

static volatile int recursion_limit = 1 << 30;

static __noinline int selftest_recurse(int depth)
{
	volatile char pad[512];

	if (depth > recursion_limit)
		return 0;
	pad[0] = (char)depth;
	/* Not a tail call: the addition after it keeps every frame alive. */
	return selftest_recurse(depth + 1) + pad[0];
}

KTEST_MANUAL(selftest_stack_overflow)
{
	/* Runs off the boot stack into its guard page: a double fault on the IST stack. */
	selftest_recurse(0);
}
