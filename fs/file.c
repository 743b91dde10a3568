/* fs/file.c: open-file objects and descriptor tables (dup, close-on-exec, fork's copy).
 * Only reference counting and slots here; what a file does is its ops table's business. */
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/slab.h>
#include <granary/vfs.h>

struct file *file_alloc(const struct file_ops *ops, unsigned flags, void *priv)
{
	struct file *f = kzalloc(sizeof(*f));

	if (f) {
		f->ops = ops;
		f->flags = flags;
		f->priv = priv;
		f->refcount = 1;
	}
	return f;
}

void file_get(struct file *f)
{
	__atomic_add_fetch(&f->refcount, 1, __ATOMIC_RELAXED);
}

void file_put(struct file *f)
{
	if (__atomic_sub_fetch(&f->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	if (f->ops->release)
		f->ops->release(f);
	if (f->path.dentry)
		path_put(&f->path);
	kfree(f);
}

struct files *files_create(void)
{
	struct files *fs = kzalloc(sizeof(*fs));

	if (fs) {
		fs->refcount = 1;
		fs->lock = (spinlock_t)SPINLOCK_INIT;
	}
	return fs;
}

struct files *files_clone(struct files *src)
{
	struct files *fs = files_create();
	unsigned long irq;

	if (!fs)
		return NULL;
	irq = spin_lock_irqsave(&src->lock);
	for (int i = 0; i < FILES_MAX; i++) {
		fs->fd[i] = src->fd[i];
		if (fs->fd[i])
			file_get(fs->fd[i]);
	}
	for (int i = 0; i < FILES_MAX / 64; i++)
		fs->cloexec[i] = src->cloexec[i];
	spin_unlock_irqrestore(&src->lock, irq);
	return fs;
}

void files_put(struct files *fs)
{
	if (__atomic_sub_fetch(&fs->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	for (int i = 0; i < FILES_MAX; i++)
		if (fs->fd[i])
			file_put(fs->fd[i]);
	kfree(fs);
}

static void set_cloexec(struct files *fs, int fd, bool on)
{
	if (on)
		fs->cloexec[fd / 64] |= 1ULL << (fd % 64);
	else
		fs->cloexec[fd / 64] &= ~(1ULL << (fd % 64));
}

int fd_install(struct files *fs, struct file *f, int min, bool cloexec)
{
	unsigned long irq = spin_lock_irqsave(&fs->lock);
	int fd = -EMFILE;

	for (int i = min < 0 ? 0 : min; i < FILES_MAX; i++) {
		if (!fs->fd[i]) {
			file_get(f);
			fs->fd[i] = f;
			set_cloexec(fs, i, cloexec);
			fd = i;
			break;
		}
	}
	spin_unlock_irqrestore(&fs->lock, irq);
	return fd;
}

struct file *fd_get(struct files *fs, int fd)
{
	unsigned long irq;
	struct file *f = NULL;

	if (fd < 0 || fd >= FILES_MAX)
		return NULL;
	irq = spin_lock_irqsave(&fs->lock);
	f = fs->fd[fd];
	if (f)
		file_get(f);
	spin_unlock_irqrestore(&fs->lock, irq);
	return f;
}

int fd_close(struct files *fs, int fd)
{
	unsigned long irq;
	struct file *f;

	if (fd < 0 || fd >= FILES_MAX)
		return -EBADF;
	irq = spin_lock_irqsave(&fs->lock);
	f = fs->fd[fd];
	fs->fd[fd] = NULL;
	set_cloexec(fs, fd, false);
	spin_unlock_irqrestore(&fs->lock, irq);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

void files_close_on_exec(struct files *fs)
{
	for (int i = 0; i < FILES_MAX; i++)
		if (fs->cloexec[i / 64] & (1ULL << (i % 64)))
			fd_close(fs, i);
}

int fd_install_at(struct files *fs, struct file *f, int fd, bool cloexec)
{
	unsigned long irq;
	struct file *old;

	if (fd < 0 || fd >= FILES_MAX)
		return -EBADF;
	file_get(f);
	irq = spin_lock_irqsave(&fs->lock);
	old = fs->fd[fd];
	fs->fd[fd] = f;
	set_cloexec(fs, fd, cloexec);
	spin_unlock_irqrestore(&fs->lock, irq);
	if (old)
		file_put(old);
	return fd;
}

int fd_get_cloexec(struct files *fs, int fd)
{
	return !!(fs->cloexec[fd / 64] & (1ULL << (fd % 64)));
}

void fd_set_cloexec(struct files *fs, int fd, bool on)
{
	unsigned long irq = spin_lock_irqsave(&fs->lock);

	set_cloexec(fs, fd, on);
	spin_unlock_irqrestore(&fs->lock, irq);
}
