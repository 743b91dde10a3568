/* kernel/ktests/blkio_ktest.c: kernel tests of RAM disks, the block-device registry and block-device files.
 * The buffer cache's own rules are tested on the host (tests/host/test_bcache.c); here it runs for real. */
#include <granary/bcache.h>
#include <granary/blkdev.h>
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/ktest.h>
#include <granary/page.h>
#include <granary/sched.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/uaccess.h>
#include <granary/vm.h>
#include <uapi/fcntl.h>
#include <uapi/mman.h>

#ifdef CONFIG_RAMDISK

#define UBASE 0x40000000UL /* the tests' user buffer */
#define UPAGES 4

static u64 free_pages(void)
{
	struct mem_stats s;

	slab_shrink();
	mem_get_stats(&s);
	return s.free;
}

/* A fresh address space with UPAGES of user memory at UBASE, switched to; NULL on failure. */
static struct mm *enter_user_mm(void)
{
	struct mm *mm = mm_create(NULL);

	if (!mm)
		return NULL;
	mm_switch(mm);
	if (vm_mmap(mm, UBASE, UPAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) != (long)UBASE) {
		mm_switch(NULL);
		mm_put(mm);
		return NULL;
	}
	return mm;
}

static void leave_user_mm(struct mm *mm)
{
	mm_switch(NULL);
	mm_put(mm);
}

static const struct file_ops no_ops;

/* A struct file opened on rdev, or NULL (with *err set). */
static struct file *open_blk(dev_t rdev, int *err)
{
	struct file *f = file_alloc(&no_ops, O_RDWR, NULL);

	*err = f ? blkdev_open(f, rdev) : -ENOMEM;
	if (f && *err) {
		file_put(f);
		f = NULL;
	}
	return f;
}

static u8 pat(size_t i) { return (u8)(i * 13 + 7); }

KTEST(blkio_ramdisk_checks_every_request)
{
	struct blkio *io, *q = NULL;
	static u8 buf[2048];
	size_t actual;
	u64 size = 0;

	KT_EXPECT_EQ(ramdisk_create(4096, 256, &io), -EINVAL);
	KT_EXPECT_EQ(ramdisk_create(4096, 8192, &io), -EINVAL);
	KT_EXPECT_EQ(ramdisk_create(3000, 1000, &io), -EINVAL);
	KT_EXPECT_EQ(ramdisk_create(0, 512, &io), -EINVAL);
	KT_EXPECT_EQ(ramdisk_create(4096 + 512, 1024, &io), -EINVAL);
	KT_EXPECT_EQ(ramdisk_create(4096, 512, NULL), -EINVAL);
	KT_ASSERT(ramdisk_create(8 * 1024, 1024, &io) == 0);
	KT_EXPECT_EQ(blkio_block_size(io), 1024);
	KT_EXPECT_EQ(blkio_get_size(io, &size), 0);
	KT_EXPECT_EQ(size, 8192);
	/* Zero-filled; misaligned offsets and lengths, NULL buffers and offsets past the end refused. */
	memset(buf, 0xff, sizeof(buf));
	KT_EXPECT_EQ(blkio_read(io, buf, 1024, 2048, &actual), 0);
	KT_EXPECT_EQ(actual, 2048);
	KT_EXPECT(buf[0] == 0 && buf[2047] == 0);
	KT_EXPECT_EQ(blkio_read(io, buf, 512, 1024, &actual), -EINVAL);
	KT_EXPECT_EQ(blkio_read(io, buf, 0, 1000, &actual), -EINVAL);
	KT_EXPECT_EQ(blkio_write(io, NULL, 0, 1024, &actual), -EINVAL);
	KT_EXPECT_EQ(blkio_read(io, buf, 9216, 1024, &actual), -EINVAL);
	/* At the end: nothing; across it: short. */
	KT_EXPECT_EQ(blkio_read(io, buf, 8192, 1024, &actual), 0);
	KT_EXPECT_EQ(actual, 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pat(i);
	KT_EXPECT_EQ(blkio_write(io, buf, 7168, 2048, &actual), 0);
	KT_EXPECT_EQ(actual, 1024);
	memset(buf, 0, sizeof(buf));
	KT_EXPECT_EQ(blkio_read(io, buf, 6144, 2048, &actual), 0);
	KT_EXPECT_EQ(actual, 2048);
	KT_EXPECT(buf[1023] == 0 && buf[1024] == pat(0) && buf[2047] == pat(1023));
	/* Optional calls and the interface query. */
	KT_EXPECT_EQ(blkio_set_size(io, 4096), -EOPNOTSUPP);
	KT_EXPECT_EQ(blkio_flush(io), 0);
	KT_EXPECT_EQ(obj_query(io, "ttystream", (void **)&q), -EOPNOTSUPP);
	KT_EXPECT_EQ(obj_query(io, BLKIO_IID, (void **)&q), 0);
	KT_EXPECT(q == io);
	KT_EXPECT_EQ(obj_release(io), 1);
	KT_EXPECT_EQ(obj_release(io), 0); /* freed */
}

struct seen {
	dev_t rdev[8];
	char names[8][BLKDEV_NAME_MAX];
	int n;
};

static void note_dev(const char *name, dev_t rdev, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		strlcpy(s->names[s->n], name, BLKDEV_NAME_MAX);
		s->rdev[s->n++] = rdev;
	}
}

