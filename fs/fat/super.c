/* fs/fat/super.c: mounting FAT12/16/32 volumes ("vfat", "fat"): the boot sector checked as hostile
 * input, mount options, FSInfo, statfs, sync and unmount, and the module's entry points. */
#include "fat.h"
#include <granary/bcache.h>
#include <granary/blkdev.h>
#include <granary/errno.h>
#include <granary/module.h>
#include <granary/slab.h>
#include <granary/string.h>

/* The BIOS parameter block at the start of the boot sector (FAT32's extension included). */
struct fat_bpb {
	u8 jump[3];
	u8 oem[8];
	u16 sector_size;
	u8 sectors_per_cluster;
	u16 reserved;
	u8 nfats;
	u16 root_entries;
	u16 total16;
	u8 media;
	u16 fat_size16;
	u16 sectors_per_track, heads;
	u32 hidden;
	u32 total32;
	u32 fat_size32;
	u16 ext_flags;
	u16 version;
	u32 root_cluster;
	u16 fsinfo;
	u16 backup_boot;
} __packed;

#define FSINFO_LEAD 0x41615252
#define FSINFO_STRUCT 0x61417272
#define FSINFO_TRAIL 0xaa550000
#define FSINFO_FREE 488
#define FSINFO_NEXT 492

/* Volumes mounted now: a device is mounted once, or two caches of its FAT would disagree. */
static struct fat_sb *mounted[16];

#define BAD(fs, fmt, ...)                                                                   \
	do {                                                                                \
		fat_err(fs, "not a valid FAT volume: " fmt, ##__VA_ARGS__);                 \
		return -EINVAL;                                                             \
	} while (0)

static bool pow2(u32 v)
{
	return v && !(v & (v - 1));
}

static unsigned log2u(u32 v)
{
	unsigned s = 0;

	while ((1u << s) < v)
		s++;
	return s;
}

/* Fills fs from the boot sector: every field is checked against the others and the device. */
static int parse_bpb(struct fat_sb *fs, const u8 *sector, u64 dev_size)
{
	const struct fat_bpb *b = (const void *)sector;
	u32 ss = b->sector_size, spc = b->sectors_per_cluster;
	u32 total = b->total16 ? b->total16 : b->total32;
	u32 fatsz = b->fat_size16 ? b->fat_size16 : b->fat_size32;
	u64 root_sectors, meta, need;
	u32 n;

	if (sector[510] != 0x55 || sector[511] != 0xaa)
		BAD(fs, "no boot signature 55 aa");
	if (ss < 512 || ss > 4096 || !pow2(ss))
		BAD(fs, "%u bytes per sector", ss);
	if (!pow2(spc) || ss * spc > 65536)
		BAD(fs, "%u sectors per cluster", spc);
	if (!b->reserved)
		BAD(fs, "no reserved sectors");
	if (!b->nfats || b->nfats > 4)
		BAD(fs, "%u FATs", b->nfats);
	if (b->media != 0xf0 && b->media < 0xf8)
		BAD(fs, "media byte %#x", b->media);
	if (!total)
		BAD(fs, "no sectors");
	if (!fatsz)
		BAD(fs, "FATs of no sectors");
	if ((u64)total * ss > dev_size)
		BAD(fs, "%llu bytes of volume on a device of %llu", (unsigned long long)total * ss,
		    (unsigned long long)dev_size);
	root_sectors = ((u64)b->root_entries * FAT_DIRENT_SIZE + ss - 1) / ss;
	meta = b->reserved + (u64)b->nfats * fatsz + root_sectors;
	if (meta >= total)
		BAD(fs, "no room for data (%llu of %u sectors are metadata)", (unsigned long long)meta,
		    total);
	n = (u32)((total - meta) / spc);
	if (!n)
		BAD(fs, "no data clusters");
	/* The type is the cluster count's, as the spec says; the layout must agree with it. */
	fs->type = n < 4085 ? 12 : n < 65525 ? 16 : 32;
	if (fs->type == 32 && (b->fat_size16 || b->root_entries))
		BAD(fs, "%u clusters make FAT32, but the layout is FAT12/16's", n);
	if (fs->type != 32 && (!b->fat_size16 || !b->root_entries))
		BAD(fs, "%u clusters make FAT%u, but the layout is FAT32's", n, fs->type);
	if (fs->type == 32 && n > 0x0ffffff5 - 1)
		BAD(fs, "%u clusters", n);
	need = fs->type == 12 ? ((u64)(n + 2) * 3 + 1) / 2 : (u64)(n + 2) * (fs->type / 8);
	if ((u64)fatsz * ss < need)
		BAD(fs, "a FAT of %u sectors cannot map %u clusters", fatsz, n);

	fs->sector_size = ss;
	fs->cluster_size = ss * spc;
	fs->cluster_shift = log2u(fs->cluster_size);
	fs->nfats = b->nfats;
	fs->mirror = true;
	fs->fat_start = (u64)b->reserved * ss;
	fs->fat_bytes = (u64)fatsz * ss;
	fs->root_start = fs->fat_start + fs->nfats * fs->fat_bytes;
	fs->root_bytes = b->root_entries * FAT_DIRENT_SIZE;
	fs->data_start = meta * ss;
	fs->nclusters = n;
	fs->max_cluster = n + 1;
	fs->next_free = 2;
	if (fs->type != 32)
		return 0;
	if (b->version)
		BAD(fs, "FAT32 version %#x", b->version);
	if (b->root_cluster < 2 || b->root_cluster > fs->max_cluster)
		BAD(fs, "root cluster %u outside 2..%u", b->root_cluster, fs->max_cluster);
	if (b->fsinfo && b->fsinfo != 0xffff && b->fsinfo >= b->reserved)
		BAD(fs, "FSInfo sector %u outside the %u reserved sectors", b->fsinfo, b->reserved);
	if (b->ext_flags & 0x80) {
		fs->mirror = false;
		fs->active_fat = b->ext_flags & 15;
		if (fs->active_fat >= fs->nfats)
			BAD(fs, "active FAT %u of %u", fs->active_fat, fs->nfats);
	}
	fs->root_cluster = b->root_cluster;
	if (b->fsinfo && b->fsinfo != 0xffff)
		fs->fsinfo_pos = (u64)b->fsinfo * ss;
	return 0;
}

/* FSInfo's numbers are hints only: the free count is recounted before it is trusted. */
static int read_fsinfo(struct fat_sb *fs)
{
	u32 v[128];
	int err;

	if (!fs->fsinfo_pos)
		return 0;
	err = fat_dev_rw(fs, fs->fsinfo_pos, v, sizeof(v), false);
	if (err)
		return err;
	if (v[0] != FSINFO_LEAD || v[484 / 4] != FSINFO_STRUCT || v[508 / 4] != FSINFO_TRAIL) {
		fat_warn(fs, "FSInfo sector has bad signatures: not used");
		fs->fsinfo_pos = 0;
		return 0;
	}
	if (v[FSINFO_NEXT / 4] >= 2 && v[FSINFO_NEXT / 4] <= fs->max_cluster)
		fs->next_free = v[FSINFO_NEXT / 4];
	return 0;
}

int fat_sync_fs(struct fat_sb *fs)
{
	if (fs->type == 32 && fs->fsinfo_pos && fs->changed) {
		u32 v[128];
		int err = fat_dev_rw(fs, fs->fsinfo_pos, v, sizeof(v), false);
		if (!err) {
			v[FSINFO_FREE / 4] = fat_count_free(fs) ? 0xffffffff : fs->free_count;
			v[FSINFO_NEXT / 4] = fs->next_free <= fs->max_cluster ? fs->next_free : 2;
			err = fat_dev_rw(fs, fs->fsinfo_pos, v, sizeof(v), true);
		}
		if (err)
			return err;
	}
	return bcache_sync(fs->dev);
}

static int fat_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct fat_sb *fs = FAT_SB(sb);
	int err = FAT_LOCKED(fs, fat_count_free(fs));

	if (err)
		return err;
	st->type = MSDOS_SUPER_MAGIC;
	st->bsize = st->frsize = fs->cluster_size;
	st->blocks = fs->nclusters;
	st->bfree = st->bavail = fs->free_count;
	st->namelen = 255;
	return 0;
}

