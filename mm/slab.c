/* mm/slab.c: object caches: slabs carved from page_alloc() blocks, and the CONFIG_DEBUG_SLAB checks.
 * Not kmalloc's size classes or its large blocks (mm/kmalloc.c); no per-CPU caches, one lock per cache. */
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/ksyms.h>
#include <granary/page.h>
#include <granary/slab.h>
#include <granary/string.h>

#include "slab_internal.h"

/*
 * A slab is one block of 2^order pages. Its objects sit at offsets 0, size, 2*size, ... and its
 * bookkeeping lives in the struct page of the block's head page: PG_SLAB, page->slab.cache,
 * .freelist, .inuse, and page->list on one of the cache's lists. Tail pages of a multi-page slab
 * have no PG_SLAB; their page->private holds the head page (slab_head() checks it).
 *
 * A free object keeps the next free object's address in its first word, or, with
 * CONFIG_DEBUG_SLAB, in its struct slab_meta, so that the whole object can hold poison:
 *
 *   [ object: object_size bytes | red zone: >= 8 bytes of 0xbb | struct slab_meta ]  = size
 *
 * Freed objects are filled with 0x6b; both patterns are checked when the object is handed out
 * again and when its slab goes back to the page allocator.
 */

#define SLAB_DEBUG IS_ENABLED(CONFIG_DEBUG_SLAB)
#define SLAB_MIN_OBJS 8	  /* a slab grows to the order that holds at least this many objects */
#define SLAB_KEEP_EMPTY 1 /* empty slabs a cache keeps; the rest go back at once */

#define POISON_FREE 0x6b
#define POISON_REDZONE 0xbb
#define OBJ_FREE 0x5ab0f7ee5ab0f7eeULL
#define OBJ_ALLOCATED 0x5ab0a11c5ab0a11cULL

struct slab_meta {
	u64 state;	      /* OBJ_FREE or OBJ_ALLOCATED; anything else: overwritten */
	void *next;	      /* next free object, while free */
	unsigned long caller; /* who last allocated or freed the object */
};

struct kmem_cache {
	spinlock_t lock; /* everything below that changes, and the slabs' page->slab fields */
	const char *name;
	u32 object_size; /* what the creator asked for */
	u32 size;	 /* stride of objects in a slab */
	u32 meta_off;	 /* CONFIG_DEBUG_SLAB: offset of struct slab_meta in an object slot */
	u32 objs_per_slab;
	unsigned order;
	unsigned flags;		 /* KM_ZERO, SLAB_PERMANENT */
	struct list_head partial; /* slabs with free and allocated objects */
	struct list_head full;	  /* no free object */
	struct list_head empty;	  /* no allocated object; at most SLAB_KEEP_EMPTY */
	u64 nr_slabs, nr_empty;
	u64 inuse;		/* objects allocated */
	struct list_head link;	/* on slab_caches */
};

/* The cache struct kmem_cache comes from; it cannot come from itself. */
static struct kmem_cache cache_cache;

/* All caches, oldest first. Lock order: slab_caches_lock, then a cache's lock, then the page allocator's. */
static struct list_head slab_caches = LIST_HEAD_INIT(slab_caches);
static spinlock_t slab_caches_lock = SPINLOCK_INIT;

static u64 heap_pages;
static unsigned long reports;

/* ---------------------------------------------------------------- reports and accounting */

void slab_report(const char *last_what, unsigned long last_caller, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("slab: %s\n", msg);
#ifdef HOST_TEST
	if (last_caller)
		pr_err("slab: last %s by %#lx\n", last_what, last_caller);
#else
	if (last_caller) {
		char sym[96];

		pr_err("slab: last %s by %s\n", last_what, ksyms_format(last_caller, sym, sizeof(sym)));
	}
	dump_backtrace(0, (unsigned long)__builtin_frame_address(0));
#endif
	__atomic_add_fetch(&reports, 1, __ATOMIC_RELAXED);
}

unsigned long slab_debug_reports(void)
{
	return __atomic_load_n(&reports, __ATOMIC_RELAXED);
}

