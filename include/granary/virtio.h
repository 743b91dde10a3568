/* include/granary/virtio.h: the virtio 1.0 PCI transport (modern capabilities) and split virtqueues,
 * for virtio device drivers. Not a device driver itself (virtio_blk.c is one), and no legacy interface. */
#ifndef GRANARY_VIRTIO_H
#define GRANARY_VIRTIO_H

#include <granary/page.h>
#include <granary/pci.h>
#include <granary/types.h>

#define VIRTIO_PCI_VENDOR 0x1af4

/* Device status bits. */
#define VIRTIO_S_ACKNOWLEDGE 1
#define VIRTIO_S_DRIVER 2
#define VIRTIO_S_DRIVER_OK 4
#define VIRTIO_S_FEATURES_OK 8
#define VIRTIO_S_NEEDS_RESET 64
#define VIRTIO_S_FAILED 128

/* Transport feature bits; device-specific ones are below 24. */
#define VIRTIO_F_VERSION_1 32

/* Interrupt status bits (reading the ISR register clears them). */
#define VIRTIO_ISR_QUEUE 1
#define VIRTIO_ISR_CONFIG 2

/* One virtio device on the PCI transport. The pointers are into pci_iomap()'d BARs, each
 * region checked to lie inside its BAR. */
struct virtio_dev {
	struct pci_dev *pci;
	volatile u8 *common;
	volatile u8 *isr;
	volatile u8 *notify;
	u64 notify_len;
	u32 notify_mult;
	volatile u8 *devcfg; /* NULL when the device has no configuration space */
	u32 devcfg_len;
	u64 features; /* negotiated */
};

/* A buffer of a request: len bytes at physical addr, written by the device if device_writes. */
struct virtio_buf {
	phys_addr_t addr;
	u32 len;
	bool device_writes;
};

/* A split virtqueue in zeroed, physically contiguous pages. The caller serialises every call
 * on one queue (an irq-save lock: completions are usually collected in the interrupt handler). */
struct virtqueue {
	struct virtio_dev *vd;
	u16 index, num;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	volatile u16 *notify_addr;
	u16 free_head, num_free;
	u16 in_flight; /* requests (chains) the device holds */
	u16 avail_idx, last_used;
	/* The driver's own copy of each descriptor's link and each chain's length: the rings are
	 * device-writable memory, so nothing read back from them is trusted. */
	u16 *next, *chain_len;
	void **token; /* per chain head: the caller's token while in flight, else NULL */
	struct page *pages;
	unsigned order;
	bool broken; /* the device broke the ring protocol: nothing more is taken from it */
};

/* Finds the modern capabilities of a virtio PCI device, maps them, resets the device and sets
 * ACKNOWLEDGE and DRIVER. 0; -ENODEV for a device without (valid) modern capabilities, -ENOMEM
 * when a BAR cannot be mapped, -EIO if the device does not reset. */
int virtio_pci_open(struct virtio_dev *vd, struct pci_dev *pci);
/* Resets the device (status 0): it stops using every queue and raises no more interrupts. */
void virtio_reset(struct virtio_dev *vd);
/* Marks the device FAILED: the driver gave up on it. */
void virtio_fail(struct virtio_dev *vd);
/* The device's feature bits. */
u64 virtio_device_features(struct virtio_dev *vd);
/* Accepts the features in wanted the device offers (VERSION_1 is required and always asked
 * for) and sets FEATURES_OK. 0 with vd->features set; -ENODEV without VERSION_1 or when the
 * device refuses the set. */
int virtio_negotiate(struct virtio_dev *vd, u64 wanted);
/* Reads a width-byte (1, 2, 4 or 8) little-endian field at off of the device configuration,
 * consistently (retried while the device's configuration generation changes). 0; -EINVAL for a
 * field outside the configuration or misaligned; -EIO if it never reads consistently. */
int virtio_config_read(struct virtio_dev *vd, u32 off, unsigned width, u64 *out);
/* Sets DRIVER_OK: the device may now use its queues. */
void virtio_driver_ok(struct virtio_dev *vd);
/* Reads (and so clears) the interrupt status: VIRTIO_ISR_* bits. */
u8 virtio_isr(struct virtio_dev *vd);
/* The device status register. */
u8 virtio_status(struct virtio_dev *vd);

/* Sets up queue index with at most max_num entries (a power of two; the device's size if
 * smaller). 0 with *out; -ENOENT if the device has no such queue, -EINVAL for a device size
 * that is not a power of two, -ENODEV for a notify address outside its region, -ENOMEM. */
int virtqueue_create(struct virtio_dev *vd, u16 index, u16 max_num, struct virtqueue **out);
/* Frees a queue: only after virtio_reset(), when the device no longer touches it. */
void virtqueue_destroy(struct virtqueue *vq);
/* Makes bufs[0..n) one request (the device-readable ones first) with token (non-NULL) given
 * back by virtqueue_get(). 0; -ENOSPC when fewer than n descriptors are free; -EINVAL; -EIO
 * on a broken queue. The device is not told until virtqueue_kick(). */
int virtqueue_add(struct virtqueue *vq, const struct virtio_buf *bufs, unsigned n, void *token);
/* Tells the device new requests are available. */
void virtqueue_kick(struct virtqueue *vq);
/* The token of the next completed request, with the bytes the device says it wrote in *len;
 * NULL when none is complete, or when the device broke the protocol (vq->broken set). */
void *virtqueue_get(struct virtqueue *vq, u32 *len);
/* After a reset: the token of a request still in flight, taken off the queue; NULL when none. */
void *virtqueue_detach(struct virtqueue *vq);

#endif
