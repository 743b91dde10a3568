/* tests/host/test_cpio.c: host tests of kernel/lib/cpio.c: an archive packed by the real cpio tool, and ones built here.
 * Every field read exactly, path lookup, each kind of malformed archive refused, then seeded mutation fuzzing. */
#include "hosttest.h"

#include <string.h>
#include <sys/stat.h>

#include <granary/compiler.h>
#include <granary/cpio.h>
#include <granary/errno.h>

/* ---------------------------------------------------------------- building archives */

struct arc {
	char buf[16384];
	size_t len;
};

/* The 13 header fields, in file order. */
enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_SIZE, F_DEVMAJ, F_DEVMIN, F_RDEVMAJ,
       F_RDEVMIN, F_NAMESIZE, F_CHECK, NF };

static void pad4(struct arc *a)
{
	while (a->len % 4)
		a->buf[a->len++] = 0;
}

/* Appends an entry with the given magic and header fields verbatim, namesize name bytes (so a
 * name need not end in its NUL) and size data bytes. */
static void arc_raw(struct arc *a, const char *magic, const u32 f[NF], const char *name,
		    size_t namesize, const void *data, size_t size)
{
	assert_true(a->len + 110 + namesize + size + 8 <= sizeof(a->buf));
	memcpy(a->buf + a->len, magic, 6);
	for (int i = 0; i < NF; i++)
		snprintf(a->buf + a->len + 6 + 8 * i, 9, "%08X", f[i]);
	a->len += 110;
	if (namesize)
		memcpy(a->buf + a->len, name, namesize);
	a->len += namesize;
	pad4(a);
	if (size)
		memcpy(a->buf + a->len, data, size);
	a->len += size;
	pad4(a);
}

static u32 next_ino = 100;

/* Appends a well-formed entry: a file of mode with the given data (other fields fixed). */
static void arc_add(struct arc *a, const char *name, u32 mode, const char *data)
{
	u32 f[NF] = { [F_INO] = next_ino++, [F_MODE] = mode, [F_NLINK] = 1, [F_MTIME] = 1234,
		      [F_SIZE] = strlen(data), [F_NAMESIZE] = strlen(name) + 1 };

	arc_raw(a, "070701", f, name, strlen(name) + 1, data, strlen(data));
}

static void arc_trailer(struct arc *a)
{
	u32 f[NF] = { [F_NLINK] = 1, [F_NAMESIZE] = 11 };

	arc_raw(a, "070701", f, "TRAILER!!!", 11, NULL, 0);
}

/* A copy of the archive in a buffer of exactly its length, so ASan sees any read past the end. */
static char *exact_copy(const void *p, size_t len)
{
	char *c = malloc(len ? len : 1);

	assert_non_null(c);
	memcpy(c, p, len);
	return c;
}

/* cpio_next on an exact copy of the first len bytes of a, from *off. */
static int next_exact(const struct arc *a, size_t len, size_t *off, struct cpio_entry *e)
{
	char *c = exact_copy(a->buf, len);
	int ret = cpio_next(c, len, off, e);

	free(c);
	return ret;
}

static int find_exact(const struct arc *a, const char *path, struct cpio_entry *e)
{
	char *c = exact_copy(a->buf, a->len);
	int ret = cpio_find(c, a->len, path, e);

	if (ret == 0) { /* e points into the copy: point it at the same bytes of a */
		e->data = a->buf + ((const char *)e->data - c);
		e->name = a->buf + (e->name - c);
	}
	free(c);
	return ret;
}

/* ---------------------------------------------------------------- the real cpio tool's archive */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc(n ? n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = n;
	return buf;
}

#define ARCHIVE CPIO_DATA_DIR "/tree.cpio"

/* tests/host/Makefile packs this list from a tree it makes, with --reproducible (inodes numbered
 * from 0 in list order, devices 0), -R 0:0 and every mtime 1700000000. newc stores a hard-linked
 * file's data with its last link: bin/prog comes out just before bin/sh, and without its data. */
