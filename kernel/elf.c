/* kernel/elf.c: parsing and checking a static x86_64 ELF64 executable held in memory.
 * The file is untrusted: every offset and size is bounds- and overflow-checked. It maps nothing. */
#include <granary/compiler.h>
#include <granary/elf.h>
#include <granary/errno.h>
#include <granary/paging.h>
#include <granary/string.h>
#include <uapi/mman.h>

#define ELF_PAGE 4096ULL

static bool is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

static unsigned prot_of(u32 flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

static bool check_ehdr(const Elf64_Ehdr *eh, size_t len)
{
	if (memcmp(eh->e_ident, ELFMAG, 4) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT || eh->e_machine != EM_X86_64)
		return false;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return false;
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return false;
	/* e_phnum * 56 cannot overflow: both are 16-bit. */
	return eh->e_phoff <= len && (u64)eh->e_phnum * sizeof(Elf64_Phdr) <= len - eh->e_phoff;
}

static u64 seg_end(const struct elf_segment *s)
{
	return s->vaddr + s->memsz; /* below USER_TOP: add_load checked */
}

/* Adds one PT_LOAD after the ones already in img, checking it alone and against the previous. */
static bool add_load(struct elf_image *img, const Elf64_Phdr *ph, size_t len)
{
	struct elf_segment *s;

	if (img->nseg == ELF_MAX_SEGMENTS || !ph->p_memsz || ph->p_filesz > ph->p_memsz)
		return false;
	if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
		return false;
	/* Below USER_TOP, checked without computing a sum that could wrap. */
	if (ph->p_vaddr >= USER_TOP || ph->p_memsz > USER_TOP - ph->p_vaddr)
		return false;
	if ((ph->p_vaddr - ph->p_offset) % ELF_PAGE)
		return false;
	if (ph->p_align > 1 &&
	    (!is_pow2(ph->p_align) || (ph->p_vaddr - ph->p_offset) & (ph->p_align - 1)))
		return false;
	/* Ascending and byte-disjoint; and no page holds bytes of three segments, so a page
	 * is shared, if at all, by two neighbours. */
	if (img->nseg && ph->p_vaddr < seg_end(&img->seg[img->nseg - 1]))
		return false;
	if (img->nseg >= 2 && ALIGN_DOWN(ph->p_vaddr, ELF_PAGE) <
				      ALIGN_UP(seg_end(&img->seg[img->nseg - 2]), ELF_PAGE))
		return false;
	s = &img->seg[img->nseg++];
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->filesz = ph->p_filesz;
	s->offset = ph->p_offset;
	s->prot = prot_of(ph->p_flags);
	return true;
}

static bool set_tls(struct elf_image *img, const Elf64_Phdr *ph)
{
	if (ph->p_filesz > ph->p_memsz)
		return false;
	if (ph->p_align > 1 && !is_pow2(ph->p_align))
		return false;
	img->tls_vaddr = ph->p_vaddr;
	img->tls_filesz = ph->p_filesz;
	img->tls_memsz = ph->p_memsz;
	img->tls_align = ph->p_align;
	return true;
}

/* The PT_LOAD whose memory holds [vaddr, vaddr + size), or NULL. */
static const struct elf_segment *seg_holding(const struct elf_image *img, u64 vaddr, u64 size)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];
		u64 at = vaddr - s->vaddr;
		if (vaddr >= s->vaddr && at < s->memsz && size <= s->memsz - at)
			return s;
	}
	return NULL;
}

/* Where the program headers land without a PT_PHDR: in the PT_LOAD whose file bytes hold them. */
static u64 phdr_from_loads(const struct elf_image *img, u64 size)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];
		u64 at = img->phoff - s->offset;
		if (img->phoff >= s->offset && at < s->filesz && size <= s->filesz - at)
			return s->vaddr + at;
	}
	return 0;
}

int elf_parse(const void *buf, size_t len, struct elf_image *img)
{
	return elf_parse_head(buf, len, len, img);
}

int elf_parse_head(const void *buf, size_t len, u64 file_len, struct elf_image *img)
{
	const u8 *file = buf;
	const struct elf_segment *s;
	Elf64_Ehdr eh;
	u64 phdr_size;
	bool has_phdr = false;
	unsigned ntls = 0;

	memset(img, 0, sizeof(*img));
	if (!buf || len < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, file, sizeof(eh));
	if (!check_ehdr(&eh, len))
		return -ENOEXEC;
	img->type = eh.e_type;
	img->entry = eh.e_entry;
	img->phoff = eh.e_phoff;
	img->phnum = eh.e_phnum;
	img->phentsize = eh.e_phentsize;
	phdr_size = (u64)eh.e_phnum * sizeof(Elf64_Phdr);

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		bool ok = true;

		memcpy(&ph, file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		switch (ph.p_type) {
		case PT_INTERP:
			ok = false; /* dynamically linked: needs ld.so, which we do not load */
			break;
		case PT_LOAD:
			ok = add_load(img, &ph, file_len);
			break;
		case PT_PHDR:
			img->phdr_vaddr = ph.p_vaddr;
			has_phdr = true;
			break;
		case PT_TLS:
			ok = !ntls++ && set_tls(img, &ph);
			break;
		case PT_GNU_STACK:
			img->exec_stack = ph.p_flags & PF_X;
			break;
		}
		if (!ok)
			goto bad;
	}
	if (!img->nseg)
		goto bad;
	if (!has_phdr)
		img->phdr_vaddr = phdr_from_loads(img, phdr_size);
	else if (!seg_holding(img, img->phdr_vaddr, phdr_size))
		goto bad;
	s = seg_holding(img, img->entry, 1);
	if (!s || !(s->prot & PROT_EXEC))
		goto bad;
	img->lo = ALIGN_DOWN(img->seg[0].vaddr, ELF_PAGE);
	img->hi = ALIGN_UP(seg_end(&img->seg[img->nseg - 1]), ELF_PAGE); /* <= USER_TOP */
	return 0;
bad:
	memset(img, 0, sizeof(*img));
	return -ENOEXEC;
}
