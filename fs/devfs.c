/* fs/devfs.c: devfs, the /dev filesystem: a tmpfs filled with a node for every registered character
 * and block device (and the usual links), kept up to date as drivers come and go. */
#include <granary/blkdev.h>
#include <granary/errno.h>
#include <granary/printk.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/vfs.h>

#define DEVFS_MAX 8 /* devfs superblocks alive at once that hear of new devices */

static struct super_block *instances[DEVFS_MAX];

/* Creates name (which may have one directory level: "pts/0") in sb's root. */
static int add_node(struct super_block *sb, const char *name, u32 mode, dev_t rdev, const char *link)
{
	struct dentry *dir = d_get(sb->root), *d;
	const char *slash = strchr(name, '/');
	struct inode *di;
	int err = 0;

	if (slash) {
		d = d_lookup_child(dir, name, (size_t)(slash - name), &err);
		if (d && !d->inode)
			err = dir->inode->ops->mkdir(dir->inode, d, 0755);
		d_put(dir);
		if (!d)
			return err;
		dir = d;
		name = slash + 1;
		if (err || !IS_DIR(dir->inode)) {
			d_put(dir);
			return err ? err : -ENOTDIR;
		}
	}
	di = dir->inode;
	d = d_lookup_child(dir, name, strlen(name), &err);
	if (d && !d->inode && link)
		err = di->ops->symlink(di, d, link);
	else if (d && !d->inode && IS_DIR(&(struct inode){ .mode = mode }))
		err = di->ops->mkdir(di, d, mode & 07777);
	else if (d && !d->inode)
		err = di->ops->create(di, d, mode, rdev);
	else if (d)
		err = -EEXIST;
	if (d)
		d_put(d);
	d_put(dir);
	return err;
}

static void add_chrdev(struct chrdev *cd, void *arg)
{
	struct super_block *sb = arg;
	char name[32];

	if (!cd->name)
		return;
	add_node(sb, cd->name, S_IFCHR | (cd->mode & 07777), MKDEV(cd->major, cd->minor), NULL);
	for (u32 k = 1; cd->name_fmt && k < cd->count; k++) {
		snprintf(name, sizeof(name), cd->name_fmt, k);
		add_node(sb, name, S_IFCHR | (cd->mode & 07777), MKDEV(cd->major, cd->minor + k), NULL);
	}
}

void devfs_add_chrdev(struct chrdev *cd)
{
	for (int k = 0; k < DEVFS_MAX; k++)
		if (instances[k])
			add_chrdev(cd, instances[k]);
}

void devfs_add(const char *name, u32 mode, dev_t rdev)
{
	for (int k = 0; k < DEVFS_MAX; k++)
		if (instances[k])
			add_node(instances[k], name, mode, rdev, NULL);
}

void devfs_remove(const char *name)
{
	int err;

	for (int k = 0; k < DEVFS_MAX; k++) {
		struct dentry *d;
		if (!instances[k])
			continue;
		d = d_lookup_child(instances[k]->root, name, strlen(name), &err);
		if (d && d->inode && !IS_DIR(d->inode))
			instances[k]->root->inode->ops->unlink(instances[k]->root->inode, d);
		if (d)
			d_put(d);
	}
}

#ifdef CONFIG_BLOCK
static void add_blkdev(const char *name, dev_t rdev, void *arg)
{
	add_node(arg, name, S_IFBLK | 0660, rdev, NULL);
}
#endif

static const char *const links[][2] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

static void (*tmpfs_kill_fn)(struct super_block *sb);

static void devfs_kill(struct super_block *sb)
{
	for (int k = 0; k < DEVFS_MAX; k++)
		if (instances[k] == sb)
			instances[k] = NULL;
	tmpfs_kill_fn(sb);
}

static struct super_ops devfs_super_ops;

static int devfs_fill_super(struct super_block *sb, const char *source, const char *data)
{
	int err = tmpfs_fill_super(sb, source, data ? data : "mode=755");
	int slot = -1;

	if (err)
		return err;
	for (int k = 0; k < DEVFS_MAX && slot < 0; k++)
		if (!instances[k])
			slot = k;
	if (slot < 0)
		return -EBUSY;
	/* tmpfs's own operations, with unmount also forgetting the instance. */
	devfs_super_ops = *sb->ops;
	tmpfs_kill_fn = sb->ops->kill;
	devfs_super_ops.kill = devfs_kill;
	sb->ops = &devfs_super_ops;
	chrdev_foreach(add_chrdev, sb);
#ifdef CONFIG_BLOCK
	blkdev_foreach(add_blkdev, sb);
#endif
	for (size_t k = 0; k < sizeof(links) / sizeof(links[0]); k++)
		add_node(sb, links[k][0], 0, 0, links[k][1]);
	add_node(sb, "pts", S_IFDIR | 0755, 0, NULL);
	add_node(sb, "shm", S_IFDIR | 01777, 0, NULL);
	instances[slot] = sb;
	return 0;
}

static struct fs_type devfs_type = {
	.ops = &(const struct fs_type_ops)FS_TYPE_OPS(devfs_fill_super),
	.name = "devfs",
};

/* Linux's name for the same thing, so "mount -t devtmpfs" works too. */
static struct fs_type devtmpfs_type = {
	.ops = &(const struct fs_type_ops)FS_TYPE_OPS(devfs_fill_super),
	.name = "devtmpfs",
};

int devfs_register(void)
{
	int err = fs_type_register(&devfs_type);

	return err ? err : fs_type_register(&devtmpfs_type);
}
