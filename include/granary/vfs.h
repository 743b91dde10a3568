/* include/granary/vfs.h: the virtual filesystem: inodes, the dentry name cache, superblocks, mounts,
 * the path walk and the filesystem-type registry. Filesystems plug in by filling the ops tables here. */
#ifndef GRANARY_VFS_H
#define GRANARY_VFS_H

#include <granary/device.h>
#include <granary/file.h>
#include <granary/list.h>
#include <granary/module.h>
#include <granary/object.h>
#include <granary/types.h>
#include <uapi/time.h>

/* Locking: the kernel is uniprocessor and not preemptible, so VFS structures change only
 * between sleeps. An operation that may sleep (a block read) must hold references on what it
 * uses and revalidate names after it wakes. No VFS structure is touched from interrupts. */

#define NAME_MAX 255
#define PATH_MAX 4096
#define SYMLOOP_MAX 40 /* symlinks followed in one resolution, as Linux */

struct inode;
struct dentry;
struct super_block;
struct mount;
struct fs_type;
struct kstatfs;
struct chrdev;

/* What setattr changes (ATTR_* bits in valid). */
struct iattr {
	u32 valid;
	u32 mode, uid, gid;
	u64 size;
	struct k_timespec atime, mtime;
};
#define ATTR_MODE 0x01
#define ATTR_UID 0x02
#define ATTR_GID 0x04
#define ATTR_SIZE 0x08
#define ATTR_ATIME 0x10
#define ATTR_MTIME 0x20

/* One entry handed to a readdir callback; emit returns false when the caller's buffer is full
 * (the filesystem then stops and keeps f->pos at this entry). */
struct dir_ctx {
	bool (*emit)(struct dir_ctx *ctx, const char *name, size_t len, u64 ino, unsigned type,
		     u64 next_pos);
};
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12
#define DT_FROM_MODE(m) (((m) >> 12) & 15)
#define IS_DIR(i) (((i)->mode & S_IFMT) == S_IFDIR)
#define IS_REG(i) (((i)->mode & S_IFMT) == S_IFREG)
#define IS_LNK(i) (((i)->mode & S_IFMT) == S_IFLNK)

/* Directory and node operations. The VFS has checked permissions, that names are new or exist
 * as the call needs, and that the filesystem is writable; each returns 0 or a negative errno.
 * d is a dentry of dir: negative for create/mkdir/symlink/link/mknod (the fs attaches the new
 * inode with d_instantiate), positive for unlink/rmdir. */
struct inode_ops {
	/* Fills d (d_instantiate) if the name exists; leaving it negative means ENOENT. */
	int (*lookup)(struct inode *dir, struct dentry *d);
	int (*create)(struct inode *dir, struct dentry *d, u32 mode, dev_t rdev);
	int (*mkdir)(struct inode *dir, struct dentry *d, u32 mode);
	int (*symlink)(struct inode *dir, struct dentry *d, const char *target);
	int (*link)(struct inode *old, struct inode *dir, struct dentry *d);
	int (*unlink)(struct inode *dir, struct dentry *d);
	int (*rmdir)(struct inode *dir, struct dentry *d);
	/* Moves od to nd; nd may be positive (replaced: the VFS checked types and emptiness). */
	int (*rename)(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd);
	/* Copies the target into buf (kernel memory): its length, -ENAMETOOLONG if size is short. */
	long (*readlink)(struct inode *i, char *buf, size_t size);
	/* Applies attributes (size included) after the VFS's permission checks. */
	int (*setattr)(struct inode *i, const struct iattr *a);
	/* Regular-file data: the page holding byte index * 4096, allocating it when create is set.
	 * A hole without create gives NULL and 0. -ENOSPC at the filesystem's limit. */
	int (*get_page)(struct inode *i, u64 index, bool create, void **page);
	/* Lists a directory from f->pos. */
	int (*readdir)(struct file *f, struct dir_ctx *ctx);
	/* Opens a node whose file operations are the filesystem's own (procfs); NULL: generic. */
	int (*open)(struct inode *i, struct file *f);
};

struct inode {
	u64 ino;
	u32 mode, uid, gid, nlink;
	u64 size;
	u64 blocks; /* 512-byte units in use */
	dev_t rdev;
	struct k_timespec atime, mtime, ctime;
	u32 refcount; /* dentries and open files; with nlink 0 the last put frees it */
	struct super_block *sb;
	const struct inode_ops *ops;
	void *priv;	      /* the filesystem's (a symlink target, a procfs entry) */
	void *pages;	      /* regular files: the page map (fs/page_map.c) */
	struct pipe *fifo;    /* a named pipe's buffer while it is open */
	struct list_head sb_link;
};

