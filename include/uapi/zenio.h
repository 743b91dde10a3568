/* include/uapi/zenio.h: libgranary's Zen I/O interface (io*): files, directories, polling.
 * User space only (musl); no kernel ABI here: every call is a Linux system call. See docs/libgranary.md. */
#ifndef UAPI_ZENIO_H
#define UAPI_ZENIO_H

#if __STDC_HOSTED__ && !defined(HOST_TEST) /* ---- libgranary, user space only */

/*
 * <sys/ioctl.h> comes first, on purpose: it declares POSIX's ioctl() before the ioctl() macro
 * below exists, and its include guard makes any later #include of it a no-op. It also gives
 * the request numbers (TIOCGWINSZ, FIONREAD, ...) that Zen's ioctl takes.
 */
#include <sys/ioctl.h>

#include <dirent.h>
#include <errno.h> /* the E* values the calls return negated */
#include <fcntl.h>
#include <poll.h>
#include <sys/types.h>
#include <sys/uio.h>

/*
 * Conventions, for every call below:
 * - Errors are returned as negative errno values (-ENOENT, -EBADF, ...), never through errno;
 *   a call that succeeds leaves errno alone. (The task* calls in <uapi/granary.h> keep POSIX's
 *   -1 and errno instead: they wrap musl's pthreads, which report that way.) The exception is
 *   ioreaddir, which returns a pointer: see there.
 * - Flags, modes, whence values and poll events are Linux's (O_*, S_I*, SEEK_*, POLL*).
 * - Paths are relative to the working directory (the *at calls with AT_FDCWD underneath).
 * - Each call is the one system call named in its comment (two for iounlink), made directly,
 *   so what a test sees is what the kernel returned.
 */

/* Opens path (openat) with O_* flags; perm (the mode) is read only with O_CREAT or O_TMPFILE.
 * Returns the new descriptor, or -ENOENT, -EEXIST (O_CREAT|O_EXCL), -EISDIR, -ENOTDIR,
 * -EACCES, -EROFS, -EMFILE, ... */
int ioopen(const char *path, int flags, ... /* int perm */);

/* Closes fd (close); 0, or -EBADF when fd is not open. */
int ioclose(int fd);

/* Moves fd's offset (lseek) and returns the new one, or -EBADF, -EINVAL (bad whence or a
 * negative result), -ESPIPE (a pipe or terminal). */
off_t ioseek(int fd, off_t ofs, int whence);

/* Reads up to size bytes (read); the count (0 at end of file), or -EBADF (not open for
 * reading), -EISDIR, -EFAULT, -EINTR, -EAGAIN. At most ZENIO_RW_MAX bytes move per call,
 * Linux's own limit, so that the count always fits the int. */
int ioread(int fd, void *buf, size_t size);

/* Writes up to size bytes (write); the count, or -EBADF (not open for writing), -EFAULT,
 * -EPIPE, -ENOSPC, -EINTR, -EAGAIN. Also at most ZENIO_RW_MAX bytes per call. Zen's prototype
 * had a non-const buf; iowrite never changes it. */
int iowrite(int fd, const void *buf, size_t size);

#define ZENIO_RW_MAX 0x7ffff000

/* Scatter read and gather write (readv, writev): the byte count, or the errors of ioread and
 * iowrite, -EINVAL for iovcnt outside 0..IOV_MAX, and -EINVAL when the lengths add up to more
 * than ZENIO_RW_MAX (the count could not be returned; Linux would move a short count). The
 * iovec array is read before the call, so it must be valid memory. */
int ioreadv(int fd, const struct iovec *iov, int iovcnt);
int iowritev(int fd, const struct iovec *iov, int iovcnt);

/*
 * Zen's iopoll(fd, fdset) left "fdset" open. In libgranary it is what to wait for on the one
 * descriptor fd, and how long; poll(2) itself remains for sets of descriptors.
 */
struct iopollfd {
	short events;  /* in: POLLIN, POLLOUT, POLLPRI ... */
	short revents; /* out: the events that are ready, plus POLLERR and POLLHUP (always wanted) */
	int timeout;   /* in: milliseconds to wait; -1 waits without limit, 0 only looks */
};

/* Waits until fd has one of fdset->events, or fdset->timeout ms pass (poll). Returns 1 with
 * fdset->revents set, or 0 on timeout (revents 0); -EBADF when fd is negative or not open
 * (poll's POLLNVAL), -EINTR (a signal handler ran), -EFAULT. The timeout is not restarted. */
