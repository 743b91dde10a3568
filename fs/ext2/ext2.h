/* fs/ext2/ext2.h: ext2's on-disk layout (little-endian, read on x86_64 as it lies) and the state the
 * driver's files share. Not an interface for other subsystems: ext2 registers itself and is reached by name. */
#ifndef FS_EXT2_EXT2_H
#define FS_EXT2_EXT2_H

#include <granary/types.h>
#include <granary/vfs.h>

#define EXT2_MAGIC 0xEF53
#define EXT2_SB_OFFSET 1024 /* bytes from the start of the device, whatever the block size */
#define EXT2_SB_SIZE 1024
#define EXT2_ROOT_INO 2
#define EXT2_GOOD_OLD_REV 0
#define EXT2_DYNAMIC_REV 1
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_GOOD_OLD_FIRST_INO 11
#define EXT2_MIN_LOG_BSIZE 10 /* 1 KiB */
#define EXT2_MAX_LOG_BSIZE 16 /* 64 KiB */
#define EXT2_NDIR_BLOCKS 12
#define EXT2_IND_BLOCK 12
#define EXT2_DIND_BLOCK 13
#define EXT2_TIND_BLOCK 14
#define EXT2_N_BLOCKS 15
#define EXT2_FAST_LINK_MAX 60 /* a symlink target shorter than this may live in i_block */
#define EXT2_VALID_FS 0x1
#define EXT2_ERROR_FS 0x2

/* Feature flags. The driver reads FILETYPE directories; SPARSE_SUPER and LARGE_FILE change
 * nothing a reader does beyond honouring i_size_high, which it always does for files. */
#define EXT2_FEATURE_INCOMPAT_FILETYPE 0x0002
#define EXT2_INCOMPAT_SUPPORTED EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE 0x0002
#define EXT2_FEATURE_RO_COMPAT_BTREE_DIR 0x0004
#define EXT2_RO_COMPAT_SUPPORTED                                                                \
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE |              \
	 EXT2_FEATURE_RO_COMPAT_BTREE_DIR)

/* Inode flags a block-map reader cannot follow (ext4's extents and inline data). */
#define EXT4_EXTENTS_FL 0x00080000
#define EXT4_INLINE_DATA_FL 0x10000000

struct ext2_disk_super {
	u32 s_inodes_count, s_blocks_count, s_r_blocks_count;
	u32 s_free_blocks_count, s_free_inodes_count;
	u32 s_first_data_block, s_log_block_size, s_log_frag_size;
	u32 s_blocks_per_group, s_frags_per_group, s_inodes_per_group;
	u32 s_mtime, s_wtime;
	u16 s_mnt_count;
	s16 s_max_mnt_count;
	u16 s_magic, s_state, s_errors, s_minor_rev_level;
	u32 s_lastcheck, s_checkinterval, s_creator_os, s_rev_level;
	u16 s_def_resuid, s_def_resgid;
	/* EXT2_DYNAMIC_REV only: */
	u32 s_first_ino;
	u16 s_inode_size, s_block_group_nr;
	u32 s_feature_compat, s_feature_incompat, s_feature_ro_compat;
	u8 s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	u8 rest[EXT2_SB_SIZE - 200];
} __attribute__((packed));

struct ext2_disk_group {
	u32 bg_block_bitmap, bg_inode_bitmap, bg_inode_table;
	u16 bg_free_blocks_count, bg_free_inodes_count, bg_used_dirs_count, bg_pad;
	u32 bg_reserved[3];
} __attribute__((packed));

struct ext2_disk_inode {
	u16 i_mode, i_uid;
	u32 i_size, i_atime, i_ctime, i_mtime, i_dtime;
	u16 i_gid, i_links_count;
	u32 i_blocks, i_flags, i_osd1;
	u32 i_block[EXT2_N_BLOCKS];
	u32 i_generation, i_file_acl, i_size_high, i_faddr;
	u8 l_i_frag, l_i_fsize;
	u16 l_i_blocks_hi, l_i_uid_high, l_i_gid_high;
	u32 l_i_reserved2;
	/* Present when the inode is larger than 128 bytes, each field as far as i_extra_isize says. */
	u16 i_extra_isize, i_checksum_hi;
	u32 i_ctime_extra, i_mtime_extra, i_atime_extra;
} __attribute__((packed));

struct ext2_disk_dirent {
	u32 inode;
	u16 rec_len;
	u8 name_len, file_type; /* without FILETYPE, name_len's high byte is file_type */
	char name[];
} __attribute__((packed));
#define EXT2_DIRENT_HEAD 8

/* One mounted filesystem: what the superblock said, checked once at mount. */
struct ext2_fs {
	struct blkio *dev;
	dev_t rdev;
	u32 dev_bsize;	  /* the device's block size (what the buffer cache indexes) */
	u64 dev_size;	  /* bytes */
	u32 bsize, log_bsize;
	u64 blocks_count;
	u32 first_data_block;
	u32 inodes_count, inodes_per_group, blocks_per_group, groups;
	u32 inode_size, first_ino;
	u32 itable_blocks; /* inode table blocks per group */
	u32 incompat, ro_compat;
	u32 addr_per_block;
	u64 max_lblock;	   /* logical blocks a block map can address */
	u64 r_blocks, free_blocks, free_inodes;
	char name[16];	   /* "1:0", for messages */
};

/* An inode's block map and flags, kept in inode->priv. */
struct ext2_inode_info {
	u32 block[EXT2_N_BLOCKS];
	u32 flags;
	u32 file_acl;
};

static inline struct ext2_fs *EXT2_FS(struct super_block *sb) { return sb->priv; }

/* super.c */
/* Reads len bytes at byte offset off of the filesystem through the buffer cache: 0 or -EIO
 * (past the filesystem's end, or the device failed; logged). */
int ext2_read(struct ext2_fs *fs, u64 off, void *dst, size_t len);
/* Logs a corruption of the filesystem and gives -EIO, for "return ext2_corrupt(...)". */
__attribute__((format(printf, 2, 3))) int ext2_corrupt(struct ext2_fs *fs, const char *fmt, ...);
/* Group g's descriptor, its inode table checked to lie inside the filesystem: 0 or -EIO. */
int ext2_group(struct ext2_fs *fs, u32 g, struct ext2_disk_group *out);

/* inode.c */
/* The inode ino of sb with a reference, read from disk unless already in memory: NULL with
 * *err -EIO for a bad number or a corrupt inode, -ENOMEM. */
struct inode *ext2_iget(struct super_block *sb, u32 ino, int *err);
/* The physical block of logical block lblock of i: 0 for a hole, -EIO if the map is corrupt. */
int ext2_bmap(struct inode *i, u64 lblock, u64 *pblock);
void ext2_evict(struct inode *i);

/* dir.c */
int ext2_lookup(struct inode *dir, struct dentry *d);
int ext2_readdir(struct file *f, struct dir_ctx *ctx);

#endif