KTEST(blkio_registry_names_numbers_and_users)
{
	struct blkio *a, *b;
	struct seen seen = { .n = 0 };
	dev_t ra = 0, rb = 0, rc = 0;

	KT_ASSERT(ramdisk_create(4096, 512, &a) == 0);
	KT_ASSERT(ramdisk_create(4096, 512, &b) == 0);
	KT_EXPECT_EQ(blkdev_register("", a, NULL), -EINVAL);
	KT_EXPECT_EQ(blkdev_register("Ram0", a, NULL), -EINVAL);
	KT_EXPECT_EQ(blkdev_register("a/b", a, NULL), -EINVAL);
	KT_EXPECT_EQ(blkdev_register("abcdefghijklmnop", a, NULL), -EINVAL); /* 16 characters */
	KT_EXPECT_EQ(blkdev_register("ktest", NULL, NULL), -EINVAL);
	KT_EXPECT_EQ(blkdev_register("ram37", a, &ra), 0);
	KT_EXPECT_EQ(ra, MKDEV(BLKDEV_RAM_MAJOR, 37));
	KT_EXPECT_EQ(blkdev_register("ram37", b, NULL), -EEXIST);
	KT_EXPECT_EQ(blkdev_register("ktestdisk", b, &rb), 0);
	KT_EXPECT_EQ(MAJOR(rb), BLKDEV_DYN_MAJOR);
	/* The same object under a second name: a second number. */
	KT_EXPECT_EQ(blkdev_register("ram037", b, &rc), 0);
	KT_EXPECT_EQ(MAJOR(rc), BLKDEV_DYN_MAJOR);
	KT_EXPECT(MINOR(rc) != MINOR(rb));
	KT_EXPECT_EQ(obj_addref(a), 3); /* ours, the registry's, this probe */
	obj_release(a);
	blkdev_foreach(note_dev, &seen);
	KT_ASSERT(seen.n >= 3);
	KT_EXPECT_STREQ(seen.names[seen.n - 3], "ram37");
	KT_EXPECT_EQ(seen.rdev[seen.n - 3], ra);
	KT_EXPECT_STREQ(seen.names[seen.n - 1], "ram037");
	KT_EXPECT_EQ(seen.rdev[seen.n - 1], rc);
	/* A holder keeps it registered. */
	KT_EXPECT(blkdev_get(MKDEV(BLKDEV_RAM_MAJOR, 36)) == NULL);
	KT_EXPECT(blkdev_get(ra) == a);
	KT_EXPECT_EQ(blkdev_unregister(ra), -EBUSY);
	blkdev_put(a);
	KT_EXPECT_EQ(blkdev_unregister(ra), 0);
	KT_EXPECT_EQ(blkdev_unregister(ra), -ENXIO);
	KT_EXPECT(blkdev_get(ra) == NULL);
	KT_EXPECT_EQ(blkdev_unregister(rb), 0);
	KT_EXPECT_EQ(blkdev_unregister(rc), 0);
	KT_EXPECT_EQ(obj_release(a), 0);
	KT_EXPECT_EQ(obj_release(b), 0);
}

