/* include/granary/random.h: kernel random bytes for AT_RANDOM, getrandom and address choices.
 * RDRAND when the CPU has it, mixed with the TSC; not a vetted CSPRNG yet. */
#ifndef GRANARY_RANDOM_H
#define GRANARY_RANDOM_H

#include <granary/types.h>

/* Fills buf with n random bytes. */
void random_bytes(void *buf, size_t n);

#endif
