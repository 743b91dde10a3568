/* fs/attr_sys.c: the calls that read or change a file's attributes: stat, statfs, access, chmod,
 * chown, utimensat, truncate, fsync; and the process's place in the tree: chdir, fchdir, chroot, getcwd. */
#include <granary/bcache.h>
#include <granary/errno.h>
#include <granary/proc.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/syscall.h>
#include <granary/vfs.h>
#include <uapi/fcntl.h>

#define S_ISUID 04000
#define S_ISGID 02000
#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

static const struct cred *cred(void)
{
	static const struct cred root;
	return proc_current() ? &proc_current()->cred : &root;
}

int simple_setattr(struct inode *i, const struct iattr *a)
{
	if (a->valid & ATTR_SIZE) {
		int err = vfs_truncate_pages(i, a->size);
		if (err)
			return err;
	}
	if (a->valid & ATTR_MODE)
		i->mode = (i->mode & S_IFMT) | (a->mode & 07777);
	if (a->valid & ATTR_UID)
		i->uid = a->uid;
	if (a->valid & ATTR_GID)
		i->gid = a->gid;
	if (a->valid & ATTR_ATIME)
		i->atime = a->atime;
	if (a->valid & ATTR_MTIME)
		i->mtime = a->mtime;
	i->ctime = vfs_now();
	return 0;
}

int vfs_setattr(struct path *p, struct iattr *a)
{
	struct inode *i = p->dentry->inode;
	const struct cred *c = cred();
	bool owner = !c->euid || c->euid == i->uid;

	if (mnt_readonly(p->mnt))
		return -EROFS;
	if ((a->valid & ATTR_MODE) && !owner)
		return -EPERM;
	if ((a->valid & ATTR_MODE) && c->euid && c->egid != i->gid)
		a->mode &= ~S_ISGID; /* a non-member cannot set set-group-ID */
	if ((a->valid & ATTR_UID) && c->euid && a->uid != i->uid)
		return -EPERM;
	if ((a->valid & ATTR_GID) && c->euid && (c->euid != i->uid || a->gid != c->egid) &&
	    a->gid != i->gid)
		return -EPERM;
	if ((a->valid & (ATTR_UID | ATTR_GID)) && !(a->valid & ATTR_MODE) && !IS_DIR(i) &&
	    (i->mode & (S_ISUID | S_ISGID))) {
		/* A change of owner clears set-ID bits, as Linux. */
		a->valid |= ATTR_MODE;
		a->mode = i->mode & ~(S_ISUID | S_ISGID);
	}
	if (a->valid & ATTR_SIZE) {
		if (IS_DIR(i))
			return -EISDIR;
		if (!IS_REG(i))
			return -EINVAL;
	}
	return i->ops->setattr ? i->ops->setattr(i, a) : simple_setattr(i, a);
}

/* Resolves a user path relative to dirfd, honouring AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH. */
static int lookup_at(int dirfd, const char __user *upath, int flags, unsigned extra, struct path *p)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	return vfs_lookup_user(dirfd, upath,
			       (flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
				       (flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0) | extra, p);
}

