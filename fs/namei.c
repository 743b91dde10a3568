/* fs/namei.c: the path walk: components, ".", "..", mounts, symlinks (SYMLOOP_MAX in all), trailing
 * slashes and the starting point (root, cwd or a directory fd). Not the operations on what it finds. */
#include <granary/errno.h>
#include <granary/proc.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/vfs.h>
#include <uapi/fcntl.h>

struct walk {
	struct path path; /* where the walk is */
	struct path root; /* the process's root: ".." stops here, "/" starts here */
	unsigned links;	  /* symlinks followed so far */
	unsigned nest;	  /* nested walk_path calls in progress */
};

static bool is_dir(const struct dentry *d)
{
	return d->inode && (d->inode->mode & S_IFMT) == S_IFDIR;
}

static bool is_link(const struct dentry *d)
{
	return d->inode && (d->inode->mode & S_IFMT) == S_IFLNK;
}

void vfs_proc_root(struct path *out)
{
	struct process *p = proc_current();

	if (p && p->root.dentry) {
		*out = p->root;
		path_get(out);
	} else {
		vfs_root(out);
	}
}

void vfs_cwd(struct path *out)
{
	struct process *p = proc_current();

	if (p && p->cwd.dentry) {
		*out = p->cwd;
		path_get(out);
	} else {
		vfs_root(out);
	}
}

static void set_path(struct walk *w, const struct path *to)
{
	path_get(to);
	path_put(&w->path);
	w->path = *to;
}

#define NEST_MAX 8 /* symlinks inside symlinks being resolved at once (kernel stack bound) */

static int walk_path(struct walk *w, const char *name, bool follow_last, bool *trailing);

/* Reads link's target into a new PATH_MAX buffer: the buffer, or NULL with *err. */
static char *read_link(struct walk *w, struct dentry *link, int *err)
{
	char *target;
	long len;

	*err = -ELOOP;
	if (++w->links > SYMLOOP_MAX)
		return NULL;
	*err = -EINVAL;
	if (!link->inode->ops->readlink)
		return NULL;
	*err = -ENOMEM;
	target = kmalloc(PATH_MAX, 0);
	if (!target)
		return NULL;
	len = link->inode->ops->readlink(link->inode, target, PATH_MAX - 1);
	*err = len < 0 ? (int)len : -ENOENT;
	if (len <= 0) {
		kfree(target);
		return NULL;
	}
	target[len] = '\0';
	return target;
}

/* One component of len bytes: moves the walk onto it. A symlink to follow is not entered: it
 * is returned in *link (with a reference) and the walk stays in its directory. */
static int step(struct walk *w, const char *name, size_t len, bool follow, struct dentry **link)
{
	struct dentry *d;
	struct path next;
	int err;

	if (len == 1 && name[0] == '.')
		return 0;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		path_parent(&w->path, &w->root);
		return 0;
	}
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	d = d_lookup_child(w->path.dentry, name, len, &err);
	if (!d)
		return err;
	if (!d->inode) {
		d_put(d);
		return -ENOENT;
	}
	if (is_link(d) && follow) {
		*link = d;
		return 0;
	}
	next.mnt = w->path.mnt;
	next.mnt->refcount++;
	next.dentry = d; /* takes d's reference */
	path_put(&w->path);
	w->path = next;
	path_cross_mounts(&w->path);
	return 0;
}

/* Walks name from w->path (or the root, if absolute). The last component is followed when
 * follow_last; *trailing (if given) says the name ended in '/'. A symlink in the middle is
 * resolved by a nested walk (at most NEST_MAX deep); one at the end continues this walk. */
static int walk_path(struct walk *w, const char *name, bool follow_last, bool *trailing)
{
	char *buf = NULL; /* the target being walked after a trailing symlink */
	int err = 0;

	for (;;) {
		struct dentry *link = NULL;
		const char *end, *rest;
		size_t len;
		bool last;

		if (*name == '/')
			set_path(w, &w->root);
		while (*name == '/')
			name++;
		if (!*name)
			break;
		err = -ENOTDIR;
		if (!is_dir(w->path.dentry))
			break;
		err = inode_permission(w->path.dentry->inode, MAY_EXEC);
		if (err)
			break;
		end = strchr(name, '/');
		len = end ? (size_t)(end - name) : strlen(name);
		rest = end ? end : name + len;
		while (*rest == '/')
			rest++;
		last = !*rest;
		if (last && end && trailing)
			*trailing = true; /* "name/": a directory is meant, so links are followed */
		err = step(w, name, len, !last || follow_last || end, &link);
		if (err || !link) {
			if (err)
				break;
			name = rest;
			continue;
		}
		if (!last) {
			/* A link in the middle: resolve it fully, then go on with the rest. */
			char *target = read_link(w, link, &err);
			d_put(link);
			if (!target)
				break;
			err = w->nest >= NEST_MAX ? -ELOOP : 0;
			if (!err) {
				w->nest++;
				err = walk_path(w, target, true, NULL);
				w->nest--;
			}
			kfree(target);
			if (err)
				break;
			name = rest;
			continue;
		}
		/* The last component is a link: walk its target in its place. */
		{
			char *target = read_link(w, link, &err);
			d_put(link);
			if (!target)
				break;
			kfree(buf);
			name = buf = target;
		}
	}
	kfree(buf);
	return err;
}

