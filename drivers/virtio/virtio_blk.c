/* drivers/virtio/virtio_blk.c: virtio block devices (vda, vdb, ...) as blkio objects, over the PCI
 * transport, one request queue each, completions by interrupt. Not partitions, discard or multiqueue. */
#define pr_fmt(fmt) "virtio_blk: " fmt

#include <granary/blkdev.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/module.h>
#include <granary/page.h>
#include <granary/paging.h>
#include <granary/pci.h>
#include <granary/sched.h>
#include <granary/slab.h>
#include <granary/spinlock.h>
#include <granary/string.h>
#include <granary/time.h>
#include <granary/virtio.h>
#include <granary/wait.h>

/* Feature bits. */
#define VBLK_F_RO 5
#define VBLK_F_BLK_SIZE 6
#define VBLK_F_FLUSH 9

/* Configuration fields. */
#define CFG_CAPACITY 0 /* le64, in 512-byte sectors whatever blk_size says */
#define CFG_BLK_SIZE 20

/* Request types and status values. */
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define S_OK 0
#define S_IOERR 1
#define S_UNSUPP 2

#define SECTOR 512
#define QUEUE_MAX 128
#define SLOTS 32		/* requests in flight per device: 3 descriptors each */
#define CHUNK (64u << 10)	/* bytes per request, and the size of the bounce buffer */
#define TIMEOUT_S 30		/* a request the device has not finished by then breaks it */
#define MAX_DISKS 26

/* What the device reads and writes besides the data: header and status of one request. */
struct vblk_slot {
	u32 type;
	u32 reserved;
	u64 sector;
	u8 status;
} __aligned(32);

struct vblk_req {
	bool done;
	u32 len; /* what the device says it wrote */
};

struct vblk {
	struct blkio io;
	u32 refs;
	struct virtio_dev vd;
	struct virtqueue *vq;
	spinlock_t lock;	/* vq, broken: shared with the interrupt handler */
	struct wait_queue wq;	/* completions, free slots and the bounce buffer */
	struct vblk_slot *slots; /* one page */
	u32 slot_used;		/* bitmap */
	u8 *bounce;
	bool bounce_busy;
	bool broken; /* reset after a protocol violation or timeout: every request fails */
	bool gone;   /* removed: the object lives on only for its last references */
	bool ro, can_flush;
	u32 bsize;
	u64 size;
	int index; /* 0 for vda */
	dev_t rdev;
	char name[8];
};

static bool disk_used[MAX_DISKS];

static struct vblk *vb_of(struct blkio *b) { return container_of(b, struct vblk, io); }

static int vb_query(struct blkio *b, const char *iid, void **out)
{
	if (!iid || !out || strcmp(iid, BLKIO_IID))
		return -EOPNOTSUPP;
	vb_of(b)->refs++;
	*out = b;
	return 0;
}

static u32 vb_addref(struct blkio *b) { return ++vb_of(b)->refs; }

static u32 vb_release(struct blkio *b)
{
	struct vblk *vb = vb_of(b);

	BUG_ON(!vb->refs);
	if (--vb->refs)
		return vb->refs;
	kfree(vb); /* remove() already let go of the device */
	return 0;
}

static u32 vb_block_size(struct blkio *b) { return vb_of(b)->bsize; }

/* The device is unusable: stop it (no more DMA, no more interrupts) and fail every request. */
static void make_broken(struct vblk *vb, const char *why)
{
	unsigned long f = spin_lock_irqsave(&vb->lock);

	if (!vb->broken) {
		vb->broken = true;
		virtio_reset(&vb->vd);
		pr_err("%s: %s; device reset, all I/O fails from now on\n", vb->name, why);
	}
	spin_unlock_irqrestore(&vb->lock, f);
	wake_up(&vb->wq);
}

static int take_slot(struct vblk *vb)
{
	for (int i = 0; i < SLOTS; i++)
		if (!(vb->slot_used & (1u << i))) {
			vb->slot_used |= 1u << i;
			return i;
		}
	return -1;
}

/* One request: header, optional data of len bytes at physical data, status. Sleeps until the
 * device answers. 0, -EIO (device error, broken device, bad answer), -EOPNOTSUPP. */