/* Writes and reads through a block-device file: partial blocks, the end, faults, stat, ioctl. */
static void file_round_trip(void)
{
	char __user *u = (char __user *)UBASE;
	static u8 kbuf[PAGE_SIZE];
	struct bcache_stats s0, s;
	struct mm *mm = enter_user_mm();
	struct file *f = NULL;
	struct blkio *io;
	struct kstat k;
	dev_t rdev;
	size_t actual;
	u64 size64 = 0;
	int err;

	KT_ASSERT(mm);
	bcache_get_stats(&s0);
	KT_ASSERT(ramdisk_add(64 * 1024, &rdev) == 0);
	KT_EXPECT_EQ(MAJOR(rdev), BLKDEV_RAM_MAJOR);
	f = open_blk(rdev, &err);
	KT_ASSERT(f);
	KT_EXPECT_EQ(open_blk(MKDEV(BLKDEV_DYN_MAJOR, 0xfffff), &err) == NULL, 1);
	KT_EXPECT_EQ(err, -ENXIO);

	/* 3000 bytes at 700: a partial first block, whole blocks, a partial last one. */
	for (size_t i = 0; i < 3000; i++)
		kbuf[i] = pat(i);
	KT_ASSERT(copy_to_user(u, kbuf, 3000) == 0);
	f->pos = 700;
	KT_EXPECT_EQ(f->ops->write(f, u, 3000), 3000);
	KT_EXPECT_EQ(f->pos, 3700);
	f->pos = 0;
	KT_EXPECT_EQ(f->ops->read(f, u + PAGE_SIZE, 4096), 4096);
	KT_EXPECT_EQ(f->pos, 4096);
	KT_ASSERT(copy_from_user(kbuf, u + PAGE_SIZE, 4096) == 0);
	KT_EXPECT(kbuf[699] == 0 && kbuf[3700] == 0);
	KT_EXPECT(kbuf[700] == pat(0) && kbuf[1024] == pat(324) && kbuf[3699] == pat(2999));
	/* A fault moves nothing and leaves the device and the position alone. */
	f->pos = 700;
	KT_EXPECT_EQ(f->ops->write(f, (const char __user *)kbuf, 10), -EFAULT);
	KT_EXPECT_EQ(f->ops->write(f, (const char __user *)0x70000000, 1024), -EFAULT);
	KT_EXPECT_EQ(f->ops->read(f, (char __user *)kbuf, 10), -EFAULT);
	KT_EXPECT_EQ(f->pos, 700);
	/* A read that faults past its first page returns what it moved. */
	f->pos = 0;
	KT_EXPECT_EQ(f->ops->read(f, u + (UPAGES - 1) * PAGE_SIZE, 2 * PAGE_SIZE), PAGE_SIZE);
	KT_EXPECT_EQ(f->pos, PAGE_SIZE);
	/* The end of the device: short, then nothing to read and no room to write. */
	f->pos = 64 * 1024 - 100;
	KT_EXPECT_EQ(f->ops->write(f, u, 300), 100);
	KT_EXPECT_EQ(f->ops->read(f, u, 10), 0);
	KT_EXPECT_EQ(f->ops->write(f, u, 10), -ENOSPC);
	KT_EXPECT_EQ(f->ops->write(f, u, 0), 0);
	f->pos = 1ULL << 40;
	KT_EXPECT_EQ(f->ops->read(f, u, 10), 0);
	/* stat and ioctls. */
	memset(&k, 0, sizeof(k));
	f->ops->stat(f, &k);
	KT_EXPECT_EQ(f->ops->ifmt, S_IFBLK);
	KT_EXPECT_EQ(k.size, 64 * 1024);
	KT_EXPECT_EQ(k.rdev, dev_encode(rdev));
	KT_EXPECT_EQ(k.blksize, 512);
	KT_EXPECT_EQ(f->ops->ioctl(f, 0x80081272, UBASE), 0); /* BLKGETSIZE64 */
	KT_EXPECT_EQ(copy_from_user(&size64, u, 8), 0);
	KT_EXPECT_EQ(size64, 64 * 1024);
	KT_EXPECT_EQ(f->ops->ioctl(f, 0x80081272, (unsigned long)kbuf), -EFAULT);
	KT_EXPECT_EQ(f->ops->ioctl(f, 0x1234, 0), -ENOTTY);
	KT_EXPECT_EQ(f->ops->poll(f), POLLIN | POLLOUT);

	/* Open: cannot go. Closed: the dirty blocks reach the device. */
	KT_EXPECT_EQ(blkdev_unregister(rdev), -EBUSY);
	bcache_get_stats(&s);
	KT_EXPECT(s.dirty >= 7); /* blocks 1-7 and the last one */
	io = blkdev_get(rdev);
	KT_ASSERT(io);
	memset(kbuf, 0, 1024);
	KT_EXPECT_EQ(blkio_read(io, kbuf, 1024, 1024, &actual), 0);
	KT_EXPECT_EQ(kbuf[0], 0); /* not written back yet */
	blkdev_put(io);
	file_put(f);
	bcache_get_stats(&s);
	KT_EXPECT_EQ(s.dirty, 0);
	KT_EXPECT_EQ(s.held, 0);
	io = blkdev_get(rdev);
	KT_ASSERT(io);
	KT_EXPECT_EQ(blkio_read(io, kbuf, 1024, 1024, &actual), 0);
	KT_EXPECT_EQ(kbuf[0], pat(324));
	KT_EXPECT_EQ(kbuf[1023], pat(1347));
	blkdev_put(io);
	KT_EXPECT_EQ(blkdev_unregister(rdev), 0);
	bcache_get_stats(&s);
	KT_EXPECT_EQ(s.buffers, s0.buffers); /* its buffers went with it */
	leave_user_mm(mm);
}

