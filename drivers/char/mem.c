/* drivers/char/mem.c: the memory devices: /dev/null, zero, full, random, urandom and kmsg (major 1).
 * Each is a file_ops table; kmsg reads the kernel log one record per read and writes to printk. */
#include <granary/device.h>
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/kernel.h>
#include <granary/printk.h>
#include <granary/random.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <uapi/fcntl.h>

#define MEM_MAJOR 1

static long null_read(struct file *f, char __user *buf, size_t n) { return 0; }
static long sink_write(struct file *f, const char __user *buf, size_t n) { return (long)n; }
static long full_write(struct file *f, const char __user *buf, size_t n) { return n ? -ENOSPC : 0; }

static long zero_read(struct file *f, char __user *buf, size_t n)
{
	return clear_user(buf, n) ? -EFAULT : (long)n;
}

static long random_read(struct file *f, char __user *buf, size_t n)
{
	u8 chunk[256];
	size_t done = 0;

	while (done < n) {
		size_t k = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
		random_bytes(chunk, k);
		if (copy_to_user(buf + done, chunk, k))
			return done ? (long)done : -EFAULT;
		done += k;
	}
	return (long)done;
}

static s64 mem_llseek(struct file *f, s64 off, int whence)
{
	f->pos = 0; /* Linux lets these seek and stay at 0 */
	return 0;
}

static unsigned mem_poll(struct file *f) { return POLLIN | POLLOUT; }

/* kmsg: f->pos is the sequence number of the next record to read. */
static long kmsg_read(struct file *f, char __user *buf, size_t n)
{
	char line[512];
	u64 seq = f->pos;
	size_t len = log_read(&seq, line, sizeof(line));

	if (!len)
		return -EAGAIN; /* no newer record (readers do not block yet) */
	if (len > n)
		return -EINVAL; /* as Linux: the buffer must hold a whole record */
	if (copy_to_user(buf, line, len))
		return -EFAULT;
	f->pos = seq;
	return (long)len;
}

static long kmsg_write(struct file *f, const char __user *buf, size_t n)
{
	char line[256];
	size_t k = n < sizeof(line) - 1 ? n : sizeof(line) - 1;

	if (copy_from_user(line, buf, k))
		return -EFAULT;
	line[k] = '\0';
	printk("%s", line);
	return (long)n;
}

#define MEMDEV_LIST(X)                                                  \
	X(3, "null", null_read, sink_write, 0666)                       \
	X(5, "zero", zero_read, sink_write, 0666)                       \
	X(7, "full", zero_read, full_write, 0666)                       \
	X(8, "random", random_read, sink_write, 0666)                   \
	X(9, "urandom", random_read, sink_write, 0666)                  \
	X(11, "kmsg", kmsg_read, kmsg_write, 0644)

#define OPS(minor, name, rd, wr, mode) \
	[minor] = { .read = rd, .write = wr, .llseek = mem_llseek, .poll = mem_poll, .ifmt = S_IFCHR },
static const struct file_ops mem_ops[12] = { MEMDEV_LIST(OPS) };

static int mem_open(struct file *f, dev_t rdev)
{
	u32 minor = MINOR(rdev);

	if (minor >= ARRAY_SIZE(mem_ops) || !mem_ops[minor].read)
		return -ENXIO;
	f->ops = &mem_ops[minor];
	f->pos = 0;
	return 0;
}

#define DEV(mi, nm, rd, wr, md) { .name = nm, .major = MEM_MAJOR, .minor = mi, .count = 1, .mode = md, .open = mem_open },
static struct chrdev mem_devs[] = { MEMDEV_LIST(DEV) };

void mem_devices_init(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(mem_devs); i++)
		chrdev_register(&mem_devs[i]);
}
