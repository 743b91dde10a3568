/* fs/procfs/root.c: procfs's directory glue: /proc, /proc/<pid>/ and /proc/<pid>/fd/, their lookups,
 * listings and links. A file's text is made at open by its generator (pid.c, sys.c), then read from. */
#include <granary/errno.h>
#include <granary/printk.h>
#include <granary/proc.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/vfs.h>
#include <uapi/fcntl.h>
#include "procfs.h"

#define PROC_SUPER_MAGIC 0x9fa0
#define TEXT_MAX (1u << 20) /* the largest file text a generator may produce */
#define PID_POS_BASE 64	    /* listing positions of pids in /proc: PID_POS_BASE + pid */

enum node_kind { N_ROOT, N_PID, N_FD_DIR, N_FILE, N_SELF, N_EXE, N_CWD, N_ROOTLINK, N_FD,
		 N_MOUNTS, N_FILESYSTEMS };

struct node {
	enum node_kind kind;
	int pid; /* 0 for system files */
	int fd;
	procfs_show_fn show;
};

static const struct inode_ops procfs_ops;

/* ---- nodes ---- */

static u64 ino_of(const struct node *n, unsigned index)
{
	return n->kind == N_ROOT ? 1 : ((u64)n->pid << 20) | ((u64)n->kind << 12) | index;
}

static struct inode *new_node(struct super_block *sb, u32 mode, struct node tmpl, unsigned index)
{
	struct inode *i = inode_new(sb, mode);
	struct node *n = kmalloc(sizeof(*n), 0);
	struct process *p;

	if (!i || !n) {
		kfree(n);
		if (i)
			inode_put(i);
		return NULL;
	}
	*n = tmpl;
	i->priv = n;
	i->ops = &procfs_ops;
	i->ino = ino_of(n, index);
	i->nlink = IS_DIR(i) ? 2 : 1;
	i->uid = i->gid = 0;
	if (n->pid && (p = proc_find(n->pid))) {
		i->uid = p->cred.euid;
		i->gid = p->cred.egid;
		proc_put(p);
	}
	return i;
}

static struct node *node_of(struct inode *i)
{
	return i->priv;
}

static bool parse_num(const char *s, size_t len, int *out)
{
	long v = 0;

	if (!len || len > 9 || (len > 1 && s[0] == '0'))
		return false;
	for (size_t k = 0; k < len; k++) {
		if (s[k] < '0' || s[k] > '9')
			return false;
		v = v * 10 + (s[k] - '0');
	}
	*out = (int)v;
	return true;
}

/* The live process pid (not a zombie's remains), with a reference. */
static struct process *live(int pid)
{
	return proc_find(pid); /* zombies too: ps lists them; their files and memory are gone */
}

static struct file *proc_fd(int pid, int fd)
{
	struct process *p = live(pid);
	struct file *f = NULL;

	if (p && p->files)
		f = fd_get(p->files, fd);
	if (p)
		proc_put(p);
	return f;
}

/* ---- the fixed entries of each directory ---- */

struct fixed {
	const char *name;
	enum node_kind kind;
	u32 mode;
};

static const struct fixed root_fixed[] = {
	{ "self", N_SELF, S_IFLNK | 0777 },
	{ "mounts", N_MOUNTS, S_IFREG | 0444 },
	{ "filesystems", N_FILESYSTEMS, S_IFREG | 0444 },
};

static const struct fixed pid_fixed[] = {
	{ "fd", N_FD_DIR, S_IFDIR | 0500 },
	{ "exe", N_EXE, S_IFLNK | 0777 },
	{ "cwd", N_CWD, S_IFLNK | 0777 },
	{ "root", N_ROOTLINK, S_IFLNK | 0777 },
	{ "mounts", N_MOUNTS, S_IFREG | 0444 },
};

static size_t count_files(const struct procfs_file *t)
{
	size_t n = 0;

	while (t[n].name)
		n++;
	return n;
}