KTEST(blkio_blkdev_file_reads_and_writes_bytes)
{
	file_round_trip();
}

KTEST(blkio_blkdev_file_gives_back_its_memory)
{
	u64 before;

	file_round_trip(); /* warms page tables and slab caches that stay */
	before = free_pages();
	file_round_trip();
	KT_EXPECT_EQ(free_pages(), before);
}

KTEST(blkio_blkdev_many_blocks_through_a_small_cache)
{
	struct mm *mm = enter_user_mm();
	char __user *u = (char __user *)UBASE;
	static u8 kbuf[PAGE_SIZE];
	struct bcache_stats s0, s;
	struct file *f;
	dev_t rdev;
	int err;

	KT_ASSERT(mm);
	bcache_get_stats(&s0);
	KT_ASSERT(bcache_set_limit(8) == 0);
	KT_ASSERT(ramdisk_add(128 * 1024, &rdev) == 0);
	f = open_blk(rdev, &err);
	KT_ASSERT(f);
	/* 256 blocks through 8 buffers: every block evicted and written back at least once. */
	for (u32 i = 0; i < 128 * 1024 / PAGE_SIZE; i++) {
		memset(kbuf, (int)(i + 1), PAGE_SIZE);
		KT_ASSERT(copy_to_user(u, kbuf, PAGE_SIZE) == 0);
		KT_EXPECT_EQ(f->ops->write(f, u, PAGE_SIZE), PAGE_SIZE);
	}
	bcache_get_stats(&s);
	KT_EXPECT(s.buffers <= 8);
	KT_EXPECT(s.writebacks - s0.writebacks >= 248);
	f->pos = 0;
	for (u32 i = 0; i < 128 * 1024 / PAGE_SIZE; i++) {
		KT_EXPECT_EQ(f->ops->read(f, u, PAGE_SIZE), PAGE_SIZE);
		KT_ASSERT(copy_from_user(kbuf, u, PAGE_SIZE) == 0);
		KT_EXPECT(kbuf[0] == (u8)(i + 1) && kbuf[PAGE_SIZE - 1] == (u8)(i + 1));
	}
	file_put(f);
	KT_EXPECT_EQ(blkdev_unregister(rdev), 0);
	KT_EXPECT_EQ(bcache_set_limit(s0.limit), 0);
	leave_user_mm(mm);
}

/* A device that sleeps in every read and write, as virtio-blk will: a RAM disk behind a delay. */
struct slowdev {
	struct blkio io;
	struct blkio *inner;
	int reads, writes;
};

