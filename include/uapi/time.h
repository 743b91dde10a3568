/* include/uapi/time.h: struct timespec as Linux x86_64 lays it out (two 64-bit fields).
 * Shared by every call that takes or returns a time. */
#ifndef UAPI_TIME_H
#define UAPI_TIME_H

#include <granary/types.h>

struct k_timespec {
	s64 sec, nsec;
};

#endif
