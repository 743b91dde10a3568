/* fs/open.c: open(2) and friends: resolving or creating the name, the checks of each open flag, and
 * the file operations of regular files and directories. Devices and FIFOs hand over to their drivers. */
#include <granary/errno.h>
#include <granary/proc.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/syscall.h>
#include <granary/vfs.h>
#include <uapi/fcntl.h>

#define S64_MAX 0x7fffffffffffffffLL
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4

static long reg_pread(struct file *f, char __user *buf, size_t n, u64 pos)
{
	long r = vfs_read_at(f->inode, buf, n, pos, true);

	if (r > 0 && !(f->flags & O_NOATIME) && !mnt_readonly(f->path.mnt))
		f->inode->atime = vfs_now();
	return r;
}

static long reg_pwrite(struct file *f, const char __user *buf, size_t n, u64 pos)
{
	return vfs_write_at(f->inode, buf, n, pos, true);
}

long generic_file_read(struct file *f, char __user *buf, size_t n)
{
	long r = f->ops->pread(f, buf, n, f->pos);

	if (r > 0)
		f->pos += (u64)r;
	return r;
}

long generic_file_write(struct file *f, const char __user *buf, size_t n)
{
	long r;

	if (f->flags & O_APPEND)
		f->pos = f->inode->size;
	r = f->ops->pwrite(f, buf, n, f->pos);
	if (r > 0)
		f->pos += (u64)r;
	return r;
}

