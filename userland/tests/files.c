/* userland/tests/files.c: what the file calls do to files and directories: O_EXCL, O_TRUNC,
 * O_APPEND, lseek, rename's cases, unlink of an open file, link counts, rmdir/unlink errors,
 * sparse files, truncate, times, modes and owners, FIFOs, readlink, statfs, sendfile, and
 * permission checks as an unprivileged user. Runs in a scratch directory under /tmp.
 * Not about path resolution (pathwalk.c) or directory listings (getdents.c). */
#include "scratch.h"

#include <sys/sendfile.h>
#include <sys/statfs.h>
#include <time.h>

static int file_is(const char *path, const char *want)
{
	char buf[256];
	ssize_t n = scratch_get(path, buf, sizeof(buf));

	return n == (ssize_t)strlen(want) && !memcmp(buf, want, (size_t)n);
}

static int nlink_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? -1 : (int)st.st_nlink;
}

static unsigned char pat(size_t i)
{
	return (unsigned char)(i * 31 + (i >> 8) + 1);
}

/* The unprivileged child: results are errnos, 0 for success. */
static int nobody_checks(int *res, void *arg)
{
	int n = 0;

	(void)arg;
	setgroups(0, NULL); /* drop root's supplementary groups where the kernel has the call */
	res[n++] = SCRATCH_ERR(setgid(65534));
	res[n++] = SCRATCH_ERR(setuid(65534));
	res[n++] = SCRATCH_ERR(open("secret", O_RDONLY));
	res[n++] = SCRATCH_ERR(open("secret", O_WRONLY));
	res[n++] = SCRATCH_ERR(access("secret", R_OK));
	res[n++] = SCRATCH_ERR(access("public", W_OK));
	res[n++] = SCRATCH_ERR(open("public", O_RDONLY));
	res[n++] = SCRATCH_ERR(open("rootdir/new", O_WRONLY | O_CREAT, 0644));
	res[n++] = SCRATCH_ERR(mkdir("rootdir/newdir", 0755));
	res[n++] = SCRATCH_ERR(unlink("rootdir/file"));
	res[n++] = SCRATCH_ERR(access("rootdir", W_OK));
	res[n++] = SCRATCH_ERR(open("closed/file", O_RDONLY));
	res[n++] = SCRATCH_ERR(chmod("public", 0666));
	res[n++] = SCRATCH_ERR(open("opendir/mine", O_WRONLY | O_CREAT, 0600));
	res[n++] = SCRATCH_ERR(unlink("opendir/mine"));
	return n;
}

static void check_rename(void)
{
	struct stat st, old;
	int fd;
	char buf[16];

	scratch_put("src", "SRC", 3);
	scratch_put("dst", "DST-old", 7);
	stat("src", &st);
	stat("dst", &old);
	fd = open("dst", O_RDONLY);
	TAP_SYS(rename("src", "dst"), "rename a file over an existing file");
	tap_ok(file_is("dst", "SRC"), "... the target now holds the source's bytes");
	tap_ok(stat("dst", &old) == 0 && old.st_ino == st.st_ino, "... and is the source's inode");
	TAP_ERRNO(stat("src", &st), ENOENT, "... the source name is gone");
	tap_ok(fstat(fd, &st) == 0 && st.st_nlink == 0 && pread(fd, buf, 16, 0) == 7 &&
		       !memcmp(buf, "DST-old", 7),
	       "... the old target, still open, has no links and keeps its 7 bytes");
	close(fd);

	mkdir("ra", 0755);
	mkdir("ra/b", 0755);
	TAP_ERRNO(rename("ra", "ra/b/c"), EINVAL,
		  "rename a directory into its own subtree: EINVAL");
	TAP_ERRNO(rename("ra", "ra/c"), EINVAL, "rename a directory into itself: EINVAL");
	mkdir("full", 0755);
	scratch_put("full/x", "x", 1);
	TAP_ERRNO(rename("ra", "full"), ENOTEMPTY,
		  "rename a directory over a non-empty one: ENOTEMPTY");
	mkdir("empty", 0755);
	stat("ra", &st);
	tap_ok(rename("ra", "empty") == 0 && stat("empty", &old) == 0 && old.st_ino == st.st_ino &&
		       stat("empty/b", &old) == 0,
	       "rename a directory over an empty one replaces it");
	scratch_put("plain", "p", 1);
	TAP_ERRNO(rename("plain", "full"), EISDIR, "rename a file over a directory: EISDIR");
	TAP_ERRNO(rename("full", "plain"), ENOTDIR, "rename a directory over a file: ENOTDIR");
	stat("plain", &st);
	tap_ok(rename("plain", "plain") == 0 && stat("plain", &old) == 0 &&
		       old.st_ino == st.st_ino && file_is("plain", "p"),
	       "rename of a file to itself does nothing");
	link("plain", "plain2");
	tap_ok(rename("plain", "plain2") == 0 && nlink_of("plain") == 2 && nlink_of("plain2") == 2,
	       "rename between two links of one inode does nothing (both names stay)");
	TAP_ERRNO(rename("nothere", "x"), ENOENT, "rename of a missing name: ENOENT");
	tap_ok(rename("full/x", "moved") == 0 && file_is("moved", "x") &&
		       stat("full/x", &st) == -1 && errno == ENOENT,
	       "rename moves a file between directories");
}

