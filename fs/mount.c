/* fs/mount.c: the mount table, superblocks, path references and mount(2)/umount2(2).
 * A path is (mount, dentry); crossing between mounts happens here and nowhere else. */
#include <granary/errno.h>
#include <granary/module.h>
#include <granary/printk.h>
#include <granary/proc.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/syscall.h>
#include <granary/vfs.h>
#include <uapi/fcntl.h>

static struct list_head mounts = LIST_HEAD_INIT(mounts);
static struct mount *root_mount;
static u32 next_anon_dev = 1;

void path_get(const struct path *p)
{
	p->mnt->refcount++;
	d_get(p->dentry);
}

static void mnt_put(struct mount *m);

void path_put(const struct path *p)
{
	d_put(p->dentry);
	mnt_put(p->mnt);
}

static void sb_put(struct super_block *sb)
{
	struct list_head *pos, *n;

	if (--sb->active)
		return;
	if (sb->ops->kill)
		sb->ops->kill(sb); /* unpins the names it kept */
	d_put(sb->root);
	d_prune(sb);
	/* Inodes still listed are held by nothing but pinned names: free them with the tree. */
	list_for_each_safe(pos, n, &sb->inodes) {
		struct inode *i = list_entry(pos, struct inode, sb_link);
		if (sb->ops->evict)
			sb->ops->evict(i);
		vfs_free_pages(i);
		list_del(&i->sb_link);
		kfree(i);
	}
	module_put(sb->type->ops->owner);
	obj_release(sb->type);
	kfree(sb);
}

static void mnt_put(struct mount *m)
{
	if (--m->refcount)
		return;
	if (m->mountpoint && m->parent != m) {
		m->mountpoint->mounted--;
		d_put(m->mountpoint);
		mnt_put(m->parent);
	}
	sb_put(m->sb);
	kfree(m);
}

bool mnt_readonly(const struct mount *m)
{
	return (m->flags & MS_RDONLY) || (m->sb->flags & SB_RDONLY);
}

/* The mount attached at (parent mount, dentry), the most recent first. */
static struct mount *mount_at(struct mount *parent, struct dentry *d)
{
	struct list_head *pos;
	struct mount *found = NULL;

	list_for_each(pos, &mounts) {
		struct mount *m = list_entry(pos, struct mount, link);
		if (m->parent == parent && m->mountpoint == d && m != parent)
			found = m;
	}
	return found;
}

bool path_cross_mounts(struct path *p)
{
	bool moved = false;

	while (p->dentry->mounted) {
		struct mount *m = mount_at(p->mnt, p->dentry);
		if (!m)
			break;
		m->refcount++;
		d_get(m->root);
		path_put(p);
		p->mnt = m;
		p->dentry = m->root;
		moved = true;
	}
	return moved;
}

void path_parent(struct path *p, const struct path *root)
{
	for (;;) {
		struct dentry *parent;
		if (p->dentry == root->dentry && p->mnt == root->mnt)
			return;
		if (p->dentry != p->mnt->root) {
			parent = d_get(p->dentry->parent);
			d_put(p->dentry);
			p->dentry = parent;
			return;
		}
		if (p->mnt->parent == p->mnt)
			return; /* the root of everything */
		/* At a mount's root: continue from its mountpoint in the parent. */
		{
			struct path up = { p->mnt->parent, p->mnt->mountpoint };
			path_get(&up);
			path_put(p);
			*p = up;
		}
	}
}

