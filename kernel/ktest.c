/* kernel/ktest.c: the ktest runner: selects tests by glob, runs them, reports TAP, survives their traps.
 * Results end QEMU through machine_poweroff(): 0 if every test passed, 1 otherwise. */
#include <granary/cmdline.h>
#include <granary/cpu.h>
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/ksyms.h>
#include <granary/ktest.h>
#include <granary/string.h>
#include <granary/trap.h>

extern const struct ktest __ktests_start[], __ktests_end[];

/* State of the test that is running; NULL between tests. */
static struct {
	const struct ktest *test;
	struct kjmp_buf abort_jb; /* back to the runner: the test ends */
	struct kjmp_buf trap_jb;  /* back into the test: KT_CATCH_TRAP */
	struct ktest_trap *trap;  /* non-NULL while KT_CATCH_TRAP is armed */
	unsigned failures;
} cur;

static char spec_buf[128];
static const char *spec;

static int param_ktest(const char *val)
{
	if (!val || !*val)
		return -EINVAL;
	strlcpy(spec_buf, val, sizeof(spec_buf));
	spec = spec_buf;
	return 0;
}
KERNEL_PARAM("ktest", param_ktest);

const char *ktest_requested(void)
{
	return spec;
}

void ktest_note(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk(KERN_NOTICE "# %s\n", msg);
}

void ktest_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cur.failures++;
	printk(KERN_NOTICE "# %s:%d: %s\n", file, line, msg);
}

void ktest_bench_report(const char *name, u64 value, const char *unit)
{
	printk(KERN_NOTICE "BENCH %s %llu %s\n", name, (unsigned long long)value, unit);
}

void ktest_abort(void)
{
	klongjmp(&cur.abort_jb, 1);
}

struct kjmp_buf *ktest_trap_arm(struct ktest_trap *trap)
{
	cur.trap = trap;
	return &cur.trap_jb;
}

void ktest_trap_disarm(void)
{
	cur.trap = NULL;
}

void ktest_handle_trap(struct trap_frame *tf)
{
	char sym[96];

	if (!cur.test)
		return;
	if (cur.trap) {
		struct ktest_trap *t = cur.trap;
		t->vector = tf->vector;
		t->error = tf->error;
		t->cr2 = tf->vector == X86_TRAP_PF ? read_cr2() : 0;
		t->rip = tf->rip;
		cur.trap = NULL;
		ktest_note("caught %s (%s) at %s, error %#llx", trap_mnemonic(t->vector),
			   trap_name(t->vector), ksyms_format(t->rip, sym, sizeof(sym)),
			   (unsigned long long)t->error);
		klongjmp(&cur.trap_jb, 1);
	}
	/* Not expected: report it like an oops and fail the test, but keep the kernel up. */
	ktest_fail(cur.test->file, 0, "unexpected %s (%s) at %s, error %#llx, cr2 %#llx",
		   trap_mnemonic(tf->vector), trap_reason(tf),
		   ksyms_format(tf->rip, sym, sizeof(sym)), (unsigned long long)tf->error,
		   (unsigned long long)read_cr2());
	dump_backtrace(tf->rip, tf->rbp);
	klongjmp(&cur.abort_jb, 1);
}

/* A test is selected by a comma-separated list of globs (or "all"); manual tests only by
 * exact name; benchmarks by a glob but not by "all". */
static bool selected(const struct ktest *t, const char *sel)
{
	char pat[64];

	while (*sel) {
		size_t n = 0;
		while (sel[n] && sel[n] != ',')
			n++;
		if (n < sizeof(pat)) {
			memcpy(pat, sel, n);
			pat[n] = '\0';
			bool all = !strcmp(pat, "all");
			if (t->flags & KTEST_F_MANUAL ? !strcmp(pat, t->name)
			    : t->flags & KTEST_F_BENCH ? !all && glob_match(pat, t->name)
						       : all || glob_match(pat, t->name))
				return true;
		}
		sel += n + (sel[n] == ',');
	}
	return false;
}

static bool run_one(const struct ktest *t)
{
	cur.test = t;
	cur.failures = 0;
	cur.trap = NULL;
	if (ksetjmp(&cur.abort_jb) == 0)
		t->fn();
	cur.test = NULL;
	cur.trap = NULL;
	irq_enable();
	return cur.failures == 0;
}

int ktest_run(const char *sel)
{
	unsigned total = 0, n = 0, failed = 0;
	int saved_level = console_loglevel;

	/* TAP lines are notices; show them whatever loglevel= says. */
	if (console_loglevel < 6)
		console_loglevel = 6;
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
		total += selected(t, sel);
	printk(KERN_NOTICE "TAP version 13\n");
	printk(KERN_NOTICE "1..%u\n", total);
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
		bool ok;
		if (!selected(t, sel))
			continue;
		ok = run_one(t);
		failed += !ok;
		printk(KERN_NOTICE "%s %u - %s\n", ok ? "ok" : "not ok", ++n, t->name);
	}
	printk(KERN_NOTICE "# ktest: %u passed, %u failed\n", n - failed, failed);
	if (!total)
		pr_err("ktest: no test matches '%s'\n", sel);
	console_loglevel = saved_level;
	return total ? (int)failed : -ENOENT;
}
