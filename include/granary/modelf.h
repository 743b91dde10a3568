/* include/granary/modelf.h: checking, laying out and relocating a module's ELF64 ET_REL image (.ko).
 * Pure functions over memory (kernel/module/modelf.c, relocate.c), also built for host tests and
 * the fuzzer. Allocating the module area, mapping pages and the symbol tables are the loader's. */
#ifndef GRANARY_MODELF_H
#define GRANARY_MODELF_H

#include <granary/elf.h>
#include <granary/types.h>

/* ---------------------------------------------------------------- the ET_REL file structures */

#define ET_REL 1

typedef struct {
	u32 sh_name, sh_type;
	u64 sh_flags, sh_addr, sh_offset, sh_size;
	u32 sh_link, sh_info;
	u64 sh_addralign, sh_entsize;
} Elf64_Shdr;

typedef struct {
	u32 st_name;
	u8 st_info, st_other;
	u16 st_shndx;
	u64 st_value, st_size;
} Elf64_Sym;

typedef struct {
	u64 r_offset, r_info;
	s64 r_addend;
} Elf64_Rela;

#define SHT_NULL 0
#define SHT_PROGBITS 1
#define SHT_SYMTAB 2
#define SHT_STRTAB 3
#define SHT_RELA 4
#define SHT_HASH 5
#define SHT_DYNAMIC 6
#define SHT_NOTE 7
#define SHT_NOBITS 8
#define SHT_REL 9
#define SHT_SHLIB 10
#define SHT_DYNSYM 11
#define SHT_INIT_ARRAY 14
#define SHT_FINI_ARRAY 15
#define SHT_PREINIT_ARRAY 16
#define SHT_GROUP 17
#define SHT_SYMTAB_SHNDX 18

#define SHF_WRITE 0x1
#define SHF_ALLOC 0x2
#define SHF_EXECINSTR 0x4
#define SHF_TLS 0x400

#define SHN_UNDEF 0
#define SHN_LORESERVE 0xff00
#define SHN_ABS 0xfff1
#define SHN_COMMON 0xfff2

#define ELF64_ST_BIND(i) ((i) >> 4)
#define ELF64_ST_TYPE(i) ((i) & 0xf)
#define STB_LOCAL 0
#define STB_GLOBAL 1
#define STB_WEAK 2
#define STT_NOTYPE 0
#define STT_OBJECT 1
#define STT_FUNC 2
#define STT_SECTION 3
#define STT_FILE 4
#define STT_TLS 6
#define STT_GNU_IFUNC 10

#define ELF64_R_SYM(i) ((u32)((i) >> 32))
#define ELF64_R_TYPE(i) ((u32)(i))
#define R_X86_64_NONE 0
#define R_X86_64_64 1
#define R_X86_64_PC32 2
#define R_X86_64_PLT32 4
#define R_X86_64_32 10
#define R_X86_64_32S 11
#define R_X86_64_PC64 24

/* ---------------------------------------------------------------- limits and results */

/* Regions a module is loaded into, each page-aligned with its own protection. */
enum modelf_region {
	MODELF_TEXT,   /* SHF_EXECINSTR: read-execute */
	MODELF_RODATA, /* allocated, neither writable nor executable: read-only */
	MODELF_DATA,   /* SHF_WRITE, .bss included: read-write */
	MODELF_NREGIONS
};
#define MODELF_NOT_LOADED 0xff /* modelf_layout.region[] of a section that is not loaded */

#define MODELF_PAGE 4096
#define MODELF_MAX_SECTIONS 256	       /* e_shnum above this is refused (-EFBIG) */
#define MODELF_MAX_ALIGN MODELF_PAGE   /* sh_addralign above this is refused: regions are pages */
#define MODELF_MAX_REGION (64u << 20) /* each region's size, and so each section's (-EFBIG) */
#define MODELF_ERR_MAX 192

/* Why a call failed: err is the negative errno it returned, msg says what and where, e.g.
 * "section 5 (.rela.text): relocation 12 offset 0x1234 outside section 1 (.text, size 0x100)".
 * Names taken from the file are cut to 48 bytes and non-printable bytes shown as '?'. */
struct modelf_err {
	int err;
	char msg[MODELF_ERR_MAX];
};

/* A checked image: pointers into the caller's buffer, which must outlive it and not change.
 * A section or symbol index of 0 means "none". */
struct modelf {
	const u8 *img;
	size_t len;
	const Elf64_Shdr *sh; /* sh[0..shnum) */
	unsigned shnum;
	const char *shstr; /* section names: NUL-terminated, shstr_size bytes */
	size_t shstr_size;
	unsigned symtab; /* the one SHT_SYMTAB's section index */
	const Elf64_Sym *sym; /* sym[0..nsym): every name, st_shndx and value checked */
	unsigned nsym;
	const char *str; /* the symbol names (the symtab's sh_link): NUL-terminated */
	size_t str_size;
	/* Section indices: .modinfo (not loaded), the export tables and their names, parameters. */
	unsigned modinfo, ksymtab, ksymtab_gpl, ksymtab_strings, param;
	/* Symbol indices of __module_init and __module_exit (module_init/module_exit), defined in
	 * an executable allocated section. */
	unsigned init_sym, exit_sym;
};

