/* kernel/ktests/vfs_ktest.c: kernel tests of the VFS from inside: the initramfs unpacker on good and
 * hostile archives, and tmpfs bookkeeping. The system-call behaviour is the userland tests'. */
#include <granary/errno.h>
#include <granary/page.h>
#include <granary/ktest.h>
#include <granary/printk.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/vfs.h>
#include <uapi/fcntl.h>

#define ARC_MAX 4096

struct arc {
	char *buf;
	size_t len;
};

/* Appends a newc entry (ino, mode, nlink, data of size bytes). */
static void put(struct arc *a, const char *name, u32 ino, u32 mode, u32 nlink, const char *data,
		size_t size)
{
	size_t n = strlen(name) + 1;

	a->len += snprintf(a->buf + a->len, 111, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
			   ino, mode, 0u, 0u, nlink, 1234u, (u32)size, 0u, 0u, 0u, 0u, (u32)n, 0u);
	memcpy(a->buf + a->len, name, n);
	a->len += n;
	while (a->len % 4)
		a->buf[a->len++] = '\0';
	memcpy(a->buf + a->len, data, size);
	a->len += size;
	while (a->len % 4)
		a->buf[a->len++] = '\0';
}

static void trailer(struct arc *a)
{
	put(a, "TRAILER!!!", 0, 0, 1, "", 0);
}

/* A scratch directory /ktest-ramfs on the root tmpfs, with a path to it. */
static int scratch(struct path *p)
{
	vfs_unlink(AT_FDCWD, "/ktest-ramfs/sub/file", false);
	vfs_unlink(AT_FDCWD, "/ktest-ramfs/sub/link", false);
	vfs_unlink(AT_FDCWD, "/ktest-ramfs/sub/hard", false);
	vfs_unlink(AT_FDCWD, "/ktest-ramfs/sub", true);
	vfs_unlink(AT_FDCWD, "/ktest-ramfs/first", false);
	vfs_unlink(AT_FDCWD, "/ktest-ramfs", true);
	if (vfs_mknod(AT_FDCWD, "/ktest-ramfs", S_IFDIR | 0755, 0))
		return -1;
	return vfs_lookup(AT_FDCWD, "/ktest-ramfs", 0, p);
}

static bool exists(const char *path)
{
	struct path p;

	if (vfs_lookup(AT_FDCWD, path, 0, &p))
		return false;
	path_put(&p);
	return true;
}

KTEST(initramfs_unpacks_files_links_and_modes)
{
	struct arc a = { kmalloc(ARC_MAX, 0), 0 };
	struct path dir, f, h;
	char text[8] = { 0 };

	KT_ASSERT(a.buf && !scratch(&dir));
	put(&a, "sub", 1, S_IFDIR | 0750, 2, "", 0);
	put(&a, "sub/link", 2, S_IFLNK | 0777, 1, "file", 4);
	put(&a, "sub/hard", 3, S_IFREG | 0600, 2, "", 0); /* newc: the data comes with the last link */
	put(&a, "sub/file", 3, S_IFREG | 0600, 2, "granary", 7);
	trailer(&a);
	KT_EXPECT_EQ(initramfs_unpack(a.buf, a.len, &dir), 0);
	KT_ASSERT(vfs_lookup(AT_FDCWD, "/ktest-ramfs/sub/link", LOOKUP_FOLLOW, &f) == 0);
	KT_EXPECT_EQ(f.dentry->inode->mode, S_IFREG | 0600);
	KT_EXPECT_EQ(f.dentry->inode->nlink, 2);
	KT_EXPECT_EQ(f.dentry->inode->mtime.sec, 1234);
	KT_EXPECT_EQ(vfs_read_at(f.dentry->inode, text, sizeof(text), 0, false), 7);
	KT_EXPECT_STREQ(text, "granary");
	KT_ASSERT(vfs_lookup(AT_FDCWD, "/ktest-ramfs/sub/hard", 0, &h) == 0);
	KT_EXPECT(h.dentry->inode == f.dentry->inode); /* one inode, two names */
	path_put(&h);
	path_put(&f);
	KT_ASSERT(vfs_lookup(AT_FDCWD, "/ktest-ramfs/sub", 0, &f) == 0);
	KT_EXPECT_EQ(f.dentry->inode->mode, S_IFDIR | 0750);
	path_put(&f);
	path_put(&dir);
	kfree(a.buf);
}

