/* mm/uaccess.c: range checks around the user-copy primitives of kernel/arch/x86_64/uaccess.S.
 * The check here keeps kernel addresses out; the exception table turns unmapped user pages into -EFAULT. */
#include <granary/errno.h>
#include <granary/paging.h>
#include <granary/sched.h>
#include <granary/uaccess.h>

size_t uaccess_copy(void *dst, const void *src, size_t n);
size_t uaccess_clear(void *dst, size_t n);
long uaccess_strncpy(char *dst, const char *src, long n);

/* Inside the kernel buffer of the current kernel_read()/kernel_write(), if one is open. */
static bool in_window(unsigned long a, size_t n)
{
	struct task *t = current_task();

	return t && t->uwin_len && a >= t->uwin_start && n <= t->uwin_len &&
	       a - t->uwin_start <= t->uwin_len - n;
}

bool user_range_ok(const void __user *p, size_t n)
{
	unsigned long a = (unsigned long)p;

	return (a < USER_TOP && n <= USER_TOP - a) || in_window(a, n);
}

int copy_from_user(void *dst, const void __user *src, size_t n)
{
	if (!user_range_ok(src, n))
		return -EFAULT;
	return uaccess_copy(dst, src, n) ? -EFAULT : 0;
}

int copy_to_user(void __user *dst, const void *src, size_t n)
{
	if (!user_range_ok(dst, n))
		return -EFAULT;
	return uaccess_copy(dst, src, n) ? -EFAULT : 0;
}

int clear_user(void __user *dst, size_t n)
{
	if (!user_range_ok(dst, n))
		return -EFAULT;
	return uaccess_clear(dst, n) ? -EFAULT : 0;
}

long strncpy_from_user(char *dst, const char __user *src, long n)
{
	unsigned long a = (unsigned long)src;
	long len;

	if (n <= 0)
		return -EINVAL;
	if (a >= USER_TOP)
		return -EFAULT;
	/* Never read past the user half, even when the string would be short. */
	if ((unsigned long)n > USER_TOP - a)
		n = USER_TOP - a;
	len = uaccess_strncpy(dst, src, n);
	if (len < 0)
		return len;
	if (len == n) {
		dst[n - 1] = '\0';
		return -ENAMETOOLONG;
	}
	return len;
}
