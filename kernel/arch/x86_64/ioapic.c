/* kernel/arch/x86_64/ioapic.c: the I/O APIC that routes device interrupt lines to vectors.
 * Every line starts masked; ioapic_route() opens one, with the polarity and trigger ACPI gave. */
#define pr_fmt(fmt) "ioapic: " fmt

#include <granary/arch.h>
#include <granary/kernel.h>
#include <granary/paging.h>
#include <granary/spinlock.h>

#define IOREGSEL 0x00
#define IOWIN 0x10
#define REG_VER 0x01
#define REG_REDIR(n) (0x10 + 2 * (n))

#define RED_ACTIVE_LOW (1u << 13)
#define RED_LEVEL (1u << 15)
#define RED_MASKED (1u << 16)

static volatile u32 *ioapic;
static unsigned pins;
static spinlock_t lock = SPINLOCK_INIT;

static u32 rd(u32 reg)
{
	ioapic[IOREGSEL / 4] = reg;
	return ioapic[IOWIN / 4];
}

static void wr(u32 reg, u32 v)
{
	ioapic[IOREGSEL / 4] = reg;
	ioapic[IOWIN / 4] = v;
}

void ioapic_init(void)
{
	ioapic = ioremap(acpi_info.ioapic_phys, PAGE_SIZE);
	if (!ioapic)
		panic("ioapic: cannot map %#llx", (unsigned long long)acpi_info.ioapic_phys);
	pins = ((rd(REG_VER) >> 16) & 0xff) + 1;
	for (unsigned i = 0; i < pins; i++) {
		wr(REG_REDIR(i), RED_MASKED);
		wr(REG_REDIR(i) + 1, 0);
	}
	pr_info("%u pins, all masked\n", pins);
}

void ioapic_route(u32 gsi, u8 vector, u16 flags)
{
	u32 pin = gsi - acpi_info.ioapic_gsi_base, low = vector;
	unsigned long f;

	if (gsi < acpi_info.ioapic_gsi_base || pin >= pins) {
		pr_warn("GSI %u is not on this IOAPIC\n", gsi);
		return;
	}
	/* MPS INTI flags: polarity in bits 0-1 (3 = active low), trigger in 2-3 (3 = level). */
	if ((flags & 3) == 3)
		low |= RED_ACTIVE_LOW;
	if (((flags >> 2) & 3) == 3)
		low |= RED_LEVEL;
	f = spin_lock_irqsave(&lock);
	wr(REG_REDIR(pin) + 1, lapic_id() << 24);
	wr(REG_REDIR(pin), low);
	spin_unlock_irqrestore(&lock, f);
}

void ioapic_mask(u32 gsi, bool masked)
{
	u32 pin = gsi - acpi_info.ioapic_gsi_base;
	unsigned long f;

	if (gsi < acpi_info.ioapic_gsi_base || pin >= pins)
		return;
	f = spin_lock_irqsave(&lock);
	wr(REG_REDIR(pin), (rd(REG_REDIR(pin)) & ~RED_MASKED) | (masked ? RED_MASKED : 0));
	spin_unlock_irqrestore(&lock, f);
}
