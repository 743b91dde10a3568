/* include/granary/silo.h: silos, the containers processes live in. Today there is only the host silo,
 * which every process belongs to; the silo issue adds creation, limits, pledge/unveil and events. */
#ifndef GRANARY_SILO_H
#define GRANARY_SILO_H

#include <granary/types.h>

struct mem_group;

struct silo {
	u32 id;			 /* 0 for the host */
	const char *name;
	struct mem_group *memory; /* where its processes' pages are charged */
};

/* The silo of everything not in a container: no limits, sees all. */
extern struct silo silo_host;

#endif