/* Dentry flags. */
#define D_PINNED 0x1   /* the filesystem holds a reference: the name is the directory (tmpfs) */
#define D_UNHASHED 0x2 /* removed from the name cache (unlinked or dropped) */

struct dentry {
	struct dentry *parent; /* itself for a filesystem root */
	struct inode *inode;   /* NULL: negative (the name does not exist) */
	struct super_block *sb;
	u32 refcount;
	u32 flags;
	u32 mounted;	       /* mounts whose mountpoint this is */
	u32 hash, len;
	char *name;	       /* NUL-terminated; points at iname for short names */
	u64 dir_pos;	       /* its position in the parent's listing (pinned filesystems) */
	u64 next_pos;	       /* the next position a child of this directory gets */
	struct list_head child;    /* parent's children, in creation order */
	struct list_head children;
	struct dentry *hnext;	   /* name-cache hash chain */
	struct list_head lru;	   /* unused dentries kept for reuse */
	char iname[40];
};

struct super_ops {
	int (*statfs)(struct super_block *sb, struct kstatfs *st);
	/* Frees the filesystem's state when the last mount goes. */
	void (*kill)(struct super_block *sb);
	/* Frees an inode's filesystem data when its last reference goes with nlink 0 or on unmount. */
	void (*evict)(struct inode *i);
};

struct super_block {
	struct fs_type *type;
	const struct super_ops *ops;
	struct dentry *root;
	dev_t dev;
	u32 flags;  /* SB_* */
	u32 active; /* mounts of it */
	u64 next_ino;
	u64 magic;  /* f_type for statfs */
	void *priv;
	struct list_head inodes;
};
#define SB_RDONLY 0x1
#define SB_NOCACHE 0x2 /* names are not cached when unused (procfs, devfs: they change by themselves) */

struct fs_type_ops {
	OBJECT_OPS(struct fs_type);
	/* Fills a new superblock: sets sb->root (d_make_root), ops, magic. source and data are the
	 * mount(2) arguments (data may be NULL). */
	int (*fill_super)(struct super_block *sb, const char *source, const char *data);
};

struct fs_type {
	const struct fs_type_ops *ops;
	const char *name;
	u32 flags;    /* FS_REQUIRES_DEV */
	u32 refcount; /* superblocks alive, plus addrefs */
	struct fs_type *next;
};
#define FS_REQUIRES_DEV 0x1

struct mount {
	struct super_block *sb;
	struct dentry *root;
	struct mount *parent;	   /* itself for the root mount */
	struct dentry *mountpoint; /* in parent */
	u32 flags;		   /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC */
	u32 refcount;		   /* paths into it, plus one while attached */
	bool detached;
	char source[64];
	struct list_head link; /* all mounts, in mount order */
};

/* mount(2) flags (Linux values). */
#define MS_RDONLY 1
#define MS_NOSUID 2
#define MS_NODEV 4
#define MS_NOEXEC 8
#define MS_REMOUNT 32
#define MS_BIND 4096
#define MNT_FORCE 1
#define MNT_DETACH 2

struct kstatfs {
	u64 type, bsize, blocks, bfree, bavail, files, ffree;
	s32 fsid[2];
	u64 namelen, frsize, flags;
	u64 spare[4];
};

/* ---- filesystem types (fs/fs_type.c) ---- */

/* Registers a filesystem type: 0, or -EEXIST for a taken name. */
int fs_type_register(struct fs_type *t);
/* Unregisters it: 0, or -EBUSY while a superblock of it exists. */
int fs_type_unregister(struct fs_type *t);
/* The type called name with a reference (obj_release it), or NULL. */
struct fs_type *fs_type_find(const char *name);
/* query/addref/release for types that have nothing more to offer: they count refcount. */
int fs_type_query(struct fs_type *t, const char *iid, void **out);
u32 fs_type_addref(struct fs_type *t);
u32 fs_type_release(struct fs_type *t);
#define FS_TYPE_OPS(fill)                                                                       \
	{ .query = fs_type_query, .addref = fs_type_addref, .release = fs_type_release,          \
	  .owner = THIS_MODULE, .fill_super = (fill) }
/* Splits mount data "a=1,b=2": the next "key=value" into opt (size bytes; the key) and *val (the
 * value, inside opt), moving *data past it. 1, 0 at the end, or -EINVAL (too long, no '='). */
