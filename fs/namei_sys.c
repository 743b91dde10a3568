/* fs/namei_sys.c: the calls that change names: mkdir, mknod, symlink, link, unlink, rmdir, rename,
 * and readlink. Each checks the rules of POSIX and Linux, then asks the filesystem. */
#include <granary/errno.h>
#include <granary/proc.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/syscall.h>
#include <granary/vfs.h>
#include <uapi/fcntl.h>

#define S_ISVTX 01000
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2

/* The parent directory and the dentry of name's last component (maybe negative). */
struct target {
	struct path parent;
	struct dentry *d;
	bool trailing;
	bool dot; /* the last component is "." or ".." */
};

static int target_get(int dirfd, const char *name, struct target *t)
{
	const char *last;
	size_t len;
	int err = vfs_lookup_parent(dirfd, name, &t->parent, &last, &len, &t->trailing);

	if (err)
		return err;
	t->dot = (len == 1 && last[0] == '.') || (len == 2 && last[0] == '.' && last[1] == '.');
	t->d = NULL;
	if (t->dot)
		return 0;
	t->d = d_lookup_child(t->parent.dentry, last, len, &err);
	if (!t->d)
		path_put(&t->parent);
	return t->d ? 0 : err;
}

static void target_put(struct target *t)
{
	if (t->d)
		d_put(t->d);
	path_put(&t->parent);
}

static u32 cur_euid(void)
{
	return proc_current() ? proc_current()->cred.euid : 0;
}

static int may_create(struct target *t)
{
	if (mnt_readonly(t->parent.mnt))
		return -EROFS;
	return inode_permission(t->parent.dentry->inode, MAY_WRITE | MAY_EXEC);
}

static int may_delete(struct target *t)
{
	struct inode *dir = t->parent.dentry->inode, *victim = t->d->inode;
	int err = may_create(t);
	u32 uid = cur_euid();

	if (err)
		return err;
	if ((dir->mode & S_ISVTX) && uid && uid != victim->uid && uid != dir->uid)
		return -EPERM;
	if (t->d->mounted)
		return -EBUSY;
	return 0;
}

static u32 umask_of(u32 mode)
{
	return mode & ~(proc_current() ? proc_current()->umask : 022);
}

/* A new name: the target for name must not exist, may end in '/' only for a directory, and the
 * caller must be able to write its directory. On success t is held (target_put it). */
static int target_new(int dirfd, const char *name, struct target *t, bool is_dir)
{
	int err = target_get(dirfd, name, t);

	if (err)
		return err;
	if (t->dot || t->d->inode)
		err = -EEXIST;
	else if (t->trailing && !is_dir)
		err = -ENOENT; /* "name/" can only be a directory */
	else
		err = may_create(t);
	if (err)
		target_put(t);
	return err;
}

int vfs_mknod(int dirfd, const char *name, u32 mode, dev_t rdev)
{
	bool is_dir = (mode & S_IFMT) == S_IFDIR;
	struct target t;
	struct inode *dir;
	int err = target_new(dirfd, name, &t, is_dir);

	if (err)
		return err;
	dir = t.parent.dentry->inode;
	if (is_dir)
		err = dir->ops->mkdir ? dir->ops->mkdir(dir, t.d, umask_of(mode & 07777)) : -EPERM;
	else
		err = dir->ops->create ? dir->ops->create(dir, t.d, (mode & S_IFMT) | umask_of(mode & 07777), rdev)
				       : -EPERM;
	target_put(&t);
	return err;
}

static long mknod_user(int dirfd, const char __user *upath, u32 mode, u64 dev)
{
	int err;
	char *name;

	switch (mode & S_IFMT) {
	case 0: mode |= S_IFREG; break;
	case S_IFREG: case S_IFIFO: case S_IFSOCK: break;
	case S_IFCHR: case S_IFBLK:
		if (cur_euid())
			return -EPERM;
		break;
	case S_IFDIR: return -EPERM; /* mknod does not make directories */
	default: return -EINVAL;
	}
	name = vfs_getname(upath, false, &err);
	if (!name)
		return err;
	err = vfs_mknod(dirfd, name, mode, dev_decode(dev));
	kfree(name);
	return err;
}

SYSCALL_DEFINE4(mknodat, int, dirfd, const char __user *, p, u32, mode, u64, dev) { return mknod_user(dirfd, p, mode, dev); }
SYSCALL_DEFINE3(mknod, const char __user *, p, u32, mode, u64, dev) { return mknod_user(AT_FDCWD, p, mode, dev); }

static long mkdir_user(int dirfd, const char __user *upath, u32 mode)
{
	int err;
	char *name = vfs_getname(upath, false, &err);

	if (!name)
		return err;
	err = vfs_mknod(dirfd, name, S_IFDIR | (mode & 07777), 0);
	kfree(name);
	return err;
}

