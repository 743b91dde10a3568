/* fs/fat/dir.c: FAT directories: walking their 32-byte entries (long-name pieces checked and joined),
 * lookup, readdir, and adding and removing entries. Not what the names mean to the VFS (namei.c). */
#include "fat.h"
#include <granary/bcache.h>
#include <granary/errno.h>
#include <granary/slab.h>
#include <granary/string.h>

/* Walks entries holding the block under them, so a scan reads each block once. */
struct cursor {
	struct fat_sb *fs;
	struct buf *b;
};

static struct fat_dirent *cur_entry(struct cursor *c, u64 dpos, int *err)
{
	u64 blk = dpos / c->fs->bsize;

	if (!c->b || c->b->blockno != blk) {
		bcache_release(c->b);
		c->b = bcache_read(c->fs->dev, blk);
		if (IS_ERR(c->b)) {
			*err = (int)PTR_ERR(c->b);
			c->b = NULL;
			fat_err(c->fs, "cannot read directory block %llu: error %d",
				(unsigned long long)blk, *err);
			return NULL;
		}
	}
	return (struct fat_dirent *)(c->b->data + dpos % c->fs->bsize);
}

static void cur_done(struct cursor *c)
{
	bcache_release(c->b);
	c->b = NULL;
}

int fat_dir_pos(struct inode *dir, u64 off, u64 *dpos)
{
	struct fat_sb *fs = FAT_SB(dir->sb);
	u32 clus;
	int err;

	if (fat_fixed_root(dir)) {
		if (off >= fs->root_bytes)
			return 1;
		*dpos = fs->root_start + off;
		return 0;
	}
	err = fat_map(dir);
	if (err)
		return err;
	if (off >= FAT_DIR_MAX_BYTES || (off >> fs->cluster_shift) >= FAT_I(dir)->nclus)
		return 1;
	err = fat_bmap(dir, (u32)(off >> fs->cluster_shift), &clus);
	if (err)
		return err;
	*dpos = fat_cluster_pos(fs, clus) + (off & (fs->cluster_size - 1));
	return 0;
}

static bool is_dot(const u8 *name)
{
	return !memcmp(name, ".          ", 11) || !memcmp(name, "..         ", 11);
}

/*
 * The next name from *off: 1 with it in s and *off past it, 0 at the end (*off stays at the end
 * marker, where a new entry will go), or a negative errno. Long-name pieces count only when they
 * come in order (ord N|0x40 down to 1), agree on the checksum, and the short entry after them has
 * that checksum; otherwise they are leftovers and the short name is used, as the spec says.
 */
int fat_dir_next(struct inode *dir, u64 *off, struct fat_slot *s)
{
	struct fat_sb *fs = FAT_SB(dir->sb);
	struct cursor cur = { fs, NULL };
	u16 units[FAT_LFN_MAX * 13];
	unsigned want = 0, total = 0;
	bool have = false;
	u8 csum = 0;
	u64 first = 0;
	int ret;

	for (;;) {
		u64 here = *off, dpos;
		struct fat_dirent *e;
		int len = -1;

		ret = fat_dir_pos(dir, here, &dpos);
		if (ret) {
			ret = ret > 0 ? 0 : ret;
			break;
		}
		e = cur_entry(&cur, dpos, &ret);
		if (!e)
			break;
		if (!e->name[0])
			break; /* ret is 0: the end */
		*off = here + FAT_DIRENT_SIZE;
		if (e->name[0] == FAT_DELETED) {
			want = 0;
			have = false;
			continue;
		}
		if ((e->attr & FAT_ATTR_MASK) == FAT_ATTR_LFN) {
			struct fat_lfn *l = (struct fat_lfn *)e;
			unsigned ord = l->ord & ~0x40u;
			u16 *dst;
			if (l->ord & 0x40) {
				have = false;
				want = 0;
				if (ord < 1 || ord > FAT_LFN_MAX)
					continue;
				total = ord;
				csum = l->csum;
				first = here;
			} else if (!want || ord != want || l->csum != csum) {
				want = 0;
				have = false;
				continue;
			}
			dst = units + (ord - 1) * 13;
			memcpy(dst, l->name1, sizeof(l->name1));
			memcpy(dst + 5, l->name2, sizeof(l->name2));
			memcpy(dst + 11, l->name3, sizeof(l->name3));
			want = ord - 1;
			have = !want;
			continue;
		}
		if ((e->attr & FAT_ATTR_VOLUME) || is_dot(e->name)) {
			want = 0;
			have = false;
			continue;
		}
		s->off = s->first = here;
		s->dpos = dpos;
		s->de = *e;
		if (have && fat_checksum(e->name) == csum) {
			len = fat_lfn_to_utf8(units, total * 13, s->name);
			if (len >= 0)
				s->first = first;
		}
		if (len < 0)
			len = fat_short_to_utf8(e, s->name);
		want = 0;
		have = false;
		if (len < 0) {
			if (!fs->warned_names)
				fat_warn(fs, "entry at %llu has a bad name: skipped",
					 (unsigned long long)dpos);
			fs->warned_names = true;
			continue;
		}
		s->len = (u32)len;
		ret = 1;
		break;
	}
	cur_done(&cur);
	return ret;
}