struct want {
	const char *name;
	u32 mode, ino, nlink; /* nlink 0: a directory, whose count the tree's file system decides */
	const char *data;
};

static const char prog[] = "#!/bin/sh\necho granary\n";
static const struct want tree[] = {
	{ ".", 040755, 0, 0, "" },
	{ "bin", 040755, 1, 0, "" },
	{ "etc", 040755, 3, 0, "" },
	{ "etc/motd", 0100644, 4, 1, "hello\n" },
	{ "etc/empty", 0100600, 5, 1, "" },
	{ "etc/link", 0120777, 6, 1, "motd" },
	{ "bin/prog", 0100755, 2, 2, "" },
	{ "bin/sh", 0100755, 2, 2, prog },
};

/* The archive, or NULL after a SKIP note (not cmocka's skip(): tests/host/run counts the
 * "not ok N # SKIP" it prints as a failure). */
static char *real_archive(size_t *len)
{
	char *buf = read_file(ARCHIVE, len);

	if (!buf)
		printf("# SKIP %s: not found (is cpio installed?)\n", ARCHIVE);
	return buf;
}

static u32 dir_nlink(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/tree/%s", CPIO_DATA_DIR, name);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_nlink;
}

static void test_real_archive_every_field(void **state)
{
	struct cpio_entry e;
	size_t len, off = 0, prev;
	char *buf = real_archive(&len);

	if (!buf)
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(tree); i++) {
		const struct want *w = &tree[i];
		prev = off;
		assert_int_equal(cpio_next(buf, len, &off, &e), 1);
		assert_string_equal(e.name, w->name);
		assert_int_equal(e.namelen, strlen(w->name));
		assert_ptr_equal(e.name, buf + prev + 110);
		assert_int_equal(e.mode, w->mode);
		assert_int_equal(e.ino, w->ino);
		assert_int_equal(e.nlink, w->nlink ? w->nlink : dir_nlink(w->name));
		assert_int_equal(e.uid, 0);
		assert_int_equal(e.gid, 0);
		assert_int_equal(e.mtime, 1700000000);
		assert_int_equal(e.devmajor | e.devminor | e.rdevmajor | e.rdevminor, 0);
		assert_int_equal(e.size, strlen(w->data));
		assert_memory_equal(e.data, w->data, e.size);
		assert_ptr_equal(e.data, buf + ALIGN_UP(prev + 110 + e.namelen + 1, 4));
		assert_int_equal(off, ALIGN_UP((const char *)e.data - buf + e.size, 4));
	}
	prev = off;
	assert_int_equal(cpio_next(buf, len, &off, &e), 0);
	assert_string_equal(e.name, "TRAILER!!!");
	assert_int_equal(e.size, 0);
	assert_int_equal(off, prev + 124); /* 110 + 11, padded */
	assert_true(off <= len);	     /* the tool pads the archive to 512 bytes */
	free(buf);
}

