/* tests/ext2/manifest.h: the manifest tests/ext2/mkimages writes: loading it and comparing a mounted tree (or, with
 * host_mode, the source tree itself) with it. Header-only, for ext2check.c; not the plan interpreter. */
#ifndef EXT2_MANIFEST_H
#define EXT2_MANIFEST_H

#define MAX_ENTRIES 1024
#define MAX_FIELDS 24

struct entry {
	char *path;
	int nfields;
	char *key[MAX_FIELDS], *val[MAX_FIELDS];
};

static struct entry ents[MAX_ENTRIES];
static int nents;
static struct entry fsent;
static bool host_mode; /* ignore what only the image knows ('!' fields and entries) */
static const char *root = MNT;

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

static uint32_t crc_update(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}


/* The value of key in e ("uid" also finds "!uid" unless on the host), or NULL. */
static const char *field(const struct entry *e, const char *key)
{
	for (int i = 0; i < e->nfields; i++) {
		const char *k = e->key[i];
		if (k[0] == '!') {
			if (host_mode)
				continue;
			k++;
		}
		if (!strcmp(k, key))
			return e->val[i];
	}
	return NULL;
}

static int load_manifest(const char *name)
{
	static char *text;
	char path[256];
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	free(text);
	text = malloc((size_t)len + 1);
	if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		return -1;
	}
	fclose(f);
	text[len] = '\0';
	nents = 0;
	for (char *lsave = NULL, *line = strtok_r(text, "\n", &lsave); line;
	     line = strtok_r(NULL, "\n", &lsave)) {
		char *tab = strchr(line, '\t'), *save = NULL;
		struct entry *e = nents < MAX_ENTRIES ? &ents[nents] : NULL;
		if (!tab || !e)
			return -1;
		*tab = '\0';
		if (!strcmp(line, "fs"))
			e = &fsent;
		else
			nents++;
		e->path = line;
		e->nfields = 0;
		for (char *kv = strtok_r(tab + 1, " ", &save); kv && e->nfields < MAX_FIELDS;
		     kv = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(kv, '=');
			if (!eq)
				return -1;
			*eq = '\0';
			e->key[e->nfields] = kv;
			e->val[e->nfields++] = eq + 1;
		}
	}
	return 0;
}

static char mismatch[512];

/* Compares a numeric field if the manifest has it; records the first mismatch. */
static bool num_eq(const struct entry *e, const char *key, long long got, int base)
{
	const char *v = field(e, key);
	long long want;

	if (!v)
		return true;
	want = strtoll(v, NULL, base);
	if (got == want)
		return true;
	if (!mismatch[0])
		snprintf(mismatch, sizeof(mismatch), "%s is %lld (%llo), expected %s", key, got,
			 (unsigned long long)got, v);
	return false;
}

static bool fail(const char *fmt, const char *a)
{
	if (!mismatch[0])
		snprintf(mismatch, sizeof(mismatch), fmt, a);
	return false;
}

static bool check_data(const char *path, const struct entry *e, off_t size)
{
	static unsigned char buf[65536];
	const char *crc = field(e, "crc"), *chunks = field(e, "chunks");
	int fd = open(path, O_RDONLY);
	bool ok = true;

	if (fd < 0)
		return fail("open: %s", strerror(errno));
	if (crc) {
		uint32_t c = 0;
		off_t total = 0;
		ssize_t n;
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			c = crc_update(c, buf, (size_t)n);
			total += n;
		}
		if (n < 0)
			ok = fail("read: %s", strerror(errno));
		else if (total != size)
			ok = fail("read %s bytes, not the size", "fewer or more");
		else if (c != strtoul(crc, NULL, 16))
			ok = fail("crc32 differs from %s", crc);
	}
	/* A file too large to read whole: its data regions, and a page of each hole between. */
	for (const char *p = chunks; ok && p && *p;) {
		long long off = strtoll(p, (char **)&p, 10), len = strtoll(p + 1, (char **)&p, 10);
		uint32_t want = (uint32_t)strtoul(p + 1, (char **)&p, 16), c = 0;
		if (*p == ',')
			p++;
		if (off >= 4096) {
			ssize_t n = pread(fd, buf, 4096, off - 4096);
			for (ssize_t k = 0; k < n; k++)
				if (buf[k])
					n = -2;
			if (n != 4096)
				ok = fail("hole before a data region: %s", n == -2 ? "not zeros" : "short read");
		}
		for (long long done = 0; ok && done < len;) {
			size_t want_n = len - done < (long long)sizeof(buf) ? (size_t)(len - done) : sizeof(buf);
			ssize_t n = pread(fd, buf, want_n, off + done);
			if (n <= 0) {
				ok = fail("pread of a data region: %s", n ? strerror(errno) : "end of file");
				break;
			}
			c = crc_update(c, buf, (size_t)n);
			done += n;
		}
		if (ok && c != want)
			ok = fail("crc32 of a data region differs (%s)", "chunks");
	}
	close(fd);
	return ok;
}

