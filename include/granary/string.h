/* include/granary/string.h: the kernel's freestanding string and memory functions.
 * In kernel/lib/string.c (and parse.c for numbers and globs); the compiler may also emit calls to the mem* ones. */
#ifndef GRANARY_STRING_H
#define GRANARY_STRING_H

#include <granary/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
void *memchr(const void *s, int c, size_t n);
/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

/* Parses an unsigned number in base 10, or 16 with 0x, or 8 with a leading 0.
 * Returns 0, or -EINVAL if s is empty or has trailing garbage, -ERANGE on overflow. */
int kstrtou64(const char *s, u64 *out);
int kstrtos64(const char *s, s64 *out);

/* Shell-style glob match of '*' and '?' over the whole string. */
bool glob_match(const char *pattern, const char *s);

#endif
