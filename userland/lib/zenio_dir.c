/* userland/lib/zenio_dir.c: the Zen directory calls (ioopendir, ioreaddir, ioscandir, ioclosedir)
 * read straight from getdents64 into IODIR's own buffer. Not musl's opendir/readdir. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uapi/zenio.h>

#include "zenio_sys.h"

/* Small enough that a directory of a hundred short names takes several getdents64 calls
 * (the kernel's resume offset gets exercised), large enough for the longest record. */
#define IODIR_BUF 2048

/* The fixed head of a getdents64 record (struct linux_dirent64), before the name. */
#define DIRENT_HEAD offsetof(struct dirent, d_name)

struct iodir {
	int fd;
	size_t pos;	   /* next record in buf */
	size_t len;	   /* bytes of buf the last getdents64 filled */
	struct dirent ent; /* what ioreaddir returned last: a checked copy, not a pointer into buf */
	_Alignas(8) char buf[IODIR_BUF];
};

int ioopendir(const char *path, IODIR **dirp)
{
	IODIR *dir;
	long fd;

	fd = zenio_sys4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return (int)fd;
	dir = malloc(sizeof(*dir));
	if (!dir)
		goto out_close;
	dir->fd = (int)fd;
	dir->pos = dir->len = 0;
	*dirp = dir;
	return 0;

out_close:
	zenio_sys1(SYS_close, fd);
	return -ENOMEM;
}

/*
 * Copies the record at dir->pos into dir->ent after checking it: the buffer holds what the
 * kernel wrote, and a kernel under test may get the length or the terminator wrong. Returns 0,
 * or -EIO for a record that does not fit or whose name is not terminated inside it.
 */
static int iodir_take(IODIR *dir)
{
	const char *rec = dir->buf + dir->pos, *name = rec + DIRENT_HEAD;
	size_t left = dir->len - dir->pos, namemax;
	unsigned short reclen;

	if (left < DIRENT_HEAD + 1)
		return -EIO;
	memcpy(&reclen, rec + offsetof(struct dirent, d_reclen), sizeof(reclen));
	if (reclen < DIRENT_HEAD + 1 || reclen > left)
		return -EIO;
	namemax = reclen - DIRENT_HEAD;
	if (namemax > sizeof(dir->ent.d_name))
		namemax = sizeof(dir->ent.d_name);
	if (!memchr(name, '\0', namemax))
		return -EIO;
	memcpy(&dir->ent.d_ino, rec + offsetof(struct dirent, d_ino), sizeof(dir->ent.d_ino));
	memcpy(&dir->ent.d_off, rec + offsetof(struct dirent, d_off), sizeof(dir->ent.d_off));
	dir->ent.d_reclen = reclen;
	dir->ent.d_type = (unsigned char)rec[offsetof(struct dirent, d_type)];
	strcpy(dir->ent.d_name, name);
	dir->pos += reclen;
	return 0;
}

struct dirent *ioreaddir(IODIR *dir)
{
	long n;
	int err;

	if (!dir) {
		errno = EBADF;
		return NULL;
	}
	if (dir->pos >= dir->len) {
		n = zenio_sys3(SYS_getdents64, dir->fd, dir->buf, sizeof(dir->buf));
		if (n < 0) {
			errno = (int)-n;
			return NULL;
		}
		if (n > (long)sizeof(dir->buf)) {
			errno = EIO;
			return NULL;
		}
		dir->pos = 0;
		dir->len = (size_t)n;
		if (n == 0)
			return NULL;
	}
	err = iodir_take(dir);
	if (err) {
		dir->pos = dir->len; /* the rest of this buffer cannot be trusted */
		errno = -err;
		return NULL;
	}
	return &dir->ent;
}

int ioclosedir(IODIR *dir)
{
	long r;

	if (!dir)
		return -EBADF;
	r = zenio_sys1(SYS_close, dir->fd);
	free(dir);
	return (int)r;
}

/* qsort_r passes one context pointer: it carries the caller's comparison. */
struct scan_order {
	int (*cmp)(const struct dirent **, const struct dirent **);
};

static int scan_cmp(const void *a, const void *b, void *ctx)
{
	const struct scan_order *order = ctx;

	return order->cmp((const struct dirent **)a, (const struct dirent **)b);
}

static void scan_free(struct dirent **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

int ioscandir(const char *path, struct dirent ***list, int (*filter)(const struct dirent *entry),
	      int (*cmp)(const struct dirent **entry1, const struct dirent **entry2))
{
	struct dirent **v = NULL, **bigger, *ent, *copy;
	size_t n = 0, cap = 0;
	IODIR *dir = NULL;
	int err, saved = errno;

	err = ioopendir(path, &dir);
	if (err)
		return err;
	for (;;) {
		errno = 0;
		ent = ioreaddir(dir);
		if (!ent) {
			err = -errno;
			if (err)
				goto out_free;
			break;
		}
		if (filter && !filter(ent))
			continue;
		if (n == cap) {
			/* The count is returned as an int. */
			if (cap >= INT32_MAX / 2) {
				err = -EOVERFLOW;
				goto out_free;
			}
			cap = cap ? cap * 2 : 16;
			bigger = realloc(v, cap * sizeof(*v));
			if (!bigger) {
				err = -ENOMEM;
				goto out_free;
			}
			v = bigger;
		}
		/* A whole struct dirent, whatever the name's length: callers may copy it by value. */
		copy = malloc(sizeof(*copy));
		if (!copy) {
			err = -ENOMEM;
			goto out_free;
		}
		memcpy(copy, ent, sizeof(*copy));
		v[n++] = copy;
	}
	/* An empty directory (after filtering) still gets an array, so *list is never NULL. */
	if (!v) {
		v = malloc(sizeof(*v));
		if (!v) {
			err = -ENOMEM;
			goto out_free;
		}
	}
	ioclosedir(dir);
	if (cmp && n > 1) {
		struct scan_order order = { cmp };

		qsort_r(v, n, sizeof(*v), scan_cmp, &order);
	}
	errno = saved;
	*list = v;
	return (int)n;

out_free:
	scan_free(v, n);
	ioclosedir(dir);
	errno = saved;
	return err;
}
