/* fs/read_write.c: read, write, writev and ioctl: descriptor lookup, then the file's ops.
 * Vectors are copied in and checked whole before any byte moves. */
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/proc.h>
#include <granary/string.h>
#include <granary/syscall.h>
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

	if (f && mode != O_RDWR && mode != want) {
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

/* Pipes and the console have no file position; seekable files arrive with the VFS. */
static long no_position(int fd)
{
	struct file *f = get(fd);

	if (!f)
		return -EBADF;
	file_put(f);
	return -ESPIPE;
}

SYSCALL_DEFINE3(lseek, int, fd, s64, off, int, whence) { return no_position(fd); }
SYSCALL_DEFINE4(pread64, int, fd, char __user *, buf, size_t, n, s64, off) { return no_position(fd); }
SYSCALL_DEFINE4(pwrite64, int, fd, const char __user *, buf, size_t, n, s64, off) { return no_position(fd); }


SYSCALL_DEFINE2(fstat, int, fd, struct kstat __user *, st)
{
	struct file *f = get(fd);
	struct kstat k;

	if (!f)
		return -EBADF;
	memset(&k, 0, sizeof(k));
	k.mode = f->ops->ifmt | 0600;
	k.rdev = f->ops->rdev;
	k.nlink = 1;
	k.ino = (u64)f >> 4; /* unique while the file is open */
	k.blksize = 4096;
	if (f->ops->stat)
		f->ops->stat(f, &k);
	file_put(f);
	return copy_to_user(st, &k, sizeof(k));
}
