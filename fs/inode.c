/* fs/inode.c: inode lifetime, times, stat and the permission check from mode bits and uid/gid.
 * The filesystem owns an inode's data (evict); this file owns when it goes. */
#include <granary/errno.h>
#include <granary/proc.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/time.h>
#include <granary/vfs.h>

struct k_timespec vfs_now(void)
{
	u64 ns = time_realtime_ns();

	return (struct k_timespec){ .sec = (s64)(ns / 1000000000), .nsec = (s64)(ns % 1000000000) };
}

static const struct cred root_cred;

static const struct cred *cred(void)
{
	struct process *p = proc_current();

	return p ? &p->cred : &root_cred;
}

struct inode *inode_new(struct super_block *sb, u32 mode)
{
	struct inode *i = kzalloc(sizeof(*i));

	if (!i)
		return NULL;
	i->ino = ++sb->next_ino;
	i->mode = mode;
	i->uid = cred()->euid;
	i->gid = cred()->egid;
	i->nlink = 1;
	i->refcount = 1;
	i->sb = sb;
	i->atime = i->mtime = i->ctime = vfs_now();
	list_add_tail(&i->sb_link, &sb->inodes);
	return i;
}

void inode_get(struct inode *i)
{
	i->refcount++;
}

void inode_put(struct inode *i)
{
	if (--i->refcount)
		return;
	if (i->sb->ops->evict)
		i->sb->ops->evict(i);
	vfs_free_pages(i);
	list_del(&i->sb_link);
	kfree(i);
}

void inode_touch(struct inode *i, u32 which)
{
	struct k_timespec now = vfs_now();

	if (which & ATTR_ATIME)
		i->atime = now;
	if (which & ATTR_MTIME)
		i->mtime = now;
	i->ctime = now;
}

int inode_permission(struct inode *i, int mask)
{
	const struct cred *c = cred();
	u32 mode = i->mode;

	if (!c->euid) {
		/* root may do anything but execute a file nobody may execute. */
		if ((mask & MAY_EXEC) && (mode & S_IFMT) != S_IFDIR && !(mode & 0111))
			return -EACCES;
		return 0;
	}
	if (c->euid == i->uid)
		mode >>= 6;
	else if (c->egid == i->gid)
		mode >>= 3;
	return (mask & ~(int)mode & 7) ? -EACCES : 0;
}

void inode_stat(struct inode *i, struct kstat *k)
{
	memset(k, 0, sizeof(*k));
	k->dev = dev_encode(i->sb->dev);
	k->ino = i->ino;
	k->nlink = i->nlink;
	k->mode = i->mode;
	k->uid = i->uid;
	k->gid = i->gid;
	k->rdev = dev_encode(i->rdev);
	k->size = (s64)i->size;
	k->blksize = 4096;
	k->blocks = (s64)i->blocks;
	k->atime = i->atime.sec;
	k->atime_ns = i->atime.nsec;
	k->mtime = i->mtime.sec;
	k->mtime_ns = i->mtime.nsec;
	k->ctime = i->ctime.sec;
	k->ctime_ns = i->ctime.nsec;
}
