/* userland/tests/fat.c: the guest half of the FAT suite (tests/qemu/fat.sh): mtools-made FAT12/16/32
 * images put on /dev/ram0 and mounted, compared with their source tree; corrupted images refused or
 * giving EIO; a round trip whose result the host checks with mtools after the guest dumps the disk.
 * Skips unless the suite's files are in /fat-test (the host and the plain userland runs lack them). */
#include "scratch.h"
#include "modhelp.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#define PLAN 67
#define MNT "/mnt"
#define DATA "/fat-test"
#define MSDOS_SUPER_MAGIC 0x4d44

/* The bytes fatimg.py's pattern() gives: both sides write and check the same. */
static unsigned char pat(size_t i, int seed)
{
	return (unsigned char)((i * 131 + (size_t)seed * 7 + (i >> 8)) & 0xff);
}

static int sh(const char *cmd)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Puts image NAME (gzipped in /fat-test) on the RAM disk. */
static int load(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "gunzip -c " DATA "/%s.img.gz > /dev/ram0", name);
	return sh(cmd);
}

static int mount_fat(void)
{
	return mount("/dev/ram0", MNT, "vfat", 0, NULL);
}

static int write_pattern(const char *path, size_t n, int seed, size_t chunk)
{
	unsigned char buf[4099];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	for (size_t done = 0; done < n;) {
		size_t k = n - done < chunk ? n - done : chunk;
		for (size_t i = 0; i < k; i++)
			buf[i] = pat(done + i, seed);
		if (write(fd, buf, k) != (ssize_t)k) {
			close(fd);
			return -1;
		}
		done += k;
	}
	return close(fd);
}

/* Reads path whole into buf (at most size): the length, or -errno. */
static long read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long got = 0, r;

	if (fd < 0)
		return -errno;
	while ((size_t)got < size && (r = read(fd, buf + got, size - (size_t)got)) > 0)
		got += r;
	if (r < 0)
		got = -errno;
	close(fd);
	return got;
}