/* The index-th entry of a directory made of fixed entries then a generator table: 0 and fills
 * name/kind/mode/show, or -ENOENT past the end. */
static int dir_entry(const struct fixed *fx, size_t nfx, const struct procfs_file *files, size_t index,
		     const char **name, enum node_kind *kind, u32 *mode, procfs_show_fn *show)
{
	*show = NULL;
	if (index < nfx) {
		*name = fx[index].name;
		*kind = fx[index].kind;
		*mode = fx[index].mode;
		return 0;
	}
	index -= nfx;
	if (index >= count_files(files))
		return -ENOENT;
	*name = files[index].name;
	*kind = N_FILE;
	*mode = S_IFREG | files[index].mode;
	*show = files[index].show;
	return 0;
}

/* ---- lookup and readdir ---- */

static int procfs_lookup(struct inode *dir, struct dentry *d)
{
	struct node *n = node_of(dir);
	const struct fixed *fx = n->kind == N_ROOT ? root_fixed : pid_fixed;
	size_t nfx = n->kind == N_ROOT ? ARRAY_SIZE(root_fixed) : ARRAY_SIZE(pid_fixed);
	const struct procfs_file *files = n->kind == N_ROOT ? procfs_root_files : procfs_pid_files;
	struct node t = { .pid = n->pid };
	struct inode *i = NULL;
	int num;

	if (n->kind == N_FD_DIR) {
		struct file *f;
		if (!parse_num(d->name, d->len, &num) || !(f = proc_fd(n->pid, num)))
			return 0;
		file_put(f);
		t.kind = N_FD;
		t.fd = num;
		i = new_node(dir->sb, S_IFLNK | 0700, t, (unsigned)num);
	} else if (n->kind == N_ROOT && parse_num(d->name, d->len, &num)) {
		struct process *p = proc_find(num);
		if (!p || p->pid != num) {
			if (p)
				proc_put(p);
			return 0;
		}
		proc_put(p);
		t.kind = N_PID;
		t.pid = num;
		i = new_node(dir->sb, S_IFDIR | 0555, t, 0);
	} else {
		const char *name;
		u32 mode;
		for (size_t k = 0; !dir_entry(fx, nfx, files, k, &name, &t.kind, &mode, &t.show); k++) {
			if (strlen(name) == d->len && !memcmp(name, d->name, d->len)) {
				i = new_node(dir->sb, mode, t, (unsigned)k);
				break;
			}
		}
		if (!i)
			return 0;
	}
	if (!i)
		return -ENOMEM;
	d_instantiate(d, i);
	return 0;
}

