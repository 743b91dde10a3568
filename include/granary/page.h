/* include/granary/page.h: physical pages: struct page, the buddy allocator, reference counts.
 * Every physical page frame has one struct page in mem_map; all RAM the kernel hands out comes from here. */
#ifndef GRANARY_PAGE_H
#define GRANARY_PAGE_H

#include <granary/list.h>
#include <granary/paging.h>
#include <granary/spinlock.h>
#include <granary/types.h>

/* Blocks of 2^0 .. 2^(PAGE_ORDERS-1) pages: up to 4 MiB. */
#define PAGE_ORDERS 11
#define PAGE_ORDER_2M 9

/* page->flags */
#define PG_RESERVED (1u << 0) /* never handed out: firmware, the kernel image, boot modules */
#define PG_BUDDY (1u << 1)    /* head of a free block of 2^order pages */
#define PG_SLAB (1u << 2)     /* holds slab objects (page->slab) */
#define PG_LARGE (1u << 3)    /* head of a kmalloc allocation too big for a slab */
#define PG_PAGETABLE (1u << 4)
#define PG_USER (1u << 5) /* mapped into user address spaces (refcounted by mappings) */

struct kmem_cache;

struct page {
	u32 flags;
	u32 refcount; /* users of an allocated block's head page; the block is freed at 0 */
	u8 order;     /* order of the block this page heads, while free or allocated */
	u8 pad[7];
	struct list_head list; /* free list while PG_BUDDY; slab list while PG_SLAB */
	union {
		struct {
			struct kmem_cache *cache;
			void *freelist; /* first free object in this slab */
			u32 inuse;	/* objects allocated from this slab */
		} slab;
		u64 private; /* for the owner of the page */
	};
};

/* The buddy allocator over one contiguous range of page frames. Host-testable:
 * it only touches the struct pages in map, never the memory itself. */
struct buddy {
	struct page *map; /* descriptor of base_pfn */
	u64 base_pfn, npages;
	struct list_head free[PAGE_ORDERS];
	u64 nfree[PAGE_ORDERS]; /* free blocks per order */
	u64 free_pages;		/* pages in free blocks */
	u64 managed_pages;	/* pages ever released to the allocator */
	spinlock_t lock;
};

/* Sets up b over npages descriptors, all reserved until buddy_release() frees them. */
void buddy_init(struct buddy *b, struct page *map, u64 base_pfn, u64 npages);
/* Hands the frames [pfn, pfn + count) to the allocator, as large aligned blocks as fit. */
void buddy_release(struct buddy *b, u64 pfn, u64 count);
/* A block of 2^order pages with refcount 1, or NULL when no block that large is free. */
struct page *buddy_alloc(struct buddy *b, unsigned order);
/* Returns a block (its head page and order) and merges it with free buddies. */
void buddy_free(struct buddy *b, struct page *page, unsigned order);
/* Checks every invariant (free lists, counts, no overlapping or mergeable blocks);
 * returns 0 or a negative number identifying the broken one. For tests. */
int buddy_check(struct buddy *b);

/* ---- the kernel's page allocator (mm/page_alloc.c) ---- */

#define PA_ZERO 1u /* fill the block with zeros */

/* Builds mem_map from the memory map and frees all usable RAM except the kernel
 * image, boot modules and the first MiB. */
void page_alloc_init(void);
struct page *page_alloc(unsigned order, unsigned flags);
void page_free(struct page *page, unsigned order);
/* One page as a direct-map address (NULL when out of memory), and back. */
void *page_alloc_va(unsigned flags);
void page_free_va(void *va);

static inline void get_page(struct page *p) { __atomic_add_fetch(&p->refcount, 1, __ATOMIC_RELAXED); }
/* Drops a reference; the last one frees the block (of page->order). */
void put_page(struct page *p);

extern struct page *mem_map;
extern u64 max_pfn;

#ifdef HOST_TEST
/* Host tests have no direct map: they supply these over an arena of their own
 * (page_alloc, page_free and mem_count above are theirs too). */
void *page_address(const struct page *p);
struct page *virt_to_page(const void *va);
#else
static inline u64 page_to_pfn(const struct page *p) { return p - mem_map; }
static inline struct page *pfn_to_page(u64 pfn) { return &mem_map[pfn]; }
static inline phys_addr_t page_to_phys(const struct page *p) { return page_to_pfn(p) << PAGE_SHIFT; }
static inline struct page *phys_to_page(phys_addr_t pa) { return pfn_to_page(pa >> PAGE_SHIFT); }
static inline void *page_address(const struct page *p) { return phys_to_virt(page_to_phys(p)); }
static inline struct page *virt_to_page(const void *va) { return phys_to_page(virt_to_phys(va)); }
#endif

/* Memory statistics, in pages, for procfs and `free`. */
struct mem_stats {
	u64 total;	  /* RAM managed by the allocator */
	u64 free;	  /* in free blocks */
	u64 reserved;	  /* RAM the allocator never manages */
	u64 slab;	  /* pages holding slab objects */
	u64 pagetables;	  /* page-table pages */
	u64 kstacks;	  /* kernel stack pages */
	u64 vmalloc;	  /* pages mapped by vmalloc */
	u64 modules;	  /* pages mapped in the module area */
	u64 user;	  /* pages mapped into user address spaces */
	u64 free_blocks[PAGE_ORDERS];
};
void mem_get_stats(struct mem_stats *s);

/* buddy_check() on the kernel's allocator: 0 if consistent. */
int page_alloc_check(void);

/* Counters the other allocators keep (in pages). */
enum mem_counter { MC_SLAB, MC_PAGETABLES, MC_KSTACKS, MC_VMALLOC, MC_MODULES, MC_USER, MC_COUNT };
void mem_count(enum mem_counter c, s64 pages);

#endif