static void test_real_archive_find(void **state)
{
	static const char *const motd[] = { "etc/motd", "/etc/motd", "./etc/motd", "etc//./motd",
					    "//etc/motd/", "./././etc/motd" };
	struct cpio_entry e;
	size_t len;
	char *buf = real_archive(&len);

	if (!buf)
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(motd); i++) {
		memset(&e, 0, sizeof(e));
		assert_int_equal(cpio_find(buf, len, motd[i], &e), 0);
		assert_string_equal(e.name, "etc/motd");
		assert_int_equal(e.size, 6);
		assert_memory_equal(e.data, "hello\n", 6);
	}
	/* Both names of the hard-linked file give its data. */
	assert_int_equal(cpio_find(buf, len, "/bin/sh", &e), 0);
	assert_string_equal(e.name, "bin/sh");
	assert_int_equal(e.size, strlen(prog));
	assert_memory_equal(e.data, prog, e.size);
	assert_int_equal(cpio_find(buf, len, "/bin/prog", &e), 0);
	assert_string_equal(e.name, "bin/prog");
	assert_int_equal(e.size, strlen(prog));
	assert_memory_equal(e.data, prog, e.size);
	/* The symlink itself, not its target. */
	assert_int_equal(cpio_find(buf, len, "etc/link", &e), 0);
	assert_int_equal(e.mode, 0120777);
	assert_memory_equal(e.data, "motd", 4);
	assert_int_equal(cpio_find(buf, len, "/etc/empty", &e), 0);
	assert_int_equal(e.size, 0);
	assert_int_equal(cpio_find(buf, len, "/", &e), 0);
	assert_string_equal(e.name, ".");
	assert_int_equal(cpio_find(buf, len, "etc", &e), 0);
	assert_int_equal(e.mode, 040755);

	assert_int_equal(cpio_find(buf, len, "/etc/../etc/motd", &e), -ENOENT);
	assert_int_equal(cpio_find(buf, len, "etc/mot", &e), -ENOENT);
	assert_int_equal(cpio_find(buf, len, "etc/motdx", &e), -ENOENT);
	assert_int_equal(cpio_find(buf, len, "motd", &e), -ENOENT);
	assert_int_equal(cpio_find(buf, len, "TRAILER!!!", &e), -ENOENT);
	free(buf);
}

/* ---------------------------------------------------------------- archives built here */

static void test_every_field_distinct(void **state)
{
	/* Each field a different value, so a field read from the wrong place shows. */
	const u32 f[NF] = { 0x11111111, 0x000081a4, 0x22222222, 0x33333333, 0x44444444,
			    0x55555555, 5, 0x66666666, 0x77777777, 0x88888888,
			    0x99999999, 4, 0xaaaaaaaa };
	struct arc a = { .len = 0 };
	struct cpio_entry e;
	size_t off = 0;

	arc_raw(&a, "070702", f, "abc", 4, "data!", 5);
	arc_trailer(&a);
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), 1);
	assert_int_equal(off, 124); /* 110 + 4 name bytes = 114 -> 116, + 5 data -> 121 -> 124 */
	assert_ptr_equal(e.name, a.buf + 110);
	assert_ptr_equal(e.data, a.buf + 116);
	assert_memory_equal(e.data, "data!", 5);
	assert_int_equal(e.namelen, 3);
	assert_int_equal(e.size, 5);
	assert_int_equal(e.ino, 0x11111111);
	assert_int_equal(e.mode, 0x81a4);
	assert_int_equal(e.uid, 0x22222222);
	assert_int_equal(e.gid, 0x33333333);
	assert_int_equal(e.nlink, 0x44444444);
	assert_int_equal(e.mtime, 0x55555555);
	assert_int_equal(e.devmajor, 0x66666666);
	assert_int_equal(e.devminor, 0x77777777);
	assert_int_equal(e.rdevmajor, 0x88888888);
	assert_int_equal(e.rdevminor, 0x99999999);
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), 0);
	assert_int_equal(off, a.len);
}

static void test_lowercase_hex_and_mixed_case(void **state)
{
	struct arc a = { .len = 0 };
	struct cpio_entry e;
	size_t off = 0;

	arc_add(&a, "f", 0100644, "xyz");
	arc_trailer(&a);
	memcpy(a.buf + 6 + 8 * F_MODE, "000081a4", 8);
	memcpy(a.buf + 6 + 8 * F_UID, "0000abCD", 8);
	memcpy(a.buf + 6 + 8 * F_GID, "FfFfFfFf", 8);
	assert_int_equal(next_exact(&a, a.len, &off, &e), 1);
	assert_int_equal(e.mode, 0x81a4);
	assert_int_equal(e.uid, 0xabcd);
	assert_int_equal(e.gid, 0xffffffff);
}

