/* fs/fat/inode.c: inodes made from FAT directory entries, written back into them, FAT dates, and
 * the attributes FAT can keep (size, times, the read-only bit). Not the names (dir.c) or data (file.c). */
#include "fat.h"
#include <granary/errno.h>
#include <granary/slab.h>
#include <granary/string.h>

#define FAT_EPOCH 315532800LL /* 1980-01-01 00:00:00 UTC: FAT's date 0 */
#define FAT_LAST 4354819199LL /* 2107-12-31 23:59:59 UTC */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static s64 days_from_civil(s64 y, unsigned m, unsigned d)
{
	s64 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(s64 z, s64 *y, unsigned *m, unsigned *d)
{
	s64 era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* FAT's date and time (UTC) as seconds; out-of-range fields from a hostile disk are clamped. */
static s64 fat_time_from_disk(u16 date, u16 time)
{
	unsigned mon = (date >> 5) & 15, day = date & 31;
	unsigned h = time >> 11, min = (time >> 5) & 63, s2 = time & 31;

	mon = mon < 1 ? 1 : mon > 12 ? 12 : mon;
	day = day < 1 ? 1 : day;
	h = h > 23 ? 23 : h;
	min = min > 59 ? 59 : min;
	s2 = s2 > 29 ? 29 : s2;
	return days_from_civil(1980 + (date >> 9), mon, day) * 86400 + h * 3600 + min * 60 + s2 * 2;
}

void fat_time_to_disk(struct k_timespec t, u16 *date, u16 *time)
{
	s64 s = t.sec < FAT_EPOCH ? FAT_EPOCH : t.sec > FAT_LAST ? FAT_LAST : t.sec, y;
	s64 secs = s % 86400;
	unsigned m, d;

	civil_from_days(s / 86400, &y, &m, &d);
	*date = (u16)(((y - 1980) << 9) | (m << 5) | d);
	*time = (u16)(((secs / 3600) << 11) | (((secs / 60) % 60) << 5) | ((secs % 60) / 2));
}

u32 fat_mode(struct fat_sb *fs, u8 attr)
{
	if (attr & FAT_ATTR_DIR)
		return S_IFDIR | (0777 & ~fs->dmask);
	/* Windows uses the read-only bit on directories for other things: only files lose w. */
	return S_IFREG | (0777 & ~fs->fmask & (attr & FAT_ATTR_RO ? ~0222u : ~0u));
}

static void set_times(struct inode *i, const struct fat_dirent *de)
{
	i->mtime = (struct k_timespec){ fat_time_from_disk(de->mdate, de->mtime), 0 };
	i->atime = (struct k_timespec){ fat_time_from_disk(de->adate, 0), 0 };
	i->ctime = i->mtime; /* FAT keeps no change time */
}

static struct inode *new_inode(struct super_block *sb, u8 attr, u64 dpos, u32 start, int *err)
{
	struct fat_sb *fs = FAT_SB(sb);
	struct fat_inode *fi = kzalloc(sizeof(*fi));
	struct inode *i;

	*err = -ENOMEM;
	if (!fi)
		return NULL;
	i = inode_new(sb, fat_mode(fs, attr));
	if (!i) {
		kfree(fi);
		return NULL;
	}
	i->priv = fi;
	/* Stable while the file keeps its place: the 8.3 entry's position. */
	i->ino = dpos ? dpos / FAT_DIRENT_SIZE : 1;
	i->uid = fs->uid;
	i->gid = fs->gid;
	i->ops = (attr & FAT_ATTR_DIR) ? &fat_dir_iops : &fat_file_iops;
	fi->dpos = dpos;
	fi->start = start;
	fi->attr = attr;
	*err = 0;
	return i;
}

/* A directory's size (its clusters) and link count (2 + its subdirectories). */
static int dir_setup(struct inode *i)
{
	struct fat_sb *fs = FAT_SB(i->sb);
	u32 subdirs;
	int err = fat_map(i);

	if (!err)
		err = fat_dir_subdirs(i, &subdirs);
	if (err)
		return err;
	i->size = fat_fixed_root(i) ? fs->root_bytes : (u64)FAT_I(i)->nclus << fs->cluster_shift;
	i->blocks = i->size / 512;
	i->nlink = 2 + subdirs;
	return 0;
}

struct inode *fat_iget(struct super_block *sb, const struct fat_dirent *de, u64 dpos, int *err)
{
	struct fat_sb *fs = FAT_SB(sb);
	struct list_head *pos;
	struct fat_inode *fi;
	struct inode *i;
	u32 start = fat_dirent_start(de, fs->type);

	/* One inode per file: another name (a different case) may already have it. */
	list_for_each(pos, &sb->inodes) {
		i = list_entry(pos, struct inode, sb_link);
		if (i->priv && FAT_I(i)->dpos == dpos && i->nlink) {
			inode_get(i);
			*err = 0;
			return i;
		}
	}
	if (start == 1 || start > fs->max_cluster) {
		fat_err(fs, "entry at %llu starts at cluster %u, outside 2..%u",
			(unsigned long long)dpos, start, fs->max_cluster);
		*err = -EIO;
		return NULL;
	}
	i = new_inode(sb, de->attr & (FAT_ATTR_MASK & ~FAT_ATTR_VOLUME), dpos, start, err);
	if (!i)
		return NULL;
	fi = FAT_I(i);
	fi->ntres = de->ntres;
	fi->ctime_tenth = de->ctime_tenth;
	fi->ctime = de->ctime;
	fi->cdate = de->cdate;
	set_times(i, de);
	if (IS_DIR(i)) {
		*err = dir_setup(i);
		if (*err) {
			i->nlink = 1; /* not 0: evict must not free a chain it could not read */
			inode_put(i);
			return NULL;
		}
	} else {
		i->size = de->size;
		i->blocks = ((i->size + fs->cluster_size - 1) >> fs->cluster_shift)
			    << (fs->cluster_shift - 9);
	}
	return i;
}

struct inode *fat_root_inode(struct super_block *sb, int *err)
{
	struct fat_sb *fs = FAT_SB(sb);
	struct inode *i = new_inode(sb, FAT_ATTR_DIR, 0, fs->type == 32 ? fs->root_cluster : 0, err);

	if (!i)
		return NULL;
	i->atime = i->mtime = i->ctime = (struct k_timespec){ FAT_EPOCH, 0 };
	*err = dir_setup(i);
	if (*err) {
		inode_put(i);
		return NULL;
	}
	return i;
}

int fat_write_inode(struct inode *i)
{
	struct fat_sb *fs = FAT_SB(i->sb);
	struct fat_inode *fi = FAT_I(i);
	struct fat_dirent de;
	int err;

	if (!fi->dpos || !i->nlink)
		return 0; /* the root has no entry; a removed file's is gone */
	err = fat_dev_rw(fs, fi->dpos, &de, sizeof(de), false);
	if (err)
		return err;
	de.attr = (u8)((de.attr & ~FAT_ATTR_RO) | (fi->attr & FAT_ATTR_RO));
	de.size = IS_DIR(i) ? 0 : (u32)i->size;
	de.start_lo = (u16)fi->start;
	de.start_hi = fs->type == 32 ? (u16)(fi->start >> 16) : 0;
	{
		u16 d, t;
		fat_time_to_disk(i->mtime, &d, &t);
		de.mdate = d;
		de.mtime = t;
		fat_time_to_disk(i->atime, &d, &t);
		de.adate = d;
	}
	return fat_dev_rw(fs, fi->dpos, &de, sizeof(de), true);
}

/* FAT keeps one owner for the whole volume and only the write bits (the read-only attribute). */
static int check_attr(struct inode *i, const struct iattr *a)
{
	struct fat_sb *fs = FAT_SB(i->sb);

	if ((a->valid & ATTR_UID) && a->uid != fs->uid)
		return -EPERM;
	if ((a->valid & ATTR_GID) && a->gid != fs->gid)
		return -EPERM;
	if (a->valid & ATTR_MODE) {
		u32 want = a->mode & 07777, base = fat_mode(fs, FAT_I(i)->attr & FAT_ATTR_DIR) & 0777;
		if (want != base && (IS_DIR(i) || want != (base & ~0222u)))
			return -EPERM;
	}
	return 0;
}

static int setattr_locked(struct inode *i, const struct iattr *a)
{
	struct fat_sb *fs = FAT_SB(i->sb);
	int err = check_attr(i, a);

	if (err)
		return err;
	if (a->valid & ATTR_SIZE) {
		if (!IS_REG(i))
			return -EISDIR;
		err = fat_truncate(i, a->size);
		if (err)
			return err;
	}
	if (a->valid & ATTR_MODE) {
		bool ro = !IS_DIR(i) && !(a->mode & 0222);
		FAT_I(i)->attr = (u8)((FAT_I(i)->attr & ~FAT_ATTR_RO) | (ro ? FAT_ATTR_RO : 0));
		i->mode = fat_mode(fs, FAT_I(i)->attr);
	}
	/* What FAT can store: modification times in 2 s steps, access times as a date. */
	if (a->valid & ATTR_MTIME)
		i->mtime = (struct k_timespec){ a->mtime.sec & ~1LL, 0 };
	if (a->valid & ATTR_ATIME)
		i->atime = (struct k_timespec){ a->atime.sec - a->atime.sec % 86400, 0 };
	i->ctime = vfs_now();
	return fat_write_inode(i);
}

int fat_setattr(struct inode *i, const struct iattr *a)
{
	return FAT_LOCKED(FAT_SB(i->sb), setattr_locked(i, a));
}

void fat_evict(struct inode *i)
{
	struct fat_inode *fi = FAT_I(i);

	if (!fi)
		return; /* unmounted: kill let go of everything */
	if (!i->nlink && fi->start) {
		int err = FAT_LOCKED(FAT_SB(i->sb), fat_shrink(i, 0));
		if (err)
			fat_err(FAT_SB(i->sb), "clusters of removed inode %llu not freed: error %d",
				(unsigned long long)i->ino, err);
	}
	fat_free_map(fi);
	kfree(fi);
	i->priv = NULL;
}
