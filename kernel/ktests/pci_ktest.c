/* kernel/ktests/pci_ktest.c: kernel tests of the PCI layer on QEMU's i440fx machine: enumeration,
 * BARs, configuration accesses, capabilities, driver binding and interrupt requests. */
#include <granary/errno.h>
#include <granary/ktest.h>
#include <granary/pci.h>
#include <granary/virtio.h>

/* QEMU's pc machine: host bridge at 00:00.0, the PIIX3 at 00:01 with its IDE function at 01.1. */
#define I440FX 0x1237
#define PIIX3_ISA 0x7000
#define PIIX3_IDE 0x7010
#define INTEL 0x8086

KTEST(pci_enumeration_finds_the_chipset)
{
	struct pci_dev *hb = pci_find_slot(0, 0, 0), *isa = pci_find_slot(0, 1, 0);
	struct pci_dev *ide = pci_find_slot(0, 1, 1);

	KT_ASSERT(hb && isa && ide);
	KT_EXPECT(pci_count() >= 4);
	KT_EXPECT_EQ(hb->vendor, INTEL);
	KT_EXPECT_EQ(hb->device, I440FX);
	KT_EXPECT_EQ(hb->class, PCI_CLASS_BRIDGE);
	KT_EXPECT_EQ(hb->subclass, 0x00);
	KT_EXPECT_EQ(hb->header_type, 0);
	KT_EXPECT_EQ(isa->device, PIIX3_ISA);
	KT_EXPECT_EQ(isa->subclass, 0x01);
	/* Function 1 is only found because function 0 says it is multi-function. */
	KT_EXPECT(pci_read8(isa, PCI_HEADER_TYPE) & 0x80);
	KT_EXPECT_EQ(ide->device, PIIX3_IDE);
	KT_EXPECT_EQ(ide->class, 0x01);
	KT_EXPECT_EQ(ide->subclass, 0x01);
	KT_EXPECT_EQ(ide->prog_if, 0x80);
	KT_EXPECT(pci_find(INTEL, PIIX3_IDE, 0) == ide);
	KT_EXPECT(pci_find(INTEL, PIIX3_IDE, 1) == NULL);
	KT_EXPECT(pci_find(PCI_ANY_ID, PCI_ANY_ID, 0) == hb); /* bus order */
	KT_EXPECT(pci_find(PCI_ANY_ID, PCI_ANY_ID, pci_count()) == NULL);
	KT_EXPECT(pci_find_slot(0, 31, 7) == NULL);
}

KTEST(pci_bars_are_decoded_and_restored)
{
	struct pci_dev *ide = pci_find_slot(0, 1, 1), *vga = pci_find(0x1234, 0x1111, 0);
	struct pci_dev *vio = pci_find(VIRTIO_PCI_VENDOR, PCI_ANY_ID, 0);

	KT_ASSERT(ide);
	/* Legacy-mode IDE: only the bus-master I/O BAR4, 16 ports. */
	for (unsigned i = 0; i < 4; i++)
		KT_EXPECT_EQ(ide->bar[i].size, 0);
	KT_EXPECT(ide->bar[4].io);
	KT_EXPECT_EQ(ide->bar[4].size, 16);
	KT_EXPECT_EQ(ide->bar[4].base, pci_read32(ide, PCI_BAR0 + 16) & ~3u);
	KT_EXPECT(pci_iomap(ide, 4) == NULL); /* I/O ports are not mapped */
	if (!vga) {
		ktest_note("no std VGA: its BARs not checked");
	} else {
		/* 16 MiB prefetchable framebuffer and a 4 KiB register BAR, written back unchanged. */
		KT_EXPECT(!vga->bar[0].io && !vga->bar[0].is64 && vga->bar[0].prefetch);
		KT_EXPECT_EQ(vga->bar[0].size, 16 << 20);
		KT_EXPECT_EQ(vga->bar[0].base & ((16 << 20) - 1), 0);
		KT_EXPECT_EQ(pci_read32(vga, PCI_BAR0), (u32)vga->bar[0].base | 8);
		KT_EXPECT_EQ(vga->bar[2].size, 4096);
		KT_EXPECT(pci_read16(vga, PCI_COMMAND) & PCI_CMD_MEM);
	}
	if (!vio) {
		ktest_note("no virtio device: 64-bit BARs not checked");
		return;
	}
	/* QEMU's virtio-pci: legacy I/O BAR0, MSI-X table in BAR1, modern registers in 64-bit BAR4. */
	KT_EXPECT(vio->bar[0].io);
	KT_EXPECT_EQ(vio->bar[0].size, 0x80);
	KT_EXPECT(!vio->bar[1].io && !vio->bar[1].is64);
	KT_EXPECT_EQ(vio->bar[1].size, 0x1000);
	KT_EXPECT(vio->bar[4].is64);
	KT_EXPECT_EQ(vio->bar[4].size, 0x4000);
	KT_EXPECT_EQ(vio->bar[5].size, 0); /* the upper half of BAR4 */
	KT_EXPECT_EQ(vio->bar[4].base, ((u64)pci_read32(vio, PCI_BAR0 + 20) << 32) |
					      (pci_read32(vio, PCI_BAR0 + 16) & ~0xfu));
	/* One mapping per BAR, whoever asks. */
	KT_EXPECT(pci_iomap(vio, 4) != NULL);
	KT_EXPECT(pci_iomap(vio, 4) == pci_iomap(vio, 4));
	KT_EXPECT(pci_iomap(vio, 5) == NULL);
	KT_EXPECT(pci_iomap(vio, 6) == NULL);
}

