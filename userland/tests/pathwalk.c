/* userland/tests/pathwalk.c: path resolution: trailing slashes, "." and "..", the root's "..",
 * symlink loops and the 40-link limit, ENOTDIR/ENAMETOOLONG/ENOENT, O_NOFOLLOW, O_DIRECTORY, the
 * *at calls, fchdir, O_PATH and chroot (in a child). Runs in a scratch directory under /tmp.
 * Not about what files hold (files.c) or directory listings (getdents.c). */
#include "scratch.h"

#include <limits.h>
#include <sys/syscall.h>

static dev_t scratch_dev;
static ino_t scratch_ino, f_ino;

/* Whether path names the inode (dev, ino); follows symlinks. */
static int same_inode(const char *path, dev_t dev, ino_t ino)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

/* The chroot child: every result is an errno (0 = as expected, EIO = wrong inode or name). */
static int chroot_checks(int *res, void *arg)
{
	char buf[PATH_MAX];
	int n = 0;

	(void)arg;
	res[n++] = SCRATCH_ERR(chroot(scratch_dir));
	res[n++] = SCRATCH_ERR(chdir("/"));
	res[n++] = same_inode("/", scratch_dev, scratch_ino) ? 0 : EIO;
	res[n++] = same_inode("/..", scratch_dev, scratch_ino) ? 0 : EIO;
	res[n++] = same_inode("/../../..", scratch_dev, scratch_ino) ? 0 : EIO;
	res[n++] = same_inode("/../../f", scratch_dev, f_ino) ? 0 : EIO;
	res[n++] = SCRATCH_ERR(chdir("/d/sub"));
	res[n++] = SCRATCH_ERR(chdir("../../../.."));
	res[n++] = getcwd(buf, sizeof(buf)) && !strcmp(buf, "/") ? 0 : EIO;
	res[n++] = SCRATCH_ERR(open(scratch_dir, O_RDONLY));
	return n;
}

/* "./" repeated, then tail: a path of exactly len bytes (len - strlen(tail) must be even). */
static char *long_path(size_t len, const char *tail)
{
	size_t t = strlen(tail);
	char *p = malloc(len + 1);

	for (size_t i = 0; i + t < len; i += 2)
		memcpy(p + i, "./", 2);
	memcpy(p + len - t, tail, t + 1);
	return p;
}