static void fat_kill(struct super_block *sb)
{
	struct fat_sb *fs = FAT_SB(sb);
	struct list_head *pos;
	int err = fat_sync_fs(fs);

	if (err)
		fat_err(fs, "writing back at unmount failed: error %d", err);
	/* The VFS frees the inodes after this; their FAT state goes now, with the volume's. */
	list_for_each(pos, &sb->inodes) {
		struct inode *i = list_entry(pos, struct inode, sb_link);
		if (i->priv) {
			fat_free_map(FAT_I(i));
			kfree(i->priv);
			i->priv = NULL;
		}
	}
	for (unsigned k = 0; k < ARRAY_SIZE(mounted); k++)
		if (mounted[k] == fs)
			mounted[k] = NULL;
	bcache_invalidate(fs->dev); /* clean now; -EBUSY only if someone holds a block */
	blkdev_put(fs->dev);
	kfree(fs);
	sb->priv = NULL;
}

static const struct super_ops fat_super_ops = {
	.statfs = fat_statfs,
	.kill = fat_kill,
	.evict = fat_evict,
};

static int parse_num(const char *s, u32 base, u32 max, u32 *out)
{
	u64 v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		u32 d = (u32)(*s - '0');
		if (*s < '0' || d >= base || (v = v * base + d) > max)
			return -EINVAL;
	}
	*out = (u32)v;
	return 0;
}