static bool check_entry(const struct entry *e)
{
	char path[1024], target[4096];
	const char *v;
	struct stat st;

	mismatch[0] = '\0';
	snprintf(path, sizeof(path), "%s%s", root, e->path);
	if (lstat(path, &st))
		return fail("lstat: %s", strerror(errno));
	num_eq(e, "mode", st.st_mode, 8);
	num_eq(e, "nlink", (long long)st.st_nlink, 10);
	num_eq(e, "uid", st.st_uid, 10);
	num_eq(e, "gid", st.st_gid, 10);
	num_eq(e, "size", st.st_size, 10);
	num_eq(e, "mtime", st.st_mtim.tv_sec, 10);
	num_eq(e, "mtime_ns", st.st_mtim.tv_nsec, 10);
	num_eq(e, "atime", st.st_atim.tv_sec, 10);
	num_eq(e, "atime_ns", st.st_atim.tv_nsec, 10);
	num_eq(e, "ctime", st.st_ctim.tv_sec, 10);
	num_eq(e, "ctime_ns", st.st_ctim.tv_nsec, 10);
	num_eq(e, "ino", (long long)st.st_ino, 10);
	num_eq(e, "blocks", (long long)st.st_blocks, 10);
	v = field(e, "rdev");
	if (v) {
		unsigned ma = 0, mi = 0;
		sscanf(v, "%u:%u", &ma, &mi);
		if (major(st.st_rdev) != ma || minor(st.st_rdev) != mi)
			fail("rdev differs from %s", v);
	}
	v = field(e, "target");
	if (v) {
		ssize_t n = readlink(path, target, sizeof(target));
		char hex[8192];
		for (ssize_t k = 0; k < n; k++)
			snprintf(hex + 2 * k, 3, "%02x", (unsigned char)target[k]);
		hex[n > 0 ? 2 * n : 0] = '\0';
		if (n < 0 || strcmp(hex, v))
			fail("readlink gives another target (%s)", n < 0 ? strerror(errno) : "bytes");
	}
	if (S_ISREG(st.st_mode) && !mismatch[0])
		check_data(path, e, st.st_size);
	return !mismatch[0];
}

struct dirent64_ {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* The names in directory e against the manifest's children of it: same set, inode and type. */
static bool check_listing(const struct entry *e)
{
	static char buf[8192];
	char path[1024];
	int fd, seen = 0, want = 0, dots = 0;
	long n;
	size_t plen = strcmp(e->path, "/") ? strlen(e->path) : 0;

	mismatch[0] = '\0';
	snprintf(path, sizeof(path), "%s%s", root, e->path);
	for (int i = 0; i < nents; i++)
		if (!strncmp(ents[i].path, e->path, plen) && ents[i].path[plen] == '/' &&
		    ents[i].path[plen + 1] && !strchr(ents[i].path + plen + 1, '/') &&
		    !(host_mode && strcmp(ents[i].key[0], "!only") == 0))
			want++;
	fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fail("open: %s", strerror(errno));
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64_ *d = (void *)(buf + off);
			char child[1024];
			const struct entry *c = NULL;
			off += d->reclen;
			if (!strcmp(d->name, ".") || !strcmp(d->name, "..")) {
				dots++;
				continue;
			}
			snprintf(child, sizeof(child), "%s/%s", plen ? e->path : "", d->name);
			for (int i = 0; i < nents && !c; i++)
				if (!strcmp(ents[i].path, child))
					c = &ents[i];
			if (!c)
				return fail("unexpected name %s", d->name);
			seen++;
			if (!num_eq(c, "ino", (long long)d->ino, 10))
				return false;
			if (field(c, "mode") && d->type != ((strtol(field(c, "mode"), NULL, 8) >> 12) & 15))
				return fail("wrong d_type for %s", d->name);
		}
	}
	close(fd);
	if (n < 0)
		return fail("getdents64: %s", strerror(errno));
	if (dots != 2)
		return fail("%s", "'.' and '..' not both listed");
	if (seen != want)
		return fail("%s", "names missing from the listing");
	return true;
}

