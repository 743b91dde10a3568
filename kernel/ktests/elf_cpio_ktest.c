/* kernel/ktests/elf_cpio_ktest.c: kernel tests of the ELF and cpio parsers as the kernel builds them.
 * Small inputs made here, and a walk of the boot initramfs; the rejection cases are the host tests'. */
#include <granary/bootinfo.h>
#include <granary/cpio.h>
#include <granary/elf.h>
#include <granary/errno.h>
#include <granary/ktest.h>
#include <granary/paging.h>
#include <granary/printk.h>
#include <granary/string.h>
#include <uapi/mman.h>

/* The smallest valid file: a header and one R|X PT_LOAD holding both, entry just after them. */
static u8 tiny_elf[sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 16];

static void make_tiny_elf(void)
{
	Elf64_Ehdr eh = { .e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
			  .e_entry = 0x400000 + 120, .e_phoff = sizeof(eh),
			  .e_ehsize = sizeof(eh), .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 1 };
	Elf64_Phdr ph = { .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_vaddr = 0x400000,
			  .p_filesz = sizeof(tiny_elf), .p_memsz = 0x2000, .p_align = 0x1000 };

	memcpy(eh.e_ident, ELFMAG, 4);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(tiny_elf, &eh, sizeof(eh));
	memcpy(tiny_elf + sizeof(eh), &ph, sizeof(ph));
}

KTEST(elf_parse_tiny_file)
{
	struct elf_image img;

	make_tiny_elf();
	KT_ASSERT(elf_parse(tiny_elf, sizeof(tiny_elf), &img) == 0);
	KT_EXPECT_EQ(img.type, ET_EXEC);
	KT_EXPECT_EQ(img.entry, 0x400078);
	KT_EXPECT_EQ(img.nseg, 1);
	KT_EXPECT_EQ(img.seg[0].vaddr, 0x400000);
	KT_EXPECT_EQ(img.seg[0].filesz, sizeof(tiny_elf));
	KT_EXPECT_EQ(img.seg[0].memsz, 0x2000);
	KT_EXPECT_EQ(img.seg[0].prot, PROT_READ | PROT_EXEC);
	KT_EXPECT_EQ(img.phdr_vaddr, 0x400040);
	KT_EXPECT_EQ(img.lo, 0x400000);
	KT_EXPECT_EQ(img.hi, 0x402000);
	KT_EXPECT_EQ(elf_parse(tiny_elf, sizeof(tiny_elf) - 1, &img), -ENOEXEC);
	tiny_elf[18] = 3; /* e_machine: EM_386 */
	KT_EXPECT_EQ(elf_parse(tiny_elf, sizeof(tiny_elf), &img), -ENOEXEC);
	KT_EXPECT_EQ(img.nseg, 0);
}

/* Appends a newc entry to buf at *len. */
static void put_entry(char *buf, size_t *len, const char *name, u32 mode, const char *data)
{
	size_t n = strlen(name) + 1, size = strlen(data);

	*len += snprintf(buf + *len, 111, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X"
			 "%08X", 1u, mode, 0u, 0u, 1u, 0u, (u32)size, 0u, 0u, 0u, 0u, (u32)n, 0u);
	memcpy(buf + *len, name, n);
	*len = ALIGN_UP(*len + n, 4);
	memcpy(buf + *len, data, size);
	*len = ALIGN_UP(*len + size, 4);
}

KTEST(cpio_small_archive)
{
	static char buf[1024];
	struct cpio_entry e;
	size_t len = 0, off = 0;

	memset(buf, 0, sizeof(buf));
	put_entry(buf, &len, "bin/sh", 0100755, "shell");
	put_entry(buf, &len, "./etc/issue", 0100644, "Granary\n");
	put_entry(buf, &len, "TRAILER!!!", 0, "");
	KT_EXPECT_EQ(cpio_next(buf, len, &off, &e), 1);
	KT_EXPECT_STREQ(e.name, "bin/sh");
	KT_EXPECT_EQ(e.size, 5);
	KT_EXPECT_EQ(e.mode, 0100755);
	KT_EXPECT_EQ(cpio_next(buf, len, &off, &e), 1);
	KT_EXPECT_EQ(cpio_next(buf, len, &off, &e), 0);
	KT_EXPECT_EQ(off, len);
	KT_EXPECT_EQ(cpio_find(buf, len, "/etc/issue", &e), 0);
	KT_EXPECT(e.size == 8 && !memcmp(e.data, "Granary\n", 8));
	KT_EXPECT_EQ(cpio_find(buf, len, "/etc/../bin/sh", &e), -ENOENT);
	buf[3] = '8'; /* magic 070801 */
	KT_EXPECT_EQ(cpio_find(buf, len, "/bin/sh", &e), -EINVAL);
}

/* Every entry of the boot initramfs reads and is found again by its name; every file that
 * looks like an ELF parses or is refused, nothing else. */
KTEST(cpio_elf_initramfs_walk)
{
	const struct boot_module *m = NULL;
	unsigned entries = 0, elf_ok = 0, elf_refused = 0;
	struct cpio_entry e, f;
	struct elf_image img;
	size_t off = 0, len;
	const void *arc;
	int ret, r;

	for (unsigned i = 0; i < bootinfo.module_count; i++)
		if (!strcmp(bootinfo.modules[i].name, "initramfs"))
			m = &bootinfo.modules[i];
	if (!m) {
		ktest_note("no initramfs module: nothing to walk");
		return;
	}
	arc = phys_to_virt(m->start);
	len = m->end - m->start;
	while ((ret = cpio_next(arc, len, &off, &e)) == 1) {
		entries++;
		KT_EXPECT_EQ(cpio_find(arc, len, e.name, &f), 0);
		KT_EXPECT(f.name == e.name); /* the tools write each name once */
		if ((e.mode & 0170000) != 0100000 || e.size < 4 || memcmp(e.data, ELFMAG, 4))
			continue;
		r = elf_parse(e.data, e.size, &img);
		KT_EXPECT(r == 0 || r == -ENOEXEC);
		if (r == 0)
			elf_ok++;
		else
			elf_refused++;
	}
	KT_EXPECT_EQ(ret, 0);
	KT_EXPECT(entries > 0);
	ktest_note("initramfs: %u entries, %u ELF files parsed, %u refused", entries, elf_ok,
		   elf_refused);
}
