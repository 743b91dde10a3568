/* fs/fs_type.c: the registry of filesystem types, by name. A type is an object: a superblock of it
 * holds a reference, so a module providing it is refused unload while it is mounted. */
#include <granary/errno.h>
#include <granary/printk.h>
#include <granary/string.h>
#include <granary/vfs.h>

static struct fs_type *types;

int fs_type_query(struct fs_type *t, const char *iid, void **out)
{
	if (strcmp(iid, "fstype"))
		return -EOPNOTSUPP;
	fs_type_addref(t);
	*out = t;
	return 0;
}

u32 fs_type_addref(struct fs_type *t)
{
	return ++t->refcount;
}

u32 fs_type_release(struct fs_type *t)
{
	return --t->refcount;
}

int fs_type_register(struct fs_type *t)
{
	for (struct fs_type *o = types; o; o = o->next)
		if (!strcmp(o->name, t->name))
			return -EEXIST;
	t->next = types;
	types = t;
	return 0;
}

int fs_type_unregister(struct fs_type *t)
{
	if (t->refcount)
		return -EBUSY;
	for (struct fs_type **pp = &types; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			return 0;
		}
	}
	return -ENOENT;
}

struct fs_type *fs_type_find(const char *name)
{
	for (struct fs_type *t = types; t; t = t->next)
		if (!strcmp(t->name, name)) {
			obj_addref(t);
			return t;
		}
	return NULL;
}

size_t fs_type_list(char *buf, size_t size)
{
	size_t len = 0;

	/* Registration order, oldest first, as Linux lists them. */
	for (int n = 0;; n++) {
		struct fs_type *t = types;
		int count = 0;
		for (struct fs_type *o = types; o; o = o->next)
			count++;
		if (n >= count)
			break;
		for (int k = 0; k < count - 1 - n; k++)
			t = t->next;
		len += snprintf(buf + len, len < size ? size - len : 0, "%s\t%s\n",
				t->flags & FS_REQUIRES_DEV ? "" : "nodev", t->name);
	}
	return len < size ? len : size;
}

int vfs_next_option(const char **data, char *opt, size_t size, char **val)
{
	const char *d = *data, *end;
	size_t len;

	if (!d || !*d)
		return 0;
	end = strchr(d, ',');
	len = end ? (size_t)(end - d) : strlen(d);
	if (len >= size)
		return -EINVAL;
	memcpy(opt, d, len);
	opt[len] = '\0';
	*data = d + len + (end ? 1 : 0);
	*val = strchr(opt, '=');
	if (!*val)
		return -EINVAL;
	*(*val)++ = '\0';
	return 1;
}