int fat_dir_find(struct inode *dir, const char *name, size_t len, struct fat_slot *s)
{
	u64 off = 0;
	char sn[32];
	int r;

	while ((r = fat_dir_next(dir, &off, s)) > 0) {
		int n;
		if (fat_name_eq(s->name, s->len, name, len))
			return 0;
		/* A long name's alias finds it too. */
		if (s->first != s->off && (n = fat_short_to_utf8(&s->de, sn)) > 0 &&
		    fat_name_eq(sn, (size_t)n, name, len))
			return 0;
	}
	return r < 0 ? r : -ENOENT;
}

static int lookup_locked(struct inode *dir, struct dentry *d)
{
	struct fat_slot *s = kmalloc(sizeof(*s), 0);
	struct inode *i;
	int err;

	if (!s)
		return -ENOMEM;
	err = fat_dir_find(dir, d->name, d->len, s);
	if (!err) {
		i = fat_iget(dir->sb, &s->de, s->dpos, &err);
		if (i)
			d_instantiate(d, i);
	} else if (err == -ENOENT) {
		err = 0; /* a negative dentry */
	}
	kfree(s);
	return err;
}

int fat_lookup(struct inode *dir, struct dentry *d)
{
	return FAT_LOCKED(FAT_SB(dir->sb), lookup_locked(dir, d));
}

/* Positions: 0 ".", 1 "..", then 2 + the offset of the entry to read next. Entries never move, so
 * a position stays good across calls and changes to other names. */
static int readdir_locked(struct file *f, struct dir_ctx *ctx)
{
	struct inode *dir = f->inode;
	struct fat_slot *s;
	u64 off;
	int r;

	if (f->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, dir->ino, DT_DIR, 1))
			return 0;
		f->pos = 1;
	}
	if (f->pos == 1) {
		struct dentry *up = f->path.dentry->parent;
		if (!ctx->emit(ctx, "..", 2, up->inode ? up->inode->ino : dir->ino, DT_DIR, 2))
			return 0;
		f->pos = 2;
	}
	s = kmalloc(sizeof(*s), 0);
	if (!s)
		return -ENOMEM;
	off = (f->pos - 2 + FAT_DIRENT_SIZE - 1) & ~(u64)(FAT_DIRENT_SIZE - 1);
	for (;;) {
		u64 at = off;
		r = fat_dir_next(dir, &off, s);
		if (r <= 0)
			break;
		if (!ctx->emit(ctx, s->name, s->len, s->dpos / FAT_DIRENT_SIZE,
			       (s->de.attr & FAT_ATTR_DIR) ? DT_DIR : DT_REG, off + 2)) {
			off = at; /* read it again next time */
			r = 0;
			break;
		}
	}
	if (r >= 0)
		f->pos = off + 2;
	kfree(s);
	return r;
}

int fat_readdir(struct file *f, struct dir_ctx *ctx)
{
	return FAT_LOCKED(FAT_SB(f->inode->sb), readdir_locked(f, ctx));
}

static int write_byte(struct inode *dir, u64 off, u8 v)
{
	u64 dpos;
	int r = fat_dir_pos(dir, off, &dpos);

	if (r)
		return r > 0 ? -EIO : r;
	return fat_dev_rw(FAT_SB(dir->sb), dpos, &v, 1, true);
}

/* count free entries in a row: their offset in *out; the directory grows when it must. */
static int find_slots(struct inode *dir, unsigned count, u64 *out)
{
	struct fat_sb *fs = FAT_SB(dir->sb);
	struct cursor cur = { fs, NULL };
	u64 o = 0, start = 0;
	unsigned run = 0;
	bool past_end = false;
	int err = 0;

	for (;; o += FAT_DIRENT_SIZE) {
		u64 dpos;
		struct fat_dirent *e;
		int r = fat_dir_pos(dir, o, &dpos);
		if (r < 0) {
			err = r;
			break;
		}
		if (r > 0) {
			cur_done(&cur);
			if (fat_fixed_root(dir) || o + fs->cluster_size > FAT_DIR_MAX_BYTES) {
				err = -ENOSPC;
				break;
			}
			err = fat_grow(dir, 1, true);
			if (err)
				break;
			dir->size += fs->cluster_size;
			dir->blocks = dir->size / 512;
			r = fat_dir_pos(dir, o, &dpos);
			if (r) {
				err = r < 0 ? r : -EIO;
				break;
			}
		}
		e = cur_entry(&cur, dpos, &err);
		if (!e)
			break;
		/* Past the end marker everything is free, whatever a bad disk left there. */
		if (!e->name[0])
			past_end = true;
		if (past_end || e->name[0] == FAT_DELETED) {
			if (!run++)
				start = o;
			if (run == count)
				break;
		} else {
			run = 0;
		}
	}
	cur_done(&cur);
	if (err)
		return err;
	*out = start;
	/* Keep the end marker after new entries placed at the end. */
	if (past_end) {
		u64 dpos;
		if (!fat_dir_pos(dir, start + count * FAT_DIRENT_SIZE, &dpos))
			err = write_byte(dir, start + count * FAT_DIRENT_SIZE, 0);
	}
	return err;
}

