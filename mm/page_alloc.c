/* mm/page_alloc.c: the kernel's page allocator: mem_map from the boot memory map, reservations, stats.
 * The buddy bookkeeping itself is mm/buddy.c; this file decides which frames it may hand out. */
#define pr_fmt(fmt) "mm: " fmt

#include <granary/bootinfo.h>
#include <granary/kernel.h>
#include <granary/page.h>
#include <granary/string.h>

struct page *mem_map;
u64 max_pfn;

static struct buddy buddy;
static u64 ram_pages;		/* pages the memory map calls available */
static s64 counters[MC_COUNT];

/* Physical ranges never given to the allocator, in no particular order. */
#define MAX_RESERVED (4 + BOOTINFO_MAX_MODULES)
static struct range {
	u64 start, end;
} reserved[MAX_RESERVED];
static unsigned nreserved;

static void reserve(u64 start, u64 end)
{
	if (nreserved == MAX_RESERVED)
		panic("mm: too many reserved ranges");
	reserved[nreserved++] = (struct range){ ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE) };
}

/* Calls fn for each piece of [start, end) that no reserved range covers. */
static void for_each_unreserved(u64 start, u64 end, void (*fn)(u64 start, u64 end, void *arg), void *arg)
{
	u64 cur = start;

	while (cur < end) {
		u64 next = end;
		bool skipped = false;

		for (unsigned i = 0; i < nreserved; i++) {
			if (reserved[i].start <= cur && reserved[i].end > cur) {
				cur = reserved[i].end; /* inside a reservation: jump past it */
				skipped = true;
				break;
			}
			if (reserved[i].start > cur && reserved[i].start < next)
				next = reserved[i].start;
		}
		if (skipped)
			continue;
		fn(cur, next, arg);
		cur = next;
	}
}

static bool usable(const struct boot_mmap_entry *m)
{
	return m->type == MMAP_AVAILABLE;
}

/* Finds the lowest unreserved available range of at least size bytes. */
struct fit {
	u64 size, found;
};
static void try_fit(u64 start, u64 end, void *arg)
{
	struct fit *f = arg;

	if (!f->found && end - start >= f->size)
		f->found = start;
}

static void release(u64 start, u64 end, void *arg)
{
	if (end > start)
		buddy_release(&buddy, start >> PAGE_SHIFT, (end - start) >> PAGE_SHIFT);
}

void page_alloc_init(void)
{
	struct fit fit = { 0, 0 };
	u64 top = 0;

	for (unsigned i = 0; i < bootinfo.mmap_count; i++) {
		const struct boot_mmap_entry *m = &bootinfo.mmap[i];
		if (usable(m)) {
			top = max(top, ALIGN_DOWN(m->base + m->length, PAGE_SIZE));
			ram_pages += (ALIGN_DOWN(m->base + m->length, PAGE_SIZE) - ALIGN_UP(m->base, PAGE_SIZE)) >> PAGE_SHIFT;
		}
	}
	if (!top)
		panic("mm: the memory map has no available RAM");
	max_pfn = top >> PAGE_SHIFT;

	/* The first MiB (BIOS data, EBDA, VGA), the kernel and the boot modules stay put. */
	reserve(0, 0x100000);
	reserve((u64)(__boot_start), (u64)(__kernel_end - KERNEL_VMA));
	for (unsigned i = 0; i < bootinfo.module_count; i++)
		reserve(bootinfo.modules[i].start, bootinfo.modules[i].end);

	/* mem_map goes in the first free RAM large enough to hold it. */
	fit.size = ALIGN_UP(max_pfn * sizeof(struct page), PAGE_SIZE);
	for (unsigned i = 0; i < bootinfo.mmap_count && !fit.found; i++) {
		const struct boot_mmap_entry *m = &bootinfo.mmap[i];
		if (usable(m))
			for_each_unreserved(ALIGN_UP(m->base, PAGE_SIZE),
					    ALIGN_DOWN(m->base + m->length, PAGE_SIZE), try_fit, &fit);
	}
	if (!fit.found)
		panic("mm: no room for %llu KiB of page descriptors", (unsigned long long)fit.size >> 10);
	reserve(fit.found, fit.found + fit.size);
	mem_map = phys_to_virt(fit.found);
	buddy_init(&buddy, mem_map, 0, max_pfn);

	for (unsigned i = 0; i < bootinfo.mmap_count; i++) {
		const struct boot_mmap_entry *m = &bootinfo.mmap[i];
		if (usable(m))
			for_each_unreserved(ALIGN_UP(m->base, PAGE_SIZE),
					    ALIGN_DOWN(m->base + m->length, PAGE_SIZE), release, NULL);
	}
	pr_info("%llu MiB RAM, %llu MiB free, %llu KiB reserved, mem_map %llu KiB at %#llx\n",
		(unsigned long long)(ram_pages >> 8), (unsigned long long)(buddy.free_pages >> 8),
		(unsigned long long)(ram_pages - buddy.managed_pages) * 4,
		(unsigned long long)fit.size >> 10, (unsigned long long)fit.found);
}

struct page *page_alloc(unsigned order, unsigned flags)
{
	struct page *p = buddy_alloc(&buddy, order);

	if (p && (flags & PA_ZERO))
		memset(page_address(p), 0, PAGE_SIZE << order);
	return p;
}

void page_free(struct page *page, unsigned order)
{
	buddy_free(&buddy, page, order);
}

void *page_alloc_va(unsigned flags)
{
	struct page *p = page_alloc(0, flags);

	return p ? page_address(p) : NULL;
}

void page_free_va(void *va)
{
	page_free(virt_to_page(va), 0);
}

void put_page(struct page *p)
{
	if (__atomic_sub_fetch(&p->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
		unsigned order = p->order;
		p->flags = 0;
		page_free(p, order);
	}
}

void mem_count(enum mem_counter c, s64 pages)
{
	__atomic_add_fetch(&counters[c], pages, __ATOMIC_RELAXED);
}

void mem_get_stats(struct mem_stats *s)
{
	unsigned long flags = spin_lock_irqsave(&buddy.lock);

	s->total = buddy.managed_pages;
	s->free = buddy.free_pages;
	for (unsigned o = 0; o < PAGE_ORDERS; o++)
		s->free_blocks[o] = buddy.nfree[o];
	spin_unlock_irqrestore(&buddy.lock, flags);
	s->reserved = ram_pages - s->total;
	s->slab = counters[MC_SLAB];
	s->pagetables = counters[MC_PAGETABLES];
	s->kstacks = counters[MC_KSTACKS];
	s->vmalloc = counters[MC_VMALLOC];
	s->modules = counters[MC_MODULES];
	s->user = counters[MC_USER];
}

int page_alloc_check(void)
{
	return buddy_check(&buddy);
}
