/* fs/fat/namei.c: the directory operations FAT has: create, mkdir, unlink, rmdir and rename. FAT has
 * no links, symlinks or device nodes: those are -EPERM. The entries themselves are dir.c's. */
#include "fat.h"
#include <granary/errno.h>
#include <granary/slab.h>
#include <granary/string.h>

/* The slot of the entry at dpos in dir (to remove its long-name pieces with it). */
static int find_by_dpos(struct inode *dir, u64 dpos, struct fat_slot *s)
{
	u64 off = 0;
	int r;

	while ((r = fat_dir_next(dir, &off, s)) > 0)
		if (s->dpos == dpos)
			return 0;
	if (!r)
		fat_err(FAT_SB(dir->sb), "entry at %llu is no longer in directory %llu",
			(unsigned long long)dpos, (unsigned long long)dir->ino);
	return r ? r : -EIO;
}

/* Another spelling of the same name (FAT ignores case) may be cached: it must go too. */
static void drop_aliases(struct dentry *d, struct inode *i)
{
	struct list_head *pos;

	list_for_each(pos, &d->parent->children) {
		struct dentry *c = list_entry(pos, struct dentry, child);
		if (c != d && c->inode == i)
			d_drop(c);
	}
}

static void touch_dir(struct inode *dir)
{
	inode_touch(dir, ATTR_MTIME);
	fat_write_inode(dir); /* a failure was logged; the change itself is made */
}

static void new_entry(struct fat_dirent *de, u8 attr, u32 start)
{
	u16 date, time;

	fat_time_to_disk(vfs_now(), &date, &time);
	memset(de, 0, sizeof(*de));
	de->attr = attr;
	de->start_lo = (u16)start;
	de->start_hi = (u16)(start >> 16);
	de->cdate = de->adate = de->mdate = date;
	de->ctime = de->mtime = time;
}

static int fat_create_locked(struct inode *dir, struct dentry *d, u32 mode, dev_t rdev)
{
	struct fat_dirent de;
	struct inode *i;
	u64 dpos;
	int err;

	if ((mode & S_IFMT) != S_IFREG)
		return -EPERM;
	new_entry(&de, FAT_ATTR_ARCH | (mode & 0222 ? 0 : FAT_ATTR_RO), 0);
	err = fat_dir_add(dir, d->name, d->len, &de, &dpos);
	if (err)
		return err;
	i = fat_iget(dir->sb, &de, dpos, &err);
	if (!i)
		return err;
	d_instantiate(d, i);
	touch_dir(dir);
	return 0;
}

static int fat_mkdir_locked(struct inode *dir, struct dentry *d, u32 mode)
{
	struct fat_sb *fs = FAT_SB(dir->sb);
	u32 up = FAT_I(dir)->dpos ? FAT_I(dir)->start : 0; /* ".." of a root child says 0 */
	struct fat_dirent de, dots[2];
	struct inode *tmp, *i;
	u64 dpos;
	int err;

	/* The new directory's first cluster, through a scratch inode that owns it until linked. */
	new_entry(&de, FAT_ATTR_DIR, 0);
	tmp = inode_new(dir->sb, S_IFDIR);
	if (!tmp)
		return -ENOMEM;
	tmp->priv = kzalloc(sizeof(struct fat_inode));
	tmp->nlink = 0; /* evict frees what it holds */
	if (!tmp->priv) {
		inode_put(tmp);
		return -ENOMEM;
	}
	FAT_I(tmp)->dpos = ~0ULL;
	FAT_I(tmp)->mapped = true;
	err = fat_grow(tmp, 1, true);
	if (err)
		goto out;
	dots[0] = de;
	memcpy(dots[0].name, ".          ", 11);
	dots[0].start_lo = (u16)FAT_I(tmp)->start;
	dots[0].start_hi = (u16)(FAT_I(tmp)->start >> 16);
	dots[1] = de;
	memcpy(dots[1].name, "..         ", 11);
	dots[1].start_lo = (u16)up;
	dots[1].start_hi = (u16)(up >> 16);
	err = fat_dev_rw(fs, fat_cluster_pos(fs, FAT_I(tmp)->start), dots, sizeof(dots), true);
	if (err)
		goto out;
	de.start_lo = dots[0].start_lo;
	de.start_hi = fs->type == 32 ? dots[0].start_hi : 0;
	err = fat_dir_add(dir, d->name, d->len, &de, &dpos);
	if (err)
		goto out;
	FAT_I(tmp)->start = 0; /* the new entry owns the cluster now */
	i = fat_iget(dir->sb, &de, dpos, &err);
	if (!i)
		goto out;
	d_instantiate(d, i);
	dir->nlink++;
	touch_dir(dir);
out:
	inode_put(tmp);
	return err;
}

