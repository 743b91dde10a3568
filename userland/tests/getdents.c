/* userland/tests/getdents.c: directory listings through the raw getdents64 call: a directory of
 * 1000 entries read 1 KiB at a time (every name once, with its d_type and d_ino), rewinding,
 * resuming at a d_off, deletions during a listing, and the errors. Runs in a scratch directory.
 * Not about readdir(3)'s buffering: the calls are made directly. */
#include "scratch.h"

#include <stdint.h>
#include <sys/syscall.h>

#define ENTRIES 1000

struct dirent64_raw {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static long sys_getdents64(int fd, void *buf, size_t size)
{
	return syscall(SYS_getdents64, fd, buf, size);
}

/* Entry i is e0000..e0999: every tenth a directory, the next a symlink, the rest files. */
static unsigned char want_type(int i)
{
	return i % 10 == 0 ? DT_DIR : i % 10 == 1 ? DT_LNK : DT_REG;
}

/* What a listing saw. */
struct listing {
	int seen[ENTRIES]; /* times each entry was returned */
	int dot, dotdot, others, calls, entries;
	int bad_type, bad_ino, bad_reclen, bad_size;
	int64_t off_of[ENTRIES]; /* d_off of each entry as returned */
	int order[ENTRIES + 2];	 /* entry indices in the order returned (-1: "." or "..") */
};

/* The index of name eNNNN, or -1. */
static int index_of(const char *name)
{
	char *end;
	long i;

	if (name[0] != 'e' || strlen(name) != 5)
		return -1;
	i = strtol(name + 1, &end, 10);
	return *end || i < 0 || i >= ENTRIES ? -1 : (int)i;
}

/*
 * Reads entries from fd with a bufsize-byte buffer, at most max_calls calls (0: to the end),
 * into l. Returns 0 at the end of the directory, 1 if max_calls ran out, -errno on an error.
 */
static int list(int fd, size_t bufsize, int max_calls, struct listing *l)
{
	static char buf[65536] __attribute__((aligned(8)));
	long n;

	for (int call = 0; max_calls == 0 || call < max_calls; call++) {
		n = sys_getdents64(fd, buf, bufsize);
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		l->calls++;
		if ((size_t)n > bufsize)
			l->bad_size++;
		for (long pos = 0; pos < n;) {
			struct dirent64_raw *d = (void *)(buf + pos);
			size_t len = strnlen(d->d_name, (size_t)(n - pos));
			struct stat st;
			int i;

			if (d->d_reclen % 8 || d->d_reclen < 20 + len || pos + d->d_reclen > n) {
				l->bad_reclen++;
				break;
			}
			pos += d->d_reclen;
			i = index_of(d->d_name);
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) {
				l->dot += d->d_name[1] == '\0';
				l->dotdot += d->d_name[1] == '.';
				if (d->d_type != DT_DIR)
					l->bad_type++;
				l->order[l->entries++] = -1;
				continue;
			}
			if (i < 0) {
				l->others++;
				continue;
			}
			l->seen[i]++;
			l->off_of[i] = d->d_off;
			if (l->entries < ENTRIES + 2)
				l->order[l->entries++] = i;
			if (d->d_type != want_type(i))
				l->bad_type++;
			if (fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
			    st.st_ino != d->d_ino)
				l->bad_ino++;
		}
	}
	return 1;
}

/* Entries returned other than once, among those in [0, ENTRIES) with keep[i] set (all if NULL). */
static int not_once(const struct listing *l, const char *keep)
{
	int bad = 0;

	for (int i = 0; i < ENTRIES; i++)
		bad += (!keep || keep[i]) && l->seen[i] != 1;
	return bad;
}

