/* include/granary/elf.h: the ELF64 file structures and the parser of static x86_64 executables.
 * Pure parsing of an untrusted file image; loading it is the business of kernel/proc/exec.c. */
#ifndef GRANARY_ELF_H
#define GRANARY_ELF_H

#include <granary/types.h>

#define EI_NIDENT 16
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFMAG "\177ELF"
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 62

#define PT_NULL 0
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_NOTE 4
#define PT_PHDR 6
#define PT_TLS 7
#define PT_GNU_STACK 0x6474e551
#define PF_X 0x1
#define PF_W 0x2
#define PF_R 0x4

typedef struct {
	u8 e_ident[EI_NIDENT];
	u16 e_type, e_machine;
	u32 e_version;
	u64 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf64_Ehdr;

typedef struct {
	u32 p_type, p_flags;
	u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} Elf64_Phdr;

#define ELF_MAX_SEGMENTS 16

/* One PT_LOAD: filesz bytes from offset, then zeros up to memsz, at vaddr. */
struct elf_segment {
	u64 vaddr, memsz, filesz, offset;
	unsigned prot; /* PROT_READ|PROT_WRITE|PROT_EXEC (uapi/mman.h) from p_flags */
};

/* Addresses are as in the file: for ET_DYN the loader adds its load bias to each. */
struct elf_image {
	u16 type;  /* ET_EXEC, or ET_DYN (a static PIE) */
	u64 entry; /* e_entry */
	u64 phoff;
	u16 phnum, phentsize;
	u64 phdr_vaddr; /* the program headers once loaded (for AT_PHDR), 0 if not mapped */
	struct elf_segment seg[ELF_MAX_SEGMENTS]; /* the PT_LOADs: file order, ascending vaddr */
	unsigned nseg;				  /* 1..ELF_MAX_SEGMENTS */
	u64 lo, hi;	 /* page-aligned span of all PT_LOADs: [lo, hi), hi <= USER_TOP */
	bool exec_stack; /* PT_GNU_STACK with PF_X; without a PT_GNU_STACK, false */
	u64 tls_vaddr, tls_filesz, tls_memsz, tls_align; /* PT_TLS, zeros if none */
};

/* Parses a whole ELF file held in buf (len bytes) into img. 0, or -ENOEXEC (img then zeroed)
 * for anything that is not a valid static x86_64 ELF64 executable, a dynamically linked one
 * (with a PT_INTERP) included. The header must be ELFCLASS64, little-endian, EV_CURRENT,
 * EM_X86_64, ET_EXEC or ET_DYN, e_phentsize 56, its program headers inside buf. There must be
 * 1 to ELF_MAX_SEGMENTS PT_LOADs, each with 0 < memsz, filesz <= memsz, its file bytes inside
 * buf, its memory below USER_TOP, (vaddr - offset) % 4096 == 0, and p_align 0, 1 or a power
 * of two that vaddr and offset agree modulo. They are in ascending order and byte-disjoint:
 * each starts at or after the end (vaddr + memsz) of the one before. Rounded out to pages, two
 * neighbours may thus share the page where one ends and the next begins, but no page has bytes
 * of three segments. A loader gives a shared page both protections and zeroes only
 * [vaddr + filesz, vaddr + memsz) of each segment, never the rest of a page. e_entry must lie
 * in an executable PT_LOAD and a PT_PHDR's headers inside a PT_LOAD; at most one PT_TLS, with
 * filesz <= memsz and p_align 0, 1 or a power of two. */
int elf_parse(const void *buf, size_t len, struct elf_image *img);
/* The same from the first len bytes of a file of file_len bytes (len <= file_len): the header
 * and program headers must lie in those len bytes; segments are checked against file_len. */
int elf_parse_head(const void *buf, size_t len, u64 file_len, struct elf_image *img);

#endif
