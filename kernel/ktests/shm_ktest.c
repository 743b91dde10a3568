/* kernel/ktests/shm_ktest.c: kernel tests of shared memory: System V segments and named objects.
 * Two address spaces map the same object and see each other's writes; the last reference frees it. */
#include <granary/errno.h>
#include <granary/ktest.h>
#include <granary/paging.h>
#include <granary/shm.h>
#include <granary/vm.h>
#include <uapi/mman.h>

KTEST(shm_sysv_segment_shared_and_freed_on_last_detach)
{
	u64 objs0, pages0, objs, pages;
	struct mm *a = mm_create(NULL), *b = mm_create(NULL);
	long key = 0x5ca1ab1e, at_a, at_b;
	int id;

	KT_ASSERT(a && b);
	shm_stats(&objs0, &pages0);
	id = shm_get(key, 3 * PAGE_SIZE, IPC_CREAT | 0600);
	KT_ASSERT(id > 0);
	KT_EXPECT_EQ(shm_get(key, PAGE_SIZE, 0), id);
	KT_EXPECT_EQ(shm_get(key, PAGE_SIZE, IPC_CREAT | IPC_EXCL), -EEXIST);
	KT_EXPECT_EQ(shm_get(key, 4 * PAGE_SIZE, 0), -EINVAL); /* larger than the segment */
	KT_EXPECT_EQ(shm_get(key + 1, PAGE_SIZE, 0), -ENOENT);
	KT_EXPECT_EQ(shm_get(IPC_PRIVATE, 0, IPC_CREAT), -EINVAL);

	at_a = shm_attach(a, id, 0, 0);
	at_b = shm_attach(b, id, 0x30000000, 0);
	KT_ASSERT(at_a > 0);
	KT_EXPECT_EQ(at_b, 0x30000000);
	mm_switch(a);
	((volatile u32 *)at_a)[1024] = 0xfeed; /* page 1 */
	mm_switch(b);
	KT_EXPECT_EQ(((volatile u32 *)at_b)[1024], 0xfeed);
	((volatile u32 *)at_b)[0] = 0xbeef;
	mm_switch(a);
	KT_EXPECT_EQ(((volatile u32 *)at_a)[0], 0xbeef);
	mm_switch(NULL);
	shm_stats(&objs, &pages);
	KT_EXPECT_EQ(objs, objs0 + 1);
	KT_EXPECT_EQ(pages, pages0 + 2); /* only the touched pages exist */

	KT_EXPECT_EQ(shm_attach(a, id + 1000, 0, 0), -EINVAL);
	KT_EXPECT_EQ(shm_detach(a, at_a + PAGE_SIZE), -EINVAL);
	KT_EXPECT_EQ(shm_remove(id), 0);
	KT_EXPECT_EQ(shm_get(key, PAGE_SIZE, 0), -ENOENT); /* the id is gone ... */
	shm_stats(&objs, &pages);
	KT_EXPECT_EQ(objs, objs0 + 1); /* ... the memory is not, while attached */
	KT_EXPECT_EQ(shm_detach(a, at_a), 0);
	mm_put(b); /* the last attachment goes with its address space */
	mm_put(a);
	shm_stats(&objs, &pages);
	KT_EXPECT_EQ(objs, objs0);
	KT_EXPECT_EQ(pages, pages0);
}

KTEST(shm_named_objects_open_close)
{
	u64 objs0, pages0, objs, pages;
	struct shm_object *o, *again;
	struct mm *mm = mm_create(NULL);
	long at;

	KT_ASSERT(mm);
	shm_stats(&objs0, &pages0);
	KT_EXPECT_EQ(PTR_ERR(shm_open_named("ktest.buf", PAGE_SIZE, 0)), -ENOENT);
	o = shm_open_named("ktest.buf", 2 * PAGE_SIZE, IPC_CREAT);
	KT_ASSERT(!IS_ERR(o));
	KT_EXPECT_EQ(PTR_ERR(shm_open_named("ktest.buf", PAGE_SIZE, IPC_CREAT | IPC_EXCL)), -EEXIST);
	again = shm_open_named("ktest.buf", 0, 0);
	KT_EXPECT(again == o);
	shm_object_put(again);
	KT_EXPECT_EQ(PTR_ERR(shm_open_named("", PAGE_SIZE, IPC_CREAT)), -EINVAL);

	at = vm_mmap(mm, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, o, 0);
	KT_ASSERT(at > 0);
	mm_switch(mm);
	*(volatile int *)at = 42;
	mm_switch(NULL);
	KT_EXPECT_EQ(shm_close_named("ktest.buf"), 0);
	KT_EXPECT_EQ(shm_close_named("ktest.buf"), -ENOENT);
	shm_object_put(o); /* the handle */
	shm_stats(&objs, &pages);
	KT_EXPECT_EQ(objs, objs0 + 1); /* still mapped */
	mm_put(mm);
	shm_stats(&objs, &pages);
	KT_EXPECT_EQ(objs, objs0);
	KT_EXPECT_EQ(pages, pages0);
}
