/* include/uapi/module.h: the native module calls' arguments and results (numbers 1700-1703).
 * Shared by the kernel's loader and libgranary's module_* calls and tools. */
#ifndef UAPI_MODULE_H
#define UAPI_MODULE_H

#include <granary/types.h>

/* module_load(how, src, len, params, errbuf, errlen): src is a path (MODULE_LOAD_PATH), a
 * name looked up as /lib/modules/<release>/<name>.ko (MODULE_LOAD_NAME), or len bytes of image
 * (MODULE_LOAD_BUFFER). params is "name=value ..." or NULL. On failure errbuf (if given) gets a
 * message saying what and where ("unknown symbol foo", "section 3: ..."). Returns the id. */
#define MODULE_LOAD_PATH 0
#define MODULE_LOAD_NAME 1
#define MODULE_LOAD_BUFFER 2

/* module_query(id, info, flags): the module with this id, or with MODULE_QUERY_NEXT the first
 * with a larger id (start from 0 to list them all). Returns its id, or -ENOENT. */
#define MODULE_QUERY_NEXT 1

#define MODULE_STATE_LOADING 0
#define MODULE_STATE_LIVE 1
#define MODULE_STATE_GOING 2

struct granary_module_info {
	char name[56];
	char version[32];
	u64 size;     /* bytes of the module area it takes */
	u64 address;  /* where its code starts */
	u32 refcount; /* users: modules, mounts, open devices */
	s32 state;
	s32 id;
	u32 ndeps;
	char deps[8][56]; /* the modules it uses (the first 8) */
};

#endif