static int procfs_readdir(struct file *f, struct dir_ctx *ctx)
{
	struct node *n = node_of(f->inode);
	const struct fixed *fx = n->kind == N_ROOT ? root_fixed : pid_fixed;
	size_t nfx = n->kind == N_ROOT ? ARRAY_SIZE(root_fixed) : ARRAY_SIZE(pid_fixed);
	const struct procfs_file *files = n->kind == N_ROOT ? procfs_root_files : procfs_pid_files;
	char num[16];

	if (f->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, f->inode->ino, DT_DIR, 1))
			return 0;
		f->pos = 1;
	}
	if (f->pos == 1) {
		if (!ctx->emit(ctx, "..", 2, f->path.dentry->parent->inode->ino, DT_DIR, 2))
			return 0;
		f->pos = 2;
	}
	if (n->kind == N_FD_DIR) {
		for (int fd = (int)f->pos - 2; fd < FILES_MAX; fd++) {
			struct file *of = proc_fd(n->pid, fd);
			if (!of)
				continue;
			file_put(of);
			snprintf(num, sizeof(num), "%d", fd);
			if (!ctx->emit(ctx, num, strlen(num), ((u64)n->pid << 20) | ((u64)N_FD << 12) | (u64)fd,
				       DT_LNK, (u64)fd + 3))
				return 0;
			f->pos = (u64)fd + 3;
		}
		return 0;
	}
	for (;;) {
		const char *name;
		enum node_kind kind;
		u32 mode;
		procfs_show_fn show;
		struct node t = { .pid = n->pid };
		if (f->pos - 2 >= PID_POS_BASE - 2 ||
		    dir_entry(fx, nfx, files, f->pos - 2, &name, &kind, &mode, &show))
			break;
		t.kind = kind;
		if (!ctx->emit(ctx, name, strlen(name), ino_of(&t, (unsigned)(f->pos - 2)),
			       DT_FROM_MODE(mode), f->pos + 1))
			return 0;
		f->pos++;
	}
	if (n->kind != N_ROOT)
		return 0;
	if (f->pos < PID_POS_BASE)
		f->pos = PID_POS_BASE;
	for (int pid = (int)(f->pos - PID_POS_BASE); pid < PID_MAX; pid++) {
		struct process *p = proc_find(pid);
		bool is_proc = p && p->pid == pid;
		if (p)
			proc_put(p);
		if (!is_proc)
			continue;
		snprintf(num, sizeof(num), "%d", pid);
		if (!ctx->emit(ctx, num, strlen(num), (u64)pid << 20, DT_DIR, PID_POS_BASE + (u64)pid + 1))
			return 0;
		f->pos = PID_POS_BASE + (u64)pid + 1;
	}
	return 0;
}

/* ---- links ---- */

static long copy_target(char *buf, size_t size, const char *s)
{
	size_t len = strlen(s);

	if (len > size)
		return -ENAMETOOLONG;
	memcpy(buf, s, len);
	return (long)len;
}

static long procfs_readlink(struct inode *i, char *buf, size_t size)
{
	struct node *n = node_of(i);
	struct process *cur = proc_current(), *p;
	struct path root;
	char tmp[32];
	long len = -ENOENT;

	if (n->kind == N_SELF) {
		snprintf(tmp, sizeof(tmp), "%d", cur ? cur->pid : 0);
		return copy_target(buf, size, tmp);
	}
	if (n->kind == N_FD) {
		struct file *f = proc_fd(n->pid, n->fd);
		if (!f)
			return -ENOENT;
		vfs_proc_root(&root);
		if (f->path.dentry) {
			len = path_name(&f->path, &root, buf, size);
			if (len >= 0 && f->inode && !f->inode->nlink && len + 10 <= (long)size) {
				memcpy(buf + len, " (deleted)", 10);
				len += 10;
			}
		} else {
			snprintf(tmp, sizeof(tmp), "%s:[%llu]", f->ops->ifmt == S_IFIFO ? "pipe" : "anon_inode",
				 (unsigned long long)((u64)f >> 4));
			len = copy_target(buf, size, tmp);
		}
		path_put(&root);
		file_put(f);
		return len;
	}
	p = live(n->pid);
	if (!p)
		return -ENOENT;
	if (n->kind == N_EXE && p->exe[0]) {
		len = copy_target(buf, size, p->exe);
	} else if ((n->kind == N_CWD || n->kind == N_ROOTLINK) && p->cwd.dentry) {
		vfs_proc_root(&root);
		len = path_name(n->kind == N_CWD ? &p->cwd : &p->root, &root, buf, size);
		path_put(&root);
	}
	proc_put(p);
	return len;
}

/* ---- generated files ---- */

struct text {
	char *buf;
	size_t len;
};

