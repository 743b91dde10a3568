/* kernel/arch/x86_64/lapic.c: the local APIC: enable, EOI, and the periodic tick timer.
 * The timer's rate is measured against the PIT once at boot. */
#define pr_fmt(fmt) "lapic: " fmt

#include <granary/arch.h>
#include <granary/cpu.h>
#include <granary/kernel.h>
#include <granary/paging.h>
#include <granary/sched.h>
#include <granary/time.h>
#include <granary/trap.h>

#define LAPIC_ID 0x020
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define LVT_NMI (4u << 8)
#define SVR_ENABLE (1u << 8)
#define APIC_BASE_ENABLE (1UL << 11)

#define CALIBRATE_MS 10

static volatile u32 *lapic;

static u32 rd(u32 reg) { return lapic[reg / 4]; }
static void wr(u32 reg, u32 v) { lapic[reg / 4] = v; }

void lapic_init(void)
{
	lapic = ioremap(acpi_info.lapic_phys, PAGE_SIZE);
	if (!lapic)
		panic("lapic: cannot map %#llx", (unsigned long long)acpi_info.lapic_phys);
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE);
	wr(LAPIC_TPR, 0);
	wr(LAPIC_LVT_LINT0, LVT_MASKED);
	wr(LAPIC_LVT_LINT1, LVT_NMI);
	wr(LAPIC_LVT_ERROR, LVT_MASKED);
	wr(LAPIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
	pr_info("enabled, id %u\n", lapic_id());
}

void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

u32 lapic_id(void)
{
	return rd(LAPIC_ID) >> 24;
}

static void timer_tick(struct trap_frame *tf, void *arg)
{
	sched_account_tick((tf->cs & 3) == 3);
	time_tick();
}

static void calib_start(void)
{
	wr(LAPIC_TIMER_INIT, 0xffffffff);
}

static u32 calib_end_count;
static void calib_end(void)
{
	calib_end_count = rd(LAPIC_TIMER_CUR);
}

void lapic_timer_start(unsigned hz)
{
	u64 per_sec;

	wr(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
	wr(LAPIC_LVT_TIMER, LVT_MASKED);
	pit_wait_ms(CALIBRATE_MS, calib_start, calib_end);
	per_sec = (u64)(0xffffffffu - calib_end_count) * (1000 / CALIBRATE_MS);
	if (per_sec < hz)
		panic("lapic: timer did not count during calibration");
	irq_register(LAPIC_TIMER_VECTOR, timer_tick, NULL);
	wr(LAPIC_LVT_TIMER, LAPIC_TIMER_VECTOR | LVT_PERIODIC);
	wr(LAPIC_TIMER_INIT, (u32)(per_sec / hz));
	pr_info("timer %llu kHz, tick at %u Hz\n", (unsigned long long)(per_sec / 1000), hz);
}