/* "uid=N,gid=N,umask=OOO,fmask=OOO,dmask=OOO"; anything else is -EINVAL. */
static int parse_options(struct fat_sb *fs, const char *data)
{
	char opt[32];

	char *val;
	int more;

	while ((more = vfs_next_option(&data, opt, sizeof(opt), &val)) > 0) {
		u32 v;
		int err = -EINVAL;

		if (!strcmp(opt, "uid") && !(err = parse_num(val, 10, 0xfffffffe, &v)))
			fs->uid = v;
		else if (!strcmp(opt, "gid") && !(err = parse_num(val, 10, 0xfffffffe, &v)))
			fs->gid = v;
		else if (!strcmp(opt, "umask") && !(err = parse_num(val, 8, 0777, &v)))
			fs->fmask = fs->dmask = (u16)v;
		else if (!strcmp(opt, "fmask") && !(err = parse_num(val, 8, 0777, &v)))
			fs->fmask = (u16)v;
		else if (!strcmp(opt, "dmask") && !(err = parse_num(val, 8, 0777, &v)))
			fs->dmask = (u16)v;
		if (err)
			return err;
	}
	return more;
}

static int claim(struct fat_sb *fs)
{
	int slot = -1;

	for (int k = 0; k < (int)ARRAY_SIZE(mounted); k++) {
		if (mounted[k] && mounted[k]->dev == fs->dev) {
			fat_err(fs, "already mounted");
			return -EBUSY;
		}
		if (!mounted[k] && slot < 0)
			slot = k;
	}
	if (slot < 0)
		return -EBUSY;
	mounted[slot] = fs;
	return 0;
}

static int fat_fill_super(struct super_block *sb, const char *source, const char *data)
{
	struct fat_sb *fs = kzalloc(sizeof(*fs));
	const char *base = source ? strrchr(source, '/') : NULL;
	struct inode *root;
	struct buf *b;
	u8 *boot;
	u64 size;
	int err;

	if (!fs)
		return -ENOMEM;
	strlcpy(fs->name, base ? base + 1 : source ? source : "?", sizeof(fs->name));
	fs->fmask = fs->dmask = 022;
	wait_queue_init(&fs->wq);
	err = parse_options(fs, data);
	if (err)
		goto out_free;
	err = vfs_blkdev_from_path(source, &fs->dev, &fs->rdev);
	if (err)
		goto out_free;
	fs->bsize = blkio_block_size(fs->dev);
	err = blkio_get_size(fs->dev, &size);
	if (err)
		goto out_put;
	err = -EINVAL;
	if (size < 512) {
		fat_err(fs, "device of %llu bytes is too small", (unsigned long long)size);
		goto out_put;
	}
	b = bcache_read(fs->dev, 0);
	if (IS_ERR(b)) {
		err = (int)PTR_ERR(b);
		fat_err(fs, "cannot read the boot sector: error %d", err);
		goto out_put;
	}
	boot = b->data;
	err = parse_bpb(fs, boot, size);
	bcache_release(b);
	if (!err)
		err = read_fsinfo(fs);
	if (!err)
		err = claim(fs);
	if (err)
		goto out_put;
	sb->priv = fs;
	sb->ops = &fat_super_ops;
	sb->magic = MSDOS_SUPER_MAGIC;
	sb->dev = fs->rdev;
	root = fat_root_inode(sb, &err);
	if (!root)
		goto out_unclaim;
	sb->root = d_make_root(root);
	if (!sb->root) {
		inode_put(root);
		err = -ENOMEM;
		goto out_unclaim;
	}
	pr_info("%s: FAT%u, %u clusters of %u bytes\n", fs->name, fs->type, fs->nclusters,
		fs->cluster_size);
	return 0;
out_unclaim:
	for (unsigned k = 0; k < ARRAY_SIZE(mounted); k++)
		if (mounted[k] == fs)
			mounted[k] = NULL;
	sb->priv = NULL;
out_put:
	blkdev_put(fs->dev);
out_free:
	kfree(fs);
	return err;
}

static const struct fs_type_ops fat_type_ops = FS_TYPE_OPS(fat_fill_super);
static struct fs_type vfat_type = { .ops = &fat_type_ops, .name = "vfat", .flags = FS_REQUIRES_DEV };
static struct fs_type fat_type = { .ops = &fat_type_ops, .name = "fat", .flags = FS_REQUIRES_DEV };

static int fat_init(void)
{
	int err = fs_type_register(&vfat_type);

	if (err)
		return err;
	err = fs_type_register(&fat_type);
	if (err)
		fs_type_unregister(&vfat_type);
	return err;
}

static void fat_exit(void)
{
	if (fs_type_unregister(&fat_type) || fs_type_unregister(&vfat_type))
		pr_err("unloaded while a FAT volume is mounted\n");
}

#ifdef MODULE
module_init(fat_init);
#else
fs_initcall(fat_init);
#endif
module_exit(fat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("FAT12/16/32 filesystem with long names (vfat)");
MODULE_AUTHOR("Granary");
MODULE_VERSION("1.0");
