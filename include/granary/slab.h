/* include/granary/slab.h: the kernel heap: object caches (slabs) and kmalloc, with CONFIG_DEBUG_SLAB checks.
 * Small objects from page_alloc() blocks; not for page-sized buffers that must be page-aligned (use page_alloc). */
#ifndef GRANARY_SLAB_H
#define GRANARY_SLAB_H

#include <granary/types.h>

#define KM_ZERO 1u /* zero the object */

struct kmem_cache;

/* Sets up the bootstrap cache and the kmalloc caches. Called once, after page_alloc_init(). */
void slab_init(void);

/* A cache of objects of size bytes aligned to align (0: 8; else a power of two <= PAGE_SIZE).
 * name must outlive the cache. flags: 0 or KM_ZERO (zero every object the cache hands out).
 * NULL when out of memory, or for size 0, a bad align or flag, or an object that does not fit
 * in a 32 KiB slab (CONFIG_DEBUG_SLAB adds a red zone and 24 bytes of state to each). */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align, unsigned flags);
/* Frees the cache and all its slabs. -EBUSY if objects are still allocated (then nothing is
 * freed), -EPERM for the kernel's own caches (kmalloc-*, kmem_cache). NULL is ignored (0). */
int kmem_cache_destroy(struct kmem_cache *c);
/* One object (flags: KM_ZERO), or NULL when out of memory. */
void *kmem_cache_alloc(struct kmem_cache *c, unsigned flags);
/* Returns obj (from this cache; NULL is ignored) to the cache. */
void kmem_cache_free(struct kmem_cache *c, void *obj);
/* Returns the cache's empty slabs to the page allocator; returns the number of pages freed. */
unsigned long kmem_cache_shrink(struct kmem_cache *c);
/* kmem_cache_shrink() on every cache. */
unsigned long slab_shrink(void);

/* size bytes (flags: KM_ZERO), aligned to 8, to the size itself when it is a power of two up
 * to 4096, and to PAGE_SIZE above 4096. NULL when out of memory, and for size 0. */
void *kmalloc(size_t size, unsigned flags);
/* kmalloc(size, KM_ZERO). */
void *kzalloc(size_t size);
/* n * size zeroed bytes; NULL when the product overflows or out of memory. */
void *kcalloc(size_t n, size_t size, unsigned flags);
/* Frees what kmalloc, kzalloc or kcalloc returned; NULL is ignored. */
void kfree(const void *p);
/* The usable size of a kmalloc block (its size class, or whole pages above 4096); 0 for NULL. */
size_t ksize(const void *p);

/* One cache's statistics, as /proc/slabinfo shows them. */
struct slab_info {
	const char *name;     /* valid while the cache exists */
	size_t object_size;   /* what kmem_cache_create() was asked for */
	size_t size;	      /* bytes per object in the slab, alignment and debug data included */
	u32 objs_per_slab;
	u32 pages_per_slab;
	u64 active_objs;      /* objects allocated */
	u64 num_objs;	      /* objects in all slabs */
	u64 active_slabs;     /* slabs with at least one object allocated */
	u64 num_slabs;
};

/* Fills *out with c's statistics. */
void kmem_cache_stats(struct kmem_cache *c, struct slab_info *out);
/* Fills out[0 .. max) with the statistics of the caches, oldest first; returns how many
 * caches there are (more than max when the array was too short). */
size_t slab_info_get(struct slab_info *out, size_t max);
/* Pages the heap holds: every cache's slabs and kmalloc's blocks above 4096 bytes
 * (the pages mem_count(MC_SLAB) counts). */
u64 slab_pages(void);

/* Problems found (double or invalid frees; with CONFIG_DEBUG_SLAB also use after free and
 * red-zone overwrites) since boot. Each is printed with a backtrace and counted once. */
unsigned long slab_debug_reports(void);

#endif
