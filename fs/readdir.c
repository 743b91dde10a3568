/* fs/readdir.c: getdents64, and the directory listing of filesystems whose names are pinned dentries.
 * A listing position is a directory offset the filesystem gives: entries never move backwards. */
#include <granary/errno.h>
#include <granary/proc.h>
#include <granary/string.h>
#include <granary/syscall.h>
#include <granary/vfs.h>
#include <uapi/fcntl.h>

void d_add_pinned(struct dentry *d, struct inode *i)
{
	d_instantiate(d, i);
	d->dir_pos = d->parent->next_pos++;
	if (!d->next_pos)
		d->next_pos = 2;
	d_pin(d);
}

int dcache_readdir(struct file *f, struct dir_ctx *ctx)
{
	struct dentry *dir = f->path.dentry;
	struct list_head *pos;

	if (f->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, dir->inode->ino, DT_DIR, 1))
			return 0;
		f->pos = 1;
	}
	if (f->pos == 1) {
		struct dentry *up = dir->parent;
		if (!ctx->emit(ctx, "..", 2, up->inode->ino, DT_DIR, 2))
			return 0;
		f->pos = 2;
	}
	list_for_each(pos, &dir->children) {
		struct dentry *c = list_entry(pos, struct dentry, child);
		if (!c->inode || (c->flags & D_UNHASHED) || c->dir_pos < f->pos)
			continue;
		if (!ctx->emit(ctx, c->name, c->len, c->inode->ino, DT_FROM_MODE(c->inode->mode),
			       c->dir_pos + 1))
			return 0;
		f->pos = c->dir_pos + 1;
	}
	return 0;
}

struct getdents_ctx {
	struct dir_ctx ctx;
	char __user *buf;
	size_t size, used;
	int err;
};

struct linux_dirent64_head {
	u64 ino;
	s64 off;
	u16 reclen;
	u8 type;
} __attribute__((packed));

static bool emit_user(struct dir_ctx *ctx, const char *name, size_t len, u64 ino, unsigned type,
		      u64 next_pos)
{
	struct getdents_ctx *g = (struct getdents_ctx *)ctx;
	size_t reclen = (sizeof(struct linux_dirent64_head) + len + 1 + 7) & ~7UL;
	struct linux_dirent64_head h = { ino, (s64)next_pos, (u16)reclen, (u8)type };
	char __user *p = g->buf + g->used;

	if (g->used + reclen > g->size) {
		if (!g->used)
			g->err = -EINVAL; /* not even one entry fits */
		return false;
	}
	if (copy_to_user(p, &h, sizeof(h)) || copy_to_user(p + sizeof(h), name, len) ||
	    clear_user(p + sizeof(h) + len, reclen - sizeof(h) - len)) {
		g->err = -EFAULT;
		return false;
	}
	g->used += reclen;
	return true;
}

SYSCALL_DEFINE3(getdents64, int, fd, void __user *, buf, size_t, size)
{
	struct file *f = fd_get(proc_current()->files, fd);
	struct getdents_ctx g = { { emit_user }, buf, size, 0, 0 };
	int err;

	if (!f)
		return -EBADF;
	err = -EBADF;
	if (f->flags & O_PATH)
		goto out;
	err = -ENOTDIR;
	if (!f->inode || !IS_DIR(f->inode) || !f->inode->ops->readdir)
		goto out;
	err = -ENOENT;
	if (!f->inode->nlink)
		goto out; /* removed: nothing can be listed */
	err = -EFAULT;
	if (!user_range_ok(buf, size))
		goto out;
	err = f->inode->ops->readdir(f, &g.ctx);
	if (!err)
		err = g.err && !g.used ? g.err : 0;
	if (!err && !mnt_readonly(f->path.mnt))
		f->inode->atime = vfs_now();
out:
	file_put(f);
	return err ? err : (long)g.used;
}
