/* kernel/ktests/trap_ktest.c: kernel tests of exception handling and of the W^X kernel mapping.
 * Each provokes a real exception that ktest catches, so the kernel survives to run the next test. */
#include <granary/ktest.h>
#include <granary/paging.h>
#include <granary/trap.h>

extern char boot_stack_guard[];

/* Mapped nowhere: the ioremap window starts above it and nothing maps this far. */
#define UNMAPPED_ADDR (IOREMAP_BASE + IOREMAP_SIZE + 0x1234000UL)

static const u64 read_only_word = 0x1122334455667788ULL;
static u8 data_bytes[16] = { 0xc3 }; /* a ret instruction, in a non-executable page */

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

KTEST(paging_text_is_not_writable)
{
	struct ktest_trap t;
	u64 pte = paging_lookup((unsigned long)ktest_handle_trap);
	volatile u8 *text = (volatile u8 *)ktest_handle_trap;

	KT_EXPECT(pte & PTE_P);
	KT_EXPECT(!(pte & PTE_W));
	KT_EXPECT(!(pte & PTE_NX));
	KT_ASSERT(KT_CATCH_TRAP(&t, *text = *text));
	KT_EXPECT_EQ(t.vector, X86_TRAP_PF);
	KT_EXPECT_EQ(t.error & (PF_PRESENT | PF_WRITE), PF_PRESENT | PF_WRITE);
}

KTEST(paging_rodata_is_read_only_nx)
{
	struct ktest_trap t;
	u64 pte = paging_lookup((unsigned long)&read_only_word);

	KT_EXPECT((pte & (PTE_P | PTE_W | PTE_NX)) == (PTE_P | PTE_NX));
	KT_ASSERT(KT_CATCH_TRAP(&t, *(volatile u64 *)&read_only_word = 0));
	KT_EXPECT_EQ(t.cr2, (u64)&read_only_word);
	KT_EXPECT_EQ(read_only_word, 0x1122334455667788ULL);
}

KTEST(paging_data_is_not_executable)
{
	struct ktest_trap t;
	void (*fn)(void) = (void (*)(void))(void *)data_bytes;

	KT_EXPECT(paging_lookup((unsigned long)data_bytes) & PTE_NX);
	KT_ASSERT(KT_CATCH_TRAP(&t, fn()));
	KT_EXPECT_EQ(t.vector, X86_TRAP_PF);
	KT_EXPECT(t.error & PF_INSTR);
}

KTEST(paging_stack_guard_unmapped)
{
	KT_EXPECT_EQ(paging_lookup((unsigned long)boot_stack_guard), 0);
	KT_EXPECT(paging_lookup((unsigned long)boot_stack_guard + PAGE_SIZE) & PTE_P);
}
