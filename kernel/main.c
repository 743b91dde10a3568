/* kernel/main.c: kmain, the order in which the kernel brings itself up.
 * boot.S calls it in the higher half with the multiboot2 magic and information address. */
#include <granary/arch.h>
#include <granary/blkdev.h>
#include <granary/bootinfo.h>
#include <granary/cmdline.h>
#include <granary/console.h>
#include <granary/cpu.h>
#include <granary/file.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/ktest.h>
#include <granary/page.h>
#include <granary/paging.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/serial.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/time.h>
#include <granary/module.h>
#include <granary/vfs.h>

#ifndef GRANARY_RELEASE
#define GRANARY_RELEASE "0.1.0"
#endif

const char granary_release[] = GRANARY_RELEASE CONFIG_LOCALVERSION;
const char granary_banner[] = "Granary " GRANARY_RELEASE CONFIG_LOCALVERSION " (x86_64)";

/* init= names the first user program; the processes issue runs it as pid 1. */
static char init_path[256] = "/sbin/init";

static int param_init(const char *val)
{
	if (!val || val[0] != '/' || strlen(val) >= sizeof(init_path))
		return -EINVAL;
	strlcpy(init_path, val, sizeof(init_path));
	return 0;
}
KERNEL_PARAM("init", param_init);

/* The boot map covers the first GiB at KERNEL_VMA, which is where GRUB leaves the information. */
#define BOOT_MAP_LIMIT (1UL << 30)

void kmain(u32 magic, u32 info_phys);

static void parse_boot_info(u32 magic, u32 info_phys)
{
	const void *info = (const void *)(KERNEL_VMA + info_phys);
	size_t avail = info_phys < BOOT_MAP_LIMIT ? BOOT_MAP_LIMIT - info_phys : 0;
	int err = bootinfo_parse(&bootinfo, magic, avail ? info : NULL, avail);

	if (err)
		panic("not started by a multiboot2 loader (magic %#x, info at %#x)", magic, info_phys);
}

static void log_boot_info(void)
{
	pr_info("boot: loader \"%s\", %u memory map entries, %u module(s), RAM top %llu MiB\n",
		bootinfo.loader, bootinfo.mmap_count, bootinfo.module_count,
		(unsigned long long)(bootinfo_ram_top(&bootinfo) >> 20));
	for (unsigned i = 0; i < bootinfo.mmap_count; i++)
		pr_debug("  mem %#014llx-%#014llx type %u\n", (unsigned long long)bootinfo.mmap[i].base,
			 (unsigned long long)(bootinfo.mmap[i].base + bootinfo.mmap[i].length - 1),
			 bootinfo.mmap[i].type);
	for (unsigned i = 0; i < bootinfo.module_count; i++)
		pr_info("  module \"%s\" at %#llx, %llu bytes\n", bootinfo.modules[i].name,
			(unsigned long long)bootinfo.modules[i].start,
			(unsigned long long)(bootinfo.modules[i].end - bootinfo.modules[i].start));
	if (bootinfo.warnings)
		pr_warn("boot: %u malformed multiboot2 tag(s) skipped\n", bootinfo.warnings);
}

/* The tests run in a thread of their own, so that they can sleep and wait like any task. */
static int run_ktests(void *arg)
{
	machine_poweroff(ktest_run(ktest_requested()) ? 1 : 0);
}

void kmain(u32 magic, u32 info_phys)
{
	parse_boot_info(magic, info_phys);
	cmdline_parse(bootinfo.cmdline);
	serial_init();
	pr_notice("%s\n", granary_banner);
	pr_info("command line: %s\n", cmdline_get());
	log_boot_info();

	gdt_init();
	idt_init();
	syscall_msr_init();
	fpu_init();
	sched_init();
	paging_init();
	page_alloc_init();
	slab_init();
	screen_console_init();
	block_init();

	pic_disable();
	acpi_init();
	lapic_init();
	ioapic_init();
	time_init_tsc();
	lapic_timer_start(CONFIG_HZ);
	console_input_init();
	irq_enable();
	vfs_init();
	initcall_run();

	if (ktest_requested() && !kthread_create("ktest", 0, run_ktests, NULL))
		panic("cannot start the ktest thread");
	else if (!ktest_requested() && proc_start_init(init_path))
		panic("cannot start init");
	sched_idle();
}
