/* include/granary/cpio.h: reading cpio "newc" archives (the initramfs format) held in memory.
 * Entries are returned in place, pointing into the archive; nothing is unpacked or copied. */
#ifndef GRANARY_CPIO_H
#define GRANARY_CPIO_H

#include <granary/types.h>

struct cpio_entry {
	const char *name; /* NUL-terminated inside the archive */
	size_t namelen;	  /* without the NUL */
	const void *data; /* size bytes inside the archive */
	size_t size;
	u32 mode, uid, gid, nlink, ino, mtime, rdevmajor, rdevminor, devmajor, devminor;
};

/* Reads the entry at *off (0 for the first): 1 for an entry, 0 for the "TRAILER!!!" entry that
 * ends the archive; both fill e and advance *off past the entry's data, 4-byte aligned.
 * -EINVAL (e, *off untouched) for a malformed archive: a magic other than 070701 or 070702 (whose
 * checksum is not verified), a field that is not 8 hex digits, a name size of 0, a name whose only
 * NUL is not at namesize - 1, or a header, name, the padding after the name, or data running
 * past len. Sizes are checked without sums that could wrap. */
int cpio_next(const void *archive, size_t len, size_t *off, struct cpio_entry *e);

/* Finds path in the archive, up to its first trailer. "/bin/sh", "bin/sh", "./bin/sh" and
 * "bin//./sh" name the same entry; a path with a ".." component never matches. The last entry
 * of that name wins, as when unpacking; if it is a data-less hard link (a regular file, nlink > 1,
 * size 0), data and size come from the entry of the same ino/devmajor/devminor that carries the
 * data (newc stores a hard-linked file's data with its last link). 0 and fills e, -ENOENT, or
 * -EINVAL if the archive is malformed before any match. */
int cpio_find(const void *archive, size_t len, const char *path, struct cpio_entry *e);

#endif