long path_name(const struct path *p, const struct path *root, char *buf, size_t size)
{
	struct path cur = *p;
	size_t pos = size;

	if (size < 2)
		return -ENAMETOOLONG;
	buf[--pos] = '\0';
	path_get(&cur);
	for (;;) {
		struct dentry *d = cur.dentry;
		if ((d == root->dentry && cur.mnt == root->mnt) ||
		    (d == cur.mnt->root && cur.mnt->parent == cur.mnt))
			break;
		if (d == cur.mnt->root) {
			/* A mount's root is named by its mountpoint in the parent mount. */
			struct path up = { cur.mnt->parent, cur.mnt->mountpoint };
			path_get(&up);
			path_put(&cur);
			cur = up;
			continue;
		}
		if (pos < d->len + 1) {
			path_put(&cur);
			return -ENAMETOOLONG;
		}
		pos -= d->len;
		memcpy(buf + pos, d->name, d->len);
		buf[--pos] = '/';
		path_parent(&cur, root);
	}
	path_put(&cur);
	if (pos == size - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, size - pos);
	return (long)(size - pos - 1);
}

void vfs_root(struct path *out)
{
	out->mnt = root_mount;
	out->dentry = root_mount->root;
	path_get(out);
}

static int make_super(const char *type_name, const char *source, u32 flags, const char *data,
		      struct super_block **out)
{
	struct fs_type *t = fs_type_find(type_name);
	struct super_block *sb;
	int err;

	if (!t)
		return -ENODEV;
	/* A filesystem provided by a module holds the module while it is mounted. */
	if (!module_get(t->ops->owner)) {
		obj_release(t);
		return -ENODEV;
	}
	sb = kzalloc(sizeof(*sb));
	if (!sb) {
		module_put(t->ops->owner);
		obj_release(t);
		return -ENOMEM;
	}
	sb->type = t; /* holds the reference fs_type_find took */
	sb->dev = MKDEV(0, next_anon_dev++);
	sb->active = 1;
	sb->flags = flags & MS_RDONLY ? SB_RDONLY : 0;
	list_init(&sb->inodes);
	err = t->ops->fill_super(sb, source, data);
	if (err || !sb->root) {
		struct list_head *pos, *n;
		if (sb->root)
			d_put(sb->root);
		list_for_each_safe(pos, n, &sb->inodes) {
			struct inode *i = list_entry(pos, struct inode, sb_link);
			if (sb->ops && sb->ops->evict)
				sb->ops->evict(i);
			vfs_free_pages(i);
			list_del(&i->sb_link);
			kfree(i);
		}
		kfree(sb);
		module_put(t->ops->owner);
		obj_release(t);
		return err ? err : -EINVAL;
	}
	*out = sb;
	return 0;
}

static struct mount *mount_new(struct super_block *sb, const char *source, u32 flags)
{
	struct mount *m = kzalloc(sizeof(*m));

	if (!m)
		return NULL;
	m->sb = sb;
	m->root = sb->root;
	m->flags = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
	m->refcount = 1;
	m->parent = m;
	strlcpy(m->source, source && *source ? source : "none", sizeof(m->source));
	return m;
}

int vfs_mount_root(const char *type, const char *data)
{
	struct super_block *sb;
	int err = make_super(type, "rootfs", 0, data, &sb);

	if (err)
		return err;
	root_mount = mount_new(sb, "rootfs", 0);
	if (!root_mount)
		return -ENOMEM;
	list_add_tail(&root_mount->link, &mounts);
	return 0;
}