static int submit(struct vblk *vb, u32 type, u64 sector, phys_addr_t data, u32 len, bool data_in)
{
	struct vblk_req req = { .done = false };
	struct virtio_buf bufs[3];
	struct vblk_slot *s;
	unsigned n = 0;
	unsigned long f;
	int slot = -1, err;
	u8 status;

	/* Only tasks free slots, so claiming one inside the condition cannot race the handler. */
	wait_event(vb->wq, vb->broken || (slot = take_slot(vb)) >= 0);
	if (vb->broken) {
		if (slot >= 0)
			vb->slot_used &= ~(1u << slot);
		return -EIO;
	}
	s = &vb->slots[slot];
	s->type = type;
	s->reserved = 0;
	s->sector = sector;
	s->status = 0xff;
	bufs[n++] = (struct virtio_buf){ virt_to_phys(s), 16, false };
	if (len)
		bufs[n++] = (struct virtio_buf){ data, len, data_in };
	bufs[n++] = (struct virtio_buf){ virt_to_phys(&s->status), 1, true };

	f = spin_lock_irqsave(&vb->lock);
	err = vb->broken ? -EIO : virtqueue_add(vb->vq, bufs, n, &req);
	if (!err)
		virtqueue_kick(vb->vq);
	spin_unlock_irqrestore(&vb->lock, f);
	if (!err && wait_event_timeout(vb->wq, READ_ONCE(req.done) || vb->broken, TIMEOUT_S * CONFIG_HZ))
		make_broken(vb, "request timed out");
	if (!err && !READ_ONCE(req.done))
		err = -EIO; /* broken meanwhile: the reset guarantees the device let go of req */
	status = READ_ONCE(s->status);
	vb->slot_used &= ~(1u << slot);
	wake_up(&vb->wq);
	if (err)
		return err;
	if (req.len > (data_in ? len : 0) + 1u) {
		pr_err("%s: device claims %u bytes written of %u\n", vb->name, req.len, (data_in ? len : 0) + 1);
		return -EIO;
	}
	if (status == S_OK)
		return 0;
	if (status == S_UNSUPP)
		return -EOPNOTSUPP;
	if (status != S_IOERR)
		pr_err("%s: bad status byte %#x\n", vb->name, status);
	return -EIO;
}

/* Memory in the direct map is physically contiguous and can be handed to the device as is;
 * anything else (vmalloc, stacks, module data) goes through the bounce buffer. */
static bool dma_direct(const void *p, size_t len)
{
	unsigned long a = (unsigned long)p, top = DIRECT_MAP_BASE + (max_pfn << PAGE_SHIFT);

	return a >= DIRECT_MAP_BASE && a < top && len <= top - a;
}

static int transfer(struct vblk *vb, bool write, u8 *buf, u64 off, size_t n)
{
	for (size_t done = 0; done < n;) {
		u32 chunk = (u32)min(n - done, (size_t)CHUNK);
		u8 *p = buf + done;
		bool bounce = !dma_direct(p, chunk);
		int err;

		if (bounce) {
			wait_event(vb->wq, vb->broken || !vb->bounce_busy);
			if (vb->broken)
				return -EIO;
			vb->bounce_busy = true;
			if (write)
				memcpy(vb->bounce, p, chunk);
		}
		err = submit(vb, write ? T_OUT : T_IN, (off + done) / SECTOR,
			     virt_to_phys(bounce ? vb->bounce : p), chunk, !write);
		if (bounce) {
			if (!err && !write)
				memcpy(p, vb->bounce, chunk);
			vb->bounce_busy = false;
			wake_up(&vb->wq);
		}
		if (err)
			return err;
		done += chunk;
	}
	return 0;
}

/* The blkio read and write: checked against the disk, then one transfer() each way. */
static int vb_rw(struct blkio *b, bool write, void *buf, u64 off, size_t len, size_t *actual)
{
	struct vblk *vb = vb_of(b);
	size_t n;
	int err = blkio_check(vb->bsize, vb->size, buf, off, len, &n);

	if (err || !actual)
		return err ? err : -EINVAL;
	if (vb->gone)
		return -ENXIO;
	if (write && vb->ro)
		return -EROFS;
	err = transfer(vb, write, buf, off, n);
	if (!err)
		*actual = n;
	return err;
}

