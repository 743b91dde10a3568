/* drivers/pci/pci.c: PCI configuration space (mechanism #1), bus enumeration, BARs, capabilities.
 * Not driver binding or interrupts (pci_driver.c), and no PCI Express extended space (ECAM). */
#define pr_fmt(fmt) "pci: " fmt

#include <granary/cpu.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/module.h>
#include <granary/paging.h>
#include <granary/pci.h>
#include <granary/slab.h>
#include <granary/spinlock.h>

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc
#define CFG_ENABLE 0x80000000u

#define MAX_BUSES 256
#define MAX_CAPS 48 /* (256 - 64) / 4: more entries than that means the list loops */

/* The address/data pair is one shared resource: a config access from an interrupt handler
 * between our two port writes would read someone else's register. */
static spinlock_t cfg_lock = SPINLOCK_INIT;
static struct list_head devices = LIST_HEAD_INIT(devices);
static unsigned ndevices;
static bool initialised;
static u8 scanned[MAX_BUSES / 8];

static u32 cfg_addr(u8 bus, u8 slot, u8 func, u16 off)
{
	return CFG_ENABLE | (u32)bus << 16 | (u32)(slot & 31) << 11 | (u32)(func & 7) << 8 | (off & 0xfc);
}

/* Raw accesses by location, for enumeration (before a pci_dev exists). */
static u32 raw_read(u8 bus, u8 slot, u8 func, u16 off, unsigned width)
{
	unsigned long f = spin_lock_irqsave(&cfg_lock);
	u32 v;

	outl(CONFIG_ADDRESS, cfg_addr(bus, slot, func, off));
	if (width == 4)
		v = inl(CONFIG_DATA);
	else if (width == 2)
		v = inw(CONFIG_DATA + (off & 2));
	else
		v = inb(CONFIG_DATA + (off & 3));
	spin_unlock_irqrestore(&cfg_lock, f);
	return v;
}

static void raw_write(u8 bus, u8 slot, u8 func, u16 off, unsigned width, u32 v)
{
	unsigned long f = spin_lock_irqsave(&cfg_lock);

	outl(CONFIG_ADDRESS, cfg_addr(bus, slot, func, off));
	if (width == 4)
		outl(CONFIG_DATA, v);
	else if (width == 2)
		outw(CONFIG_DATA + (off & 2), (u16)v);
	else
		outb(CONFIG_DATA + (off & 3), (u8)v);
	spin_unlock_irqrestore(&cfg_lock, f);
}

static bool off_ok(u16 off, unsigned width)
{
	if (off <= PCI_CONFIG_SIZE - width && !(off & (width - 1)))
		return true;
	pr_warn("bad configuration-space access: %u bytes at %#x\n", width, off);
	return false;
}

u8 pci_read8(struct pci_dev *d, u16 off)
{
	return off_ok(off, 1) ? (u8)raw_read(d->bus, d->slot, d->func, off, 1) : 0xff;
}

u16 pci_read16(struct pci_dev *d, u16 off)
{
	return off_ok(off, 2) ? (u16)raw_read(d->bus, d->slot, d->func, off, 2) : 0xffff;
}

u32 pci_read32(struct pci_dev *d, u16 off)
{
	return off_ok(off, 4) ? raw_read(d->bus, d->slot, d->func, off, 4) : 0xffffffffu;
}

void pci_write8(struct pci_dev *d, u16 off, u8 v)
{
	if (off_ok(off, 1))
		raw_write(d->bus, d->slot, d->func, off, 1, v);
}

void pci_write16(struct pci_dev *d, u16 off, u16 v)
{
	if (off_ok(off, 2))
		raw_write(d->bus, d->slot, d->func, off, 2, v);
}

void pci_write32(struct pci_dev *d, u16 off, u32 v)
{
	if (off_ok(off, 4))
		raw_write(d->bus, d->slot, d->func, off, 4, v);
}
EXPORT_SYMBOL(pci_read8);
EXPORT_SYMBOL(pci_read16);
EXPORT_SYMBOL(pci_read32);
EXPORT_SYMBOL(pci_write8);
EXPORT_SYMBOL(pci_write16);
EXPORT_SYMBOL(pci_write32);

/* Sizes BAR i by writing all ones with decoding off, as the PCI spec describes. Returns how
 * many slots it used (2 for a 64-bit BAR). */
