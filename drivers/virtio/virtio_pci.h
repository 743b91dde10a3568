/* drivers/virtio/virtio_pci.h: the queue registers of the PCI transport, for virtio_ring.c only.
 * Drivers use include/granary/virtio.h. */
#ifndef DRIVERS_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_PCI_H

#include <granary/virtio.h>

/* The device's maximum size for queue index: 0 with *size, or -ENOENT if it has no such queue. */
int virtio_queue_size(struct virtio_dev *vd, u16 index, u16 *size);
/* Gives the device queue index's rings (size entries) and enables it. 0 with the queue's notify
 * address, checked to lie inside the notify region; -ENODEV if it does not. */
int virtio_queue_enable(struct virtio_dev *vd, u16 index, u16 size, phys_addr_t desc, phys_addr_t avail,
			phys_addr_t used, volatile u16 **notify_addr);

#endif
