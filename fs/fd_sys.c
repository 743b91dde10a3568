/* fs/fd_sys.c: the descriptor system calls: close, dup, dup2, dup3, fcntl, pipe, pipe2.
 * Thin wrappers over the descriptor table (fs/file.c) and pipes (ipc/pipe.c). */
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/proc.h>
#include <granary/syscall.h>
#include <granary/uaccess.h>
#include <uapi/fcntl.h>

static struct files *files(void)
{
	return proc_current()->files;
}

SYSCALL_DEFINE1(close, int, fd)
{
	return fd_close(files(), fd);
}

static long dup_from(int oldfd, int min, bool cloexec)
{
	struct file *f = fd_get(files(), oldfd);
	int fd;

	if (!f)
		return -EBADF;
	fd = fd_install(files(), f, min, cloexec);
	file_put(f);
	return fd;
}

SYSCALL_DEFINE1(dup, int, oldfd)
{
	return dup_from(oldfd, 0, false);
}

static long dup_to(int oldfd, int newfd, bool cloexec)
{
	struct file *f = fd_get(files(), oldfd);
	long r;

	if (!f)
		return -EBADF;
	r = fd_install_at(files(), f, newfd, cloexec);
	file_put(f);
	return r;
}

SYSCALL_DEFINE2(dup2, int, oldfd, int, newfd)
{
	if (oldfd == newfd) {
		struct file *f = fd_get(files(), oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return dup_to(oldfd, newfd, false);
}

SYSCALL_DEFINE3(dup3, int, oldfd, int, newfd, int, flags)
{
	if (oldfd == newfd || (flags & ~O_CLOEXEC))
		return -EINVAL;
	return dup_to(oldfd, newfd, flags & O_CLOEXEC);
}

SYSCALL_DEFINE3(fcntl, int, fd, int, cmd, unsigned long, arg)
{
	struct file *f = fd_get(files(), fd);
	long r = 0;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		r = (long)arg >= FILES_MAX ? -EINVAL : fd_install(files(), f, (int)arg, cmd == F_DUPFD_CLOEXEC);
		break;
	case F_GETFD:
		r = fd_get_cloexec(files(), fd) ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		fd_set_cloexec(files(), fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		r = f->flags;
		break;
	case F_SETFL:
		/* Only O_APPEND and O_NONBLOCK can change after open. */
		f->flags = (f->flags & ~(O_APPEND | O_NONBLOCK)) | (arg & (O_APPEND | O_NONBLOCK));
		break;
	default:
		r = -EINVAL;
	}
	file_put(f);
	return r;
}

SYSCALL_DEFINE2(pipe2, int __user *, ufds, int, flags)
{
	struct file *ends[2];
	int fds[2] = { -1, -1 }, err;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	err = pipe_create(ends, flags);
	if (err)
		return err;
	fds[0] = fd_install(files(), ends[0], 0, flags & O_CLOEXEC);
	if (fds[0] >= 0)
		fds[1] = fd_install(files(), ends[1], 0, flags & O_CLOEXEC);
	file_put(ends[0]);
	file_put(ends[1]);
	err = fds[1] < 0 ? -EMFILE : copy_to_user(ufds, fds, sizeof(fds));
	if (err) {
		if (fds[0] >= 0)
			fd_close(files(), fds[0]);
		if (fds[1] >= 0)
			fd_close(files(), fds[1]);
	}
	return err;
}

SYSCALL_DEFINE1(pipe, int __user *, ufds)
{
	return sys_pipe2((u64)ufds, 0, 0, 0, 0, 0);
}
