/* mm/account.c: memory accounting groups: each address space charges its resident pages to one.
 * The host group has no limit; a silo's group will have one, and a charge past it fails with -ENOMEM. */
#include <granary/errno.h>
#include <granary/vm.h>

struct mem_group mem_group_host = { .name = "host" };

int mem_charge(struct mem_group *g, u64 pages)
{
	u64 used = __atomic_load_n(&g->used, __ATOMIC_RELAXED), next;

	do {
		next = used + pages;
		if (g->limit && next > g->limit) {
			__atomic_add_fetch(&g->failures, 1, __ATOMIC_RELAXED);
			return -ENOMEM;
		}
	} while (!__atomic_compare_exchange_n(&g->used, &used, next, false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	if (next > g->peak)
		g->peak = next; /* a statistic: a lost race only makes it a little low */
	return 0;
}

void mem_uncharge(struct mem_group *g, u64 pages)
{
	__atomic_sub_fetch(&g->used, pages, __ATOMIC_RELAXED);
}