KTEST(pci_config_accesses_are_checked)
{
	struct pci_dev *ide = pci_find_slot(0, 1, 1);
	u8 line;

	KT_ASSERT(ide);
	KT_EXPECT_EQ(pci_read32(ide, PCI_VENDOR_ID), INTEL | (u32)PIIX3_IDE << 16);
	KT_EXPECT_EQ(pci_read16(ide, PCI_DEVICE_ID), PIIX3_IDE);
	KT_EXPECT_EQ(pci_read8(ide, PCI_CLASS_DEVICE + 1), 0x01);
	/* Outside the 256 bytes or misaligned: all ones, and writes go nowhere. */
	KT_EXPECT_EQ(pci_read32(ide, 0x100), 0xffffffffu);
	KT_EXPECT_EQ(pci_read32(ide, 0x02), 0xffffffffu);
	KT_EXPECT_EQ(pci_read16(ide, 0x01), 0xffff);
	KT_EXPECT_EQ(pci_read16(ide, 0xff), 0xffff);
	KT_EXPECT_EQ(pci_read8(ide, 0x100), 0xff);
	/* The interrupt-line register is scratch space for software: a byte write sticks. */
	line = pci_read8(ide, PCI_INTERRUPT_LINE);
	pci_write8(ide, PCI_INTERRUPT_LINE, 0x5a);
	KT_EXPECT_EQ(pci_read8(ide, PCI_INTERRUPT_LINE), 0x5a);
	KT_EXPECT_EQ(pci_read16(ide, PCI_VENDOR_ID), INTEL); /* nothing else in the dword moved */
	pci_write16(ide, PCI_INTERRUPT_LINE + 1, 0x1234);  /* misaligned: ignored */
	KT_EXPECT_EQ(pci_read8(ide, PCI_INTERRUPT_LINE), 0x5a);
	pci_write8(ide, PCI_INTERRUPT_LINE, line);
	KT_EXPECT_EQ(pci_read8(ide, PCI_INTERRUPT_LINE), line);
}

KTEST(pci_capabilities_are_walked)
{
	struct pci_dev *hb = pci_find_slot(0, 0, 0);
	struct pci_dev *vio = pci_find(VIRTIO_PCI_VENDOR, PCI_ANY_ID, 0);
	unsigned seen = 0, n = 0;
	u8 pos = 0;

	KT_ASSERT(hb);
	KT_EXPECT_EQ(pci_find_capability(hb, PCI_CAP_MSI, 0), 0);
	KT_EXPECT_EQ(pci_find_capability(hb, PCI_CAP_VENDOR, 0), 0);
	if (!vio) {
		ktest_note("no virtio device: capability list not walked");
		return;
	}
	/* Five vendor capabilities, types 1 (common) to 5 (PCI access), and MSI-X. */
	while ((pos = pci_find_capability(vio, PCI_CAP_VENDOR, pos))) {
		u8 type = pci_read8(vio, pos + 3);
		KT_EXPECT(pos >= 0x40 && !(pos & 3));
		KT_EXPECT_EQ(pci_read8(vio, pos), PCI_CAP_VENDOR);
		if (type >= 1 && type <= 5)
			seen |= 1u << type;
		KT_ASSERT(++n <= 16);
	}
	KT_EXPECT_EQ(n, 5);
	KT_EXPECT_EQ(seen, 0x3e);
	pos = pci_find_capability(vio, PCI_CAP_MSIX, 0);
	KT_EXPECT(pos >= 0x40);
	KT_EXPECT_EQ(pci_read8(vio, pos), PCI_CAP_MSIX);
}

/* A driver for the IDE function, which no real driver claims. */
static struct {
	unsigned probes, removes;
	struct pci_dev *dev;
	const struct pci_device_id *id;
	int probe_err;
	bool busy;
} fake;

static int fake_probe(struct pci_dev *dev, const struct pci_device_id *id)
{
	fake.probes++;
	fake.dev = dev;
	fake.id = id;
	if (!fake.probe_err)
		pci_set_drvdata(dev, &fake);
	return fake.probe_err;
}

static int fake_remove(struct pci_dev *dev)
{
	fake.removes++;
	return 0;
}

static bool fake_busy(struct pci_dev *dev)
{
	return fake.busy;
}

static const struct pci_device_id by_id[] = { { INTEL, PIIX3_IDE, 0, 0 }, { 0, 0, 0, 0 } };
static const struct pci_device_id by_class[] = {
	{ INTEL, PCI_ANY_ID, 0x0c0300, 0xffff00 }, /* a USB controller: none on this machine */
	{ PCI_ANY_ID, PCI_ANY_ID, 0x010180, 0xffffff },
	{ 0, 0, 0, 0 },
};

