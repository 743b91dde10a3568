/* include/granary/types.h: fixed-width integer types and basic kernel typedefs.
 * Built on the compiler's freestanding headers, so host unit tests can include it too. */
#ifndef GRANARY_TYPES_H
#define GRANARY_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

typedef u64 phys_addr_t;
typedef long ssize_t;

#endif
