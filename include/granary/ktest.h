/* include/granary/ktest.h: the in-kernel test framework (KUnit-like), reporting TAP.
 * KTEST(name) registers a test in the .ktests section; ktest=all or ktest=<glob> runs them. */
#ifndef GRANARY_KTEST_H
#define GRANARY_KTEST_H

#include <granary/compiler.h>
#include <granary/setjmp.h>
#include <granary/string.h>
#include <granary/types.h>

struct trap_frame;

struct ktest {
	const char *name;
	void (*fn)(void);
	const char *file;
	unsigned flags;
};

/* Runs only when named exactly (deliberate failures and panics), never by a glob. */
#define KTEST_F_MANUAL 1u
/* A benchmark: selected by a glob (ktest=bench_*) but not by ktest=all. */
#define KTEST_F_BENCH 2u

#define __KTEST(tname, fl)                                                                  \
	static void ktest_fn_##tname(void);                                                 \
	static const struct ktest __ktest_##tname __section(".ktests") __used __aligned(8) = { \
		#tname, ktest_fn_##tname, __FILE__, fl                                      \
	};                                                                                  \
	static void ktest_fn_##tname(void)

#define KTEST(tname) __KTEST(tname, 0)
#define KTEST_MANUAL(tname) __KTEST(tname, KTEST_F_MANUAL)
#define KTEST_BENCH(tname) __KTEST(bench_##tname, KTEST_F_BENCH)

/* Prints "BENCH name value unit" for make bench. */
void ktest_bench_report(const char *name, u64 value, const char *unit);

/* Records a failure of the running test with a message (printed as a TAP diagnostic). */
void ktest_fail(const char *file, int line, const char *fmt, ...) __printf(3, 4);
/* Ends the running test now (after a failed assertion). */
__noreturn void ktest_abort(void);
/* Prints a TAP diagnostic line "# ..." for the running test. */
void ktest_note(const char *fmt, ...) __printf(1, 2);

#define KT_EXPECT(c)                                                         \
	do {                                                                 \
		if (!(c))                                                    \
			ktest_fail(__FILE__, __LINE__, "expected %s", #c);   \
	} while (0)
#define KT_ASSERT(c)                                                         \
	do {                                                                 \
		if (!(c)) {                                                  \
			ktest_fail(__FILE__, __LINE__, "assertion %s", #c);  \
			ktest_abort();                                       \
		}                                                            \
	} while (0)
#define KT_EXPECT_EQ(a, b)                                                                       \
	do {                                                                                     \
		u64 __a = (u64)(a), __b = (u64)(b);                                              \
		if (__a != __b)                                                                  \
			ktest_fail(__FILE__, __LINE__, "expected %s == %s: %lld (0x%llx) vs %lld (0x%llx)", \
				   #a, #b, (long long)__a, (unsigned long long)__a, (long long)__b,   \
				   (unsigned long long)__b);                                      \
	} while (0)
#define KT_EXPECT_STREQ(a, b)                                                                   \
	do {                                                                                    \
		const char *__a = (a), *__b = (b);                                              \
		if (!__a || !__b || strcmp(__a, __b) != 0)                                      \
			ktest_fail(__FILE__, __LINE__, "expected %s == \"%s\", got \"%s\"", #a, \
				   __b ? __b : "(null)", __a ? __a : "(null)");                 \
	} while (0)

/* What an exception caught by KT_CATCH_TRAP looked like. */
struct ktest_trap {
	unsigned vector;
	u64 error, cr2, rip;
};

/* Runs stmt with exceptions caught: evaluates to true if stmt raised one, with *trap filled.
 * Execution resumes after the statement; the kernel keeps running. */
#define KT_CATCH_TRAP(trap, stmt)                                 \
	({                                                        \
		volatile bool __caught = true;                    \
		if (ksetjmp(ktest_trap_arm(trap)) == 0) {         \
			stmt;                                     \
			ktest_trap_disarm();                      \
			__caught = false;                         \
		}                                                 \
		__caught;                                         \
	})

struct kjmp_buf *ktest_trap_arm(struct ktest_trap *trap);
void ktest_trap_disarm(void);

#ifdef CONFIG_KTEST
/* From trap_dispatch: if a test is running, reports or delivers the trap and does not return. */
void ktest_handle_trap(struct trap_frame *tf);
/* Runs the tests selected by spec (comma-separated globs, or "all"); returns the failure count. */
int ktest_run(const char *spec);
/* Whether the command line asked for tests (ktest=). */
const char *ktest_requested(void);
#else
static inline void ktest_handle_trap(struct trap_frame *tf) {}
static inline const char *ktest_requested(void) { return NULL; }
static inline int ktest_run(const char *spec) { return 0; }
#endif

#endif
