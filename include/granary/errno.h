/* include/granary/errno.h: kernel view of error numbers (the uapi values) and pointer-encoded errors.
 * Functions return -Exxx; ERR_PTR() carries one through a pointer return. */
#ifndef GRANARY_ERRNO_H
#define GRANARY_ERRNO_H

#include <uapi/errno.h>

#define MAX_ERRNO 4095

static inline void *ERR_PTR(long err) { return (void *)err; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline int IS_ERR(const void *p) { return (unsigned long)p >= (unsigned long)-MAX_ERRNO; }

#endif
