/* drivers/pci/pci_driver.c: PCI drivers binding to devices (id tables, probe/remove, unload
 * checks) and shared INTx interrupt lines routed through the IOAPIC. Not enumeration (pci.c). */
#define pr_fmt(fmt) "pci: " fmt

#include <granary/arch.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/module.h>
#include <granary/pci.h>
#include <granary/sched.h>
#include <granary/slab.h>
#include <granary/spinlock.h>
#include <granary/string.h>
#include <granary/wait.h>

#define ISA_LINES 16
/* A level-triggered line that stays asserted with no handler claiming it would keep the CPU
 * in the interrupt forever: after this many unclaimed interrupts in a row it is masked. */
#define UNCLAIMED_LIMIT 100000
/* MPS INTI flags for a line without an ACPI override: level-triggered, active high, which is
 * how the PIIX's PCI interrupt routers drive the IOAPIC's ISA pins. */
#define PCI_DEFAULT_FLAGS 0xd

static struct list_head drivers = LIST_HEAD_INIT(drivers);

/* Probe and remove may sleep: this keeps the driver list and bindings stable across them. */
static bool bind_locked;
static struct wait_queue bind_wq = WAIT_QUEUE_INIT(bind_wq);

static void bind_lock(void)
{
	wait_event(bind_wq, !bind_locked);
	bind_locked = true;
}

static void bind_unlock(void)
{
	bind_locked = false;
	wake_up(&bind_wq);
}

const struct pci_device_id *pci_match_id(const struct pci_device_id *t, const struct pci_dev *d)
{
	u32 cls = (u32)d->class << 16 | (u32)d->subclass << 8 | d->prog_if;

	for (; t && (t->vendor || t->device || t->class_mask); t++) {
		if (t->vendor != PCI_ANY_ID && t->vendor != d->vendor)
			continue;
		if (t->device != PCI_ANY_ID && t->device != d->device)
			continue;
		if ((cls & t->class_mask) != (t->class & t->class_mask))
			continue;
		return t;
	}
	return NULL;
}
EXPORT_SYMBOL(pci_match_id);

static int probe_one(struct pci_dev *d, void *arg)
{
	struct pci_driver *drv = arg;
	const struct pci_device_id *id;
	int err;

	if (d->driver || !(id = pci_match_id(drv->id_table, d)))
		return 0;
	/* Claimed before probing, so nothing else binds it while probe sleeps. */
	d->driver = drv;
	err = drv->probe(d, id);
	if (err) {
		d->driver = NULL;
		d->drvdata = NULL;
		pr_warn("%s: probe of %02x:%02x.%u failed: error %d\n", drv->name, d->bus, d->slot,
			d->func, err);
		return 0;
	}
	drv->bound++;
	pr_info("%s bound to %02x:%02x.%u\n", drv->name, d->bus, d->slot, d->func);
	return 0;
}

static bool registered(const struct pci_driver *drv, const char *name)
{
	struct list_head *pos;

	list_for_each(pos, &drivers) {
		struct pci_driver *o = list_entry(pos, struct pci_driver, link);
		if (o == drv || !strcmp(o->name, name))
			return true;
	}
	return false;
}

int pci_register_driver(struct pci_driver *drv)
{
	if (!drv || !drv->name || !drv->id_table || !drv->probe)
		return -EINVAL;
	/* A driver that registers before the boot scan (or when PCI is absent) sees no devices. */
	pci_init();
	bind_lock();
	if (registered(drv, drv->name)) {
		bind_unlock();
		return -EEXIST;
	}
	drv->bound = 0;
	list_add_tail(&drv->link, &drivers);
	pci_foreach(probe_one, drv);
	bind_unlock();
	return 0;
}
EXPORT_SYMBOL(pci_register_driver);

static int busy_one(struct pci_dev *d, void *arg)
{
	struct pci_driver *drv = arg;

	return d->driver == drv && drv->busy && drv->busy(d);
}

static int remove_one(struct pci_dev *d, void *arg)
{
	struct pci_driver *drv = arg;
	int err;

	if (d->driver != drv)
		return 0;
	err = drv->remove ? drv->remove(d) : 0;
	if (err) {
		pr_warn("%s: %02x:%02x.%u refused to unbind: error %d\n", drv->name, d->bus, d->slot,
			d->func, err);
		return 0;
	}
	if (d->irq_requested) { /* the driver forgot: its handler must not outlive it */
		pr_warn("%s: %02x:%02x.%u still had its interrupt\n", drv->name, d->bus, d->slot, d->func);
		pci_free_irq(d);
	}
	d->driver = NULL;
	d->drvdata = NULL;
	drv->bound--;
	return 0;
}