static void test_padding_for_every_name_length(void **state)
{
	/* Names of 1 to 8 characters put the data at each offset modulo 4. */
	struct arc a = { .len = 0 };
	struct cpio_entry e;
	const char *names[] = { "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg",
				"abcdefgh" };
	const char *datas[] = { "", "1", "12", "123", "1234", "12345", "123456", "1234567" };
	size_t off = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		arc_add(&a, names[i], 0100644, datas[i]);
	arc_trailer(&a);
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		assert_int_equal(cpio_next(a.buf, a.len, &off, &e), 1);
		assert_string_equal(e.name, names[i]);
		assert_int_equal(e.size, strlen(datas[i]));
		assert_memory_equal(e.data, datas[i], e.size);
		assert_int_equal(((const char *)e.data - a.buf) % 4, 0);
		assert_int_equal(off % 4, 0);
	}
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), 0);
	assert_int_equal(off, a.len);
}

static void test_find_last_wins_and_prefixes(void **state)
{
	struct arc a = { .len = 0 };
	struct cpio_entry e;

	arc_add(&a, "./bin/sh", 0100755, "first");
	arc_add(&a, "/etc/passwd", 0100644, "root");
	arc_add(&a, "bin/sh", 0100755, "second");
	arc_add(&a, "bin/../etc/passwd", 0100644, "dotdot"); /* never matches */
	arc_add(&a, "x", 0100644, "x");
	arc_trailer(&a);
	arc_add(&a, "bin/sh", 0100755, "past the trailer");
	assert_int_equal(find_exact(&a, "/bin/sh", &e), 0);
	assert_string_equal(e.name, "bin/sh");
	assert_memory_equal(e.data, "second", 6);
	assert_int_equal(find_exact(&a, "etc/passwd", &e), 0);
	assert_string_equal(e.name, "/etc/passwd");
	assert_int_equal(find_exact(&a, "./etc/passwd", &e), 0);
	assert_memory_equal(e.data, "root", 4);
	assert_int_equal(find_exact(&a, "bin/../etc/passwd", &e), -ENOENT);
	assert_int_equal(find_exact(&a, "..", &e), -ENOENT);
	assert_int_equal(find_exact(&a, "", &e), -ENOENT); /* no "." entry */
}

/* Appends an entry with two links, of the given mode, inode and device. */
static void linked(struct arc *a, const char *name, u32 mode, u32 ino, u32 devmaj, u32 devmin,
		   const char *data)
{
	u32 f[NF] = { [F_INO] = ino, [F_MODE] = mode, [F_NLINK] = 2, [F_DEVMAJ] = devmaj,
		      [F_DEVMIN] = devmin, [F_SIZE] = strlen(data),
		      [F_NAMESIZE] = strlen(name) + 1 };

	arc_raw(a, "070701", f, name, strlen(name) + 1, data, strlen(data));
}

static void hardlink(struct arc *a, const char *name, u32 ino, u32 devmin, const char *data)
{
	linked(a, name, 0100755, ino, 0, devmin, data);
}

