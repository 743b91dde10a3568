/* kernel/sys/sys_syslog.c: syslog(2) (klogctl), Linux's interface to the kernel log ring, for dmesg.
 * The ring itself is kernel/printk.c; this file only keeps the syslog readers' positions. */
#include <granary/errno.h>
#include <granary/printk.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/slab.h>
#include <granary/syscall.h>
#include <granary/time.h>
#include <granary/uaccess.h>

#define SYSLOG_ACTION_CLOSE 0
#define SYSLOG_ACTION_OPEN 1
#define SYSLOG_ACTION_READ 2
#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_READ_CLEAR 4
#define SYSLOG_ACTION_CLEAR 5
#define SYSLOG_ACTION_CONSOLE_OFF 6
#define SYSLOG_ACTION_CONSOLE_ON 7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD 9
#define SYSLOG_ACTION_SIZE_BUFFER 10

#define CONSOLE_LEVEL_MIN 1

/* The one destructive reader (action 2): the next record and how much of it went out already. */
static u64 syslog_seq;
static size_t syslog_partial;
/* Where actions 3 and 4 start: records before it were cleared (actions 4 and 5). */
static u64 clear_seq;
/* The level to restore on CONSOLE_ON after CONSOLE_OFF, or -1. */
static int saved_console_level = -1;

/* Linux with dmesg_restrict = 0: anyone may read all and ask the size; the rest needs
 * CAP_SYSLOG, which is root here. */
static bool allowed(int type)
{
	if (type == SYSLOG_ACTION_READ_ALL || type == SYSLOG_ACTION_SIZE_BUFFER)
		return true;
	return proc_current()->cred.euid == 0;
}

/* Formatted bytes of the records from *seq to end; *seq moves up to the oldest record still
 * kept if older ones were overwritten. */
static size_t bytes_from(u64 *seq, u64 end, char *line)
{
	u64 s = *seq;
	size_t total = 0, n;

	while (s < end && (n = log_read_syslog(&s, line, LOG_LINE_MAX))) {
		if (!total)
			*seq = s - 1;
		total += n;
	}
	return total;
}

/* Actions 3 and 4: the newest whole records that fit in len bytes, oldest first. */
static long read_all(char __user *ubuf, int len, bool clear)
{
	u64 end = log_next_seq(), seq = clear_seq, s;
	size_t total, copied = 0, n;
	char *line;
	long ret = 0;

	if (!ubuf || len < 0)
		return -EINVAL;
	if (!len)
		return 0;
	line = kmalloc(LOG_LINE_MAX, 0);
	if (!line)
		return -ENOMEM;
	total = bytes_from(&seq, end, line);
	/* Drop the oldest records until the rest fits. */
	while (total > (size_t)len && seq < end) {
		s = seq;
		n = log_read_syslog(&s, line, LOG_LINE_MAX);
		if (!n)
			break;
		total = total > n ? total - n : 0;
		seq = s;
	}
	while (seq < end) {
		s = seq;
		n = log_read_syslog(&s, line, LOG_LINE_MAX);
		if (!n || copied + n > (size_t)len)
			break;
		if (copy_to_user(ubuf + copied, line, n)) {
			ret = -EFAULT;
			goto out;
		}
		copied += n;
		seq = s;
	}
	if (clear)
		clear_seq = end;
	ret = (long)copied;
out:
	kfree(line);
	return ret;
}

/* Action 2: waits for unread records, then returns as many bytes as fit, consuming them. */
static long read_consume(char __user *ubuf, int len)
{
	size_t copied = 0, n;
	char *line;
	long ret = 0;

	if (!ubuf || len < 0)
		return -EINVAL;
	if (!len)
		return 0;
	/* printk may run in any context, so it wakes no one: poll the ring once a tick. */
	while (READ_ONCE(syslog_seq) >= log_next_seq()) {
		if (signal_pending())
			return -ERESTARTSYS;
		current_task()->state = TASK_INTERRUPTIBLE;
		schedule_until(time_ticks() + 1);
		current_task()->state = TASK_RUNNING;
	}
	line = kmalloc(LOG_LINE_MAX, 0);
	if (!line)
		return -ENOMEM;
	while (copied < (size_t)len) {
		u64 s = syslog_seq;
		size_t take;

		n = log_read_syslog(&s, line, LOG_LINE_MAX);
		if (!n)
			break;
		if (s - 1 != syslog_seq)
			syslog_partial = 0; /* the record being read was overwritten */
		take = min(n - syslog_partial, (size_t)len - copied);
		if (copy_to_user(ubuf + copied, line + syslog_partial, take)) {
			ret = copied ? 0 : -EFAULT;
			break;
		}
		copied += take;
		if (syslog_partial + take == n) {
			syslog_seq = s;
			syslog_partial = 0;
		} else {
			syslog_seq = s - 1;
			syslog_partial += take;
		}
	}
	kfree(line);
	return ret ? ret : (long)copied;
}

/* Action 9: bytes action 2 would return now. */
static long size_unread(void)
{
	char *line = kmalloc(LOG_LINE_MAX, 0);
	u64 seq = syslog_seq;
	size_t total;

	if (!line)
		return -ENOMEM;
	total = bytes_from(&seq, log_next_seq(), line);
	if (seq == syslog_seq && total >= syslog_partial)
		total -= syslog_partial;
	kfree(line);
	return (long)total;
}

SYSCALL_DEFINE3(syslog, int, type, char __user *, buf, int, len)
{
	if (!allowed(type))
		return -EPERM;
	switch (type) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN:
		return 0;
	case SYSLOG_ACTION_READ:
		return read_consume(buf, len);
	case SYSLOG_ACTION_READ_ALL:
		return read_all(buf, len, false);
	case SYSLOG_ACTION_READ_CLEAR:
		return read_all(buf, len, true);
	case SYSLOG_ACTION_CLEAR:
		clear_seq = log_next_seq();
		return 0;
	case SYSLOG_ACTION_CONSOLE_OFF:
		if (saved_console_level < 0)
			saved_console_level = console_loglevel;
		console_loglevel = CONSOLE_LEVEL_MIN;
		return 0;
	case SYSLOG_ACTION_CONSOLE_ON:
		if (saved_console_level >= 0) {
			console_loglevel = saved_console_level;
			saved_console_level = -1;
		}
		return 0;
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		if (len < 1 || len > 8)
			return -EINVAL;
		console_loglevel = len;
		saved_console_level = -1; /* an explicit level ends CONSOLE_OFF */
		return 0;
	case SYSLOG_ACTION_SIZE_UNREAD:
		return size_unread();
	case SYSLOG_ACTION_SIZE_BUFFER:
		return 1L << CONFIG_LOG_BUF_SHIFT;
	default:
		return -EINVAL;
	}
}
