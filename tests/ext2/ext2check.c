/* tests/ext2/ext2check.c: the guest side of the ext2 suite: runs the plan tests/ext2/mkimages wrote (copy an
 * image to ram0, mount, compare every file with the manifest, expect EIO from corrupted ones) and prints TAP.
 * With --host ROOT MANIFEST it checks a plain directory instead, so the checker itself is tested on Linux. */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include "tap.h"
#include "modhelp.h"

#define DEV "/ext2/ram0"
#define MNT "/mnt"

#include "manifest.h"

static const char *errname(int e)
{
	switch (e) {
	case 0: return "0";
	case EIO: return "EIO";
	case EINVAL: return "EINVAL";
	case EROFS: return "EROFS";
	case ENOENT: return "ENOENT";
	default: return tap_errname(e);
	}
}

static int expect_errno(const char *s)
{
	if (!strcmp(s, "0")) return 0;
	if (!strcmp(s, "EIO")) return EIO;
	if (!strcmp(s, "EINVAL")) return EINVAL;
	if (!strcmp(s, "EROFS")) return EROFS;
	if (!strcmp(s, "ENOENT")) return ENOENT;
	return -1;
}

static void result(int err, int want, const char *line)
{
	if (!tap_ok(err == want, "%s", line))
		tap_diag("got %s, expected %s", errname(err), errname(want));
}

static int copy_image(const char *name)
{
	static char buf[65536];
	char path[256];
	int in, out, err = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/ext2/%s", name);
	in = open(path, O_RDONLY);
	out = open(DEV, O_WRONLY);
	if (in < 0 || out < 0)
		return errno;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			err = errno ? errno : EIO;
			break;
		}
	if (n < 0)
		err = errno;
	close(in);
	if (close(out) && !err)
		err = errno;
	return err;
}

static unsigned long long rng;

static unsigned rnd(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng >> 33);
}

/* Visits everything under path (bounded in depth and count: a damaged directory may name
 * its own ancestor), reading files and links; errors are expected and ignored. */
