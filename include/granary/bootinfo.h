/* include/granary/bootinfo.h: what the boot loader told us, parsed once from multiboot2.
 * Filled by bootinfo_parse() before paging changes; everyone else reads the copy. */
#ifndef GRANARY_BOOTINFO_H
#define GRANARY_BOOTINFO_H

#include <granary/types.h>

#define BOOTINFO_MAX_MMAP 64
#define BOOTINFO_MAX_MODULES 8
#define BOOTINFO_CMDLINE_MAX 1024
#define BOOTINFO_NAME_MAX 64

/* Memory map entry types, as multiboot2 numbers them. */
#define MMAP_AVAILABLE 1
#define MMAP_RESERVED 2
#define MMAP_ACPI_RECLAIMABLE 3
#define MMAP_NVS 4
#define MMAP_BADRAM 5

struct boot_mmap_entry {
	u64 base;
	u64 length;
	u32 type;
};

struct boot_module {
	u64 start; /* physical, inclusive */
	u64 end;   /* physical, exclusive */
	char name[BOOTINFO_NAME_MAX];
};

struct boot_framebuffer {
	u64 addr; /* physical */
	u32 pitch, width, height;
	u8 bpp;
	u8 type; /* 0 indexed, 1 RGB, 2 EGA text */
	u8 red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct bootinfo {
	char cmdline[BOOTINFO_CMDLINE_MAX];
	char loader[BOOTINFO_NAME_MAX];
	u32 mem_lower_kb, mem_upper_kb;
	struct boot_mmap_entry mmap[BOOTINFO_MAX_MMAP];
	unsigned mmap_count;
	struct boot_module modules[BOOTINFO_MAX_MODULES];
	unsigned module_count;
	bool has_framebuffer;
	struct boot_framebuffer fb;
	u8 rsdp[36];     /* ACPI 1.0 (20 bytes) or 2.0+ (36 bytes) RSDP, copied */
	u8 rsdp_len;     /* 0 if the loader gave none */
	u64 info_size;   /* bytes of multiboot2 information */
	unsigned warnings;        /* malformed tags that were skipped */
};

#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289

extern struct bootinfo bootinfo;

/* Parses the multiboot2 information at info (size bytes readable) into bi. Every tag
 * is bounds-checked; malformed tags are skipped and counted in bi->warnings.
 * Returns 0, -EINVAL for a bad magic or header. */
int bootinfo_parse(struct bootinfo *bi, u32 magic, const void *info, size_t size);

/* Highest physical address the memory map reports as usable RAM (exclusive). */
u64 bootinfo_ram_top(const struct bootinfo *bi);

#endif
