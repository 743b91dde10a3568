/* fs/read_write.c: read, write, writev and ioctl: descriptor lookup, then the file's ops.
 * Vectors are copied in and checked whole before any byte moves. */
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/proc.h>
#include <granary/syscall.h>

#define IOV_MAX 1024

struct iovec {
	u64 base, len;
};

static struct file *get(int fd)
{
	struct process *p = proc_current();

	return p ? fd_get(p->files, fd) : NULL;
}

SYSCALL_DEFINE3(read, int, fd, char __user *, buf, size_t, n)
{
	struct file *f = get(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = f->ops->read ? f->ops->read(f, buf, n) : -EINVAL;
	file_put(f);
	return ret;
}

SYSCALL_DEFINE3(write, int, fd, const char __user *, buf, size_t, n)
{
	struct file *f = get(fd);
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
	f = get(fd);
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
