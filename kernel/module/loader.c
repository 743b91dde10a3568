/* kernel/module/loader.c: loading and unloading modules: the image checked (modelf), placed in the module
 * area W^X, linked against the kernel's and other modules' exports, its init run; unload when unused. */
#define pr_fmt(fmt) "module: " fmt
#include <granary/errno.h>
#include <granary/modelf.h>
#include <granary/module.h>
#include <granary/printk.h>
#include <granary/proc.h>
#include <granary/silo.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/vmalloc.h>
#include <uapi/mman.h>
#include "internal.h"

struct list_head module_list = LIST_HEAD_INIT(module_list);
static int next_id = 1;

int module_may_manage(void)
{
	struct process *p = proc_current();

	if (p && p->cred.euid)
		return -EPERM;
	/* The one place the silo issue makes loading impossible inside a silo. */
	if (p && p->silo != &silo_host)
		return -EPERM;
	return 0;
}

struct module *module_find(const char *name)
{
	struct list_head *pos;

	list_for_each(pos, &module_list) {
		struct module *m = list_entry(pos, struct module, link);
		if (!strcmp(m->name, name))
			return m;
	}
	return NULL;
}

struct module *module_find_id(int id)
{
	struct list_head *pos;

	list_for_each(pos, &module_list) {
		struct module *m = list_entry(pos, struct module, link);
		if (m->id == id)
			return m;
	}
	return NULL;
}

bool module_get(struct module *m)
{
	if (!m)
		return true; /* built in: always there */
	if (m->state == MODULE_GOING)
		return false;
	m->refcount++;
	return true;
}

void module_put(struct module *m)
{
	if (m && m->refcount)
		m->refcount--;
}

/* ---- linking ---- */

#define LINK_CACHE 64 /* slots, a power of two */

struct link_ctx {
	struct module *mod;
	struct modelf_err *why;
	/* What names resolved to, by the name's address in the image (one per symbol): a symbol
	 * such as printk has dozens of relocations, and a lookup hashes and compares its name. */
	struct {
		const char *name;
		u64 addr;
	} seen[LINK_CACHE];
};

static bool uses(struct module *m, struct module *dep)
{
	for (unsigned i = 0; i < m->ndeps; i++)
		if (m->deps[i] == dep)
			return true;
	return false;
}

/* A module's export called name, or NULL. */
static const struct module_export *module_export_find(struct module *m, const char *name)
{
	for (unsigned i = 0; i < m->nexports; i++)
		if (!strcmp(m->exports[i].name, name))
			return &m->exports[i];
	return NULL;
}

static int resolve(const char *name, void *arg, u64 *addr)
{
	struct link_ctx *c = arg;
	unsigned slot = ((uintptr_t)name >> 3) & (LINK_CACHE - 1);
	struct list_head *pos;

	if (c->seen[slot].name == name) {
		*addr = c->seen[slot].addr;
		return 0;
	}
	if (!strcmp(name, "__this_module")) {
		*addr = (u64)(uintptr_t)c->mod;
		return 0;
	}
	if (!ksymtab_lookup(name, addr))
		goto found;
	list_for_each(pos, &module_list) {
		struct module *m = list_entry(pos, struct module, link);
		const struct module_export *e;
		if (m == c->mod || m->state != MODULE_LIVE || !(e = module_export_find(m, name)))
			continue;
		if (!uses(c->mod, m)) {
			/* The dependency is recorded as the symbol is used: it holds a reference. */
			if (c->mod->ndeps == MODULE_MAX_DEPS)
				return -E2BIG;
			m->refcount++;
			c->mod->deps[c->mod->ndeps++] = m;
		}
		*addr = e->addr;
		goto found;
	}
	return -ENOENT;
found:
	c->seen[slot].name = name;
	c->seen[slot].addr = *addr;
	return 0;
}

static void drop_deps(struct module *m)
{
	for (unsigned i = 0; i < m->ndeps; i++)
		module_put(m->deps[i]);
	m->ndeps = 0;
}

/* ---- parameters ---- */

