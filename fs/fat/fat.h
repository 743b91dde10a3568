/* fs/fat/fat.h: the FAT filesystem's private header: on-disk layouts, the per-mount and per-inode
 * state, and the calls between its files. Not an interface for the rest of the kernel. */
#ifndef FS_FAT_FAT_H
#define FS_FAT_FAT_H

#define pr_fmt(fmt) "fat: " fmt
#include <granary/compiler.h>
#include <granary/printk.h>
#include <granary/types.h>
#include <granary/percpu.h>
#include <granary/sched.h>
#include <granary/vfs.h>
#include <granary/wait.h>
#include "name.h"

/* A message about the volume fs, naming its device. */
#define fat_err(fs, fmt, ...) pr_err("%s: " fmt "\n", (fs)->name, ##__VA_ARGS__)
#define fat_warn(fs, fmt, ...) pr_warn("%s: " fmt "\n", (fs)->name, ##__VA_ARGS__)

#define MSDOS_SUPER_MAGIC 0x4d44

/* One mounted volume. Offsets are bytes on the device; clusters are numbered 2..max_cluster. */
struct fat_sb {
	struct blkio *dev;
	dev_t rdev;
	u32 bsize;		 /* the device's block size */
	u32 sector_size;
	u32 cluster_size;
	u32 cluster_shift;
	unsigned type;		 /* 12, 16 or 32 */
	u64 fat_start;		 /* first FAT */
	u64 fat_bytes;		 /* one FAT */
	u32 nfats;
	u32 active_fat;		 /* FAT32 with mirroring off: the one FAT in use */
	bool mirror;		 /* writes go to every FAT */
	u64 root_start;		 /* FAT12/16: the fixed root directory */
	u32 root_bytes;
	u64 data_start;		 /* cluster 2 */
	u32 nclusters;		 /* data clusters */
	u32 max_cluster;	 /* nclusters + 1 */
	u32 root_cluster;	 /* FAT32 */
	u64 fsinfo_pos;		 /* FAT32 FSInfo sector, 0 if none or not usable */
	u32 free_count;		 /* valid when free_known */
	bool free_known;
	u32 next_free;		 /* where the next search for a free cluster starts */
	bool changed;		 /* the FAT changed since mount: FSInfo is rewritten at unmount */
	bool warned_names;	 /* a bad short name was reported already */
	u32 uid, gid;
	u16 fmask, dmask;
	char name[16];		 /* the device's name in messages */
	/* Operations run one at a time per volume: a device read may sleep in the middle of an
	 * allocation or a directory change. The owner may take it again (rmdir calls unlink). */
	struct wait_queue wq;
	struct task *owner;
	u32 depth;
};

static inline void fat_lock(struct fat_sb *fs)
{
	if (fs->owner == current_task()) {
		fs->depth++;
		return;
	}
	wait_event(fs->wq, !fs->owner);
	fs->owner = current_task();
	fs->depth = 1;
}

static inline void fat_unlock(struct fat_sb *fs)
{
	if (--fs->depth)
		return;
	fs->owner = NULL;
	wake_up(&fs->wq);
}

/* Runs expr with the volume locked: its value. */
#define FAT_LOCKED(fs, expr)                                                                     \
	({                                                                                       \
		struct fat_sb *fs_ = (fs);                                                       \
		fat_lock(fs_);                                                                   \
		__typeof__(expr) r_ = (expr);                                                    \
		fat_unlock(fs_);                                                                 \
		r_;                                                                              \
	})

/* A run of clusters: file clusters fclus..fclus+len-1 are disk clusters dclus..dclus+len-1. */
struct fat_extent {
	u32 fclus, dclus, len;
};

/* Per inode (inode->priv). The chain is read into extents the first time the data is needed. */
struct fat_inode {
	u64 dpos;	/* the 8.3 entry on the device; 0 for the root */
	u32 start;	/* first cluster, 0: none */
	u8 attr;
	u8 ntres;
	u8 ctime_tenth;
	u16 ctime, cdate;
	bool mapped;
	u32 nclus;	/* clusters in the chain, when mapped */
	u32 next, cap;	/* extents used, allocated */
	struct fat_extent *ext;
};

static inline struct fat_sb *FAT_SB(struct super_block *sb)
{
	return sb->priv;
}

static inline struct fat_inode *FAT_I(struct inode *i)
{
	return i->priv;
}

/* The FAT12/16 root: a fixed region, not a cluster chain. */
static inline bool fat_fixed_root(struct inode *i)
{
	return FAT_I(i)->dpos == 0 && FAT_SB(i->sb)->type != 32;
}

static inline u64 fat_cluster_pos(struct fat_sb *fs, u32 clus)
{
	return fs->data_start + ((u64)(clus - 2) << fs->cluster_shift);
}

static inline u32 fat_dirent_start(const struct fat_dirent *de, unsigned type)
{
	return de->start_lo | (type == 32 ? (u32)de->start_hi << 16 : 0);
}

/* ---- table.c: bytes on the device, FAT entries, cluster chains ---- */
int fat_dev_rw(struct fat_sb *fs, u64 pos, void *buf, size_t len, bool write);
int fat_dev_zero(struct fat_sb *fs, u64 pos, u64 len);
int fat_get_entry(struct fat_sb *fs, u32 clus, u32 *val);
int fat_map(struct inode *i);
int fat_bmap(struct inode *i, u32 fclus, u32 *dclus);
int fat_grow(struct inode *i, u32 count, bool zero);
int fat_shrink(struct inode *i, u32 keep);
int fat_count_free(struct fat_sb *fs);
void fat_free_map(struct fat_inode *fi);

/* ---- inode.c: inodes from directory entries, times, attributes ---- */
struct inode *fat_iget(struct super_block *sb, const struct fat_dirent *de, u64 dpos, int *err);
struct inode *fat_root_inode(struct super_block *sb, int *err);
int fat_write_inode(struct inode *i);
int fat_setattr(struct inode *i, const struct iattr *a);
void fat_evict(struct inode *i);
void fat_time_to_disk(struct k_timespec t, u16 *date, u16 *time);
u32 fat_mode(struct fat_sb *fs, u8 attr);
extern const struct inode_ops fat_file_iops, fat_dir_iops;

/* ---- dir.c: directory entries and names ---- */
struct fat_slot {
	u64 off;	/* the 8.3 entry's offset in the directory */
	u64 first;	/* the offset of its first long-name piece (off without one) */
	u64 dpos;	/* the 8.3 entry on the device */
	struct fat_dirent de;
	u32 len;
	char name[FAT_NAME_BUF];
};
int fat_dir_pos(struct inode *dir, u64 off, u64 *dpos);
int fat_dir_next(struct inode *dir, u64 *off, struct fat_slot *s);
int fat_dir_find(struct inode *dir, const char *name, size_t len, struct fat_slot *s);
int fat_dir_add(struct inode *dir, const char *name, size_t len, struct fat_dirent *de,
		u64 *dpos);
int fat_dir_remove(struct inode *dir, const struct fat_slot *s);
int fat_dir_empty(struct inode *dir);
int fat_dir_subdirs(struct inode *dir, u32 *count);
int fat_lookup(struct inode *dir, struct dentry *d);
int fat_readdir(struct file *f, struct dir_ctx *ctx);

/* ---- namei.c: creating, removing and renaming names ---- */
extern const struct inode_ops fat_dir_iops;

/* ---- file.c: regular-file I/O ---- */
int fat_file_open(struct inode *i, struct file *f);
int fat_truncate(struct inode *i, u64 size);
int fat_sync_fs(struct fat_sb *fs);

#endif
