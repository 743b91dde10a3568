/* fs/blkdev_source.c: the block device a disk filesystem is mounted from: mount(2)'s source path
 * resolved to a device node, and the device held (blkdev_get) for as long as the mount lives. */
#include <granary/blkdev.h>
#include <granary/errno.h>
#include <granary/vfs.h>
#include <uapi/fcntl.h>

int vfs_blkdev_from_path(const char *source, struct blkio **out, dev_t *rdev)
{
	struct path p;
	struct inode *i;
	int err;

	if (!source || !*source)
		return -ENOTBLK;
	err = vfs_lookup(AT_FDCWD, source, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	i = p.dentry->inode;
	err = -ENOTBLK;
	if ((i->mode & S_IFMT) == S_IFBLK) {
		err = -EACCES;
		if (!(p.mnt->flags & MS_NODEV)) {
			*out = blkdev_get(i->rdev);
			*rdev = i->rdev;
			err = *out ? 0 : -ENXIO;
		}
	}
	path_put(&p);
	return err;
}
