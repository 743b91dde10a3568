/* drivers/tty/console.c: the console as a file for stdin, stdout and stderr of the first processes.
 * Output goes to every kernel console without log prefixes; the tty layer (termios, input) comes later. */
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/printk.h>

static long console_fwrite(struct file *f, const char __user *buf, size_t n)
{
	char chunk[256];
	size_t done = 0;

	while (done < n) {
		size_t k = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
		if (copy_from_user(chunk, buf + done, k))
			return done ? (long)done : -EFAULT;
		console_write(chunk, k);
		done += k;
	}
	return (long)done;
}

static long console_fread(struct file *f, char __user *buf, size_t n)
{
	return 0; /* no input yet: end of file */
}

static unsigned console_poll(struct file *f)
{
	return POLLIN | POLLOUT; /* reads return end of file at once until there is input */
}

static const struct file_ops console_ops = {
	.read = console_fread,
	.write = console_fwrite,
	.poll = console_poll,
	.ifmt = S_IFCHR,
	.rdev = (5 << 8) | 1, /* /dev/console */
};

struct file *console_file_open(void)
{
	return file_alloc(&console_ops, 2 /* O_RDWR */, NULL);
}
