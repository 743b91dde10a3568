/* fs/ext2/inode.c: ext2 inodes: reading one by number (checked as hostile input), the block map with its
 * indirect blocks, file pages for the page map, and symlinks. Not directories (dir.c) or the superblock (super.c). */
#include <granary/errno.h>
#include <granary/page.h>
#include <granary/printk.h>
#include <granary/slab.h>
#include <granary/string.h>
#include "ext2.h"

static const struct inode_ops ext2_file_ops, ext2_dir_ops, ext2_symlink_ops, ext2_special_ops;

static struct ext2_inode_info *EI(struct inode *i)
{
	return i->priv;
}

/* A block number read from disk: 0 is a hole; otherwise it must be a block past the superblock. */
static bool block_ok(struct ext2_fs *fs, u64 b)
{
	return b > fs->first_data_block && b < fs->blocks_count;
}

int ext2_bmap(struct inode *i, u64 lblock, u64 *pblock)
{
	struct ext2_fs *fs = EXT2_FS(i->sb);
	u64 p = fs->addr_per_block, span = 1, rest = lblock;
	unsigned depth;
	u32 b;

	/* Which tree: direct (depth 0), single (1), double (2) or triple (3) indirect. */
	if (rest < EXT2_NDIR_BLOCKS) {
		depth = 0;
		b = EI(i)->block[rest];
	} else {
		rest -= EXT2_NDIR_BLOCKS;
		for (depth = 1; depth <= 3; depth++) {
			span *= p;
			if (rest < span)
				break;
			rest -= span;
		}
		if (depth > 3)
			return ext2_corrupt(fs, "inode %llu: block %llu past the block map",
					    (unsigned long long)i->ino, (unsigned long long)lblock);
		b = EI(i)->block[EXT2_IND_BLOCK + depth - 1];
	}
	/* At most three indirect reads: the walk is bounded by depth. */
	for (;;) {
		int err;
		if (b && !block_ok(fs, b))
			return ext2_corrupt(fs, "inode %llu: block %u outside the filesystem (%llu blocks)",
					    (unsigned long long)i->ino, b,
					    (unsigned long long)fs->blocks_count);
		if (!b || !depth)
			break;
		span /= p;
		err = ext2_read(fs, ((u64)b << fs->log_bsize) + (rest / span) * 4, &b, 4);
		if (err)
			return err;
		rest %= span;
		depth--;
	}
	*pblock = b;
	return 0;
}

/* Reads the file bytes of page index of a regular file into buf: false if the page is all
 * holes (buf untouched), true with buf filled; an error in *err. */
static bool read_page(struct inode *i, u64 index, u8 *buf, int *err)
{
	struct ext2_fs *fs = EXT2_FS(i->sb);
	u64 start = index * PAGE_SIZE, end = start + PAGE_SIZE;
	bool data = false;

	*err = 0;
	if (end > i->size)
		end = i->size;
	/* A block larger than a page holds several pages; a smaller one is a part of one. */
	for (u64 pos = start; pos < end;) {
		u64 lblock = pos >> fs->log_bsize, pblock;
		u64 in = pos & (fs->bsize - 1);
		u64 n = fs->bsize - in < end - pos ? fs->bsize - in : end - pos;

		*err = ext2_bmap(i, lblock, &pblock);
		if (*err)
			return false;
		if (pblock) {
			if (!data)
				memset(buf, 0, PAGE_SIZE);
			data = true;
			*err = ext2_read(fs, (pblock << fs->log_bsize) + in, buf + (pos - start), n);
			if (*err)
				return false;
		}
		pos += n;
	}
	if (data && end - start < PAGE_SIZE)
		memset(buf + (end - start), 0, PAGE_SIZE - (end - start)); /* nothing past EOF */
	return data;
}

/* Pages are read once into the inode's page map and kept until the inode goes: the VFS's
 * read path, sendfile and exec all take file data through get_page, so one cache serves all.
 * A page that is all holes is never stored: the VFS reads NULL as zeros. */
