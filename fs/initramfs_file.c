/* fs/initramfs_file.c: read-only file access straight from the initramfs archive, until the VFS exists.
 * open/openat, stat, readlink and exec's lookup; the working directory is always "/". */
#include <granary/bootinfo.h>
#include <granary/cpio.h>
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/paging.h>
#include <granary/proc.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/syscall.h>
#include <granary/uaccess.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>

#define SYMLINK_DEPTH 8
#define PATH_MAX 4096
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EMPTY_PATH 0x1000

static int archive(const void **base, size_t *len)
{
	for (unsigned i = 0; i < bootinfo.module_count; i++) {
		const struct boot_module *m = &bootinfo.modules[i];
		if (!strcmp(m->name, "initramfs")) {
			*base = phys_to_virt(m->start);
			*len = m->end - m->start;
			return 0;
		}
	}
	return -ENOENT;
}

int initramfs_lookup(const char *path, bool follow, struct cpio_entry *e)
{
	char buf[256], target[256];
	const void *base;
	size_t len;
	int err = archive(&base, &len);

	if (err)
		return err;
	strlcpy(buf, path, sizeof(buf));
	for (int depth = 0;; depth++) {
		if (!strcmp(buf, "/")) {
			/* The archive has no entry for its own root. */
			*e = (struct cpio_entry){ .name = "/", .namelen = 1, .mode = S_IFDIR | 0755, .nlink = 2 };
			return 0;
		}
		err = cpio_find(base, len, buf, e);
		if (err == -ENOENT) {
			/* A component that exists but is not a directory: ENOTDIR, as a walk would say. */
			for (char *s = strchr(buf + 1, '/'); s; s = strchr(s + 1, '/')) {
				struct cpio_entry d;
				*s = '\0';
				err = cpio_find(base, len, buf, &d);
				*s = '/';
				if (!err && (d.mode & S_IFMT) != S_IFDIR && (d.mode & S_IFMT) != S_IFLNK)
					return -ENOTDIR;
			}
			return -ENOENT;
		}
		if (err)
			return err == -EINVAL ? -EIO : err;
		if ((e->mode & S_IFMT) != S_IFLNK || !follow)
			return 0;
		if (depth == SYMLINK_DEPTH)
			return -ELOOP;
		if (e->size >= sizeof(target))
			return -ENAMETOOLONG;
		memcpy(target, e->data, e->size);
		target[e->size] = '\0';
		if (target[0] != '/') {
			/* Relative to the link's directory. */
			char *slash = strrchr(buf, '/');
			size_t dir = slash ? (size_t)(slash - buf) + 1 : 0;
			if (dir + e->size >= sizeof(buf))
				return -ENAMETOOLONG;
			memcpy(buf + dir, target, e->size + 1);
		} else {
			strlcpy(buf, target, sizeof(buf));
		}
	}
}

struct ramfile {
	struct cpio_entry e;
};

static long ram_read(struct file *f, char __user *buf, size_t n)
{
	struct ramfile *r = f->priv;

	if ((r->e.mode & S_IFMT) == S_IFDIR)
		return -EISDIR;
	if (f->pos >= r->e.size)
		return 0;
	if (n > r->e.size - f->pos)
		n = r->e.size - f->pos;
	if (copy_to_user(buf, (const u8 *)r->e.data + f->pos, n))
		return -EFAULT;
	f->pos += n;
	return (long)n;
}

static void ram_release(struct file *f)
{
	kfree(f->priv);
}

static void ram_stat(struct file *f, struct kstat *k);

static const struct file_ops ram_ops = {
	.read = ram_read,
	.stat = ram_stat,
	.release = ram_release,
	.ifmt = S_IFREG,
};

/* Removes "." and ".." components in place ("/a/./b/../c" -> "/a/c"; ".." at the root stays
 * there). Lexical: a symlink followed by ".." is not resolved as the VFS will. */
