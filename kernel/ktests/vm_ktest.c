/* kernel/ktests/vm_ktest.c: kernel tests of address spaces: demand-zero, copy-on-write, mmap semantics.
 * Each test builds its own mm, switches to it, touches memory for real, and frees it all. */
#include <granary/errno.h>
#include <granary/ktest.h>
#include <granary/page.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/trap.h>
#include <granary/uaccess.h>
#include <granary/vm.h>
#include <uapi/mman.h>

#define RW (PROT_READ | PROT_WRITE)
#define ANON_PRIVATE (MAP_PRIVATE | MAP_ANONYMOUS)

static u64 free_pages(void)
{
	struct mem_stats s;

	slab_shrink(); /* empty slabs kept for speed would blur the count */
	mem_get_stats(&s);
	return s.free;
}

static u64 user_pages(void)
{
	struct mem_stats s;

	mem_get_stats(&s);
	return s.user;
}

static struct mm *enter_new_mm(void)
{
	struct mm *mm = mm_create(NULL);

	if (mm)
		mm_switch(mm);
	return mm;
}

static void leave_mm(struct mm *mm)
{
	mm_switch(NULL);
	mm_put(mm);
}

KTEST(vm_demand_zero_pages_read_as_zero)
{
	u64 before = free_pages();
	struct mm *mm = enter_new_mm();
	long addr;
	volatile u64 *p;
	bool zero = true;

	KT_ASSERT(mm);
	addr = vm_mmap(mm, 0, 16 * PAGE_SIZE, RW, ANON_PRIVATE, NULL, 0);
	KT_ASSERT(addr > 0);
	KT_EXPECT_EQ(addr & (PAGE_SIZE - 1), 0);
	KT_EXPECT_EQ(mm->rss, 0); /* nothing is allocated until touched */
	p = (volatile u64 *)addr;
	for (size_t i = 0; i < 16 * PAGE_SIZE / 8; i += 64)
		zero &= p[i] == 0;
	KT_EXPECT(zero);
	KT_EXPECT_EQ(mm->rss, 16);
	p[0] = 0x1234;
	KT_EXPECT_EQ(p[0], 0x1234);
	leave_mm(mm);
	KT_EXPECT_EQ(free_pages(), before);
}

KTEST(vm_cow_fork_keeps_writes_private)
{
	u64 before = free_pages(), users;
	struct mm *parent = enter_new_mm(), *child;
	volatile u32 *p;
	long addr;

	KT_ASSERT(parent);
	addr = vm_mmap(parent, 0, 4 * PAGE_SIZE, RW, ANON_PRIVATE, NULL, 0);
	KT_ASSERT(addr > 0);
	p = (volatile u32 *)addr;
	for (int i = 0; i < 4; i++)
		p[i * PAGE_SIZE / 4] = 0xa0 + i;
	child = mm_clone(parent);
	KT_ASSERT(child);
	KT_EXPECT_EQ(child->rss, 4);
	users = user_pages();

	/* Both sides read the old data. */
	mm_switch(child);
	for (int i = 0; i < 4; i++)
		KT_EXPECT_EQ(p[i * PAGE_SIZE / 4], 0xa0 + i);
	p[0] = 0xc0; /* child's write: a copy */
	KT_EXPECT_EQ(user_pages(), users + 1);
	mm_switch(parent);
	KT_EXPECT_EQ(p[0], 0xa0);
	p[0] = 0xb0; /* parent is now the last owner of the original: written in place */
	KT_EXPECT_EQ(user_pages(), users + 1);
	p[PAGE_SIZE / 4] = 0xb1; /* shared page 1: the parent copies */
	KT_EXPECT_EQ(user_pages(), users + 2);
	mm_switch(child);
	KT_EXPECT_EQ(p[0], 0xc0);
	KT_EXPECT_EQ(p[PAGE_SIZE / 4], 0xa1);
	mm_switch(parent);
	KT_EXPECT_EQ(p[0], 0xb0);
	KT_EXPECT_EQ(p[PAGE_SIZE / 4], 0xb1);
	KT_EXPECT_EQ(p[2 * PAGE_SIZE / 4], 0xa2);

	mm_put(child);
	leave_mm(parent);
	KT_EXPECT_EQ(free_pages(), before);
}

