/* kernel/ktests/virtio_ktest.c: kernel tests of virtio-blk against the disk images tests/qemu/virtio.sh
 * makes (vdtest=SIZE[,SIZE2] says they are attached); without that parameter they skip. */
#include <granary/bcache.h>
#include <granary/blkdev.h>
#include <granary/cmdline.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/ktest.h>
#include <granary/page.h>
#include <granary/pci.h>
#include <granary/sched.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/trap.h>
#include <granary/vmalloc.h>
#include <granary/virtio.h>

/*
 * The image, as tests/qemu/virtio.sh writes it: sector s < 64 holds bytes (s + i) & 0xff, the
 * last sector LAST_TEXT then zeros, everything else zeros. The tests write sectors 128..143
 * (text lines the script checks) and 256..415 (the first 64 sectors' pattern, repeated).
 */
#define SECT 512
#define PAT_SECTORS 64
#define LAST_TEXT "granary virtio-blk test: last sector\n"
#define TEXT_FIRST 128
#define TEXT_SECTORS 16
#define BIG_FIRST 256
#define BIG_SECTORS 160 /* 80 KiB: two requests */

static u64 vdtest_size[2];

static int vdtest_param(const char *val)
{
	char buf[48], *comma;

	if (!val || strlcpy(buf, val, sizeof(buf)) >= sizeof(buf))
		return -EINVAL;
	comma = strchr(buf, ',');
	if (comma)
		*comma = '\0';
	if (kstrtou64(buf, &vdtest_size[0]) || (comma && kstrtou64(comma + 1, &vdtest_size[1])))
		return -EINVAL;
	return 0;
}
KERNEL_PARAM("vdtest", vdtest_param);

struct find_arg {
	const char *name;
	dev_t rdev;
};

static void find_one(const char *name, dev_t rdev, void *arg)
{
	struct find_arg *f = arg;

	if (!strcmp(name, f->name))
		f->rdev = rdev;
}

static dev_t find_disk(const char *name)
{
	struct find_arg f = { name, 0 };

	blkdev_foreach(find_one, &f);
	return f.rdev;
}

/* The test disk, held (blkdev_put() it), or NULL when the test should skip. */
static struct blkio *get_vda(dev_t *rdev_out)
{
	dev_t rdev;
	struct blkio *io;

	if (!vdtest_size[0]) {
		ktest_note("no vdtest=SIZE: no test disk attached, skipped");
		return NULL;
	}
	rdev = find_disk("vda");
	if (!rdev) {
		ktest_fail(__FILE__, __LINE__, "vdtest= given but no vda registered");
		return NULL;
	}
	io = blkdev_get(rdev);
	if (!io)
		ktest_fail(__FILE__, __LINE__, "vda registered but blkdev_get() refused it");
	if (rdev_out)
		*rdev_out = rdev;
	return io;
}

/* Set once virtio_blk_writes_reach_the_disk wrote its sectors (the tests run in any order). */
static bool wrote;

static void text_sector(u8 *p, unsigned s)
{
	for (unsigned line = 0; line < 16; line++) {
		char l[33];
		snprintf(l, sizeof(l), "vda sector %03u line %02u", s, line);
		memset(p + 32 * line, ' ', 31);
		memcpy(p + 32 * line, l, strlen(l));
		p[32 * line + 31] = '\n';
	}
}

/* What sector s of vda holds: the host's bytes, or the tests' where they wrote. */
static void expected_sector(u64 s, u8 *out)
{
	memset(out, 0, SECT);
	if (wrote && s >= TEXT_FIRST && s < TEXT_FIRST + TEXT_SECTORS) {
		text_sector(out, (unsigned)s);
		return;
	}
	if (wrote && s >= BIG_FIRST && s < BIG_FIRST + BIG_SECTORS)
		s = (s - BIG_FIRST) % PAT_SECTORS;
	if (s < PAT_SECTORS)
		for (unsigned i = 0; i < SECT; i++)
			out[i] = (u8)(s + i);
	else if (s == vdtest_size[0] / SECT - 1)
		memcpy(out, LAST_TEXT, sizeof(LAST_TEXT) - 1);
}

/* The first offset in [0, len) where buf differs from what the disk should hold at off (both
 * sector-aligned), or -1. */
static long pattern_mismatch(const u8 *buf, u64 off, size_t len)
{
	u8 want[SECT];

	for (size_t i = 0; i < len; i += SECT) {
		expected_sector((off + i) / SECT, want);
		for (size_t j = 0; j < SECT; j++)
			if (buf[i + j] != want[j])
				return (long)(i + j);
	}
	return -1;
}

