/* drivers/block/ramdisk.c: RAM disks: blkio objects over vmalloc'd memory, ramdisk=SIZE at boot.
 * Not persistent and not a tmpfs: the bytes go when the last reference does. */
#include <granary/blkdev.h>
#include <granary/cmdline.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/vmalloc.h>

#define RAMDISK_MAX (1ULL << 30) /* bounds what a command line can ask vmalloc for */
#define RAMDISK_BSIZE 512
#define RAM_UNITS 256 /* ramN names ramdisk_add() tries */

struct ramdisk {
	struct blkio io;
	u32 refs;
	u32 bsize;
	u64 size;
	u8 *mem; /* size bytes from vmalloc */
};

static struct ramdisk *rd_of(struct blkio *b) { return container_of(b, struct ramdisk, io); }

static int rd_query(struct blkio *b, const char *iid, void **out)
{
	if (!iid || !out || strcmp(iid, BLKIO_IID))
		return -EOPNOTSUPP;
	rd_of(b)->refs++;
	*out = b;
	return 0;
}

static u32 rd_addref(struct blkio *b) { return ++rd_of(b)->refs; }

static u32 rd_release(struct blkio *b)
{
	struct ramdisk *rd = rd_of(b);

	BUG_ON(!rd->refs);
	if (--rd->refs)
		return rd->refs;
	vfree(rd->mem);
	kfree(rd);
	return 0;
}

static u32 rd_block_size(struct blkio *b) { return rd_of(b)->bsize; }

static int rd_read(struct blkio *b, void *buf, u64 off, size_t len, size_t *actual)
{
	struct ramdisk *rd = rd_of(b);
	size_t n;
	int err = blkio_check(rd->bsize, rd->size, buf, off, len, &n);

	if (err || !actual)
		return err ? err : -EINVAL;
	memcpy(buf, rd->mem + off, n);
	*actual = n;
	return 0;
}

static int rd_write(struct blkio *b, const void *buf, u64 off, size_t len, size_t *actual)
{
	struct ramdisk *rd = rd_of(b);
	size_t n;
	int err = blkio_check(rd->bsize, rd->size, buf, off, len, &n);

	if (err || !actual)
		return err ? err : -EINVAL;
	memcpy(rd->mem + off, buf, n);
	*actual = n;
	return 0;
}

static int rd_get_size(struct blkio *b, u64 *size)
{
	if (!size)
		return -EINVAL;
	*size = rd_of(b)->size;
	return 0;
}

static const struct blkio_ops ramdisk_ops = {
	.query = rd_query,
	.addref = rd_addref,
	.release = rd_release,
	.block_size = rd_block_size,
	.read = rd_read,
	.write = rd_write,
	.get_size = rd_get_size,
	/* No set_size: a registered disk's size must not change under its cached blocks. No flush:
	 * memory is as durable as it gets. */
};

int ramdisk_create(u64 size, u32 block_size, struct blkio **out)
{
	struct ramdisk *rd;

	if (!out || block_size < 512 || block_size > 4096 || (block_size & (block_size - 1)))
		return -EINVAL;
	if (!size || size > RAMDISK_MAX || size % block_size)
		return -EINVAL;
	rd = kzalloc(sizeof(*rd));
	if (!rd)
		return -ENOMEM;
	rd->mem = vmalloc(size); /* zeroed */
	if (!rd->mem) {
		kfree(rd);
		return -ENOMEM;
	}
	rd->io.ops = &ramdisk_ops;
	rd->refs = 1;
	rd->bsize = block_size;
	rd->size = size;
	*out = &rd->io;
	return 0;
}

int ramdisk_add(u64 size, dev_t *rdev_out)
{
	struct blkio *io;
	char name[BLKDEV_NAME_MAX];
	int err = ramdisk_create(size, RAMDISK_BSIZE, &io);

	if (err)
		return err;
	err = -ENOSPC;
	for (unsigned unit = 0; unit < RAM_UNITS && err == -ENOSPC; unit++) {
		snprintf(name, sizeof(name), "ram%u", unit);
		err = blkdev_register(name, io, rdev_out);
		if (err == -EEXIST)
			err = -ENOSPC; /* taken: try the next unit */
	}
	obj_release(io); /* the registry's reference is the only one now, or none */
	return err;
}

#ifndef MODULE
static u64 boot_size;

/* SIZE is bytes, or a number with K, M or G (powers of 1024). */
static int param_ramdisk(const char *val)
{
	char num[24];
	size_t len;
	unsigned shift = 0;
	u64 v;

	if (!val || !*val || (len = strlen(val)) >= sizeof(num))
		return -EINVAL;
	strlcpy(num, val, sizeof(num));
	switch (num[len - 1]) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	}
	if (shift)
		num[len - 1] = '\0';
	if (kstrtou64(num, &v) || v > (RAMDISK_MAX >> shift))
		return -EINVAL;
	v <<= shift;
	if (!v || v % RAMDISK_BSIZE)
		return -EINVAL;
	boot_size = v;
	return 0;
}
KERNEL_PARAM("ramdisk", param_ramdisk);

void ramdisk_boot(void)
{
	dev_t rdev;
	int err;

	if (!boot_size)
		return;
	err = ramdisk_add(boot_size, &rdev);
	if (err)
		pr_err("ramdisk: cannot create a %llu-byte disk: %d\n", (unsigned long long)boot_size, err);
	else
		pr_info("ramdisk: ram%u, %llu KiB, device %u:%u\n", MINOR(rdev),
			(unsigned long long)(boot_size >> 10), MAJOR(rdev), MINOR(rdev));
}
#endif
