/* kernel/ktests/ksyms_ktest.c: kernel tests of symbol lookup on the kernel's own table.
 * Checks that the two-pass link produced a table that names real functions. */
#include <granary/kernel.h>
#include <granary/ksyms.h>
#include <granary/ktest.h>
#include <granary/string.h>

void kmain(u32 magic, u32 info_phys);

static __noinline int ksyms_probe_function(int x)
{
	return x * 3 + 1;
}

KTEST(ksyms_lookup_by_address)
{
	u64 addr = (u64)ksyms_probe_function, off = 99, size = 0;
	const char *name = ksyms_lookup(addr + 1, &off, &size);

	KT_ASSERT(name != NULL);
	KT_EXPECT_STREQ(name, "ksyms_probe_function");
	KT_EXPECT_EQ(off, 1);
	KT_EXPECT(size > 1);
	KT_EXPECT_EQ(ksyms_probe_function(1), 4);
}

KTEST(ksyms_lookup_global_and_format)
{
	char buf[96];

	KT_EXPECT_STREQ(ksyms_lookup((u64)panic, NULL, NULL), "panic");
	KT_EXPECT_EQ(ksyms_address("kmain"), (u64)kmain);
	KT_EXPECT_EQ(ksyms_address("no_such_symbol_anywhere"), 0);
	ksyms_format((u64)panic + 4, buf, sizeof(buf));
	KT_EXPECT(!strncmp(buf, "panic+0x4/0x", 12));
	/* An address outside the kernel has no name. */
	KT_EXPECT(ksyms_lookup(0x1000, NULL, NULL) == NULL);
}
