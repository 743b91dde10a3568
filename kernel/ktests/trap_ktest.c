/* kernel/ktests/trap_ktest.c: kernel tests of exception handling.
 * Each provokes a real exception that ktest catches, so the kernel survives to run the next test. */
#include <granary/ktest.h>
#include <granary/paging.h>
#include <granary/trap.h>

/* Mapped nowhere: the ioremap window starts above it and nothing maps this far. */
#define UNMAPPED_ADDR (IOREMAP_BASE + IOREMAP_SIZE + 0x1234000UL)


KTEST(trap_invalid_opcode_caught)
{
	struct ktest_trap t;

	KT_ASSERT(KT_CATCH_TRAP(&t, __asm__ __volatile__("ud2")));
	KT_EXPECT_EQ(t.vector, X86_TRAP_UD);
	KT_EXPECT_STREQ(trap_mnemonic(t.vector), "#UD");
}

KTEST(trap_page_fault_caught)
{
	struct ktest_trap t;
	volatile u64 *p = (volatile u64 *)UNMAPPED_ADDR;

	KT_ASSERT(KT_CATCH_TRAP(&t, (void)*p));
	KT_EXPECT_EQ(t.vector, X86_TRAP_PF);
	KT_EXPECT_EQ(t.cr2, UNMAPPED_ADDR);
	/* Not present, a read, from kernel mode. */
	KT_EXPECT_EQ(t.error & (PF_PRESENT | PF_WRITE | PF_USER), 0);
}

KTEST(trap_breakpoint_and_divide_caught)
{
	struct ktest_trap t;
	volatile int zero = 0, r = 1;

	KT_EXPECT(KT_CATCH_TRAP(&t, __asm__ __volatile__("int3")));
	KT_EXPECT_EQ(t.vector, X86_TRAP_BP);
	KT_EXPECT(KT_CATCH_TRAP(&t, r = r / zero));
	KT_EXPECT_EQ(t.vector, X86_TRAP_DE);
}

KTEST(trap_no_exception_no_catch)
{
	struct ktest_trap t = { .vector = 99 };
	volatile int x = 0;

	KT_EXPECT(!KT_CATCH_TRAP(&t, x = 5));
	KT_EXPECT_EQ(x, 5);
	KT_EXPECT_EQ(t.vector, 99);
}