static void test_find_hard_links(void **state)
{
	struct arc a = { .len = 0 };
	struct cpio_entry e;

	hardlink(&a, "bin/sh", 7, 1, ""); /* data comes with the last link */
	hardlink(&a, "bin/busybox", 7, 1, "BUSYBOX");
	hardlink(&a, "bin/late", 7, 1, ""); /* a link after the data: still found */
	/* Later entries with data that are not the same file: another inode, device, or type. */
	linked(&a, "other-ino", 0100755, 6, 0, 1, "other inode");
	linked(&a, "other-minor", 0100755, 7, 0, 2, "other minor");
	linked(&a, "other-major", 0100755, 7, 1, 1, "other major");
	linked(&a, "symlink", 0120777, 7, 0, 1, "a symlink");
	linked(&a, "dir", 040755, 7, 0, 1, "a directory");
	hardlink(&a, "bin/empty", 8, 1, "");		 /* a hard-linked empty file */
	hardlink(&a, "bin/empty2", 8, 1, "");
	arc_trailer(&a);
	assert_int_equal(find_exact(&a, "/bin/sh", &e), 0);
	assert_string_equal(e.name, "bin/sh");
	assert_int_equal(e.ino, 7);
	assert_int_equal(e.size, 7);
	assert_memory_equal(e.data, "BUSYBOX", 7);
	assert_int_equal(find_exact(&a, "/bin/late", &e), 0);
	assert_memory_equal(e.data, "BUSYBOX", 7);
	assert_int_equal(find_exact(&a, "/bin/empty", &e), 0);
	assert_int_equal(e.size, 0);

	/* A directory (nlink 2, size 0) or a single-link empty file is not looked up elsewhere. */
	a.len = 0;
	arc_add(&a, "f", 0100644, "");
	hardlink(&a, "g", next_ino - 1, 0, "data");
	linked(&a, "d", 040755, 9, 0, 0, "");
	hardlink(&a, "h", 9, 0, "data");
	arc_trailer(&a);
	assert_int_equal(find_exact(&a, "f", &e), 0);
	assert_int_equal(e.size, 0);
	assert_int_equal(find_exact(&a, "d", &e), 0);
	assert_int_equal(e.size, 0);
}

/* ---------------------------------------------------------------- malformed archives */

/* The first entry of a must be refused, leaving e and the offset alone. */
static void expect_einval(const struct arc *a, size_t len)
{
	struct cpio_entry e, before;
	size_t off = 0;

	memset(&e, 0x5a, sizeof(e));
	before = e;
	assert_int_equal(next_exact(a, len, &off, &e), -EINVAL);
	assert_int_equal(off, 0);
	assert_memory_equal(&e, &before, sizeof(e));
}

static void good_entry(struct arc *a)
{
	a->len = 0;
	arc_add(a, "name", 0100644, "data bytes");
	arc_trailer(a);
}

static void test_bad_magic(void **state)
{
	static const char *const bad[] = { "070707", "070700", "070703", "07070 ", "170701",
					   "\0\0\0\0\0\0" };
	struct arc a;

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		good_entry(&a);
		memcpy(a.buf, bad[i], 6);
		expect_einval(&a, a.len);
	}
}

static void test_non_hex_fields(void **state)
{
	static const char bad[] = { 'g', 'G', ' ', '-', '+', 'x', '\0', '/', ':', '@', '`' };
	struct arc a;

	/* Every field, every position, several non-hex characters (the checksum too). */
	for (int f = 0; f < NF; f++)
		for (int pos = 0; pos < 8; pos++)
			for (unsigned b = 0; b < sizeof(bad); b++) {
				good_entry(&a);
				a.buf[6 + 8 * f + pos] = bad[b];
				expect_einval(&a, a.len);
			}
}

static void test_bad_names(void **state)
{
	u32 f[NF] = { [F_MODE] = 0100644, [F_NLINK] = 1 };
	struct arc a = { .len = 0 };

	arc_raw(&a, "070701", f, "", 0, NULL, 0); /* namesize 0 */
	expect_einval(&a, a.len);

	a.len = 0;
	f[F_NAMESIZE] = 4;
	arc_raw(&a, "070701", f, "abcd", 4, NULL, 0); /* no NUL at namesize - 1 */
	expect_einval(&a, a.len);

	a.len = 0;
	arc_raw(&a, "070701", f, "ab\0\0", 4, NULL, 0); /* a NUL before namesize - 1 */
	expect_einval(&a, a.len);

	a.len = 0;
	f[F_NAMESIZE] = 3;
	arc_raw(&a, "070701", f, "abc", 4, NULL, 0); /* the NUL one byte past namesize */
	expect_einval(&a, a.len);
}

