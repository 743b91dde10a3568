/* kernel/module/modelf_priv.h: what modelf.c and relocate.c share: error reporting and safe names.
 * Private to the ELF checker and relocator; the loader uses include/granary/modelf.h. */
#ifndef MODELF_PRIV_H
#define MODELF_PRIV_H

#include <granary/compiler.h>
#include <granary/modelf.h>

#define MODELF_NAME_MAX 48 /* bytes of a name from the file shown in a message */

/* A name from the file made fit for a message: at most MODELF_NAME_MAX bytes ("..." after a cut),
 * each byte outside printable ASCII shown as '?'. Returns buf. */
char *modelf_clean(char buf[MODELF_NAME_MAX + 4], const char *s);

/* Fills why (if not NULL) with err and the formatted message; returns err. */
int modelf_fail(struct modelf_err *why, int err, const char *fmt, ...) __printf(3, 4);

/* The same, the message prefixed with "section I (NAME): ". */
int modelf_sec_fail(const struct modelf *m, unsigned i, struct modelf_err *why, int err,
		    const char *fmt, ...) __printf(5, 6);

/* What a message calls symbol i: its name, its section's name for a section symbol, or "#I". */
const char *modelf_sym_label(const struct modelf *m, unsigned i, char buf[MODELF_NAME_MAX + 4]);

/* Bytes a relocation of this type writes (0 for R_X86_64_NONE), or -1 for a type not supported. */
int modelf_reloc_width(u32 type);

#endif
