/* mm/slab_internal.h: what mm/slab.c shares with mm/kmalloc.c: the allocation core and slab lookup.
 * Not an interface for the rest of the kernel; that is <granary/slab.h>. */
#ifndef MM_SLAB_INTERNAL_H
#define MM_SLAB_INTERNAL_H

#include <granary/page.h>
#include <granary/slab.h>

/* kmem_cache_create() flag: the cache is never destroyed (kmalloc's caches, the bootstrap cache). */
#define SLAB_PERMANENT (1u << 31)

/* Slabs are at most 2^SLAB_MAX_ORDER pages; an object must fit in one. */
#define SLAB_MAX_ORDER 3

#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

/* kmem_cache_alloc() and kmem_cache_free() with the caller to remember (CONFIG_DEBUG_SLAB).
 * slab is the head page of the slab that holds obj (slab_head()). */
void *slab_alloc(struct kmem_cache *c, unsigned flags, unsigned long caller);
void slab_free(struct page *slab, void *obj, unsigned long caller);
/* The head page of the slab any of whose pages is page, or NULL if page is not in a slab. */
struct page *slab_head(struct page *page);
/* The object size a cache was created with. */
size_t slab_object_size(const struct kmem_cache *c);
/* Adds pages to the heap's total and to mem_count(MC_SLAB). */
void slab_account(s64 pages);
/* Prints "slab: <message>", then "slab: last <last_what> by <caller>" when last_caller is
 * known, and a backtrace; counts one report for slab_debug_reports(). */
void slab_report(const char *last_what, unsigned long last_caller, const char *fmt, ...) __printf(3, 4);

/* Creates the kmalloc caches; called by slab_init(). */
void kmalloc_init(void);

#endif