static void check_links(void)
{
	struct stat st, st2;

	tap_ok(link("moved", "moved2") == 0 && nlink_of("moved") == 2 && stat("moved", &st) == 0 &&
		       stat("moved2", &st2) == 0 && st.st_ino == st2.st_ino,
	       "link: both names are one inode with st_nlink 2");
	tap_ok(unlink("moved2") == 0 && nlink_of("moved") == 1, "unlink of one: st_nlink 1");
	TAP_ERRNO(link("moved", "plain"), EEXIST, "link to an existing name: EEXIST");
	mkdir("nl", 0755);
	TAP_EQ(nlink_of("nl"), 2, "a new directory has st_nlink 2");
	mkdir("nl/s1", 0755);
	mkdir("nl/s2", 0755);
	TAP_EQ(nlink_of("nl"), 4, "two subdirectories make it 4");
	scratch_put("nl/file", "", 0);
	TAP_EQ(nlink_of("nl"), 4, "a file in it does not count");
	rmdir("nl/s1");
	TAP_EQ(nlink_of("nl"), 3, "rmdir of one subdirectory makes it 3");
	TAP_ERRNO(link("nl", "nl-link"), EPERM, "link to a directory: EPERM");
	TAP_ERRNO(rmdir("nl"), ENOTEMPTY, "rmdir of a non-empty directory: ENOTEMPTY");
	TAP_ERRNO(rmdir("nl/s2/."), EINVAL, "rmdir(\"nl/s2/.\"): EINVAL");
	TAP_ERRNO(rmdir("nl/file"), ENOTDIR, "rmdir of a file: ENOTDIR");
	TAP_ERRNO(unlink("nl"), EISDIR, "unlink of a directory: EISDIR");
	TAP_ERRNO(mkdir("nl", 0755), EEXIST, "mkdir of an existing directory: EEXIST");
	TAP_ERRNO(mkdir("moved", 0755), EEXIST, "mkdir over an existing file: EEXIST");
}