static void test_truncation_everywhere(void **state)
{
	struct arc a;
	struct cpio_entry e;

	/* The entry is header 0..110, name 110..115, padding to 116, data 116..126, padding to 128;
	 * the trailer 128..252. Cut before 126: the entry is refused. Cut later: the entry reads,
	 * and the trailer is refused until it is whole, with the padding after its name. */
	good_entry(&a);
	assert_int_equal(a.len, 252);
	for (size_t len = 0; len <= a.len; len++) {
		size_t off = 0;
		int ret = next_exact(&a, len, &off, &e);
		if (len < 126) {
			assert_int_equal(ret, -EINVAL);
			continue;
		}
		assert_int_equal(ret, 1);
		assert_int_equal(off, 128);
		assert_int_equal(next_exact(&a, len, &off, &e), len == a.len ? 0 : -EINVAL);
	}
}

static void test_sizes_past_the_end(void **state)
{
	/* With the trailer, 252 bytes: the data (at 116) may be up to 136 bytes, the name (at
	 * 110) up to 142; one more, and sizes near 2^32, run past the end. */
	static const u32 data_sizes[] = { 137, 0x7fffffff, 0xfffffffc, 0xffffffff };
	static const u32 name_sizes[] = { 143, 0x7fffffff, 0xfffffffc, 0xffffffff };
	struct arc a;
	struct cpio_entry e;
	char hex[9];
	size_t off = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(data_sizes); i++) {
		good_entry(&a);
		snprintf(hex, sizeof(hex), "%08X", data_sizes[i]);
		memcpy(a.buf + 6 + 8 * F_SIZE, hex, 8);
		expect_einval(&a, a.len);
		good_entry(&a);
		snprintf(hex, sizeof(hex), "%08X", name_sizes[i]);
		memcpy(a.buf + 6 + 8 * F_NAMESIZE, hex, 8);
		expect_einval(&a, a.len);
	}
	/* The data reaching exactly the end is fine. */
	good_entry(&a);
	memcpy(a.buf + 6 + 8 * F_SIZE, "00000088", 8);
	assert_int_equal(next_exact(&a, a.len, &off, &e), 1);
	assert_int_equal(e.size, 136);
	assert_int_equal(off, 252);
}

static void test_offset_out_of_range(void **state)
{
	struct arc a;
	struct cpio_entry e;
	static const size_t offs[] = { 1, 2, 3, 4, 128 + 1, 0x10000, SIZE_MAX - 109, SIZE_MAX };

	good_entry(&a);
	for (unsigned i = 0; i < ARRAY_SIZE(offs); i++) {
		size_t off = offs[i];
		assert_int_equal(next_exact(&a, a.len, &off, &e), -EINVAL);
		assert_int_equal(off, offs[i]);
	}
	{
		size_t off = a.len; /* the end of the archive without a trailer */
		assert_int_equal(next_exact(&a, a.len, &off, &e), -EINVAL);
	}
}

static void test_find_errors(void **state)
{
	struct arc a = { .len = 0 };
	struct cpio_entry e;
	size_t two;

	/* Malformed before the match: -EINVAL; after it: the match stands. */
	arc_add(&a, "one", 0100644, "1");
	two = a.len;
	arc_add(&a, "two", 0100644, "2");
	arc_add(&a, "three", 0100644, "3");
	a.buf[two + 1] = 'X'; /* "two"'s magic */
	assert_int_equal(find_exact(&a, "three", &e), -EINVAL);
	assert_int_equal(find_exact(&a, "two", &e), -EINVAL);
	assert_int_equal(find_exact(&a, "one", &e), 0);
	assert_memory_equal(e.data, "1", 1);

	/* No trailer at all: the same, as the archive is malformed at its end. */
	a.len = 0;
	arc_add(&a, "one", 0100644, "1");
	assert_int_equal(find_exact(&a, "one", &e), 0);
	assert_int_equal(find_exact(&a, "two", &e), -EINVAL);
	a.len = 0;
	assert_int_equal(find_exact(&a, "one", &e), -EINVAL);

	/* Only a trailer. */
	arc_trailer(&a);
	assert_int_equal(find_exact(&a, "one", &e), -ENOENT);
}