/* Sets up a walk from start, else dirfd (or the cwd), and the process root. */
static int walk_start(struct walk *w, const struct path *start, int dirfd, const char *name)
{
	vfs_proc_root(&w->root);
	w->links = 0;
	w->nest = 0;
	if (start && name[0] != '/') {
		w->path = *start;
		path_get(&w->path);
		return 0;
	}
	if (name[0] == '/' || dirfd == AT_FDCWD) {
		vfs_cwd(&w->path);
		return 0;
	}
	{
		struct process *p = proc_current();
		struct file *f = p ? fd_get(p->files, dirfd) : NULL;
		if (!f) {
			path_put(&w->root);
			return -EBADF;
		}
		if (!f->path.dentry || !is_dir(f->path.dentry)) {
			file_put(f);
			path_put(&w->root);
			return -ENOTDIR;
		}
		w->path = f->path;
		path_get(&w->path);
		file_put(f);
	}
	return 0;
}

static void walk_end(struct walk *w)
{
	path_put(&w->path);
	path_put(&w->root);
}

int vfs_lookup(int dirfd, const char *name, unsigned flags, struct path *out)
{
	struct walk w;
	bool trailing = false;
	int err;

	if (!*name && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	if (!*name && dirfd != AT_FDCWD) {
		/* AT_EMPTY_PATH: the fd itself, whatever it is. */
		struct process *p = proc_current();
		struct file *f = p ? fd_get(p->files, dirfd) : NULL;
		if (!f)
			return -EBADF;
		err = f->path.dentry ? 0 : -EBADF;
		if (!err) {
			*out = f->path;
			path_get(out);
		}
		file_put(f);
		return err;
	}
	err = walk_start(&w, NULL, dirfd, name);
	if (err)
		return err;
	err = walk_path(&w, name, flags & LOOKUP_FOLLOW, &trailing);
	if (!err && (trailing || (flags & LOOKUP_DIRECTORY)) && !is_dir(w.path.dentry))
		err = -ENOTDIR;
	if (!err) {
		*out = w.path;
		path_get(out);
	}
	walk_end(&w);
	return err;
}

static int lookup_parent(const struct path *start, int dirfd, const char *name, struct path *parent,
			 const char **last, size_t *len, bool *trailing)
{
	struct walk w;
	const char *end = name + strlen(name), *base;
	char *dir = NULL;
	int err;

	if (!*name)
		return -ENOENT;
	*trailing = false;
	while (end > name && end[-1] == '/') {
		end--;
		*trailing = true;
	}
	if (end == name) {
		/* "/" or "///": the root itself; callers refuse it as the last component. */
		*last = ".";
		*len = 1;
		base = name + 1;
	} else {
		base = end;
		while (base > name && base[-1] != '/')
			base--;
		*last = base;
		*len = (size_t)(end - base);
	}
	if (*len > NAME_MAX)
		return -ENAMETOOLONG;
	err = walk_start(&w, start, dirfd, name);
	if (err)
		return err;
	if (base > name) {
		dir = kmalloc((size_t)(base - name) + 1, 0);
		if (!dir) {
			walk_end(&w);
			return -ENOMEM;
		}
		memcpy(dir, name, (size_t)(base - name));
		dir[base - name] = '\0';
		err = walk_path(&w, dir, true, NULL);
		kfree(dir);
	}
	if (!err && !is_dir(w.path.dentry))
		err = -ENOTDIR;
	if (!err)
		err = inode_permission(w.path.dentry->inode, MAY_EXEC);
	if (!err) {
		*parent = w.path;
		path_get(parent);
	}
	walk_end(&w);
	return err;
}

int vfs_lookup_parent(int dirfd, const char *name, struct path *parent, const char **last,
		      size_t *len, bool *trailing)
{
	return lookup_parent(NULL, dirfd, name, parent, last, len, trailing);
}

int vfs_lookup_parent_at(const struct path *start, const char *name, struct path *parent,
			 const char **last, size_t *len, bool *trailing)
{
	return lookup_parent(start, AT_FDCWD, name, parent, last, len, trailing);
}

char *vfs_getname(const char __user *upath, bool allow_empty, int *err)
{
	char *buf = kmalloc(PATH_MAX, 0);
	long n;

	if (!buf) {
		*err = -ENOMEM;
		return NULL;
	}
	n = strncpy_from_user(buf, upath, PATH_MAX);
	if (n < 0 || (!n && !allow_empty)) {
		*err = n < 0 ? (int)n : -ENOENT;
		kfree(buf);
		return NULL;
	}
	return buf;
}

int vfs_lookup_user(int dirfd, const char __user *upath, unsigned flags, struct path *out)
{
	int err;
	char *name = vfs_getname(upath, flags & LOOKUP_EMPTY, &err);

	if (!name)
		return err;
	err = vfs_lookup(dirfd, name, flags, out);
	kfree(name);
	return err;
}
