/* drivers/virtio/virtio_pci.c: the virtio 1.0 ("modern") PCI transport: capabilities, status,
 * features, device configuration and queue registers. Not the rings (virtio_ring.c), not legacy I/O. */
#define pr_fmt(fmt) "virtio: " fmt

#include <granary/cpu.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/module.h>
#include <granary/pci.h>
#include <granary/virtio.h>

#include "virtio_pci.h"

/* Capability types (virtio_pci_cap.cfg_type). */
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4

/* virtio_pci_cap fields, from the capability's start. */
#define CAP_CFG_TYPE 3
#define CAP_BAR 4
#define CAP_OFFSET 8
#define CAP_LENGTH 12
#define CAP_NOTIFY_MULT 16

/* Common configuration registers. */
#define C_DFSELECT 0x00
#define C_DF 0x04
#define C_GFSELECT 0x08
#define C_GF 0x0c
#define C_MSIX 0x10
#define C_NUMQ 0x12
#define C_STATUS 0x14
#define C_GEN 0x15
#define C_Q_SELECT 0x16
#define C_Q_SIZE 0x18
#define C_Q_MSIX 0x1a
#define C_Q_ENABLE 0x1c
#define C_Q_NOFF 0x1e
#define C_Q_DESC 0x20
#define C_Q_AVAIL 0x28
#define C_Q_USED 0x30
#define COMMON_LEN 0x38

#define NO_VECTOR 0xffff
#define RESET_SPINS 1000000
#define GEN_TRIES 16

struct region {
	volatile u8 *p;
	u32 len;
};

/* Maps the region a capability at pos describes, checking it lies inside a memory BAR. */
static int map_cap(struct pci_dev *pci, u8 pos, struct region *r)
{
	u8 bar = pci_read8(pci, pos + CAP_BAR);
	u32 off = pci_read32(pci, pos + CAP_OFFSET), len = pci_read32(pci, pos + CAP_LENGTH);
	struct pci_bar *b;
	u8 *base;

	if (bar >= PCI_NUM_BARS)
		return -ENODEV;
	b = &pci->bar[bar];
	if (b->io || !b->size || (u64)off + len > b->size)
		return -ENODEV;
	base = pci_iomap(pci, bar);
	if (!base)
		return -ENOMEM;
	r->p = base + off;
	r->len = len;
	return 0;
}

static void set_status(struct virtio_dev *vd, u8 bits)
{
	mmio_write8(vd->common + C_STATUS, mmio_read8(vd->common + C_STATUS) | bits);
}

u8 virtio_status(struct virtio_dev *vd)
{
	return mmio_read8(vd->common + C_STATUS);
}
EXPORT_SYMBOL(virtio_status);

static int reset(struct virtio_dev *vd)
{
	mmio_write8(vd->common + C_STATUS, 0);
	/* The device may take a while to drop its queues; reading 0 says it is done. */
	for (unsigned i = 0; i < RESET_SPINS; i++) {
		if (!mmio_read8(vd->common + C_STATUS))
			return 0;
		cpu_relax();
	}
	return -EIO;
}

void virtio_reset(struct virtio_dev *vd)
{
	if (reset(vd))
		pr_warn("%02x:%02x.%u does not finish its reset\n", vd->pci->bus, vd->pci->slot, vd->pci->func);
}
EXPORT_SYMBOL(virtio_reset);

void virtio_fail(struct virtio_dev *vd)
{
	set_status(vd, VIRTIO_S_FAILED);
}
EXPORT_SYMBOL(virtio_fail);

int virtio_pci_open(struct virtio_dev *vd, struct pci_dev *pci)
{
	struct region common = { 0 }, notify = { 0 }, isr = { 0 }, dev = { 0 };
	u32 mult = 0;
	u8 pos = 0;
	int err;

	vd->pci = pci;
	/* The first capability of each type is the one to use (virtio 1.0, 4.1.4). */
	while ((pos = pci_find_capability(pci, PCI_CAP_VENDOR, pos))) {
		u8 type = pci_read8(pci, pos + CAP_CFG_TYPE);
		struct region *r = type == CAP_COMMON ? &common : type == CAP_NOTIFY ? &notify :
				   type == CAP_ISR ? &isr : type == CAP_DEVICE ? &dev : NULL;

		if (!r || r->p)
			continue;
		if (pci_read8(pci, pos + 2) < (type == CAP_NOTIFY ? 20 : 16))
			continue; /* cap_len too short for the fields we would read */
		err = map_cap(pci, pos, r);
		if (err == -ENOMEM)
			return err;
		if (err)
			continue;
		if (type == CAP_NOTIFY)
			mult = pci_read32(pci, pos + CAP_NOTIFY_MULT);
	}
	if (!common.p || common.len < COMMON_LEN || !notify.p || notify.len < 2 || !isr.p || !isr.len)
		return -ENODEV; /* a legacy-only device, or a broken one */
	vd->common = common.p;
	vd->isr = isr.p;
	vd->notify = notify.p;
	vd->notify_len = notify.len;
	vd->notify_mult = mult;
	vd->devcfg = dev.p;
	vd->devcfg_len = dev.p ? dev.len : 0;
	vd->features = 0;
	if (reset(vd))
		return -EIO;
	set_status(vd, VIRTIO_S_ACKNOWLEDGE);
	set_status(vd, VIRTIO_S_DRIVER);
	return 0;
}
EXPORT_SYMBOL(virtio_pci_open);

