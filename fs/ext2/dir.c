/* fs/ext2/dir.c: ext2 directories: linked-list entries in blocks, each block checked whole before any
 * entry of it is used; listing (positions are byte offsets) and lookup. Not hashed (htree) indexes. */
#include <granary/errno.h>
#include <granary/slab.h>
#include <granary/string.h>
#include "ext2.h"

#define EXT2_MIN_REC_LEN 12 /* an entry with a one-byte name */

/* The length a rec_len field stands for: 64 KiB blocks write a whole-block record as 65535 or 0. */
static u32 rec_len(struct ext2_fs *fs, u16 disk)
{
	if (fs->bsize == 65536 && (disk == 65535 || disk == 0))
		return 65536;
	return disk;
}

static u32 name_len(struct ext2_fs *fs, const struct ext2_disk_dirent *de)
{
	if (fs->incompat & EXT2_FEATURE_INCOMPAT_FILETYPE)
		return de->name_len;
	return de->name_len | (u32)de->file_type << 8;
}

static unsigned dt_type(struct ext2_fs *fs, const struct ext2_disk_dirent *de)
{
	static const u8 types[] = { DT_UNKNOWN, DT_REG, DT_DIR, DT_CHR, DT_BLK, DT_FIFO, DT_SOCK, DT_LNK };

	if (!(fs->incompat & EXT2_FEATURE_INCOMPAT_FILETYPE) || de->file_type >= ARRAY_SIZE(types))
		return DT_UNKNOWN;
	return types[de->file_type];
}

/* Reads directory block lblock of dir into buf and checks every entry in it: 0 or -EIO. */
static int read_dir_block(struct inode *dir, u64 lblock, u8 *buf)
{
	struct ext2_fs *fs = EXT2_FS(dir->sb);
	unsigned long long ino = dir->ino;
	u64 pblock;
	int err = ext2_bmap(dir, lblock, &pblock);

	if (err)
		return err;
	if (!pblock)
		return ext2_corrupt(fs, "directory %llu: hole at block %llu", ino,
				    (unsigned long long)lblock);
	err = ext2_read(fs, pblock << fs->log_bsize, buf, fs->bsize);
	if (err)
		return err;
	/* Each record is at least EXT2_MIN_REC_LEN bytes: at most bsize / 12 steps. */
	for (u32 off = 0; off < fs->bsize;) {
		const struct ext2_disk_dirent *de = (const void *)(buf + off);
		u32 len, nlen;
		if (off + EXT2_DIRENT_HEAD > fs->bsize)
			return ext2_corrupt(fs, "directory %llu block %llu: entry header at %u crosses the block",
					    ino, (unsigned long long)lblock, off);
		len = rec_len(fs, de->rec_len);
		nlen = name_len(fs, de);
		if (len < EXT2_MIN_REC_LEN || (len & 3) || len > fs->bsize - off)
			return ext2_corrupt(fs, "directory %llu block %llu offset %u: bad rec_len %u",
					    ino, (unsigned long long)lblock, off, len);
		if (de->inode && (!nlen || nlen > NAME_MAX || EXT2_DIRENT_HEAD + nlen > len))
			return ext2_corrupt(fs, "directory %llu block %llu offset %u: name_len %u in a %u-byte record",
					    ino, (unsigned long long)lblock, off, nlen, len);
		if (de->inode > fs->inodes_count)
			return ext2_corrupt(fs, "directory %llu block %llu offset %u: inode %u past %u",
					    ino, (unsigned long long)lblock, off, de->inode,
					    fs->inodes_count);
		off += len;
	}
	return 0;
}

int ext2_readdir(struct file *f, struct dir_ctx *ctx)
{
	struct inode *dir = f->inode;
	struct ext2_fs *fs = EXT2_FS(dir->sb);
	u8 *buf;
	int err = 0;

	if (f->pos >= dir->size)
		return 0;
	buf = kmalloc(fs->bsize, 0);
	if (!buf)
		return -ENOMEM;
	/* f->pos is the byte offset of the next entry; one that is not on an entry boundary (an
	 * lseek) moves to the next entry after it. */
	while (f->pos < dir->size) {
		u64 lblock = f->pos >> fs->log_bsize, base = lblock << fs->log_bsize;
		err = read_dir_block(dir, lblock, buf);
		if (err)
			break;
		for (u32 off = 0; off < fs->bsize;) {
			const struct ext2_disk_dirent *de = (const void *)(buf + off);
			u32 len = rec_len(fs, de->rec_len);
			if (base + off >= f->pos && de->inode) {
				if (!ctx->emit(ctx, de->name, name_len(fs, de), de->inode,
					       dt_type(fs, de), base + off + len))
					goto out;
			}
			off += len;
			if (base + off > f->pos)
				f->pos = base + off;
		}
	}
out:
	kfree(buf);
	return err;
}

int ext2_lookup(struct inode *dir, struct dentry *d)
{
	struct ext2_fs *fs = EXT2_FS(dir->sb);
	u64 nblocks = dir->size >> fs->log_bsize;
	u8 *buf;
	int err = 0;

	if ((d->len == 1 && d->name[0] == '.') || (d->len == 2 && !memcmp(d->name, "..", 2)))
		return 0; /* the path walk handles these; the disk's entries are not aliases to make */
	buf = kmalloc(fs->bsize, 0);
	if (!buf)
		return -ENOMEM;
	for (u64 lblock = 0; lblock < nblocks; lblock++) {
		err = read_dir_block(dir, lblock, buf);
		if (err)
			break;
		for (u32 off = 0; off < fs->bsize;) {
			const struct ext2_disk_dirent *de = (const void *)(buf + off);
			if (de->inode && name_len(fs, de) == d->len && !memcmp(de->name, d->name, d->len)) {
				struct inode *i = ext2_iget(dir->sb, de->inode, &err);
				if (i)
					d_instantiate(d, i);
				goto out;
			}
			off += rec_len(fs, de->rec_len);
		}
	}
out:
	kfree(buf);
	return err;
}
