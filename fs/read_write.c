/* fs/read_write.c: read, write, writev and ioctl: descriptor lookup, then the file's ops.
 * Vectors are copied in and checked whole before any byte moves. */
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/proc.h>
#include <granary/string.h>
#include <granary/syscall.h>
#include <granary/slab.h>
#include <granary/sched.h>
#include <granary/vfs.h>
#include <uapi/fcntl.h>

#define IOV_MAX 1024

struct iovec {
	u64 base, len;
};

static struct file *get(int fd)
{
	struct process *p = proc_current();

	return p ? fd_get(p->files, fd) : NULL;
}

/* The file at fd if it was opened for reading (want O_RDONLY) or writing (O_WRONLY). */
static struct file *get_for(int fd, unsigned want)
{
	struct file *f = get(fd);
	unsigned mode = f ? f->flags & O_ACCMODE : 0;

	if (f && ((mode != O_RDWR && mode != want) || (f->flags & O_PATH))) {
		file_put(f);
		return NULL;
	}
	return f;
}

SYSCALL_DEFINE3(read, int, fd, char __user *, buf, size_t, n)
{
	struct file *f = get_for(fd, O_RDONLY);
	long ret;

	if (!f)
		return -EBADF;
	ret = f->ops->read ? f->ops->read(f, buf, n) : -EINVAL;
	file_put(f);
	return ret;
}

SYSCALL_DEFINE3(write, int, fd, const char __user *, buf, size_t, n)
{
	struct file *f = get_for(fd, O_WRONLY);
	long ret;

	if (!f)
		return -EBADF;
	ret = f->ops->write ? f->ops->write(f, buf, n) : -EINVAL;
	file_put(f);
	return ret;
}

SYSCALL_DEFINE3(writev, int, fd, const struct iovec __user *, uiov, int, cnt)
{
	struct iovec iov[16];
	struct file *f;
	long total = 0;

	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	f = get_for(fd, O_WRONLY);
	if (!f)
		return -EBADF;
	if (!f->ops->write) {
		file_put(f);
		return -EINVAL;
	}
	/* In chunks of 16 vectors; a short write ends the call as POSIX allows. */
	for (int done = 0; done < cnt;) {
		int k = cnt - done < 16 ? cnt - done : 16;
		if (copy_from_user(iov, uiov + done, k * sizeof(iov[0]))) {
			total = total ? total : -EFAULT;
			break;
		}
		for (int i = 0; i < k; i++) {
			long r;
			if (!iov[i].len)
				continue;
			r = f->ops->write(f, (const char __user *)iov[i].base, iov[i].len);
			if (r < 0) {
				total = total ? total : r;
				goto out;
			}
			total += r;
			if ((u64)r < iov[i].len)
				goto out;
		}
		done += k;
	}
out:
	file_put(f);
	return total;
}

