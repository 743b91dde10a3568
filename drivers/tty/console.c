/* drivers/tty/console.c: the console as a file for stdin, stdout and stderr of the first processes.
 * Output goes to every console; input from the serial port is edited a line at a time (echo,
 * erase, kill, ^D). Termios, job control and ^C signals come with the tty layer. */
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/printk.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/serial.h>

#define INPUT_SIZE 1024
#define LINE_MAX 256

/* Completed lines waiting to be read, and the line being typed. */
static char input[INPUT_SIZE];
static size_t in_head, in_len;
static char line[LINE_MAX];
static size_t line_len;
static unsigned eofs; /* ^D on an empty line: the next read returns 0 */
static spinlock_t in_lock = SPINLOCK_INIT;
static struct wait_queue readable = WAIT_QUEUE_INIT(readable);

static void echo(const char *s, size_t n)
{
	console_write(s, n);
}

/* Moves the typed line to the input queue (dropping what does not fit). */
static void commit(void)
{
	for (size_t i = 0; i < line_len && in_len < INPUT_SIZE; i++, in_len++)
		input[(in_head + in_len) % INPUT_SIZE] = line[i];
	line_len = 0;
}

/* One received byte, from the serial interrupt: canonical-mode editing. */
static void console_input(char c)
{
	unsigned long irq = spin_lock_irqsave(&in_lock);
	bool wake = false;

	if (c == '\r')
		c = '\n';
	switch (c) {
	case 0x7f: /* DEL */
	case '\b':
		if (line_len) {
			line_len--;
			echo("\b \b", 3);
		}
		break;
	case 0x15: /* ^U: kill the line */
		for (; line_len; line_len--)
			echo("\b \b", 3);
		break;
	case 0x03: /* ^C: no foreground process group to signal yet; drop the line */
		line_len = 0;
		echo("^C\n", 3);
		break;
	case 0x04: /* ^D: end of file on an empty line, else hand the line over as is */
		if (!line_len)
			eofs++;
		commit();
		wake = true;
		break;
	default:
		if (line_len < LINE_MAX - 1 || c == '\n') {
			line[line_len++] = c;
			echo(&c, 1);
		}
		if (c == '\n') {
			commit();
			wake = true;
		}
	}
	spin_unlock_irqrestore(&in_lock, irq);
	if (wake)
		wake_up(&readable);
}

void console_input_init(void)
{
	if (serial_enable_input(console_input))
		pr_warn("console: no serial input\n");
}

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

/* Returns at most one line (canonical mode), or 0 once for each ^D on an empty line. */
static long console_fread(struct file *f, char __user *buf, size_t n)
{
	char chunk[LINE_MAX];
	unsigned long irq;
	size_t k = 0;

	if (!n)
		return 0;
	if (wait_event_interruptible(readable, READ_ONCE(in_len) || READ_ONCE(eofs)))
		return -ERESTARTSYS;
	irq = spin_lock_irqsave(&in_lock);
	while (k < n && k < sizeof(chunk) && in_len) {
		chunk[k] = input[in_head];
		in_head = (in_head + 1) % INPUT_SIZE;
		in_len--;
		if (chunk[k++] == '\n')
			break;
	}
	if (!k && eofs)
		eofs--;
	spin_unlock_irqrestore(&in_lock, irq);
	return copy_to_user(buf, chunk, k) ? -EFAULT : (long)k;
}

static unsigned console_poll(struct file *f)
{
	return (READ_ONCE(in_len) || READ_ONCE(eofs) ? POLLIN : 0) | POLLOUT;
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