static int generate(struct node *n, struct text *t)
{
	struct process *p = NULL;
	struct seqbuf s;
	int err = 0;

	if (n->pid && !(p = live(n->pid)))
		return -ESRCH;
	for (size_t size = 4096;; size *= 2) {
		t->buf = kmalloc(size, 0);
		if (!t->buf) {
			err = -ENOMEM;
			break;
		}
		seq_init(&s, t->buf, size);
		if (n->kind == N_MOUNTS) {
			struct path root;
			vfs_proc_root(&root);
			s.len = vfs_mounts_list(s.buf, s.size, &root);
			s.overflow = s.len >= s.size - 1;
			path_put(&root);
		} else if (n->kind == N_FILESYSTEMS) {
			s.len = fs_type_list(s.buf, s.size);
			s.overflow = s.len >= s.size - 1;
		} else {
			err = n->show(&s, p);
		}
		if (err || !s.overflow || size >= TEXT_MAX)
			break;
		kfree(t->buf);
	}
	if (err) {
		kfree(t->buf);
		t->buf = NULL;
	}
	t->len = s.len;
	if (p)
		proc_put(p);
	return err;
}

static long text_pread(struct file *f, char __user *buf, size_t n, u64 pos)
{
	struct text *t = f->priv;

	if (pos >= t->len)
		return 0;
	if (n > t->len - pos)
		n = t->len - pos;
	return copy_to_user(buf, t->buf + pos, n) ? -EFAULT : (long)n;
}

static s64 text_llseek(struct file *f, s64 off, int whence)
{
	struct text *t = f->priv;
	s64 base = whence == 0 ? 0 : whence == 1 ? (s64)f->pos : whence == 2 ? (s64)t->len : -1;

	if (base < 0 || base + off < 0)
		return -EINVAL;
	f->pos = (u64)(base + off);
	return (s64)f->pos;
}

static void text_release(struct file *f)
{
	struct text *t = f->priv;

	kfree(t->buf);
	kfree(t);
}

static void text_stat(struct file *f, struct kstat *k)
{
	k->size = 0; /* as Linux: generated files report no size */
}

static const struct file_ops text_ops = {
	.read = generic_file_read,
	.pread = text_pread,
	.llseek = text_llseek,
	.release = text_release,
	.stat = text_stat,
	.ifmt = S_IFREG,
};

static long dir_read(struct file *f, char __user *buf, size_t n) { return -EISDIR; }
static s64 dir_llseek(struct file *f, s64 off, int whence)
{
	if (whence != 0 || off < 0)
		return -EINVAL;
	f->pos = (u64)off;
	return off;
}
static const struct file_ops procdir_ops = { .read = dir_read, .llseek = dir_llseek, .ifmt = S_IFDIR };

static int procfs_open(struct inode *i, struct file *f)
{
	struct node *n = node_of(i);
	struct text *t;
	int err;

	if (IS_DIR(i)) {
		f->ops = &procdir_ops;
		return 0;
	}
	if ((f->flags & O_ACCMODE) != O_RDONLY)
		return -EACCES; /* read-only files */
	t = kzalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	err = generate(n, t);
	if (err) {
		kfree(t);
		return err == -ESRCH ? -ENOENT : err;
	}
	f->ops = &text_ops;
	f->priv = t;
	return 0;
}

static const struct inode_ops procfs_ops = {
	.lookup = procfs_lookup,
	.readdir = procfs_readdir,
	.readlink = procfs_readlink,
	.open = procfs_open,
};

static void procfs_evict(struct inode *i)
{
	kfree(i->priv);
	i->priv = NULL;
}

static const struct super_ops procfs_super_ops = { .evict = procfs_evict };

static int procfs_fill_super(struct super_block *sb, const char *source, const char *data)
{
	struct inode *root;

	sb->ops = &procfs_super_ops;
	sb->magic = PROC_SUPER_MAGIC;
	sb->flags |= SB_NOCACHE;
	root = new_node(sb, S_IFDIR | 0555, (struct node){ .kind = N_ROOT }, 0);
	if (!root)
		return -ENOMEM;
	sb->root = d_make_root(root);
	return sb->root ? 0 : -ENOMEM;
}

static struct fs_type procfs_type = {
	.ops = &(const struct fs_type_ops)FS_TYPE_OPS(procfs_fill_super),
	.name = "proc",
};

int procfs_register(void)
{
	return fs_type_register(&procfs_type);
}