static void big_fill(u8 *p)
{
	for (unsigned s = 0; s < BIG_SECTORS; s++)
		expected_sector(s % PAT_SECTORS, p + s * SECT);
}

static unsigned vda_irq_line(void)
{
	struct pci_dev *d;

	for (unsigned i = 0; (d = pci_find(VIRTIO_PCI_VENDOR, PCI_ANY_ID, i)); i++)
		if (d->driver)
			return d->irq_line;
	return 0xff;
}

KTEST(virtio_blk_disk_found_with_exact_size)
{
	dev_t rdev;
	struct blkio *io = get_vda(&rdev);
	u64 size = 0;

	if (!io)
		return;
	KT_EXPECT_EQ(MAJOR(rdev), BLKDEV_DYN_MAJOR);
	KT_EXPECT_EQ(blkio_block_size(io), 512);
	KT_EXPECT_EQ(blkio_get_size(io, &size), 0);
	KT_EXPECT_EQ(size, vdtest_size[0]);
	blkdev_put(io);
	if (vdtest_size[1]) {
		dev_t rdev2 = find_disk("vdb");
		KT_ASSERT(rdev2 && rdev2 != rdev);
		io = blkdev_get(rdev2);
		KT_ASSERT(io);
		KT_EXPECT_EQ(blkio_get_size(io, &size), 0);
		KT_EXPECT_EQ(size, vdtest_size[1]);
		blkdev_put(io);
	}
	KT_EXPECT_EQ(find_disk("vdz"), 0);
}

KTEST(virtio_blk_reads_the_host_pattern)
{
	struct blkio *io = get_vda(NULL);
	u64 size = vdtest_size[0];
	unsigned line = vda_irq_line();
	u64 irqs0 = line < 16 ? irq_count(IRQ_VECTOR_BASE + line) : 0;
	struct page *pg = NULL;
	size_t got = 0;
	u8 *all = NULL, *small = NULL;
	struct buf *b;

	if (!io)
		return;
	KT_ASSERT(line < 16);
	/* The whole disk into vmalloc memory: through the bounce buffer, many requests. */
	all = vmalloc(size);
	KT_ASSERT(all);
	memset(all, 0xee, size);
	KT_EXPECT_EQ(blkio_read(io, all, 0, size, &got), 0);
	KT_EXPECT_EQ(got, size);
	KT_EXPECT_EQ(pattern_mismatch(all, 0, size), -1);
	/* 96 KiB into direct-mapped pages: handed to the device as they are, two requests. */
	pg = page_alloc(5, 0);
	KT_ASSERT(pg);
	memset(page_address(pg), 0xee, 96 << 10);
	KT_EXPECT_EQ(blkio_read(io, page_address(pg), 0, 96 << 10, &got), 0);
	KT_EXPECT_EQ(got, 96 << 10);
	KT_EXPECT_EQ(pattern_mismatch(page_address(pg), 0, 96 << 10), -1);
	/* Three sectors from sector 61: the sector number reaches the device. */
	small = kmalloc(4 * SECT, 0);
	KT_ASSERT(small);
	KT_EXPECT_EQ(blkio_read(io, small, 61 * SECT, 3 * SECT, &got), 0);
	KT_EXPECT_EQ(got, 3 * SECT);
	KT_EXPECT_EQ(pattern_mismatch(small, 61 * SECT, 3 * SECT), -1);
	/* Four sectors asked at the last two: cut short, the last one's text there. */
	KT_EXPECT_EQ(blkio_read(io, small, size - 2 * SECT, 4 * SECT, &got), 0);
	KT_EXPECT_EQ(got, 2 * SECT);
	KT_EXPECT_EQ(pattern_mismatch(small, size - 2 * SECT, 2 * SECT), -1);
	KT_EXPECT(!memcmp(small + SECT, LAST_TEXT, sizeof(LAST_TEXT) - 1));
	/* Through the buffer cache, as a filesystem reads. */
	b = bcache_read(io, 7);
	KT_ASSERT(!IS_ERR(b));
	KT_EXPECT_EQ(pattern_mismatch(b->data, 7 * SECT, SECT), -1);
	bcache_release(b);
	KT_EXPECT_EQ(bcache_invalidate(io), 0);
	/* Completions came by interrupt. */
	KT_EXPECT(irq_count(IRQ_VECTOR_BASE + line) > irqs0);
	kfree(small);
	page_free(pg, 5);
	vfree(all);
	blkdev_put(io);
}

