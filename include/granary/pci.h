/* include/granary/pci.h: the PCI bus layer: devices found in configuration space, their BARs,
 * capabilities and legacy interrupts, and drivers that bind to them. Not any device's driver. */
#ifndef GRANARY_PCI_H
#define GRANARY_PCI_H

#include <granary/compiler.h>
#include <granary/list.h>
#include <granary/trap.h>
#include <granary/types.h>

/* Configuration-space registers (type 0 and 1 headers). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CLASS_DEVICE 0x0a /* subclass at 0x0a, class at 0x0b */
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SUBSYS_VENDOR 0x2c
#define PCI_SUBSYS_ID 0x2e
#define PCI_CAP_PTR 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d
#define PCI_SECONDARY_BUS 0x19 /* bridges */

#define PCI_CMD_IO 0x0001
#define PCI_CMD_MEM 0x0002
#define PCI_CMD_MASTER 0x0004
#define PCI_CMD_INTX_DISABLE 0x0400
#define PCI_STATUS_CAPS 0x0010
#define PCI_STATUS_INTX 0x0008

#define PCI_CAP_MSI 0x05
#define PCI_CAP_VENDOR 0x09
#define PCI_CAP_MSIX 0x11

#define PCI_CLASS_BRIDGE 0x06
#define PCI_SUBCLASS_PCI_BRIDGE 0x04

#define PCI_ANY_ID 0xffff
#define PCI_NUM_BARS 6
#define PCI_CONFIG_SIZE 256

/* A decoded base address register. A 64-bit BAR fills the lower slot; the upper one is left
 * empty (size 0). */
struct pci_bar {
	u64 base;  /* bus address (physical: there is no IOMMU) or I/O port */
	u64 size;  /* 0: not implemented */
	bool io;   /* an I/O-port BAR, else memory */
	bool is64; /* a 64-bit memory BAR */
	bool prefetch;
	void *virt; /* pci_iomap()'s mapping, kept for the device's life */
};

struct pci_driver;

struct pci_dev {
	struct list_head link; /* in the core's device list, in bus order */
	u8 bus, slot, func;
	u8 header_type;	       /* without the multi-function bit */
	u16 vendor, device;
	u16 subsys_vendor, subsys_device;
	u8 class, subclass, prog_if, revision;
	u8 irq_pin;  /* 1..4 for INTA..INTD, 0 for none */
	u8 irq_line; /* the ISA line the firmware routed the pin to, 0xff for none */
	struct pci_bar bar[PCI_NUM_BARS];
	struct pci_driver *driver; /* the bound driver, or NULL */
	void *drvdata;		   /* the bound driver's */
	bool irq_requested;
};

/* What a driver binds to: vendor and device (or PCI_ANY_ID), then class bits under class_mask
 * ((class << 16) | (subclass << 8) | prog_if). A table ends with an all-zero entry. */
struct pci_device_id {
	u16 vendor, device;
	u32 class, class_mask;
};

struct module; /* the loader's (kernel/module/) */

struct pci_driver {
	const char *name;
	const struct pci_device_id *id_table;
	/* Takes the device: 0, or a negative errno (the device stays unbound, and is offered to
	 * the next driver registered). May sleep. */
	int (*probe)(struct pci_dev *dev, const struct pci_device_id *id);
	/* Lets go of the device: 0, or -EBUSY while it is in use (it then stays bound). */
	int (*remove)(struct pci_dev *dev);
	/* Optional: true while the device is in use (open, mounted), so unbinding would fail. */
	bool (*busy)(struct pci_dev *dev);
	/* The module the driver lives in; NULL when built in. */
	struct module *owner;
	/* The core's: the registered list and how many devices are bound. */
	struct list_head link;
	unsigned bound;
};

/* Enumerates every bus at boot (core_initcall) and logs a line per device. 0; -ENODEV when
 * configuration mechanism #1 answers nothing. Calling it again does nothing. */
int pci_init(void);

/* Configuration space of dev: off must lie inside the 256 bytes and be aligned to the width,
 * else reads give all ones and writes are ignored (with a warning). */