static void check_sparse_truncate(void)
{
	struct stat st;
	char buf[4096], zero[4096] = { 0 };
	int fd = open("sparse", O_RDWR | O_CREAT | O_TRUNC, 0644), ok;

	TAP_EQ(pwrite(fd, "x", 1, 1 << 20), 1, "write 1 byte at offset 1 MiB");
	tap_ok(fstat(fd, &st) == 0 && st.st_size == (1 << 20) + 1, "the size is 1 MiB + 1 (%lld)",
	       (long long)st.st_size);
	tap_ok(st.st_blocks * 512 < 64 * 1024, "the hole takes no space: st_blocks %lld (< 64 KiB)",
	       (long long)st.st_blocks);
	ok = 1;
	for (off_t off = 0; ok && off < (1 << 20); off += 64 * 1024)
		ok = pread(fd, buf, sizeof(buf), off) == sizeof(buf) &&
		     !memcmp(buf, zero, sizeof(buf));
	tap_ok(ok, "reading the hole returns zeros");
	tap_ok(pread(fd, buf, sizeof(buf), (1 << 20) - 1) == 2 && buf[0] == 0 && buf[1] == 'x',
	       "a read across the end of the hole: 0 then 'x', 2 bytes");
	TAP_EQ(pread(fd, buf, sizeof(buf), (1 << 20) + 1), 0, "a read at the end returns 0");
	close(fd);

	fd = open("trunc", O_RDWR | O_CREAT | O_TRUNC, 0644);
	memset(buf, 'a', 100);
	write(fd, buf, 100);
	tap_ok(ftruncate(fd, 10) == 0 && fstat(fd, &st) == 0 && st.st_size == 10,
	       "ftruncate shrinks a 100-byte file to 10");
	tap_ok(ftruncate(fd, 100) == 0 && fstat(fd, &st) == 0 && st.st_size == 100,
	       "ftruncate grows it back to 100");
	ok = pread(fd, buf, sizeof(buf), 0) == 100;
	for (int i = 0; ok && i < 100; i++)
		ok = buf[i] == (i < 10 ? 'a' : 0);
	tap_ok(ok, "10 bytes of 'a', then the bytes past the old end read as zeros");
	tap_ok(truncate("trunc", 5000) == 0 && stat("trunc", &st) == 0 && st.st_size == 5000,
	       "truncate by name grows it to 5000");
	tap_ok(truncate("trunc", 0) == 0 && stat("trunc", &st) == 0 && st.st_size == 0,
	       "truncate to 0 empties it");
	TAP_ERRNO(truncate("trunc", -1), EINVAL, "truncate to a negative size: EINVAL");
	TAP_ERRNO(truncate("nl", 0), EISDIR, "truncate of a directory: EISDIR");
	close(fd);
	fd = open("trunc", O_RDONLY);
	TAP_ERRNO(ftruncate(fd, 0), EINVAL, "ftruncate of a read-only descriptor: EINVAL");
	TAP_SYS(fsync(fd), "fsync of a file succeeds");
	TAP_SYS(fdatasync(fd), "fdatasync of a file succeeds");
	close(fd);
	fd = open(".", O_RDONLY | O_DIRECTORY);
	TAP_SYS(fsync(fd), "fsync of a directory succeeds");
	close(fd);
}

