/* kernel/panic.c: panic, the register dump of a fatal exception, and backtraces.
 * What happens after the last words is chosen by panic= (halt, exit QEMU, or reboot after N s). */
#include <granary/cmdline.h>
#include <granary/cpu.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/ksyms.h>
#include <granary/paging.h>
#include <granary/string.h>
#include <granary/time.h>
#include <granary/trap.h>

#define BACKTRACE_DEPTH 32

static enum { PANIC_HALT, PANIC_EXIT, PANIC_REBOOT } panic_action;
static u64 panic_reboot_secs;
static bool in_panic;

static int param_panic(const char *val)
{
	if (!val)
		return -EINVAL;
	if (!strcmp(val, "exit"))
		panic_action = PANIC_EXIT;
	else if (!strcmp(val, "halt"))
		panic_action = PANIC_HALT;
	else if (!kstrtou64(val, &panic_reboot_secs))
		panic_action = panic_reboot_secs ? PANIC_REBOOT : PANIC_HALT;
	else
		return -EINVAL;
	return 0;
}
KERNEL_PARAM("panic", param_panic);

/* A frame pointer is followed only if it is aligned, in the kernel half and mapped. */
static bool frame_ok(unsigned long fp)
{
	return fp && IS_ALIGNED(fp, 8UL) && fp >= DIRECT_MAP_BASE &&
	       (paging_lookup(fp) & PTE_P) && (paging_lookup(fp + 8) & PTE_P);
}

static void print_frame(unsigned long addr)
{
	char buf[96];

	pr_emerg("  [<%016lx>] %s\n", addr, ksyms_format(addr, buf, sizeof(buf)));
}

void dump_backtrace(unsigned long rip, unsigned long rbp)
{
	unsigned long last = 0;
	unsigned repeats = 0;

	pr_emerg("Call trace:\n");
	if (rip)
		print_frame(rip);
	for (int depth = 0; depth < BACKTRACE_DEPTH && frame_ok(rbp); depth++) {
		const unsigned long *frame = (const unsigned long *)rbp;
		unsigned long ret = frame[1];
		if (!ret)
			break;
		/* Deep recursion shows as one line and a count. */
		if (ret == last) {
			repeats++;
			depth--;
		} else {
			if (repeats)
				pr_emerg("  ... the frame above %u more time(s)\n", repeats);
			repeats = 0;
			/* The return address points after the call; show the call itself. */
			print_frame(ret - 1);
		}
		last = ret;
		if (frame[0] <= rbp)
			break; /* stacks grow down: a caller's frame is always higher */
		rbp = frame[0];
	}
	if (repeats)
		pr_emerg("  ... the frame above %u more time(s)\n", repeats);
}

static __noreturn void panic_finish(void)
{
	pr_emerg("---[ end Kernel panic ]---\n");
	switch (panic_action) {
	case PANIC_EXIT:
		machine_poweroff(PANIC_EXIT_STATUS);
	case PANIC_REBOOT:
		pr_emerg("Rebooting in %llu seconds\n", (unsigned long long)panic_reboot_secs);
		time_delay_ns(panic_reboot_secs * NSEC_PER_SEC);
		machine_reboot();
	case PANIC_HALT:
		break;
	}
	machine_halt();
}

/* Only the first CPU to panic speaks; a panic while panicking just stops. */
static void panic_enter(void)
{
	irq_disable();
	if (in_panic)
		machine_halt();
	in_panic = true;
	printk_panic_unlock();
}

__noinline void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	panic_enter();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_emerg("Kernel panic: %s\n", msg);
	dump_backtrace(0, (unsigned long)__builtin_frame_address(0));
	panic_finish();
}

void panic_trap(struct trap_frame *tf, const char *what)
{
	char sym[96];

	panic_enter();
	pr_emerg("%s %s in %s mode at %s\n", trap_mnemonic(tf->vector), what,
		 (tf->cs & 3) ? "user" : "kernel", ksyms_format(tf->rip, sym, sizeof(sym)));
	pr_emerg("error code %#llx  cr2 %016llx  cr3 %016llx\n", (unsigned long long)tf->error,
		 (unsigned long long)read_cr2(), (unsigned long long)read_cr3());
	pr_emerg("RIP %04llx:%016llx  RSP %04llx:%016llx  RFLAGS %08llx\n",
		 (unsigned long long)tf->cs, (unsigned long long)tf->rip, (unsigned long long)tf->ss,
		 (unsigned long long)tf->rsp, (unsigned long long)tf->rflags);
	pr_emerg("RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n", (unsigned long long)tf->rax,
		 (unsigned long long)tf->rbx, (unsigned long long)tf->rcx, (unsigned long long)tf->rdx);
	pr_emerg("RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n", (unsigned long long)tf->rsi,
		 (unsigned long long)tf->rdi, (unsigned long long)tf->rbp, (unsigned long long)tf->r8);
	pr_emerg("R9  %016llx R10 %016llx R11 %016llx R12 %016llx\n", (unsigned long long)tf->r9,
		 (unsigned long long)tf->r10, (unsigned long long)tf->r11, (unsigned long long)tf->r12);
	pr_emerg("R13 %016llx R14 %016llx R15 %016llx\n", (unsigned long long)tf->r13,
		 (unsigned long long)tf->r14, (unsigned long long)tf->r15);
	dump_backtrace(tf->rip, tf->rbp);
	pr_emerg("Kernel panic: fatal exception %s\n", trap_mnemonic(tf->vector));
	panic_finish();
}
