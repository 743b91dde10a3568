/* include/granary/module.h: what a driver or filesystem writes to be a module or built in: entry points,
 * .modinfo tags, parameters and exported symbols. The loader itself is kernel/module/. */
#ifndef GRANARY_MODULE_H
#define GRANARY_MODULE_H

#include <granary/compiler.h>
#include <granary/types.h>

/* An exported symbol: the kernel's table is __ksymtab (from EXPORT_SYMBOL in built-in code),
 * a module's is its own __ksymtab section. GPL-only exports go to __ksymtab_gpl. */
struct kernel_symbol {
	unsigned long addr;
	const char *name;
};

#define __EXPORT_SYMBOL(sym, sec)                                                            \
	static const char __kstrtab_##sym[] __section("__ksymtab_strings") __used = #sym;   \
	static const struct kernel_symbol __ksymtab_##sym __section(sec) __used __aligned(8) = \
		{ (unsigned long)&sym, __kstrtab_##sym }
#define EXPORT_SYMBOL(sym) __EXPORT_SYMBOL(sym, "__ksymtab")
#define EXPORT_SYMBOL_GPL(sym) __EXPORT_SYMBOL(sym, "__ksymtab_gpl")

/* In a .ko, tags and parameters have their plain names. Built in, the build names every object
 * after its unit (KBUILD_MODNAME, as Linux does) and they carry that name: the kernel image keeps
 * "fat.license=GPL" in its .modinfo (modules.builtin.modinfo is cut from it) and a parameter
 * "sample_use.sample_base", which the command line sets. */
#ifdef MODULE
#define __MODULE_PREFIX ""
#else
#define __MODULE_PREFIX KBUILD_MODNAME "."
#endif

/* "tag=value" strings in .modinfo: what modinfo shows and the loader checks. */
#define __MODINFO_ID2(a, b) a##b
#define __MODINFO_ID(a, b) __MODINFO_ID2(a, b)
#define MODULE_INFO(tag, info)                                                                   \
	static const char __MODINFO_ID(__modinfo_##tag, __COUNTER__)[] __section(".modinfo") __used \
		__aligned(1) = __MODULE_PREFIX #tag "=" info
/* Built in, the license also records the unit as a built-in module, as in Linux (every module has
 * one): "NAME.file=DIR/NAME" is how the kernel knows the name and the build writes modules.builtin. */
#ifdef MODULE
#define __MODULE_FILE
#else
#define __MODULE_FILE MODULE_INFO(file, KBUILD_MODFILE);
#endif
#define MODULE_LICENSE(s) __MODULE_FILE MODULE_INFO(license, s)
#define MODULE_DESCRIPTION(s) MODULE_INFO(description, s)
#define MODULE_AUTHOR(s) MODULE_INFO(author, s)
#define MODULE_VERSION(s) MODULE_INFO(version, s)

/* Parameters: module_param(name, type, perm) with type int, uint, bool or charp, set at load
 * time from "name=value" (and, built in, from the kernel command line as "module.name=value",
 * before the initcalls run). */
enum module_param_type { MPT_INT, MPT_UINT, MPT_BOOL, MPT_CHARP };
struct module_param {
	const char *name; /* built in: "module.name" */
	enum module_param_type type;
	void *ptr;
	u16 perm;
};
#define __MPT_int MPT_INT
#define __MPT_uint MPT_UINT
#define __MPT_bool MPT_BOOL
#define __MPT_charp MPT_CHARP
#define module_param(var, type, perm)                                                       \
	static const struct module_param __param_##var __section("__param") __used __aligned(8) = \
		{ __MODULE_PREFIX #var, __MPT_##type, &var, perm };                            \
	MODULE_INFO(parmtype, #var ":" #type)
#define MODULE_PARM_DESC(var, desc) MODULE_INFO(parm, #var ":" desc)

struct module;
struct seqbuf;
struct process;

#ifdef MODULE
/* This module's own struct, placed by the loader beside the module's data. */
extern struct module __this_module;
#define THIS_MODULE (&__this_module)
#else
#define THIS_MODULE ((struct module *)0)
#endif

/* Takes a reference on module m (NULL, built in: nothing to take): false if m is being unloaded.
 * Registries call these when they hand out an object a module provides. */
#ifdef CONFIG_MODULES
bool module_get(struct module *m);
void module_put(struct module *m);
#else /* every owner is NULL: built in */
static inline bool module_get(struct module *m)
{
	(void)m;
	return true;
}
static inline void module_put(struct module *m)
{
	(void)m;
}
#endif
/* /proc/modules's text (kernel/module/module_sys.c). */
int module_proc_show(struct seqbuf *s, struct process *p);
#ifdef CONFIG_MODULES
/* The symbol of a loaded module containing addr (NULL if none), and *modname the module's name
 * (NULL if addr is in no module). For backtraces. */
const char *module_address_lookup(u64 addr, u64 *offset, u64 *size, const char **modname);
/* The modules' lines of /proc/kallsyms, with their addresses or zeros. */
void module_kallsyms_show(struct seqbuf *s, bool addresses);
#else
static inline const char *module_address_lookup(u64 addr, u64 *offset, u64 *size,
						const char **modname)
{
	(void)addr, (void)offset, (void)size;
	*modname = NULL;
	return NULL;
}
static inline void module_kallsyms_show(struct seqbuf *s, bool addresses)
{
	(void)s, (void)addresses;
}
#endif

/* Whether a module called name is built into the kernel: its MODULE_LICENSE() left a "name.file="
 * tag in the image's .modinfo. Such a name cannot be loaded (-EEXIST) nor unloaded (-ENOENT). */
bool module_builtin(const char *name);
/* Sets a built-in module's parameter from the command line: name is "module.param", val NULL for a
 * bare word, else kept for good (a charp points at it). 0; -ENOENT if no built-in module has that
 * parameter; -EINVAL for a bad value. */
int module_builtin_param(const char *name, const char *val);

typedef int (*initcall_t)(void);
typedef void (*exitcall_t)(void);

#ifdef MODULE
/* In a .ko: the loader finds the entry points by these two names. */
#ifdef KBUILD_MODNAME /* the build names each module after its .ko */
#define __MODULE_NAME_INFO MODULE_INFO(name, KBUILD_MODNAME)
#else
#define __MODULE_NAME_INFO extern int __module_unnamed
#endif
#define module_init(fn)                                     \
	int __module_init(void) __attribute__((alias(#fn))); \
	__MODULE_NAME_INFO
#define module_exit(fn) void __module_exit(void) __attribute__((alias(#fn)))
#else
/* Built in: init runs at boot in level order (initcall_run); exit never runs. Levels: 1 core
 * buses (PCI), 2 subsystems, 3 devices (module_init), 4 filesystems. */
#define __define_initcall(fn, level)                                                          \
	static const initcall_t __initcall_##fn __section(".initcall" #level) __used __aligned(8) = fn
#define core_initcall(fn) __define_initcall(fn, 1)
#define subsys_initcall(fn) __define_initcall(fn, 2)
#define module_init(fn) __define_initcall(fn, 3)
#define fs_initcall(fn) __define_initcall(fn, 4)
#define module_exit(fn) static const exitcall_t __exitcall_##fn __used = fn
#endif

/* Runs every built-in initcall, level by level (kmain, after the VFS). */
void initcall_run(void);

#endif