static void walk(const char *path, int depth, int *budget)
{
	static char data[65536];
	char buf[4096], child[1024];
	struct stat st;
	long n;
	int fd = open(path, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return;
	while (*budget > 0 && (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n && *budget > 0;) {
			struct dirent64_ *d = (void *)(buf + off);
			off += d->reclen;
			if (!strcmp(d->name, ".") || !strcmp(d->name, ".."))
				continue;
			(*budget)--;
			snprintf(child, sizeof(child), "%s/%.255s", path, d->name);
			if (lstat(child, &st))
				continue;
			if (S_ISREG(st.st_mode)) {
				int f = open(child, O_RDONLY);
				for (int k = 0; f >= 0 && k < 4 && read(f, data, sizeof(data)) > 0; k++)
					;
				if (f >= 0)
					close(f);
			} else if (S_ISLNK(st.st_mode)) {
				readlink(child, data, sizeof(data));
			} else if (S_ISDIR(st.st_mode) && depth < 6) {
				walk(child, depth + 1, budget);
			}
		}
	}
	close(fd);
}

/* fuzz IMAGE COUNT SEED LO:HI,...: COUNT copies of IMAGE, each with 1 to 8 bytes in the given
 * ranges (the metadata mkimages found) set to a random value, zero, 0xff or a flipped bit. */
static void fuzz(const char *name, int count, unsigned seed, const char *ranges)
{
	char path[256];
	long lo[16], hi[16];
	int nr = 0, fd, mounted = 0, umount_failed = 0, out;
	unsigned char *orig, *img;
	long size;

	for (const char *p = ranges; *p && nr < 16; nr++) {
		lo[nr] = strtol(p, (char **)&p, 10);
		hi[nr] = strtol(p + 1, (char **)&p, 10);
		if (*p == ',')
			p++;
	}
	snprintf(path, sizeof(path), "/ext2/%s", name);
	fd = open(path, O_RDONLY);
	size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
	orig = size > 0 ? malloc((size_t)size) : NULL;
	img = size > 0 ? malloc((size_t)size) : NULL;
	if (!orig || !img || !nr || pread(fd, orig, (size_t)size, 0) != size) {
		tap_ok(0, "fuzz: %s can be read", name);
		return;
	}
	close(fd);
	for (int r = 0; r < nr; r++)
		if (lo[r] < 0 || hi[r] <= lo[r] || hi[r] > size) {
			tap_ok(0, "fuzz: range %ld:%ld inside the image", lo[r], hi[r]);
			return;
		}
	rng = seed;
	for (int k = 0; k < count; k++) {
		int flips = 1 + (int)(rnd() % 8), budget = 400;
		memcpy(img, orig, (size_t)size);
		for (int j = 0; j < flips; j++) {
			int r = (int)(rnd() % (unsigned)nr);
			long off = lo[r] + (long)(rnd() % (unsigned)(hi[r] - lo[r]));
			switch (rnd() % 4) {
			case 0: img[off] = (unsigned char)rnd(); break;
			case 1: img[off] = 0; break;
			case 2: img[off] = 0xff; break;
			default: img[off] ^= (unsigned char)(1u << (rnd() % 8)); break;
			}
		}
		out = open(DEV, O_WRONLY);
		if (out < 0 || write(out, img, (size_t)size) != size) {
			tap_ok(0, "fuzz: image %d written to ram0", k);
			return;
		}
		close(out);
		if (mount(DEV, MNT, "ext2", MS_RDONLY, NULL))
			continue;
		mounted++;
		walk(MNT, 0, &budget);
		if (umount(MNT))
			umount_failed++;
	}
	free(orig);
	free(img);
	tap_diag("fuzz: %d of %d damaged images mounted", mounted, count);
	tap_ok(!umount_failed && mounted > count / 4,
	       "fuzz: %d damaged images each mounted and walked or refused, no crash or hang", count);
}

static void run_line(char *line)
{
	char copy[512], *argv[6] = { 0 }, path[512];
	int argc = 0, err = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	for (char *t = strtok(copy, " "); t && argc < 6; t = strtok(NULL, " "))
		argv[argc++] = t;
	if (!argc)
		return;
	snprintf(path, sizeof(path), "%s%s", MNT, argc > 1 ? argv[1] : "");
	if (!strcmp(argv[0], "image")) {
		result(copy_image(argv[1]), 0, line);
	} else if (!strcmp(argv[0], "mount") || !strcmp(argv[0], "mountrw")) {
		err = mount(DEV, MNT, "ext2", argv[0][5] ? 0 : MS_RDONLY, NULL) ? errno : 0;
		result(err, expect_errno(argv[1]), line);
		if (!err && argv[0][5])
			umount(MNT);
	} else if (!strcmp(argv[0], "umount")) {
		result(umount(MNT) ? errno : 0, expect_errno(argv[1]), line);
	} else if (!strcmp(argv[0], "stat")) {
		struct stat st;
		result(lstat(path, &st) ? errno : 0, expect_errno(argv[2]), line);
	} else if (!strcmp(argv[0], "getdents")) {
		char buf[4096];
		long n;
		int fd = open(path, O_RDONLY | O_DIRECTORY);
		if (fd < 0) {
			err = errno;
		} else {
			while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
				;
			err = n < 0 ? errno : 0;
			close(fd);
		}
		result(err, expect_errno(argv[2]), line);
	} else if (!strcmp(argv[0], "read")) {
		/* The small images' files hold byte (offset % 256) at each offset. */
		long long off = atoll(argv[2]), len = atoll(argv[3]);
		unsigned char *buf = malloc((size_t)len);
		int fd = open(path, O_RDONLY);
		ssize_t n = fd < 0 || !buf ? -1 : pread(fd, buf, (size_t)len, off);
		err = n < 0 ? errno : 0;
		for (ssize_t k = 0; k < n; k++)
			if (buf[k] != (unsigned char)((off + k) % 256))
				err = -1;
		if (n >= 0 && n != len)
			err = -1;
		if (fd >= 0)
			close(fd);
		free(buf);
		result(err, expect_errno(argv[4]), line);
	} else if (!strcmp(argv[0], "exec")) {
		pid_t pid = fork();
		int status = -1;
		if (!pid) {
			char *args[] = { path, NULL };
			execv(path, args);
			_exit(99);
		}
		waitpid(pid, &status, 0);
		if (!tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == atoi(argv[2]), "%s", line))
			tap_diag("wait status %#x", status);
	} else if (!strcmp(argv[0], "leak") && argc == 2) {
		/* After one round to warm the caches, rounds of mount, walk, umount give back all
		 * the memory they took: the inodes, their pages, the directory buffers. */
		struct sysinfo si;
		unsigned long before = 0;
		int rounds = atoi(argv[1]), bad = 0;
		for (int k = 0; k <= rounds; k++) {
			int budget = 2000;
			if (k == 1 && !sysinfo(&si))
				before = si.freeram;
			if (mount(DEV, MNT, "ext2", MS_RDONLY, NULL)) {
				bad = errno;
				break;
			}
			walk(MNT, 0, &budget);
			if (umount(MNT))
				bad = errno;
		}
		if (!tap_ok(!bad && !sysinfo(&si) && si.freeram == before, "%s", line))
			tap_diag("error %s; free RAM %lu before, %lu after", errname(bad), before,
				 si.freeram);
	} else if (!strcmp(argv[0], "busybox_mount")) {
		/* mount(8) without -o ro: the kernel's EROFS makes busybox retry read-only. */
		pid_t pid = fork();
		int status = -1;
		struct statfs sf;
		if (!pid) {
			char *args[] = { "mount", "-t", "ext2", DEV, MNT, NULL };
			execv("/bin/busybox", args);
			_exit(99);
		}
		waitpid(pid, &status, 0);
		if (!tap_ok(WIFEXITED(status) && !WEXITSTATUS(status) && !statfs(MNT, &sf) &&
			    sf.f_type == 0xEF53 && (sf.f_flags & ST_RDONLY), "%s", line))
			tap_diag("wait status %#x", status);
	} else if (!strcmp(argv[0], "readonly")) {
		char one[512];
		snprintf(one, sizeof(one), "%s/one", MNT);
		result(open(path, O_CREAT | O_WRONLY, 0644) < 0 ? errno : 0, EROFS, "create gives EROFS");
		result(open(one, O_RDWR) < 0 ? errno : 0, EROFS, "open for writing gives EROFS");
		result(mkdir(path, 0755) ? errno : 0, EROFS, "mkdir gives EROFS");
		result(unlink(one) ? errno : 0, EROFS, "unlink gives EROFS");
		result(chmod(one, 0600) ? errno : 0, EROFS, "chmod gives EROFS");
		result(symlink("one", path) ? errno : 0, EROFS, "symlink gives EROFS");
		result(link(one, path) ? errno : 0, EROFS, "link gives EROFS");
		result(rename(one, path) ? errno : 0, EROFS, "rename gives EROFS");
		result(truncate(one, 0) ? errno : 0, EROFS, "truncate gives EROFS");
	} else if (!strcmp(argv[0], "fuzz") && argc == 5) {
		fuzz(argv[1], atoi(argv[2]), (unsigned)atoi(argv[3]), argv[4]);
	} else if (!strcmp(argv[0], "check")) {
		char m[256];
		snprintf(m, sizeof(m), "/ext2/%s", argv[1]);
		check_manifest(m);
	} else {
		tap_ok(0, "unknown plan line: %s", line);
	}
}