static void normalize(char *path)
{
	char *out = path, *in = path;

	while (*in) {
		char *end;
		size_t len;

		while (*in == '/')
			in++;
		end = strchr(in, '/');
		len = end ? (size_t)(end - in) : strlen(in);
		if (len == 1 && in[0] == '.') {
			/* nothing */
		} else if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (out > path && *--out != '/')
				;
		} else if (len) {
			*out++ = '/';
			memmove(out, in, len);
			out += len;
		}
		in += len;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

/* Copies a user path and makes it absolute against the working directory (the only
 * directory a relative path can start from until the VFS brings directory descriptors). */
static int get_path(int dirfd, const char __user *upath, char *path)
{
	const char *cwd = proc_current()->cwd;
	size_t clen = strlen(cwd);
	long n = strncpy_from_user(path, upath, PATH_MAX);

	if (n < 0)
		return (int)n;
	if (!n)
		return -ENOENT;
	if (path[0] != '/') {
		if (dirfd != AT_FDCWD)
			return -ENOSYS; /* directory descriptors arrive with the VFS */
		if (clen + 1 + (size_t)n >= PATH_MAX)
			return -ENAMETOOLONG;
		memmove(path + clen + 1, path, (size_t)n + 1);
		memcpy(path, cwd, clen);
		path[clen] = '/';
	}
	normalize(path);
	return 0;
}

SYSCALL_DEFINE4(openat, int, dirfd, const char __user *, upath, int, flags, u32, mode)
{
	char *path = kmalloc(PATH_MAX, 0);
	struct ramfile *r = NULL;
	struct file *f = NULL;
	long ret;

	if (!path)
		return -ENOMEM;
	ret = get_path(dirfd, upath, path);
	if (ret)
		goto out;
	ret = -EROFS; /* nothing can be written before the VFS */
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))
		goto out;
	ret = -ENOMEM;
	r = kzalloc(sizeof(*r));
	if (!r)
		goto out;
	ret = initramfs_lookup(path, !(flags & O_NOFOLLOW), &r->e);
	if (ret)
		goto out;
	ret = -ENOTDIR;
	if ((flags & O_DIRECTORY) && (r->e.mode & S_IFMT) != S_IFDIR)
		goto out;
	ret = -ELOOP;
	if ((r->e.mode & S_IFMT) == S_IFLNK)
		goto out;
	ret = -ENOMEM;
	f = file_alloc(&ram_ops, flags & (O_ACCMODE | O_NONBLOCK), r);
	if (!f)
		goto out;
	r = NULL; /* the file owns it */
	ret = fd_install(proc_current()->files, f, 0, flags & O_CLOEXEC);
	file_put(f);
out:
	kfree(r);
	kfree(path);
	return ret;
}

SYSCALL_DEFINE3(open, const char __user *, upath, int, flags, u32, mode)
{
	return sys_openat((u64)AT_FDCWD, (u64)upath, (u64)flags, mode, 0, 0);
}

static void entry_stat(const struct cpio_entry *e, struct kstat *k)
{
	memset(k, 0, sizeof(*k));
	k->dev = 1;
	k->ino = e->ino;
	k->nlink = e->nlink;
	k->mode = e->mode;
	k->uid = e->uid;
	k->gid = e->gid;
	k->size = (s64)e->size;
	k->blksize = 4096;
	k->blocks = (s64)((e->size + 511) / 512);
	k->atime = k->mtime = k->ctime = e->mtime;
}

static void ram_stat(struct file *f, struct kstat *k)
{
	entry_stat(&((struct ramfile *)f->priv)->e, k);
}

/* Copies, resolves and looks up a user path; the absolute path is left in out (PATH_MAX
 * bytes) when out is not NULL. 0 and fills e, or a negative errno. */