KTEST(vm_shared_anon_stays_shared_after_fork)
{
	u64 before = free_pages();
	struct mm *parent = enter_new_mm(), *child;
	volatile u32 *p;
	long addr;

	KT_ASSERT(parent);
	addr = vm_mmap(parent, 0, PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS, NULL, 0);
	KT_ASSERT(addr > 0);
	p = (volatile u32 *)addr;
	p[0] = 1;
	child = mm_clone(parent);
	KT_ASSERT(child);
	mm_switch(child);
	KT_EXPECT_EQ(p[0], 1);
	p[0] = 2;
	mm_switch(parent);
	KT_EXPECT_EQ(p[0], 2);
	mm_put(child);
	leave_mm(parent);
	KT_EXPECT_EQ(free_pages(), before);
}

KTEST(vm_mmap_flags_and_errors)
{
	struct mm *mm = enter_new_mm();
	unsigned long fixed = 0x40000000;
	long a, b;

	KT_ASSERT(mm);
	KT_EXPECT_EQ(vm_mmap(mm, 0, 0, RW, ANON_PRIVATE, NULL, 0), -EINVAL);
	KT_EXPECT_EQ(vm_mmap(mm, 0, PAGE_SIZE, RW, MAP_ANONYMOUS, NULL, 0), -EINVAL);
	KT_EXPECT_EQ(vm_mmap(mm, 0, PAGE_SIZE, 0x10, ANON_PRIVATE, NULL, 0), -EINVAL);
	KT_EXPECT_EQ(vm_mmap(mm, 0, PAGE_SIZE, RW, MAP_PRIVATE, NULL, 0), -EBADF);
	KT_EXPECT_EQ(vm_mmap(mm, fixed + 1, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED, NULL, 0), -EINVAL);
	KT_EXPECT_EQ(vm_mmap(mm, USER_TOP - PAGE_SIZE, 2 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED, NULL, 0),
		     -ENOMEM);
	KT_EXPECT_EQ(vm_mmap(mm, fixed, 4 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED, NULL, 0), (long)fixed);
	*(volatile int *)fixed = 7;
	KT_EXPECT_EQ(vm_mmap(mm, fixed, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED_NOREPLACE, NULL, 0), -EEXIST);
	/* MAP_FIXED over a mapping replaces it: the new page reads zero. */
	KT_EXPECT_EQ(vm_mmap(mm, fixed, PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED, NULL, 0), (long)fixed);
	KT_EXPECT_EQ(*(volatile int *)fixed, 0);
	/* The replacement merged with the rest: one area. */
	KT_EXPECT_EQ(mm->areas.count, 1);
	/* A free hint is honoured; a taken one is not. */
	a = vm_mmap(mm, 0x50000000, PAGE_SIZE, PROT_READ, ANON_PRIVATE, NULL, 0);
	KT_EXPECT_EQ(a, 0x50000000);
	b = vm_mmap(mm, 0x50000000, PAGE_SIZE, PROT_READ, ANON_PRIVATE, NULL, 0);
	KT_EXPECT(b > 0 && b != 0x50000000);
	KT_EXPECT_EQ(vma_check(&mm->areas), 0);
	leave_mm(mm);
}