int main(int argc, char **argv)
{
	static char plan[8192];
	int fd;
	ssize_t n;

	crc_init();
	if (argc == 4 && !strcmp(argv[1], "--host")) {
		host_mode = true;
		root = argv[2];
		check_manifest(argv[3]);
	} else {
		/* As pid 1 in the guest: ram0 (ramdisk= on the command line) gets a node of its own,
		 * and ext2 is loaded as a module unless it is built in. */
		mknod(DEV, S_IFBLK | 0600, makedev(1, 0));
		mkdir(MNT, 0755);
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
		tap_ok(!need_fs("ext2", "ext2"), "ext2 is registered (ext2.ko loaded if it is a module)");
		fd = open(argc > 1 ? argv[1] : "/ext2/plan", O_RDONLY);
		n = fd < 0 ? -1 : read(fd, plan, sizeof(plan) - 1);
		if (n <= 0) {
			tap_ok(0, "the plan can be read");
		} else {
			plan[n] = '\0';
			for (char *save = NULL, *l = strtok_r(plan, "\n", &save); l;
			     l = strtok_r(NULL, "\n", &save))
				run_line(l);
		}
	}
	tap_planned = tap_n;
	{
		char p[32];
		snprintf(p, sizeof(p), "1..%d\n", tap_n);
		tap_write(p, strlen(p));
	}
	return tap_done();
}