static unsigned size_bar(struct pci_dev *d, unsigned i, unsigned nbars)
{
	u16 off = PCI_BAR0 + 4 * i;
	u32 lo = pci_read32(d, off), mask, hi = 0, hmask = 0xffffffffu;
	struct pci_bar *b = &d->bar[i];
	unsigned used = 1;
	u64 m;

	pci_write32(d, off, 0xffffffffu);
	mask = pci_read32(d, off);
	pci_write32(d, off, lo);
	if (lo & 1) {
		b->io = true;
		b->base = lo & ~3u;
		mask &= ~3u;
		if (!mask)
			return 1;
		/* Devices may leave the upper half of an I/O BAR unimplemented (read as 0). */
		if (!(mask & 0xffff0000u))
			mask |= 0xffff0000u;
		b->size = (u32)(~mask + 1);
		return 1;
	}
	b->prefetch = lo & 8;
	if (((lo >> 1) & 3) == 2) {
		if (i + 1 >= nbars) {
			pr_warn("%02x:%02x.%u: 64-bit BAR%u has no upper half\n", d->bus, d->slot, d->func, i);
			return 1;
		}
		b->is64 = true;
		used = 2;
		hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, 0xffffffffu);
		hmask = pci_read32(d, off + 4);
		pci_write32(d, off + 4, hi);
	}
	b->base = ((u64)hi << 32) | (lo & ~0xfu);
	m = ((u64)hmask << 32) | (mask & ~0xfu);
	if (!(mask & ~0xfu) && !(b->is64 && hmask))
		return used; /* not implemented */
	b->size = ~m + 1;
	return used;
}

static void read_bars(struct pci_dev *d)
{
	unsigned nbars = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
	u16 cmd;

	if (!nbars)
		return;
	/* While a BAR holds all ones the device would decode a wild range: keep decoding off. */
	cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (unsigned i = 0; i < nbars;)
		i += size_bar(d, i, nbars);
	pci_write16(d, PCI_COMMAND, cmd);
}

static void log_device(struct pci_dev *d)
{
	char line[160];
	int n = snprintf(line, sizeof(line), "%02x:%02x.%u %04x:%04x class %02x.%02x.%02x", d->bus,
			 d->slot, d->func, d->vendor, d->device, d->class, d->subclass, d->prog_if);

	if (d->irq_pin && n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, " INT%c", 'A' + d->irq_pin - 1);
	if (d->irq_pin && d->irq_line != 0xff && n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, "->%u", d->irq_line);
	for (unsigned i = 0; i < PCI_NUM_BARS && n < (int)sizeof(line); i++) {
		struct pci_bar *b = &d->bar[i];
		if (b->size)
			n += snprintf(line + n, sizeof(line) - n, " BAR%u %s %#llx+%#llx", i,
				      b->io ? "io" : b->is64 ? "mem64" : "mem", (unsigned long long)b->base,
				      (unsigned long long)b->size);
	}
	pr_info("%s\n", line);
}

static void scan_bus(u8 bus, unsigned depth);

static void add_function(u8 bus, u8 slot, u8 func, unsigned depth)
{
	u32 id = raw_read(bus, slot, func, PCI_VENDOR_ID, 4);
	u32 cls = raw_read(bus, slot, func, PCI_REVISION, 4);
	struct pci_dev *d;

	d = kzalloc(sizeof(*d));
	if (!d) {
		pr_err("out of memory at %02x:%02x.%u\n", bus, slot, func);
		return;
	}
	d->bus = bus;
	d->slot = slot;
	d->func = func;
	d->vendor = id & 0xffff;
	d->device = id >> 16;
	d->revision = cls & 0xff;
	d->prog_if = (cls >> 8) & 0xff;
	d->subclass = (cls >> 16) & 0xff;
	d->class = cls >> 24;
	d->header_type = raw_read(bus, slot, func, PCI_HEADER_TYPE, 1) & 0x7f;
	if (d->header_type == 0) {
		d->subsys_vendor = pci_read16(d, PCI_SUBSYS_VENDOR);
		d->subsys_device = pci_read16(d, PCI_SUBSYS_ID);
	}
	d->irq_pin = pci_read8(d, PCI_INTERRUPT_PIN);
	d->irq_line = pci_read8(d, PCI_INTERRUPT_LINE);
	if (d->irq_pin > 4)
		d->irq_pin = 0;
	if (!d->irq_pin || d->irq_line >= 16)
		d->irq_line = 0xff; /* no pin, or nothing the IOAPIC's ISA pins can take */
	read_bars(d);
	list_add_tail(&d->link, &devices);
	ndevices++;
	log_device(d);

	if (d->header_type == 1 && d->class == PCI_CLASS_BRIDGE && d->subclass == PCI_SUBCLASS_PCI_BRIDGE) {
		u8 sec = pci_read8(d, PCI_SECONDARY_BUS);
		/* Bus 0 as a secondary bus means the firmware left the bridge unconfigured. */
		if (sec)
			scan_bus(sec, depth + 1);
	}
}

static void scan_slot(u8 bus, u8 slot, unsigned depth)
{
	u8 nfunc;

	if ((raw_read(bus, slot, 0, PCI_VENDOR_ID, 2) & 0xffff) == 0xffff)
		return;
	nfunc = (raw_read(bus, slot, 0, PCI_HEADER_TYPE, 1) & 0x80) ? 8 : 1;
	for (u8 f = 0; f < nfunc; f++)
		if ((raw_read(bus, slot, f, PCI_VENDOR_ID, 2) & 0xffff) != 0xffff)
			add_function(bus, slot, f, depth);
}

