/* userland/tests/scratch.h: helpers the file-system tests share (header-only, after tap.h): a
 * scratch directory under /tmp and its removal, whole-file reads, and checks run in a child.
 * Not a file-system library: each helper does one plain thing the tests would otherwise repeat. */
#ifndef SCRATCH_H
#define SCRATCH_H

#include "tap.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

static char scratch_dir[64];

/* Makes a fresh directory /tmp/granary-XXXXXX (mode 0755, so that children that drop root can
 * search it) and returns its name, or NULL with a diagnostic. */
static inline const char *scratch_make(void)
{
	snprintf(scratch_dir, sizeof(scratch_dir), "/tmp/granary-XXXXXX");
	if (!mkdtemp(scratch_dir)) {
		tap_diag("mkdtemp(/tmp/granary-XXXXXX): %s", strerror(errno));
		return NULL;
	}
	if (chmod(scratch_dir, 0755))
		tap_diag("chmod(%s, 0755): %s", scratch_dir, strerror(errno));
	return scratch_dir;
}

/* Removes everything under the directory dfd refers to (not the directory itself); closes dfd.
 * Returns the number of entries it could not remove. */
static inline int scratch_empty_fd(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int left = 0;

	if (!d) {
		close(dfd);
		return 1;
	}
	while ((e = readdir(d))) {
		struct stat st;
		int sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			left++;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			/* A test may have left it unsearchable. */
			fchmodat(dfd, e->d_name, 0700, 0);
			sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			if (sub >= 0)
				left += scratch_empty_fd(sub);
			if (unlinkat(dfd, e->d_name, AT_REMOVEDIR))
				left++;
		} else if (unlinkat(dfd, e->d_name, 0)) {
			left++;
		}
	}
	closedir(d);
	return left;
}

/* Removes path and everything under it; a diagnostic says what was left. Returns 0 on success. */
static inline int scratch_remove(const char *path)
{
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW), left;

	if (dfd < 0) {
		tap_diag("cleanup: open(%s): %s", path, strerror(errno));
		return -1;
	}
	left = scratch_empty_fd(dfd);
	if (rmdir(path)) {
		tap_diag("cleanup: rmdir(%s): %s (%d entries left)", path, strerror(errno), left);
		return -1;
	}
	return 0;
}

/* Writes len bytes of data to path, opened O_WRONLY | O_CREAT | flags (mode 0644) in one write.
 * 0 or -1. */
static inline int scratch_write(const char *path, const void *data, size_t len, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* Writes len bytes of data to a new file path (created or truncated, mode 0644). 0 or -1. */
static inline int scratch_put(const char *path, const void *data, size_t len)
{
	return scratch_write(path, data, len, O_TRUNC);
}

/* Entries in directory dir other than "." and "..", or -1. */
static inline int scratch_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* Reads up to size - 1 bytes of path into buf, NUL-terminated. Returns the count, or -1. */
static inline ssize_t scratch_get(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t got = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -1;
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return n < 0 ? -1 : (ssize_t)got;
}

/* What a call's failure left in errno: 0 if it succeeded (returned anything but -1). */
#define SCRATCH_ERR(call) (errno = 0, (long)(call) == -1 ? errno : 0)

#define CHILD_MAX 32

/*
 * Runs fn(res, arg) in a child: fn stores up to CHILD_MAX results (usually SCRATCH_ERR() of a
 * call) in res[] and returns their count; the child sends them to the parent through a pipe.
 * Returns how many results arrived (-1 if the child could not be run or died), so that the
 * parent prints one TAP line per result. The child's exit status is not a result.
 */
static inline int child_results(int (*fn)(int *res, void *arg), void *arg, int *res)
{
	int p[2], n = -1, st;
	ssize_t got;
	pid_t pid;

	if (pipe(p)) {
		tap_diag("pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		int out[CHILD_MAX + 1];

		close(p[0]);
		out[0] = fn(out + 1, arg);
		if (out[0] < 0 || out[0] > CHILD_MAX)
			out[0] = 0;
		_exit(write(p[1], out, sizeof(int) * (size_t)(out[0] + 1)) > 0 ? 0 : 1);
	}
	close(p[1]);
	if (pid < 0) {
		tap_diag("fork: %s", strerror(errno));
		close(p[0]);
		return -1;
	}
	{
		int in[CHILD_MAX + 1];
		size_t have = 0;

		while (have < sizeof(in) && (got = read(p[0], (char *)in + have,
							   sizeof(in) - have)) > 0)
			have += (size_t)got;
		if (have >= sizeof(int) && in[0] >= 0 && in[0] <= CHILD_MAX &&
		    have == sizeof(int) * (size_t)(in[0] + 1)) {
			n = in[0];
			memcpy(res, in + 1, sizeof(int) * (size_t)n);
		}
	}
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (n < 0)
		tap_diag("the checking child sent no results");
	return n;
}

/* One TAP line for result i of a child: it must be want (an errno, or 0 for success). */
static inline void child_expect(int n, const int *res, int i, int want, const char *desc)
{
	if (i >= n) {
		tap_blocked("%s", desc);
		return;
	}
	if (!tap_ok(res[i] == want, "%s", desc))
		tap_diag("the call gave %s (%d); expected %s (%d)",
			 res[i] ? tap_errname(res[i]) : "success", res[i],
			 want ? tap_errname(want) : "success", want);
}

#endif
