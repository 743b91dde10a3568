/* fs/tmpfs.c: tmpfs, the memory filesystem (the root, /tmp): its names are pinned dentries and its
 * file data the page map, so it is only bookkeeping; "size=" and "nr_inodes=" bound it. */
#include <granary/errno.h>
#include <granary/page.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/vfs.h>

#define TMPFS_MAGIC 0x01021994

struct tmpfs_sb {
	u64 max_pages, used_pages;
	u64 max_inodes, inodes;
};

static const struct inode_ops tmpfs_ops;

static struct tmpfs_sb *tsb(struct super_block *sb)
{
	return sb->priv;
}

static struct inode *tmpfs_inode(struct super_block *sb, u32 mode, int *err)
{
	struct tmpfs_sb *t = tsb(sb);
	struct inode *i;

	*err = -ENOSPC;
	if (t->inodes >= t->max_inodes)
		return NULL;
	*err = -ENOMEM;
	i = inode_new(sb, mode);
	if (!i)
		return NULL;
	i->ops = &tmpfs_ops;
	t->inodes++;
	return i;
}

static int tmpfs_lookup(struct inode *dir, struct dentry *d)
{
	return 0; /* every name is in the cache: a miss means it does not exist */
}

static int tmpfs_create(struct inode *dir, struct dentry *d, u32 mode, dev_t rdev)
{
	int err;
	struct inode *i = tmpfs_inode(dir->sb, mode, &err);

	if (!i)
		return err;
	i->rdev = rdev;
	d_add_pinned(d, i);
	inode_touch(dir, ATTR_MTIME);
	return 0;
}

static int tmpfs_mkdir(struct inode *dir, struct dentry *d, u32 mode)
{
	int err;
	struct inode *i = tmpfs_inode(dir->sb, S_IFDIR | (mode & 07777), &err);

	if (!i)
		return err;
	i->nlink = 2;
	i->size = 4096;
	dir->nlink++;
	d_add_pinned(d, i);
	inode_touch(dir, ATTR_MTIME);
	return 0;
}

static int tmpfs_symlink(struct inode *dir, struct dentry *d, const char *target)
{
	size_t len = strlen(target);
	int err;
	struct inode *i;
	char *copy = kmalloc(len + 1, 0);

	if (!copy)
		return -ENOMEM;
	i = tmpfs_inode(dir->sb, S_IFLNK | 0777, &err);
	if (!i) {
		kfree(copy);
		return err;
	}
	memcpy(copy, target, len + 1);
	i->priv = copy;
	i->size = len;
	d_add_pinned(d, i);
	inode_touch(dir, ATTR_MTIME);
	return 0;
}

static int tmpfs_link(struct inode *old, struct inode *dir, struct dentry *d)
{
	inode_get(old);
	old->nlink++;
	inode_touch(old, 0);
	d_add_pinned(d, old);
	inode_touch(dir, ATTR_MTIME);
	return 0;
}

static int tmpfs_unlink(struct inode *dir, struct dentry *d)
{
	d->inode->nlink--;
	inode_touch(d->inode, 0);
	inode_touch(dir, ATTR_MTIME);
	d_drop(d);
	d_unpin(d);
	return 0;
}

static bool dir_empty(struct dentry *d)
{
	struct list_head *pos;

	list_for_each(pos, &d->children) {
		struct dentry *c = list_entry(pos, struct dentry, child);
		if (c->inode && !(c->flags & D_UNHASHED))
			return false;
	}
	return true;
}

static int tmpfs_rmdir(struct inode *dir, struct dentry *d)
{
	if (!dir_empty(d))
		return -ENOTEMPTY;
	d->inode->nlink = 0;
	dir->nlink--;
	inode_touch(dir, ATTR_MTIME);
	d_drop(d);
	d_unpin(d);
	return 0;
}

static int tmpfs_rename(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd)
{
	bool is_dir = IS_DIR(od->inode);

	if (nd->inode) {
		int err = is_dir ? tmpfs_rmdir(ndir, nd) : tmpfs_unlink(ndir, nd);
		if (err)
			return err;
	}
	if (is_dir && odir != ndir) {
		odir->nlink--;
		ndir->nlink++;
	}
	od->dir_pos = nd->parent->next_pos++;
	inode_touch(odir, ATTR_MTIME);
	inode_touch(ndir, ATTR_MTIME);
	inode_touch(od->inode, 0);
	return 0; /* the VFS moves the name */
}

static long tmpfs_readlink(struct inode *i, char *buf, size_t size)
{
	if (i->size > size)
		return -ENAMETOOLONG;
	memcpy(buf, i->priv, i->size);
	return (long)i->size;
}

static int tmpfs_get_page(struct inode *i, u64 index, bool create, void **page)
{
	struct tmpfs_sb *t = tsb(i->sb);
	u64 before = i->blocks;
	int err = page_map_get(i, index, false, page);

	if (err || *page || !create)
		return err;
	if (t->used_pages >= t->max_pages)
		return -ENOSPC;
	err = page_map_get(i, index, true, page);
	t->used_pages += (i->blocks - before) / (PAGE_SIZE / 512);
	return err;
}