int vfs_next_option(const char **data, char *opt, size_t size, char **val);
/* Writes /proc/filesystems's lines ("nodev\ttmpfs\n") into buf: the length. */
size_t fs_type_list(char *buf, size_t size);

/* ---- inodes (fs/inode.c) ---- */

/* A new inode of sb with one reference: ino assigned, times now, owner the caller. NULL: no memory. */
struct inode *inode_new(struct super_block *sb, u32 mode);
void inode_get(struct inode *i);
/* Drops a reference; the last one frees the inode (and its data if nlink is 0). */
void inode_put(struct inode *i);
/* Sets the times named (ATTR_ATIME/ATTR_MTIME, plus ctime always) to now. */
void inode_touch(struct inode *i, u32 which);
/* MAY_* access for the current credentials: 0 or -EACCES. */
int inode_permission(struct inode *i, int mask);
#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4
/* Fills k from i. */
void inode_stat(struct inode *i, struct kstat *k);
/* The current wall-clock time. */
struct k_timespec vfs_now(void);

/* ---- dentries (fs/dcache.c) ---- */

/* A new root dentry for sb holding inode i (taking over its reference); NULL: no memory. */
struct dentry *d_make_root(struct inode *i);
/* The child of parent called name (len bytes) from the cache, or a new one looked up through
 * the filesystem; with a reference. It may be negative. ERR_PTR-style errors come as NULL with
 * *err set. */
struct dentry *d_lookup_child(struct dentry *parent, const char *name, size_t len, int *err);
/* Attaches inode i (taking over its reference) to a negative dentry. */
void d_instantiate(struct dentry *d, struct inode *i);
/* Pins d: the filesystem keeps it until d_unpin (names that are the directory itself). */
void d_pin(struct dentry *d);
void d_unpin(struct dentry *d);
/* Removes d from the name cache (the file was unlinked or renamed over); holders keep it. */
void d_drop(struct dentry *d);
/* Moves d under new_parent with name (rename); 0 or -ENOMEM. */
int d_move(struct dentry *d, struct dentry *new_parent, const char *name, size_t len);
struct dentry *d_get(struct dentry *d);
void d_put(struct dentry *d);
/* Drops unused cached dentries of sb (unmount), or of all when sb is NULL. */
void d_prune(struct super_block *sb);

/* ---- mounts and paths (fs/mount.c) ---- */

void path_get(const struct path *p);
void path_put(const struct path *p);
/* The mount on top of p (a mountpoint), if any, replaces p; returns true if it moved. */
bool path_cross_mounts(struct path *p);
/* One step toward the root from p, across mounts, not above root. */
void path_parent(struct path *p, const struct path *root);
/* The absolute path of p as seen from root into buf: its length, or -ENAMETOOLONG. */
long path_name(const struct path *p, const struct path *root, char *buf, size_t size);
/* The root of the whole tree (with a reference). */
void vfs_root(struct path *out);
/* Mounts the root filesystem (type, data) at boot. */
int vfs_mount_root(const char *type, const char *data);
/* Mounts a filesystem of type at the path target (kernel memory): mount(2)'s core. */
int vfs_mount(const char *source, const struct path *target, const char *type, u32 flags,
	      const char *data);
/* /proc/mounts as text: the length written (truncated to size). */
size_t vfs_mounts_list(char *buf, size_t size, const struct path *root);
/* True if writes through mnt are refused (MS_RDONLY on the mount or its superblock). */
bool mnt_readonly(const struct mount *m);

/* ---- the path walk (fs/namei.c) ---- */

#define LOOKUP_FOLLOW 0x1    /* follow a symlink in the last component */
#define LOOKUP_DIRECTORY 0x2 /* the result must be a directory */
#define LOOKUP_EMPTY 0x4     /* "" names the start directory itself (AT_EMPTY_PATH) */

/* Resolves path (kernel memory) from dirfd (AT_FDCWD or an open directory) into out. */
int vfs_lookup(int dirfd, const char *path, unsigned flags, struct path *out);
/* Resolves all but the last component: parent gets the directory, last its name (pointing into
 * path), *trailing is set for a trailing slash. -EINVAL-free: the last may be "." or "..". */
int vfs_lookup_parent(int dirfd, const char *path, struct path *parent, const char **last,
		      size_t *len, bool *trailing);
/* The same, a relative name starting at start instead of a directory fd. */
int vfs_lookup_parent_at(const struct path *start, const char *name, struct path *parent,
			 const char **last, size_t *len, bool *trailing);