static int files_same(const char *a, const char *b)
{
	static char x[65536], y[65536];
	int fa = open(a, O_RDONLY), fb = open(b, O_RDONLY), same = fa >= 0 && fb >= 0;

	while (same) {
		ssize_t ra = read(fa, x, sizeof(x)), rb = read(fb, y, sizeof(y));
		if (ra != rb || ra < 0 || memcmp(x, y, (size_t)ra))
			same = 0;
		if (ra <= 0)
			break;
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return same;
}

/* Compares the tree at src with dst: every name, type, size and byte. Counts files and faults. */
static void compare(const char *src, const char *dst, int *files, int *bad)
{
	DIR *d = opendir(src);
	struct dirent *e;

	if (!d || scratch_entries(src) != scratch_entries(dst)) {
		tap_diag("%s: %d entries, %s: %d", src, scratch_entries(src), dst, scratch_entries(dst));
		++*bad;
	}
	while (d && (e = readdir(d))) {
		char s[1024], t[1024];
		struct stat ss, ts;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(s, sizeof(s), "%s/%s", src, e->d_name);
		snprintf(t, sizeof(t), "%s/%s", dst, e->d_name);
		if (stat(s, &ss) || stat(t, &ts) || (ss.st_mode & S_IFMT) != (ts.st_mode & S_IFMT)) {
			tap_diag("%s: missing or of another type (%s)", t, strerror(errno));
			++*bad;
		} else if (S_ISDIR(ss.st_mode)) {
			compare(s, t, files, bad);
		} else if (ss.st_size != ts.st_size || !files_same(s, t)) {
			tap_diag("%s: %lld bytes differ from the source's %lld", t,
				 (long long)ts.st_size, (long long)ss.st_size);
			++*bad;
		} else {
			++*files;
		}
	}
	if (d)
		closedir(d);
}

struct dirent64_raw {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* A listing read in small pieces resumes exactly at a d_off it was given. */
static int resume_at_offset(const char *dir)
{
	static char buf[4096], first[64][256];
	int64_t off[64];
	int n = 0, ok = 0, fd = open(dir, O_RDONLY | O_DIRECTORY);
	long got;

	if (fd < 0)
		return 0;
	while (n < 40 && (got = syscall(SYS_getdents64, fd, buf, 300)) > 0)
		for (long p = 0; p < got && n < 64;) {
			struct dirent64_raw *e = (void *)(buf + p);
			snprintf(first[n], sizeof(first[n]), "%s", e->d_name);
			off[n++] = e->d_off;
			p += e->d_reclen;
		}
	if (n >= 30 && lseek(fd, off[20], SEEK_SET) == off[20] &&
	    syscall(SYS_getdents64, fd, buf, 300) > 0)
		ok = !strcmp(((struct dirent64_raw *)buf)->d_name, first[21]);
	close(fd);
	return ok;
}

static void read_images(void)
{
	static const char *const types[] = { "fat12", "fat16", "fat32" };

	for (int t = 0; t < 3; t++) {
		struct statfs sf;
		int files = 0, bad = 0;
		if (!tap_ok(!load(types[t]) && !mount_fat(), "%s: the mtools image mounts (%s)",
			    types[t], strerror(errno))) {
			tap_blocked("%s: tree", types[t]);
			tap_blocked("%s: statfs", types[t]);
			tap_blocked("%s: unmount", types[t]);
			continue;
		}
		compare(DATA "/tree", MNT, &files, &bad);
		tap_ok(!bad && files == 131, "%s: %d files and their directories read back identical to "
		       "the source tree (%d differences)", types[t], files, bad);
		tap_ok(!statfs(MNT, &sf) && sf.f_type == MSDOS_SUPER_MAGIC && sf.f_bsize == 512 &&
		       sf.f_bfree < sf.f_blocks, "%s: statfs says msdos, 512-byte clusters", types[t]);
		if (t == 1) {
			struct stat a, b;
			tap_ok(resume_at_offset(MNT "/many"), "getdents64 resumes at a d_off it gave");
			tap_ok(!stat(MNT "/readme.txt", &a) && !stat(MNT "/README.TXT", &b) &&
			       a.st_ino == b.st_ino, "names are found whatever their case, as one file");
			tap_ok(!stat(MNT "/MIXEDC~1.TXT", &a) && a.st_size == 29,
			       "a long name's 8.3 alias finds the file");
		}
		tap_ok(!umount(MNT), "%s: unmounts", types[t]);
	}
}

static void bad_images(void)
{
	static const char *const bad[] = { "bps", "spc", "total", "sig", "fatsize", "zero",
					   "rootclus", "fsinfo" };
	char log[65536];
	long n;

	for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		char name[32];
		snprintf(name, sizeof(name), "bad-%s", bad[k]);
		tap_ok(!load(name), "%s: image loaded", name);
		TAP_ERRNO(mount_fat(), EINVAL, "%s: mount refused with EINVAL", name);
	}
	n = sh("dmesg > /tmp/fat-dmesg") ? -1 : read_file("/tmp/fat-dmesg", log, sizeof(log) - 1);
	if (n >= 0)
		log[n] = '\0';
	tap_ok(n > 0 && strstr(log, "ram0: not a valid FAT volume: 1000 bytes per sector") &&
	       strstr(log, "not a valid FAT volume: root cluster 268435440 outside"),
	       "the kernel log says why each was refused");
}

static void corrupt_chains(void)
{
	char buf[4096];
	struct stat st;
	DIR *d;
	struct dirent *e;
	int alias = 0, lfn = 0;

	if (!tap_ok(!load("bad-chains") && !mount_fat(), "bad-chains: mounts")) {
		for (int k = 0; k < 8; k++)
			tap_blocked("bad-chains: check %d", k);
		return;
	}
	TAP_EQ(read_file(MNT "/GOOD.TXT", buf, sizeof(buf)), 700, "a good file reads whole");
	TAP_EQ(read_file(MNT "/LOOP.BIN", buf, sizeof(buf)), -EIO, "a looping chain gives EIO");
	TAP_EQ(read_file(MNT "/RANGE.BIN", buf, sizeof(buf)), -EIO,
	       "a cluster number past the volume gives EIO");
	TAP_ERRNO(stat(MNT "/START.BIN", &st), EIO, "a start cluster past the volume gives EIO");
	TAP_EQ(read_file(MNT "/FREE.BIN", buf, sizeof(buf)), -EIO,
	       "a chain running into a free cluster gives EIO");
	TAP_ERRNO(stat(MNT "/LOOPDIR", &st), EIO, "a directory whose chain loops gives EIO");
	d = opendir(MNT);
	while (d && (e = readdir(d))) {
		alias += !strcmp(e->d_name, "BADCHE~1.TXT");
		lfn += !strcmp(e->d_name, "Bad Checksum Name.txt");
	}
	if (d)
		closedir(d);
	tap_ok(alias == 1 && !lfn, "a long name whose checksum is wrong is ignored: the 8.3 name shows");
	tap_ok(read_file(MNT "/GOOD.TXT", buf, sizeof(buf)) == 700 && !umount(MNT),
	       "after the errors the volume still reads and unmounts");
}

/* Changes that fatimg.py's RT_FILES and RT_GONE describe, checked again by the host. */
static void roundtrip(void)
{
	char buf[8192], name[256];
	struct stat st;
	struct statfs a, b;
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1623760497, 0 } };
	int fd, ok;

	if (!tap_ok(!load("rt12") && !mount_fat(), "rt12: mounts")) {
		for (int k = 0; k < 23; k++)
			tap_blocked("rt12: check %d", k);
		return;
	}
	tap_ok(!write_pattern(MNT "/new.txt", 3000, 1, 1000), "create and write new.txt");
	TAP_ERRNO(open(MNT "/NEW.TXT", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST,
		  "O_EXCL on another case of the name: EEXIST");
	tap_ok(!mkdir(MNT "/Long Directory Name", 0755) &&
	       !mkdir(MNT "/Long Directory Name/inner", 0755) &&
	       !write_pattern(MNT "/Long Directory Name/inner/\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 file.txt",
			      700, 2, 700), "mkdir two levels and a UTF-8 name in them");
	tap_ok(!write_pattern(MNT "/big.bin", 200000, 3, 4099), "200000 bytes in 4099-byte writes");
	tap_ok(!scratch_write(MNT "/keep.txt", "more\n", 5, O_APPEND), "append to a file");
	tap_ok(!truncate(MNT "/trunc-shrink.bin", 1234) && !truncate(MNT "/trunc-grow.txt", 3000) &&
	       read_file(MNT "/trunc-grow.txt", buf, sizeof(buf)) == 3000 && buf[3] == 'w' &&
	       buf[4] == 0 && buf[2999] == 0, "truncate down, and up with zeros");
	fd = open(MNT "/sparse.bin", O_WRONLY | O_CREAT, 0644);
	ok = fd >= 0 && pwrite(fd, "0123456789", 10, 5000) == 10 && !close(fd);
	tap_ok(ok && read_file(MNT "/sparse.bin", buf, sizeof(buf)) == 5010 && !buf[0] &&
	       !buf[4999] && buf[5000] == '0', "a write past the end leaves a hole of zeros");
	tap_ok(!rename(MNT "/rename-me.txt", MNT "/Renamed File.txt"), "rename to a long name");
	tap_ok(!scratch_write(MNT "/overwriter.txt", "over\n", 5, O_TRUNC) &&
	       !rename(MNT "/overwriter.txt", MNT "/victim.txt") &&
	       read_file(MNT "/victim.txt", buf, sizeof(buf)) == 5 && !memcmp(buf, "over\n", 5),
	       "rename over an existing file replaces it");
	TAP_ERRNO(rmdir(MNT "/old"), ENOTEMPTY, "rmdir of a non-empty directory: ENOTEMPTY");
	tap_ok(!unlink(MNT "/old/gone.txt") && !rmdir(MNT "/old"), "unlink, then rmdir the emptied directory");
	ok = 1;
	for (int k = 0; k < 40; k++) {
		snprintf(name, sizeof(name), MNT "/Long Directory Name/entry %02d with a long name.txt", k);
		ok &= !write_pattern(name, 100 + (size_t)k, k, 4096);
	}
	for (int k = 0; k < 40; k += 2) {
		snprintf(name, sizeof(name), MNT "/Long Directory Name/entry %02d with a long name.txt", k);
		ok &= !unlink(name);
	}
	tap_ok(ok && scratch_entries(MNT "/Long Directory Name") == 21, "40 long names grow a directory; 20 removed");
	tap_ok(!scratch_write(MNT "/smile \xf0\x9f\x98\x80.txt", "s", 1, 0) &&
	       !stat(MNT "/smile \xf0\x9f\x98\x80.txt", &st) && !unlink(MNT "/smile \xf0\x9f\x98\x80.txt"),
	       "a name outside the BMP (a UTF-16 surrogate pair)");
	TAP_ERRNO(symlink("x", MNT "/link"), EPERM, "symlink: EPERM");
	TAP_ERRNO(link(MNT "/keep.txt", MNT "/hard"), EPERM, "link: EPERM");
	TAP_ERRNO(mknod(MNT "/fifo", S_IFIFO | 0644, 0), EPERM, "mknod of a FIFO: EPERM");
	TAP_ERRNO(chmod(MNT "/keep.txt", 0600), EPERM, "chmod to a mode FAT cannot keep: EPERM");
	tap_ok(!chmod(MNT "/keep.txt", 0555) && !stat(MNT "/keep.txt", &st) &&
	       (st.st_mode & 0777) == 0555 && !chmod(MNT "/keep.txt", 0755),
	       "chmod a-w sets the read-only attribute, and back");
	TAP_ERRNO(chown(MNT "/keep.txt", 1000, 1000), EPERM, "chown to another owner: EPERM");
	tap_ok(!utimensat(AT_FDCWD, MNT "/keep.txt", ts, 0) && !stat(MNT "/keep.txt", &st) &&
	       st.st_mtime == 1623760496, "utimensat: the time in FAT's 2-second steps");
	/* Fill the disk, then give it all back. */
	fd = open(MNT "/fill", O_WRONLY | O_CREAT, 0644);
	ok = fd >= 0 && !statfs(MNT, &a);
	memset(buf, 'f', sizeof(buf));
	while (ok && write(fd, buf, sizeof(buf)) > 0)
		;
	ok = ok && errno == ENOSPC && !fstat(fd, &st) && !close(fd) &&
	     (unsigned long)st.st_size == a.f_bfree * 512;
	tap_ok(ok, "writing until ENOSPC fills exactly the free clusters");
	tap_ok(!unlink(MNT "/fill") && !statfs(MNT, &b) && b.f_bfree == a.f_bfree,
	       "unlink gives every cluster back");
	fd = open(MNT "/trunc-shrink.bin", O_RDONLY);
	tap_ok(fd >= 0 && !fsync(fd) && !close(fd) && !umount(MNT), "fsync, then unmount");
}

