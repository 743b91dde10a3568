/* fs/ext2/super.c: ext2's superblock: mount (the superblock and group descriptors checked as hostile
 * input), statfs, unmount, byte reads through the buffer cache, and the type's registration. Not inodes or directories. */
#include <granary/bcache.h>
#include <granary/blkdev.h>
#include <granary/errno.h>
#include <granary/module.h>
#include <granary/printk.h>
#include <granary/slab.h>
#include <granary/string.h>
#include "ext2.h"

_Static_assert(sizeof(struct ext2_disk_super) == EXT2_SB_SIZE, "superblock layout");
_Static_assert(sizeof(struct ext2_disk_group) == 32, "group descriptor layout");
_Static_assert(sizeof(struct ext2_disk_inode) == 144, "inode layout");

int ext2_read(struct ext2_fs *fs, u64 off, void *dst, size_t len)
{
	u8 *out = dst;
	u64 end = fs->blocks_count ? fs->blocks_count << fs->log_bsize : fs->dev_size;

	if (off > end || len > end - off)
		return ext2_corrupt(fs, "read of %zu bytes at %llu past the end of the filesystem",
				    len, (unsigned long long)off);
	while (len) {
		u64 blk = off / fs->dev_bsize;
		u32 in = (u32)(off % fs->dev_bsize);
		size_t n = fs->dev_bsize - in < len ? fs->dev_bsize - in : len;
		struct buf *b = bcache_read(fs->dev, blk);

		if (IS_ERR(b)) {
			pr_err("ext2 (%s): cannot read device block %llu: error %ld\n", fs->name,
			       (unsigned long long)blk, PTR_ERR(b));
			return PTR_ERR(b) == -ENOMEM ? -ENOMEM : -EIO;
		}
		memcpy(out, b->data + in, n);
		bcache_release(b);
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

int ext2_corrupt(struct ext2_fs *fs, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("ext2 (%s): corrupt filesystem: %s\n", fs->name, msg);
	return -EIO;
}

/* The blocks from the superblock's block through the group descriptor table. */
static u64 gdt_end(struct ext2_fs *fs)
{
	u64 gdt_bytes = (u64)fs->groups * sizeof(struct ext2_disk_group);

	return fs->first_data_block + 1 + (gdt_bytes + fs->bsize - 1) / fs->bsize;
}

int ext2_group(struct ext2_fs *fs, u32 g, struct ext2_disk_group *out)
{
	u64 off = ((u64)fs->first_data_block + 1) * fs->bsize + (u64)g * sizeof(*out);
	int err;

	if (g >= fs->groups)
		return ext2_corrupt(fs, "group %u of %u", g, fs->groups);
	err = ext2_read(fs, off, out, sizeof(*out));
	if (err)
		return err;
	/* Checked on every use, not only at mount: the device may be rewritten under us. */
	if (out->bg_inode_table < gdt_end(fs) ||
	    (u64)out->bg_inode_table + fs->itable_blocks > fs->blocks_count)
		return ext2_corrupt(fs, "group %u: inode table at block %u (%u blocks) outside %llu..%llu",
				    g, out->bg_inode_table, fs->itable_blocks,
				    (unsigned long long)gdt_end(fs), (unsigned long long)fs->blocks_count);
	if (out->bg_block_bitmap >= fs->blocks_count || out->bg_inode_bitmap >= fs->blocks_count)
		return ext2_corrupt(fs, "group %u: bitmaps at blocks %u and %u past block %llu", g,
				    out->bg_block_bitmap, out->bg_inode_bitmap,
				    (unsigned long long)fs->blocks_count);
	return 0;
}

static const struct { u32 bit; const char *name; } incompat_names[] = {
	{ 0x0001, "compression" }, { 0x0004, "needs_recovery" }, { 0x0008, "journal_dev" },
	{ 0x0010, "meta_bg" }, { 0x0040, "extent" }, { 0x0080, "64bit" }, { 0x0100, "mmp" },
	{ 0x0200, "flex_bg" }, { 0x0400, "ea_inode" }, { 0x1000, "dirdata" },
	{ 0x2000, "metadata_csum_seed" }, { 0x4000, "large_dir" }, { 0x8000, "inline_data" },
	{ 0x10000, "encrypt" }, { 0x20000, "casefold" },
};
static const struct { u32 bit; const char *name; } ro_compat_names[] = {
	{ 0x0008, "huge_file" }, { 0x0010, "uninit_bg" }, { 0x0020, "dir_nlink" },
	{ 0x0040, "extra_isize" }, { 0x0100, "quota" }, { 0x0200, "bigalloc" },
	{ 0x0400, "metadata_csum" }, { 0x1000, "readonly" }, { 0x2000, "project" },
	{ 0x8000, "verity" },
};

/* "extent 64bit 0x80000000": the names of the bits in mask, unknown ones in hex. */
static void feature_names(u32 mask, bool incompat, char *buf, size_t size)
{
	size_t used = 0, n = incompat ? ARRAY_SIZE(incompat_names) : ARRAY_SIZE(ro_compat_names);

	buf[0] = '\0';
	for (u32 bit = 1; bit && used < size; bit <<= 1) {
		const char *name = NULL;
		if (!(mask & bit))
			continue;
		for (size_t k = 0; k < n; k++) {
			u32 b = incompat ? incompat_names[k].bit : ro_compat_names[k].bit;
			if (b == bit)
				name = incompat ? incompat_names[k].name : ro_compat_names[k].name;
		}
		if (name)
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " " : "", name);
		else
			used += (size_t)snprintf(buf + used, size - used, "%s%#x", used ? " " : "", bit);
	}
}

static int bad_super(struct ext2_fs *fs, const char *what)
{
	pr_err("ext2 (%s): not mounting: %s\n", fs->name, what);
	return -EINVAL;
}

/* Checks the superblock s and fills fs from it. -EINVAL with a message naming the fault. */
static int check_super(struct ext2_fs *fs, const struct ext2_disk_super *s, bool rdonly)
{
	char names[128];
	u64 ipg_bytes;

	if (s->s_magic != EXT2_MAGIC)
		return bad_super(fs, "no ext2 magic number");
	if (s->s_rev_level > EXT2_DYNAMIC_REV)
		return bad_super(fs, "unknown revision level");
	if (s->s_log_block_size > EXT2_MAX_LOG_BSIZE - EXT2_MIN_LOG_BSIZE)
		return bad_super(fs, "block size over 64 KiB");
	fs->log_bsize = EXT2_MIN_LOG_BSIZE + s->s_log_block_size;
	fs->bsize = 1u << fs->log_bsize;
	fs->addr_per_block = fs->bsize / 4;
	if (fs->bsize < fs->dev_bsize)
		return bad_super(fs, "block size smaller than the device's");
	if (s->s_rev_level == EXT2_GOOD_OLD_REV) {
		fs->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		fs->first_ino = EXT2_GOOD_OLD_FIRST_INO;
	} else {
		fs->inode_size = s->s_inode_size;
		fs->first_ino = s->s_first_ino;
		fs->incompat = s->s_feature_incompat;
		fs->ro_compat = s->s_feature_ro_compat;
	}
	if (fs->inode_size < EXT2_GOOD_OLD_INODE_SIZE || fs->inode_size > fs->bsize ||
	    (fs->inode_size & (fs->inode_size - 1)))
		return bad_super(fs, "bad inode size");
	if (fs->incompat & ~EXT2_INCOMPAT_SUPPORTED) {
		feature_names(fs->incompat & ~EXT2_INCOMPAT_SUPPORTED, true, names, sizeof(names));
		pr_err("ext2 (%s): not mounting: unsupported incompatible features: %s\n", fs->name,
		       names);
		return -EINVAL;
	}
	if ((fs->ro_compat & ~EXT2_RO_COMPAT_SUPPORTED) && !rdonly) {
		feature_names(fs->ro_compat & ~EXT2_RO_COMPAT_SUPPORTED, false, names, sizeof(names));
		pr_err("ext2 (%s): not mounting read-write: unsupported read-only-compatible "
		       "features: %s\n", fs->name, names);
		return -EINVAL;
	}
	fs->blocks_count = s->s_blocks_count;
	fs->first_data_block = s->s_first_data_block;
	fs->inodes_count = s->s_inodes_count;
	fs->blocks_per_group = s->s_blocks_per_group;
	fs->inodes_per_group = s->s_inodes_per_group;
	if (fs->first_data_block != (fs->bsize == 1024 ? 1u : 0u))
		return bad_super(fs, "first data block does not follow the superblock");
	if (fs->blocks_count <= fs->first_data_block + 1)
		return bad_super(fs, "block count too small");
	if (fs->blocks_count > fs->dev_size >> fs->log_bsize)
		return bad_super(fs, "filesystem larger than the device");
	if (!fs->blocks_per_group || fs->blocks_per_group > 8 * fs->bsize)
		return bad_super(fs, "bad blocks per group");
	if (!fs->inodes_per_group || fs->inodes_per_group > 8 * fs->bsize)
		return bad_super(fs, "bad inodes per group");
	fs->groups = (u32)((fs->blocks_count - fs->first_data_block + fs->blocks_per_group - 1) /
			   fs->blocks_per_group);
	if ((u64)fs->groups * fs->inodes_per_group != fs->inodes_count)
		return bad_super(fs, "inode count does not match the groups");
	if (fs->first_ino <= EXT2_ROOT_INO || fs->first_ino > fs->inodes_count)
		return bad_super(fs, "bad first inode");
	ipg_bytes = (u64)fs->inodes_per_group * fs->inode_size;
	fs->itable_blocks = (u32)((ipg_bytes + fs->bsize - 1) >> fs->log_bsize);
	if (gdt_end(fs) > fs->blocks_count)
		return bad_super(fs, "group descriptors past the end");
	fs->r_blocks = s->s_r_blocks_count;
	fs->free_blocks = s->s_free_blocks_count;
	fs->free_inodes = s->s_free_inodes_count;
	/* Direct, single, double and triple indirect: 12 + p + p^2 + p^3 (p <= 16384: fits). */
	fs->max_lblock = EXT2_NDIR_BLOCKS + fs->addr_per_block +
			 (u64)fs->addr_per_block * fs->addr_per_block +
			 (u64)fs->addr_per_block * fs->addr_per_block * fs->addr_per_block;
	if (!(s->s_state & EXT2_VALID_FS) || (s->s_state & EXT2_ERROR_FS))
		pr_warn("ext2 (%s): filesystem not cleanly unmounted or has errors; run e2fsck\n",
			fs->name);
	return 0;
}

static int ext2_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct ext2_fs *fs = EXT2_FS(sb);
	/* The free counts are hints a hostile image may overstate: never more than exists. */
	u64 bfree = fs->free_blocks < fs->blocks_count ? fs->free_blocks : fs->blocks_count;
	u64 ffree = fs->free_inodes < fs->inodes_count ? fs->free_inodes : fs->inodes_count;

	st->bsize = st->frsize = fs->bsize;
	st->blocks = fs->blocks_count;
	st->bfree = bfree;
	st->bavail = bfree > fs->r_blocks ? bfree - fs->r_blocks : 0;
	st->files = fs->inodes_count;
	st->ffree = ffree;
	st->namelen = NAME_MAX;
	st->fsid[0] = (s32)dev_encode(fs->rdev);
	st->flags = (sb->flags & SB_RDONLY) ? MS_RDONLY : 0;
	return 0;
}