/* Each hostile archive is refused with -EINVAL and a message, and nothing escapes the root. */
KTEST(initramfs_rejects_corrupt_archives)
{
	struct arc a = { kmalloc(ARC_MAX, 0), 0 };
	struct path dir;

	KT_ASSERT(a.buf && !scratch(&dir));
	/* Bad magic. */
	put(&a, "first", 1, S_IFREG | 0644, 1, "x", 1);
	trailer(&a);
	memcpy(a.buf, "070707", 6);
	KT_EXPECT_EQ(initramfs_unpack(a.buf, a.len, &dir), -EINVAL);
	KT_EXPECT(!exists("/ktest-ramfs/first"));
	/* A header cut short. */
	memcpy(a.buf, "070701", 6);
	KT_EXPECT_EQ(initramfs_unpack(a.buf, 50, &dir), -EINVAL);
	/* A name whose NUL is missing: the name size claims one byte less. */
	a.buf[6 + 11 * 8 + 7] = '5'; /* namesize 6 -> 5: "first" without its NUL */
	KT_EXPECT_EQ(initramfs_unpack(a.buf, a.len, &dir), -EINVAL);
	KT_EXPECT(!exists("/ktest-ramfs/first"));
	/* A path that climbs out of the root, after a good entry. */
	a.len = 0;
	put(&a, "first", 1, S_IFREG | 0644, 1, "x", 1);
	put(&a, "../ktest-escaped", 2, S_IFREG | 0644, 1, "x", 1);
	trailer(&a);
	KT_EXPECT_EQ(initramfs_unpack(a.buf, a.len, &dir), -EINVAL);
	KT_EXPECT(exists("/ktest-ramfs/first"));
	KT_EXPECT(!exists("/ktest-escaped"));
	/* An entry whose parent does not exist, and a symlink whose target has a NUL. */
	a.len = 0;
	put(&a, "nodir/file", 1, S_IFREG | 0644, 1, "x", 1);
	trailer(&a);
	KT_EXPECT_EQ(initramfs_unpack(a.buf, a.len, &dir), -EINVAL);
	a.len = 0;
	put(&a, "badlink", 1, S_IFLNK | 0777, 1, "a\0b", 3);
	trailer(&a);
	KT_EXPECT_EQ(initramfs_unpack(a.buf, a.len, &dir), -EINVAL);
	KT_EXPECT(!exists("/ktest-ramfs/badlink"));
	/* No trailer: the archive just stops. */
	a.len = 0;
	put(&a, "first", 1, S_IFREG | 0644, 1, "y", 1);
	KT_EXPECT_EQ(initramfs_unpack(a.buf, a.len, &dir), -EINVAL);
	/* A file size running past the end. */
	a.len = 0;
	put(&a, "first", 1, S_IFREG | 0644, 1, "x", 1);
	memcpy(a.buf + 6 + 6 * 8, "00001000", 8);
	KT_EXPECT_EQ(initramfs_unpack(a.buf, a.len, &dir), -EINVAL);
	path_put(&dir);
	kfree(a.buf);
}

/* One round: a sparse file written, read, unlinked while open, closed. */
static void sparse_round(void)
{
	char page[512];
	struct file *f;
	int err;

	memset(page, 'g', sizeof(page));
	f = vfs_open(AT_FDCWD, "/ktest-tmpfs-file", O_CREAT | O_RDWR | O_EXCL, 0600, &err);
	KT_ASSERT(f);
	/* Sparse: a byte at 1 MiB takes its page (and the map's nodes), not the hole's. */
	KT_EXPECT_EQ(vfs_write_at(f->inode, page, 1, 1 << 20, false), 1);
	KT_EXPECT_EQ(f->inode->size, (1 << 20) + 1);
	KT_EXPECT_EQ(f->inode->blocks, 8);
	KT_EXPECT_EQ(vfs_read_at(f->inode, page, sizeof(page), 4096, false), (long)sizeof(page));
	KT_EXPECT_EQ(page[0], 0);
	KT_EXPECT_EQ(vfs_unlink(AT_FDCWD, "/ktest-tmpfs-file", false), 0);
	KT_EXPECT_EQ(f->inode->nlink, 0); /* still open: the data stays until the close */
	KT_EXPECT_EQ(vfs_read_at(f->inode, page, 1, 1 << 20, false), 1);
	KT_EXPECT_EQ(page[0], 'g');
	file_put(f);
}

KTEST(tmpfs_pages_return_on_unlink)
{
	struct mem_stats warm, after;

	vfs_unlink(AT_FDCWD, "/ktest-tmpfs-file", false);
	sparse_round(); /* fills the slab caches it uses */
	mem_get_stats(&warm);
	sparse_round();
	mem_get_stats(&after);
	KT_EXPECT_EQ(after.free, warm.free);
}