/* ---------------------------------------------------------------- fuzzing */

/* Whatever the input, an entry returned lies inside it and the walk moves forward. */
static void walk_checked(const char *buf, size_t len, unsigned *entries)
{
	static const char *const paths[] = { "/bin/sh", "etc/motd", "bin/prog" };
	struct cpio_entry e;
	size_t off = 0, prev;
	int ret;

	do {
		prev = off;
		ret = cpio_next(buf, len, &off, &e);
		assert_true(ret == 1 || ret == 0 || ret == -EINVAL);
		if (ret < 0) {
			assert_int_equal(off, prev);
			break;
		}
		(*entries)++;
		assert_true(e.name >= buf + prev + 110 && e.name + e.namelen < buf + len);
		assert_int_equal(e.name[e.namelen], 0);
		assert_int_equal(strlen(e.name), e.namelen);
		assert_true((const char *)e.data >= e.name + e.namelen + 1);
		assert_true(e.size <= len && (const char *)e.data <= buf + len - e.size);
		assert_true(off >= prev + 112 && off % 4 == 0);
	} while (ret == 1);
	for (unsigned i = 0; i < ARRAY_SIZE(paths); i++) {
		ret = cpio_find(buf, len, paths[i], &e);
		assert_true(ret == 0 || ret == -ENOENT || ret == -EINVAL);
		if (ret == 0)
			assert_true(e.size <= len && (const char *)e.data <= buf + len - e.size);
	}
}

static void fuzz(const char *file, size_t len, unsigned iters, const char *what)
{
	unsigned entries = 0;

	for (unsigned i = 0; i < iters; i++) {
		char *buf = exact_copy(file, len);
		size_t n = len;
		int k = rng_range(1, 4);

		while (k-- && n) {
			size_t at = rng_below(n);
			switch (rng_below(4)) {
			case 0:
				buf[at] ^= 1u << rng_below(8);
				break;
			case 1: /* a hex digit, so header fields change value but stay valid */
				buf[at] = "0123456789abcdefABCDEF"[rng_below(22)];
				break;
			case 2:
				buf[at] = rng_next();
				break;
			case 3:
				n = rng_below(n + 1);
				break;
			}
		}
		char *cut = exact_copy(buf, n);
		free(buf);
		walk_checked(cut, n, &entries);
		free(cut);
	}
	printf("# %s: %u entries read from %u mutants\n", what, entries, iters);
	assert_true(entries > iters); /* the mutants are mostly still archives */
}

static void test_random_mutations(void **state)
{
	struct arc a = { .len = 0 };
	size_t len;
	char *buf = read_file(ARCHIVE, &len);

	rng_seed(0xc910c910, "cpio mutations");
	arc_add(&a, "./bin/sh", 0100755, "#!");
	hardlink(&a, "bin/prog", 9, 0, "");
	hardlink(&a, "etc/motd", 9, 0, "hello");
	arc_trailer(&a);
	fuzz(a.buf, a.len, 20000, "built archive");
	if (buf)
		fuzz(buf, len, 20000, "cpio tool's archive");
	else
		printf("# %s: not found, not fuzzed\n", ARCHIVE);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_archive_every_field),
		cmocka_unit_test(test_real_archive_find),
		cmocka_unit_test(test_every_field_distinct),
		cmocka_unit_test(test_lowercase_hex_and_mixed_case),
		cmocka_unit_test(test_padding_for_every_name_length),
		cmocka_unit_test(test_find_last_wins_and_prefixes),
		cmocka_unit_test(test_find_hard_links),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_non_hex_fields),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_truncation_everywhere),
		cmocka_unit_test(test_sizes_past_the_end),
		cmocka_unit_test(test_offset_out_of_range),
		cmocka_unit_test(test_find_errors),
		cmocka_unit_test(test_random_mutations),
	};

	hosttest_init();
	return cmocka_run_group_tests_name("cpio", tests, NULL, NULL);
}