int main(int argc, char **argv)
{
	struct stat st, st2, root;
	char buf[PATH_MAX], name[300], want[PATH_MAX];
	const char *dir;
	int fd, dfd, pfd, ok, n, res[CHILD_MAX];
	char *p;

	(void)argc;
	tap_init(argv, 89);
	dir = scratch_make();
	ok = dir && chdir(dir) == 0 && scratch_put("f", "file f\n", 7) == 0 &&
	     mkdir("d", 0755) == 0 && mkdir("d/sub", 0755) == 0 && stat(".", &st) == 0;
	if (!tap_ok(ok, "a scratch tree: file f, directories d and d/sub (in %s)", dir ? dir : "?"))
		return tap_done() | 1;
	scratch_dev = st.st_dev;
	scratch_ino = st.st_ino;
	stat("f", &st);
	f_ino = st.st_ino;

	/* Trailing slashes: only directories may have them. */
	TAP_ERRNO(open("f/", O_RDONLY), ENOTDIR, "open(\"f/\") of a regular file: ENOTDIR");
	TAP_ERRNO(stat("f/", &st), ENOTDIR, "stat(\"f/\") of a regular file: ENOTDIR");
	TAP_ERRNO(open("new/", O_RDWR | O_CREAT, 0644), EISDIR,
		  "open(\"new/\", O_CREAT) does not make a file: EISDIR");
	TAP_SYS(mkdir("n/", 0755), "mkdir(\"n/\") makes a directory");
	tap_ok(stat("n", &st) == 0 && S_ISDIR(st.st_mode), "... named n, a directory");
	tap_ok(stat("d/", &st) == 0 && S_ISDIR(st.st_mode), "stat(\"d/\") of a directory works");
	TAP_SYS(rmdir("n/"), "rmdir(\"n/\") removes it");
	TAP_ERRNO(stat("n", &st), ENOENT, "... and n is gone");
	stat("d/sub", &st2);
	tap_ok(stat("d//sub", &st) == 0 && st.st_ino == st2.st_ino,
	       "\"d//sub\" is d/sub: repeated slashes count as one");
	tap_ok(stat("d/sub///", &st) == 0 && st.st_ino == st2.st_ino,
	       "\"d/sub///\" is d/sub: several trailing slashes");

	/* "." and "..", and the root's "..", which is the root. */
	ok = stat("/", &root) == 0 && stat("/..", &st) == 0;
	tap_ok(ok && st.st_ino == root.st_ino && st.st_dev == root.st_dev,
	       "stat(\"/..\") is the root (same st_dev and st_ino as \"/\")");
	tap_ok(same_inode("/../../..", root.st_dev, root.st_ino), "\"/../../..\" is the root too");
	ok = chdir("/../..") == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, "/");
	tap_ok(ok, "chdir(\"/../..\") then getcwd gives \"/\"");
	TAP_SYS(chdir(dir), "chdir back into the scratch directory");
	tap_ok(same_inode("d/./sub/../sub/.", st2.st_dev, st2.st_ino),
	       "\"d/./sub/../sub/.\" is d/sub");
	tap_ok(same_inode("d/sub/../../f", scratch_dev, f_ino), "\"d/sub/../../f\" is f");
	tap_ok(same_inode("./d/..", scratch_dev, scratch_ino), "\"./d/..\" is the scratch dir");
	TAP_ERRNO(stat("f/.", &st), ENOTDIR, "\"f/.\": ENOTDIR");
	TAP_ERRNO(stat("f/..", &st), ENOTDIR, "\"f/..\": ENOTDIR (no \"..\" through a file)");
	TAP_ERRNO(open("f/x", O_RDONLY), ENOTDIR, "\"f/x\", a file used as a directory: ENOTDIR");
	TAP_ERRNO(mkdir("f/x", 0755), ENOTDIR, "mkdir(\"f/x\"): ENOTDIR");
	TAP_ERRNO(open("d/nope/x", O_RDONLY), ENOENT, "a missing middle component: ENOENT");

	/* Symlinks: loops, the 40-link limit, O_NOFOLLOW, dangling links, ".." after a link. */
	ok = symlink("b", "a") == 0 && symlink("a", "b") == 0;
	tap_ok(ok, "symlinks a -> b and b -> a are made");
	TAP_ERRNO(open("a", O_RDONLY), ELOOP, "open of a symlink loop: ELOOP");
	TAP_ERRNO(stat("b", &st), ELOOP, "stat of a symlink loop: ELOOP");
	tap_ok(lstat("a", &st) == 0 && S_ISLNK(st.st_mode), "lstat of a loop member: a symlink");
	TAP_ERRNO(open("a/x", O_RDONLY), ELOOP, "a loop in the middle of a path: ELOOP");
	ok = symlink("f", "l1") == 0;
	for (int i = 2; ok && i <= 41; i++) {
		char from[16], to[16];

		snprintf(from, sizeof(from), "l%d", i - 1);
		snprintf(to, sizeof(to), "l%d", i);
		ok = symlink(from, to) == 0;
	}
	tap_ok(ok, "a chain of 41 symlinks l41 -> l40 -> ... -> l1 -> f is made");
	fd = open("l40", O_RDONLY);
	n = fd >= 0 ? (int)read(fd, buf, sizeof(buf)) : -1;
	tap_ok(n == 7 && !memcmp(buf, "file f\n", 7), "open(l40) follows 40 links and reads f");
	if (fd >= 0)
		close(fd);
	else
		tap_diag("open(l40): %s", strerror(errno));
	TAP_ERRNO(open("l41", O_RDONLY), ELOOP, "open(l41), 41 links: ELOOP");
	TAP_ERRNO(stat("l41", &st), ELOOP, "stat(l41): ELOOP");
	TAP_ERRNO(open("l1", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a symlink: ELOOP");
	fd = open("d/sub/../../l1", O_RDONLY);
	tap_ok(fd >= 0, "O_NOFOLLOW aside, a link at the end is followed (d/sub/../../l1)");
	if (fd >= 0)
		close(fd);
	ok = symlink("d/sub", "ls") == 0;
	tap_ok(ok && stat("d", &st) == 0 && same_inode("ls/..", st.st_dev, st.st_ino),
	       "\"ls/..\" with ls -> d/sub is d (.. applies to the link's target)");
	tap_ok(same_inode("ls/../sub/../../f", scratch_dev, f_ino), "\"ls/../sub/../../f\" is f");
	ok = symlink("no/such/target", "dang") == 0;
	TAP_ERRNO(open("dang", O_RDONLY), ENOENT, "open of a dangling symlink: ENOENT");
	TAP_ERRNO(stat("dang", &st), ENOENT, "stat of a dangling symlink: ENOENT");
	tap_ok(ok && lstat("dang", &st) == 0 && S_ISLNK(st.st_mode),
	       "lstat of a dangling symlink: a symlink");
	TAP_ERRNO(open("", O_RDONLY), ENOENT, "open(\"\"): ENOENT");
	TAP_ERRNO(stat("", &st), ENOENT, "stat(\"\"): ENOENT");
	TAP_ERRNO(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on a file: ENOTDIR");
	TAP_ERRNO(open("l1", O_RDONLY | O_DIRECTORY), ENOTDIR,
		  "O_DIRECTORY on a link to a file: ENOTDIR");
	fd = open("ls", O_RDONLY | O_DIRECTORY);
	tap_ok(fd >= 0, "O_DIRECTORY on a link to a directory opens it");
	if (fd >= 0)
		close(fd);

	/* Name and path length limits: NAME_MAX 255 and PATH_MAX 4096 with the NUL. */
	memset(name, 'n', 255);
	name[255] = '\0';
	fd = open(name, O_WRONLY | O_CREAT, 0644);
	tap_ok(fd >= 0 && unlink(name) == 0, "a 255-byte name can be created and removed");
	if (fd >= 0)
		close(fd);
	strcpy(name + 255, "n");
	TAP_ERRNO(open(name, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG,
		  "a 256-byte name: ENAMETOOLONG");
	TAP_ERRNO(stat(name, &st), ENAMETOOLONG, "stat of a 256-byte name: ENAMETOOLONG");
	snprintf(buf, sizeof(buf), "d/%s/x", name);
	TAP_ERRNO(stat(buf, &st), ENAMETOOLONG, "a 256-byte middle component: ENAMETOOLONG");
	p = long_path(4095, "f");
	fd = open(p, O_RDONLY);
	tap_ok(fd >= 0, "a 4095-byte path (\"././.../f\") opens");
	if (fd >= 0)
		close(fd);
	free(p);
	p = long_path(4096, "/f");
	TAP_ERRNO(open(p, O_RDONLY), ENAMETOOLONG, "a 4096-byte path: ENAMETOOLONG");
	free(p);

	/* The *at calls, with a directory descriptor and with AT_FDCWD. */
	dfd = open("d", O_RDONLY | O_DIRECTORY);
	TAP_SYS(dfd, "open(\"d\", O_DIRECTORY)");
	fd = openat(dfd, "g", O_WRONLY | O_CREAT | O_EXCL, 0644);
	tap_ok(fd >= 0 && stat("d/g", &st) == 0 && S_ISREG(st.st_mode),
	       "openat(d, \"g\", O_CREAT) makes d/g");
	if (fd >= 0)
		close(fd);
	tap_ok(fstatat(dfd, "g", &st2, 0) == 0 && st2.st_ino == st.st_ino,
	       "fstatat(d, \"g\") is d/g");
	tap_ok(mkdirat(dfd, "m", 0755) == 0 && stat("d/m", &st) == 0 && S_ISDIR(st.st_mode),
	       "mkdirat(d, \"m\") makes the directory d/m");
	TAP_ERRNO(unlinkat(dfd, "m", 0), EISDIR, "unlinkat(d, \"m\", 0) of a directory: EISDIR");
	TAP_SYS(unlinkat(dfd, "m", AT_REMOVEDIR), "unlinkat(d, \"m\", AT_REMOVEDIR) removes it");
	TAP_ERRNO(unlinkat(dfd, "g", AT_REMOVEDIR), ENOTDIR,
		  "unlinkat(d, \"g\", AT_REMOVEDIR) of a file: ENOTDIR");
	TAP_SYS(unlinkat(dfd, "g", 0), "unlinkat(d, \"g\", 0) removes the file");
	TAP_ERRNO(stat("d/g", &st), ENOENT, "... and d/g is gone");
	tap_ok(fstatat(AT_FDCWD, "f", &st, 0) == 0 && st.st_ino == f_ino,
	       "fstatat(AT_FDCWD, \"f\") is f");
	tap_ok(fstatat(dfd, "../f", &st, 0) == 0 && st.st_ino == f_ino,
	       "fstatat(d, \"../f\") is f");
	tap_ok(fstatat(dfd, "/", &st, 0) == 0 && st.st_ino == root.st_ino,
	       "an absolute path ignores the directory descriptor");
	tap_ok(fstatat(dfd, "", &st, AT_EMPTY_PATH) == 0 && stat("d", &st2) == 0 &&
		       st.st_ino == st2.st_ino,
	       "fstatat(d, \"\", AT_EMPTY_PATH) is d itself");
	tap_ok(fstatat(AT_FDCWD, "l1", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode),
	       "fstatat(AT_SYMLINK_NOFOLLOW) of a link is the link");
	fd = open("f", O_RDONLY);
	TAP_ERRNO(openat(fd, "x", O_RDONLY), ENOTDIR, "openat with a file's descriptor: ENOTDIR");
	TAP_ERRNO(openat(999, "x", O_RDONLY), EBADF, "openat with a closed descriptor: EBADF");

	/* fchdir. */
	TAP_SYS(fchdir(dfd), "fchdir(d)");
	snprintf(want, sizeof(want), "%s/d", dir);
	tap_ok(getcwd(buf, sizeof(buf)) && !strcmp(buf, want), "getcwd is then %s", want);
	tap_ok(stat("sub", &st) == 0 && S_ISDIR(st.st_mode), "relative paths start there");
	TAP_ERRNO(fchdir(fd), ENOTDIR, "fchdir to a file: ENOTDIR");
	TAP_ERRNO(fchdir(999), EBADF, "fchdir of a closed descriptor: EBADF");
	close(fd);
	chdir(dir);
	close(dfd);

	/* O_PATH: a handle for fstat and *at, not for I/O. */
	pfd = open("f", O_PATH);
	TAP_SYS(pfd, "open(\"f\", O_PATH)");
	tap_ok(fstat(pfd, &st) == 0 && st.st_ino == f_ino && st.st_size == 7,
	       "fstat of the O_PATH descriptor is f (7 bytes)");
	TAP_ERRNO(read(pfd, buf, 1), EBADF, "read of an O_PATH descriptor: EBADF");
	TAP_ERRNO(write(pfd, "x", 1), EBADF, "write of an O_PATH descriptor: EBADF");
	close(pfd);
	pfd = open("d", O_PATH | O_DIRECTORY);
	stat("d/sub", &st2);
	tap_ok(pfd >= 0 && fstatat(pfd, "sub", &st, 0) == 0 && st.st_ino == st2.st_ino,
	       "fstatat through an O_PATH directory descriptor finds d/sub");
	fd = openat(pfd, "../f", O_RDONLY);
	n = fd >= 0 ? (int)read(fd, buf, sizeof(buf)) : -1;
	tap_ok(n == 7, "openat through it opens ../f for reading");
	if (fd >= 0)
		close(fd);
	if (pfd >= 0)
		close(pfd);

	/* chroot, only ever in a child. */
	if (geteuid() != 0) {
		for (int i = 0; i < 11; i++)
			tap_skip("chroot", "not root");
	} else {
		n = child_results(chroot_checks, NULL, res);
		child_expect(n, res, 0, 0, "a child chroots into the scratch directory");
		child_expect(n, res, 1, 0, "... chdir(\"/\") works");
		child_expect(n, res, 2, 0, "... \"/\" is the scratch directory");
		child_expect(n, res, 3, 0, "... \"/..\" is still the scratch directory");
		child_expect(n, res, 4, 0, "... so is \"/../../..\"");
		child_expect(n, res, 5, 0, "... \"/../../f\" is f, inside the new root");
		child_expect(n, res, 6, 0, "... chdir(\"/d/sub\") works");
		child_expect(n, res, 7, 0, "... chdir(\"../../../..\") from there works");
		child_expect(n, res, 8, 0, "... and getcwd is \"/\": \"..\" did not escape");
		child_expect(n, res, 9, ENOENT, "... the old absolute path is not found: ENOENT");
		tap_ok(same_inode("/", root.st_dev, root.st_ino) &&
			       same_inode(".", scratch_dev, scratch_ino),
		       "the parent's root and working directory are unchanged");
	}

	tap_ok(chdir("/") == 0 && scratch_remove(dir) == 0, "the scratch tree is removed");
	return tap_done();
}