u64 virtio_device_features(struct virtio_dev *vd)
{
	u64 f;

	mmio_write32(vd->common + C_DFSELECT, 0);
	f = mmio_read32(vd->common + C_DF);
	mmio_write32(vd->common + C_DFSELECT, 1);
	return f | (u64)mmio_read32(vd->common + C_DF) << 32;
}
EXPORT_SYMBOL(virtio_device_features);

int virtio_negotiate(struct virtio_dev *vd, u64 wanted)
{
	u64 f = virtio_device_features(vd) & (wanted | 1ULL << VIRTIO_F_VERSION_1);

	if (!(f & 1ULL << VIRTIO_F_VERSION_1))
		return -ENODEV;
	mmio_write32(vd->common + C_GFSELECT, 0);
	mmio_write32(vd->common + C_GF, (u32)f);
	mmio_write32(vd->common + C_GFSELECT, 1);
	mmio_write32(vd->common + C_GF, (u32)(f >> 32));
	set_status(vd, VIRTIO_S_FEATURES_OK);
	/* The device clears FEATURES_OK if it cannot work with this subset. */
	if (!(virtio_status(vd) & VIRTIO_S_FEATURES_OK))
		return -ENODEV;
	vd->features = f;
	return 0;
}
EXPORT_SYMBOL(virtio_negotiate);

static u64 cfg_read(struct virtio_dev *vd, u32 off, unsigned width)
{
	volatile u8 *p = vd->devcfg + off;

	switch (width) {
	case 1:
		return mmio_read8(p);
	case 2:
		return mmio_read16(p);
	case 4:
		return mmio_read32(p);
	default: /* 64-bit fields are read as two 32-bit halves (virtio 1.0, 4.1.3.1) */
		return mmio_read32(p) | (u64)mmio_read32(p + 4) << 32;
	}
}

int virtio_config_read(struct virtio_dev *vd, u32 off, unsigned width, u64 *out)
{
	if (width != 1 && width != 2 && width != 4 && width != 8)
		return -EINVAL;
	if (!vd->devcfg || off > vd->devcfg_len || width > vd->devcfg_len - off)
		return -EINVAL;
	if (off & (width > 4 ? 3 : width - 1))
		return -EINVAL;
	for (unsigned i = 0; i < GEN_TRIES; i++) {
		u8 gen = mmio_read8(vd->common + C_GEN);
		u64 v = cfg_read(vd, off, width);
		if (mmio_read8(vd->common + C_GEN) == gen) {
			*out = v;
			return 0;
		}
	}
	return -EIO;
}
EXPORT_SYMBOL(virtio_config_read);

void virtio_driver_ok(struct virtio_dev *vd)
{
	set_status(vd, VIRTIO_S_DRIVER_OK);
}
EXPORT_SYMBOL(virtio_driver_ok);

u8 virtio_isr(struct virtio_dev *vd)
{
	return mmio_read8(vd->isr);
}
EXPORT_SYMBOL(virtio_isr);

/* ---- queue registers, for virtio_ring.c ---- */

static void write64(volatile u8 *p, u64 v)
{
	mmio_write32(p, (u32)v);
	mmio_write32(p + 4, (u32)(v >> 32));
}

int virtio_queue_size(struct virtio_dev *vd, u16 index, u16 *size)
{
	if (index >= mmio_read16(vd->common + C_NUMQ))
		return -ENOENT;
	mmio_write16(vd->common + C_Q_SELECT, index);
	*size = mmio_read16(vd->common + C_Q_SIZE);
	return *size ? 0 : -ENOENT;
}

int virtio_queue_enable(struct virtio_dev *vd, u16 index, u16 size, phys_addr_t desc, phys_addr_t avail,
			phys_addr_t used, volatile u16 **notify_addr)
{
	u64 noff;

	mmio_write16(vd->common + C_Q_SELECT, index);
	noff = (u64)mmio_read16(vd->common + C_Q_NOFF) * vd->notify_mult;
	if (noff > vd->notify_len || vd->notify_len - noff < 2)
		return -ENODEV;
	mmio_write16(vd->common + C_Q_SIZE, size);
	/* Interrupts come as INTx: MSI-X stays off, so no vector is named. */
	mmio_write16(vd->common + C_Q_MSIX, NO_VECTOR);
	write64(vd->common + C_Q_DESC, desc);
	write64(vd->common + C_Q_AVAIL, avail);
	write64(vd->common + C_Q_USED, used);
	mmio_write16(vd->common + C_Q_ENABLE, 1);
	*notify_addr = (volatile u16 *)(vd->notify + noff);
	return 0;
}
