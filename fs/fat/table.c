/* fs/fat/table.c: the File Allocation Table: bytes on the device through the buffer cache, FAT
 * entries, and cluster chains read into per-inode extent lists, grown and cut. Not names or files. */
#include "fat.h"
#include <granary/bcache.h>
#include <granary/errno.h>
#include <granary/slab.h>
#include <granary/string.h>

int fat_dev_rw(struct fat_sb *fs, u64 pos, void *buf, size_t len, bool write)
{
	u8 *p = buf;

	while (len) {
		u32 off = (u32)(pos % fs->bsize);
		size_t chunk = min((size_t)(fs->bsize - off), len);
		struct buf *b = bcache_read(fs->dev, pos / fs->bsize);

		if (IS_ERR(b)) {
			fat_err(fs, "cannot %s block %llu: error %ld", write ? "write" : "read",
				(unsigned long long)(pos / fs->bsize), PTR_ERR(b));
			return (int)PTR_ERR(b);
		}
		if (write) {
			memcpy(b->data + off, p, chunk);
			bcache_mark_dirty(b);
		} else {
			memcpy(p, b->data + off, chunk);
		}
		bcache_release(b);
		p += chunk;
		pos += chunk;
		len -= chunk;
	}
	return 0;
}

int fat_dev_zero(struct fat_sb *fs, u64 pos, u64 len)
{
	while (len) {
		u32 off = (u32)(pos % fs->bsize);
		u64 chunk = min((u64)(fs->bsize - off), len);
		/* A whole block is overwritten: no need to read it first. */
		struct buf *b = chunk == fs->bsize ? bcache_get(fs->dev, pos / fs->bsize)
						   : bcache_read(fs->dev, pos / fs->bsize);

		if (IS_ERR(b))
			return (int)PTR_ERR(b);
		memset(b->data + off, 0, chunk);
		bcache_mark_dirty(b);
		bcache_release(b);
		pos += chunk;
		len -= chunk;
	}
	return 0;
}

/* ---- entries ---- */

static u32 eoc_min(struct fat_sb *fs)
{
	return fs->type == 12 ? 0xff8 : fs->type == 16 ? 0xfff8 : 0x0ffffff8;
}

static u32 eoc_mark(struct fat_sb *fs)
{
	return fs->type == 12 ? 0xfff : fs->type == 16 ? 0xffff : 0x0fffffff;
}

static u64 entry_pos(struct fat_sb *fs, u32 copy, u32 clus)
{
	u64 base = fs->fat_start + copy * fs->fat_bytes;

	if (fs->type == 12)
		return base + clus + clus / 2;
	return base + (u64)clus * (fs->type / 8);
}

int fat_get_entry(struct fat_sb *fs, u32 clus, u32 *val)
{
	u32 v = 0;
	int err;

	if (clus > fs->max_cluster)
		return -EIO;
	err = fat_dev_rw(fs, entry_pos(fs, fs->active_fat, clus), &v, fs->type == 32 ? 4 : 2,
			 false);
	if (err)
		return err;
	if (fs->type == 12)
		v = clus & 1 ? v >> 4 : v & 0xfff;
	else if (fs->type == 32)
		v &= 0x0fffffff;
	*val = v;
	return 0;
}

static int set_entry(struct fat_sb *fs, u32 clus, u32 val)
{
	for (u32 copy = 0; copy < fs->nfats; copy++) {
		u64 pos;
		u32 v = 0;
		int err;

		if (!fs->mirror && copy != fs->active_fat)
			continue;
		pos = entry_pos(fs, copy, clus);
		if (fs->type == 16) {
			v = val;
		} else {
			err = fat_dev_rw(fs, pos, &v, fs->type == 32 ? 4 : 2, false);
			if (err)
				return err;
			if (fs->type == 32)
				v = (v & 0xf0000000) | (val & 0x0fffffff); /* the top bits are reserved */
			else if (clus & 1)
				v = (v & 0x000f) | (val << 4);
			else
				v = (v & 0xf000) | (val & 0xfff);
		}
		err = fat_dev_rw(fs, pos, &v, fs->type == 32 ? 4 : 2, true);
		if (err)
			return err;
	}
	fs->changed = true;
	return 0;
}

/* ---- extents ---- */

void fat_free_map(struct fat_inode *fi)
{
	kfree(fi->ext);
	fi->ext = NULL;
	fi->next = fi->cap = 0;
	fi->nclus = 0;
	fi->mapped = false;
}

static int ext_append(struct fat_inode *fi, u32 clus)
{
	struct fat_extent *e = fi->next ? &fi->ext[fi->next - 1] : NULL;

	if (e && e->dclus + e->len == clus) {
		e->len++;
	} else {
		if (fi->next == fi->cap) {
			u32 cap = fi->cap ? fi->cap * 2 : 4;
			struct fat_extent *n = kmalloc(cap * sizeof(*n), 0);
			if (!n)
				return -ENOMEM;
			if (fi->next)
				memcpy(n, fi->ext, fi->next * sizeof(*n));
			kfree(fi->ext);
			fi->ext = n;
			fi->cap = cap;
		}
		fi->ext[fi->next++] = (struct fat_extent){ fi->nclus, clus, 1 };
	}
	fi->nclus++;
	return 0;
}

int fat_bmap(struct inode *i, u32 fclus, u32 *dclus)
{
	struct fat_inode *fi = FAT_I(i);
	u32 lo = 0, hi = fi->next;

	if (fclus >= fi->nclus)
		return -ENOENT;
	while (hi - lo > 1) {
		u32 mid = (lo + hi) / 2;
		if (fi->ext[mid].fclus <= fclus)
			lo = mid;
		else
			hi = mid;
	}
	*dclus = fi->ext[lo].dclus + (fclus - fi->ext[lo].fclus);
	return 0;
}