/* The RAM disk's first bytes (the whole volume or its start) as base64 of gzip, for the host. */
static void dump(const char *tag, long bytes)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "head -c %ld /dev/ram0 | gzip -c | base64", bytes);
	printf("FAT-DUMP-BEGIN %s\n", tag);
	fflush(stdout);
	sh(cmd);
	printf("FAT-DUMP-END %s\n", tag);
	fflush(stdout);
}

static void fat32_fsinfo(void)
{
	tap_ok(!load("rt32") && !mount_fat() && !write_pattern(MNT "/written by granary.bin", 100000, 11, 4096) &&
	       !umount(MNT), "rt32: a file written on FAT32 and unmounted");
}

int main(int argc __attribute__((unused)), char **argv)
{
	if (access(DATA "/tree", F_OK)) {
		tap_init(argv, 1);
		tap_skip("FAT images", "no " DATA ": tests/qemu/fat.sh runs this in the fat suite");
		return tap_done();
	}
	if (getpid() == 1) {
		mount("dev", "/dev", "devtmpfs", 0, NULL);
		mount("proc", "/proc", "proc", 0, NULL);
		mount("tmp", "/tmp", "tmpfs", 0, NULL);
	}
	tap_init(argv, PLAN);
	tap_ok(!need_fs("vfat", "fat"), "vfat is registered (fat.ko loaded if it is a module)");
	read_images();
	bad_images();
	corrupt_chains();
	roundtrip();
	dump("rt12", 1474560);
	fat32_fsinfo();
	dump("rt32", 2 << 20);
	return tap_done();
}