SYSCALL_DEFINE3(mkdirat, int, dirfd, const char __user *, p, u32, mode) { return mkdir_user(dirfd, p, mode); }
SYSCALL_DEFINE2(mkdir, const char __user *, p, u32, mode) { return mkdir_user(AT_FDCWD, p, mode); }

int vfs_symlink(const char *target, int dirfd, const char *name)
{
	struct target t;
	struct inode *dir;
	int err = target_new(dirfd, name, &t, false);

	if (err)
		return err;
	dir = t.parent.dentry->inode;
	err = dir->ops->symlink ? dir->ops->symlink(dir, t.d, target) : -EPERM;
	target_put(&t);
	return err;
}

static long symlink_user(const char __user *utarget, int dirfd, const char __user *upath)
{
	int err;
	char *target = vfs_getname(utarget, false, &err), *name;

	if (!target)
		return err;
	name = vfs_getname(upath, false, &err);
	if (name)
		err = vfs_symlink(target, dirfd, name);
	kfree(name);
	kfree(target);
	return err;
}

SYSCALL_DEFINE3(symlinkat, const char __user *, t, int, dirfd, const char __user *, p) { return symlink_user(t, dirfd, p); }
SYSCALL_DEFINE2(symlink, const char __user *, t, const char __user *, p) { return symlink_user(t, AT_FDCWD, p); }

int vfs_link(int olddirfd, const char *oldname, int newdirfd, const char *newname, bool follow)
{
	struct path old;
	struct target t;
	struct inode *dir;
	int err = vfs_lookup(olddirfd, oldname, follow ? LOOKUP_FOLLOW : 0, &old);

	if (err)
		return err;
	err = target_new(newdirfd, newname, &t, false);
	if (err)
		goto out_old;
	dir = t.parent.dentry->inode;
	if (IS_DIR(old.dentry->inode))
		err = -EPERM;
	else if (old.mnt != t.parent.mnt)
		err = -EXDEV;
	else
		err = dir->ops->link ? dir->ops->link(old.dentry->inode, dir, t.d) : -EPERM;
	target_put(&t);
out_old:
	path_put(&old);
	return err;
}

static long link_user(int odfd, const char __user *uold, int ndfd, const char __user *unew, int flags)
{
	int err;
	char *oldname, *newname;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	oldname = vfs_getname(uold, flags & AT_EMPTY_PATH, &err);
	if (!oldname)
		return err;
	newname = vfs_getname(unew, false, &err);
	if (newname)
		err = vfs_link(odfd, oldname, ndfd, newname, flags & AT_SYMLINK_FOLLOW);
	kfree(newname);
	kfree(oldname);
	return err;
}

SYSCALL_DEFINE5(linkat, int, odfd, const char __user *, o, int, ndfd, const char __user *, n, int, flags) { return link_user(odfd, o, ndfd, n, flags); }
SYSCALL_DEFINE2(link, const char __user *, o, const char __user *, n) { return link_user(AT_FDCWD, o, AT_FDCWD, n, 0); }

int vfs_unlink(int dirfd, const char *name, bool rmdir)
{
	struct target t;
	struct inode *dir;
	int err = target_get(dirfd, name, &t);

	if (err)
		return err;
	dir = t.parent.dentry->inode;
	if (t.dot)
		err = rmdir ? (name[strlen(name) - 1] == '.' && name[strlen(name) - 2] == '.' ? -ENOTEMPTY : -EINVAL) : -EISDIR;
	else if (!t.d->inode)
		err = -ENOENT;
	else if (rmdir && !IS_DIR(t.d->inode))
		err = -ENOTDIR;
	else if (!rmdir && IS_DIR(t.d->inode))
		err = -EISDIR;
	else if (!rmdir && t.trailing)
		err = -ENOTDIR;
	else if (rmdir && t.d == t.parent.mnt->root)
		err = -EBUSY;
	else
		err = may_delete(&t);
	/* After may_delete: a read-only mount answers EROFS first, as on Linux. */
	if (!err && !(rmdir ? dir->ops->rmdir : dir->ops->unlink))
		err = -EPERM;
	if (!err)
		err = rmdir ? dir->ops->rmdir(dir, t.d) : dir->ops->unlink(dir, t.d);
	target_put(&t);
	return err;
}

static long unlink_user(int dirfd, const char __user *upath, int flags)
{
	int err;
	char *name;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	name = vfs_getname(upath, false, &err);
	if (!name)
		return err;
	err = vfs_unlink(dirfd, name, flags & AT_REMOVEDIR);
	kfree(name);
	return err;
}

SYSCALL_DEFINE3(unlinkat, int, dirfd, const char __user *, p, int, flags) { return unlink_user(dirfd, p, flags); }
SYSCALL_DEFINE1(unlink, const char __user *, p) { return unlink_user(AT_FDCWD, p, 0); }
SYSCALL_DEFINE1(rmdir, const char __user *, p) { return unlink_user(AT_FDCWD, p, AT_REMOVEDIR); }

