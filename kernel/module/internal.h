/* kernel/module/internal.h: the loader's private view of a loaded module and its tables.
 * Drivers see only include/granary/module.h (THIS_MODULE, module_get/put). */
#ifndef KERNEL_MODULE_INTERNAL_H
#define KERNEL_MODULE_INTERNAL_H

#include <granary/ksyms.h>
#include <granary/list.h>
#include <granary/modelf.h>
#include <granary/module.h>

#define MODULE_MAX_DEPS 16
#define MODULE_NAME_MAX 56

enum module_state { MODULE_LOADING, MODULE_LIVE, MODULE_GOING };

struct module_export {
	const char *name; /* in the module's read-only region */
	u64 addr;
	bool gpl;
};

/* Lives in the writable tail of its own region in the module area, so that __this_module is
 * within reach of the module's 32-bit relocations. */
struct module {
	char name[MODULE_NAME_MAX];
	int id;
	enum module_state state;
	u32 refcount; /* modules using its exports, mounts, open devices, bound drivers */
	void *base;   /* the region: text, read-only, data, then this struct */
	u64 size;
	u64 region_size[MODELF_NREGIONS];
	int (*init)(void);
	void (*exit)(void);
	struct module *deps[MODULE_MAX_DEPS]; /* what it uses, each holding a reference */
	unsigned ndeps;
	struct module_export *exports;
	unsigned nexports;
	char *modinfo; /* a copy of .modinfo (NUL-separated key=value) */
	size_t modinfo_len;
	char *strpool; /* room for string parameters' values */
	size_t strpool_left;
	struct ksym_table syms; /* its functions and objects (unsorted), for backtraces */
	struct list_head link;
};

extern struct list_head module_list;

/* Collects m's named functions and objects from its image (modsyms.c). */
int module_syms_build(struct module *m, const struct modelf *e, const struct modelf_layout *l,
		      const u64 vaddr[]);
void module_syms_free(struct module *m);

/* 0 if the caller may load and unload modules: -EPERM for non-root and inside a silo. */
int module_may_manage(void);
struct module *module_find(const char *name);
struct module *module_find_id(int id);
/* The live module exporting name, or NULL. */
struct module *module_export_owner(const char *name);
/* Loads a checked image (len bytes, 8-byte aligned); params "a=1 b=x" is changed in place.
 * 0 and *out, or a negative errno with why filled. */
int module_load_image(const void *img, size_t len, const char *fallback_name, char *params,
		      struct modelf_err *why, struct module **out);
/* Runs exit and frees the module: 0, or -EBUSY with why saying who uses it. */
int module_unload(struct module *m, char *why, size_t size);
/* The kernel's export called name: 0 and *addr, or -ENOENT. */
int ksymtab_lookup(const char *name, u64 *addr);

/* The parameter called name in tab[0..n), or NULL. */
const struct module_param *module_param_find(const struct module_param *tab, size_t n, const char *name);
/* Parses val (NULL: a bare name, true for a bool, "" otherwise) into p's variable: 0, or -EINVAL for
 * a bad value. A charp gets a copy in *pool, *left bytes (both advanced; -ENOSPC if short), or,
 * with pool NULL, val itself, which must then outlive the variable. */
int module_param_set(const struct module_param *p, const char *val, char **pool, size_t *left);
/* The value of tag in a .modinfo blob (len bytes of NUL-terminated "tag=value" strings, or with
 * mod given, built-in style "mod.tag=value"), or NULL. An unterminated last string is skipped. */
const char *modinfo_find(const char *info, size_t len, const char *mod, const char *tag);

#endif