/* Where modelf_layout put each section. About 1.3 KiB: allocate it, not on a kernel stack. */
struct modelf_layout {
	u64 size[MODELF_NREGIONS];	 /* multiples of MODELF_PAGE; 0 for an empty region */
	u8 region[MODELF_MAX_SECTIONS];	 /* enum modelf_region, or MODELF_NOT_LOADED */
	u32 off[MODELF_MAX_SECTIONS];	 /* offset of the section in its region */
};

/* Gives the address of an undefined symbol: 0 and *addr set, -ENOENT if unknown (another
 * negative errno is passed back as is). Called for each relocation against it. */
typedef int (*modelf_resolve_fn)(const char *name, void *arg, u64 *addr);

/* One entry of the module's __ksymtab (gpl false) or __ksymtab_gpl (gpl true). */
struct modelf_export {
	const char *name; /* in the caller's writable mapping (base[]), NUL-terminated */
	u64 name_vaddr;	  /* the same string at its final address */
	u64 addr;	  /* the exported symbol's final address */
	bool gpl;
};

/* ---------------------------------------------------------------- checking */

/* Checks img (len bytes, 8-byte aligned) as a module and fills m. 0, or a negative errno with
 * why (may be NULL) filled: -EINVAL for a misaligned buffer, -EFBIG past a MODELF_MAX_* limit,
 * -ENOEXEC for anything malformed: the header (magic, ELFCLASS64, little-endian, EV_CURRENT,
 * EM_X86_64, ET_REL, sizes), section headers or contents outside the file, names and string
 * tables not NUL-terminated, not exactly one SHT_SYMTAB, a symbol's name or section out of range
 * (SHN_COMMON and other reserved indices refused), SHT_REL, a relocation's type unknown, its
 * offset + width outside its section or its symbol out of range, bad alignments, a bad .modinfo,
 * __ksymtab* or __param, __module_init/__module_exit not in executable code. */
int modelf_parse(const void *img, size_t len, struct modelf *m, struct modelf_err *why);

/* The name of section i, or "?" if i is out of range. */
const char *modelf_sec_name(const struct modelf *m, unsigned i);
/* The name of symbol i ("" for none), or "?" if i is out of range. */
const char *modelf_sym_name(const struct modelf *m, unsigned i);

/* The value of the first "key=value" in .modinfo with this key, or NULL. */
const char *modelf_modinfo_get(const struct modelf *m, const char *key);
/* The "key=value" string after prev in .modinfo (the first if prev is NULL), NULL at the end.
 * prev must be a string this function returned. */
const char *modelf_modinfo_next(const struct modelf *m, const char *prev);

/* The next undefined symbol's name (global or weak) from *pos (start with 0), NULL at the end;
 * what the module needs from the kernel and other modules. *weak says if it may stay 0. */
const char *modelf_undef_next(const struct modelf *m, unsigned *pos, bool *weak);

/* ---------------------------------------------------------------- loading */

/* Places every allocated section but .modinfo in its region (file order, each at its
 * alignment). 0, or -ENOEXEC for a section both writable and executable (W^X), -EFBIG for a
 * region above MODELF_MAX_REGION. Other sections are not loaded. */
int modelf_layout(const struct modelf *m, struct modelf_layout *l, struct modelf_err *why);

/* Fills the regions at base[r] (l->size[r] writable bytes each): zeros, then each loaded
 * section's bytes from the image (SHT_NOBITS ones stay zero). */
void modelf_load(const struct modelf *m, const struct modelf_layout *l, u8 *const base[]);

/* Applies the relocations of every loaded section, writing through base[r] for the region that
 * will run at vaddr[r] (after modelf_load). Undefined symbols go through resolve; an unknown
 * weak one is 0. 0, or: -ENOENT "unknown symbol NAME"; resolve's own error; -ENOEXEC for a
 * result that does not fit its field (32: unsigned, 32S/PC32/PLT32: signed), a symbol in a
 * section that is not loaded, or an unknown type, each naming the relocation and symbol. */
int modelf_relocate(const struct modelf *m, const struct modelf_layout *l, u8 *const base[],
		    const u64 vaddr[], modelf_resolve_fn resolve, void *arg, struct modelf_err *why);

/* The final address of symbol i, defined in a loaded section or absolute. 0, or -ENOEXEC if i
 * is out of range, undefined, or in a section that is not loaded. */
int modelf_sym_addr(const struct modelf *m, const struct modelf_layout *l, const u64 vaddr[],
		    unsigned i, u64 *addr);

/* How many exported symbols the module has: __ksymtab entries, then __ksymtab_gpl ones. */
unsigned modelf_export_count(const struct modelf *m);
/* Reads export i (< modelf_export_count) from the relocated regions. 0, or -ENOEXEC if its name
 * does not point at a non-empty NUL-terminated string inside a loaded region. */
int modelf_export_get(const struct modelf *m, const struct modelf_layout *l, u8 *const base[],
		      const u64 vaddr[], unsigned i, struct modelf_export *e,
		      struct modelf_err *why);

#endif
