/* include/granary/file.h: open files and per-process descriptor tables.
 * A struct file is an object with an ops table; the VFS will add inodes and paths behind it. */
#ifndef GRANARY_FILE_H
#define GRANARY_FILE_H

#include <granary/spinlock.h>
#include <granary/types.h>
#include <granary/uaccess.h>
#include <uapi/stat.h>

struct file;
struct mount;
struct dentry;
struct inode;

/* A place in the tree: a dentry as seen through a mount (include/granary/vfs.h). */
struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

/* struct stat as Linux x86_64 lays it out. */
struct kstat {
	u64 dev, ino, nlink;
	u32 mode, uid, gid, pad0;
	u64 rdev;
	s64 size, blksize, blocks;
	s64 atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
	s64 unused[3];
};

struct file_ops {
	/* Each returns bytes moved or a negative errno; buffers are user pointers. */
	long (*read)(struct file *f, char __user *buf, size_t n);
	long (*write)(struct file *f, const char __user *buf, size_t n);
	long (*ioctl)(struct file *f, unsigned cmd, unsigned long arg);
	/* POLLIN/POLLOUT/POLLHUP/POLLERR the file could give now, without blocking. */
	unsigned (*poll)(struct file *f);
	/* Fills what the file knows beyond ifmt/rdev (size, owner, times); optional. */
	void (*stat)(struct file *f, struct kstat *k);
	void (*release)(struct file *f);
	/* Positioned I/O for seekable files (pread64/pwrite64); read/write use them at f->pos. */
	long (*pread)(struct file *f, char __user *buf, size_t n, u64 pos);
	long (*pwrite)(struct file *f, const char __user *buf, size_t n, u64 pos);
	/* The new position, or a negative errno; NULL: the file cannot seek (ESPIPE). */
	s64 (*llseek)(struct file *f, s64 off, int whence);
	/* Writes dirty data to its device (fsync); NULL: nothing to write. */
	int (*fsync)(struct file *f);
	u32 ifmt; /* S_IFCHR, S_IFIFO, ... for fstat */
	u32 rdev; /* device number of a character device */
};

#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020


struct file {
	const struct file_ops *ops;
	u32 refcount;
	unsigned flags; /* O_* status flags */
	void *priv;
	u64 pos;
	struct path path;     /* how it was opened; NULL dentry for pipes and other anonymous files */
	struct inode *inode;  /* path.dentry's inode, when there is a path */
};

#define FILES_MAX 256 /* descriptors per process (RLIMIT_NOFILE cannot go above) */

struct files {
	u32 refcount;
	spinlock_t lock;
	struct file *fd[FILES_MAX];
	u64 cloexec[FILES_MAX / 64];
};

/* A new file with one reference; NULL when out of memory. */
struct file *file_alloc(const struct file_ops *ops, unsigned flags, void *priv);
void file_get(struct file *f);
void file_put(struct file *f);

/* An empty table; NULL when out of memory. */
struct files *files_create(void);
/* A copy sharing every open file (fork); NULL when out of memory. */
struct files *files_clone(struct files *src);
void files_put(struct files *fs);
/* Installs f at the lowest free descriptor >= min (taking a reference): the descriptor,
 * or -EMFILE. */
int fd_install(struct files *fs, struct file *f, int min, bool cloexec);
/* The file at fd with a reference for the caller, or NULL (the caller returns -EBADF). */
struct file *fd_get(struct files *fs, int fd);
/* Installs f at exactly fd, closing what was there (dup2): fd, or -EBADF for a bad fd. */
int fd_install_at(struct files *fs, struct file *f, int fd, bool cloexec);
/* Close-on-exec flag of an open fd. */
int fd_get_cloexec(struct files *fs, int fd);
void fd_set_cloexec(struct files *fs, int fd, bool on);
/* 0, or -EBADF. */
int fd_close(struct files *fs, int fd);
/* Closes every close-on-exec descriptor (exec). */
void files_close_on_exec(struct files *fs);

/* Reads or writes a kernel buffer through f's ops (f->pos moves as for read/write): bytes
 * moved or a negative errno. */
long kernel_read(struct file *f, void *buf, size_t n);
long kernel_write(struct file *f, const void *buf, size_t n);

/* A pipe: fds[0] reads, fds[1] writes (flags: O_NONBLOCK on both). 0 or -ENOMEM. */
int pipe_create(struct file *files[2], unsigned flags);
/* Opens the named pipe i into f (flags from f->flags): blocking opens wait for the other
 * side. 0, -ENXIO (O_WRONLY|O_NONBLOCK without a reader), -ENOMEM or -ERESTARTSYS. */
int pipe_open_fifo(struct inode *i, struct file *f);

/* /dev/console as a file (drivers/tty): init's first descriptors, before it opens its own. */
struct file *console_file_open(void);
/* Sets up the ttys and their input (drivers/tty/devices.c; after the interrupt controllers). */
void console_input_init(void);

#endif