static int make_entries(int dfd)
{
	char name[8];
	int fd;

	for (int i = 0; i < ENTRIES; i++) {
		snprintf(name, sizeof(name), "e%04d", i);
		if (want_type(i) == DT_DIR) {
			if (mkdirat(dfd, name, 0755))
				return -1;
		} else if (want_type(i) == DT_LNK) {
			if (symlinkat("target", dfd, name))
				return -1;
		} else {
			fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
			if (fd < 0)
				return -1;
			close(fd);
		}
	}
	return 0;
}

static int remove_entry(int dfd, int i)
{
	char name[8];

	snprintf(name, sizeof(name), "e%04d", i);
	return unlinkat(dfd, name, want_type(i) == DT_DIR ? AT_REMOVEDIR : 0);
}

int main(int argc, char **argv)
{
	static struct listing l, l2;
	static char deleted[ENTRIES], kept[ENTRIES];
	char buf[512] __attribute__((aligned(8)));
	const char *dir;
	int dfd, fd, r, ndel, nseen, at, k;

	(void)argc;
	tap_init(argv, 34);
	dir = scratch_make();
	if (!tap_ok(dir && chdir(dir) == 0 && mkdir("big", 0755) == 0 && mkdir("empty", 0755) == 0,
		    "a scratch directory with subdirectories big and empty (%s)", dir ? dir : "?"))
		return tap_done() | 1;

	fd = open("empty", O_RDONLY | O_DIRECTORY);
	r = list(fd, 1024, 0, &l);
	tap_ok(r == 0 && l.dot == 1 && l.dotdot == 1 && l.entries == 2 && l.others == 0,
	       "an empty directory lists exactly \".\" and \"..\"");
	TAP_EQ(sys_getdents64(fd, buf, sizeof(buf)), 0, "at its end getdents64 keeps returning 0");
	close(fd);

	dfd = open("big", O_RDONLY | O_DIRECTORY);
	if (!tap_ok(dfd >= 0 && make_entries(dfd) == 0,
		    "1000 entries made in big: 800 files, 100 directories, 100 symlinks")) {
		tap_diag("making them: %s", strerror(errno));
		return tap_done() | 1;
	}
	memset(&l, 0, sizeof(l));
	r = list(dfd, 1024, 0, &l);
	TAP_EQ(r, 0, "a listing with a 1 KiB buffer reaches the end without an error");
	tap_ok(l.calls >= 24, "it takes many calls (%d)", l.calls);
	TAP_EQ(l.bad_size, 0, "no call returns more than the buffer size");
	TAP_EQ(l.bad_reclen, 0, "every d_reclen is a multiple of 8 that holds its name");
	TAP_EQ(not_once(&l, NULL), 0, "each of the 1000 names is returned exactly once");
	TAP_EQ(l.others, 0, "no other names are returned");
	tap_ok(l.dot == 1 && l.dotdot == 1, "\".\" and \"..\" are returned once each");
	TAP_EQ(l.bad_type, 0, "every d_type is right (DT_REG, DT_DIR, DT_LNK)");
	TAP_EQ(l.bad_ino, 0, "every d_ino is the entry's st_ino");

	TAP_EQ(lseek(dfd, 0, SEEK_SET), 0, "lseek(0, SEEK_SET) rewinds the directory");
	memset(&l2, 0, sizeof(l2));
	r = list(dfd, 4096, 0, &l2);
	tap_ok(r == 0 && not_once(&l2, NULL) == 0 && l2.dot == 1 && l2.dotdot == 1,
	       "the second listing (4 KiB buffer) again returns every entry once");
	k = 500;
	while (l2.order[k] < 0) /* "." and ".." have no off_of[] */
		k++;
	at = l2.order[k];
	tap_ok(lseek(dfd, l2.off_of[at], SEEK_SET) == l2.off_of[at],
	       "lseek to the d_off of entry %d of the listing", k + 1);
	r = (int)sys_getdents64(dfd, buf, sizeof(buf));
	tap_ok(r > 0 && index_of(((struct dirent64_raw *)buf)->d_name) == l2.order[k + 1],
	       "the next entry returned is entry %d of the listing", k + 2);

	/* Delete half of what was seen and some of what was not, in the middle of a listing. */
	lseek(dfd, 0, SEEK_SET);
	memset(&l, 0, sizeof(l));
	r = list(dfd, 1024, 10, &l);
	nseen = 0;
	for (int i = 0; i < ENTRIES; i++)
		nseen += l.seen[i];
	tap_ok(r == 1 && nseen >= 200 && nseen < 400,
	       "10 calls into a new listing, %d entries returned", nseen);
	ndel = 0;
	for (int i = 0, seen_del = 0, unseen_del = 0; i < ENTRIES; i++) {
		int del = l.seen[i] ? seen_del++ % 2 == 0 : unseen_del++ % 4 == 0;

		if (del && remove_entry(dfd, i) == 0) {
			deleted[i] = 1;
			ndel++;
		}
		kept[i] = !deleted[i];
	}
	tap_ok(ndel > 250 && ndel < 400, "%d of them removed: every other one returned so far, "
	       "every fourth one not yet returned", ndel);
	r = list(dfd, 1024, 0, &l);
	TAP_EQ(r, 0, "the listing then goes on to the end without an error");
	TAP_EQ(not_once(&l, kept), 0, "every entry never removed is returned exactly once");
	r = 0;
	for (int i = 0; i < ENTRIES; i++)
		r += l.seen[i] > 1;
	TAP_EQ(r, 0, "no entry is returned twice");
	tap_ok(l.dot == 1 && l.dotdot == 1 && l.bad_type == 0 && l.bad_reclen == 0,
	       "\".\" and \"..\" once, every d_type and d_reclen right");
	lseek(dfd, 0, SEEK_SET);
	memset(&l2, 0, sizeof(l2));
	r = list(dfd, 1024, 0, &l2);
	tap_ok(r == 0 && not_once(&l2, kept) == 0 && l2.entries == ENTRIES - ndel + 2,
	       "a fresh listing returns exactly the %d entries left and \".\" and \"..\"",
	       ENTRIES - ndel);
	r = 0;
	for (int i = 0; i < ENTRIES; i++)
		r += deleted[i] && l2.seen[i];
	TAP_EQ(r, 0, "... and none of the removed ones");

	/* Errors. */
	fd = open("f", O_RDWR | O_CREAT, 0644);
	TAP_ERRNO(sys_getdents64(fd, buf, sizeof(buf)), ENOTDIR, "getdents64 of a file: ENOTDIR");
	close(fd);
	lseek(dfd, 0, SEEK_SET);
	TAP_ERRNO(sys_getdents64(dfd, buf, 10), EINVAL,
		  "a 10-byte buffer, too small for one entry: EINVAL");
	TAP_EQ(sys_getdents64(dfd, buf, sizeof(buf)) > 0, 1,
	       "the failed call lost nothing: a big enough buffer then gets entries");
	TAP_ERRNO(sys_getdents64(999, buf, sizeof(buf)), EBADF,
		  "getdents64 of a closed descriptor: EBADF");
	TAP_ERRNO(sys_getdents64(dfd, (void *)16, sizeof(buf)), EFAULT,
		  "getdents64 into an unmapped buffer: EFAULT");
	fd = mkdir("gone", 0755) ? -1 : open("gone", O_RDONLY | O_DIRECTORY);
	tap_ok(fd >= 0 && rmdir("gone") == 0, "rmdir of a directory that is open");
	TAP_ERRNO(sys_getdents64(fd, buf, sizeof(buf)), ENOENT,
		  "getdents64 of the removed directory: ENOENT");
	close(fd);
	fd = open("f", O_PATH);
	TAP_ERRNO(sys_getdents64(fd, buf, sizeof(buf)), EBADF,
		  "getdents64 of an O_PATH file: EBADF");
	close(fd);
	close(dfd);

	tap_ok(chdir("/") == 0 && scratch_remove(dir) == 0, "the scratch tree is removed");
	return tap_done();
}