/* Copies a user path into a new PATH_MAX buffer (kfree it): the buffer, or NULL with *err set
 * (-EFAULT, -ENAMETOOLONG, -ENOENT for "" unless allow_empty, -ENOMEM). */
char *vfs_getname(const char __user *upath, bool allow_empty, int *err);
/* Copies a user path and resolves it: vfs_getname + vfs_lookup. */
int vfs_lookup_user(int dirfd, const char __user *upath, unsigned flags, struct path *out);

/* ---- files (fs/open.c, fs/page_map.c) ---- */

/* Opens path (kernel memory) like openat(2): the file with a reference, or NULL with *err. */
struct file *vfs_open(int dirfd, const char *path, int flags, u32 mode, int *err);
/* Opens an already resolved path (takes no reference of its own on p: it gets one). */
struct file *vfs_open_path(const struct path *p, int flags, int *err);
/* read, write and lseek for a file whose ops have pread/pwrite: at f->pos, which they move
 * (O_APPEND writes at the end); lseek against the inode's size. For filesystems' file_ops. */
long generic_file_read(struct file *f, char __user *buf, size_t n);
long generic_file_write(struct file *f, const char __user *buf, size_t n);
s64 generic_file_llseek(struct file *f, s64 off, int whence);
/* Reads or writes a regular file's data at pos, to or from user memory (user) or kernel memory:
 * bytes moved or a negative errno. */
long vfs_read_at(struct inode *i, void *buf, size_t n, u64 pos, bool user);
long vfs_write_at(struct inode *i, const void *buf, size_t n, u64 pos, bool user);
/* Changes a regular file's size: pages past the end are freed and a partial last page zeroed. */
int vfs_truncate_pages(struct inode *i, u64 size);
/* The generic get_page: pages held in memory in the inode's page map, zero-filled when created. */
int page_map_get(struct inode *i, u64 index, bool create, void **page);
/* Frees every page of a regular file (eviction). */
void vfs_free_pages(struct inode *i);

/* Sets the attributes named in a->valid (size through vfs_truncate_pages): what a filesystem
 * without its own rules uses as setattr. */
int simple_setattr(struct inode *i, const struct iattr *a);
/* Lists a directory whose names are all pinned dentries (tmpfs, devfs): ".", "..", children. */
int dcache_readdir(struct file *f, struct dir_ctx *ctx);
/* Links the new child d (given a new position in its parent's listing) and pins it. */
void d_add_pinned(struct dentry *d, struct inode *i);

/* The directory-fd for the current process's cwd, and its root (with references). */
void vfs_cwd(struct path *out);
void vfs_proc_root(struct path *out);

/* ---- the built-in filesystems ---- */

/* tmpfs's superblock setup, for filesystems built on it (devfs). */
int tmpfs_fill_super(struct super_block *sb, const char *source, const char *data);
int tmpfs_register(void);
int devfs_register(void);
int procfs_register(void);
/* Adds a node to every mounted devfs ("name" or "dir/name"), or a registered range's nodes;
 * removes one. Drivers call these as devices come and go. */
void devfs_add(const char *name, u32 mode, dev_t rdev);
void devfs_add_chrdev(struct chrdev *cd);
void devfs_remove(const char *name);

/* The block device at source (a device node's path) for a disk filesystem's fill_super, held
 * with blkdev_get (blkdev_put it in the superblock's kill): 0, -ENOTBLK (not a block device),
 * -ENXIO (no such disk), -EACCES (a nodev mount), or the path walk's error. */
struct blkio;
int vfs_blkdev_from_path(const char *source, struct blkio **out, dev_t *rdev);

/* ---- name operations (fs/namei_sys.c), on kernel-memory names ---- */
int vfs_mknod(int dirfd, const char *name, u32 mode, dev_t rdev);
int vfs_symlink(const char *target, int dirfd, const char *name);
int vfs_link(int olddirfd, const char *oldname, int newdirfd, const char *newname, bool follow);
int vfs_unlink(int dirfd, const char *name, bool rmdir);
int vfs_rename(int odfd, const char *oldname, int ndfd, const char *newname, unsigned flags);
/* Applies attributes with the permission rules of chmod/chown/truncate (fs/attr_sys.c). */
int vfs_setattr(struct path *p, struct iattr *a);

/* Boot: registers the built-in filesystems, mounts tmpfs as / and unpacks the initramfs. */
void vfs_init(void);
/* Unpacks a cpio newc archive into the tree under root: 0, or -EINVAL for a corrupt archive
 * (what was unpacked before the fault stays). The message says where it failed. */
int initramfs_unpack(const void *archive, size_t len, const struct path *root);

#endif
