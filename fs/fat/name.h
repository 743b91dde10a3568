/* fs/fat/name.h: FAT's on-disk directory entries and the name functions of name.c. Kept apart from
 * fat.h so that the host tests (tests/host/test_fatname.c) build name.c without the VFS headers. */
#ifndef FS_FAT_NAME_H
#define FS_FAT_NAME_H

#include <granary/compiler.h>
#include <granary/types.h>

/* Directory entry attributes. */
#define FAT_ATTR_RO 0x01
#define FAT_ATTR_HIDDEN 0x02
#define FAT_ATTR_SYSTEM 0x04
#define FAT_ATTR_VOLUME 0x08
#define FAT_ATTR_DIR 0x10
#define FAT_ATTR_ARCH 0x20
#define FAT_ATTR_LFN 0x0f /* RO|HIDDEN|SYSTEM|VOLUME: a long-name piece */
#define FAT_ATTR_MASK 0x3f

/* The NT reserved byte's case flags: the short name's base / extension is shown lower case. */
#define FAT_NT_LOWER_BASE 0x08
#define FAT_NT_LOWER_EXT 0x10

#define FAT_DELETED 0xe5
#define FAT_DIRENT_SIZE 32
/* The spec's limit on a directory: 65536 entries. Walks of directory chains are bounded by it. */
#define FAT_DIR_MAX_BYTES (65536u * FAT_DIRENT_SIZE)
#define FAT_LFN_MAX 20	     /* pieces of a long name: 20 * 13 = 260 UTF-16 units */
#define FAT_NAME_UNITS 255   /* UTF-16 units in a long name */
#define FAT_NAME_BUF 768     /* bytes of a long name in UTF-8, with the NUL */
#define FAT_MAX_FILE 0xffffffffULL

struct fat_dirent {
	u8 name[11];
	u8 attr;
	u8 ntres;
	u8 ctime_tenth;
	u16 ctime, cdate, adate, start_hi, mtime, mdate, start_lo;
	u32 size;
} __packed;

struct fat_lfn {
	u8 ord; /* 1..20, 0x40 on the last piece (stored first) */
	u16 name1[5];
	u8 attr; /* FAT_ATTR_LFN */
	u8 type; /* 0 */
	u8 csum; /* of the short name it belongs to */
	u16 name2[6];
	u16 start; /* 0 */
	u16 name3[2];
} __packed;

/* ---- name.c: short names, long names, aliases ---- */
u8 fat_checksum(const u8 name[11]);
int fat_short_to_utf8(const struct fat_dirent *de, char *out);
int fat_lfn_to_utf8(const u16 *u, unsigned n, char *out);
int fat_utf8_to_units(const char *name, size_t len, u16 *u);
bool fat_fits_short(const u16 *u, unsigned n, u8 out[11], u8 *ntres);
void fat_alias_basis(const u16 *u, unsigned n, char base[9], char ext[4]);
void fat_alias_make(const char *base, const char *ext, unsigned num, u8 out[11]);
unsigned fat_alias_number(const u8 name[11], const char *base, const char *ext);
bool fat_name_eq(const char *a, size_t alen, const char *b, size_t blen);

#endif