/*
 * Reads the chain into extents. Every step is checked: a cluster number outside the volume, a
 * free or bad cluster inside a chain, and a chain longer than the file's size (or than the
 * largest directory the spec allows) are corruption. The walk is bounded by that length, so a
 * loop in the chain ends it with -EIO instead of running forever.
 */
int fat_map(struct inode *i)
{
	struct fat_sb *fs = FAT_SB(i->sb);
	struct fat_inode *fi = FAT_I(i);
	bool dir = IS_DIR(i);
	u64 need = (i->size + fs->cluster_size - 1) >> fs->cluster_shift;
	u64 limit = dir ? max(FAT_DIR_MAX_BYTES >> fs->cluster_shift, 1u) : max(need, (u64)1);
	u32 c = fi->start;
	int err;

	if (fi->mapped || fat_fixed_root(i))
		return 0;
	fat_free_map(fi);
	if (!c) {
		if (dir || need) {
			fat_err(fs, "%s %llu has no clusters", dir ? "directory" : "file of size",
				dir ? (unsigned long long)i->ino : (unsigned long long)i->size);
			return -EIO;
		}
		fi->mapped = true;
		return 0;
	}
	for (;;) {
		u32 v;
		if (c < 2 || c > fs->max_cluster) {
			fat_err(fs, "cluster %u out of range (2..%u) in the chain of inode %llu", c,
				fs->max_cluster, (unsigned long long)i->ino);
			err = -EIO;
			goto fail;
		}
		if (fi->nclus >= limit) {
			fat_err(fs, "chain of inode %llu is longer than %llu clusters (a loop?)",
				(unsigned long long)i->ino, (unsigned long long)limit);
			err = -EIO;
			goto fail;
		}
		err = ext_append(fi, c);
		if (err)
			goto fail;
		err = fat_get_entry(fs, c, &v);
		if (err)
			goto fail;
		if (v >= eoc_min(fs))
			break;
		if (v == 0 || v == eoc_min(fs) - 1) {
			fat_err(fs, "chain of inode %llu runs into a %s cluster after %u",
				(unsigned long long)i->ino, v ? "bad" : "free", c);
			err = -EIO;
			goto fail;
		}
		c = v;
	}
	if (!dir && fi->nclus < need) {
		fat_err(fs, "inode %llu: %u clusters hold less than its size %llu",
			(unsigned long long)i->ino, fi->nclus, (unsigned long long)i->size);
		err = -EIO;
		goto fail;
	}
	fi->mapped = true;
	return 0;
fail:
	fat_free_map(fi);
	return err;
}

/* ---- allocation ---- */

static int find_free(struct fat_sb *fs, u32 *out)
{
	u32 c = fs->next_free;

	for (u32 n = 0; n < fs->nclusters; n++, c++) {
		u32 v;
		int err;
		if (c < 2 || c > fs->max_cluster)
			c = 2;
		err = fat_get_entry(fs, c, &v);
		if (err)
			return err;
		if (!v) {
			*out = c;
			return 0;
		}
	}
	return -ENOSPC;
}

int fat_grow(struct inode *i, u32 count, bool zero)
{
	struct fat_sb *fs = FAT_SB(i->sb);
	struct fat_inode *fi = FAT_I(i);
	int err = fat_map(i);

	while (!err && count--) {
		u32 c, last = 0;
		if (fi->nclus && (err = fat_bmap(i, fi->nclus - 1, &last)))
			break;
		err = find_free(fs, &c);
		if (err)
			break;
		if (zero && (err = fat_dev_zero(fs, fat_cluster_pos(fs, c), fs->cluster_size)))
			break;
		err = set_entry(fs, c, eoc_mark(fs));
		if (!err)
			err = ext_append(fi, c);
		if (err) {
			set_entry(fs, c, 0);
			break;
		}
		err = last ? set_entry(fs, last, c) : 0;
		if (!last)
			fi->start = c;
		if (fs->free_known && fs->free_count)
			fs->free_count--;
		fs->next_free = c + 1;
	}
	return err;
}

int fat_shrink(struct inode *i, u32 keep)
{
	struct fat_sb *fs = FAT_SB(i->sb);
	struct fat_inode *fi = FAT_I(i);
	int err = fat_map(i);
	u32 freed = 0;

	if (err || fi->nclus <= keep)
		return err;
	if (keep) {
		u32 last;
		err = fat_bmap(i, keep - 1, &last);
		if (!err)
			err = set_entry(fs, last, eoc_mark(fs));
	} else {
		fi->start = 0;
	}
	for (u32 f = keep; !err && f < fi->nclus; f++) {
		u32 c;
		err = fat_bmap(i, f, &c);
		if (!err)
			err = set_entry(fs, c, 0);
		if (!err)
			freed++;
	}
	if (fs->free_known)
		fs->free_count += freed;
	/* Cut the extents at keep. */
	while (fi->next && fi->ext[fi->next - 1].fclus >= keep)
		fi->next--;
	if (fi->next) {
		struct fat_extent *e = &fi->ext[fi->next - 1];
		if (e->fclus + e->len > keep)
			e->len = keep - e->fclus;
	}
	fi->nclus = keep;
	return err;
}

int fat_count_free(struct fat_sb *fs)
{
	u32 n = 0;

	if (fs->free_known)
		return 0;
	for (u32 c = 2; c <= fs->max_cluster; c++) {
		u32 v;
		int err = fat_get_entry(fs, c, &v);
		if (err)
			return err;
		n += !v;
	}
	fs->free_count = n;
	fs->free_known = true;
	return 0;
}
