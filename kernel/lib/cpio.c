/* kernel/lib/cpio.c: walking and searching a cpio "newc" archive held in memory.
 * The archive is untrusted: every field is parsed strictly and every size checked against len. */
#include <granary/compiler.h>
#include <granary/cpio.h>
#include <granary/errno.h>
#include <granary/string.h>

#define HDR_SIZE 110 /* "070701" and 13 fields of 8 hex digits */
#define FIELD_INO 0
#define FIELD_MODE 1
#define FIELD_UID 2
#define FIELD_GID 3
#define FIELD_NLINK 4
#define FIELD_MTIME 5
#define FIELD_FILESIZE 6
#define FIELD_DEVMAJOR 7
#define FIELD_DEVMINOR 8
#define FIELD_RDEVMAJOR 9
#define FIELD_RDEVMINOR 10
#define FIELD_NAMESIZE 11
#define NFIELDS 13 /* the last is the checksum, which we do not check */

#define MODE_TYPE 0170000
#define MODE_REG 0100000

static const char trailer[] = "TRAILER!!!";

static bool parse_hex8(const char *s, u32 *out)
{
	u32 v = 0;

	for (int i = 0; i < 8; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

int cpio_next(const void *archive, size_t len, size_t *off, struct cpio_entry *e)
{
	const char *base = archive, *h, *name;
	size_t pos = *off, namesize, data, size;
	u32 f[NFIELDS];

	if (pos > len || len - pos < HDR_SIZE)
		return -EINVAL;
	h = base + pos;
	if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6))
		return -EINVAL;
	for (int i = 0; i < NFIELDS; i++)
		if (!parse_hex8(h + 6 + 8 * i, &f[i]))
			return -EINVAL;

	/* The name follows the header; then header and name are padded to 4 bytes (relative to
	 * the archive start, as Linux unpacks it), then the data, padded the same way.
	 * All sizes are at most 2^32 - 1 and pos <= len, so none of the sums below wrap. */
	namesize = f[FIELD_NAMESIZE];
	pos += HDR_SIZE;
	if (namesize == 0 || namesize > len - pos)
		return -EINVAL;
	name = base + pos;
	if (name[namesize - 1] || memchr(name, 0, namesize - 1))
		return -EINVAL;
	data = ALIGN_UP(pos + namesize, (size_t)4);
	size = f[FIELD_FILESIZE];
	if (data > len || size > len - data)
		return -EINVAL;

	*e = (struct cpio_entry){
		.name = name,
		.namelen = namesize - 1,
		.data = base + data,
		.size = size,
		.mode = f[FIELD_MODE],
		.uid = f[FIELD_UID],
		.gid = f[FIELD_GID],
		.nlink = f[FIELD_NLINK],
		.ino = f[FIELD_INO],
		.mtime = f[FIELD_MTIME],
		.rdevmajor = f[FIELD_RDEVMAJOR],
		.rdevminor = f[FIELD_RDEVMINOR],
		.devmajor = f[FIELD_DEVMAJOR],
		.devminor = f[FIELD_DEVMINOR],
	};
	*off = ALIGN_UP(data + size, (size_t)4);
	return namesize == sizeof(trailer) && !memcmp(name, trailer, sizeof(trailer)) ? 0 : 1;
}

/* The next component of the path at *p, skipping empty and "." ones: its start (length in *n)
 * and *p moved past it, or NULL at the end. */
static const char *component(const char **p, size_t *n)
{
	const char *s = *p, *end;

	for (;;) {
		while (*s == '/')
			s++;
		if (!*s)
			return NULL;
		for (end = s; *end && *end != '/'; end++)
			;
		if (end - s != 1 || *s != '.')
			break;
		s = end;
	}
	*p = end;
	*n = end - s;
	return s;
}

/* Whether two paths name the same entry; a ".." anywhere means no. */
static bool path_equal(const char *a, const char *b)
{
	for (;;) {
		size_t na, nb;
		const char *ca = component(&a, &na), *cb = component(&b, &nb);

		if (!ca || !cb)
			return !ca && !cb;
		if (na != nb || memcmp(ca, cb, na) || (na == 2 && !memcmp(ca, "..", 2)))
			return false;
	}
}

static bool same_file(const struct cpio_entry *a, const struct cpio_entry *b)
{
	return a->ino == b->ino && a->devmajor == b->devmajor && a->devminor == b->devminor &&
	       (b->mode & MODE_TYPE) == MODE_REG;
}

int cpio_find(const void *archive, size_t len, const char *path, struct cpio_entry *e)
{
	struct cpio_entry cur, found;
	bool have = false;
	size_t off = 0;
	int ret;

	while ((ret = cpio_next(archive, len, &off, &cur)) == 1) {
		if (path_equal(path, cur.name)) {
			found = cur;
			have = true;
		}
	}
	if (!have)
		return ret < 0 ? -EINVAL : -ENOENT;

	if ((found.mode & MODE_TYPE) == MODE_REG && found.nlink > 1 && found.size == 0) {
		off = 0;
		while (cpio_next(archive, len, &off, &cur) == 1) {
			if (same_file(&found, &cur) && cur.size) {
				found.data = cur.data;
				found.size = cur.size;
			}
		}
	}
	*e = found;
	return 0;
}
