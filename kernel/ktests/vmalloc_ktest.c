/* kernel/ktests/vmalloc_ktest.c: kernel tests of vmalloc, kernel stacks and the module area.
 * Includes a real overflow of a vmalloc'd kernel stack into its guard page. */
#include <granary/errno.h>
#include <granary/ktest.h>
#include <granary/page.h>
#include <granary/slab.h>
#include <granary/trap.h>
#include <granary/vmalloc.h>
#include <uapi/mman.h>

/* The first use of an arena builds its page tables, which stay; measure after it. */
static void warm_up(enum vm_kind kind)
{
	vm_region_free(kind, vm_region_alloc(kind, 8 * PAGE_SIZE));
}

static u64 stat_of(int which)
{
	struct mem_stats s;

	slab_shrink();
	mem_get_stats(&s);
	return which == 0 ? s.free : which == 1 ? s.vmalloc : s.kstacks;
}

KTEST(vmalloc_maps_contiguous_pages_with_guard)
{
	u64 before = (warm_up(VM_VMALLOC), stat_of(0));
	size_t size = 5 * PAGE_SIZE + 100;
	u8 *p = vmalloc(size), *q;
	struct ktest_trap t;

	KT_ASSERT(p);
	KT_EXPECT((unsigned long)p >= VMALLOC_BASE && (unsigned long)p < VMALLOC_BASE + VMALLOC_SIZE);
	KT_EXPECT_EQ(stat_of(1), 6);
	for (size_t i = 0; i < size; i++)
		p[i] = (u8)i;
	KT_EXPECT_EQ(p[size - 1], (u8)(size - 1));
	KT_EXPECT(paging_lookup((unsigned long)p) & PTE_NX);
	/* One past the last page is the guard. */
	KT_ASSERT(KT_CATCH_TRAP(&t, p[6 * PAGE_SIZE] = 1));
	KT_EXPECT_EQ(t.vector, X86_TRAP_PF);
	KT_EXPECT_EQ(t.cr2, (u64)p + 6 * PAGE_SIZE);
	/* The next region starts after the guard. */
	q = vmalloc(PAGE_SIZE);
	KT_EXPECT_EQ((u64)q, (u64)p + 7 * PAGE_SIZE);
	vfree(q);
	vfree(p);
	KT_EXPECT_EQ(paging_lookup((unsigned long)p), 0);
	KT_EXPECT_EQ(stat_of(1), 0);
	KT_EXPECT_EQ(stat_of(0), before);
}

KTEST(vmalloc_module_area_is_in_top_2g_and_wx)
{
	u8 *m = vm_region_alloc(VM_MODULE, 3 * PAGE_SIZE);

	KT_ASSERT(m);
	KT_EXPECT((unsigned long)m >= 0xffffffff80000000UL);
	KT_EXPECT_EQ(vm_region_protect(VM_MODULE, m, PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC), -EINVAL);
	KT_EXPECT_EQ(vm_region_protect(VM_MODULE, m, PAGE_SIZE, PROT_READ | PROT_EXEC), 0);
	KT_EXPECT_EQ(vm_region_protect(VM_MODULE, m + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	KT_EXPECT_EQ(paging_lookup((unsigned long)m) & (PTE_W | PTE_NX), 0);
	KT_EXPECT_EQ(paging_lookup((unsigned long)m + PAGE_SIZE) & (PTE_W | PTE_NX), PTE_NX);
	KT_EXPECT_EQ(paging_lookup((unsigned long)m + 2 * PAGE_SIZE) & (PTE_W | PTE_NX), PTE_W | PTE_NX);
	KT_EXPECT_EQ(vm_region_protect(VM_MODULE, m, 4 * PAGE_SIZE, PROT_READ), -EINVAL);
	vm_region_free(VM_MODULE, m);
}

static void recurse(void *arg)
{
	volatile char pad[256];

	pad[0] = 1;
	if (*(volatile int *)arg)
		recurse(arg);
	pad[1] = pad[0]; /* not a tail call */
}

KTEST(vmalloc_kernel_stack_overflow_hits_guard)
{
	u64 before = (warm_up(VM_STACK), stat_of(0)), stacks = stat_of(2);
	void *stack = kstack_alloc(), *other = kstack_alloc();
	struct ktest_trap t;
	int forever = 1;

	KT_ASSERT(stack && other);
	KT_EXPECT_EQ(stat_of(2), stacks + 2 * KSTACK_SIZE / PAGE_SIZE);
	/* Running off the bottom of the stack cannot even push the exception frame: #DF. */
	KT_ASSERT(KT_CATCH_TRAP(&t, call_on_stack(recurse, &forever, (char *)other + KSTACK_SIZE)));
	KT_EXPECT_EQ(t.vector, X86_TRAP_DF);
	KT_EXPECT(vm_stack_guard((unsigned long)other - 8));
	KT_EXPECT(paging_is_guard((unsigned long)other - PAGE_SIZE));
	KT_EXPECT(!vm_stack_guard((unsigned long)other));
	kstack_free(other);
	kstack_free(stack);
	KT_EXPECT_EQ(stat_of(2), stacks);
	KT_EXPECT_EQ(stat_of(0), before);
}