static long lookup_user(int dirfd, const char __user *upath, bool follow, struct cpio_entry *e,
			char *out)
{
	char *path = out ? out : kmalloc(PATH_MAX, 0);
	long ret;

	if (!path)
		return -ENOMEM;
	ret = get_path(dirfd, upath, path);
	if (!ret)
		ret = initramfs_lookup(path, follow, e);
	if (!out)
		kfree(path);
	return ret;
}

static long stat_path(int dirfd, const char __user *upath, struct kstat __user *st, bool follow)
{
	struct cpio_entry e;
	struct kstat k;
	long ret = lookup_user(dirfd, upath, follow, &e, NULL);

	if (ret)
		return ret;
	entry_stat(&e, &k);
	return copy_to_user(st, &k, sizeof(k));
}

SYSCALL_DEFINE2(stat, const char __user *, p, struct kstat __user *, st) { return stat_path(AT_FDCWD, p, st, true); }
SYSCALL_DEFINE2(lstat, const char __user *, p, struct kstat __user *, st) { return stat_path(AT_FDCWD, p, st, false); }

SYSCALL_DEFINE4(newfstatat, int, dirfd, const char __user *, p, struct kstat __user *, st, int, flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return stat_path(dirfd, p, st, !(flags & AT_SYMLINK_NOFOLLOW));
}

SYSCALL_DEFINE2(access, const char __user *, upath, int, mode)
{
	struct cpio_entry e;
	long ret = lookup_user(AT_FDCWD, upath, true, &e, NULL);

	if (ret)
		return ret;
	if ((mode & 2) /* W_OK */)
		return -EROFS;
	if ((mode & 1) && !(e.mode & 0111))
		return -EACCES;
	return 0;
}

SYSCALL_DEFINE3(readlink, const char __user *, upath, char __user *, buf, int, size)
{
	char *path = kmalloc(PATH_MAX, 0);
	struct cpio_entry e;
	const char *target;
	size_t len;
	long ret;

	if (!path)
		return -ENOMEM;
	if (size <= 0) {
		kfree(path);
		return -EINVAL;
	}
	ret = get_path(AT_FDCWD, upath, path);
	if (!ret && !strcmp(path, "/proc/self/exe")) {
		/* procfs comes with the VFS; the one link programs need is answered here. */
		target = proc_current()->exe;
		len = strlen(target);
	} else {
		if (!ret)
			ret = initramfs_lookup(path, false, &e);
		if (!ret && (e.mode & S_IFMT) != S_IFLNK)
			ret = -EINVAL;
		target = e.data;
		len = e.size;
	}
	kfree(path);
	if (ret)
		return ret;
	if (len > (size_t)size)
		len = size;
	return copy_to_user(buf, target, len) ? -EFAULT : (long)len;
}

SYSCALL_DEFINE2(getcwd, char __user *, buf, size_t, size)
{
	const char *cwd = proc_current()->cwd;
	size_t len = strlen(cwd) + 1;

	if (size < len)
		return -ERANGE;
	return copy_to_user(buf, cwd, len) ? -EFAULT : (long)len;
}

SYSCALL_DEFINE1(chdir, const char __user *, upath)
{
	char *path = kmalloc(PATH_MAX, 0);
	struct process *p = proc_current();
	struct cpio_entry e;
	size_t len;
	long ret;

	if (!path)
		return -ENOMEM;
	ret = lookup_user(AT_FDCWD, upath, true, &e, path);
	if (!ret && (e.mode & S_IFMT) != S_IFDIR)
		ret = -ENOTDIR;
	if (!ret && !(e.mode & 0111))
		ret = -EACCES;
	len = strlen(path);
	while (!ret && len > 1 && path[len - 1] == '/')
		path[--len] = '\0'; /* "/bin/" is kept as "/bin" */
	if (!ret && len >= sizeof(p->cwd))
		ret = -ENAMETOOLONG;
	if (!ret)
		strlcpy(p->cwd, path, sizeof(p->cwd));
	kfree(path);
	return ret;
}