static int fat_unlink_locked(struct inode *dir, struct dentry *d)
{
	struct fat_slot *s = kmalloc(sizeof(*s), 0);
	struct inode *i = d->inode;
	int err;

	if (!s)
		return -ENOMEM;
	err = find_by_dpos(dir, FAT_I(i)->dpos, s);
	if (!err)
		err = fat_dir_remove(dir, s);
	kfree(s);
	if (err)
		return err;
	i->nlink = 0; /* its clusters are freed when the last user lets go (evict) */
	inode_touch(i, 0);
	drop_aliases(d, i);
	d_drop(d);
	touch_dir(dir);
	return 0;
}

static int fat_rmdir_locked(struct inode *dir, struct dentry *d)
{
	int err = fat_dir_empty(d->inode);

	if (err)
		return err;
	err = fat_unlink_locked(dir, d);
	if (!err)
		dir->nlink--;
	return err;
}

/* Points a moved directory's ".." at its new parent. */
static int set_dotdot(struct inode *i, struct inode *parent)
{
	struct fat_sb *fs = FAT_SB(i->sb);
	u32 up = FAT_I(parent)->dpos ? FAT_I(parent)->start : 0;
	struct fat_dirent de;
	u64 dpos;
	int err = fat_dir_pos(i, FAT_DIRENT_SIZE, &dpos);

	if (err)
		return err > 0 ? -EIO : err;
	err = fat_dev_rw(fs, dpos, &de, sizeof(de), false);
	if (err)
		return err;
	if (memcmp(de.name, "..         ", 11)) {
		fat_warn(fs, "directory %llu has no \"..\" entry", (unsigned long long)i->ino);
		return 0;
	}
	de.start_lo = (u16)up;
	de.start_hi = fs->type == 32 ? (u16)(up >> 16) : 0;
	return fat_dev_rw(fs, dpos, &de, sizeof(de), true);
}

/*
 * The new entry is written before the old one (and a replaced one) is removed, so a failure
 * leaves the old name in place.
 */
static int fat_rename_locked(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd)
{
	struct fat_slot *s = kmalloc(sizeof(*s), 0);
	struct inode *i = od->inode, *victim = nd->inode;
	struct fat_dirent de;
	u64 dpos;
	int err;

	if (!s)
		return -ENOMEM;
	err = victim && IS_DIR(victim) ? fat_dir_empty(victim) : 0;
	if (!err)
		err = find_by_dpos(odir, FAT_I(i)->dpos, s);
	if (err)
		goto out;
	de = s->de;
	err = fat_dir_add(ndir, nd->name, nd->len, &de, &dpos);
	if (err)
		goto out;
	if (victim) {
		struct fat_slot *vs = kmalloc(sizeof(*vs), 0);
		err = vs ? find_by_dpos(ndir, FAT_I(victim)->dpos, vs) : -ENOMEM;
		if (!err)
			err = fat_dir_remove(ndir, vs);
		kfree(vs);
		if (err)
			goto out;
		victim->nlink = 0;
		if (IS_DIR(victim))
			ndir->nlink--;
		drop_aliases(nd, victim);
	}
	/* The old slot did not move: ndir's new entry went after it or elsewhere. */
	err = fat_dir_remove(odir, s);
	if (err)
		goto out;
	FAT_I(i)->dpos = dpos;
	drop_aliases(od, i);
	if (IS_DIR(i) && odir != ndir) {
		err = set_dotdot(i, ndir);
		odir->nlink--;
		ndir->nlink++;
	}
	touch_dir(odir);
	if (ndir != odir)
		touch_dir(ndir);
out:
	kfree(s);
	return err;
}

static int fat_create(struct inode *dir, struct dentry *d, u32 mode, dev_t rdev)
{
	return FAT_LOCKED(FAT_SB(dir->sb), fat_create_locked(dir, d, mode, rdev));
}

static int fat_mkdir(struct inode *dir, struct dentry *d, u32 mode)
{
	return FAT_LOCKED(FAT_SB(dir->sb), fat_mkdir_locked(dir, d, mode));
}

static int fat_unlink(struct inode *dir, struct dentry *d)
{
	return FAT_LOCKED(FAT_SB(dir->sb), fat_unlink_locked(dir, d));
}

static int fat_rmdir(struct inode *dir, struct dentry *d)
{
	return FAT_LOCKED(FAT_SB(dir->sb), fat_rmdir_locked(dir, d));
}

static int fat_rename(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd)
{
	return FAT_LOCKED(FAT_SB(odir->sb), fat_rename_locked(odir, od, ndir, nd));
}

static int fat_symlink(struct inode *dir, struct dentry *d, const char *target)
{
	return -EPERM; /* FAT cannot store a link */
}

static int fat_link(struct inode *old, struct inode *dir, struct dentry *d)
{
	return -EPERM;
}

const struct inode_ops fat_dir_iops = {
	.lookup = fat_lookup,
	.create = fat_create,
	.mkdir = fat_mkdir,
	.symlink = fat_symlink,
	.link = fat_link,
	.unlink = fat_unlink,
	.rmdir = fat_rmdir,
	.rename = fat_rename,
	.setattr = fat_setattr,
	.readdir = fat_readdir,
};