KTEST(vm_munmap_and_mprotect_split_and_merge)
{
	struct mm *mm = enter_new_mm();
	unsigned long base = 0x40000000;
	volatile char *p = (volatile char *)base;

	KT_ASSERT(mm);
	KT_ASSERT(vm_mmap(mm, base, 8 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED, NULL, 0) == (long)base);
	p[0] = 'a';
	p[5 * PAGE_SIZE] = 'f';
	/* Unmap page 2: two areas, and the hole faults. */
	KT_EXPECT_EQ(vm_munmap(mm, base + 2 * PAGE_SIZE, PAGE_SIZE), 0);
	KT_EXPECT_EQ(mm->areas.count, 2);
	KT_EXPECT_EQ(vm_fault(mm, base + 2 * PAGE_SIZE, 0), -EFAULT);
	KT_EXPECT_EQ(vm_munmap(mm, base + 1, PAGE_SIZE), -EINVAL);
	KT_EXPECT_EQ(vm_munmap(mm, base + 100 * PAGE_SIZE, PAGE_SIZE), 0); /* nothing there: fine */
	/* Read-only in the middle of the upper area: three areas, writes refused, data kept. */
	KT_EXPECT_EQ(vm_mprotect(mm, base + 5 * PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	KT_EXPECT_EQ(mm->areas.count, 4);
	KT_EXPECT_EQ(vm_fault(mm, base + 5 * PAGE_SIZE, PF_WRITE | PF_USER), -EFAULT);
	KT_EXPECT_EQ(p[5 * PAGE_SIZE], 'f');
	/* PROT_NONE keeps the page; restoring access shows the same data. */
	KT_EXPECT_EQ(vm_mprotect(mm, base + 5 * PAGE_SIZE, PAGE_SIZE, PROT_NONE), 0);
	KT_EXPECT_EQ(vm_fault(mm, base + 5 * PAGE_SIZE, 0), -EFAULT);
	KT_EXPECT_EQ(vm_mprotect(mm, base + 5 * PAGE_SIZE, PAGE_SIZE, RW), 0);
	KT_EXPECT_EQ(p[5 * PAGE_SIZE], 'f');
	/* Back to one protection: the pieces merge again. */
	KT_EXPECT_EQ(mm->areas.count, 2);
	/* mprotect over the hole fails without changing anything. */
	KT_EXPECT_EQ(vm_mprotect(mm, base, 8 * PAGE_SIZE, PROT_READ), -ENOMEM);
	KT_EXPECT_EQ(mm->areas.count, 2);
	KT_EXPECT_EQ(vma_check(&mm->areas), 0);
	leave_mm(mm);
}

KTEST(vm_brk_grows_and_shrinks)
{
	struct mm *mm = enter_new_mm();
	unsigned long start = 0x600000;

	KT_ASSERT(mm);
	vm_set_brk_start(mm, start);
	KT_EXPECT_EQ(vm_brk(mm, 0), start);		 /* a query */
	KT_EXPECT_EQ(vm_brk(mm, start + 10000), start + 10000);
	*(volatile char *)(start + 9999) = 1;
	KT_EXPECT_EQ(vm_brk(mm, start - 1), start + 10000); /* below the start: refused */
	KT_EXPECT_EQ(vm_brk(mm, start + 100), start + 100);
	KT_EXPECT_EQ(vm_fault(mm, start + 2 * PAGE_SIZE, PF_WRITE), -EFAULT);
	KT_EXPECT_EQ(mm->areas.pages, 1);
	leave_mm(mm);
}

KTEST(vm_copy_user_faults_return_efault)
{
	struct mm *mm = enter_new_mm();
	char buf[64], name[16];
	unsigned long base = 0x40000000;
	static const char kernel_data[8] = "secret";

	KT_ASSERT(mm);
	KT_ASSERT(vm_mmap(mm, base, 2 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED, NULL, 0) == (long)base);
	/* Kernel addresses are refused before any access. */
	KT_EXPECT_EQ(copy_from_user(buf, kernel_data, sizeof(kernel_data)), -EFAULT);
	KT_EXPECT_EQ(copy_to_user((void *)kernel_data, buf, 1), -EFAULT);
	/* Unmapped user memory faults and is fixed up. */
	KT_EXPECT_EQ(copy_from_user(buf, (void *)0x70000000, 8), -EFAULT);
	KT_EXPECT_EQ(copy_from_user(buf, (void *)(base + 2 * PAGE_SIZE - 4), 8), -EFAULT);
	KT_EXPECT_EQ(clear_user((void *)(base + 2 * PAGE_SIZE - 4), 8), -EFAULT);
	/* ... also when the quadwords fit and the byte tail runs off the end. */
	KT_EXPECT_EQ(copy_from_user(buf, (void *)(base + 2 * PAGE_SIZE - 10), 12), -EFAULT);
	KT_EXPECT_EQ(copy_to_user((void *)(base + 2 * PAGE_SIZE - 10), buf, 12), -EFAULT);
	KT_EXPECT_EQ(clear_user((void *)(base + 2 * PAGE_SIZE - 10), 12), -EFAULT);
	/* 13 bytes across the two pages: a quadword and a five-byte tail, all there. */
	KT_EXPECT_EQ(copy_to_user((void *)(base + PAGE_SIZE - 6), "hello, world", 13), 0);
	KT_EXPECT_EQ(copy_from_user(buf, (void *)(base + PAGE_SIZE - 6), 13), 0);
	KT_EXPECT_STREQ(buf, "hello, world");
	KT_EXPECT_EQ(clear_user((void *)(base + PAGE_SIZE - 6), 11), 0);
	KT_EXPECT_EQ(copy_from_user(buf, (void *)(base + PAGE_SIZE - 6), 13), 0);
	KT_EXPECT_EQ(buf[10] | buf[0], 0);
	KT_EXPECT_EQ(buf[11], 'd');
	/* Mapped memory is demand-paged inside the copy. */
	KT_EXPECT_EQ(copy_to_user((void *)base, "hello", 6), 0);
	KT_EXPECT_EQ(copy_from_user(buf, (void *)base, 6), 0);
	KT_EXPECT_STREQ(buf, "hello");
	KT_EXPECT_EQ(strncpy_from_user(name, (void *)base, sizeof(name)), 5);
	KT_EXPECT_STREQ(name, "hello");
	KT_EXPECT_EQ(strncpy_from_user(name, (void *)base, 4), -ENAMETOOLONG);
	KT_EXPECT_EQ(strncpy_from_user(name, kernel_data, sizeof(name)), -EFAULT);
	KT_EXPECT_EQ(strncpy_from_user(name, (void *)0x70000000, sizeof(name)), -EFAULT);
	/* Read-only memory refuses a copy into it. */
	KT_EXPECT_EQ(vm_mprotect(mm, base, PAGE_SIZE, PROT_READ), 0);
	KT_EXPECT_EQ(copy_to_user((void *)base, "x", 1), -EFAULT);
	/* A range wrapping past the top of the user half. */
	KT_EXPECT_EQ(copy_from_user(buf, (void *)(USER_TOP - 4), 8), -EFAULT);
	leave_mm(mm);
}

KTEST(vm_memory_limit_refuses_with_enomem)
{
	struct mem_group g = { .name = "ktest", .limit = 8 };
	struct mm *mm = mm_create(&g);
	unsigned long base = 0x40000000;

	KT_ASSERT(mm);
	mm_switch(mm);
	KT_ASSERT(vm_mmap(mm, base, 16 * PAGE_SIZE, RW, ANON_PRIVATE | MAP_FIXED, NULL, 0) == (long)base);
	for (int i = 0; i < 8; i++)
		KT_EXPECT_EQ(vm_fault(mm, base + i * PAGE_SIZE, PF_WRITE), 0);
	KT_EXPECT_EQ(g.used, 8);
	KT_EXPECT_EQ(vm_fault(mm, base + 8 * PAGE_SIZE, PF_WRITE), -ENOMEM);
	KT_EXPECT_EQ(g.failures, 1);
	KT_EXPECT_EQ(mm_clone(mm), NULL); /* a copy would need 8 more */
	leave_mm(mm);
	KT_EXPECT_EQ(g.used, 0);
	KT_EXPECT_EQ(g.peak, 8);
}
