/* mm/kmalloc.c: kmalloc and kfree: size classes over slab caches, whole page blocks above 4096 bytes.
 * Not the caches themselves (mm/slab.c); kmalloc(0) returns NULL rather than a special pointer. */
#include <granary/kernel.h>
#include <granary/page.h>
#include <granary/slab.h>

#include "slab_internal.h"

/* The size classes, smallest first. Each is a multiple of 8; the last is the largest slab class. */
#define KMALLOC_CLASSES(X) X(8) X(16) X(32) X(64) X(96) X(128) X(192) X(256) X(512) X(1024) X(2048) X(4096)
#define KMALLOC_MAX_CACHE_SIZE 4096

#define CLASS_SIZE(n) n,
#define CLASS_NAME(n) "kmalloc-" #n,
static const u32 class_size[] = { KMALLOC_CLASSES(CLASS_SIZE) };
static const char *const class_name[] = { KMALLOC_CLASSES(CLASS_NAME) };
#define NR_CLASSES ARRAY_SIZE(class_size)

static struct kmem_cache *class_cache[NR_CLASSES];
/* class_index[(size - 1) / 8]: the smallest class that holds size bytes. */
static u8 class_index[KMALLOC_MAX_CACHE_SIZE / 8];

void kmalloc_init(void)
{
	unsigned k = 0;

#define CLASS_CHECK(n) BUILD_BUG_ON((n) % 8 || (n) > KMALLOC_MAX_CACHE_SIZE);
	KMALLOC_CLASSES(CLASS_CHECK)
#undef CLASS_CHECK
	BUG_ON(class_size[NR_CLASSES - 1] != KMALLOC_MAX_CACHE_SIZE);

	for (unsigned i = 0; i < NR_CLASSES; i++) {
		u32 s = class_size[i];
		/* Powers of two are naturally aligned: callers may rely on kmalloc(4096) being a page. */
		size_t align = (s & (s - 1)) ? 8 : s;

		class_cache[i] = kmem_cache_create(class_name[i], s, align, SLAB_PERMANENT);
		if (!class_cache[i])
			panic("slab: cannot create %s", class_name[i]);
	}
	for (unsigned j = 0; j < ARRAY_SIZE(class_index); j++) {
		while (class_size[k] < (j + 1) * 8)
			k++;
		class_index[j] = (u8)k;
	}
}

static unsigned large_order(size_t size)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

static void *kmalloc_caller(size_t size, unsigned flags, unsigned long caller)
{
	struct page *page;
	unsigned order;

	if (!size)
		return NULL;
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return slab_alloc(class_cache[class_index[(size - 1) / 8]], flags, caller);
	if (size > (PAGE_SIZE << (PAGE_ORDERS - 1)))
		return NULL;
	order = large_order(size);
	page = page_alloc(order, (flags & KM_ZERO) ? PA_ZERO : 0);
	if (!page)
		return NULL;
	page->flags |= PG_LARGE;
	page->order = (u8)order;
	slab_account(1 << order);
	return page_address(page);
}

void *kmalloc(size_t size, unsigned flags)
{
	return kmalloc_caller(size, flags, _RET_IP_);
}

void *kzalloc(size_t size)
{
	return kmalloc_caller(size, KM_ZERO, _RET_IP_);
}

void *kcalloc(size_t n, size_t size, unsigned flags)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total))
		return NULL;
	return kmalloc_caller(total, flags | KM_ZERO, _RET_IP_);
}

void kfree(const void *p)
{
	struct page *page, *slab;

	if (!p)
		return;
	page = virt_to_page(p);
	if (page->flags & PG_LARGE) {
		unsigned order = page->order;

		if (p != page_address(page)) {
			slab_report(NULL, 0, "kfree of %p inside a kmalloc block", p);
			return;
		}
		page->flags &= ~PG_LARGE;
		slab_account(-(s64)(1 << order));
		page_free(page, order);
		return;
	}
	slab = slab_head(page);
	if (!slab) {
		slab_report(NULL, 0, "kfree of %p, which kmalloc did not return", p);
		return;
	}
	slab_free(slab, (void *)p, _RET_IP_);
}

size_t ksize(const void *p)
{
	struct page *page, *slab;

	if (!p)
		return 0;
	page = virt_to_page(p);
	if (page->flags & PG_LARGE)
		return PAGE_SIZE << page->order;
	slab = slab_head(page);
	return slab ? slab_object_size(slab->slab.cache) : 0;
}