/* Positions are stable: seeking to an entry's d_off later continues at the next entry. */
static bool check_seekdir(const char *dir)
{
	static char buf[32768];
	char path[256], name[300] = "", again[300] = "";
	long long pos = -1;
	int fd, count = 0;
	long n;

	snprintf(path, sizeof(path), "%s%s", root, dir);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return false;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n; count++) {
			struct dirent64_ *d = (void *)(buf + off);
			if (count == 150)
				pos = d->off; /* where entry 151 starts */
			if (count == 151)
				snprintf(name, sizeof(name), "%.255s", d->name);
			off += d->reclen;
		}
	if (pos < 0 || lseek(fd, pos, SEEK_SET) != pos ||
	    syscall(SYS_getdents64, fd, buf, sizeof(buf)) <= 0)
		return close(fd), false;
	snprintf(again, sizeof(again), "%.255s", ((struct dirent64_ *)buf)->name);
	close(fd);
	return name[0] && !strcmp(name, again);
}

static bool has(const char *path)
{
	for (int i = 0; i < nents; i++)
		if (!strcmp(ents[i].path, path))
			return true;
	return false;
}

static void check_manifest(const char *file)
{
	struct statfs sf;
	struct stat dev, one, st;
	char p[512];

	if (!tap_ok(load_manifest(file) == 0, "manifest %s loads", file))
		return;
	for (int i = 0; i < nents; i++) {
		struct entry *e = &ents[i];
		if (host_mode && e->nfields && !strcmp(e->key[0], "!only"))
			continue;
		if (!tap_ok(check_entry(e), "%s: %s", file, e->path))
			tap_diag("%s", mismatch);
		if (S_ISDIR(strtol(field(e, "mode") ? field(e, "mode") : "0", NULL, 8)) &&
		    !tap_ok(check_listing(e), "%s: listing of %s", file, e->path))
			tap_diag("%s", mismatch);
	}
	if (!has("/many"))
		goto fs; /* the small tree of the 64 KiB image has none of what follows */
	tap_ok(check_seekdir("/many"), "%s: a directory position from getdents64 resumes the listing", file);
	snprintf(p, sizeof(p), "%s/one", root);
	stat(p, &one);
	snprintf(p, sizeof(p), "%s/links/long", root);
	tap_ok(!stat(p, &st) && st.st_ino == one.st_ino, "%s: a slow symlink resolves", file);
	snprintf(p, sizeof(p), "%s/links/todir/dir3/deep.txt", root);
	tap_ok(!stat(p, &st) && st.st_size == 100, "%s: a path through a symlink to a directory", file);
	snprintf(p, sizeof(p), "%s/links/dangling", root);
	tap_ok(stat(p, &st) && errno == ENOENT, "%s: a dangling symlink gives ENOENT", file);
fs:
	if (host_mode)
		return;
	mismatch[0] = '\0';
	if (statfs(MNT, &sf) || stat(DEV, &dev) || stat(MNT, &st))
		fail("statfs: %s", strerror(errno));
	num_eq(&fsent, "bsize", sf.f_bsize, 10);
	num_eq(&fsent, "blocks", (long long)sf.f_blocks, 10);
	num_eq(&fsent, "bfree", (long long)sf.f_bfree, 10);
	num_eq(&fsent, "bavail", (long long)sf.f_bavail, 10);
	num_eq(&fsent, "files", (long long)sf.f_files, 10);
	num_eq(&fsent, "ffree", (long long)sf.f_ffree, 10);
	if (sf.f_type != 0xEF53 || st.st_dev != dev.st_rdev)
		fail("%s", "f_type is not 0xEF53 or st_dev is not the device");
	if (!tap_ok(!mismatch[0], "%s: statfs and st_dev", file))
		tap_diag("%s", mismatch);
}

#endif
