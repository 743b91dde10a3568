/* kernel/random.c: random bytes from RDRAND (when present) mixed with a splitmix64 stream over the TSC.
 * Good enough for AT_RANDOM and stack canaries in user programs; a proper entropy pool comes later. */
#include <granary/cpu.h>
#include <granary/random.h>
#include <granary/spinlock.h>
#include <granary/string.h>

static u64 state;
static int have_rdrand = -1;
static spinlock_t lock = SPINLOCK_INIT;

static bool rdrand(u64 *v)
{
	unsigned char ok;

	for (int tries = 0; tries < 10; tries++) {
		__asm__ __volatile__("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

static u64 next(void)
{
	u64 z, hw = 0;

	if (have_rdrand < 0) {
		u32 a, b, c, d;
		cpuid(1, 0, &a, &b, &c, &d);
		have_rdrand = !!(c & (1u << 30));
	}
	if (have_rdrand)
		rdrand(&hw);
	z = (state += 0x9e3779b97f4a7c15ULL ^ rdtsc());
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) ^ hw;
}

void random_bytes(void *buf, size_t n)
{
	unsigned long flags = spin_lock_irqsave(&lock);
	u8 *p = buf;

	while (n) {
		u64 v = next();
		size_t k = n < 8 ? n : 8;
		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
	spin_unlock_irqrestore(&lock, flags);
}
