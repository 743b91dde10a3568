/* include/granary/uaccess.h: the only way the kernel reads or writes user memory.
 * Every range is checked against the user half; a fault inside returns -EFAULT, never an oops. */
#ifndef GRANARY_UACCESS_H
#define GRANARY_UACCESS_H

#include <granary/types.h>

#define __user /* marks pointers into user space (documentation only) */

/* Copies n bytes from user src: 0, or -EFAULT if any byte is outside the user half or unmapped. */
int copy_from_user(void *dst, const void __user *src, size_t n);
/* Copies n bytes to user dst: 0, or -EFAULT. */
int copy_to_user(void __user *dst, const void *src, size_t n);
/* Zeroes n bytes of user memory: 0, or -EFAULT. */
int clear_user(void __user *dst, size_t n);
/* Copies a NUL-terminated string of at most n-1 characters: its length, -ENAMETOOLONG if no
 * NUL came within n bytes, -EFAULT on a bad address. dst is always NUL-terminated when n > 0. */
long strncpy_from_user(char *dst, const char __user *src, long n);
/* True if [p, p + n) lies wholly in the user half (no wrap). */
bool user_range_ok(const void __user *p, size_t n);

#endif
