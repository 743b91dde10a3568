/* fs/dcache.c: the dentry name cache: (parent, name) -> dentry, with an LRU of unused entries.
 * Knows names and references only; what a name means is the filesystem's lookup. */
#include <granary/errno.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/vfs.h>

#define HASH_BUCKETS 1024
#define LRU_MAX 512 /* unused positive dentries kept for reuse */

static struct dentry *hash_table[HASH_BUCKETS];
static struct list_head lru = LIST_HEAD_INIT(lru);
static unsigned lru_count;

static u32 name_hash(const struct dentry *parent, const char *name, size_t len)
{
	u32 h = (u32)((uintptr_t)parent >> 4) * 2654435761u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (u8)name[i]) * 16777619u;
	return h;
}

static struct dentry **bucket(u32 hash)
{
	return &hash_table[hash % HASH_BUCKETS];
}

static void unhash(struct dentry *d)
{
	struct dentry **pp;

	if (d->flags & D_UNHASHED)
		return;
	for (pp = bucket(d->hash); *pp; pp = &(*pp)->hnext) {
		if (*pp == d) {
			*pp = d->hnext;
			break;
		}
	}
	d->hnext = NULL;
	d->flags |= D_UNHASHED;
}

static void rehash(struct dentry *d)
{
	struct dentry **b = bucket(d->hash);

	d->hnext = *b;
	*b = d;
	d->flags &= ~D_UNHASHED;
}

static int set_name(struct dentry *d, const char *name, size_t len)
{
	char *n = d->iname;

	if (len >= sizeof(d->iname)) {
		n = kmalloc(len + 1, 0);
		if (!n)
			return -ENOMEM;
	}
	memcpy(n, name, len);
	n[len] = '\0';
	if (d->name && d->name != d->iname)
		kfree(d->name);
	d->name = n;
	d->len = (u32)len;
	return 0;
}

static struct dentry *alloc(struct dentry *parent, struct super_block *sb, const char *name,
			    size_t len)
{
	struct dentry *d = kzalloc(sizeof(*d));

	if (!d)
		return NULL;
	if (set_name(d, name, len)) {
		kfree(d);
		return NULL;
	}
	d->refcount = 1;
	d->sb = sb;
	d->flags = D_UNHASHED;
	list_init(&d->children);
	list_init(&d->child);
	list_init(&d->lru);
	d->parent = parent ? d_get(parent) : d;
	return d;
}

struct dentry *d_make_root(struct inode *i)
{
	struct dentry *d = alloc(NULL, i->sb, "/", 1);

	if (d)
		d->inode = i;
	return d;
}

struct dentry *d_get(struct dentry *d)
{
	if (!d->refcount++ && !list_empty(&d->lru)) {
		list_del(&d->lru);
		lru_count--;
	}
	return d;
}

static void dentry_free(struct dentry *d)
{
	struct dentry *parent = d->parent;

	unhash(d);
	list_del(&d->child);
	if (d->inode)
		inode_put(d->inode);
	if (d->name != d->iname)
		kfree(d->name);
	kfree(d);
	if (parent != d)
		d_put(parent);
}

static void lru_trim(unsigned keep)
{
	while (lru_count > keep) {
		struct dentry *d = list_entry(lru.prev, struct dentry, lru);
		list_del(&d->lru);
		lru_count--;
		dentry_free(d);
	}
}

void d_put(struct dentry *d)
{
	if (--d->refcount)
		return;
	/* Unused: keep a positive, hashed name of a caching filesystem for the next walk. */
	if (d->inode && !(d->flags & D_UNHASHED) && !(d->sb->flags & SB_NOCACHE) &&
	    d->parent != d) {
		list_add(&d->lru, &lru);
		lru_count++;
		lru_trim(LRU_MAX);
		return;
	}
	dentry_free(d);
}

void d_pin(struct dentry *d)
{
	d->flags |= D_PINNED;
	d_get(d);
}

void d_unpin(struct dentry *d)
{
	if (d->flags & D_PINNED) {
		d->flags &= ~D_PINNED;
		d_put(d);
	}
}

void d_instantiate(struct dentry *d, struct inode *i)
{
	d->inode = i;
}

void d_drop(struct dentry *d)
{
	unhash(d);
}

static struct dentry *cache_find(struct dentry *parent, const char *name, size_t len, u32 hash)
{
	for (struct dentry *d = *bucket(hash); d; d = d->hnext)
		if (d->parent == parent && d->hash == hash && d->len == len &&
		    !memcmp(d->name, name, len))
			return d;
	return NULL;
}

struct dentry *d_lookup_child(struct dentry *parent, const char *name, size_t len, int *err)
{
	u32 hash = name_hash(parent, name, len);
	struct dentry *d = cache_find(parent, name, len, hash);

	if (d)
		return d_get(d);
	d = alloc(parent, parent->sb, name, len);
	if (!d) {
		*err = -ENOMEM;
		return NULL;
	}
	d->hash = hash;
	*err = parent->inode->ops->lookup ? parent->inode->ops->lookup(parent->inode, d) : 0;
	if (*err) {
		d_put(d);
		return NULL;
	}
	/* Negative entries are hashed too while referenced: a create in progress finds the one
	 * it was given. They are never kept unused (d_put frees them). */
	list_add_tail(&d->child, &parent->children);
	rehash(d);
	return d;
}

int d_move(struct dentry *d, struct dentry *new_parent, const char *name, size_t len)
{
	int err = set_name(d, name, len);

	if (err)
		return err;
	unhash(d);
	list_del(&d->child);
	if (new_parent != d->parent) {
		struct dentry *old = d->parent;
		d->parent = d_get(new_parent);
		d_put(old);
	}
	list_add_tail(&d->child, &new_parent->children);
	d->hash = name_hash(new_parent, d->name, d->len);
	rehash(d);
	return 0;
}

void d_prune(struct super_block *sb)
{
	struct list_head *pos, *n;

	/* Freeing a child may put its parent on the LRU: repeat until nothing of sb is left. */
	for (bool again = true; again;) {
		again = false;
		list_for_each_safe(pos, n, &lru) {
			struct dentry *d = list_entry(pos, struct dentry, lru);
			if (sb && d->sb != sb)
				continue;
			list_del(&d->lru);
			lru_count--;
			dentry_free(d);
			again = true;
			break;
		}
	}
}