int pci_unregister_driver(struct pci_driver *drv)
{
	struct list_head *pos;
	bool found = false;

	if (!drv)
		return -ENOENT;
	bind_lock();
	list_for_each(pos, &drivers)
		if (pos == &drv->link)
			found = true;
	if (!found) {
		bind_unlock();
		return -ENOENT;
	}
	if (pci_foreach(busy_one, drv)) {
		bind_unlock();
		return -EBUSY;
	}
	pci_foreach(remove_one, drv);
	if (drv->bound) {
		bind_unlock();
		return -EBUSY;
	}
	list_del(&drv->link);
	bind_unlock();
	return 0;
}
EXPORT_SYMBOL(pci_unregister_driver);

bool pci_module_busy(const struct module *owner)
{
	struct list_head *pos;

	list_for_each(pos, &drivers) {
		struct pci_driver *drv = list_entry(pos, struct pci_driver, link);
		if (drv->owner == owner && pci_foreach(busy_one, drv))
			return true;
	}
	return false;
}

/* ---- shared INTx lines ---- */

struct irq_action {
	struct list_head link;
	struct pci_dev *dev;
	pci_irq_fn fn;
	void *arg;
};

static spinlock_t irq_lock = SPINLOCK_INIT;
static struct list_head actions[ISA_LINES];
static bool routed[ISA_LINES];
static unsigned unclaimed[ISA_LINES];

static void line_dispatch(struct trap_frame *tf, void *arg)
{
	unsigned line = (unsigned)(uintptr_t)arg;
	struct list_head *pos;
	bool claimed = false;

	spin_lock(&irq_lock);
	list_for_each(pos, &actions[line]) {
		struct irq_action *a = list_entry(pos, struct irq_action, link);
		if (a->fn(a->dev, a->arg))
			claimed = true;
	}
	if (claimed) {
		unclaimed[line] = 0;
	} else if (++unclaimed[line] == UNCLAIMED_LIMIT) {
		ioapic_mask(acpi_info.isa_gsi[line], true);
		pr_err("IRQ %u: %u interrupts nobody claimed; line masked\n", line, UNCLAIMED_LIMIT);
	}
	spin_unlock(&irq_lock);
}

int pci_request_irq(struct pci_dev *dev, pci_irq_fn fn, void *arg)
{
	unsigned line = dev->irq_line;
	struct irq_action *a;
	unsigned long f;
	int err;

	if (!fn)
		return -EINVAL;
	if (!dev->irq_pin || line >= ISA_LINES)
		return -ENODEV;
	if (dev->irq_requested)
		return -EBUSY;
	a = kzalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->dev = dev;
	a->fn = fn;
	a->arg = arg;
	if (!routed[line]) {
		u16 flags = acpi_info.isa_flags[line];

		err = irq_register(IRQ_VECTOR_BASE + line, line_dispatch, (void *)(uintptr_t)line);
		if (err) {
			kfree(a);
			return err; /* -EBUSY: the UART or the keyboard has it */
		}
		list_init(&actions[line]);
		routed[line] = true;
		f = spin_lock_irqsave(&irq_lock);
		list_add_tail(&a->link, &actions[line]);
		spin_unlock_irqrestore(&irq_lock, f);
		ioapic_route(acpi_info.isa_gsi[line], IRQ_VECTOR_BASE + line, flags ? flags : PCI_DEFAULT_FLAGS);
	} else {
		f = spin_lock_irqsave(&irq_lock);
		list_add_tail(&a->link, &actions[line]);
		unclaimed[line] = 0;
		spin_unlock_irqrestore(&irq_lock, f);
		ioapic_mask(acpi_info.isa_gsi[line], false);
	}
	dev->irq_requested = true;
	return 0;
}
EXPORT_SYMBOL(pci_request_irq);

void pci_free_irq(struct pci_dev *dev)
{
	unsigned line = dev->irq_line;
	struct irq_action *found = NULL;
	struct list_head *pos;
	unsigned long f;

	if (!dev->irq_requested || line >= ISA_LINES)
		return;
	f = spin_lock_irqsave(&irq_lock);
	list_for_each(pos, &actions[line]) {
		struct irq_action *a = list_entry(pos, struct irq_action, link);
		if (a->dev == dev) {
			found = a;
			break;
		}
	}
	if (found)
		list_del(&found->link);
	if (list_empty(&actions[line]))
		ioapic_mask(acpi_info.isa_gsi[line], true);
	spin_unlock_irqrestore(&irq_lock, f);
	/* Interrupts were off around the unlink: no dispatch can still be using it. */
	kfree(found);
	dev->irq_requested = false;
}
EXPORT_SYMBOL(pci_free_irq);