static int tmpfs_setattr(struct inode *i, const struct iattr *a)
{
	u64 before = i->blocks;
	int err = simple_setattr(i, a);

	tsb(i->sb)->used_pages -= (before - i->blocks) / (PAGE_SIZE / 512);
	return err;
}

static const struct inode_ops tmpfs_ops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.readlink = tmpfs_readlink,
	.setattr = tmpfs_setattr,
	.get_page = tmpfs_get_page,
	.readdir = dcache_readdir,
};

static int tmpfs_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct tmpfs_sb *t = tsb(sb);

	st->bsize = st->frsize = PAGE_SIZE;
	st->blocks = t->max_pages;
	st->bfree = st->bavail = t->max_pages - t->used_pages;
	st->files = t->max_inodes;
	st->ffree = t->max_inodes - t->inodes;
	return 0;
}

static void unpin_tree(struct dentry *d)
{
	struct list_head *pos, *n;

	d_get(d);
	list_for_each_safe(pos, n, &d->children) {
		struct dentry *c = list_entry(pos, struct dentry, child);
		if (c->flags & D_PINNED)
			unpin_tree(c);
	}
	d_unpin(d);
	d_put(d);
}

static void tmpfs_kill(struct super_block *sb)
{
	struct list_head *pos, *n;

	list_for_each_safe(pos, n, &sb->root->children) {
		struct dentry *c = list_entry(pos, struct dentry, child);
		if (c->flags & D_PINNED)
			unpin_tree(c);
	}
}

static void tmpfs_evict(struct inode *i)
{
	struct tmpfs_sb *t = tsb(i->sb);

	t->used_pages -= i->blocks / (PAGE_SIZE / 512);
	t->inodes--;
	if (IS_LNK(i))
		kfree(i->priv);
	i->priv = NULL;
	if (!t->inodes) {
		kfree(t); /* the root went last: the superblock is being torn down */
		i->sb->priv = NULL;
	}
}

static const struct super_ops tmpfs_super_ops = {
	.statfs = tmpfs_statfs,
	.kill = tmpfs_kill,
	.evict = tmpfs_evict,
};

/* "64m", "512k", "1g" or bytes. */
static int parse_size(char *s, u64 *out)
{
	size_t len = strlen(s);
	unsigned shift = 0;

	if (len && (s[len - 1] == 'k' || s[len - 1] == 'K'))
		shift = 10;
	else if (len && (s[len - 1] == 'm' || s[len - 1] == 'M'))
		shift = 20;
	else if (len && (s[len - 1] == 'g' || s[len - 1] == 'G'))
		shift = 30;
	if (shift)
		s[len - 1] = '\0';
	if (kstrtou64(s, out) || *out > (~0ULL >> shift))
		return -EINVAL;
	*out <<= shift;
	return 0;
}

static int parse_octal(const char *s, u64 *out)
{
	*out = 0;
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '7' || *out > 07777)
			return -EINVAL;
		*out = *out * 8 + (u64)(*s - '0');
	}
	return 0;
}

/* "size=64m,nr_inodes=1000,mode=1777": unknown options are refused (-EINVAL). */
static int parse_options(const char *data, struct tmpfs_sb *t, u32 *mode)
{
	char opt[64];

	char *val;
	int more;

	while ((more = vfs_next_option(&data, opt, sizeof(opt), &val)) > 0) {
		u64 v;

		if (!strcmp(opt, "size") && !parse_size(val, &v))
			t->max_pages = v / PAGE_SIZE;
		else if (!strcmp(opt, "nr_inodes") && !kstrtou64(val, &v))
			t->max_inodes = v;
		else if (!strcmp(opt, "mode") && !parse_octal(val, &v) && v <= 07777)
			*mode = (u32)v;
		else
			return -EINVAL;
	}
	return more;
}

int tmpfs_fill_super(struct super_block *sb, const char *source, const char *data)
{
	struct tmpfs_sb *t = kzalloc(sizeof(*t));
	struct mem_stats ms;
	struct inode *root;
	u32 mode = 01777;
	int err;

	if (!t)
		return -ENOMEM;
	mem_get_stats(&ms);
	t->max_pages = ms.total / 2; /* half of RAM, as Linux */
	t->max_inodes = ms.total / 2;
	err = parse_options(data, t, &mode);
	if (err) {
		kfree(t);
		return err;
	}
	sb->priv = t;
	sb->ops = &tmpfs_super_ops;
	sb->magic = TMPFS_MAGIC;
	root = tmpfs_inode(sb, S_IFDIR | mode, &err);
	if (!root)
		return err;
	root->nlink = 2;
	root->size = 4096;
	sb->root = d_make_root(root);
	if (!sb->root)
		return -ENOMEM;
	sb->root->next_pos = 2;
	return 0;
}

static struct fs_type tmpfs_type = {
	.ops = &(const struct fs_type_ops)FS_TYPE_OPS(tmpfs_fill_super),
	.name = "tmpfs",
};

int tmpfs_register(void)
{
	return fs_type_register(&tmpfs_type);
}
