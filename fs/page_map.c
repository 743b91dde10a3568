/* fs/page_map.c: a regular file's pages (a radix tree of 512-way page-sized nodes, like page
 * tables) and the byte-level read, write and truncate over any filesystem's get_page. */
#include <granary/errno.h>
#include <granary/page.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/uaccess.h>
#include <granary/vfs.h>

#define FANOUT 512
#define LEVEL_BITS 9
#define MAX_HEIGHT 4	      /* 512^4 pages: far past MAX_FILE_SIZE */
#define MAX_FILE_SIZE (1ULL << 40) /* bytes; beyond it writes fail with EFBIG */

struct page_map {
	void **root;	/* a node of FANOUT slots, the data page of index 0 (height 0), or NULL */
	unsigned height; /* levels of nodes above the data pages */
	u64 npages;	/* data pages held */
};

static u64 capacity(unsigned height)
{
	return 1ULL << (LEVEL_BITS * height);
}

static struct page_map *map_of(struct inode *i, bool create)
{
	if (!i->pages && create)
		i->pages = kzalloc(sizeof(struct page_map));
	return i->pages;
}

/* Height 0 holds one data page (index 0) as the root itself: a small file costs one page. */
int page_map_get(struct inode *i, u64 index, bool create, void **page)
{
	struct page_map *m = map_of(i, create);
	void **node, **slot;

	*page = NULL;
	if (!m)
		return create ? -ENOMEM : 0;
	if (!m->root) {
		if (!create)
			return 0;
		m->height = 0;
		while (index >= capacity(m->height))
			m->height++; /* an empty tree can start at any height */
		if (m->height > MAX_HEIGHT)
			return -EFBIG;
		if (m->height) {
			m->root = page_alloc_va(PA_ZERO);
			if (!m->root)
				return -ENOMEM;
		}
	}
	while (index >= capacity(m->height)) {
		void **n;
		if (!create)
			return 0;
		if (m->height == MAX_HEIGHT)
			return -EFBIG;
		n = page_alloc_va(PA_ZERO);
		if (!n)
			return -ENOMEM;
		n[0] = m->root; /* the old tree (or lone page) becomes the first subtree */
		m->root = n;
		m->height++;
	}
	slot = (void **)&m->root;
	node = NULL;
	for (unsigned level = m->height; level > 0; level--) {
		node = *slot;
		slot = &node[(index >> (LEVEL_BITS * (level - 1))) & (FANOUT - 1)];
		if (!*slot && level > 1) {
			if (!create)
				return 0;
			*slot = page_alloc_va(PA_ZERO);
			if (!*slot)
				return -ENOMEM;
		}
	}
	if (!*slot) {
		if (!create)
			return 0;
		*slot = page_alloc_va(PA_ZERO);
		if (!*slot)
			return -ENOMEM;
		m->npages++;
		i->blocks += PAGE_SIZE / 512;
	}
	*page = *slot;
	return 0;
}

/* Frees the data pages at or past index first under node (covering base..), and nodes left
 * empty; returns true if node is now empty. */
static bool trim(struct inode *i, void **node, unsigned level, u64 base, u64 first)
{
	struct page_map *m = i->pages;
	bool empty = true;
	u64 span = capacity(level);

	for (unsigned s = 0; s < FANOUT; s++) {
		u64 lo = base + s * span;
		if (!node[s])
			continue;
		if (lo + span <= first) {
			empty = false;
			continue;
		}
		if (level && !trim(i, node[s], level - 1, lo, first)) {
			empty = false;
			continue;
		}
		if (!level) {
			m->npages--;
			i->blocks -= PAGE_SIZE / 512;
		}
		page_free_va(node[s]);
		node[s] = NULL;
	}
	return empty;
}

static void free_from(struct inode *i, u64 first)
{
	struct page_map *m = i->pages;

	if (!m || !m->root)
		return;
	if (!m->height) {
		/* The lone data page of index 0. */
		if (first)
			return;
		page_free_va(m->root);
		m->npages--;
		i->blocks -= PAGE_SIZE / 512;
		m->root = NULL;
		return;
	}
	if (trim(i, m->root, m->height - 1, 0, first)) {
		page_free_va(m->root);
		m->root = NULL;
		m->height = 0;
	}
}

void vfs_free_pages(struct inode *i)
{
	free_from(i, 0);
	kfree(i->pages);
	i->pages = NULL;
}

int vfs_truncate_pages(struct inode *i, u64 size)
{
	void *page;

	if (size > MAX_FILE_SIZE)
		return -EFBIG;
	if (size < i->size) {
		free_from(i, (size + PAGE_SIZE - 1) / PAGE_SIZE);
		/* The rest of the last page must read as zeros if the file grows again. */
		if ((size % PAGE_SIZE) && i->ops->get_page &&
		    !i->ops->get_page(i, size / PAGE_SIZE, false, &page) && page)
			memset((u8 *)page + size % PAGE_SIZE, 0, PAGE_SIZE - size % PAGE_SIZE);
	}
	i->size = size;
	return 0;
}

long vfs_read_at(struct inode *i, void *buf, size_t n, u64 pos, bool user)
{
	size_t done = 0;

	if (pos >= i->size)
		return 0;
	if (n > i->size - pos)
		n = i->size - pos;
	while (done < n) {
		u64 off = (pos + done) % PAGE_SIZE;
		size_t chunk = PAGE_SIZE - off < n - done ? PAGE_SIZE - off : n - done;
		void *page;
		int err = i->ops->get_page(i, (pos + done) / PAGE_SIZE, false, &page);
		u8 *dst = (u8 *)buf + done;

		if (err)
			return done ? (long)done : err;
		if (user)
			err = page ? copy_to_user(dst, (u8 *)page + off, chunk) : clear_user(dst, chunk);
		else if (page)
			memcpy(dst, (u8 *)page + off, chunk);
		else
			memset(dst, 0, chunk);
		if (err)
			return done ? (long)done : -EFAULT;
		done += chunk;
	}
	return (long)done;
}

long vfs_write_at(struct inode *i, const void *buf, size_t n, u64 pos, bool user)
{
	size_t done = 0;

	if (pos >= MAX_FILE_SIZE)
		return n ? -EFBIG : 0;
	if (n > MAX_FILE_SIZE - pos)
		n = MAX_FILE_SIZE - pos;
	while (done < n) {
		u64 off = (pos + done) % PAGE_SIZE;
		size_t chunk = PAGE_SIZE - off < n - done ? PAGE_SIZE - off : n - done;
		void *page;
		int err = i->ops->get_page(i, (pos + done) / PAGE_SIZE, true, &page);
		const u8 *src = (const u8 *)buf + done;

		if (!err && user)
			err = copy_from_user((u8 *)page + off, src, chunk) ? -EFAULT : 0;
		else if (!err)
			memcpy((u8 *)page + off, src, chunk);
		if (err) {
			if (!done)
				return err;
			break;
		}
		done += chunk;
		if (pos + done > i->size)
			i->size = pos + done;
	}
	if (done)
		inode_touch(i, ATTR_MTIME);
	return (long)done;
}