s64 generic_file_llseek(struct file *f, s64 off, int whence)
{
	s64 base, size = (s64)f->inode->size;

	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (s64)f->pos; break;
	case SEEK_END: base = size; break;
	case SEEK_DATA:
	case SEEK_HOLE:
		/* Holes are not reported: all of [0, size) counts as data. */
		if (off < 0 || off >= size)
			return -ENXIO;
		f->pos = (u64)(whence == SEEK_DATA ? off : size);
		return (s64)f->pos;
	default: return -EINVAL;
	}
	if ((off > 0 && base > S64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = (u64)(base + off);
	return (s64)f->pos;
}

static s64 dir_llseek(struct file *f, s64 off, int whence)
{
	if (whence == SEEK_SET && off >= 0) {
		f->pos = (u64)off; /* listing positions are the filesystem's offsets */
		return off;
	}
	if (whence == SEEK_CUR && off == 0)
		return (s64)f->pos;
	return -EINVAL;
}

static long dir_read(struct file *f, char __user *buf, size_t n)
{
	return -EISDIR;
}

static const struct file_ops reg_ops = {
	.read = generic_file_read,
	.write = generic_file_write,
	.pread = reg_pread,
	.pwrite = reg_pwrite,
	.llseek = generic_file_llseek,
	.ifmt = S_IFREG,
};

static const struct file_ops dir_ops = {
	.read = dir_read,
	.llseek = dir_llseek,
	.ifmt = S_IFDIR,
};

/* O_PATH files and symlinks opened with O_PATH|O_NOFOLLOW: a place, no I/O. */
static const struct file_ops path_ops = { .ifmt = 0 };

struct file *vfs_open_path(const struct path *p, int flags, int *err)
{
	struct inode *i = p->dentry->inode;
	struct file *f = file_alloc(&path_ops, (unsigned)flags & ~(O_CREAT | O_EXCL | O_TRUNC |
							O_CLOEXEC | O_NOFOLLOW | O_DIRECTORY), NULL);

	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	f->path = *p;
	path_get(&f->path);
	f->inode = i;
	*err = 0;
	if (flags & O_PATH)
		return f;
	if (i->ops->open) {
		*err = i->ops->open(i, f);
	} else {
		switch (i->mode & S_IFMT) {
		case S_IFREG: f->ops = &reg_ops; break;
		case S_IFDIR: f->ops = &dir_ops; break;
		case S_IFCHR:
			*err = (p->mnt->flags & MS_NODEV) ? -EACCES : chrdev_open(f, i->rdev);
			break;
		case S_IFIFO: *err = pipe_open_fifo(i, f); break;
		case S_IFBLK:
			*err = (p->mnt->flags & MS_NODEV) ? -EACCES : blkdev_open(f, i->rdev);
			break;
		default: *err = -ENXIO; break;
		}
	}
	if (*err) {
		f->ops = &path_ops; /* the open did not happen: nothing to release */
		file_put(f);
		return NULL;
	}
	return f;
}

#define CREATE_LINKS 8 /* dangling symlinks an O_CREAT open follows to create their target */

/* The last component of an O_CREAT open (from start if given, else dirfd): the existing or newly
 * created name, in *out. A dangling symlink has its target created, as Linux does. */
static int open_create(const struct path *start, int dirfd, const char *name, int flags, u32 mode,
		       struct path *out, bool *created, int depth)
{
	struct path parent;
	const char *last;
	size_t len;
	bool trailing;
	struct dentry *d;
	int err = start ? vfs_lookup_parent_at(start, name, &parent, &last, &len, &trailing)
			: vfs_lookup_parent(dirfd, name, &parent, &last, &len, &trailing);

	if (err)
		return err;
	if (trailing || (len == 1 && last[0] == '.') || (len == 2 && !strncmp(last, "..", 2))) {
		err = -EISDIR;
		goto out;
	}
	d = d_lookup_child(parent.dentry, last, len, &err);
	if (!d)
		goto out;
	if (d->inode && IS_LNK(d->inode) && !(flags & O_EXCL)) {
		char *target;
		long n;
		if ((flags & O_NOFOLLOW) || depth >= CREATE_LINKS) {
			d_put(d);
			err = -ELOOP;
			goto out;
		}
		target = kmalloc(PATH_MAX, 0);
		n = target ? d->inode->ops->readlink(d->inode, target, PATH_MAX - 1) : -ENOMEM;
		d_put(d);
		if (n > 0) {
			target[n] = '\0';
			err = open_create(&parent, AT_FDCWD, target, flags, mode, out, created, depth + 1);
		} else {
			err = n ? (int)n : -ENOENT;
		}
		kfree(target);
		goto out;
	}
	if (d->inode) {
		err = (flags & O_EXCL) ? -EEXIST : 0;
	} else {
		u32 umask = proc_current() ? proc_current()->umask : 022;
		err = mnt_readonly(parent.mnt) ? -EROFS : inode_permission(parent.dentry->inode, MAY_WRITE | MAY_EXEC);
		if (!err)
			err = parent.dentry->inode->ops->create
				      ? parent.dentry->inode->ops->create(parent.dentry->inode, d,
									  S_IFREG | (mode & 07777 & ~umask), 0)
				      : -EPERM;
		*created = !err;
	}
	if (err) {
		d_put(d);
		goto out;
	}
	out->mnt = parent.mnt;
	out->mnt->refcount++;
	out->dentry = d;
	path_cross_mounts(out);
out:
	path_put(&parent);
	return err;
}

struct file *vfs_open(int dirfd, const char *name, int flags, u32 mode, int *err)
{
	unsigned acc = (unsigned)flags & O_ACCMODE;
	bool created = false;
	struct path p;
	struct inode *i;
	struct file *f = NULL;

	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	if (flags & O_CREAT)
		*err = open_create(NULL, dirfd, name, flags, mode, &p, &created, 0);
	else
		*err = vfs_lookup(dirfd, name, (flags & O_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
					       (flags & O_DIRECTORY ? LOOKUP_DIRECTORY : 0), &p);
	if (*err)
		return NULL;
	i = p.dentry->inode;
	*err = -ELOOP;
	if (IS_LNK(i) && !(flags & O_PATH))
		goto out;
	*err = -ENOTDIR;
	if ((flags & O_DIRECTORY) && !IS_DIR(i))
		goto out;
	*err = -EISDIR;
	if (IS_DIR(i) && !(flags & O_PATH) && (acc != O_RDONLY || (flags & O_TRUNC)))
		goto out;
	if (!(flags & O_PATH) && !created) {
		int mask = (acc != O_WRONLY ? MAY_READ : 0) | (acc != O_RDONLY ? MAY_WRITE : 0) |
			   (flags & O_TRUNC ? MAY_WRITE : 0);
		*err = inode_permission(i, mask);
		if (*err)
			goto out;
		*err = -EROFS;
		if ((mask & MAY_WRITE) && (IS_REG(i) || IS_DIR(i)) && mnt_readonly(p.mnt))
			goto out;
	}
	f = vfs_open_path(&p, flags, err);
	if (f && (flags & O_TRUNC) && IS_REG(i) && acc != O_RDONLY && i->size) {
		struct iattr a = { .valid = ATTR_SIZE | ATTR_MTIME, .size = 0, .mtime = vfs_now() };
		*err = i->ops->setattr ? i->ops->setattr(i, &a) : simple_setattr(i, &a);
		if (*err) {
			file_put(f);
			f = NULL;
		}
	}
out:
	path_put(&p);
	return f;
}

static long vfs_openat_user(int dirfd, const char __user *upath, int flags, u32 mode)
{
	struct process *proc = proc_current();
	struct file *f;
	int err;
	char *name = vfs_getname(upath, false, &err);

	if (!name)
		return err;
	f = vfs_open(dirfd, name, flags, mode, &err);
	kfree(name);
	if (!f)
		return err;
	err = fd_install(proc->files, f, 0, flags & O_CLOEXEC);
	file_put(f);
	return err;
}

SYSCALL_DEFINE4(openat, int, dirfd, const char __user *, upath, int, flags, u32, mode)
{
	return vfs_openat_user(dirfd, upath, flags, mode);
}

SYSCALL_DEFINE3(open, const char __user *, upath, int, flags, u32, mode)
{
	return vfs_openat_user(AT_FDCWD, upath, flags, mode);
}

SYSCALL_DEFINE2(creat, const char __user *, upath, u32, mode)
{
	return vfs_openat_user(AT_FDCWD, upath, O_CREAT | O_WRONLY | O_TRUNC, mode);
}