KTEST(virtio_blk_writes_reach_the_disk)
{
	struct blkio *io = get_vda(NULL);
	u8 *text = NULL, *back = NULL, *big;
	struct page *pg;
	size_t got = 0;

	if (!io)
		return;
	text = vmalloc(TEXT_SECTORS * SECT);
	back = vmalloc(BIG_SECTORS * SECT);
	pg = page_alloc(5, 0);
	KT_ASSERT(text && back && pg);
	big = page_address(pg);
	for (unsigned s = 0; s < TEXT_SECTORS; s++)
		text_sector(text + s * SECT, TEXT_FIRST + s);
	/* The first half from vmalloc memory (bounced), the second from the direct map. */
	KT_EXPECT_EQ(blkio_write(io, text, TEXT_FIRST * SECT, 8 * SECT, &got), 0);
	KT_EXPECT_EQ(got, 8 * SECT);
	memcpy(big, text + 8 * SECT, 8 * SECT);
	KT_EXPECT_EQ(blkio_write(io, big, (TEXT_FIRST + 8) * SECT, 8 * SECT, &got), 0);
	KT_EXPECT_EQ(got, 8 * SECT);
	big_fill(big);
	KT_EXPECT_EQ(blkio_write(io, big, BIG_FIRST * SECT, BIG_SECTORS * SECT, &got), 0);
	KT_EXPECT_EQ(got, BIG_SECTORS * SECT);
	KT_EXPECT_EQ(blkio_flush(io), 0);
	wrote = true;

	memset(back, 0, BIG_SECTORS * SECT);
	KT_EXPECT_EQ(blkio_read(io, back, TEXT_FIRST * SECT, TEXT_SECTORS * SECT, &got), 0);
	KT_EXPECT(!memcmp(back, text, TEXT_SECTORS * SECT));
	memset(back, 0, BIG_SECTORS * SECT);
	KT_EXPECT_EQ(blkio_read(io, back, BIG_FIRST * SECT, BIG_SECTORS * SECT, &got), 0);
	KT_EXPECT(!memcmp(back, big, BIG_SECTORS * SECT));
	/* The neighbours are untouched. */
	KT_EXPECT_EQ(blkio_read(io, back, (TEXT_FIRST - 1) * SECT, SECT, &got), 0);
	KT_EXPECT_EQ(pattern_mismatch(back, (TEXT_FIRST - 1) * SECT, SECT), -1);
	KT_EXPECT_EQ(blkio_read(io, back, (TEXT_FIRST + TEXT_SECTORS) * SECT, SECT, &got), 0);
	KT_EXPECT_EQ(pattern_mismatch(back, (TEXT_FIRST + TEXT_SECTORS) * SECT, SECT), -1);
	KT_EXPECT_EQ(blkio_read(io, back, (BIG_FIRST + BIG_SECTORS) * SECT, SECT, &got), 0);
	KT_EXPECT_EQ(pattern_mismatch(back, (BIG_FIRST + BIG_SECTORS) * SECT, SECT), -1);
	page_free(pg, 5);
	vfree(back);
	vfree(text);
	blkdev_put(io);
}

KTEST(virtio_blk_refuses_out_of_range_io)
{
	struct blkio *io = get_vda(NULL);
	u64 size = vdtest_size[0];
	size_t got = 12345;
	u8 *buf;

	if (!io)
		return;
	buf = kmalloc(2 * SECT, 0);
	KT_ASSERT(buf);
	KT_EXPECT_EQ(blkio_read(io, buf, size + SECT, SECT, &got), -EINVAL);
	KT_EXPECT_EQ(blkio_write(io, buf, size + SECT, SECT, &got), -EINVAL);
	KT_EXPECT_EQ(blkio_read(io, buf, 100, SECT, &got), -EINVAL);
	KT_EXPECT_EQ(blkio_read(io, buf, 0, 100, &got), -EINVAL);
	KT_EXPECT_EQ(blkio_read(io, NULL, 0, SECT, &got), -EINVAL);
	KT_EXPECT_EQ(blkio_write(io, buf, SECT + 1, SECT, &got), -EINVAL);
	KT_EXPECT_EQ(got, 12345); /* nothing moved, nothing reported */
	KT_EXPECT_EQ(blkio_read(io, buf, size, SECT, &got), 0);
	KT_EXPECT_EQ(got, 0);
	/* A write crossing the end stops there: the last sector gets its own bytes back. */
	KT_EXPECT_EQ(blkio_read(io, buf, size - SECT, SECT, &got), 0);
	memset(buf + SECT, 0x99, SECT);
	KT_EXPECT_EQ(blkio_write(io, buf, size - SECT, 2 * SECT, &got), 0);
	KT_EXPECT_EQ(got, SECT);
	KT_EXPECT_EQ(pattern_mismatch(buf, size - SECT, SECT), -1);
	kfree(buf);
	blkdev_put(io);
}