KTEST(pci_drivers_bind_and_unbind)
{
	struct pci_driver d1 = { .name = "ktest-ide", .id_table = by_id, .probe = fake_probe,
				 .remove = fake_remove, .busy = fake_busy };
	struct pci_driver d2 = { .name = "ktest-class", .id_table = by_class, .probe = fake_probe,
				 .remove = fake_remove };
	struct pci_driver same_name = d1, bad = { .name = "x", .id_table = by_id };
	struct pci_dev *ide = pci_find_slot(0, 1, 1);

	KT_ASSERT(ide && !ide->driver);
	fake = (typeof(fake)){ 0 };
	KT_EXPECT_EQ(pci_register_driver(&bad), -EINVAL);
	KT_EXPECT_EQ(pci_register_driver(&d1), 0);
	KT_EXPECT_EQ(fake.probes, 1);
	KT_EXPECT(fake.dev == ide && fake.id == &by_id[0]);
	KT_EXPECT(ide->driver == &d1 && pci_get_drvdata(ide) == &fake);
	KT_EXPECT_EQ(d1.bound, 1);
	KT_EXPECT_EQ(pci_register_driver(&d1), -EEXIST);
	KT_EXPECT_EQ(pci_register_driver(&same_name), -EEXIST);
	/* A second matching driver finds the device taken. */
	KT_EXPECT_EQ(pci_register_driver(&d2), 0);
	KT_EXPECT_EQ(fake.probes, 1);
	KT_EXPECT_EQ(d2.bound, 0);
	/* In use: unbinding is refused with nothing changed, and the loader hook says so. */
	fake.busy = true;
	KT_EXPECT(pci_module_busy(NULL));
	KT_EXPECT_EQ(pci_unregister_driver(&d1), -EBUSY);
	KT_EXPECT_EQ(fake.removes, 0);
	KT_EXPECT(ide->driver == &d1);
	fake.busy = false;
	KT_EXPECT_EQ(pci_unregister_driver(&d1), 0);
	KT_EXPECT_EQ(fake.removes, 1);
	KT_EXPECT(ide->driver == NULL && pci_get_drvdata(ide) == NULL);
	KT_EXPECT_EQ(d1.bound, 0);
	KT_EXPECT_EQ(pci_unregister_driver(&d1), -ENOENT);
	/* Unregistering a driver that bound nothing calls no remove. */
	KT_EXPECT_EQ(pci_unregister_driver(&d2), 0);
	KT_EXPECT_EQ(fake.removes, 1);
	/* By class (the second entry), and a failing probe leaves the device free. */
	fake.probe_err = -EIO;
	KT_EXPECT_EQ(pci_register_driver(&d2), 0);
	KT_EXPECT_EQ(fake.probes, 2);
	KT_EXPECT(fake.id == &by_class[1]);
	KT_EXPECT(ide->driver == NULL);
	KT_EXPECT_EQ(d2.bound, 0);
	KT_EXPECT_EQ(pci_unregister_driver(&d2), 0);
	fake.probe_err = 0;
	KT_EXPECT_EQ(pci_register_driver(&d2), 0);
	KT_EXPECT(ide->driver == &d2 && fake.id == &by_class[1]);
	KT_EXPECT(!pci_module_busy(NULL)); /* d2 has no busy(): never in use */
	KT_EXPECT_EQ(pci_unregister_driver(&d2), 0);
	KT_EXPECT_EQ(fake.removes, 2);
	KT_EXPECT(ide->driver == NULL);
	KT_EXPECT(pci_match_id(by_class, pci_find_slot(0, 0, 0)) == NULL);
}

static bool never_mine(struct pci_dev *dev, void *arg)
{
	return false;
}

KTEST(pci_irq_requests_are_checked)
{
	struct pci_dev *ide = pci_find_slot(0, 1, 1), *nic = pci_find(INTEL, 0x100e, 0);

	KT_ASSERT(ide);
	KT_EXPECT_EQ(ide->irq_pin, 0);
	KT_EXPECT_EQ(pci_request_irq(ide, never_mine, NULL), -ENODEV);
	KT_EXPECT(!ide->irq_requested);
	pci_free_irq(ide); /* nothing to free: harmless */
	if (!nic) {
		ktest_note("no e1000: shared line not requested");
		return;
	}
	/* The e1000 has INTA on a line the firmware chose; it has no driver, so stays quiet. */
	KT_ASSERT(nic->irq_pin == 1 && nic->irq_line < 16);
	KT_EXPECT_EQ(pci_request_irq(nic, NULL, NULL), -EINVAL);
	KT_EXPECT_EQ(pci_request_irq(nic, never_mine, NULL), 0);
	KT_EXPECT(nic->irq_requested);
	KT_EXPECT_EQ(pci_request_irq(nic, never_mine, NULL), -EBUSY);
	pci_free_irq(nic);
	KT_EXPECT(!nic->irq_requested);
	KT_EXPECT_EQ(pci_request_irq(nic, never_mine, NULL), 0);
	pci_free_irq(nic);
}