static void ext2_kill(struct super_block *sb)
{
	struct ext2_fs *fs = EXT2_FS(sb);

	/* Inodes are evicted after this; ext2_evict needs only the inode's own data. */
	blkdev_put(fs->dev);
	kfree(fs);
	sb->priv = NULL;
}

static const struct super_ops ext2_super_ops = {
	.statfs = ext2_statfs,
	.kill = ext2_kill,
	.evict = ext2_evict,
};

static int ext2_fill_super(struct super_block *sb, const char *source, const char *data)
{
	struct ext2_disk_super *s = NULL;
	struct ext2_disk_group gd;
	struct ext2_fs *fs;
	struct inode *root;
	int err;

	fs = kzalloc(sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	err = vfs_blkdev_from_path(source, &fs->dev, &fs->rdev);
	if (err)
		goto out_free;
	snprintf(fs->name, sizeof(fs->name), "%u:%u", MAJOR(fs->rdev), MINOR(fs->rdev));
	err = -EINVAL;
	if (data && *data) {
		pr_err("ext2 (%s): unknown mount options \"%s\"\n", fs->name, data);
		goto out_put;
	}
	fs->dev_bsize = blkio_block_size(fs->dev);
	err = blkio_get_size(fs->dev, &fs->dev_size);
	if (err)
		goto out_put;
	err = -EINVAL;
	if (fs->dev_size < EXT2_SB_OFFSET + EXT2_SB_SIZE) {
		bad_super(fs, "device too small");
		goto out_put;
	}
	err = -ENOMEM;
	s = kmalloc(sizeof(*s), 0);
	if (!s)
		goto out_put;
	err = ext2_read(fs, EXT2_SB_OFFSET, s, sizeof(*s));
	if (err)
		goto out_put;
	err = check_super(fs, s, sb->flags & SB_RDONLY);
	if (err)
		goto out_put;
	for (u32 g = 0; g < fs->groups; g++) {
		err = ext2_group(fs, g, &gd);
		if (err) {
			err = err == -EIO ? -EINVAL : err; /* a bad image is refused, as Linux does */
			goto out_put;
		}
	}
	/* Writing is not implemented: a read-write mount is refused, so that busybox's mount
	 * retries read-only with a warning as it does for a write-protected device. */
	err = -EROFS;
	if (!(sb->flags & SB_RDONLY)) {
		pr_err("ext2 (%s): writing is not supported: mount read-only (-o ro)\n", fs->name);
		goto out_put;
	}
	sb->priv = fs;
	sb->ops = &ext2_super_ops;
	sb->magic = EXT2_MAGIC;
	sb->dev = fs->rdev;
	root = ext2_iget(sb, EXT2_ROOT_INO, &err);
	if (!root)
		goto out_unset;
	err = -EINVAL;
	if (!IS_DIR(root)) {
		ext2_corrupt(fs, "root inode is not a directory");
		goto out_unset; /* the failed mount frees the inodes of sb */
	}
	err = -ENOMEM;
	sb->root = d_make_root(root);
	if (!sb->root)
		goto out_unset;
	kfree(s);
	return 0;

out_unset:
	err = err == -EIO ? -EINVAL : err;
	sb->priv = NULL;
out_put:
	blkdev_put(fs->dev);
out_free:
	kfree(s);
	kfree(fs);
	return err;
}

static struct fs_type ext2_type = {
	.ops = &(const struct fs_type_ops)FS_TYPE_OPS(ext2_fill_super),
	.name = "ext2",
	.flags = FS_REQUIRES_DEV,
};

static int ext2_init(void)
{
	return fs_type_register(&ext2_type);
}

static void ext2_exit(void)
{
	/* The loader refuses the unload while a mount holds the type; this is the last guard. */
	if (fs_type_unregister(&ext2_type))
		pr_err("ext2: still mounted: the filesystem type stays registered\n");
}

#ifdef MODULE
module_init(ext2_init);
#else
fs_initcall(ext2_init);
#endif
module_exit(ext2_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ext2 filesystem (read-only)");
MODULE_AUTHOR("Granary");
MODULE_VERSION("0.1");