struct reader {
	struct blkio *io;
	u8 *buf;
	u64 off;
	unsigned rounds, bad;
};

static int reader_job(void *arg)
{
	struct reader *r = arg;
	size_t got;

	for (unsigned i = 0; i < r->rounds; i++) {
		memset(r->buf, 0, 32 << 10);
		if (blkio_read(r->io, r->buf, r->off, 32 << 10, &got) || got != 32 << 10 ||
		    pattern_mismatch(r->buf, r->off, 32 << 10) != -1)
			r->bad++;
	}
	return 0;
}

KTEST(virtio_blk_concurrent_readers)
{
	struct blkio *io = get_vda(NULL);
	struct reader r1, r2, r3;
	struct task *t1, *t2, *t3;
	struct page *pg;

	if (!io)
		return;
	pg = page_alloc(3, 0);
	r1 = (struct reader){ io, vmalloc(32 << 10), 0, 20, 0 };
	r2 = (struct reader){ io, vmalloc(32 << 10), 512 << 10, 20, 0 };
	r3 = (struct reader){ io, pg ? page_address(pg) : NULL, 0, 20, 0 };
	KT_ASSERT(pg && r1.buf && r2.buf);
	/* Two share the bounce buffer, one goes direct: requests overlap in the queue. */
	t1 = kthread_create("vblk-r1", 10, reader_job, &r1);
	t2 = kthread_create("vblk-r2", 10, reader_job, &r2);
	t3 = kthread_create("vblk-r3", 10, reader_job, &r3);
	KT_ASSERT(t1 && t2 && t3);
	task_join(t1);
	task_join(t2);
	task_join(t3);
	task_put(t1);
	task_put(t2);
	task_put(t3);
	KT_EXPECT_EQ(r1.bad, 0);
	KT_EXPECT_EQ(r2.bad, 0);
	KT_EXPECT_EQ(r3.bad, 0);
	vfree(r1.buf);
	vfree(r2.buf);
	page_free(pg, 3);
	blkdev_put(io);
}

static u64 free_pages(void)
{
	struct mem_stats s;

	slab_shrink();
	mem_get_stats(&s);
	return s.free;
}

KTEST(virtio_blk_unbinds_only_when_unused)
{
	dev_t rdev;
	struct blkio *io = get_vda(&rdev);
	struct pci_dev *pd = NULL, *d;
	struct pci_driver *drv;
	u8 *buf = NULL;
	size_t got;
	u64 before;

	if (!io)
		return;
	for (unsigned i = 0; (d = pci_find(VIRTIO_PCI_VENDOR, PCI_ANY_ID, i)); i++)
		if (d->driver && !pd)
			pd = d;
	KT_ASSERT(pd);
	drv = pd->driver;
	/* Held (as a mount holds it): unloading the driver would be refused. */
	KT_EXPECT(pci_module_busy(drv->owner));
	KT_EXPECT_EQ(pci_unregister_driver(drv), -EBUSY);
	KT_EXPECT(pd->driver == drv);
	blkdev_put(io);
	KT_EXPECT(!pci_module_busy(drv->owner));
	/* What module unload and load do: every disk goes, then comes back with its data. */
	before = free_pages();
	KT_ASSERT(pci_unregister_driver(drv) == 0);
	KT_EXPECT(pd->driver == NULL);
	KT_EXPECT_EQ(drv->bound, 0);
	KT_EXPECT_EQ(find_disk("vda"), 0);
	KT_EXPECT(blkdev_get(rdev) == NULL);
	KT_ASSERT(pci_register_driver(drv) == 0);
	KT_EXPECT(pd->driver == drv);
	KT_EXPECT_EQ(free_pages(), before);
	io = get_vda(NULL);
	KT_ASSERT(io);
	buf = kmalloc(PAT_SECTORS * SECT, 0);
	KT_ASSERT(buf);
	KT_EXPECT_EQ(blkio_read(io, buf, 0, PAT_SECTORS * SECT, &got), 0);
	KT_EXPECT_EQ(pattern_mismatch(buf, 0, PAT_SECTORS * SECT), -1);
	kfree(buf);
	blkdev_put(io);
}