SYSCALL_DEFINE3(ioctl, int, fd, unsigned, cmd, unsigned long, arg)
{
	struct file *f = get(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = f->ops->ioctl ? f->ops->ioctl(f, cmd, arg) : -ENOTTY;
	file_put(f);
	return ret;
}

SYSCALL_DEFINE3(readv, int, fd, const struct iovec __user *, uiov, int, cnt)
{
	struct iovec iov;
	struct file *f;
	long total = 0;

	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	f = get_for(fd, O_RDONLY);
	if (!f)
		return -EBADF;
	for (int i = 0; i < cnt; i++) {
		long r;
		if (copy_from_user(&iov, uiov + i, sizeof(iov))) {
			total = total ? total : -EFAULT;
			break;
		}
		if (!iov.len)
			continue;
		r = f->ops->read ? f->ops->read(f, (char __user *)iov.base, iov.len) : -EINVAL;
		if (r < 0) {
			total = total ? total : r;
			break;
		}
		total += r;
		if ((u64)r < iov.len)
			break; /* a short read ends it */
	}
	file_put(f);
	return total;
}

static long positioned(int fd, void __user *buf, size_t n, s64 off, bool write)
{
	struct file *f = get_for(fd, write ? O_WRONLY : O_RDONLY);
	long ret;

	if (!f)
		return -EBADF;
	if (write ? !f->ops->pwrite : !f->ops->pread)
		ret = -ESPIPE;
	else if (off < 0)
		ret = -EINVAL;
	else
		ret = write ? f->ops->pwrite(f, buf, n, (u64)off) : f->ops->pread(f, buf, n, (u64)off);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE4(pread64, int, fd, char __user *, buf, size_t, n, s64, off) { return positioned(fd, buf, n, off, false); }
SYSCALL_DEFINE4(pwrite64, int, fd, const char __user *, buf, size_t, n, s64, off) { return positioned(fd, (void __user *)buf, n, off, true); }

SYSCALL_DEFINE3(lseek, int, fd, s64, off, int, whence)
{
	struct file *f = get(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = (f->flags & O_PATH) ? -EBADF : f->ops->llseek ? f->ops->llseek(f, off, whence) : -ESPIPE;
	file_put(f);
	return ret;
}

SYSCALL_DEFINE2(fstat, int, fd, struct kstat __user *, st)
{
	struct file *f = get(fd);
	struct kstat k;

	if (!f)
		return -EBADF;
	if (f->inode) {
		inode_stat(f->inode, &k);
	} else {
		/* Anonymous files (pipes): what their ops say. */
		memset(&k, 0, sizeof(k));
		k.mode = f->ops->ifmt | 0600;
		k.rdev = f->ops->rdev;
		k.nlink = 1;
		k.ino = (u64)f >> 4; /* unique while the file is open */
		k.blksize = 4096;
	}
	if (f->ops->stat)
		f->ops->stat(f, &k);
	file_put(f);
	return copy_to_user(st, &k, sizeof(k)) ? -EFAULT : 0;
}

/* Runs a file's read or write op on a kernel buffer: the user-copy routines accept exactly
 * [buf, buf + n) for the length of the call. */
static long kernel_io(struct file *f, void *buf, size_t n, bool write)
{
	struct task *t = current_task();
	long r;

	t->uwin_start = (unsigned long)buf;
	t->uwin_len = n;
	r = write ? f->ops->write(f, buf, n) : f->ops->read(f, buf, n);
	t->uwin_start = t->uwin_len = 0;
	return r;
}

/* pread through f's ops into a kernel buffer (the same window). */
static long kernel_pread(struct file *f, void *buf, size_t n, u64 pos)
{
	struct task *t = current_task();
	long r;

	t->uwin_start = (unsigned long)buf;
	t->uwin_len = n;
	r = f->ops->pread(f, buf, n, pos);
	t->uwin_start = t->uwin_len = 0;
	return r;
}

long kernel_read(struct file *f, void *buf, size_t n)
{
	return f->ops->read ? kernel_io(f, buf, n, false) : -EINVAL;
}

long kernel_write(struct file *f, const void *buf, size_t n)
{
	return f->ops->write ? kernel_io(f, (void *)buf, n, true) : -EINVAL;
}

/* Copies from a file that can pread (regular files, procfs, block devices) to any writable file,
 * through a kernel page. */
SYSCALL_DEFINE4(sendfile, int, out_fd, int, in_fd, s64 __user *, uoff, size_t, count)
{
	struct file *in = get_for(in_fd, O_RDONLY), *out = get_for(out_fd, O_WRONLY);
	char *page = kmalloc(4096, 0);
	size_t done = 0;
	s64 off = 0;
	long ret = 0;

	if (!in || !out || !page) {
		ret = !page ? -ENOMEM : -EBADF;
		goto out;
	}
	if (!in->ops->pread || !out->ops->write) {
		ret = -EINVAL;
		goto out;
	}
	if (uoff && copy_from_user(&off, uoff, sizeof(off))) {
		ret = -EFAULT;
		goto out;
	}
	if (!uoff)
		off = (s64)in->pos;
	if (off < 0) {
		ret = -EINVAL;
		goto out;
	}
	while (done < count) {
		size_t k = count - done < 4096 ? count - done : 4096;
		long r = kernel_pread(in, page, k, (u64)off), w;
		if (r <= 0) {
			ret = r;
			break;
		}
		w = kernel_write(out, page, (size_t)r);
		if (w < 0) {
			ret = w;
			break;
		}
		done += (size_t)w;
		off += w;
		if (w < r)
			break;
	}
	if (done || !ret) {
		ret = (long)done;
		if (uoff && copy_to_user(uoff, &off, sizeof(off)))
			ret = -EFAULT;
		else if (!uoff)
			in->pos = (u64)off;
	}
out:
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	kfree(page);
	return ret;
}
