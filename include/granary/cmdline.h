/* include/granary/cmdline.h: the kernel command-line parameter registry.
 * KERNEL_PARAM() places a handler in the .kparam section; cmdline_parse() dispatches to it. */
#ifndef GRANARY_CMDLINE_H
#define GRANARY_CMDLINE_H

#include <granary/compiler.h>
#include <granary/types.h>

struct kparam {
	const char *name;
	/* val is NULL for a bare "name"; returns 0 or a negative errno (logged as invalid). */
	int (*set)(const char *val);
};

#define KERNEL_PARAM(pname, handler)                                                  \
	static const struct kparam __kparam_##handler __section(".kparam") __used         \
		__aligned(8) = { .name = pname, .set = handler }

/* Maximum length of the command line kept by the kernel. */
#define CMDLINE_MAX 1024

/* Called for a parameter no entry of the table matches, and for one whose handler fails. */
typedef void (*cmdline_report_fn)(const char *name, const char *val, int err);

/* Splits line in place into name[=value] words (double quotes group spaces) and calls
 * the matching handler of params. Returns the number of unknown or rejected words. */
int cmdline_parse_table(char *line, const struct kparam *params, size_t n, cmdline_report_fn report);

/* Parses the built-in line (Kconfig option CMDLINE) and then the boot loader's line against every
 * KERNEL_PARAM(); unknown parameters are warned about, not fatal. */
void cmdline_parse(const char *bootloader_line);
/* The full command line as the kernel saw it (for /proc/cmdline). */
const char *cmdline_get(void);

#endif