/* The device's side of a ring, played by the test: nothing the "device" writes into the used
 * ring may make the driver free a descriptor twice or take a request that is not in flight. */
struct fake_used {
	u16 flags, idx;
	struct {
		u32 id, len;
	} ring[8];
};

KTEST(virtio_ring_rejects_a_hostile_used_ring)
{
	struct virtio_dev vd = { 0 };
	struct pci_dev pd = { 0 };
	struct virtqueue vq = { 0 };
	u16 next[8], chain_len[8];
	void *token[8];
	struct virtio_buf bufs[3] = { { 0x1000, 16, false }, { 0x2000, 512, true }, { 0x3000, 1, true } };
	struct fake_used *used;
	void *page = page_alloc_va(PA_ZERO);
	int a, b;
	u32 len;

	KT_ASSERT(page);
	vd.pci = &pd;
	vq = (struct virtqueue){ .vd = &vd, .num = 8, .num_free = 8, .next = next,
				 .chain_len = chain_len, .token = token };
	vq.desc = page;
	vq.avail = (void *)((u8 *)page + 16 * 8);
	used = (void *)((u8 *)page + 1024);
	vq.used = (void *)used;
	memset(chain_len, 0, sizeof(chain_len));
	memset(token, 0, sizeof(token));
	for (u16 i = 0; i < 8; i++)
		next[i] = (u16)(i + 1);

	KT_EXPECT_EQ(virtqueue_add(&vq, bufs, 3, NULL), -EINVAL);
	KT_EXPECT_EQ(virtqueue_add(&vq, bufs, 0, &a), -EINVAL);
	KT_EXPECT_EQ(virtqueue_add(&vq, bufs, 3, &a), 0);
	KT_EXPECT_EQ(virtqueue_add(&vq, bufs, 3, &b), 0);
	KT_EXPECT_EQ(virtqueue_add(&vq, bufs, 3, &b), -ENOSPC); /* 2 of 8 descriptors left */
	KT_EXPECT_EQ(vq.num_free, 2);
	KT_EXPECT_EQ(vq.avail_idx, 2);
	KT_EXPECT(virtqueue_get(&vq, &len) == NULL); /* nothing used yet */
	/* A proper completion of the second request (head 3) gives its token back. */
	used->ring[0].id = 3;
	used->ring[0].len = 513;
	used->idx = 1;
	KT_EXPECT(virtqueue_get(&vq, &len) == &b);
	KT_EXPECT_EQ(len, 513);
	KT_EXPECT_EQ(vq.num_free, 5);
	/* The same head again: not in flight any more. The queue is abandoned. */
	used->ring[1].id = 3;
	used->idx = 2;
	KT_EXPECT(virtqueue_get(&vq, &len) == NULL);
	KT_EXPECT(vq.broken);
	KT_EXPECT_EQ(vq.num_free, 5);
	KT_EXPECT_EQ(virtqueue_add(&vq, bufs, 3, &b), -EIO);
	/* After the reset the driver takes back what is still in flight, once. */
	KT_EXPECT(virtqueue_detach(&vq) == &a);
	KT_EXPECT(virtqueue_detach(&vq) == NULL);
	KT_EXPECT_EQ(vq.num_free, 8);

	/* A used index running ahead of the requests in flight, and an id out of range. */
	vq = (struct virtqueue){ .vd = &vd, .num = 8, .num_free = 8, .next = next, .chain_len = chain_len,
				 .token = token, .desc = vq.desc, .avail = vq.avail, .used = vq.used };
	memset(used, 0, sizeof(*used));
	for (u16 i = 0; i < 8; i++)
		next[i] = (u16)(i + 1);
	KT_EXPECT_EQ(virtqueue_add(&vq, bufs, 3, &a), 0);
	used->idx = 2;
	KT_EXPECT(virtqueue_get(&vq, &len) == NULL);
	KT_EXPECT(vq.broken);
	vq.broken = false;
	used->idx = 1;
	used->ring[0].id = 40;
	KT_EXPECT(virtqueue_get(&vq, &len) == NULL);
	KT_EXPECT(vq.broken);
	KT_EXPECT(virtqueue_detach(&vq) == &a);
	page_free_va(page);
}
