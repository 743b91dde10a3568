/* include/granary/compiler.h: attribute shorthands and small compile-time helpers.
 * Nothing here generates code by itself. */
#ifndef GRANARY_COMPILER_H
#define GRANARY_COMPILER_H

#define __section(s) __attribute__((section(s)))
#define __used __attribute__((used))
#define __unused __attribute__((unused))
#define __aligned(n) __attribute__((aligned(n)))
#define __packed __attribute__((packed))
#define __noreturn __attribute__((noreturn))
#define __noinline __attribute__((noinline))
#define __always_inline inline __attribute__((always_inline))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __weak __attribute__((weak))
#define __returns_twice __attribute__((returns_twice))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define barrier() __asm__ __volatile__("" ::: "memory")
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)

/* IS_ENABLED(CONFIG_X): 1 if the bool option is y, else 0, usable in C expressions.
 * autoconf.h defines a set option as 1; pasting that onto a placeholder name
 * yields "0," which shifts the 1 into the selected argument position. */
#define __opt_placeholder_1 0,
#define __opt_second(ignored, val, ...) val
#define __opt_is_one(junk) __opt_second(junk 1, 0)
#define __opt_paste(val) __opt_is_one(__opt_placeholder_##val)
#define IS_ENABLED(option) __opt_paste(option)

#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))

#endif
