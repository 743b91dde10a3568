/* userland/tests/procfs.c: what /proc says, parsed the way ps, top and libc read it: /proc/self and
 * its stat, status, cmdline, maps, fd/ and exe; meminfo, uptime, loadavg, mounts, cpuinfo,
 * version, filesystems; a child's /proc/PID coming and going. Compared with the system calls'
 * own answers (getpid, getppid, uname, sysinfo). Not a test of the VFS calls themselves. */
#include "scratch.h"

#include <limits.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>

static char text[65536];

/* Reads a /proc file into text (NUL-terminated). Returns its length or -1. */
static ssize_t slurp(const char *path)
{
	ssize_t n = scratch_get(path, text, sizeof(text));

	if (n < 0)
		tap_diag("reading %s: %s", path, strerror(errno));
	return n;
}

/* The line of text that starts with prefix, copied into line; 0 if found, -1 if not. */
static int line_starting(const char *prefix, char *line, size_t size)
{
	size_t plen = strlen(prefix);

	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		if (len >= plen && !memcmp(s, prefix, plen)) {
			snprintf(line, size, "%.*s", (int)len, s);
			return 0;
		}
		s += len + (nl ? 1 : 0);
	}
	return -1;
}

/* The number of whitespace-separated fields in s (up to the end of the line). */
static int fields(const char *s)
{
	int n = 0;

	while (*s && *s != '\n') {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '\n')
			break;
		n++;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n')
			s++;
	}
	return n;
}

/* In the re-executed child: /proc/self/cmdline is argv, NUL after each. Exit status 0 if so. */
static int cmdline_child(int argc, char **argv)
{
	char want[1024];
	size_t len = 0;
	ssize_t n = scratch_get("/proc/self/cmdline", text, sizeof(text));

	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;

		if (len + l > sizeof(want))
			return 3;
		memcpy(want + len, argv[i], l);
		len += l;
	}
	if (n < 0)
		return 2;
	return (size_t)n == len && !memcmp(text, want, len) ? 0 : 1;
}

/* The absolute form of path, without "." components or doubled slashes. */
static void absolute(const char *path, char *out, size_t size)
{
	char raw[2 * PATH_MAX + 2], cwd[PATH_MAX];
	size_t o = 0;

	if (path[0] == '/')
		snprintf(raw, sizeof(raw), "%s", path);
	else
		snprintf(raw, sizeof(raw), "%s/%s", getcwd(cwd, sizeof(cwd)) ? cwd : "", path);
	for (const char *s = raw; *s && o + 2 < size;) {
		const char *e = strchr(s, '/');
		size_t len = e ? (size_t)(e - s) : strlen(s);

		if (len && !(len == 1 && s[0] == '.')) {
			out[o++] = '/';
			for (size_t i = 0; i < len && o + 1 < size; i++)
				out[o++] = s[i];
		}
		s += len + (e ? 1 : 0);
	}
	out[o] = '\0';
}

/* The perms of the /proc/self/maps line covering addr, or "" with *found 0. */
static void maps_perms(unsigned long addr, char perms[8], char *name, size_t nsize)
{
	unsigned long lo, hi;
	char p[8];
	int off;

	perms[0] = '\0';
	name[0] = '\0';
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');

		if (sscanf(s, "%lx-%lx %7s %*s %*s %*s%n", &lo, &hi, p, &off) == 3 && addr >= lo &&
		    addr < hi) {
			const char *nm = s + off;
			size_t len;

			while (*nm == ' ')
				nm++;
			len = nl ? (size_t)(nl - nm) : strlen(nm);
			snprintf(perms, 8, "%s", p);
			snprintf(name, nsize, "%.*s", (int)len, nm);
			return;
		}
		if (!nl)
			break;
		s = nl + 1;
	}
}

static int fd_listed(int fd, const char *listing)
{
	char want[16];

	snprintf(want, sizeof(want), " %d ", fd);
	return strstr(listing, want) != NULL;
}