static int vb_read(struct blkio *b, void *buf, u64 off, size_t len, size_t *actual)
{
	return vb_rw(b, false, buf, off, len, actual);
}

static int vb_write(struct blkio *b, const void *buf, u64 off, size_t len, size_t *actual)
{
	/* The device only reads the buffer; the cast lets one transfer() serve both directions. */
	return vb_rw(b, true, (void *)buf, off, len, actual);
}

static int vb_get_size(struct blkio *b, u64 *size)
{
	if (!size)
		return -EINVAL;
	*size = vb_of(b)->size;
	return 0;
}

static int vb_flush(struct blkio *b)
{
	struct vblk *vb = vb_of(b);

	if (vb->gone)
		return -ENXIO;
	/* Without VIRTIO_BLK_F_FLUSH the device writes through: nothing to do. */
	return vb->can_flush ? submit(vb, T_FLUSH, 0, 0, 0, false) : 0;
}

static const struct blkio_ops vblk_ops = {
	.query = vb_query,
	.addref = vb_addref,
	.release = vb_release,
	.owner = THIS_MODULE, /* an open or mounted disk holds the driver */
	.block_size = vb_block_size,
	.read = vb_read,
	.write = vb_write,
	.get_size = vb_get_size,
	.flush = vb_flush,
};

static bool vb_irq(struct pci_dev *pci, void *arg)
{
	struct vblk *vb = arg;
	struct vblk_req *req;
	bool bad;
	u32 len;
	u8 isr = virtio_isr(&vb->vd); /* reading it lowers the line */

	if (!isr || isr == 0xff)
		return false; /* another device on the shared line (or ours is gone) */
	spin_lock(&vb->lock);
	while (!vb->broken && (req = virtqueue_get(vb->vq, &len))) {
		req->len = len;
		WRITE_ONCE(req->done, true);
	}
	bad = vb->vq->broken;
	spin_unlock(&vb->lock);
	if (bad)
		make_broken(vb, "device broke the used ring");
	wake_up(&vb->wq);
	return true;
}

/* Reads and checks the configuration: size and block size. */
static int read_config(struct vblk *vb)
{
	u64 cap, bs;
	int err = virtio_config_read(&vb->vd, CFG_CAPACITY, 8, &cap);

	if (err)
		return err;
	vb->bsize = SECTOR;
	if (vb->vd.features & (1ULL << VBLK_F_BLK_SIZE)) {
		err = virtio_config_read(&vb->vd, CFG_BLK_SIZE, 4, &bs);
		if (err)
			return err;
		if (bs >= 512 && bs <= 4096 && !(bs & (bs - 1)))
			vb->bsize = (u32)bs;
		else
			pr_warn("%s: block size %llu ignored, using 512\n", vb->name, (unsigned long long)bs);
	}
	if (cap > (~0ULL >> 9)) {
		pr_err("%s: capacity of %#llx sectors does not fit in 64 bits of bytes\n", vb->name,
		       (unsigned long long)cap);
		return -EINVAL;
	}
	vb->size = ALIGN_DOWN(cap * SECTOR, (u64)vb->bsize);
	vb->ro = vb->vd.features & (1ULL << VBLK_F_RO);
	vb->can_flush = vb->vd.features & (1ULL << VBLK_F_FLUSH);
	return 0;
}

