/* include/granary/object.h: the base every driver and filesystem interface starts with (OSKit COM style).
 * An interface is a struct whose first member points at its ops; the ops begin with query/addref/release. */
#ifndef GRANARY_OBJECT_H
#define GRANARY_OBJECT_H

#include <granary/types.h>

struct module;

/* The three calls every ops table starts with. T is the interface's struct type.
 * query: 0 and *out set (with a reference) if the object offers the interface named iid
 *        ("blkio", "ttystream", "fstype", ...), else -EOPNOTSUPP.
 * addref/release: take and drop a reference; release returns the count left, and the object
 *        is gone when it reaches 0.
 * owner: registries that hand the object out take a reference on its module (module_get), so
 *        a module cannot be unloaded while anything it provides is in use. */
#define OBJECT_OPS(T)                                                   \
	int (*query)(T *self, const char *iid, void **out);             \
	u32 (*addref)(T *self);                                         \
	u32 (*release)(T *self);                                        \
	struct module *owner /* the module whose code these are (THIS_MODULE); NULL built in */

/* Calls through an interface pointer p whose first member is `ops`. */
#define obj_query(p, iid, out) ((p)->ops->query((p), (iid), (out)))
#define obj_addref(p) ((p)->ops->addref(p))
#define obj_release(p) ((p)->ops->release(p))

#endif
