/* tests/host/hosttest.h: what every host unit test shares: cmocka, a seeded PRNG, TAP-friendly stdout.
 * A few static helpers, not a framework; each test_*.c includes it first. */
#ifndef HOSTTEST_H
#define HOSTTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

/* glibc's <sys/cdefs.h> and <granary/compiler.h> both define __always_inline; let the
 * kernel's definition, included after this file, be the only one. */
#undef __always_inline

/* splitmix64: small, fast, and the same sequence on every host and libc. */
static uint64_t rng_state;

static inline uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform enough in [0, n) for test inputs; n must not be 0. */
static inline uint64_t rng_below(uint64_t n)
{
	return rng_next() % n;
}

/* Uniform in [lo, hi]. */
static inline int64_t rng_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)rng_below((uint64_t)(hi - lo) + 1);
}

/* Seeds the PRNG for one random test and prints the seed as a TAP comment, so a
 * failure can be replayed. HOSTTEST_SEED in the environment overrides the fixed seed. */
static inline void rng_seed(uint64_t fixed, const char *test)
{
	const char *env = getenv("HOSTTEST_SEED");

	rng_state = env && *env ? strtoull(env, NULL, 0) : fixed;
	printf("# %s: seed 0x%llx\n", test, (unsigned long long)rng_state);
}

/* Call first in main(): cmocka's failure messages go to stderr, so keep stdout
 * line-buffered for the TAP lines and the messages to stay in order in a pipe. */
static inline void hosttest_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

#endif
