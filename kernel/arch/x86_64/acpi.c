/* kernel/arch/x86_64/acpi.c: just enough ACPI to find the interrupt controllers: RSDP -> RSDT/XSDT -> MADT.
 * Tables are firmware input: lengths and checksums are verified before use. No AML. */
#define pr_fmt(fmt) "acpi: " fmt

#include <granary/arch.h>
#include <granary/bootinfo.h>
#include <granary/errno.h>
#include <granary/paging.h>
#include <granary/printk.h>
#include <granary/string.h>

struct sdt_header {
	char sig[4];
	u32 length;
	u8 revision, checksum;
	char oem[6], oem_table[8];
	u32 oem_rev, creator, creator_rev;
} __packed;

#define MAX_TABLE_LEN (1u << 20)

struct acpi_info acpi_info = {
	.lapic_phys = 0xfee00000,
	.ioapic_phys = 0xfec00000,
	.cpu_count = 1,
};

static bool checksum_ok(const void *p, size_t len)
{
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += ((const u8 *)p)[i];
	return sum == 0;
}

/* Maps a table and checks its length and checksum; NULL if it is not sound. */
static const struct sdt_header *map_table(u64 phys, const char *sig)
{
	u64 ram_top = bootinfo_ram_top(&bootinfo);
	const struct sdt_header *h;

	if (phys + sizeof(*h) > ram_top)
		return NULL;
	h = phys_to_virt(phys);
	if (h->length < sizeof(*h) || h->length > MAX_TABLE_LEN || phys + h->length > ram_top)
		return NULL;
	if ((sig && memcmp(h->sig, sig, 4)) || !checksum_ok(h, h->length)) {
		pr_warn("table at %#llx (%.4s) fails its checks\n", (unsigned long long)phys, h->sig);
		return NULL;
	}
	return h;
}

static void parse_madt(const struct sdt_header *h)
{
	const u8 *p = (const u8 *)h + sizeof(*h), *end = (const u8 *)h + h->length;
	bool have_ioapic = false;
	u32 v;

	if (end - p < 8)
		return;
	memcpy(&v, p, 4);
	acpi_info.lapic_phys = v;
	acpi_info.cpu_count = 0;
	for (p += 8; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		switch (p[0]) {
		case 0: /* processor local APIC: enabled or online-capable */
			if (p[1] >= 8 && (p[4] & 3))
				acpi_info.cpu_count++;
			break;
		case 1: /* I/O APIC: the first one handles the ISA range */
			if (p[1] >= 12 && !have_ioapic) {
				have_ioapic = true;
				memcpy(&v, p + 4, 4);
				acpi_info.ioapic_phys = v;
				memcpy(&acpi_info.ioapic_gsi_base, p + 8, 4);
			}
			break;
		case 2: /* interrupt source override */
			if (p[1] >= 10 && p[3] < 16) {
				memcpy(&acpi_info.isa_gsi[p[3]], p + 4, 4);
				memcpy(&acpi_info.isa_flags[p[3]], p + 8, 2);
			}
			break;
		case 5: /* 64-bit local APIC address */
			if (p[1] >= 12)
				memcpy(&acpi_info.lapic_phys, p + 4, 8);
			break;
		}
	}
	if (!acpi_info.cpu_count)
		acpi_info.cpu_count = 1;
}

int acpi_init(void)
{
	const u8 *rsdp = bootinfo.rsdp;
	const struct sdt_header *root;
	bool xsdt;
	size_t esize;

	for (unsigned i = 0; i < 16; i++)
		acpi_info.isa_gsi[i] = i;
	if (bootinfo.rsdp_len < 20 || memcmp(rsdp, "RSD PTR ", 8) || !checksum_ok(rsdp, 20)) {
		pr_warn("no valid RSDP from the boot loader; using PC defaults\n");
		return -ENODEV;
	}
	xsdt = rsdp[15] >= 2 && bootinfo.rsdp_len >= 36 && checksum_ok(rsdp, 36);
	if (xsdt) {
		u64 a;
		memcpy(&a, rsdp + 24, 8);
		root = map_table(a, "XSDT");
	} else {
		u32 a;
		memcpy(&a, rsdp + 16, 4);
		root = map_table(a, "RSDT");
	}
	if (!root)
		return -ENODEV;
	esize = xsdt ? 8 : 4;
	for (size_t off = sizeof(*root); off + esize <= root->length; off += esize) {
		u64 a = 0;
		const struct sdt_header *t;

		memcpy(&a, (const u8 *)root + off, esize);
		t = map_table(a, NULL);
		if (t && !memcmp(t->sig, "APIC", 4)) {
			parse_madt(t);
			acpi_info.found = true;
		}
	}
	pr_info("%s: %u CPU(s), LAPIC %#llx, IOAPIC %#llx (GSI base %u)\n", xsdt ? "XSDT" : "RSDT",
		acpi_info.cpu_count, (unsigned long long)acpi_info.lapic_phys,
		(unsigned long long)acpi_info.ioapic_phys, acpi_info.ioapic_gsi_base);
	return acpi_info.found ? 0 : -ENODEV;
}