void slab_account(s64 pages)
{
	__atomic_add_fetch(&heap_pages, (u64)pages, __ATOMIC_RELAXED);
	mem_count(MC_SLAB, pages);
}

u64 slab_pages(void)
{
	return __atomic_load_n(&heap_pages, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------- object layout */

static inline struct slab_meta *obj_meta(const struct kmem_cache *c, void *obj)
{
	return (struct slab_meta *)((char *)obj + c->meta_off);
}

/* Where a free object keeps its freelist link: word 0, or its slab_meta when debugging. */
static inline void **free_link(const struct kmem_cache *c, void *obj)
{
	if (SLAB_DEBUG)
		return &obj_meta(c, obj)->next;
	return (void **)obj;
}

/* Offset of the first byte in p[0 .. n) that is not v, or n. */
static size_t first_not(const void *p, u8 v, size_t n)
{
	const u8 *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return i;
	return n;
}

static void poison_free(const struct kmem_cache *c, void *obj)
{
	memset(obj, POISON_FREE, c->object_size);
}

static void fill_redzone(const struct kmem_cache *c, void *obj)
{
	memset((char *)obj + c->object_size, POISON_REDZONE, c->meta_off - c->object_size);
}

static bool redzone_intact(const struct kmem_cache *c, void *obj)
{
	size_t n = c->meta_off - c->object_size;

	return first_not((char *)obj + c->object_size, POISON_REDZONE, n) == n;
}

/* A free object's checks, before it is handed out or its slab freed: poison and red zone intact.
 * Reports once per object and restores the patterns. */
static void check_free_object(const struct kmem_cache *c, void *obj)
{
	struct slab_meta *m = obj_meta(c, obj);
	size_t off = first_not(obj, POISON_FREE, c->object_size);

	if (off != c->object_size) {
		slab_report("freed", m->caller, "use after free: %p in %s modified at offset %zu", obj,
			    c->name, off);
		poison_free(c, obj);
	}
	if (!redzone_intact(c, obj)) {
		slab_report("freed", m->caller, "red zone of %p in %s overwritten", obj, c->name);
		fill_redzone(c, obj);
	}
}

/* ---------------------------------------------------------------- slabs */

struct page *slab_head(struct page *page)
{
	uintptr_t diff;
	struct page *head;

	if (page->flags & PG_SLAB)
		return page;
	/* Free and reserved pages are never slab tails; their private may be stale. */
	if (page->flags & (PG_BUDDY | PG_RESERVED | PG_LARGE))
		return NULL;
	/* A tail's private points 1 .. 2^SLAB_MAX_ORDER - 1 descriptors back: check that
	 * arithmetically before trusting it as a pointer. */
	diff = (uintptr_t)page - (uintptr_t)page->private;
	if (diff == 0 || diff % sizeof(struct page) || diff / sizeof(struct page) >= (1u << SLAB_MAX_ORDER))
		return NULL;
	head = (struct page *)(uintptr_t)page->private;
	if (!(head->flags & PG_SLAB) || diff / sizeof(struct page) >= (1u << head->slab.cache->order))
		return NULL;
	return head;
}

/* A new slab with every object free, on no list yet. */
static struct page *slab_new(struct kmem_cache *c)
{
	struct page *slab = page_alloc(c->order, 0);
	char *base;
	void *next = NULL;

	if (!slab)
		return NULL;
	base = page_address(slab);
	for (unsigned i = 1; i < (1u << c->order); i++)
		slab[i].private = (u64)(uintptr_t)slab;
	for (unsigned i = c->objs_per_slab; i-- > 0;) {
		void *obj = base + (size_t)i * c->size;

		if (SLAB_DEBUG) {
			struct slab_meta *m = obj_meta(c, obj);

			poison_free(c, obj);
			fill_redzone(c, obj);
			m->state = OBJ_FREE;
			m->caller = 0;
		}
		*free_link(c, obj) = next;
		next = obj;
	}
	slab->flags |= PG_SLAB;
	slab->slab.cache = c;
	slab->slab.freelist = next;
	slab->slab.inuse = 0;
	list_init(&slab->list);
	slab_account(1 << c->order);
	return slab;
}

/* Returns an empty slab, already off its cache's lists, to the page allocator. */
static void slab_discard(struct kmem_cache *c, struct page *slab)
{
	char *base = page_address(slab);

	if (SLAB_DEBUG)
		for (unsigned i = 0; i < c->objs_per_slab; i++)
			check_free_object(c, base + (size_t)i * c->size);
	for (unsigned i = 1; i < (1u << c->order); i++)
		slab[i].private = 0;
	slab->flags &= ~PG_SLAB;
	slab->slab.cache = NULL;
	slab->slab.freelist = NULL;
	slab->slab.inuse = 0;
	list_init(&slab->list);
	slab_account(-(s64)(1 << c->order));
	page_free(slab, c->order);
}

static void discard_list(struct kmem_cache *c, struct list_head *slabs)
{
	struct list_head *pos, *tmp;

	list_for_each_safe(pos, tmp, slabs) {
		list_del(pos);
		slab_discard(c, list_entry(pos, struct page, list));
	}
}

/* ---------------------------------------------------------------- allocation */

/* The slab to allocate from: a partial one, else a kept empty one. Called locked. */
static struct page *pick_slab(struct kmem_cache *c)
{
	if (!list_empty(&c->partial))
		return list_first_entry(&c->partial, struct page, list);
	if (!list_empty(&c->empty))
		return list_first_entry(&c->empty, struct page, list);
	return NULL;
}

void *slab_alloc(struct kmem_cache *c, unsigned flags, unsigned long caller)
{
	struct page *slab;
	unsigned long irq;
	void *obj;
	u64 state = OBJ_FREE;

	irq = spin_lock_irqsave(&c->lock);
	slab = pick_slab(c);
	if (!slab) {
		/* The page allocator runs unlocked; another caller may grow the cache meanwhile,
		 * which only costs a second slab. */
		spin_unlock_irqrestore(&c->lock, irq);
		slab = slab_new(c);
		if (!slab)
			return NULL;
		irq = spin_lock_irqsave(&c->lock);
		list_add(&slab->list, &c->empty);
		c->nr_slabs++;
		c->nr_empty++;
		slab = pick_slab(c);
	}
	obj = slab->slab.freelist;
	slab->slab.freelist = *free_link(c, obj);
	if (slab->slab.inuse++ == 0)
		c->nr_empty--;
	list_del(&slab->list);
	list_add(&slab->list, slab->slab.inuse == c->objs_per_slab ? &c->full : &c->partial);
	c->inuse++;
	if (SLAB_DEBUG) {
		struct slab_meta *m = obj_meta(c, obj);

		state = m->state;
		m->state = OBJ_ALLOCATED;
	}
	spin_unlock_irqrestore(&c->lock, irq);

	if (SLAB_DEBUG) {
		/* The object is ours alone now: check it unlocked. */
		if (state != OBJ_FREE)
			slab_report(NULL, 0, "free object %p in %s has overwritten metadata", obj, c->name);
		check_free_object(c, obj);
		obj_meta(c, obj)->caller = caller;
	}
	if ((flags | c->flags) & KM_ZERO)
		memset(obj, 0, c->object_size);
	return obj;
}

void slab_free(struct page *slab, void *obj, unsigned long caller)
{
	struct kmem_cache *c = slab->slab.cache;
	struct page *discard = NULL;
	struct slab_meta *m = obj_meta(c, obj);
	unsigned long irq, last = 0;
	u64 state = OBJ_ALLOCATED;
	bool redzone_ok = true;

	if (SLAB_DEBUG) {
		size_t off = (size_t)((char *)obj - (char *)page_address(slab));

		if (off % c->size || off / c->size >= c->objs_per_slab) {
			slab_report(NULL, 0, "free of %p, not an object of %s", obj, c->name);
			return;
		}
	}

	irq = spin_lock_irqsave(&c->lock);
	if (SLAB_DEBUG) {
		/* Decided under the lock: of two racing frees, exactly one finds the object allocated. */
		state = m->state;
		last = m->caller;
		if (state == OBJ_FREE) {
			spin_unlock_irqrestore(&c->lock, irq);
			slab_report("freed", last, "double free of %p in cache %s", obj, c->name);
			return;
		}
		if (state != OBJ_ALLOCATED)
			last = 0; /* the caller word is as suspect as the state */
		redzone_ok = redzone_intact(c, obj);
		if (!redzone_ok)
			fill_redzone(c, obj);
		poison_free(c, obj);
		m->state = OBJ_FREE;
		m->caller = caller;
	}
	*free_link(c, obj) = slab->slab.freelist;
	slab->slab.freelist = obj;
	c->inuse--;
	list_del(&slab->list);
	if (--slab->slab.inuse) {
		list_add(&slab->list, &c->partial);
	} else if (c->nr_empty < SLAB_KEEP_EMPTY) {
		list_add(&slab->list, &c->empty);
		c->nr_empty++;
	} else {
		c->nr_slabs--;
		discard = slab;
	}
	spin_unlock_irqrestore(&c->lock, irq);

	if (SLAB_DEBUG) {
		if (state != OBJ_ALLOCATED)
			slab_report(NULL, 0, "metadata of %p in %s overwritten", obj, c->name);
		if (!redzone_ok)
			slab_report("allocated", last, "red zone of %p in %s overwritten", obj, c->name);
	}
	if (discard)
		slab_discard(c, discard);
}

void *kmem_cache_alloc(struct kmem_cache *c, unsigned flags)
{
	return slab_alloc(c, flags, _RET_IP_);
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	struct page *slab;

	if (!obj)
		return;
	slab = slab_head(virt_to_page(obj));
	if (!slab || slab->slab.cache != c) {
		slab_report(NULL, 0, "free of %p to %s, which it did not come from", obj, c->name);
		return;
	}
	slab_free(slab, obj, _RET_IP_);
}

size_t slab_object_size(const struct kmem_cache *c)
{
	return c->object_size;
}

/* ---------------------------------------------------------------- caches */

/* Fills in c for objects of size bytes aligned to align; -EINVAL if they cannot be had. */
static int cache_setup(struct kmem_cache *c, const char *name, size_t size, size_t align, unsigned flags)
{
	size_t stride, meta_off = 0;
	unsigned order;

	if (!size || size > (PAGE_SIZE << SLAB_MAX_ORDER) || align > PAGE_SIZE || (align & (align - 1)) ||
	    (flags & ~(KM_ZERO | SLAB_PERMANENT)))
		return -EINVAL;
	align = max(align, sizeof(void *));
	if (SLAB_DEBUG) {
		meta_off = ALIGN_UP(size, 8) + 8;
		stride = ALIGN_UP(meta_off + sizeof(struct slab_meta), align);
		meta_off = stride - sizeof(struct slab_meta); /* the red zone takes the padding too */
	} else {
		stride = ALIGN_UP(max(size, sizeof(void *)), align);
	}
	for (order = 0; order < SLAB_MAX_ORDER && (PAGE_SIZE << order) / stride < SLAB_MIN_OBJS; order++)
		;
	if ((PAGE_SIZE << order) < stride)
		return -EINVAL;

	*c = (struct kmem_cache){
		.lock = SPINLOCK_INIT,
		.name = name,
		.object_size = (u32)size,
		.size = (u32)stride,
		.meta_off = (u32)meta_off,
		.objs_per_slab = (u32)((PAGE_SIZE << order) / stride),
		.order = order,
		.flags = flags,
	};
	list_init(&c->partial);
	list_init(&c->full);
	list_init(&c->empty);
	list_init(&c->link);
	return 0;
}

static void cache_publish(struct kmem_cache *c)
{
	unsigned long irq = spin_lock_irqsave(&slab_caches_lock);

	list_add_tail(&c->link, &slab_caches);
	spin_unlock_irqrestore(&slab_caches_lock, irq);
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align, unsigned flags)
{
	struct kmem_cache *c = slab_alloc(&cache_cache, 0, _RET_IP_);

	if (!c)
		return NULL;
	if (cache_setup(c, name, size, align, flags)) {
		slab_free(slab_head(virt_to_page(c)), c, _RET_IP_);
		return NULL;
	}
	cache_publish(c);
	return c;
}

int kmem_cache_destroy(struct kmem_cache *c)
{
	struct list_head slabs = LIST_HEAD_INIT(slabs);
	unsigned long irq;

	if (!c)
		return 0;
	if (c->flags & SLAB_PERMANENT)
		return -EPERM;
	irq = spin_lock_irqsave(&slab_caches_lock);
	spin_lock(&c->lock);
	if (c->inuse) {
		spin_unlock(&c->lock);
		spin_unlock_irqrestore(&slab_caches_lock, irq);
		return -EBUSY;
	}
	list_del(&c->link);
	/* With nothing allocated, every slab is on the empty list. */
	if (!list_empty(&c->empty)) {
		__list_link(&slabs, c->empty.prev, c->empty.next);
		list_init(&c->empty);
	}
	c->nr_slabs = c->nr_empty = 0;
	spin_unlock(&c->lock);
	spin_unlock_irqrestore(&slab_caches_lock, irq);

	discard_list(c, &slabs);
	slab_free(slab_head(virt_to_page(c)), c, _RET_IP_);
	return 0;
}

unsigned long kmem_cache_shrink(struct kmem_cache *c)
{
	struct list_head slabs = LIST_HEAD_INIT(slabs);
	unsigned long irq = spin_lock_irqsave(&c->lock);
	unsigned long pages = c->nr_empty << c->order;

	if (!list_empty(&c->empty)) {
		__list_link(&slabs, c->empty.prev, c->empty.next);
		list_init(&c->empty);
	}
	c->nr_slabs -= c->nr_empty;
	c->nr_empty = 0;
	spin_unlock_irqrestore(&c->lock, irq);
	discard_list(c, &slabs);
	return pages;
}

unsigned long slab_shrink(void)
{
	unsigned long irq = spin_lock_irqsave(&slab_caches_lock), pages = 0;
	struct list_head *pos;

	list_for_each(pos, &slab_caches)
		pages += kmem_cache_shrink(list_entry(pos, struct kmem_cache, link));
	spin_unlock_irqrestore(&slab_caches_lock, irq);
	return pages;
}

void kmem_cache_stats(struct kmem_cache *c, struct slab_info *out)
{
	unsigned long irq = spin_lock_irqsave(&c->lock);

	*out = (struct slab_info){
		.name = c->name,
		.object_size = c->object_size,
		.size = c->size,
		.objs_per_slab = c->objs_per_slab,
		.pages_per_slab = 1u << c->order,
		.active_objs = c->inuse,
		.num_objs = c->nr_slabs * c->objs_per_slab,
		.active_slabs = c->nr_slabs - c->nr_empty,
		.num_slabs = c->nr_slabs,
	};
	spin_unlock_irqrestore(&c->lock, irq);
}

size_t slab_info_get(struct slab_info *out, size_t max)
{
	unsigned long irq = spin_lock_irqsave(&slab_caches_lock);
	struct list_head *pos;
	size_t n = 0;

	list_for_each(pos, &slab_caches) {
		if (n < max)
			kmem_cache_stats(list_entry(pos, struct kmem_cache, link), &out[n]);
		n++;
	}
	spin_unlock_irqrestore(&slab_caches_lock, irq);
	return n;
}

void slab_init(void)
{
	if (cache_setup(&cache_cache, "kmem_cache", sizeof(struct kmem_cache), 0, SLAB_PERMANENT))
		panic("slab: cannot set up the kmem_cache cache");
	cache_publish(&cache_cache);
	kmalloc_init();
}
