/* kernel/sys/sys_uts.c: the host and domain names: sethostname, setdomainname, and what uname reads.
 * uname itself is in sys_proc.c; the release and version strings are kernel/main.c's. */
#include <granary/errno.h>
#include <granary/proc.h>
#include <granary/spinlock.h>
#include <granary/string.h>
#include <granary/syscall.h>
#include <granary/uaccess.h>
#include <granary/uts.h>

static spinlock_t uts_lock = SPINLOCK_INIT;
static char hostname[UTS_NAME_LEN + 1] = "granary";
static char domainname[UTS_NAME_LEN + 1] = "(none)";

void uts_get(char *node, char *domain)
{
	unsigned long irq = spin_lock_irqsave(&uts_lock);

	if (node)
		memcpy(node, hostname, sizeof(hostname));
	if (domain)
		memcpy(domain, domainname, sizeof(domainname));
	spin_unlock_irqrestore(&uts_lock, irq);
}

static int set_name(char *dst, const char *src, size_t len)
{
	unsigned long irq;

	if (len > UTS_NAME_LEN)
		return -EINVAL;
	irq = spin_lock_irqsave(&uts_lock);
	/* Linux keeps the bytes as given (a NUL inside ends the name early) and zeroes the rest. */
	memset(dst, 0, UTS_NAME_LEN + 1);
	memcpy(dst, src, len);
	spin_unlock_irqrestore(&uts_lock, irq);
	return 0;
}

int uts_set_hostname(const char *name, size_t len)
{
	return set_name(hostname, name, len);
}

/* The checks in Linux's order: privilege, then length, then the copy. */
static long set_from_user(char *dst, const char __user *uname, int len)
{
	char tmp[UTS_NAME_LEN];

	if (proc_current()->cred.euid != 0)
		return -EPERM;
	if (len < 0 || len > UTS_NAME_LEN)
		return -EINVAL;
	if (copy_from_user(tmp, uname, (size_t)len))
		return -EFAULT;
	return set_name(dst, tmp, (size_t)len);
}

SYSCALL_DEFINE2(sethostname, const char __user *, name, int, len)
{
	return set_from_user(hostname, name, len);
}

SYSCALL_DEFINE2(setdomainname, const char __user *, name, int, len)
{
	return set_from_user(domainname, name, len);
}
