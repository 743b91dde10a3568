/* kernel/module/module_sys.c: the module system calls, Linux's (init_module, finit_module,
 * delete_module) and Granary's (module_load, module_unload, module_get_symbol, module_query). */
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/proc.h>
#include <granary/seqbuf.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/syscall.h>
#include <granary/vfs.h>
#include <granary/vmalloc.h>
#include <uapi/fcntl.h>
#include <uapi/module.h>
#include "internal.h"

#define IMAGE_MAX (64u << 20) /* the largest .ko accepted */
#define PARAMS_MAX 1024

/* Reads a whole regular file into a new vmalloc buffer: its length, or a negative errno. */
static long read_image(struct file *f, void **out)
{
	u64 size = f->inode ? f->inode->size : 0;
	u8 *buf;
	long done = 0;

	if (!f->inode || !IS_REG(f->inode))
		return -EINVAL;
	if (!size || size > IMAGE_MAX)
		return size ? -EFBIG : -ENOEXEC;
	buf = vmalloc(size);
	if (!buf)
		return -ENOMEM;
	while ((u64)done < size) {
		long r = kernel_read(f, buf + done, size - (u64)done);
		if (r <= 0) {
			vfree(buf);
			return r ? r : -EIO;
		}
		done += r;
	}
	*out = buf;
	return done;
}

static long image_from_path(const char *path, void **out)
{
	int err;
	struct file *f = vfs_open(AT_FDCWD, path, O_RDONLY, 0, &err);
	long len;

	if (!f)
		return err;
	len = read_image(f, out);
	file_put(f);
	return len;
}

static long image_from_user(const void __user *src, u64 len, void **out)
{
	void *buf;

	if (!len || len > IMAGE_MAX)
		return len ? -EFBIG : -ENOEXEC;
	buf = vmalloc(len);
	if (!buf)
		return -ENOMEM;
	if (copy_from_user(buf, src, len)) {
		vfree(buf);
		return -EFAULT;
	}
	*out = buf;
	return (long)len;
}

/* The module name a path suggests: its last component without ".ko". */
static void name_from_path(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len = strlen(base);

	if (len > 3 && !strcmp(base + len - 3, ".ko"))
		len -= 3;
	if (len >= size)
		len = size - 1;
	memcpy(name, base, len);
	name[len] = '\0';
}

/* Copies the user params (NULL: none) into a kernel buffer. */
static char *get_params(const char __user *uparams, int *err)
{
	char *p = kzalloc(PARAMS_MAX);
	long n;

	*err = -ENOMEM;
	if (!p || !uparams)
		return p;
	n = strncpy_from_user(p, uparams, PARAMS_MAX);
	if (n < 0) {
		*err = n == -ENAMETOOLONG ? -E2BIG : (int)n;
		kfree(p);
		return NULL;
	}
	return p;
}

static long do_load(int how, const void __user *src, u64 len, const char __user *uparams,
		    char __user *errbuf, u64 errlen)
{
	struct modelf_err why = { 0, "" };
	char name[MODULE_NAME_MAX] = "", *path = NULL, *params = NULL;
	void *img = NULL;
	struct module *m;
	int perr;
	long r = module_may_manage();

	if (r)
		return r;
	params = get_params(uparams, &perr);
	if (!params)
		return perr;
	if (how == MODULE_LOAD_BUFFER) {
		r = image_from_user(src, len, &img);
	} else if (how == MODULE_LOAD_PATH || how == MODULE_LOAD_NAME) {
		int err;
		char *arg = vfs_getname(src, false, &err);
		r = err;
		if (arg && how == MODULE_LOAD_NAME) {
			path = kmalloc(PATH_MAX, 0);
			r = !path ? -ENOMEM : strchr(arg, '/') ? -EINVAL : 0;
			if (!r && snprintf(path, PATH_MAX, "/lib/modules/%s/%s.ko", granary_release, arg) >= PATH_MAX)
				r = -ENAMETOOLONG;
		} else if (arg) {
			path = arg, arg = NULL, r = 0;
		}
		if (!r && how == MODULE_LOAD_NAME && module_builtin(arg)) {
			/* Said before looking for a file: a built-in module has none. */
			r = why.err = -EEXIST;
			snprintf(why.msg, sizeof(why.msg), "%.48s is built into the kernel", arg);
		}
		kfree(arg);
		if (!r) {
			name_from_path(path, name, sizeof(name));
			r = image_from_path(path, &img);
		}
	} else {
		r = -EINVAL;
	}
	if (r >= 0)
		r = module_load_image(img, (size_t)r, name[0] ? name : NULL, params, &why, &m);
	if (!r)
		r = m->id;
	else if (errbuf && errlen && why.msg[0])
		copy_to_user(errbuf, why.msg, strnlen(why.msg, sizeof(why.msg)) + 1 > errlen
				     ? errlen : strnlen(why.msg, sizeof(why.msg)) + 1);
	vfree(img);
	kfree(path);
	kfree(params);
	return r;
}

SYSCALL_DEFINE6(module_load, int, how, const void __user *, src, u64, len, const char __user *, params,
		char __user *, errbuf, u64, errlen)
{
	return do_load(how, src, len, params, errbuf, errlen);
}