int iopoll(int fd, struct iopollfd *fdset);

/* Makes path the working directory (chdir); 0, or -ENOENT, -ENOTDIR, -EACCES. */
int iochdir(const char *path);

/* Sets path's permission bits, following symbolic links (fchmodat); 0, or -ENOENT, -EPERM
 * (not the owner), -EROFS. */
int iochmod(const char *path, int perm);

/* Renames path to dest, replacing dest if it exists (renameat); 0, or -ENOENT, -EXDEV,
 * -EISDIR, -ENOTDIR, -ENOTEMPTY, -EINVAL (a directory into itself). */
int iorename(const char *path, const char *dest);

/* Creates the symbolic link `link` whose contents are `path` (symlinkat), in the order of
 * symlink(2): the target first. path need not exist. 0, or -EEXIST, -ENOENT (link's
 * directory is missing), -EROFS. */
int iosymlink(const char *path, const char *link);

/* Removes the name path (unlinkat). Zen has no rmdir, so when path is a directory (the
 * first call gives EISDIR) it is removed as one (unlinkat with AT_REMOVEDIR) if empty.
 * 0, or -ENOENT, -ENOTEMPTY, -EBUSY, -EROFS. Symbolic links are removed, not followed. */
int iounlink(const char *path);

/*
 * Zen's ioctl has POSIX's name and prototype, but reports errors as -errno like the rest of
 * this interface. libgranary never defines a function called ioctl: musl's own isatty,
 * tcgetattr ... call that symbol and must keep POSIX's -1/errno. So the call is zenio_ioctl,
 * and a file that includes this header gets the Zen name as a function-like macro; that file
 * can still reach POSIX's ioctl as (ioctl)(fd, req, arg), which the macro does not expand.
 * <uapi/granary.h> deliberately does not include this header, so that including it is the
 * choice that turns ioctl into the Zen call.
 */
/* Device control (ioctl) with one optional argument: ioctl's result (0 for most requests),
 * or -EBADF, -ENOTTY (fd does not take request req), -EINVAL, -EFAULT. */
int zenio_ioctl(int fd, int req, ... /* void *arg */);
#define ioctl(...) zenio_ioctl(__VA_ARGS__)

/* Makes directory path with permissions perm less the umask (mkdirat); 0, or -EEXIST,
 * -ENOENT (a missing parent), -ENOTDIR, -EROFS. */
int iomkdir(const char *path, int perm);

/*
 * Directories. Zen's DIR is libgranary's own IODIR (the name DIR is musl's, in <dirent.h>),
 * read with getdents64 into a buffer of its own; entries are musl's struct dirent, with
 * "." and ".." included as the kernel reports them. Zen had no call to open one: ioopendir
 * is added.
 */
typedef struct iodir IODIR;

/* Opens directory path (openat with O_DIRECTORY) and stores the handle in *dirp: 0, or
 * -ENOENT, -ENOTDIR, -EACCES, -EMFILE, -ENOMEM. *dirp is untouched on error. */
int ioopendir(const char *path, IODIR **dirp);

/* The next entry, or NULL at the end of the directory and on error. As a pointer cannot
 * carry -errno, an error sets errno (EBADF: dir is NULL; EIO: the kernel returned a malformed
 * record; getdents64's own errors), and the end leaves errno unchanged, as readdir does.
 * The entry is dir's own: the next ioreaddir or ioclosedir overwrites it. */
struct dirent *ioreaddir(IODIR *dir);

/* Reads all of directory path: each entry for which filter (when not NULL) returns nonzero
 * is copied into its own malloc'd struct dirent, the pointers into a malloc'd array in
 * *list, sorted with cmp when it is not NULL (alphasort orders by name). Returns the number
 * of entries; the caller frees each one and then the array. On error (-ENOENT, -ENOTDIR,
 * -ENOMEM, -EIO ...) nothing is left allocated and *list is untouched. */
int ioscandir(const char *path, struct dirent ***list, int (*filter)(const struct dirent *entry),
	      int (*cmp)(const struct dirent **entry1, const struct dirent **entry2));

/* Closes dir and frees it (close); 0, or -EBADF (dir is NULL). The handle is gone either way. */
int ioclosedir(IODIR *dir);

#endif /* __STDC_HOSTED__ && !HOST_TEST */

#endif
