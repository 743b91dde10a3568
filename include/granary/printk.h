/* include/granary/printk.h: kernel logging: printk with levels, the log ring buffer, consoles.
 * Messages go to the ring (read later by dmesg) and to every registered console. */
#ifndef GRANARY_PRINTK_H
#define GRANARY_PRINTK_H

#include <granary/compiler.h>
#include <granary/types.h>

/* Linux-style level prefixes: "\001" followed by the level digit. */
#define KERN_SOH "\001"
#define KERN_EMERG KERN_SOH "0"
#define KERN_ALERT KERN_SOH "1"
#define KERN_CRIT KERN_SOH "2"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"
#define KERN_CONT KERN_SOH "c"

#define LOGLEVEL_DEFAULT 4 /* level of a message without a prefix */

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define pr_emerg(fmt, ...) printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...) printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...) printk(KERN_CONT fmt, ##__VA_ARGS__)

/* Formats like vsnprintf (kernel/lib/vsnprintf.c) and logs one message; returns its length. */
int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);

/* Formatting: %d %i %u %x %X %o %p %s %c %%, sizes hh h l ll z t, flags - 0 + space #,
 * width and precision (also *). Always NUL-terminates when size > 0; returns the
 * length the full output would have had. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* A console: somewhere printk output is shown. write() is called with interrupts off. */
struct console {
	const char *name;
	void (*write)(struct console *con, const char *s, size_t len);
	struct console *next;
};

/* Adds a console and replays the ring buffer onto it, so no early message is lost. */
void console_register(struct console *con);
/* Writes raw bytes (user output) to every console: no level, no timestamp, not logged. */
void console_write(const char *s, size_t len);
/* True if console= on the command line enables the console of this name (all if none given). */
bool console_enabled(const char *name);

/* Reads the record with sequence number *seq (or the oldest still kept) as a
 * "[    1.234567] text\n" line into buf. Returns the line length, 0 when there
 * is no newer record, and advances *seq. */
size_t log_read(u64 *seq, char *buf, size_t size);
/* Like log_read(), with the record's level first as syslog(2) gives it: "<6>[    1.234567] text\n".
 * size must exceed 32 (else nothing is read); LOG_LINE_MAX bytes hold any record. */
size_t log_read_syslog(u64 *seq, char *buf, size_t size);
#define LOG_LINE_MAX 560
/* Sequence number the next record will get. */
u64 log_next_seq(void);

/* Console threshold: messages with a level below it are printed. */
extern int console_loglevel;

/* Called from panic: drop the console lock so that the last words get out. */
void printk_panic_unlock(void);

#endif