SYSCALL_DEFINE3(init_module, const void __user *, img, u64, len, const char __user *, params)
{
	long r = do_load(MODULE_LOAD_BUFFER, img, len, params, NULL, 0);

	return r > 0 ? 0 : r;
}

SYSCALL_DEFINE3(finit_module, int, fd, const char __user *, uparams, int, flags)
{
	struct modelf_err why = { 0, "" };
	struct file *f;
	struct module *m;
	char *params;
	void *img = NULL;
	int perr;
	long r = module_may_manage();

	if (r)
		return r;
	if (flags)
		return -EINVAL;
	f = fd_get(proc_current()->files, fd);
	if (!f)
		return -EBADF;
	params = get_params(uparams, &perr);
	r = params ? read_image(f, &img) : perr;
	file_put(f);
	if (r >= 0)
		r = module_load_image(img, (size_t)r, NULL, params, &why, &m);
	vfree(img);
	kfree(params);
	return r;
}

static long unload_user(const char __user *uname, char __user *errbuf, u64 errlen)
{
	char name[MODULE_NAME_MAX], why[160] = "";
	struct module *m;
	long r = module_may_manage();

	if (r)
		return r;
	r = strncpy_from_user(name, uname, sizeof(name));
	if (r < 0)
		return r == -ENAMETOOLONG ? -ENOENT : r;
	m = module_find(name);
	if (!m && module_builtin(name))
		snprintf(why, sizeof(why), "%s is built into the kernel and cannot be unloaded", name);
	/* Nothing loaded goes by that name: -ENOENT, as Linux's delete_module says for a built-in. */
	r = m ? module_unload(m, why, sizeof(why)) : -ENOENT;
	if (r && errbuf && errlen && why[0])
		copy_to_user(errbuf, why, strlen(why) + 1 > errlen ? errlen : strlen(why) + 1);
	return r;
}

SYSCALL_DEFINE3(module_unload, const char __user *, name, char __user *, errbuf, u64, errlen)
{
	return unload_user(name, errbuf, errlen);
}

/* Unloading never waits (O_NONBLOCK is how it always behaves); forcing it (O_TRUNC, rmmod -f)
 * past users is not offered. */
SYSCALL_DEFINE2(delete_module, const char __user *, name, unsigned, flags)
{
	if (flags & O_TRUNC)
		return -EOPNOTSUPP;
	return unload_user(name, NULL, 0);
}

SYSCALL_DEFINE3(module_get_symbol, int, id, const char __user *, uname, u64 __user *, uaddr)
{
	struct module *m = module_find_id(id);
	char name[128];
	long r;

	if (!m || m->state != MODULE_LIVE)
		return -ENOENT;
	r = strncpy_from_user(name, uname, sizeof(name));
	if (r < 0)
		return r == -ENAMETOOLONG ? -ENOENT : r;
	for (unsigned i = 0; i < m->nexports; i++)
		if (!strcmp(m->exports[i].name, name))
			return copy_to_user(uaddr, &m->exports[i].addr, sizeof(u64)) ? -EFAULT : 0;
	return -ENOENT; /* not exported (even if the module defines it) */
}

SYSCALL_DEFINE3(module_query, int, id, struct granary_module_info __user *, uinfo, unsigned, flags)
{
	struct granary_module_info info;
	struct module *m = NULL;
	struct list_head *pos;
	const char *version;

	if (flags & ~MODULE_QUERY_NEXT)
		return -EINVAL;
	list_for_each(pos, &module_list) {
		struct module *c = list_entry(pos, struct module, link);
		if ((flags & MODULE_QUERY_NEXT) ? c->id > id && (!m || c->id < m->id) : c->id == id)
			m = c;
	}
	if (!m)
		return -ENOENT;
	memset(&info, 0, sizeof(info));
	strlcpy(info.name, m->name, sizeof(info.name));
	version = modinfo_find(m->modinfo, m->modinfo_len, NULL, "version");
	strlcpy(info.version, version ? version : "", sizeof(info.version));
	info.size = m->size;
	info.address = (u64)(uintptr_t)m->base;
	info.refcount = m->refcount;
	info.state = (s32)m->state;
	info.id = m->id;
	info.ndeps = m->ndeps;
	for (unsigned i = 0; i < m->ndeps && i < 8; i++)
		strlcpy(info.deps[i], m->deps[i]->name, sizeof(info.deps[i]));
	return copy_to_user(uinfo, &info, sizeof(info)) ? -EFAULT : m->id;
}

/* /proc/modules as Linux writes it: name size refcount users, state address. */
int module_proc_show(struct seqbuf *s, struct process *p)
{
	struct list_head *pos;
	static const char *const state[] = { "Loading", "Live", "Unloading" };

	list_for_each(pos, &module_list) {
		struct module *m = list_entry(pos, struct module, link);
		struct list_head *q;
		bool any = false;
		seq_printf(s, "%s %llu %u ", m->name, (unsigned long long)m->size, m->refcount);
		list_for_each(q, &module_list) {
			struct module *u = list_entry(q, struct module, link);
			for (unsigned i = 0; i < u->ndeps; i++)
				if (u->deps[i] == m) {
					seq_printf(s, "%s,", u->name);
					any = true;
				}
		}
		seq_printf(s, "%s %s 0x%016llx\n", any ? "" : "-", state[m->state],
			   (unsigned long long)(uintptr_t)m->base);
	}
	return 0;
}