static int ext2_get_page(struct inode *i, u64 index, bool create, void **page)
{
	u64 blocks = i->blocks;
	u8 *tmp;
	int err = page_map_get(i, index, false, page);

	if (err || *page)
		return err;
	if (create)
		return -EROFS;
	if (index * PAGE_SIZE >= i->size)
		return 0;
	/* Read into a page of our own first: a failed read must not leave a page in the map. */
	tmp = page_alloc_va(0);
	if (!tmp)
		return -ENOMEM;
	if (!read_page(i, index, tmp, &err)) {
		page_free_va(tmp);
		return err;
	}
	/* Another reader may have filled the slot while this one slept on the device. */
	err = page_map_get(i, index, false, page);
	if (!err && !*page) {
		err = page_map_get(i, index, true, page);
		i->blocks = blocks; /* st_blocks is what the disk says, not what memory holds */
		if (!err)
			memcpy(*page, tmp, PAGE_SIZE);
	}
	page_free_va(tmp);
	return err;
}

/* Fast symlinks keep the target in i_block; slow ones in their first block. */
static long ext2_readlink(struct inode *i, char *buf, size_t size)
{
	struct ext2_fs *fs = EXT2_FS(i->sb);
	u64 pblock;
	int err;

	if (i->size > size)
		return -ENAMETOOLONG;
	if (i->size < EXT2_FAST_LINK_MAX && !(i->blocks - (EI(i)->file_acl ? fs->bsize / 512 : 0))) {
		memcpy(buf, EI(i)->block, i->size);
	} else {
		err = ext2_bmap(i, 0, &pblock);
		if (err)
			return err;
		if (!pblock)
			return ext2_corrupt(fs, "symlink %llu has no data block",
					    (unsigned long long)i->ino);
		err = ext2_read(fs, pblock << fs->log_bsize, buf, i->size);
		if (err)
			return err;
	}
	if (memchr(buf, '\0', i->size))
		return ext2_corrupt(fs, "symlink %llu: NUL in its target", (unsigned long long)i->ino);
	return (long)i->size;
}

static int ext2_no_write(struct inode *i, const struct iattr *a)
{
	return -EROFS;
}

static const struct inode_ops ext2_file_ops = {
	.get_page = ext2_get_page,
	.setattr = ext2_no_write,
};
static const struct inode_ops ext2_dir_ops = {
	.lookup = ext2_lookup,
	.readdir = ext2_readdir,
	.setattr = ext2_no_write,
};
static const struct inode_ops ext2_symlink_ops = {
	.readlink = ext2_readlink,
	.setattr = ext2_no_write,
};
static const struct inode_ops ext2_special_ops = {
	.setattr = ext2_no_write,
};

static struct k_timespec disk_time(u32 sec, u32 extra, bool has_extra)
{
	/* The extra word: two epoch bits extending the signed 32-bit seconds, then nanoseconds. */
	s64 s = (s32)sec;
	s64 ns = 0;

	if (has_extra) {
		s += (s64)(extra & 3) << 32;
		ns = extra >> 2;
		if (ns > 999999999)
			ns = 0;
	}
	return (struct k_timespec){ .sec = s, .nsec = ns };
}

/* Linux's device number encodings: the old 8:8 in i_block[0], or the new 12:20 in i_block[1]. */
static dev_t disk_rdev(const struct ext2_disk_inode *d)
{
	u32 old = d->i_block[0], v = d->i_block[1];

	if (old)
		return MKDEV((old >> 8) & 0xff, old & 0xff);
	return MKDEV((v & 0xfff00) >> 8, (v & 0xff) | ((v >> 12) & 0xfff00));
}