static void check_times_modes(void)
{
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1234567890, 987654321 } };
	struct timespec before, after;
	struct stat st;
	int fd;

	scratch_put("t", "t", 1);
	tap_ok(utimensat(AT_FDCWD, "t", ts, 0) == 0 && stat("t", &st) == 0 &&
		       st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789 &&
		       st.st_mtim.tv_sec == 1234567890 && st.st_mtim.tv_nsec == 987654321,
	       "utimensat sets atime and mtime to the nanosecond");
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = 1500000000;
	ts[1].tv_nsec = 5;
	tap_ok(utimensat(AT_FDCWD, "t", ts, 0) == 0 && stat("t", &st) == 0 &&
		       st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789 &&
		       st.st_mtim.tv_sec == 1500000000 && st.st_mtim.tv_nsec == 5,
	       "UTIME_OMIT leaves atime alone while mtime is set");
	ts[0].tv_nsec = UTIME_NOW;
	ts[1].tv_nsec = UTIME_OMIT;
	clock_gettime(CLOCK_REALTIME, &before);
	fd = open("t", O_RDONLY);
	tap_ok(futimens(fd, ts) == 0 && fstat(fd, &st) == 0, "futimens with UTIME_NOW succeeds");
	close(fd);
	clock_gettime(CLOCK_REALTIME, &after);
	/* File times may come from a coarser clock: allow the second before. */
	tap_ok(st.st_atim.tv_sec >= before.tv_sec - 1 && st.st_atim.tv_sec <= after.tv_sec &&
		       st.st_mtim.tv_sec == 1500000000 && st.st_mtim.tv_nsec == 5,
	       "UTIME_NOW sets atime to now (%lld, now %lld), mtime untouched",
	       (long long)st.st_atim.tv_sec, (long long)after.tv_sec);
	ts[0].tv_nsec = 77;
	ts[1].tv_nsec = 1000000000;
	TAP_ERRNO(utimensat(AT_FDCWD, "t", ts, 0), EINVAL, "a tv_nsec of 1e9: EINVAL");

	tap_ok(chmod("t", 0640) == 0 && stat("t", &st) == 0 && (st.st_mode & 07777) == 0640 &&
		       S_ISREG(st.st_mode),
	       "chmod 0640: the mode is 0640 and it is still a regular file");
	fd = open("t", O_RDONLY);
	tap_ok(fchmod(fd, 04711) == 0 && stat("t", &st) == 0 && (st.st_mode & 07777) == 04711,
	       "fchmod 04711: the mode is 04711");
	if (geteuid() == 0) {
		tap_ok(chown("t", 1234, 5678) == 0 && stat("t", &st) == 0 && st.st_uid == 1234 &&
			       st.st_gid == 5678,
		       "chown to 1234:5678");
		tap_ok(fchown(fd, (uid_t)-1, 42) == 0 && fstat(fd, &st) == 0 && st.st_uid == 1234 &&
			       st.st_gid == 42,
		       "fchown(-1, 42) changes only the group");
		symlink("t", "tl");
		tap_ok(lchown("tl", 7, 8) == 0 && lstat("tl", &st) == 0 && st.st_uid == 7 &&
			       st.st_gid == 8 && stat("t", &st) == 0 && st.st_uid == 1234,
		       "lchown changes the link, not its target");
	} else {
		for (int i = 0; i < 3; i++)
			tap_skip("chown", "not root");
	}
	close(fd);

	tap_ok(mknod("fifo", S_IFIFO | 0600, 0) == 0 && lstat("fifo", &st) == 0 &&
		       S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0600,
	       "mknod makes a FIFO with mode 0600");
	TAP_ERRNO(open("fifo", O_WRONLY | O_NONBLOCK), ENXIO,
		  "a non-blocking open of the FIFO for writing with no reader: ENXIO");
	{
		int r = open("fifo", O_RDONLY | O_NONBLOCK),
		    w = open("fifo", O_WRONLY | O_NONBLOCK);
		char c = 0;

		tap_ok(r >= 0 && w >= 0 && write(w, "q", 1) == 1 && read(r, &c, 1) == 1 && c == 'q',
		       "with a reader open, a writer opens and a byte goes through the FIFO");
		close(r);
		close(w);
	}
}

