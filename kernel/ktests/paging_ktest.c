/* kernel/ktests/paging_ktest.c: kernel tests of the kernel mapping: W^X, guard pages, ioremap cache modes.
 * Write and execute attempts are real and caught by ktest. */
#include <granary/cpu.h>
#include <granary/ktest.h>
#include <granary/paging.h>
#include <granary/trap.h>

extern char boot_stack_guard[];

static const u64 read_only_word = 0x1122334455667788ULL;
static u8 data_bytes[16] = { 0xc3 }; /* a ret instruction, in a non-executable page */

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

KTEST(paging_ioremap_cache_modes)
{
	/* PAT entry 1 is write-combining (01), entry 3 uncached (00), entry 0 write-back (06). */
	u64 pat = rdmsr(MSR_PAT);
	unsigned long uc = (unsigned long)ioremap(0xb8000, 16);
	unsigned long wc = (unsigned long)ioremap_wc(0xb8000, 16);

	KT_EXPECT_EQ(pat & 0xff, 0x06);
	KT_EXPECT_EQ((pat >> 8) & 0xff, 0x01);
	KT_EXPECT_EQ((pat >> 24) & 0xff, 0x00);
	KT_ASSERT(uc && wc);
	KT_EXPECT_EQ(uc & 0xfff, 0x000);
	KT_EXPECT_EQ(paging_lookup(uc) & (PTE_PCD | PTE_PWT | PTE_NX), PTE_PCD | PTE_PWT | PTE_NX);
	KT_EXPECT_EQ(paging_lookup(wc) & (PTE_PCD | PTE_PWT | PTE_NX), PTE_PWT | PTE_NX);
	KT_EXPECT_EQ(paging_lookup(wc) & PTE_ADDR_MASK, 0xb8000);
}

KTEST(paging_direct_map_is_nx)
{
	unsigned long va = (unsigned long)phys_to_virt(0x100000);

	KT_EXPECT((paging_lookup(va) & (PTE_P | PTE_W | PTE_NX)) == (PTE_P | PTE_W | PTE_NX));
	/* The direct map and the image reach the same physical page. */
	KT_EXPECT_EQ(*(volatile u64 *)phys_to_virt(virt_to_phys(&read_only_word)), read_only_word);
}