static int vb_probe(struct pci_dev *pci, const struct pci_device_id *id)
{
	struct vblk *vb;
	int err, i;

	for (i = 0; i < MAX_DISKS && disk_used[i]; i++)
		;
	if (i == MAX_DISKS)
		return -ENOSPC;
	vb = kzalloc(sizeof(*vb));
	if (!vb)
		return -ENOMEM;
	vb->io.ops = &vblk_ops;
	vb->refs = 1; /* the driver's, dropped in remove */
	vb->index = i;
	snprintf(vb->name, sizeof(vb->name), "vd%c", 'a' + i);
	wait_queue_init(&vb->wq);

	pci_enable_device(pci);
	err = virtio_pci_open(&vb->vd, pci);
	if (err)
		goto out_disable;
	err = virtio_negotiate(&vb->vd, 1ULL << VBLK_F_RO | 1ULL << VBLK_F_BLK_SIZE | 1ULL << VBLK_F_FLUSH);
	if (err)
		goto out_fail;
	err = read_config(vb);
	if (err)
		goto out_fail;
	err = -ENOMEM;
	vb->slots = page_alloc_va(PA_ZERO);
	if (!vb->slots)
		goto out_fail;
	BUILD_BUG_ON(SLOTS * sizeof(struct vblk_slot) > PAGE_SIZE);
	/* Above a page, kmalloc() hands out whole page blocks: physically contiguous. */
	vb->bounce = kmalloc(CHUNK, 0);
	if (!vb->bounce)
		goto out_slots;
	err = virtqueue_create(&vb->vd, 0, QUEUE_MAX, &vb->vq);
	if (err)
		goto out_bounce;
	err = pci_request_irq(pci, vb_irq, vb);
	if (err)
		goto out_vq;
	virtio_driver_ok(&vb->vd);
	err = blkdev_register(vb->name, &vb->io, &vb->rdev);
	if (err)
		goto out_irq;
	disk_used[i] = true;
	pci_set_drvdata(pci, vb);
	pr_info("%s: %llu bytes in %u-byte blocks%s%s, IRQ %u, queue of %u\n", vb->name,
		(unsigned long long)vb->size, vb->bsize, vb->ro ? ", read-only" : "",
		vb->can_flush ? ", write cache flushed on sync" : "", pci->irq_line, vb->vq->num);
	return 0;

out_irq:
	pci_free_irq(pci);
out_vq:
	virtio_reset(&vb->vd);
	virtqueue_destroy(vb->vq);
out_bounce:
	kfree(vb->bounce);
out_slots:
	page_free_va(vb->slots);
out_fail:
	virtio_fail(&vb->vd);
out_disable:
	pci_disable_device(pci);
	kfree(vb);
	pr_warn("%02x:%02x.%u: not set up: error %d\n", pci->bus, pci->slot, pci->func, err);
	return err;
}

/* In use while anyone but the registry and the driver holds the blkio (an open file, a mount). */
static bool vb_busy(struct pci_dev *pci)
{
	struct vblk *vb = pci_get_drvdata(pci);

	return vb && vb->refs > 2;
}

static int vb_remove(struct pci_dev *pci)
{
	struct vblk *vb = pci_get_drvdata(pci);
	int err = blkdev_unregister(vb->rdev); /* writes cached blocks back first */

	if (err)
		return err;
	virtio_reset(&vb->vd);
	pci_free_irq(pci);
	virtqueue_destroy(vb->vq);
	kfree(vb->bounce);
	page_free_va(vb->slots);
	pci_disable_device(pci);
	disk_used[vb->index] = false;
	vb->gone = true;
	pr_info("%s: removed\n", vb->name);
	obj_release(&vb->io);
	return 0;
}

static const struct pci_device_id vblk_ids[] = {
	{ VIRTIO_PCI_VENDOR, 0x1001, 0, 0 }, /* transitional */
	{ VIRTIO_PCI_VENDOR, 0x1042, 0, 0 }, /* modern only */
	{ 0, 0, 0, 0 },
};

static struct pci_driver vblk_driver = {
	.name = "virtio_blk",
	.owner = THIS_MODULE,
	.id_table = vblk_ids,
	.probe = vb_probe,
	.remove = vb_remove,
	.busy = vb_busy,
};

static int vblk_init(void)
{
	return pci_register_driver(&vblk_driver);
}

static void vblk_exit(void)
{
	int err = pci_unregister_driver(&vblk_driver);

	if (err)
		pr_err("cannot unregister: error %d (a disk is in use)\n", err);
}

module_init(vblk_init);
module_exit(vblk_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("virtio block devices (vda, vdb, ...) on the virtio 1.0 PCI transport");
MODULE_AUTHOR("Granary");
MODULE_VERSION("1.0");
