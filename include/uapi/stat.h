/* include/uapi/stat.h: file type bits of st_mode, with Linux values.
 * Used by stat, exec's checks and the initramfs reader. */
#ifndef UAPI_STAT_H
#define UAPI_STAT_H

#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000

#endif