/* Applies "name=value name2=value2" (kernel copy, changed in place) to the module's parameters. */
static int apply_params(struct module *m, const struct module_param *params, unsigned n, char *args,
			struct modelf_err *why)
{
	while (args && *args) {
		char *end, *val;
		const struct module_param *p;
		int err;

		while (*args == ' ')
			args++;
		if (!*args)
			break;
		end = strchr(args, ' ');
		if (end)
			*end = '\0';
		val = strchr(args, '=');
		if (val)
			*val++ = '\0';
		p = module_param_find(params, n, args);
		if (!p) {
			why->err = -EINVAL;
			snprintf(why->msg, sizeof(why->msg), "unknown parameter %.48s", args);
			return -EINVAL;
		}
		/* A string's copy lives in the module's data region's tail, freed with the module. */
		err = module_param_set(p, val, &m->strpool, &m->strpool_left);
		if (err) {
			why->err = err;
			snprintf(why->msg, sizeof(why->msg), "bad value for parameter %.48s", args);
			return err;
		}
		args = end ? end + 1 : NULL;
	}
	return 0;
}

/* ---- load and unload ---- */

static void free_module(struct module *m)
{
	void *base = m->base;

	drop_deps(m);
	module_syms_free(m);
	kfree(m->exports);
	kfree(m->modinfo);
	/* The struct lives in the region's last pages: copy nothing out of it after this. */
	vm_region_free(VM_MODULE, base);
}

static int copy_exports(struct module *m, const struct modelf *e, const struct modelf_layout *l,
			u8 *const base[], const u64 vaddr[], struct modelf_err *why)
{
	unsigned n = modelf_export_count(e);
	u64 unused;

	m->exports = n ? kzalloc(n * sizeof(*m->exports)) : NULL;
	if (n && !m->exports)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		struct modelf_export x;
		int err = modelf_export_get(e, l, base, vaddr, i, &x, why);
		if (err)
			return err;
		if (!ksymtab_lookup(x.name, &unused) || module_export_owner(x.name)) {
			why->err = -EEXIST;
			snprintf(why->msg, sizeof(why->msg), "exports %.48s, which is already exported", x.name);
			return -EEXIST;
		}
		m->exports[i].name = (const char *)(uintptr_t)x.name_vaddr;
		m->exports[i].addr = x.addr;
		m->exports[i].gpl = x.gpl;
		m->nexports = i + 1;
	}
	return 0;
}

struct module *module_export_owner(const char *name)
{
	struct list_head *pos;

	list_for_each(pos, &module_list) {
		struct module *m = list_entry(pos, struct module, link);
		if (m->state == MODULE_LIVE && module_export_find(m, name))
			return m;
	}
	return NULL;
}

static const char *modinfo_name(const struct modelf *e, const char *fallback)
{
	const char *n = modelf_modinfo_get(e, "name");

	return n && *n ? n : fallback;
}

int module_load_image(const void *img, size_t len, const char *fallback_name, char *params,
		      struct modelf_err *why, struct module **out)
{
	struct modelf e;
	struct modelf_layout *l = kzalloc(sizeof(*l));
	u64 vaddr[MODELF_NREGIONS], total = 0, pool = 0;
	u8 *base[MODELF_NREGIONS], *region = NULL;
	const struct module_param *params_tab = NULL;
	struct link_ctx ctx = { .why = why };
	struct module *m = NULL;
	const char *name;
	int err;

