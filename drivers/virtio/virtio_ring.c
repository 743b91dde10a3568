/* drivers/virtio/virtio_ring.c: split virtqueues: descriptor table, available and used rings in
 * DMA-able pages, requests in, completions out. No indirect descriptors and no event index. */
#define pr_fmt(fmt) "virtio: " fmt

#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/module.h>
#include <granary/page.h>
#include <granary/paging.h>
#include <granary/slab.h>
#include <granary/virtio.h>

#include "virtio_pci.h"

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2

struct virtq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

struct virtq_avail {
	u16 flags;
	u16 idx;
	u16 ring[];
};

struct virtq_used_elem {
	u32 id;
	u32 len;
};

struct virtq_used {
	u16 flags;
	u16 idx;
	struct virtq_used_elem ring[];
};

/* x86 keeps stores in order and loads in order, and the rings are ordinary write-back memory;
 * a full fence before the doorbell also orders the ring stores against the uncached MMIO store. */
#define mb() __asm__ __volatile__("mfence" ::: "memory")

int virtqueue_create(struct virtio_dev *vd, u16 index, u16 max_num, struct virtqueue **out)
{
	size_t avail_off, used_off, bytes;
	struct virtqueue *vq;
	u16 dev_num, num;
	phys_addr_t base;
	u8 *mem;
	int err;

	if (!max_num || (max_num & (max_num - 1)))
		return -EINVAL;
	err = virtio_queue_size(vd, index, &dev_num);
	if (err)
		return err;
	if (dev_num & (dev_num - 1))
		return -EINVAL; /* a split queue's size is a power of two */
	num = min(dev_num, max_num);
	vq = kzalloc(sizeof(*vq));
	if (!vq)
		return -ENOMEM;
	vq->vd = vd;
	vq->index = index;
	vq->num = num;
	vq->next = kcalloc(num, sizeof(u16), 0);
	vq->chain_len = kcalloc(num, sizeof(u16), 0);
	vq->token = kcalloc(num, sizeof(void *), 0);
	if (!vq->next || !vq->chain_len || !vq->token) {
		err = -ENOMEM;
		goto out_free;
	}
	/* Descriptors (16-byte aligned), then the available ring, then the used ring (4-aligned). */
	avail_off = 16u * num;
	used_off = ALIGN_UP(avail_off + 6 + 2u * num, 4);
	bytes = used_off + 6 + 8u * num;
	while ((PAGE_SIZE << vq->order) < bytes)
		vq->order++;
	vq->pages = page_alloc(vq->order, PA_ZERO);
	if (!vq->pages) {
		err = -ENOMEM;
		goto out_free;
	}
	mem = page_address(vq->pages);
	base = page_to_phys(vq->pages);
	vq->desc = (struct virtq_desc *)mem;
	vq->avail = (struct virtq_avail *)(mem + avail_off);
	vq->used = (struct virtq_used *)(mem + used_off);
	for (u16 i = 0; i < num; i++)
		vq->next[i] = (u16)(i + 1);
	vq->free_head = 0;
	vq->num_free = num;
	err = virtio_queue_enable(vd, index, num, base, base + avail_off, base + used_off, &vq->notify_addr);
	if (err)
		goto out_pages;
	*out = vq;
	return 0;

out_pages:
	page_free(vq->pages, vq->order);
out_free:
	kfree(vq->token);
	kfree(vq->chain_len);
	kfree(vq->next);
	kfree(vq);
	return err;
}
EXPORT_SYMBOL(virtqueue_create);

void virtqueue_destroy(struct virtqueue *vq)
{
	if (!vq)
		return;
	page_free(vq->pages, vq->order);
	kfree(vq->token);
	kfree(vq->chain_len);
	kfree(vq->next);
	kfree(vq);
}
EXPORT_SYMBOL(virtqueue_destroy);

int virtqueue_add(struct virtqueue *vq, const struct virtio_buf *bufs, unsigned n, void *token)
{
	u16 head, i;

	if (vq->broken)
		return -EIO;
	if (!n || !token || n > vq->num)
		return -EINVAL;
	if (n > vq->num_free)
		return -ENOSPC;
	head = i = vq->free_head;
	for (unsigned k = 0; k < n; k++) {
		struct virtq_desc *d = &vq->desc[i];
		d->addr = bufs[k].addr;
		d->len = bufs[k].len;
		d->flags = (bufs[k].device_writes ? DESC_F_WRITE : 0) | (k + 1 < n ? DESC_F_NEXT : 0);
		d->next = k + 1 < n ? vq->next[i] : 0;
		i = vq->next[i];
	}
	vq->free_head = i;
	vq->num_free -= n;
	vq->in_flight++;
	vq->chain_len[head] = (u16)n;
	vq->token[head] = token;
	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	/* The entry must be visible before the index that publishes it. */
	barrier();
	WRITE_ONCE(vq->avail->idx, ++vq->avail_idx);
	return 0;
}
EXPORT_SYMBOL(virtqueue_add);

void virtqueue_kick(struct virtqueue *vq)
{
	mb();
	mmio_write16(vq->notify_addr, vq->index);
}
EXPORT_SYMBOL(virtqueue_kick);

/* Puts the chain at head back on the free list, walking the driver's own links. */
static void *release_chain(struct virtqueue *vq, u16 head)
{
	void *token = vq->token[head];
	u16 i = head;

	for (u16 k = 1; k < vq->chain_len[head]; k++)
		i = vq->next[i];
	vq->next[i] = vq->free_head;
	vq->free_head = head;
	vq->num_free += vq->chain_len[head];
	vq->in_flight--;
	vq->chain_len[head] = 0;
	vq->token[head] = NULL;
	return token;
}

static void *broke(struct virtqueue *vq, const char *why, u32 v)
{
	vq->broken = true;
	pr_err("%02x:%02x.%u queue %u: %s (%u); queue abandoned\n", vq->vd->pci->bus,
	       vq->vd->pci->slot, vq->vd->pci->func, vq->index, why, v);
	return NULL;
}

void *virtqueue_get(struct virtqueue *vq, u32 *len)
{
	struct virtq_used_elem e;
	u16 idx, pending;

	if (vq->broken)
		return NULL;
	idx = READ_ONCE(vq->used->idx);
	if (idx == vq->last_used)
		return NULL;
	pending = (u16)(idx - vq->last_used);
	if (pending > vq->in_flight)
		return broke(vq, "used index beyond the requests in flight", idx);
	/* The element is read after the index that published it, and only once. */
	barrier();
	e.id = READ_ONCE(vq->used->ring[vq->last_used & (vq->num - 1)].id);
	e.len = READ_ONCE(vq->used->ring[vq->last_used & (vq->num - 1)].len);
	if (e.id >= vq->num || !vq->token[e.id])
		return broke(vq, "used id is not a request in flight", e.id);
	vq->last_used++;
	*len = e.len;
	return release_chain(vq, (u16)e.id);
}
EXPORT_SYMBOL(virtqueue_get);

void *virtqueue_detach(struct virtqueue *vq)
{
	for (u16 i = 0; i < vq->num; i++)
		if (vq->token[i])
			return release_chain(vq, i);
	return NULL;
}
EXPORT_SYMBOL(virtqueue_detach);