/* True if d is a (strict or not) ancestor of e, within one filesystem's tree. */
static bool is_ancestor(struct dentry *d, struct dentry *e)
{
	for (;;) {
		if (e == d)
			return true;
		if (e->parent == e)
			return false;
		e = e->parent;
	}
}

int vfs_rename(int odfd, const char *oldname, int ndfd, const char *newname, unsigned flags)
{
	struct target o, n;
	struct inode *odir, *ndir, *victim;
	int err;

	if (flags & RENAME_EXCHANGE)
		return -EOPNOTSUPP;
	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	err = target_get(odfd, oldname, &o);
	if (err)
		return err;
	err = target_get(ndfd, newname, &n);
	if (err)
		goto out_old;
	odir = o.parent.dentry->inode;
	ndir = n.parent.dentry->inode;
	err = -EBUSY;
	if (o.dot || n.dot)
		goto out;
	err = -ENOENT;
	if (!o.d->inode)
		goto out;
	victim = n.d->inode;
	err = -EXDEV;
	if (o.parent.mnt != n.parent.mnt)
		goto out;
	err = 0;
	if (victim == o.d->inode)
		goto out; /* the same file: nothing to do */
	err = -ENOTDIR;
	if (!IS_DIR(o.d->inode) && (o.trailing || n.trailing))
		goto out;
	err = -EEXIST;
	if (victim && (flags & RENAME_NOREPLACE))
		goto out;
	err = -EINVAL;
	if (IS_DIR(o.d->inode) && is_ancestor(o.d, n.parent.dentry))
		goto out; /* into its own subtree */
	err = -ENOTEMPTY;
	if (victim && is_ancestor(n.d, o.parent.dentry))
		goto out; /* over an ancestor of the source */
	err = -ENOTDIR;
	if (victim && IS_DIR(o.d->inode) && !IS_DIR(victim))
		goto out;
	err = -EISDIR;
	if (victim && !IS_DIR(o.d->inode) && IS_DIR(victim))
		goto out;
	err = may_delete(&o);
	if (!err)
		err = victim ? may_delete(&n) : may_create(&n);
	/* Moving a directory rewrites its "..": that needs write permission on it. */
	if (!err && IS_DIR(o.d->inode) && odir != ndir)
		err = inode_permission(o.d->inode, MAY_WRITE);
	if (!err && !odir->ops->rename)
		err = -EPERM;
	if (!err)
		err = odir->ops->rename(odir, o.d, ndir, n.d);
	if (!err) {
		d_drop(n.d);
		err = d_move(o.d, n.d->parent, n.d->name, n.d->len);
	}
out:
	target_put(&n);
out_old:
	target_put(&o);
	return err;
}

static long rename_user(int odfd, const char __user *uold, int ndfd, const char __user *unew,
			unsigned flags)
{
	int err;
	char *oldname = vfs_getname(uold, false, &err), *newname;

	if (!oldname)
		return err;
	newname = vfs_getname(unew, false, &err);
	if (newname)
		err = vfs_rename(odfd, oldname, ndfd, newname, flags);
	kfree(newname);
	kfree(oldname);
	return err;
}

SYSCALL_DEFINE5(renameat2, int, odfd, const char __user *, o, int, ndfd, const char __user *, n, unsigned, flags) { return rename_user(odfd, o, ndfd, n, flags); }
SYSCALL_DEFINE4(renameat, int, odfd, const char __user *, o, int, ndfd, const char __user *, n) { return rename_user(odfd, o, ndfd, n, 0); }
SYSCALL_DEFINE2(rename, const char __user *, o, const char __user *, n) { return rename_user(AT_FDCWD, o, AT_FDCWD, n, 0); }

static long readlink_user(int dirfd, const char __user *upath, char __user *buf, int size)
{
	struct path p;
	struct inode *i;
	char *target;
	long len;
	int err;

	if (size <= 0)
		return -EINVAL;
	err = vfs_lookup_user(dirfd, upath, LOOKUP_EMPTY, &p);
	if (err)
		return err;
	i = p.dentry->inode;
	len = -EINVAL;
	if (!IS_LNK(i) || !i->ops->readlink)
		goto out;
	len = -ENOMEM;
	target = kmalloc(PATH_MAX, 0);
	if (!target)
		goto out;
	len = i->ops->readlink(i, target, PATH_MAX);
	if (len > size)
		len = size;
	if (len > 0 && copy_to_user(buf, target, (size_t)len))
		len = -EFAULT;
	if (len >= 0)
		i->atime = vfs_now();
	kfree(target);
out:
	path_put(&p);
	return len;
}

SYSCALL_DEFINE4(readlinkat, int, dirfd, const char __user *, p, char __user *, buf, int, size) { return readlink_user(dirfd, p, buf, size); }
SYSCALL_DEFINE3(readlink, const char __user *, p, char __user *, buf, int, size) { return readlink_user(AT_FDCWD, p, buf, size); }