	why->err = 0;
	why->msg[0] = '\0';
	if (!l)
		return -ENOMEM;
	err = modelf_parse(img, len, &e, why);
	if (err)
		goto out;
	name = modinfo_name(&e, fallback_name);
	err = -EINVAL;
	if (!name || !*name || strlen(name) >= sizeof(m->name)) {
		snprintf(why->msg, sizeof(why->msg), "no module name in .modinfo");
		goto out;
	}
	err = -EEXIST;
	if (module_builtin(name)) {
		snprintf(why->msg, sizeof(why->msg), "%s is built into the kernel", name);
		goto out;
	}
	if (module_find(name)) {
		snprintf(why->msg, sizeof(why->msg), "%s is already loaded", name);
		goto out;
	}
	err = modelf_layout(&e, l, why);
	if (err)
		goto out;
	/* Regions, then a writable tail: the struct module and the parameters' strings. */
	pool = params ? strlen(params) + 1 : 1;
	for (int r = 0; r < MODELF_NREGIONS; r++)
		total += l->size[r];
	total += ALIGN_UP(sizeof(*m) + pool, (u64)MODELF_PAGE);
	err = -ENOMEM;
	region = vm_region_alloc(VM_MODULE, total);
	if (!region)
		goto out;
	for (int r = 0, off = 0; r < MODELF_NREGIONS; off += (int)l->size[r], r++) {
		base[r] = region + off;
		vaddr[r] = (u64)(uintptr_t)(region + off);
	}
	m = (struct module *)(base[MODELF_DATA] + l->size[MODELF_DATA]);
	memset(m, 0, sizeof(*m));
	strlcpy(m->name, name, sizeof(m->name));
	m->base = region;
	m->size = total;
	for (int r = 0; r < MODELF_NREGIONS; r++)
		m->region_size[r] = l->size[r];
	m->strpool = (char *)(m + 1);
	m->strpool_left = pool;
	m->state = MODULE_LOADING;
	ctx.mod = m;
	modelf_load(&e, l, base);
	err = modelf_relocate(&e, l, base, vaddr, resolve, &ctx, why);
	if (err)
		goto fail;
	err = copy_exports(m, &e, l, base, vaddr, why);
	if (!err)
		err = module_syms_build(m, &e, l, vaddr);
	if (err)
		goto fail;
	if (e.param) {
		u64 a = vaddr[l->region[e.param]] + l->off[e.param];
		params_tab = (const struct module_param *)(uintptr_t)a;
		err = apply_params(m, params_tab, (unsigned)(e.sh[e.param].sh_size / sizeof(*params_tab)),
				   params, why);
	} else if (params && *params) {
		why->err = err = -EINVAL;
		snprintf(why->msg, sizeof(why->msg), "%s takes no parameters", name);
	}
	if (err)
		goto fail;
	if (e.init_sym)
		modelf_sym_addr(&e, l, vaddr, e.init_sym, (u64 *)&m->init);
	if (e.exit_sym)
		modelf_sym_addr(&e, l, vaddr, e.exit_sym, (u64 *)&m->exit);
	m->modinfo = kmalloc(e.sh[e.modinfo].sh_size + 1, 0);
	if (m->modinfo && e.modinfo) {
		memcpy(m->modinfo, e.img + e.sh[e.modinfo].sh_offset, e.sh[e.modinfo].sh_size);
		m->modinfo_len = e.sh[e.modinfo].sh_size;
	}
	/* W^X from here on: text read-execute, read-only data read-only. */
	if (l->size[MODELF_TEXT])
		vm_region_protect(VM_MODULE, base[MODELF_TEXT], l->size[MODELF_TEXT], PROT_READ | PROT_EXEC);
	if (l->size[MODELF_RODATA])
		vm_region_protect(VM_MODULE, base[MODELF_RODATA], l->size[MODELF_RODATA], PROT_READ);
	m->id = next_id++;
	list_add_tail(&m->link, &module_list);
	if (m->init) {
		err = m->init();
		if (err) {
			list_del(&m->link);
			why->err = err;
			snprintf(why->msg, sizeof(why->msg), "%s: init failed with error %d; unloaded", name, err);
			goto fail;
		}
	}
	m->state = MODULE_LIVE;
	pr_info("loaded %s (%llu bytes at %p)\n", m->name, (unsigned long long)total, region);
	*out = m;
	kfree(l);
	return 0;
fail:
	free_module(m);
out:
	if (err && !why->msg[0])
		snprintf(why->msg, sizeof(why->msg), "error %d", err);
	if (err)
		pr_warn("%s: %s\n", fallback_name ? fallback_name : "(buffer)", why->msg);
	kfree(l);
	return err;
}

int module_unload(struct module *m, char *why, size_t size)
{
	struct list_head *pos;

	if (m->state != MODULE_LIVE)
		return -EBUSY;
	if (m->refcount) {
		/* Name a module that uses it, if that is why. */
		list_for_each(pos, &module_list) {
			struct module *u = list_entry(pos, struct module, link);
			if (uses(u, m)) {
				snprintf(why, size, "%s is in use by %s", m->name, u->name);
				return -EBUSY;
			}
		}
		snprintf(why, size, "%s is in use (%u references: a mount, an open device or a bound driver)",
			 m->name, m->refcount);
		return -EBUSY;
	}
	m->state = MODULE_GOING;
	if (m->exit)
		m->exit();
	list_del(&m->link);
	pr_info("unloaded %s\n", m->name);
	free_module(m);
	return 0;
}