u8 pci_read8(struct pci_dev *dev, u16 off);
u16 pci_read16(struct pci_dev *dev, u16 off);
u32 pci_read32(struct pci_dev *dev, u16 off);
void pci_write8(struct pci_dev *dev, u16 off, u8 v);
void pci_write16(struct pci_dev *dev, u16 off, u16 v);
void pci_write32(struct pci_dev *dev, u16 off, u32 v);

/* Calls fn for each device in bus order until it returns non-zero; returns that value or 0. */
int pci_foreach(int (*fn)(struct pci_dev *dev, void *arg), void *arg);
/* The index'th (from 0) device with this vendor and device ID (PCI_ANY_ID matches any), or NULL. */
struct pci_dev *pci_find(u16 vendor, u16 device, unsigned index);
/* The device at bus:slot.func, or NULL. */
struct pci_dev *pci_find_slot(u8 bus, u8 slot, u8 func);
/* How many devices enumeration found. */
unsigned pci_count(void);

/* The offset of the first capability with this ID after offset from (0: from the start of the
 * list), or 0 if there is none. The walk is bounded, so a looping list ends. */
u8 pci_find_capability(struct pci_dev *dev, u8 id, u8 from);

/* Turns on memory and I/O decoding and bus mastering (DMA), and leaves INTx enabled. */
void pci_enable_device(struct pci_dev *dev);
/* Turns bus mastering (DMA) off again, after the device was reset. Decoding stays on. */
void pci_disable_device(struct pci_dev *dev);
/* Maps memory BAR bar uncached (once per device; later calls give the same address). NULL for
 * an I/O or empty BAR, a bad index, or a full ioremap window. */
void *pci_iomap(struct pci_dev *dev, unsigned bar);

/*
 * Legacy interrupts (INTx). PCI lines are shared and level-triggered: each handler must say
 * whether its device was interrupting (and make it stop) by returning true. The line is routed
 * through the IOAPIC the first time it is requested, and masked while no handler is left.
 */
typedef bool (*pci_irq_fn)(struct pci_dev *dev, void *arg);
/* Installs fn for dev's INTx line. 0; -ENODEV if the device has no pin or the firmware gave it
 * no line; -EBUSY if dev already has a handler or a non-PCI driver owns the line; -ENOMEM. */
int pci_request_irq(struct pci_dev *dev, pci_irq_fn fn, void *arg);
/* Removes dev's handler (the line is masked when it was the last one). */
void pci_free_irq(struct pci_dev *dev);

/* Registers drv and probes every unbound device its table matches. 0; -EINVAL for a driver
 * without a name, table or probe; -EEXIST if drv or its name is already registered. */
int pci_register_driver(struct pci_driver *drv);
/* Unbinds every device (calling remove) and unregisters drv. 0; -EBUSY, with nothing changed,
 * if a device's busy() says it is in use (or remove refused: that device stays bound and drv
 * registered); -ENOENT if drv is not registered. */
int pci_unregister_driver(struct pci_driver *drv);
/* For the module loader: true if a driver owned by owner has a device in use (its busy() says
 * so), i.e. unloading owner would be refused. */
bool pci_module_busy(const struct module *owner);
/* The first entry of drv->id_table matching dev, or NULL. */
const struct pci_device_id *pci_match_id(const struct pci_device_id *table, const struct pci_dev *dev);

static inline void pci_set_drvdata(struct pci_dev *dev, void *p) { dev->drvdata = p; }
static inline void *pci_get_drvdata(struct pci_dev *dev) { return dev->drvdata; }

/* Uncached MMIO accesses for pci_iomap()'d registers: single loads and stores, in program order. */
static inline u8 mmio_read8(const volatile void *a) { return *(const volatile u8 *)a; }
static inline u16 mmio_read16(const volatile void *a) { return *(const volatile u16 *)a; }
static inline u32 mmio_read32(const volatile void *a) { return *(const volatile u32 *)a; }
static inline void mmio_write8(volatile void *a, u8 v) { *(volatile u8 *)a = v; }
static inline void mmio_write16(volatile void *a, u16 v) { *(volatile u16 *)a = v; }
static inline void mmio_write32(volatile void *a, u32 v) { *(volatile u32 *)a = v; }

#endif