static void scan_bus(u8 bus, unsigned depth)
{
	/* A bridge pointing back at a bus already seen (or a silly depth) would recurse forever. */
	if ((scanned[bus / 8] & (1u << (bus % 8))) || depth > 32)
		return;
	scanned[bus / 8] |= 1u << (bus % 8);
	for (u8 slot = 0; slot < 32; slot++)
		scan_slot(bus, slot, depth);
}

int pci_init(void)
{
	u32 saved;
	bool present;

	if (initialised)
		return 0;
	initialised = true;
	/* Mechanism #1 keeps what is written to CONFIG_ADDRESS (with the enable bit). */
	saved = inl(CONFIG_ADDRESS);
	outl(CONFIG_ADDRESS, CFG_ENABLE);
	present = inl(CONFIG_ADDRESS) == CFG_ENABLE;
	outl(CONFIG_ADDRESS, saved);
	if (!present) {
		pr_info("no configuration mechanism #1\n");
		return -ENODEV;
	}
	/* A multi-function host bridge at 00:00 has one root bus per function. */
	if (raw_read(0, 0, 0, PCI_HEADER_TYPE, 1) & 0x80) {
		for (u8 f = 0; f < 8; f++)
			if ((raw_read(0, 0, f, PCI_VENDOR_ID, 2) & 0xffff) != 0xffff)
				scan_bus(f, 0);
	} else {
		scan_bus(0, 0);
	}
	pr_info("%u devices\n", ndevices);
	return 0;
}
core_initcall(pci_init);

int pci_foreach(int (*fn)(struct pci_dev *dev, void *arg), void *arg)
{
	struct list_head *pos;

	list_for_each(pos, &devices) {
		int r = fn(list_entry(pos, struct pci_dev, link), arg);
		if (r)
			return r;
	}
	return 0;
}
EXPORT_SYMBOL(pci_foreach);

struct pci_dev *pci_find(u16 vendor, u16 device, unsigned index)
{
	struct list_head *pos;

	list_for_each(pos, &devices) {
		struct pci_dev *d = list_entry(pos, struct pci_dev, link);
		if ((vendor == PCI_ANY_ID || d->vendor == vendor) &&
		    (device == PCI_ANY_ID || d->device == device) && !index--)
			return d;
	}
	return NULL;
}
EXPORT_SYMBOL(pci_find);

struct pci_dev *pci_find_slot(u8 bus, u8 slot, u8 func)
{
	struct list_head *pos;

	list_for_each(pos, &devices) {
		struct pci_dev *d = list_entry(pos, struct pci_dev, link);
		if (d->bus == bus && d->slot == slot && d->func == func)
			return d;
	}
	return NULL;
}
EXPORT_SYMBOL(pci_find_slot);

unsigned pci_count(void)
{
	return ndevices;
}

u8 pci_find_capability(struct pci_dev *d, u8 id, u8 from)
{
	u8 pos;

	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAPS))
		return 0;
	pos = from ? pci_read8(d, (from & 0xfc) + 1) : pci_read8(d, PCI_CAP_PTR);
	for (unsigned n = 0; n < MAX_CAPS; n++) {
		pos &= 0xfc;
		/* The first 64 bytes are the standard header: a pointer into it is garbage. */
		if (pos < 0x40)
			return 0;
		if (pci_read8(d, pos) == id)
			return pos;
		pos = pci_read8(d, pos + 1);
	}
	pr_warn("%02x:%02x.%u: capability list loops\n", d->bus, d->slot, d->func);
	return 0;
}
EXPORT_SYMBOL(pci_find_capability);

void pci_enable_device(struct pci_dev *d)
{
	u16 cmd = pci_read16(d, PCI_COMMAND);

	cmd |= PCI_CMD_MEM | PCI_CMD_IO | PCI_CMD_MASTER;
	cmd &= ~PCI_CMD_INTX_DISABLE;
	pci_write16(d, PCI_COMMAND, cmd);
}
EXPORT_SYMBOL(pci_enable_device);

void pci_disable_device(struct pci_dev *d)
{
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) & ~PCI_CMD_MASTER);
}
EXPORT_SYMBOL(pci_disable_device);

void *pci_iomap(struct pci_dev *d, unsigned bar)
{
	struct pci_bar *b;

	if (bar >= PCI_NUM_BARS)
		return NULL;
	b = &d->bar[bar];
	if (b->io || !b->size || !b->base)
		return NULL;
	/* ioremap() has no unmap: one mapping per BAR, reused by every driver that binds. */
	if (!b->virt)
		b->virt = ioremap(b->base, b->size);
	return b->virt;
}
EXPORT_SYMBOL(pci_iomap);