static void check_links_statfs_sendfile(void)
{
	char buf[64], big[10000], got[4000];
	struct statfs sf, sf2;
	struct stat st;
	off_t off;
	int fd, p[2], ok;

	memset(buf, 'Z', sizeof(buf));
	symlink("some/target/path", "sl");
	tap_ok(readlink("sl", buf, sizeof(buf)) == 16 && !memcmp(buf, "some/target/path", 16) &&
		       buf[16] == 'Z',
	       "readlink returns exactly the 16 bytes of the target, without a NUL");
	tap_ok(lstat("sl", &st) == 0 && st.st_size == 16, "the link's st_size is 16");
	memset(buf, 'Z', sizeof(buf));
	tap_ok(readlink("sl", buf, 4) == 4 && !memcmp(buf, "someZ", 5),
	       "readlink into 4 bytes returns the first 4");
	TAP_ERRNO(readlink("t", buf, sizeof(buf)), EINVAL, "readlink of a regular file: EINVAL");
	TAP_ERRNO(readlink("nothere", buf, sizeof(buf)), ENOENT,
		  "readlink of a missing name: ENOENT");
	TAP_ERRNO(symlink("x", "sl"), EEXIST, "symlink over an existing link: EEXIST");
	TAP_ERRNO(symlink("x", "t"), EEXIST, "symlink over an existing file: EEXIST");

	tap_ok(statfs(".", &sf) == 0 && sf.f_bsize > 0, "statfs of the scratch dir: f_bsize %ld",
	       (long)sf.f_bsize);
	fd = open(".", O_RDONLY | O_DIRECTORY);
	tap_ok(fstatfs(fd, &sf2) == 0 && sf2.f_type == sf.f_type && sf2.f_bsize == sf.f_bsize,
	       "fstatfs of it agrees (f_type %#lx)", (unsigned long)sf2.f_type);
	close(fd);

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)pat(i);
	scratch_put("sf", big, sizeof(big));
	fd = open("sf", O_RDONLY);
	pipe(p);
	off = 100;
	TAP_EQ(sendfile(p[1], fd, &off, 3000), 3000,
	       "sendfile of 3000 bytes at offset 100 to a pipe");
	TAP_EQ(off, 3100, "... advances the given offset to 3100");
	TAP_EQ(lseek(fd, 0, SEEK_CUR), 0, "... and leaves the file's own offset at 0");
	tap_ok(read(p[0], got, sizeof(got)) == 3000 && !memcmp(got, big + 100, 3000),
	       "the pipe holds exactly bytes 100..3099 of the file");
	TAP_EQ(sendfile(p[1], fd, NULL, 500), 500, "sendfile with no offset sends 500 bytes");
	ok = read(p[0], got, sizeof(got)) == 500 && !memcmp(got, big, 500);
	tap_ok(ok && lseek(fd, 0, SEEK_CUR) == 500,
	       "... bytes 0..499, and the file offset moves to 500");
	off = sizeof(big) - 10;
	TAP_EQ(sendfile(p[1], fd, &off, 100), 10, "sendfile near the end sends only the last 10");
	close(fd);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	char buf[64];
	struct stat st;
	const char *dir;
	int fd, n, res[CHILD_MAX];

	(void)argc;
	tap_init(argv, 117);
	umask(022);
	dir = scratch_make();
	if (!tap_ok(dir && chdir(dir) == 0, "a scratch directory (%s)", dir ? dir : "?"))
		return tap_done() | 1;

	/* Creation and open flags. */
	scratch_put("e", "exists", 6);
	TAP_ERRNO(open("e", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST,
		  "O_CREAT|O_EXCL on an existing file: EEXIST");
	symlink("e-target", "dangling");
	TAP_ERRNO(open("dangling", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST,
		  "O_CREAT|O_EXCL on a dangling symlink: EEXIST");
	TAP_ERRNO(stat("e-target", &st), ENOENT, "... and the link's target is not created");
	fd = open("dangling", O_WRONLY | O_CREAT, 0600);
	tap_ok(fd >= 0 && stat("e-target", &st) == 0 && (st.st_mode & 0777) == 0600,
	       "O_CREAT without O_EXCL through a dangling symlink creates its target (mode 0600)");
	close(fd);
	fd = open("e", O_RDWR | O_TRUNC);
	tap_ok(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0 && read(fd, buf, 8) == 0,
	       "O_TRUNC empties a 6-byte file");
	close(fd);
	scratch_put("app", "abc", 3);
	fd = open("app", O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	TAP_EQ(write(fd, "de", 2), 2, "an O_APPEND write after lseek(0) writes 2 bytes");
	tap_ok(file_is("app", "abcde"), "... at the end: the file is \"abcde\"");
	TAP_EQ(lseek(fd, 0, SEEK_CUR), 5, "... and the offset is then 5");
	close(fd);
	TAP_ERRNO(open("nl-none/x", O_RDONLY | O_CREAT, 0644), ENOENT,
		  "O_CREAT in a missing directory: ENOENT");
	TAP_ERRNO(open(".", O_WRONLY), EISDIR, "open of a directory for writing: EISDIR");

	/* lseek. */
	fd = open("app", O_RDONLY);
	TAP_EQ(lseek(fd, 0, SEEK_END), 5, "lseek(0, SEEK_END) is the size, 5");
	TAP_EQ(lseek(fd, -2, SEEK_END), 3, "lseek(-2, SEEK_END) is 3");
	tap_ok(read(fd, buf, 8) == 2 && !memcmp(buf, "de", 2), "reading there gives \"de\"");
	TAP_EQ(lseek(fd, -4, SEEK_CUR), 1, "lseek(-4, SEEK_CUR) from 5 is 1");
	TAP_EQ(lseek(fd, 100, SEEK_END), 105, "lseek past the end is allowed (105)");
	TAP_EQ(read(fd, buf, 8), 0, "... and reads there return 0");
	TAP_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL, "lseek to -1: EINVAL");
	TAP_ERRNO(lseek(fd, -106, SEEK_CUR), EINVAL,
		  "lseek before the start with SEEK_CUR: EINVAL");
	TAP_ERRNO(lseek(fd, 0, 17), EINVAL, "lseek with whence 17: EINVAL");
	TAP_EQ(lseek(fd, 0, SEEK_CUR), 105, "a failed lseek leaves the offset (105)");
	close(fd);

	check_rename();

	/* An unlinked file lives while it is open. */
	{
		static char data[8192], back[8192];

		for (size_t i = 0; i < sizeof(data); i++)
			data[i] = (char)pat(i);
		fd = open("u", O_RDWR | O_CREAT | O_TRUNC, 0644);
		tap_ok(write(fd, data, sizeof(data)) == sizeof(data) && unlink("u") == 0,
		       "write 8 KiB to a file, then unlink it while open");
		tap_ok(fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 8192,
		       "fstat: st_nlink 0, st_size still 8192");
		TAP_ERRNO(stat("u", &st), ENOENT, "the name is gone");
		tap_ok(pread(fd, back, sizeof(back), 0) == sizeof(back) &&
			       !memcmp(back, data, sizeof(data)),
		       "the 8 KiB read back exactly through the open descriptor");
		TAP_SYS(close(fd), "close of the last descriptor succeeds");
	}

	check_links();
	check_sparse_truncate();
	check_times_modes();
	check_links_statfs_sendfile();

	/* Permission checks as nobody (65534). */
	if (geteuid() != 0) {
		for (int i = 0; i < 15; i++)
			tap_skip("permissions as nobody", "not root");
	} else {
		scratch_put("secret", "s", 1);
		chmod("secret", 0600);
		scratch_put("public", "p", 1);
		mkdir("rootdir", 0755);
		scratch_put("rootdir/file", "f", 1);
		mkdir("closed", 0700);
		scratch_put("closed/file", "f", 1);
		chmod("closed/file", 0644);
		mkdir("opendir", 0777);
		chmod("opendir", 0777);
		n = child_results(nobody_checks, NULL, res);
		child_expect(n, res, 0, 0, "a child as root: setgid(65534)");
		child_expect(n, res, 1, 0, "... setuid(65534)");
		child_expect(n, res, 2, EACCES, "... open of a root 0600 file for reading: EACCES");
		child_expect(n, res, 3, EACCES, "... and for writing: EACCES");
		child_expect(n, res, 4, EACCES, "... access(R_OK) of it: EACCES");
		child_expect(n, res, 5, EACCES, "... access(W_OK) of a root 0644 file: EACCES");
		child_expect(n, res, 6, 0, "... open of a root 0644 file for reading works");
		child_expect(n, res, 7, EACCES, "... creating a file in a root 0755 dir: EACCES");
		child_expect(n, res, 8, EACCES, "... mkdir in a root 0755 dir: EACCES");
		child_expect(n, res, 9, EACCES, "... unlink in a root 0755 dir: EACCES");
		child_expect(n, res, 10, EACCES, "... access(W_OK) of a root 0755 dir: EACCES");
		child_expect(n, res, 11, EACCES,
			     "... a 0644 file in a root 0700 dir (no search): EACCES");
		child_expect(n, res, 12, EPERM, "... chmod of a file it does not own: EPERM");
		child_expect(n, res, 13, 0, "... creating a file in a 0777 dir works");
		child_expect(n, res, 14, 0, "... and unlinking it works");
	}

	tap_ok(chdir("/") == 0 && scratch_remove(dir) == 0, "the scratch tree is removed");
	return tap_done();
}
