/* fs/initramfs.c: unpacks the cpio newc initramfs into the tmpfs root at boot. The archive is hostile:
 * every entry is checked, names may not leave the root, and symlinks are never followed while unpacking. */
#define pr_fmt(fmt) "initramfs: " fmt
#include <granary/cpio.h>
#include <granary/errno.h>
#include <granary/printk.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/vfs.h>

#define LINKS_MAX 4096 /* hard-linked files remembered at once */

struct hardlink {
	u32 ino, devmajor, devminor;
	struct inode *inode;
};

struct unpack {
	struct dentry *root;
	struct hardlink *links;
	unsigned nlinks;
	size_t off; /* of the entry being unpacked, for messages */
};

static int bad(struct unpack *u, const char *name, const char *why)
{
	pr_err("corrupt archive: entry at offset %zu (\"%s\"): %s\n", u->off, name ? name : "?", why);
	return -EINVAL;
}

static const char *skip_slashes(const char *s)
{
	while (*s == '/')
		s++;
	return s;
}

/* Walks name's directories under the root without following symlinks: the parent (with a
 * reference) and the last component (*last, *len). Empty, "." and ".." components are refused
 * where they would climb. */
static int parent_of(struct unpack *u, const char *name, struct dentry **parent, const char **last,
		     size_t *len)
{
	struct dentry *d = d_get(u->root);
	int err;

	for (;;) {
		const char *end;
		size_t n;

		while (*name == '/')
			name++;
		end = strchr(name, '/');
		n = end ? (size_t)(end - name) : strlen(name);
		if (n == 2 && name[0] == '.' && name[1] == '.') {
			d_put(d);
			return -EPERM; /* would climb out of the root */
		}
		if (n > NAME_MAX) {
			d_put(d);
			return -ENAMETOOLONG;
		}
		if (!end || !*skip_slashes(end)) {
			if (!n || (n == 1 && name[0] == '.')) {
				d_put(d);
				return -EEXIST; /* the root itself */
			}
			*parent = d;
			*last = name;
			*len = n;
			return 0;
		}
		if (!(n == 1 && name[0] == '.')) {
			struct dentry *c = d_lookup_child(d, name, n, &err);
			d_put(d);
			if (!c)
				return err;
			if (!c->inode || !IS_DIR(c->inode)) {
				bool missing = !c->inode;
				d_put(c);
				return missing ? -ENOENT : -ENOTDIR;
			}
			d = c;
		}
		name = end;
	}
}

static struct hardlink *find_link(struct unpack *u, const struct cpio_entry *e)
{
	for (unsigned k = 0; k < u->nlinks; k++)
		if (u->links[k].ino == e->ino && u->links[k].devmajor == e->devmajor &&
		    u->links[k].devminor == e->devminor)
			return &u->links[k];
	return NULL;
}

static void set_attrs(struct inode *i, const struct cpio_entry *e)
{
	i->mode = (i->mode & S_IFMT) | (e->mode & 07777);
	i->uid = e->uid;
	i->gid = e->gid;
	i->mtime.sec = i->atime.sec = i->ctime.sec = e->mtime;
	i->mtime.nsec = i->atime.nsec = i->ctime.nsec = 0;
}

static int make(struct unpack *u, struct dentry *dir, struct dentry *d, const struct cpio_entry *e)
{
	struct inode *di = dir->inode;
	u32 type = e->mode & S_IFMT;
	struct hardlink *hl = NULL;
	int err;

	switch (type) {
	case S_IFDIR:
		return di->ops->mkdir(di, d, e->mode & 07777);
	case S_IFLNK: {
		char *target;
		if (!e->size || e->size >= PATH_MAX || memchr(e->data, 0, e->size))
			return bad(u, e->name, "symlink target empty, too long or with a NUL");
		target = kmalloc(e->size + 1, 0);
		if (!target)
			return -ENOMEM;
		memcpy(target, e->data, e->size);
		target[e->size] = '\0';
		err = di->ops->symlink(di, d, target);
		kfree(target);
		return err;
	}
	case S_IFREG:
		if (e->nlink > 1)
			hl = find_link(u, e);
		if (hl)
			return di->ops->link(hl->inode, di, d);
		err = di->ops->create(di, d, S_IFREG | (e->mode & 07777), 0);
		if (!err && e->nlink > 1 && u->nlinks < LINKS_MAX)
			u->links[u->nlinks++] = (struct hardlink){ e->ino, e->devmajor, e->devminor, d->inode };
		return err;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		return di->ops->create(di, d, e->mode, MKDEV(e->rdevmajor, e->rdevminor));
	default:
		return bad(u, e->name, "unknown file type");
	}
}

static int unpack_entry(struct unpack *u, const struct cpio_entry *e)
{
	struct dentry *dir = NULL, *d;
	const char *last = NULL;
	size_t len = 0;
	int err = parent_of(u, e->name, &dir, &last, &len);

	if (err == -EEXIST)
		return 0; /* "." names the root, which exists */
	if (err == -EPERM)
		return bad(u, e->name, "path leaves the root");
	if (err)
		return bad(u, e->name, err == -ENOENT ? "parent directory missing"
				       : err == -ENOTDIR ? "parent is not a directory"
							 : "bad path");
	d = d_lookup_child(dir, last, len, &err);
	if (!d)
		goto out;
	if (d->inode && IS_DIR(d->inode) && (e->mode & S_IFMT) == S_IFDIR) {
		set_attrs(d->inode, e); /* a directory listed twice: the later entry's attributes */
		goto out_d;
	}
	if (d->inode) {
		/* A later entry replaces an earlier one of the same name, as Linux unpacks. */
		err = IS_DIR(d->inode) ? dir->inode->ops->rmdir(dir->inode, d)
				       : dir->inode->ops->unlink(dir->inode, d);
		d_put(d);
		if (err) {
			err = bad(u, e->name, "cannot replace an earlier entry");
			goto out;
		}
		d = d_lookup_child(dir, last, len, &err);
		if (!d)
			goto out;
	}
	err = make(u, dir, d, e);
	if (!err && (e->mode & S_IFMT) == S_IFREG && e->size) {
		long w = vfs_write_at(d->inode, e->data, e->size, 0, false);
		err = w < 0 ? (int)w : (size_t)w != e->size ? -ENOSPC : 0;
	}
	if (!err && (e->mode & S_IFMT) != S_IFLNK)
		set_attrs(d->inode, e);
out_d:
	d_put(d);
out:
	d_put(dir);
	return err;
}

int initramfs_unpack(const void *archive, size_t len, const struct path *root)
{
	struct unpack u = { .root = root->dentry };
	struct cpio_entry e;
	unsigned count = 0;
	int r, err = 0;

	u.links = kmalloc(LINKS_MAX * sizeof(*u.links), 0);
	if (!u.links)
		return -ENOMEM;
	for (size_t off = 0;;) {
		u.off = off;
		r = cpio_next(archive, len, &off, &e);
		if (r == 0)
			break;
		if (r < 0) {
			/* Zero padding after the trailer is fine; running out without one is not. */
			err = bad(&u, NULL, off >= len ? "archive ends without a TRAILER!!! entry"
							: "malformed header (bad magic, field or size)");
			break;
		}
		err = unpack_entry(&u, &e);
		if (err) {
			if (err != -EINVAL)
				pr_err("entry at offset %zu (\"%s\"): error %d\n", u.off, e.name, err);
			break;
		}
		count++;
	}
	kfree(u.links);
	if (!err)
		pr_info("unpacked %u entries (%zu bytes)\n", count, len);
	return err;
}
