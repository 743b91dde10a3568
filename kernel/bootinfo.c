/* kernel/bootinfo.c: parsing the multiboot2 boot information into struct bootinfo.
 * The information is treated as untrusted input: every tag is bounds-checked; host unit tests feed it garbage. */
#include <granary/bootinfo.h>
#include <granary/compiler.h>
#include <granary/errno.h>
#include <granary/string.h>

struct bootinfo bootinfo;

#define TAG_END 0
#define TAG_CMDLINE 1
#define TAG_LOADER 2
#define TAG_MODULE 3
#define TAG_MEMINFO 4
#define TAG_MMAP 6
#define TAG_FRAMEBUFFER 8
#define TAG_ACPI_OLD 14
#define TAG_ACPI_NEW 15

struct tag {
	u32 type, size;
};

static u32 rd32(const u8 *p)
{
	u32 v;
	memcpy(&v, p, 4);
	return v;
}

static u64 rd64(const u8 *p)
{
	u64 v;
	memcpy(&v, p, 8);
	return v;
}

/* Copies a string field that must be NUL-terminated within len bytes. */
static bool copy_string(char *dst, size_t dstsize, const u8 *src, size_t len)
{
	if (strnlen((const char *)src, len) == len)
		return false;
	strlcpy(dst, (const char *)src, dstsize);
	return true;
}

static bool parse_mmap(struct bootinfo *bi, const u8 *body, u32 len)
{
	u32 esize, count;

	if (len < 8)
		return false;
	esize = rd32(body);
	if (esize < 24 || esize % 8)
		return false;
	count = (len - 8) / esize;
	if (bi->mmap_count + count > BOOTINFO_MAX_MMAP)
		bi->warnings++; /* the entries past the limit are dropped */
	for (u32 i = 0; i < count && bi->mmap_count < BOOTINFO_MAX_MMAP; i++) {
		const u8 *e = body + 8 + i * esize;
		struct boot_mmap_entry *m = &bi->mmap[bi->mmap_count];
		m->base = rd64(e);
		m->length = rd64(e + 8);
		m->type = rd32(e + 16);
		if (m->length == 0 || m->base + m->length < m->base)
			continue; /* empty or wrapping: ignore */
		bi->mmap_count++;
	}
	return true;
}

static bool parse_module(struct bootinfo *bi, const u8 *body, u32 len)
{
	struct boot_module *m;

	if (len < 9 || bi->module_count == BOOTINFO_MAX_MODULES)
		return false;
	m = &bi->modules[bi->module_count];
	m->start = rd32(body);
	m->end = rd32(body + 4);
	if (m->end < m->start || !copy_string(m->name, sizeof(m->name), body + 8, len - 8))
		return false;
	bi->module_count++;
	return true;
}

static bool parse_fb(struct bootinfo *bi, const u8 *body, u32 len)
{
	/* Filled aside: a refused tag must not touch an earlier good framebuffer. */
	struct boot_framebuffer f = { 0 }, *fb = &f;

	if (len < 22)
		return false;
	fb->addr = rd64(body);
	fb->pitch = rd32(body + 8);
	fb->width = rd32(body + 12);
	fb->height = rd32(body + 16);
	fb->bpp = body[20];
	fb->type = body[21];
	if (fb->type == 1) {
		if (len < 30)
			return false;
		fb->red_pos = body[24];
		fb->red_size = body[25];
		fb->green_pos = body[26];
		fb->green_size = body[27];
		fb->blue_pos = body[28];
		fb->blue_size = body[29];
	}
	/* Refuse sizes whose product would overflow or that cannot be real. */
	if (!fb->width || !fb->height || fb->width > 16384 || fb->height > 16384 ||
	    (u64)fb->pitch * 8 < (u64)fb->width * fb->bpp)
		return false;
	bi->fb = f;
	bi->has_framebuffer = true;
	return true;
}

static bool parse_tag(struct bootinfo *bi, u32 type, const u8 *body, u32 len)
{
	switch (type) {
	case TAG_CMDLINE:
		return copy_string(bi->cmdline, sizeof(bi->cmdline), body, len);
	case TAG_LOADER:
		return copy_string(bi->loader, sizeof(bi->loader), body, len);
	case TAG_MODULE:
		return parse_module(bi, body, len);
	case TAG_MEMINFO:
		if (len < 8)
			return false;
		bi->mem_lower_kb = rd32(body);
		bi->mem_upper_kb = rd32(body + 4);
		return true;
	case TAG_MMAP:
		return parse_mmap(bi, body, len);
	case TAG_FRAMEBUFFER:
		return parse_fb(bi, body, len);
	case TAG_ACPI_OLD:
	case TAG_ACPI_NEW:
		if (len < 20 || (bi->rsdp_len && type == TAG_ACPI_OLD))
			return len >= 20; /* keep the 2.0 copy if both come */
		bi->rsdp_len = len > sizeof(bi->rsdp) ? sizeof(bi->rsdp) : len;
		memcpy(bi->rsdp, body, bi->rsdp_len);
		return true;
	default:
		return true; /* tags we do not use */
	}
}

int bootinfo_parse(struct bootinfo *bi, u32 magic, const void *info, size_t size)
{
	const u8 *base = info;
	u32 total, off;

	memset(bi, 0, sizeof(*bi));
	if (magic != MULTIBOOT2_BOOTLOADER_MAGIC || !info || size < 16)
		return -EINVAL;
	total = rd32(base);
	if (total < 16 || total > size || total % 8)
		return -EINVAL;
	bi->info_size = total;
	for (off = 8; off + sizeof(struct tag) <= total;) {
		u32 type = rd32(base + off), tsize = rd32(base + off + 4);

		if (type == TAG_END && tsize == 8)
			return 0;
		if (tsize < sizeof(struct tag) || tsize > total - off) {
			bi->warnings++;
			return 0; /* cannot find the next tag: stop with what we have */
		}
		if (!parse_tag(bi, type, base + off + 8, tsize - 8))
			bi->warnings++;
		off += ALIGN_UP(tsize, 8u);
	}
	bi->warnings++; /* no end tag */
	return 0;
}

u64 bootinfo_ram_top(const struct bootinfo *bi)
{
	u64 top = 0;

	for (unsigned i = 0; i < bi->mmap_count; i++) {
		const struct boot_mmap_entry *m = &bi->mmap[i];
		if (m->type == MMAP_AVAILABLE || m->type == MMAP_ACPI_RECLAIMABLE || m->type == MMAP_NVS)
			if (m->base + m->length > top)
				top = m->base + m->length;
	}
	/* Without a usable map, fall back to the basic memory information. */
	if (!top)
		top = 0x100000 + (u64)bi->mem_upper_kb * 1024;
	return top;
}
