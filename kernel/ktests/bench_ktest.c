/* kernel/ktests/bench_ktest.c: micro-benchmarks of foundation paths, run by make bench.
 * Under --icount QEMU's clock counts instructions, so the ns figures are instruction counts. */
#include <granary/cpu.h>
#include <granary/ktest.h>
#include <granary/printk.h>
#include <granary/time.h>
#include <granary/trap.h>

#define BENCH_VECTOR 0x81
#define ROUNDS 2000

static void empty_handler(struct trap_frame *tf, void *arg)
{
}

KTEST_BENCH(interrupt_roundtrip)
{
	u64 t0, t1;

	/* A software interrupt through the full isr.S save/restore and trap_dispatch. */
	if (irq_register(BENCH_VECTOR, empty_handler, NULL) != 0)
		KT_ASSERT(!"bench vector taken");
	t0 = time_ns();
	for (int i = 0; i < ROUNDS; i++)
		__asm__ __volatile__("int $0x81" ::: "memory");
	t1 = time_ns();
	ktest_bench_report("interrupt_roundtrip", (t1 - t0) / ROUNDS, "ns");
}

KTEST_BENCH(snprintf_line)
{
	char buf[128];
	u64 t0, t1;

	t0 = time_ns();
	for (int i = 0; i < ROUNDS; i++)
		snprintf(buf, sizeof(buf), "pid %d exited with status %#x at %p: %s", i, i * 3,
			 (void *)buf, "a string");
	t1 = time_ns();
	ktest_bench_report("snprintf_line", (t1 - t0) / ROUNDS, "ns");
}

KTEST_BENCH(log_store_and_read)
{
	char line[256];
	u64 t0, t1, seq;
	int saved = console_loglevel;

	console_loglevel = 0; /* measure the ring, not the serial port */
	seq = log_next_seq();
	t0 = time_ns();
	for (int i = 0; i < ROUNDS; i++)
		pr_debug("bench record %d\n", i);
	while (log_read(&seq, line, sizeof(line)))
		;
	t1 = time_ns();
	console_loglevel = saved;
	ktest_bench_report("log_store_and_read", (t1 - t0) / ROUNDS, "ns");
}