static struct slowdev *slow_of(struct blkio *b) { return container_of(b, struct slowdev, io); }
static int slow_query(struct blkio *b, const char *iid, void **out) { return -EOPNOTSUPP; }
static u32 slow_ref(struct blkio *b) { return 1; } /* lives on the test's stack */
static u32 slow_block_size(struct blkio *b) { return blkio_block_size(slow_of(b)->inner); }
static int slow_get_size(struct blkio *b, u64 *size) { return blkio_get_size(slow_of(b)->inner, size); }

static int slow_read(struct blkio *b, void *buf, u64 off, size_t len, size_t *actual)
{
	slow_of(b)->reads++;
	sched_sleep_ticks(2);
	return blkio_read(slow_of(b)->inner, buf, off, len, actual);
}

static int slow_write(struct blkio *b, const void *buf, u64 off, size_t len, size_t *actual)
{
	slow_of(b)->writes++;
	sched_sleep_ticks(2);
	return blkio_write(slow_of(b)->inner, buf, off, len, actual);
}

static const struct blkio_ops slow_ops = {
	.query = slow_query, .addref = slow_ref, .release = slow_ref,
	.block_size = slow_block_size, .read = slow_read, .write = slow_write,
	.get_size = slow_get_size,
};

struct cache_job {
	struct blkio *io;
	u64 blockno;
	struct buf *got;
};

static int read_job(void *arg)
{
	struct cache_job *j = arg;

	j->got = bcache_read(j->io, j->blockno);
	return 0;
}

/* Takes the block without reading it and fills it slowly, as a write faulting on user memory would. */
static int slow_fill_job(void *arg)
{
	struct cache_job *j = arg;
	struct buf *b = bcache_get(j->io, j->blockno);

	if (IS_ERR(b))
		return 1;
	sched_sleep_ticks(3);
	memset(b->data, 0x77, b->size);
	bcache_mark_dirty(b);
	bcache_release(b);
	return 0;
}

KTEST(blkio_bcache_waits_for_a_sleeping_device)
{
	struct slowdev sd = { .io.ops = &slow_ops };
	struct cache_job j1, j2;
	struct task *t1, *t2;
	struct bcache_stats s0, s;

	KT_ASSERT(ramdisk_create(16 * 1024, 1024, &sd.inner) == 0);
	bcache_get_stats(&s0);
	/* Two readers of one block: the second finds it being filled and waits; one device read. */
	j1 = (struct cache_job){ &sd.io, 3, NULL };
	j2 = j1;
	t1 = kthread_create("bc-read1", 10, read_job, &j1);
	t2 = kthread_create("bc-read2", 20, read_job, &j2);
	KT_ASSERT(t1 && t2);
	task_join(t1);
	task_join(t2);
	task_put(t1);
	task_put(t2);
	KT_ASSERT(!IS_ERR(j1.got) && !IS_ERR(j2.got));
	KT_EXPECT(j1.got == j2.got);
	KT_EXPECT_EQ(sd.reads, 1);
	bcache_get_stats(&s);
	KT_EXPECT_EQ(s.hits - s0.hits, 1);
	KT_EXPECT_EQ(s.held, s0.held + 1);
	bcache_release(j1.got);
	bcache_release(j2.got);
	/* A reader of a block someone is filling by hand gets the filled bytes, not the device's. */
	j1 = (struct cache_job){ &sd.io, 5, NULL };
	j2 = j1;
	t1 = kthread_create("bc-fill", 10, slow_fill_job, &j1);
	t2 = kthread_create("bc-read", 20, read_job, &j2);
	KT_ASSERT(t1 && t2);
	KT_EXPECT_EQ(task_join(t1), 0);
	task_join(t2);
	task_put(t1);
	task_put(t2);
	KT_ASSERT(!IS_ERR(j2.got));
	KT_EXPECT_EQ(j2.got->data[0], 0x77);
	KT_EXPECT_EQ(j2.got->data[1023], 0x77);
	KT_EXPECT_EQ(sd.reads, 1);
	bcache_release(j2.got);
	/* Written back through the sleeping device, then gone. */
	KT_EXPECT_EQ(bcache_sync(&sd.io), 0);
	KT_EXPECT_EQ(sd.writes, 1);
	KT_EXPECT_EQ(bcache_invalidate(&sd.io), 0);
	obj_release(sd.inner);
}

#endif /* CONFIG_RAMDISK */