int vfs_mount(const char *source, const struct path *target, const char *type, u32 flags,
	      const char *data)
{
	struct super_block *sb;
	struct mount *m;
	int err;

	if (!target->dentry->inode || (target->dentry->inode->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	if (flags & MS_BIND) {
		/* A second view of an existing directory tree. */
		struct path src;
		err = vfs_lookup(AT_FDCWD, source, LOOKUP_FOLLOW, &src);
		if (err)
			return err;
		sb = src.mnt->sb;
		sb->active++;
		m = mount_new(sb, src.mnt->source, flags);
		if (m)
			m->root = src.dentry; /* keeps src's dentry reference */
		else
			d_put(src.dentry);
		mnt_put(src.mnt);
		if (!m) {
			sb_put(sb);
			return -ENOMEM;
		}
	} else {
		err = make_super(type, source, flags, data, &sb);
		if (err)
			return err;
		m = mount_new(sb, source, flags);
		if (!m) {
			sb_put(sb);
			return -ENOMEM;
		}
		d_get(m->root);
	}
	m->parent = target->mnt;
	target->mnt->refcount++;
	m->mountpoint = d_get(target->dentry);
	target->dentry->mounted++;
	list_add_tail(&m->link, &mounts);
	return 0;
}

static bool has_children(struct mount *m)
{
	struct list_head *pos;

	list_for_each(pos, &mounts) {
		struct mount *c = list_entry(pos, struct mount, link);
		if (c->parent == m && c != m)
			return true;
	}
	return false;
}

static int do_umount(struct path *p, int flags)
{
	struct mount *m = p->mnt;

	if (p->dentry != m->root)
		return -EINVAL; /* not a mount point */
	if (m == root_mount || m->parent == m)
		return -EBUSY;
	/* Busy: anything but the caller's path, the attachment and its root holds it. */
	if (!(flags & MNT_DETACH) && (m->refcount > 2 || has_children(m)))
		return -EBUSY;
	if (has_children(m))
		return -EBUSY; /* lazy unmount of a tree is not supported */
	list_del(&m->link);
	m->detached = true;
	d_put(m->root);
	mnt_put(m); /* the attachment; the rest goes when the last path does */
	return 0;
}

SYSCALL_DEFINE5(mount, const char __user *, usource, const char __user *, utarget,
		const char __user *, utype, unsigned long, flags, const void __user *, udata)
{
	char *source = NULL, *type = NULL, *data = NULL;
	struct path target;
	int err;

	if (proc_current()->cred.euid)
		return -EPERM;
	err = vfs_lookup_user(AT_FDCWD, utarget, LOOKUP_FOLLOW, &target);
	if (err)
		return err;
	if (usource && !(source = vfs_getname(usource, true, &err)))
		goto out;
	if (!(flags & (MS_BIND | MS_REMOUNT))) {
		if (!utype) {
			err = -EINVAL;
			goto out;
		}
		if (!(type = vfs_getname(utype, false, &err)))
			goto out;
	}
	if (udata && !(data = vfs_getname(udata, true, &err)))
		goto out;
	if (flags & MS_REMOUNT) {
		/* Only the read-only flag changes on a remount. */
		err = target.dentry == target.mnt->root ? 0 : -EINVAL;
		if (!err)
			target.mnt->flags = (target.mnt->flags & ~MS_RDONLY) | (flags & MS_RDONLY);
	} else {
		err = vfs_mount(source, &target, type, (u32)flags, data);
	}
out:
	path_put(&target);
	kfree(source);
	kfree(type);
	kfree(data);
	return err;
}

SYSCALL_DEFINE2(umount2, const char __user *, utarget, int, flags)
{
	struct path p;
	int err;

	if (proc_current()->cred.euid)
		return -EPERM;
	if (flags & ~(MNT_FORCE | MNT_DETACH | 8 /* UMOUNT_NOFOLLOW */))
		return -EINVAL;
	err = vfs_lookup_user(AT_FDCWD, utarget, flags & 8 ? 0 : LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	err = do_umount(&p, flags);
	path_put(&p);
	return err;
}

size_t vfs_mounts_list(char *buf, size_t size, const struct path *root)
{
	struct list_head *pos;
	size_t len = 0;
	char *dir = kmalloc(PATH_MAX, 0);

	if (!dir)
		return 0;
	list_for_each(pos, &mounts) {
		struct mount *m = list_entry(pos, struct mount, link);
		struct path p = { m, m->root };
		if (path_name(&p, root, dir, PATH_MAX) < 0)
			continue;
		len += snprintf(buf + len, len < size ? size - len : 0, "%s %s %s %s%s%s%s 0 0\n",
				m->source, dir, m->sb->type->name, mnt_readonly(m) ? "ro" : "rw",
				m->flags & MS_NOSUID ? ",nosuid" : "", m->flags & MS_NODEV ? ",nodev" : "",
				m->flags & MS_NOEXEC ? ",noexec" : "");
	}
	kfree(dir);
	return len < size ? len : size;
}
