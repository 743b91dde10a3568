/* userland/lib/zenio.c: the Zen I/O calls on descriptors and paths (ioopen ... iomkdir), one Linux
 * system call each, errors as -errno. Not the directory readers: those are in zenio_dir.c. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <uapi/zenio.h>

#include "zenio_sys.h"

int ioopen(const char *path, int flags, ...)
{
	int perm = 0;

	/* Only then did the caller pass a mode; reading it otherwise would take stack garbage. */
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		va_list ap;

		va_start(ap, flags);
		perm = va_arg(ap, int);
		va_end(ap);
	}
	return (int)zenio_sys4(SYS_openat, AT_FDCWD, path, flags, perm);
}

int ioclose(int fd)
{
	return (int)zenio_sys1(SYS_close, fd);
}

off_t ioseek(int fd, off_t ofs, int whence)
{
	return zenio_sys3(SYS_lseek, fd, ofs, whence);
}

int ioread(int fd, void *buf, size_t size)
{
	if (size > ZENIO_RW_MAX)
		size = ZENIO_RW_MAX;
	return (int)zenio_sys3(SYS_read, fd, buf, size);
}

int iowrite(int fd, const void *buf, size_t size)
{
	if (size > ZENIO_RW_MAX)
		size = ZENIO_RW_MAX;
	return (int)zenio_sys3(SYS_write, fd, buf, size);
}

/*
 * Linux caps a vectored transfer at ZENIO_RW_MAX bytes on its own, but another kernel need not,
 * and a larger count would not fit the int. Refusing beforehand is the only safe answer: once
 * the bytes have moved, a truncated count would lie about them.
 */
static int iov_too_long(const struct iovec *iov, int iovcnt)
{
	size_t total = 0;

	if (iovcnt < 0 || iovcnt > IOV_MAX)
		return 0; /* the kernel's EINVAL, without touching iov */
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > ZENIO_RW_MAX - total)
			return 1;
		total += iov[i].iov_len;
	}
	return 0;
}

int ioreadv(int fd, const struct iovec *iov, int iovcnt)
{
	if (iov_too_long(iov, iovcnt))
		return -EINVAL;
	return (int)zenio_sys3(SYS_readv, fd, iov, iovcnt);
}

int iowritev(int fd, const struct iovec *iov, int iovcnt)
{
	if (iov_too_long(iov, iovcnt))
		return -EINVAL;
	return (int)zenio_sys3(SYS_writev, fd, iov, iovcnt);
}

int iopoll(int fd, struct iopollfd *fdset)
{
	struct pollfd pfd;
	long r;

	/* poll skips a negative descriptor and would just sleep out the timeout. */
	if (fd < 0)
		return -EBADF;
	pfd.fd = fd;
	pfd.events = fdset->events;
	pfd.revents = 0;
	r = zenio_sys3(SYS_poll, &pfd, 1, fdset->timeout);
	if (r < 0)
		return (int)r;
	if (r > 0 && (pfd.revents & POLLNVAL))
		return -EBADF;
	fdset->revents = r > 0 ? pfd.revents : 0;
	return r > 0;
}

int iochdir(const char *path)
{
	return (int)zenio_sys1(SYS_chdir, path);
}

int iochmod(const char *path, int perm)
{
	return (int)zenio_sys3(SYS_fchmodat, AT_FDCWD, path, perm);
}

int iorename(const char *path, const char *dest)
{
	return (int)zenio_sys4(SYS_renameat, AT_FDCWD, path, AT_FDCWD, dest);
}

int iosymlink(const char *path, const char *link)
{
	return (int)zenio_sys3(SYS_symlinkat, path, AT_FDCWD, link);
}

int iounlink(const char *path)
{
	long r = zenio_sys3(SYS_unlinkat, AT_FDCWD, path, 0);

	if (r == -EISDIR)
		r = zenio_sys3(SYS_unlinkat, AT_FDCWD, path, AT_REMOVEDIR);
	return (int)r;
}

int zenio_ioctl(int fd, int req, ...)
{
	va_list ap;
	void *arg;

	/* Every request takes at most one argument; when the caller passed none, this reads a
	 * register the kernel then ignores, as POSIX's ioctl does. */
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	/* The kernel's request is an unsigned int: a request with the top bit set (most _IOR
	 * ones) must not be sign-extended into the upper half of the register. */
	return (int)zenio_sys3(SYS_ioctl, fd, (unsigned int)req, arg);
}

int iomkdir(const char *path, int perm)
{
	return (int)zenio_sys3(SYS_mkdirat, AT_FDCWD, path, perm);
}
