/* mm/buddy.c: the binary buddy allocator over an array of struct page.
 * Pure bookkeeping on descriptors (it never touches the memory itself), so host tests run it as is. */
#include <granary/page.h>
#include <granary/printk.h>

static struct page *pfn_page(struct buddy *b, u64 pfn)
{
	return &b->map[pfn - b->base_pfn];
}

static u64 page_pfn(struct buddy *b, struct page *p)
{
	return b->base_pfn + (u64)(p - b->map);
}

static void add_free(struct buddy *b, struct page *p, unsigned order)
{
	p->flags = PG_BUDDY;
	p->order = (u8)order;
	p->refcount = 0;
	list_add(&p->list, &b->free[order]);
	b->nfree[order]++;
	b->free_pages += 1UL << order;
}

static void del_free(struct buddy *b, struct page *p, unsigned order)
{
	list_del(&p->list);
	p->flags &= ~PG_BUDDY;
	b->nfree[order]--;
	b->free_pages -= 1UL << order;
}

void buddy_init(struct buddy *b, struct page *map, u64 base_pfn, u64 npages)
{
	b->map = map;
	b->base_pfn = base_pfn;
	b->npages = npages;
	for (unsigned o = 0; o < PAGE_ORDERS; o++) {
		list_init(&b->free[o]);
		b->nfree[o] = 0;
	}
	b->free_pages = b->managed_pages = 0;
	b->lock = (spinlock_t)SPINLOCK_INIT;
	for (u64 i = 0; i < npages; i++) {
		map[i] = (struct page){ .flags = PG_RESERVED };
		list_init(&map[i].list);
	}
}

/* Frees a block and merges it with its buddy for as long as the buddy is a free
 * block of the same order. Buddies are found by physical frame number, so a block
 * of order n is always 2^n-page aligned in physical memory. */
static void free_locked(struct buddy *b, u64 pfn, unsigned order)
{
	while (order < PAGE_ORDERS - 1) {
		u64 bpfn = pfn ^ (1UL << order);
		struct page *bp;

		if (bpfn < b->base_pfn || bpfn + (1UL << order) > b->base_pfn + b->npages)
			break;
		bp = pfn_page(b, bpfn);
		if (!(bp->flags & PG_BUDDY) || bp->order != order)
			break;
		del_free(b, bp, order);
		pfn &= ~(1UL << order);
		order++;
	}
	add_free(b, pfn_page(b, pfn), order);
}

void buddy_release(struct buddy *b, u64 pfn, u64 count)
{
	unsigned long flags;

	if (pfn < b->base_pfn || count > b->base_pfn + b->npages - pfn)
		return;
	flags = spin_lock_irqsave(&b->lock);
	b->managed_pages += count;
	while (count) {
		unsigned order = 0;

		/* The largest block that is aligned at pfn and fits. */
		while (order + 1 < PAGE_ORDERS && !(pfn & ((2UL << order) - 1)) &&
		       (2UL << order) <= count)
			order++;
		for (u64 i = 0; i < (1UL << order); i++)
			pfn_page(b, pfn + i)->flags = 0;
		free_locked(b, pfn, order);
		pfn += 1UL << order;
		count -= 1UL << order;
	}
	spin_unlock_irqrestore(&b->lock, flags);
}

struct page *buddy_alloc(struct buddy *b, unsigned order)
{
	unsigned long flags;
	struct page *p = NULL;
	unsigned o;

	if (order >= PAGE_ORDERS)
		return NULL;
	flags = spin_lock_irqsave(&b->lock);
	for (o = order; o < PAGE_ORDERS && list_empty(&b->free[o]); o++)
		;
	if (o < PAGE_ORDERS) {
		p = list_first_entry(&b->free[o], struct page, list);
		del_free(b, p, o);
		/* Split: hand the upper halves back until the block has the order asked for. */
		while (o > order) {
			o--;
			add_free(b, p + (1UL << o), o);
		}
		p->flags = 0;
		p->order = (u8)order;
		p->refcount = 1;
	}
	spin_unlock_irqrestore(&b->lock, flags);
	return p;
}

void buddy_free(struct buddy *b, struct page *page, unsigned order)
{
	u64 pfn = page_pfn(b, page);
	unsigned long flags;

	if (order >= PAGE_ORDERS || pfn < b->base_pfn || pfn >= b->base_pfn + b->npages ||
	    (pfn & ((1UL << order) - 1))) {
		pr_err("buddy: bad free of pfn %#llx order %u\n", (unsigned long long)pfn, order);
		return;
	}
	if (page->flags & (PG_BUDDY | PG_RESERVED)) {
		pr_err("buddy: %s of pfn %#llx ignored\n",
		       page->flags & PG_BUDDY ? "double free" : "free of a reserved page",
		       (unsigned long long)pfn);
		return;
	}
	flags = spin_lock_irqsave(&b->lock);
	free_locked(b, pfn, order);
	spin_unlock_irqrestore(&b->lock, flags);
}

int buddy_check(struct buddy *b)
{
	u64 free_pages = 0;

	for (unsigned o = 0; o < PAGE_ORDERS; o++) {
		struct list_head *pos;
		u64 n = 0;

		list_for_each(pos, &b->free[o]) {
			struct page *p = list_entry(pos, struct page, list);
			u64 pfn = page_pfn(b, p), bpfn = pfn ^ (1UL << o);

			if (p < b->map || p >= b->map + b->npages)
				return -1; /* a list entry outside the map */
			if (!(p->flags & PG_BUDDY) || p->order != o)
				return -2; /* on the wrong list, or not marked free */
			if (pfn & ((1UL << o) - 1) || pfn + (1UL << o) > b->base_pfn + b->npages)
				return -3; /* misaligned or past the end */
			for (u64 i = 1; i < (1UL << o); i++)
				if (pfn_page(b, pfn + i)->flags & (PG_BUDDY | PG_RESERVED))
					return -4; /* overlaps another block or reserved memory */
			if (o < PAGE_ORDERS - 1 && bpfn >= b->base_pfn &&
			    bpfn + (1UL << o) <= b->base_pfn + b->npages &&
			    (pfn_page(b, bpfn)->flags & PG_BUDDY) && pfn_page(b, bpfn)->order == o)
				return -5; /* two free buddies left unmerged */
			n++;
		}
		if (n != b->nfree[o])
			return -6;
		free_pages += n << o;
	}
	if (free_pages != b->free_pages || free_pages > b->managed_pages)
		return -7;
	return 0;
}