/* Checks the raw inode d and fills i from it: 0 or -EIO. */
static int fill_inode(struct ext2_fs *fs, struct inode *i, const struct ext2_disk_inode *d)
{
	struct ext2_inode_info *ei = EI(i);
	u32 type = d->i_mode & S_IFMT;
	u32 extra = fs->inode_size > EXT2_GOOD_OLD_INODE_SIZE ? d->i_extra_isize : 0;
	u64 ino = i->ino;

	if (!d->i_links_count)
		return ext2_corrupt(fs, "inode %llu is in use but has no links", (unsigned long long)ino);
	if (d->i_flags & (EXT4_EXTENTS_FL | EXT4_INLINE_DATA_FL))
		return ext2_corrupt(fs, "inode %llu uses extents or inline data (flags %#x)",
				    (unsigned long long)ino, d->i_flags);
	if (extra > fs->inode_size - EXT2_GOOD_OLD_INODE_SIZE)
		extra = 0;
	i->mode = d->i_mode;
	i->uid = d->i_uid | (u32)d->l_i_uid_high << 16;
	i->gid = d->i_gid | (u32)d->l_i_gid_high << 16;
	i->nlink = d->i_links_count;
	i->size = d->i_size;
	i->blocks = d->i_blocks;
	i->atime = disk_time(d->i_atime, d->i_atime_extra, extra >= 16);
	i->mtime = disk_time(d->i_mtime, d->i_mtime_extra, extra >= 12);
	i->ctime = disk_time(d->i_ctime, d->i_ctime_extra, extra >= 8);
	memcpy(ei->block, d->i_block, sizeof(ei->block));
	ei->flags = d->i_flags;
	ei->file_acl = d->i_file_acl;
	switch (type) {
	case S_IFREG:
		i->size |= (u64)d->i_size_high << 32;
		if ((i->size + fs->bsize - 1) >> fs->log_bsize > fs->max_lblock)
			return ext2_corrupt(fs, "inode %llu: size %llu past the block map",
					    (unsigned long long)ino, (unsigned long long)i->size);
		i->ops = &ext2_file_ops;
		break;
	case S_IFDIR:
		if (i->size & (fs->bsize - 1))
			return ext2_corrupt(fs, "directory %llu: size %llu not a multiple of the block size",
					    (unsigned long long)ino, (unsigned long long)i->size);
		i->ops = &ext2_dir_ops;
		break;
	case S_IFLNK:
		if (!i->size || i->size >= PATH_MAX || i->size >= fs->bsize)
			return ext2_corrupt(fs, "symlink %llu: bad target length %llu",
					    (unsigned long long)ino, (unsigned long long)i->size);
		i->ops = &ext2_symlink_ops;
		break;
	case S_IFCHR:
	case S_IFBLK:
		i->rdev = disk_rdev(d);
		i->ops = &ext2_special_ops;
		break;
	case S_IFIFO:
	case S_IFSOCK:
		i->ops = &ext2_special_ops;
		break;
	default:
		return ext2_corrupt(fs, "inode %llu: unknown file type %#o", (unsigned long long)ino,
				    type);
	}
	return 0;
}

static struct inode *cached(struct super_block *sb, u32 ino)
{
	struct list_head *pos;

	list_for_each(pos, &sb->inodes) {
		struct inode *i = list_entry(pos, struct inode, sb_link);
		if (i->ino == ino) {
			inode_get(i);
			return i;
		}
	}
	return NULL;
}

struct inode *ext2_iget(struct super_block *sb, u32 ino, int *err)
{
	struct ext2_fs *fs = EXT2_FS(sb);
	struct ext2_disk_inode d;
	struct ext2_disk_group gd;
	struct inode *i = cached(sb, ino);
	u32 g, idx, n;

	if (i)
		return i;
	*err = -EIO;
	if ((ino != EXT2_ROOT_INO && ino < fs->first_ino) || ino > fs->inodes_count) {
		ext2_corrupt(fs, "reference to inode %u (inodes %u..%u)", ino, fs->first_ino,
			     fs->inodes_count);
		return NULL;
	}
	g = (ino - 1) / fs->inodes_per_group;
	idx = (ino - 1) % fs->inodes_per_group;
	*err = ext2_group(fs, g, &gd);
	if (*err)
		return NULL;
	memset(&d, 0, sizeof(d));
	n = fs->inode_size < sizeof(d) ? fs->inode_size : sizeof(d);
	*err = ext2_read(fs, ((u64)gd.bg_inode_table << fs->log_bsize) + (u64)idx * fs->inode_size,
			 &d, n);
	if (*err)
		return NULL;
	/* The read may have slept: another task may have brought the inode in meanwhile. */
	i = cached(sb, ino);
	if (i)
		return i;
	*err = -ENOMEM;
	i = inode_new(sb, 0);
	if (!i)
		return NULL;
	i->priv = kzalloc(sizeof(struct ext2_inode_info));
	i->ino = ino;
	i->ops = &ext2_special_ops;
	*err = i->priv ? fill_inode(fs, i, &d) : -ENOMEM;
	if (*err) {
		i->nlink = 1; /* dropping it must not look like freeing a file */
		inode_put(i);
		return NULL;
	}
	return i;
}

void ext2_evict(struct inode *i)
{
	kfree(i->priv);
	i->priv = NULL;
}