/* A "BASIS~N" short name not used in dir, for the long name u[0..n). */
static int make_alias(struct inode *dir, const u16 *u, unsigned n, u8 out[11])
{
	struct fat_slot *s = kmalloc(sizeof(*s), 0);
	u8 used[1024 / 8] = { 0 };
	char base[9], ext[4];
	u64 off = 0;
	int r;

	if (!s)
		return -ENOMEM;
	fat_alias_basis(u, n, base, ext);
	while ((r = fat_dir_next(dir, &off, s)) > 0) {
		unsigned num = fat_alias_number(s->de.name, base, ext);
		if (num && num < 1024)
			used[num / 8] |= (u8)(1 << (num % 8));
	}
	kfree(s);
	if (r < 0)
		return r;
	for (unsigned num = 1; num < 1024; num++) {
		if (!(used[num / 8] & (1 << (num % 8)))) {
			fat_alias_make(base, ext, num, out);
			return 0;
		}
	}
	return -ENOSPC;
}

int fat_dir_add(struct inode *dir, const char *name, size_t len, struct fat_dirent *de, u64 *dpos)
{
	struct fat_sb *fs = FAT_SB(dir->sb);
	u16 units[FAT_NAME_UNITS];
	unsigned nlfn = 0;
	u64 off;
	u8 csum;
	int n = fat_utf8_to_units(name, len, units), err;

	if (n < 0)
		return n;
	if (!fat_fits_short(units, (unsigned)n, de->name, &de->ntres)) {
		nlfn = ((unsigned)n + 12) / 13;
		de->ntres = 0;
		err = make_alias(dir, units, (unsigned)n, de->name);
		if (err)
			return err;
	}
	err = find_slots(dir, nlfn + 1, &off);
	if (err)
		return err;
	csum = fat_checksum(de->name);
	for (unsigned k = 0; k < nlfn; k++) {
		unsigned ord = nlfn - k;
		struct fat_lfn l = { .ord = (u8)(ord | (k ? 0 : 0x40)), .attr = FAT_ATTR_LFN,
				     .csum = csum };
		u16 chars[13];
		u64 p;
		for (unsigned j = 0; j < 13; j++) {
			unsigned idx = (ord - 1) * 13 + j;
			chars[j] = idx < (unsigned)n ? units[idx] : idx == (unsigned)n ? 0 : 0xffff;
		}
		memcpy(l.name1, chars, sizeof(l.name1));
		memcpy(l.name2, chars + 5, sizeof(l.name2));
		memcpy(l.name3, chars + 11, sizeof(l.name3));
		err = fat_dir_pos(dir, off + k * FAT_DIRENT_SIZE, &p);
		if (!err)
			err = fat_dev_rw(fs, p, &l, sizeof(l), true);
		if (err)
			return err > 0 ? -EIO : err;
	}
	err = fat_dir_pos(dir, off + nlfn * FAT_DIRENT_SIZE, dpos);
	if (!err)
		err = fat_dev_rw(fs, *dpos, de, sizeof(*de), true);
	return err > 0 ? -EIO : err;
}

int fat_dir_remove(struct inode *dir, const struct fat_slot *s)
{
	for (u64 o = s->first; o <= s->off; o += FAT_DIRENT_SIZE) {
		int err = write_byte(dir, o, FAT_DELETED);
		if (err)
			return err;
	}
	return 0;
}

int fat_dir_empty(struct inode *dir)
{
	struct fat_slot *s = kmalloc(sizeof(*s), 0);
	u64 off = 0;
	int r;

	if (!s)
		return -ENOMEM;
	r = fat_dir_next(dir, &off, s);
	kfree(s);
	return r > 0 ? -ENOTEMPTY : r;
}

int fat_dir_subdirs(struct inode *dir, u32 *count)
{
	struct fat_slot *s = kmalloc(sizeof(*s), 0);
	u64 off = 0;
	int r;

	if (!s)
		return -ENOMEM;
	*count = 0;
	while ((r = fat_dir_next(dir, &off, s)) > 0)
		*count += !!(s->de.attr & FAT_ATTR_DIR);
	kfree(s);
	return r;
}
