/* kernel/arch/x86_64/traps.c: exception and interrupt dispatch.
 * Exceptions in the kernel are fatal unless ktest asked to catch them; IRQs go to registered handlers. */
#include <granary/arch.h>
#include <granary/cpu.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/ktest.h>
#include <granary/paging.h>
#include <granary/proc.h>
#include <granary/trap.h>
#include <granary/vm.h>

/* One list of the exceptions gives both name tables. */
#define X86_EXCEPTIONS(X)                               \
	X(0, "#DE", "divide error")                     \
	X(1, "#DB", "debug")                            \
	X(2, "NMI", "non-maskable interrupt")           \
	X(3, "#BP", "breakpoint")                       \
	X(4, "#OF", "overflow")                         \
	X(5, "#BR", "bound range exceeded")             \
	X(6, "#UD", "invalid opcode")                   \
	X(7, "#NM", "device not available")             \
	X(8, "#DF", "double fault")                     \
	X(9, "#CSO", "coprocessor segment overrun")     \
	X(10, "#TS", "invalid TSS")                     \
	X(11, "#NP", "segment not present")             \
	X(12, "#SS", "stack-segment fault")             \
	X(13, "#GP", "general protection fault")        \
	X(14, "#PF", "page fault")                      \
	X(16, "#MF", "x87 floating-point error")        \
	X(17, "#AC", "alignment check")                 \
	X(18, "#MC", "machine check")                   \
	X(19, "#XM", "SIMD floating-point exception")   \
	X(20, "#VE", "virtualization exception")        \
	X(21, "#CP", "control protection exception")    \
	X(28, "#HV", "hypervisor injection exception")  \
	X(29, "#VC", "VMM communication exception")     \
	X(30, "#SX", "security exception")

#define X_MNEMONIC(n, m, l) [n] = m,
#define X_LONG(n, m, l) [n] = l,
static const char *const mnemonics[32] = { X86_EXCEPTIONS(X_MNEMONIC) };
static const char *const names[32] = { X86_EXCEPTIONS(X_LONG) };

const char *trap_mnemonic(unsigned vector)
{
	if (vector < 32)
		return mnemonics[vector] ? mnemonics[vector] : "#RES";
	return "IRQ";
}

const char *trap_name(unsigned vector)
{
	if (vector < 32)
		return names[vector] ? names[vector] : "reserved exception";
	return "interrupt";
}

const char *trap_reason(const struct trap_frame *tf)
{
	if ((tf->vector == X86_TRAP_DF || tf->vector == X86_TRAP_PF) && paging_is_guard(read_cr2()))
		return "kernel stack overflow: hit the guard page";
	return trap_name(tf->vector);
}

static struct {
	irq_handler_fn fn;
	void *arg;
} handlers[256];
static u64 counts[256];

int irq_register(unsigned vector, irq_handler_fn fn, void *arg)
{
	if (vector < 32 || vector > 255)
		return -EINVAL;
	if (handlers[vector].fn)
		return -EBUSY;
	handlers[vector].arg = arg;
	WRITE_ONCE(handlers[vector].fn, fn);
	return 0;
}

int irq_enable_line(unsigned irq, irq_handler_fn fn, void *arg)
{
	int err;

	if (irq >= 16)
		return -EINVAL;
	err = irq_register(IRQ_VECTOR_BASE + irq, fn, arg);
	if (!err)
		ioapic_route(acpi_info.isa_gsi[irq], IRQ_VECTOR_BASE + irq, acpi_info.isa_flags[irq]);
	return err;
}

u64 irq_count(unsigned vector)
{
	return vector < 256 ? READ_ONCE(counts[vector]) : 0;
}

/* A fault in user code becomes a signal (delivered on the way back to user mode). */
static void user_exception(struct trap_frame *tf)
{
	switch (tf->vector) {
	case X86_TRAP_PF: {
		/* ACCERR if an area covers the address (the access was refused), MAPERR if not. */
		unsigned long addr = read_cr2();
		struct mm *mm = mm_current();
		bool mapped = mm && addr < USER_TOP && vma_lookup(&mm->areas, addr);
		signal_force(SIGSEGV, mapped ? SEGV_ACCERR : SEGV_MAPERR, addr);
		break;
	}
	case X86_TRAP_UD:
		signal_force(SIGILL, ILL_ILLOPN, tf->rip);
		break;
	case X86_TRAP_DE:
	case X86_TRAP_MF:
	case X86_TRAP_XM:
		signal_force(SIGFPE, FPE_INTDIV, tf->rip);
		break;
	case X86_TRAP_BP:
	case X86_TRAP_DB:
		signal_force(SIGTRAP, 0, tf->rip);
		break;
	default:
		signal_force(tf->vector == X86_TRAP_AC ? SIGBUS : SIGSEGV, 0x80, 0);
	}
}

static void exception(struct trap_frame *tf)
{
	/* User memory (demand paging, copy-on-write) and user-copy fixups come first. */
	if (tf->vector == X86_TRAP_PF && vm_fault_trap(tf))
		return;
	if ((tf->cs & 3) && proc_current()) {
		user_exception(tf);
		return;
	}
	/* A test that provoked this, or is running when it happened, takes it over. */
	ktest_handle_trap(tf);
	if (tf->vector == X86_TRAP_NMI) {
		pr_warn("NMI received at %p, ignored\n", (void *)tf->rip);
		return;
	}
	panic_trap(tf, trap_reason(tf));
}

void trap_dispatch(struct trap_frame *tf)
{
	unsigned v = tf->vector;

	counts[v]++;
	if (v < 32) {
		exception(tf);
		if (tf->cs & 3)
			proc_return_to_user(tf);
		return;
	}
	if (v == SPURIOUS_VECTOR)
		return;
	if (handlers[v].fn) {
		handlers[v].fn(tf, handlers[v].arg);
	} else {
		static bool warned;
		if (!warned || IS_ENABLED(CONFIG_DEBUG_VERBOSE_TRAPS)) {
			warned = true;
			pr_warn("unexpected interrupt on vector %u\n", v);
		}
	}
	/* Vectors 0x20-0x2f are the masked 8259s' spurious lines: they take no EOI. */
	if (v >= IRQ_VECTOR_BASE)
		lapic_eoi();
	if (tf->cs & 3)
		proc_return_to_user(tf);
}