int main(int argc, char **argv)
{
	char buf[PATH_MAX], line[512], want[PATH_MAX], exe[PATH_MAX], perms[8], name[256];
	char listing[2048], openset[2048];
	struct utsname u;
	struct sysinfo si;
	struct stat st;
	unsigned long long total = 0, memfree = 0;
	unsigned long u1, u2, u3, u4;
	const char *dir;
	int fd, pid = getpid(), ok, n, p[2], cpid, st2;
	char state = 0, comm[64];
	int spid = 0, sppid = 0, spgrp = 0, stack_local = 0, alive;
	ssize_t len;
	DIR *d;
	struct dirent *e;

	if (argc >= 2 && !strcmp(argv[1], "--cmdline"))
		return cmdline_child(argc, argv);
	tap_init(argv, 40);
	absolute(argv[0], exe, sizeof(exe));

	/* /proc/self and its files. */
	snprintf(want, sizeof(want), "%d", pid);
	len = readlink("/proc/self", buf, sizeof(buf) - 1);
	tap_ok(len == (ssize_t)strlen(want) && !memcmp(buf, want, (size_t)len),
	       "/proc/self is a symlink to \"%s\"", want);
	tap_ok(lstat("/proc/self", &st) == 0 && S_ISLNK(st.st_mode) &&
		       stat("/proc/self", &st) == 0 && S_ISDIR(st.st_mode),
	       "lstat says symlink, stat says directory");
	ok = slurp("/proc/self/stat") > 0 &&
	     sscanf(text, "%d (%63[^)]) %c %d %d", &spid, comm, &state, &sppid, &spgrp) == 5;
	tap_ok(ok && spid == pid, "/proc/self/stat starts with the pid (%d)", spid);
	tap_ok(ok && !strcmp(comm, "procfs") && strrchr(text, ')') == strchr(text, ')'),
	       "... then \"(procfs)\"");
	tap_ok(ok && state == 'R', "... then state R, since it is running ('%c')",
	       state ? state : '?');
	tap_ok(ok && sppid == getppid() && spgrp == getpgrp(),
	       "... then ppid %d and pgrp %d, as getppid and getpgrp say", sppid, spgrp);
	tap_ok(ok && fields(text) >= 44, "... and it has the 44+ fields of Linux (%d)",
	       fields(text));
	slurp("/proc/self/status");
	tap_ok(line_starting("Name:", line, sizeof(line)) == 0 && !strcmp(line, "Name:\tprocfs"),
	       "/proc/self/status: \"Name:\\tprocfs\"");
	snprintf(want, sizeof(want), "Pid:\t%d", pid);
	tap_ok(line_starting("Pid:", line, sizeof(line)) == 0 && !strcmp(line, want),
	       "... \"Pid:\\t%d\"", pid);
	snprintf(want, sizeof(want), "PPid:\t%d", getppid());
	tap_ok(line_starting("PPid:", line, sizeof(line)) == 0 && !strcmp(line, want),
	       "... \"PPid:\\t%d\"", getppid());
	snprintf(want, sizeof(want), "Uid:\t%d\t%d\t", (int)getuid(), (int)geteuid());
	tap_ok(line_starting("Uid:", line, sizeof(line)) == 0 && !strncmp(line, want, strlen(want)),
	       "... a Uid: line with the real and effective uid (%s)", line);

	/* cmdline: this process's own argv, and a re-executed child's with odd arguments. */
	len = slurp("/proc/self/cmdline");
	n = 0;
	for (int i = 0; i < argc; i++)
		n += (int)strlen(argv[i]) + 1;
	ok = len == n;
	for (int i = 0, off = 0; ok && i < argc; off += (int)strlen(argv[i]) + 1, i++)
		ok = !strcmp(text + off, argv[i]);
	tap_ok(ok, "/proc/self/cmdline is argv, each followed by a NUL (%zd bytes)", len);
	cpid = fork();
	if (cpid == 0) {
		char *av[] = { argv[0], "--cmdline", "two words", "", "end", NULL };

		execv(argv[0], av);
		_exit(127);
	}
	st2 = -1;
	if (cpid > 0)
		waitpid(cpid, &st2, 0);
	tap_exited_with(st2, 0,
			"a child execs itself with 5 arguments (one empty, one with a space): "
			"its cmdline is exactly them");

	/* maps. */
	slurp("/proc/self/maps");
	maps_perms((unsigned long)(void *)main, perms, name, sizeof(name));
	tap_ok(!strcmp(perms, "r-xp"), "/proc/self/maps: the line covering main() is r-xp (%s)",
	       perms[0] ? perms : "no line");
	maps_perms((unsigned long)&stack_local, perms, name, sizeof(name));
	tap_ok(!strcmp(name, "[stack]") && !strcmp(perms, "rw-p"),
	       "... the line covering a local variable is rw-p [stack] (%s %s)", perms, name);
	maps_perms((unsigned long)text, perms, name, sizeof(name));
	tap_ok(!strncmp(perms, "rw", 2), "... a static buffer is in a writable mapping (%s)",
	       perms);

	/* fd/ and exe. */
	dir = scratch_make();
	snprintf(want, sizeof(want), "%s/file", dir ? dir : "/nonexistent");
	fd = open(want, O_RDWR | O_CREAT, 0644);
	openset[0] = ' ';
	openset[1] = '\0';
	d = opendir("/proc/self/fd");
	for (int i = 0; i < 1024; i++)
		if (fcntl(i, F_GETFD) != -1)
			snprintf(openset + strlen(openset), sizeof(openset) - strlen(openset),
				 "%d ", i);
	listing[0] = ' ';
	listing[1] = '\0';
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(listing + strlen(listing), sizeof(listing) - strlen(listing),
				 "%s ", e->d_name);
	tap_ok(d && fd_listed(0, listing) == (fcntl(0, F_GETFD) != -1) && fd_listed(1, listing) &&
		       fd_listed(2, listing),
	       "/proc/self/fd lists 0 (when open), 1 and 2");
	tap_ok(fd >= 0 && fd_listed(fd, listing), "... and the file opened as fd %d", fd);
	tap_ok(!strcmp(listing, openset), "... exactly the open descriptors: [%s] (fcntl: [%s])",
	       listing, openset);
	if (d)
		closedir(d);
	snprintf(line, sizeof(line), "/proc/self/fd/%d", fd);
	len = readlink(line, buf, sizeof(buf) - 1);
	buf[len > 0 ? len : 0] = '\0';
	tap_ok(len > 0 && !strcmp(buf, want), "readlink(%s) is the file's path %s", line, buf);
	tap_ok(lstat(line, &st) == 0 && S_ISLNK(st.st_mode), "... and it is a symlink");
	close(fd);
	if (len > 0) /* else ENOENT would prove nothing */
		TAP_ERRNO(readlink(line, buf, sizeof(buf)), ENOENT,
			  "once closed, the fd link is gone: ENOENT");
	else
		tap_blocked("once closed, the fd link is gone: ENOENT");
	if (dir)
		scratch_remove(dir);
	len = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	buf[len > 0 ? len : 0] = '\0';
	tap_ok(len > 0 && !strcmp(buf, exe), "/proc/self/exe is the program's path %s (%s)", exe,
	       buf);

	/* The system-wide files. */
	slurp("/proc/meminfo");
	ok = line_starting("MemTotal:", line, sizeof(line)) == 0 &&
	     sscanf(line, "MemTotal: %llu kB", &total) == 1 && strstr(line, " kB");
	ok = ok && line_starting("MemFree:", line, sizeof(line)) == 0 &&
	     sscanf(line, "MemFree: %llu kB", &memfree) == 1 && strstr(line, " kB");
	tap_ok(ok && total > 0, "/proc/meminfo: MemTotal %llu kB, MemFree %llu kB", total, memfree);
	tap_ok(ok && memfree <= total, "... MemFree <= MemTotal");
	sysinfo(&si);
	tap_ok(total == (unsigned long long)si.totalram * si.mem_unit / 1024,
	       "... MemTotal is sysinfo's totalram (%llu kB)",
	       (unsigned long long)si.totalram * si.mem_unit / 1024);
	slurp("/proc/uptime");
	n = sscanf(text, "%lu.%2lu %lu.%2lu", &u1, &u2, &u3, &u4);
	tap_ok(n == 4 && fields(text) == 2 && text[strlen(text) - 1] == '\n',
	       "/proc/uptime: two numbers with 2 decimals and a newline (%.*s)",
	       (int)strcspn(text, "\n"), text);
	tap_ok(n == 4 && (long)u1 >= (long)si.uptime - 2 && (long)u1 <= (long)si.uptime + 2,
	       "... the first is sysinfo's uptime (%ld s)", (long)si.uptime);
	slurp("/proc/loadavg");
	{
		unsigned a, b, c, a2, b2, c2;
		int run, all, last;

		n = sscanf(text, "%u.%2u %u.%2u %u.%2u %d/%d %d", &a, &a2, &b, &b2, &c, &c2, &run,
			   &all, &last);
		tap_ok(n == 9 && fields(text) == 5 && run >= 1 && run <= all && last > 0,
		       "/proc/loadavg: 5 fields, \"A B C running/all lastpid\" (%.*s)",
		       (int)strcspn(text, "\n"), text);
	}
	slurp("/proc/mounts");
	ok = text[0] != '\0';
	n = 0;
	{
		int root = 0, proc = 0;

		for (char *s = text; *s;) {
			char *nl = strchr(s, '\n');
			char dev[256], mnt[256], type[64];

			if (fields(s) != 6)
				ok = 0;
			if (sscanf(s, "%255s %255s %63s", dev, mnt, type) == 3) {
				root += !strcmp(mnt, "/");
				proc += !strcmp(mnt, "/proc") && !strcmp(type, "proc");
			}
			n++;
			if (!nl)
				break;
			s = nl + 1;
		}
		tap_ok(ok, "/proc/mounts: each of its %d lines has 6 fields", n);
		tap_ok(root >= 1, "... one is mounted on /");
		tap_ok(proc >= 1, "... one is /proc of type proc");
	}
	slurp("/proc/cpuinfo");
	tap_ok(line_starting("processor", line, sizeof(line)) == 0 &&
		       line_starting("vendor_id", line, sizeof(line)) == 0,
	       "/proc/cpuinfo has processor and vendor_id lines");
	uname(&u);
	slurp("/proc/version");
	snprintf(want, sizeof(want), "%s version %s", u.sysname, u.release);
	tap_ok(!strncmp(text, want, strlen(want)), "/proc/version starts with \"%s\" (uname)",
	       want);
	slurp("/proc/filesystems");
	tap_ok(strstr(text, "nodev\tproc\n") != NULL, "/proc/filesystems lists \"nodev\\tproc\"");

	/* A child's directory lives as long as the child. */
	pipe(p);
	cpid = fork();
	if (cpid == 0) {
		char c;

		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
	}
	close(p[0]);
	snprintf(line, sizeof(line), "/proc/%d", cpid);
	alive = cpid > 0 && stat(line, &st) == 0 && S_ISDIR(st.st_mode);
	tap_ok(alive, "%s is a directory", line);
	snprintf(line, sizeof(line), "/proc/%d/stat", cpid);
	state = 0;
	spid = sppid = 0;
	for (int i = 0; i < 200 && state != 'S'; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (slurp(line) <= 0 ||
		    sscanf(text, "%d (%63[^)]) %c %d", &spid, comm, &state, &sppid) != 4)
			break;
		if (state != 'S')
			nanosleep(&ts, NULL);
	}
	tap_ok(spid == cpid && sppid == pid && state == 'S',
	       "its stat names it, its parent, and state S while it waits in read ('%c')",
	       state ? state : '?');
	close(p[1]);
	st2 = -1;
	if (cpid > 0)
		waitpid(cpid, &st2, 0);
	tap_exited_with(st2, 0, "the child sees EOF and exits 0");
	snprintf(line, sizeof(line), "/proc/%d", cpid);
	if (alive) { /* else ENOENT would prove nothing */
		TAP_ERRNO(stat(line, &st), ENOENT, "once reaped, %s is gone: ENOENT", line);
		snprintf(line, sizeof(line), "/proc/%d/stat", cpid);
		TAP_ERRNO(open(line, O_RDONLY), ENOENT, "... and so is %s", line);
	} else {
		tap_blocked("once reaped, %s is gone: ENOENT", line);
		tap_blocked("... and so is its stat");
	}
	return tap_done();
}