static long stat_at(int dirfd, const char __user *upath, struct kstat __user *st, int flags)
{
	struct path p;
	struct kstat k;
	int err = lookup_at(dirfd, upath, flags, 0, &p);

	if (err)
		return err;
	inode_stat(p.dentry->inode, &k);
	path_put(&p);
	return copy_to_user(st, &k, sizeof(k)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(stat, const char __user *, p, struct kstat __user *, st) { return stat_at(AT_FDCWD, p, st, 0); }
SYSCALL_DEFINE2(lstat, const char __user *, p, struct kstat __user *, st) { return stat_at(AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW); }
SYSCALL_DEFINE4(newfstatat, int, dirfd, const char __user *, p, struct kstat __user *, st, int, flags) { return stat_at(dirfd, p, st, flags); }

static long statfs_path(struct path *p, struct kstatfs __user *ust)
{
	struct super_block *sb = p->dentry->sb;
	struct kstatfs st = { 0 };
	int err = sb->ops->statfs ? sb->ops->statfs(sb, &st) : 0;

	if (err)
		return err;
	st.type = sb->magic;
	st.namelen = NAME_MAX;
	if (!st.bsize)
		st.bsize = st.frsize = 4096;
	st.fsid[0] = (s32)sb->dev;
	st.flags = (mnt_readonly(p->mnt) ? 1 : 0) | (p->mnt->flags & MS_NOSUID ? 2 : 0) |
		   (p->mnt->flags & MS_NODEV ? 4 : 0) | (p->mnt->flags & MS_NOEXEC ? 8 : 0) | 0x20;
	return copy_to_user(ust, &st, sizeof(st)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(statfs, const char __user *, upath, struct kstatfs __user *, st)
{
	struct path p;
	long err = vfs_lookup_user(AT_FDCWD, upath, LOOKUP_FOLLOW, &p);

	if (err)
		return err;
	err = statfs_path(&p, st);
	path_put(&p);
	return err;
}

/* The path behind an open fd (O_PATH ones too), with a reference. -EBADF, or -EINVAL for a file
 * that has no path (a pipe). */
static int fd_path(int fd, struct path *p)
{
	struct file *f = fd_get(proc_current()->files, fd);
	int err = f ? 0 : -EBADF;

	if (f && !f->path.dentry)
		err = -EINVAL;
	if (!err) {
		*p = f->path;
		path_get(p);
	}
	if (f)
		file_put(f);
	return err;
}

SYSCALL_DEFINE2(fstatfs, int, fd, struct kstatfs __user *, st)
{
	struct path p;
	long err = fd_path(fd, &p);

	if (err)
		return err;
	err = statfs_path(&p, st);
	path_put(&p);
	return err;
}

static long access_at(int dirfd, const char __user *upath, int mode, int flags)
{
	struct process *proc = proc_current();
	struct cred saved = proc->cred;
	struct path p;
	long err;

	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/* access() checks with the real ids unless AT_EACCESS. */
	if (!(flags & AT_EACCESS)) {
		proc->cred.euid = proc->cred.uid;
		proc->cred.egid = proc->cred.gid;
	}
	err = lookup_at(dirfd, upath, flags & ~AT_EACCESS, 0, &p);
	if (!err) {
		err = inode_permission(p.dentry->inode, mode);
		if (!err && (mode & MAY_WRITE) && mnt_readonly(p.mnt) && !IS_LNK(p.dentry->inode))
			err = -EROFS;
		path_put(&p);
	}
	proc->cred = saved;
	return err;
}

SYSCALL_DEFINE2(access, const char __user *, p, int, mode) { return access_at(AT_FDCWD, p, mode, 0); }
SYSCALL_DEFINE3(faccessat, int, dirfd, const char __user *, p, int, mode) { return access_at(dirfd, p, mode, 0); }
SYSCALL_DEFINE4(faccessat2, int, dirfd, const char __user *, p, int, mode, int, flags) { return access_at(dirfd, p, mode, flags); }

/* Applies a to the path (fd >= 0 with a NULL upath: the fd's file). */
static long setattr_at(int dirfd, const char __user *upath, int flags, struct iattr *a)
{
	struct path p;
	long err = upath ? lookup_at(dirfd, upath, flags, 0, &p) : fd_path(dirfd, &p);

	if (err)
		return err;
	err = vfs_setattr(&p, a);
	path_put(&p);
	return err;
}

static long chmod_at(int dirfd, const char __user *upath, u32 mode, int flags)
{
	struct iattr a = { .valid = ATTR_MODE, .mode = mode & 07777 };
	return setattr_at(dirfd, upath, flags, &a);
}

SYSCALL_DEFINE2(chmod, const char __user *, p, u32, mode) { return chmod_at(AT_FDCWD, p, mode, 0); }
SYSCALL_DEFINE2(fchmod, int, fd, u32, mode) { return chmod_at(fd, NULL, mode, 0); }
SYSCALL_DEFINE3(fchmodat, int, dirfd, const char __user *, p, u32, mode) { return chmod_at(dirfd, p, mode, 0); }

static long chown_at(int dirfd, const char __user *upath, u32 uid, u32 gid, int flags)
{
	struct iattr a = { .uid = uid, .gid = gid };

	if (uid != (u32)-1)
		a.valid |= ATTR_UID;
	if (gid != (u32)-1)
		a.valid |= ATTR_GID;
	return setattr_at(dirfd, upath, flags, &a);
}

SYSCALL_DEFINE3(chown, const char __user *, p, u32, uid, u32, gid) { return chown_at(AT_FDCWD, p, uid, gid, 0); }
SYSCALL_DEFINE3(lchown, const char __user *, p, u32, uid, u32, gid) { return chown_at(AT_FDCWD, p, uid, gid, AT_SYMLINK_NOFOLLOW); }
SYSCALL_DEFINE3(fchown, int, fd, u32, uid, u32, gid) { return chown_at(fd, NULL, uid, gid, 0); }
SYSCALL_DEFINE5(fchownat, int, dirfd, const char __user *, p, u32, uid, u32, gid, int, flags) { return chown_at(dirfd, p, uid, gid, flags); }

SYSCALL_DEFINE4(utimensat, int, dirfd, const char __user *, upath, const struct k_timespec __user *, utimes, int, flags)
{
	struct k_timespec t[2];
	struct iattr a = { .valid = ATTR_ATIME | ATTR_MTIME };
	struct path p;
	struct inode *i;
	const struct cred *c = cred();
	bool explicit = false;
	long err;

	if (utimes) {
		if (copy_from_user(t, utimes, sizeof(t)))
			return -EFAULT;
		for (int k = 0; k < 2; k++) {
			if (t[k].nsec == UTIME_OMIT) {
				a.valid &= ~(k ? ATTR_MTIME : ATTR_ATIME);
				continue;
			}
			if (t[k].nsec == UTIME_NOW) {
				t[k] = vfs_now();
				continue;
			}
			if (t[k].nsec < 0 || t[k].nsec >= 1000000000)
				return -EINVAL;
			explicit = true;
		}
	} else {
		t[0] = t[1] = vfs_now();
	}
	a.atime = t[0];
	a.mtime = t[1];
	/* utimensat(fd, NULL, ...) names the fd itself (futimens). */
	err = upath ? lookup_at(dirfd, upath, flags, 0, &p) : fd_path(dirfd, &p);
	if (err)
		return err;
	i = p.dentry->inode;
	/* Setting explicit times needs ownership; "now" needs only write permission. */
	if (c->euid && c->euid != i->uid)
		err = explicit ? -EPERM : inode_permission(i, MAY_WRITE);
	if (!err && !mnt_readonly(p.mnt))
		err = i->ops->setattr ? i->ops->setattr(i, &a) : simple_setattr(i, &a);
	else if (!err)
		err = -EROFS;
	path_put(&p);
	return err;
}

static long truncate_path(struct path *p, s64 len)
{
	struct iattr a = { .valid = ATTR_SIZE | ATTR_MTIME, .size = (u64)len, .mtime = vfs_now() };

	if (len < 0)
		return -EINVAL;
	return vfs_setattr(p, &a);
}

SYSCALL_DEFINE2(truncate, const char __user *, upath, s64, len)
{
	struct path p;
	long err = vfs_lookup_user(AT_FDCWD, upath, LOOKUP_FOLLOW, &p);

	if (err)
		return err;
	if (IS_DIR(p.dentry->inode))
		err = -EISDIR;
	else
		err = inode_permission(p.dentry->inode, MAY_WRITE);
	if (!err)
		err = truncate_path(&p, len);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE2(ftruncate, int, fd, s64, len)
{
	struct file *f = fd_get(proc_current()->files, fd);
	long err;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		err = -EBADF;
	else if (!f->inode || !IS_REG(f->inode) || (f->flags & O_ACCMODE) == O_RDONLY)
		err = -EINVAL;
	else
		err = truncate_path(&f->path, len);
	file_put(f);
	return err;
}

static long fsync_fd(int fd)
{
	struct file *f = fd_get(proc_current()->files, fd);
	long err;

	if (!f)
		return -EBADF;
	err = f->ops->fsync ? f->ops->fsync(f) : 0;
	file_put(f);
	return err;
}

SYSCALL_DEFINE1(fsync, int, fd) { return fsync_fd(fd); }
SYSCALL_DEFINE1(fdatasync, int, fd) { return fsync_fd(fd); }
SYSCALL_DEFINE1(syncfs, int, fd) { return fsync_fd(fd); }
SYSCALL_DEFINE0(sync)
{
#ifdef CONFIG_BLOCK
	bcache_sync(NULL); /* disk filesystems (FAT) keep their dirty blocks in the buffer cache */
#endif
	return 0;
}

/* ---- the working directory and the root ---- */

static long set_dir(struct path *slot, struct path *p)
{
	long err = IS_DIR(p->dentry->inode) ? inode_permission(p->dentry->inode, MAY_EXEC) : -ENOTDIR;

	if (err) {
		path_put(p);
		return err;
	}
	if (slot->dentry)
		path_put(slot);
	*slot = *p; /* takes p's reference */
	return 0;
}

SYSCALL_DEFINE1(chdir, const char __user *, upath)
{
	struct path p;
	long err = vfs_lookup_user(AT_FDCWD, upath, LOOKUP_FOLLOW, &p);

	return err ? err : set_dir(&proc_current()->cwd, &p);
}

SYSCALL_DEFINE1(fchdir, int, fd)
{
	struct path p;
	long err = fd_path(fd, &p);

	if (err == -EINVAL)
		err = -ENOTDIR;
	return err ? err : set_dir(&proc_current()->cwd, &p);
}

SYSCALL_DEFINE1(chroot, const char __user *, upath)
{
	struct path p;
	long err;

	if (proc_current()->cred.euid)
		return -EPERM;
	err = vfs_lookup_user(AT_FDCWD, upath, LOOKUP_FOLLOW, &p);
	return err ? err : set_dir(&proc_current()->root, &p);
}

SYSCALL_DEFINE2(getcwd, char __user *, buf, size_t, size)
{
	struct process *proc = proc_current();
	char *name = kmalloc(PATH_MAX, 0);
	long len;

	if (!name)
		return -ENOMEM;
	len = path_name(&proc->cwd, &proc->root, name, PATH_MAX);
	if (len >= 0 && (size_t)len + 1 > size)
		len = -ERANGE;
	if (len >= 0 && copy_to_user(buf, name, (size_t)len + 1))
		len = -EFAULT;
	kfree(name);
	return len < 0 ? len : len + 1;
}
