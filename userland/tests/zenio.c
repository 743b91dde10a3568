/* userland/tests/zenio.c: libgranary's Zen I/O calls (<uapi/zenio.h>), each checked for its exact
 * result: bytes, counts, offsets, modes, names and -errno values. Pipes first, then a scratch tree. */
#include "tap.h"

#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <uapi/zenio.h>

#define PLAN 100
#define NMANY 100 /* files in many/: more than one getdents64 buffer of IODIR's */

static char scratch[64];

/* scratch + "/" + rel, in one of four static buffers used in turn. */
static const char *at(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int which;

	which = (which + 1) % 4;
	snprintf(buf[which], sizeof(buf[which]), "%s/%s", scratch, rel);
	return buf[which];
}

/* tap_errname, plus the errors only this test expects. */
static const char *zen_errname(int e)
{
	switch (e) {
	case ENOTTY:
		return "ENOTTY";
	case ENOTEMPTY:
		return "ENOTEMPTY";
	case EROFS:
		return "EROFS";
	default:
		return tap_errname(e);
	}
}

static const char *errname(long r)
{
	return r < 0 && r > -4096 ? zen_errname((int)-r) : "not an error";
}

/* ok iff the call returned exactly -err. */
#define ZEN_ERR(call, err, ...) zen_err_((long)(call), (err), #call, __VA_ARGS__)
__attribute__((format(printf, 4, 5))) static int zen_err_(long got, int err, const char *expr,
							  const char *fmt, ...)
{
	va_list ap;
	int ok = got == -err;

	va_start(ap, fmt);
	tap_vok(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		tap_diag("%s returned %ld (%s); expected -%s (%d)", expr, got, errname(got),
			 zen_errname(err), -err);
	return ok;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The calls that need no writable filesystem: a pipe, a read-only data file, bad descriptors. */
static void test_descriptors(void)
{
	struct iopollfd pf = { .events = POLLIN, .timeout = 0 };
	char buf[32], a[2], b[10];
	struct iovec wv[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
	struct iovec rv[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct winsize ws;
	long long t0;
	int p[2], n = -1, fd, r;

	if (!tap_ok(pipe(p) == 0, "pipe for the poll and read/write checks")) {
		tap_diag("pipe: %s", strerror(errno));
		p[0] = p[1] = -1;
	}
	pf.revents = -1;
	r = iopoll(p[0], &pf);
	tap_ok(r == 0 && pf.revents == 0, "iopoll on an empty pipe: 0, revents 0 (got %d, %#x)", r,
	       pf.revents);
	t0 = now_ms();
	pf.timeout = 30;
	r = iopoll(p[0], &pf);
	tap_ok(r == 0 && now_ms() - t0 >= 30, "iopoll with timeout 30 ms: 0 after %lld ms (got %d)",
	       now_ms() - t0, r);
	TAP_EQ(iowrite(p[1], "hello", 5), 5, "iowrite of 5 bytes into the pipe");
	pf.timeout = 0;
	r = iopoll(p[0], &pf);
	tap_ok(r == 1 && pf.revents == POLLIN, "then iopoll: 1, revents POLLIN (got %d, %#x)", r,
	       pf.revents);
	pf.events = POLLOUT;
	r = iopoll(p[1], &pf);
	tap_ok(r == 1 && pf.revents == POLLOUT, "iopoll for POLLOUT on the write end: 1 (got %d, %#x)",
	       r, pf.revents);
	r = ioctl(p[0], FIONREAD, &n);
	tap_ok(r == 0 && n == 5, "ioctl FIONREAD on the pipe: 0, 5 bytes (got %d, %d)", r, n);
	memset(buf, 0, sizeof(buf));
	r = ioread(p[0], buf, sizeof(buf));
	tap_ok(r == 5 && !memcmp(buf, "hello", 6), "ioread: 5 bytes \"hello\" (got %d)", r);
	TAP_EQ(iowritev(p[1], wv, 3), 5, "iowritev of 2+0+3 bytes: 5");
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	r = ioreadv(p[0], rv, 2);
	tap_ok(r == 5 && !memcmp(a, "ab", 2) && !memcmp(b, "cde\0", 4),
	       "ioreadv into 2+10 bytes: 5, \"ab\" then \"cde\" (got %d)", r);
	struct iovec huge[2] = { { b, ZENIO_RW_MAX }, { b, 1 } };
	ZEN_ERR(ioreadv(-1, huge, 2), EINVAL,
		"ioreadv of more than ZENIO_RW_MAX bytes: -EINVAL, before the fd is looked at");
	ZEN_ERR(ioseek(p[0], 0, SEEK_SET), ESPIPE, "ioseek on a pipe: -ESPIPE");
	ZEN_ERR(ioctl(p[0], TIOCGWINSZ, &ws), ENOTTY, "ioctl TIOCGWINSZ on a pipe: -ENOTTY");
	errno = 0;
	r = (ioctl)(p[0], TIOCGWINSZ, &ws);
	tap_ok(r == -1 && errno == ENOTTY, "(ioctl)() is still POSIX's: -1 and errno ENOTTY (%d, %d)",
	       r, errno);
	TAP_EQ(ioclose(p[1]), 0, "ioclose of the write end");
	pf.events = POLLIN;
	pf.revents = 0;
	r = iopoll(p[0], &pf);
	tap_ok(r == 1 && pf.revents == POLLHUP, "iopoll after the writer closed: 1, POLLHUP (got %d, %#x)",
	       r, pf.revents);
	TAP_EQ(ioread(p[0], buf, sizeof(buf)), 0, "ioread at end of the pipe: 0");
	TAP_EQ(ioclose(p[0]), 0, "ioclose of the read end");

	/* p[0] is closed now: every call on it must say EBADF. */
	ZEN_ERR(ioclose(p[0]), EBADF, "ioclose twice: -EBADF");
	ZEN_ERR(ioread(p[0], buf, 1), EBADF, "ioread of a closed fd: -EBADF");
	ZEN_ERR(iowrite(p[0], buf, 1), EBADF, "iowrite of a closed fd: -EBADF");
	ZEN_ERR(ioreadv(p[0], rv, 2), EBADF, "ioreadv of a closed fd: -EBADF");
	ZEN_ERR(iowritev(-1, wv, 3), EBADF, "iowritev of fd -1: -EBADF");
	ZEN_ERR(ioseek(p[0], 0, SEEK_CUR), EBADF, "ioseek of a closed fd: -EBADF");
	ZEN_ERR(iopoll(p[0], &pf), EBADF, "iopoll of a closed fd: -EBADF");
	ZEN_ERR(iopoll(-1, &pf), EBADF, "iopoll of fd -1: -EBADF");
	ZEN_ERR(ioctl(p[0], FIONREAD, &n), EBADF, "ioctl of a closed fd: -EBADF");

	ZEN_ERR(ioopen(tap_path("/tests/data/nosuchfile"), O_RDONLY), ENOENT,
		"ioopen of a missing file: -ENOENT");
	fd = ioopen(tap_path("/tests/data/notelf"), O_RDONLY);
	if (tap_ok(fd >= 0, "ioopen of a data file read-only (%d, %s)", fd, errname(fd))) {
		memset(buf, 0, sizeof(buf));
		r = ioread(fd, buf, 16);
		tap_ok(r == 16 && !memcmp(buf, "This is a text f", 16),
		       "ioread gives its first 16 bytes (got %d)", r);
		ZEN_ERR(iowrite(fd, "x", 1), EBADF, "iowrite on a read-only fd: -EBADF");
		TAP_EQ(ioclose(fd), 0, "ioclose of it");
	} else {
		tap_blocked("ioread gives its first 16 bytes");
		tap_blocked("iowrite on a read-only fd: -EBADF");
		tap_blocked("ioclose of it");
	}
}

/* ioopen with O_CREAT|O_EXCL, then bytes and offsets through ioread/iowrite/ioseek/-v. */
static void test_file(ino_t *ino)
{
	static const char want[24] = "0123456789\0\0\0\0\0\0\0\0\0\0abcd";
	char buf[32], x[12], y[20];
	struct iovec wv[2] = { { "ab", 2 }, { "cd", 2 } };
	struct iovec rv[2] = { { x, sizeof(x) }, { y, sizeof(y) } };
	struct stat st;
	int fd, r;

	fd = ioopen(at("sub/file"), O_CREAT | O_EXCL | O_RDWR, 0644);
	if (!tap_ok(fd >= 0, "ioopen O_CREAT|O_EXCL makes sub/file (%d, %s)", fd, errname(fd)))
		fd = -1;
	ZEN_ERR(ioopen(at("sub/file"), O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST,
		"ioopen O_CREAT|O_EXCL of it again: -EEXIST");
	ZEN_ERR(ioopen(at("nodir/file"), O_CREAT | O_RDWR, 0644), ENOENT,
		"ioopen O_CREAT in a missing directory: -ENOENT");
	TAP_EQ(iowrite(fd, "0123456789", 10), 10, "iowrite of 10 bytes");
	TAP_EQ(ioseek(fd, 0, SEEK_CUR), 10, "ioseek SEEK_CUR 0: offset 10");
	TAP_EQ(ioseek(fd, 2, SEEK_SET), 2, "ioseek SEEK_SET 2: offset 2");
	memset(buf, 0, sizeof(buf));
	r = ioread(fd, buf, 4);
	tap_ok(r == 4 && !memcmp(buf, "2345", 4), "ioread 4 there: \"2345\" (got %d, \"%.4s\")", r,
	       buf);
	TAP_EQ(ioseek(fd, -3, SEEK_END), 7, "ioseek SEEK_END -3: offset 7");
	memset(buf, 0, sizeof(buf));
	r = ioread(fd, buf, sizeof(buf));
	tap_ok(r == 3 && !memcmp(buf, "789", 3), "ioread to the end: 3 bytes \"789\" (got %d)", r);
	TAP_EQ(ioread(fd, buf, sizeof(buf)), 0, "ioread at end of file: 0");
	ZEN_ERR(ioseek(fd, -1, SEEK_SET), EINVAL, "ioseek to offset -1: -EINVAL");
	TAP_EQ(ioseek(fd, 20, SEEK_SET), 20, "ioseek past the end, to 20");
	TAP_EQ(iowritev(fd, wv, 2), 4, "iowritev \"ab\" \"cd\" there: 4");
	TAP_EQ(ioseek(fd, 0, SEEK_SET), 0, "ioseek back to 0");
	memset(x, 'x', sizeof(x));
	memset(y, 'y', sizeof(y));
	r = ioreadv(fd, rv, 2);
	tap_ok(r == 24 && !memcmp(x, want, 12) && !memcmp(y, want + 12, 12) && y[12] == 'y',
	       "ioreadv 12+20: the 24 bytes, the hole read as zeros (got %d)", r);
	r = fstat(fd, &st);
	tap_ok(r == 0 && st.st_size == 24, "fstat: size 24 (got %lld)", (long long)st.st_size);
	*ino = r == 0 ? st.st_ino : 0;
	TAP_EQ(ioclose(fd), 0, "ioclose of the file");
}

static int ends_in_7(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n && e->d_name[n - 1] == '7';
}

static int by_name_desc(const struct dirent **a, const struct dirent **b)
{
	return -strcmp((*a)->d_name, (*b)->d_name);
}

static void free_list(struct dirent **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* sub/ holds ".", "..", "renamed" (a file) and "link" (a symbolic link) at this point. */
static void test_readdir(void)
{
	static const char *const names[] = { ".", "..", "renamed", "link" };
	static const unsigned char types[] = { DT_DIR, DT_DIR, DT_REG, DT_LNK };
	int seen[4] = { 0 }, other = 0, badtype = 0, r, ok;
	struct dirent *e;
	IODIR *dir = NULL;

	r = ioopendir(at("sub"), &dir);
	if (!TAP_EQ(r, 0, "ioopendir of sub")) {
		tap_blocked("ioreaddir lists exactly . .. renamed link, each once, with its d_type");
		tap_blocked("ioreaddir at the end: NULL, errno unchanged");
		tap_blocked("ioclosedir: 0");
		return;
	}
	errno = 0;
	while ((e = ioreaddir(dir))) {
		int i;

		for (i = 0; i < 4 && strcmp(e->d_name, names[i]); i++)
			;
		if (i == 4) {
			tap_diag("unexpected entry \"%s\"", e->d_name);
			other++;
		} else {
			seen[i]++;
			if (e->d_type != types[i]) {
				tap_diag("\"%s\" has d_type %d, expected %d", e->d_name, e->d_type,
					 types[i]);
				badtype++;
			}
		}
	}
	ok = errno == 0 && !other && !badtype;
	for (int i = 0; i < 4; i++)
		ok = ok && seen[i] == 1;
	tap_ok(ok, "ioreaddir lists exactly . .. renamed link, each once, with its d_type (errno %d)",
	       errno);
	errno = 0;
	tap_ok(!ioreaddir(dir) && errno == 0, "ioreaddir at the end: NULL, errno unchanged");
	TAP_EQ(ioclosedir(dir), 0, "ioclosedir: 0");
}

static void test_scandir(void)
{
	struct dirent **v = (struct dirent **)&v;
	char name[16];
	int made = 0, n, ok;

	/* Made out of order (37 is prime to 100), so that sorting has work to do. */
	for (int i = 0; i < NMANY; i++) {
		int fd;

		snprintf(name, sizeof(name), "many/f%03d", i * 37 % NMANY);
		fd = ioopen(at(name), O_CREAT | O_EXCL | O_WRONLY, 0600);
		if (fd >= 0 && ioclose(fd) == 0)
			made++;
	}
	TAP_EQ(made, NMANY, "ioopen makes %d files in many/", NMANY);

	n = ioscandir(at("many"), &v, NULL, alphasort);
	ok = n == NMANY + 2;
	if (ok)
		ok = !strcmp(v[0]->d_name, ".") && !strcmp(v[1]->d_name, "..");
	for (int i = 0; ok && i < NMANY; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		ok = !strcmp(v[i + 2]->d_name, name) && v[i + 2]->d_type == DT_REG;
		if (!ok)
			tap_diag("entry %d is \"%s\" (type %d), expected \"%s\"", i + 2,
				 v[i + 2]->d_name, v[i + 2]->d_type, name);
	}
	tap_ok(ok, "ioscandir with alphasort: exactly . .. f000 ... f%03d in order (got %d, %s)",
	       NMANY - 1, n, errname(n));
	if (n > 0)
		free_list(v, n);

	n = ioscandir(at("many"), &v, ends_in_7, by_name_desc);
	ok = n == NMANY / 10;
	for (int i = 0; ok && i < n; i++) {
		snprintf(name, sizeof(name), "f%03d", 97 - 10 * i);
		ok = !strcmp(v[i]->d_name, name);
	}
	tap_ok(ok, "ioscandir with a filter and a reverse order: f097 f087 ... f007 (got %d)", n);
	if (n > 0)
		free_list(v, n);

	v = (struct dirent **)&v;
	ZEN_ERR(ioscandir(at("nothere"), &v, NULL, NULL), ENOENT, "ioscandir of a missing directory: -ENOENT");
	tap_ok(v == (struct dirent **)&v, "... and *list is untouched");
	n = ioscandir(at("sub/renamed"), &v, NULL, NULL);
	ZEN_ERR(n, ENOTDIR, "ioscandir of a file: -ENOTDIR");
}

/* The calls on names in the scratch tree: mkdir, chmod, rename, symlink, readdir, chdir, unlink. */
static void test_tree(void)
{
	char buf[PATH_MAX], cwd[PATH_MAX];
	struct stat st;
	ino_t ino = 0;
	IODIR *dir = (IODIR *)&dir;
	ssize_t len;
	int fd, r;

	TAP_EQ(iomkdir(at("sub"), 0755), 0, "iomkdir sub");
	r = stat(at("sub"), &st);
	tap_ok(r == 0 && S_ISDIR(st.st_mode), "stat: sub is a directory");
	ZEN_ERR(iomkdir(at("sub"), 0755), EEXIST, "iomkdir sub again: -EEXIST");
	ZEN_ERR(iomkdir(at("nodir/x"), 0755), ENOENT, "iomkdir under a missing parent: -ENOENT");
	TAP_EQ(iomkdir(at("many"), 0700), 0, "iomkdir many");

	test_file(&ino);

	TAP_EQ(iochmod(at("sub/file"), 0604), 0, "iochmod sub/file 0604");
	r = stat(at("sub/file"), &st);
	tap_ok(r == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0604,
	       "stat: a regular file with mode 0604 (got %#o)", (unsigned)st.st_mode);
	ZEN_ERR(iochmod(at("nothere"), 0644), ENOENT, "iochmod of a missing file: -ENOENT");

	TAP_EQ(iorename(at("sub/file"), at("sub/renamed")), 0, "iorename sub/file to sub/renamed");
	TAP_ERRNO(stat(at("sub/file"), &st), ENOENT, "stat of the old name: ENOENT");
	r = stat(at("sub/renamed"), &st);
	tap_ok(r == 0 && st.st_ino == ino && st.st_size == 24,
	       "stat of the new name: the same inode, 24 bytes");
	ZEN_ERR(iorename(at("nothere"), at("sub/x")), ENOENT, "iorename of a missing file: -ENOENT");

	TAP_EQ(iosymlink("renamed", at("sub/link")), 0, "iosymlink sub/link -> renamed");
	memset(buf, 0, sizeof(buf));
	len = readlink(at("sub/link"), buf, sizeof(buf));
	tap_ok(len == 7 && !strcmp(buf, "renamed"), "readlink: \"renamed\", 7 bytes (got %zd)", len);
	r = lstat(at("sub/link"), &st);
	tap_ok(r == 0 && S_ISLNK(st.st_mode), "lstat: a symbolic link");
	ZEN_ERR(iosymlink("renamed", at("sub/link")), EEXIST, "iosymlink over an existing name: -EEXIST");
	fd = ioopen(at("sub/link"), O_RDONLY);
	memset(buf, 0, sizeof(buf));
	r = fd >= 0 ? ioread(fd, buf, 4) : fd;
	tap_ok(r == 4 && !memcmp(buf, "0123", 4), "ioopen follows the link to the file's bytes (%d)",
	       r);
	if (fd >= 0)
		ioclose(fd);

	test_readdir();
	ZEN_ERR(ioopendir(at("nothere"), &dir), ENOENT, "ioopendir of a missing directory: -ENOENT");
	ZEN_ERR(ioopendir(at("sub/renamed"), &dir), ENOTDIR, "ioopendir of a file: -ENOTDIR");
	tap_ok(dir == (IODIR *)&dir, "... and *dirp is untouched");
	errno = 0;
	tap_ok(!ioreaddir(NULL) && errno == EBADF, "ioreaddir(NULL): NULL, errno EBADF");
	ZEN_ERR(ioclosedir(NULL), EBADF, "ioclosedir(NULL): -EBADF");
	test_scandir();

	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	TAP_EQ(iochdir(at("sub")), 0, "iochdir sub");
	tap_ok(getcwd(buf, sizeof(buf)) && !strcmp(buf, at("sub")), "getcwd names it (%s)", buf);
	fd = ioopen("renamed", O_RDONLY);
	tap_ok(fd >= 0, "ioopen of a relative name finds sub/renamed (%d)", fd);
	if (fd >= 0)
		ioclose(fd);
	TAP_EQ(iochdir(".."), 0, "iochdir ..");
	tap_ok(getcwd(buf, sizeof(buf)) && !strcmp(buf, scratch), "getcwd names the scratch dir");
	ZEN_ERR(iochdir("nothere"), ENOENT, "iochdir to a missing directory: -ENOENT");
	ZEN_ERR(iochdir("sub/renamed"), ENOTDIR, "iochdir to a file: -ENOTDIR");
	if (cwd[0])
		iochdir(cwd);

	TAP_EQ(iounlink(at("sub/link")), 0, "iounlink sub/link");
	TAP_ERRNO(lstat(at("sub/link"), &st), ENOENT, "lstat: the link is gone");
	TAP_EQ(stat(at("sub/renamed"), &st), 0, "and its target is still there");
	ZEN_ERR(iounlink(at("sub/link")), ENOENT, "iounlink of it again: -ENOENT");
	ZEN_ERR(iounlink(at("sub")), ENOTEMPTY, "iounlink of a directory that is not empty: -ENOTEMPTY");
}

/* Removes the scratch tree with iounlink alone: files, then the emptied directories. */
static void cleanup(void)
{
	char name[16];
	struct stat st;
	int gone = 0;

	TAP_EQ(iounlink(at("sub/renamed")), 0, "iounlink sub/renamed");
	for (int i = 0; i < NMANY; i++) {
		snprintf(name, sizeof(name), "many/f%03d", i);
		gone += iounlink(at(name)) == 0;
	}
	TAP_EQ(gone, NMANY, "iounlink of the %d files in many/", NMANY);
	TAP_EQ(iounlink(at("sub")), 0, "iounlink of the empty directory sub");
	TAP_EQ(iounlink(at("many")), 0, "iounlink of the empty directory many");
	TAP_EQ(iounlink(scratch), 0, "iounlink of the scratch directory");
	TAP_ERRNO(stat(scratch, &st), ENOENT, "stat: the scratch directory is gone");
}

int main(int argc, char **argv)
{
	(void)argc;
	tap_init(argv, PLAN);
	test_descriptors();
	snprintf(scratch, sizeof(scratch), "/tmp/zenio.XXXXXX");
	if (tap_ok(mkdtemp(scratch) != NULL, "mkdtemp makes a scratch directory in /tmp")) {
		test_tree();
		cleanup();
	} else {
		tap_diag("mkdtemp: %s", strerror(errno));
		while (tap_n < PLAN)
			tap_blocked("a check in the scratch directory");
	}
	return tap_done();
}
