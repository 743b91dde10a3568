/* userland/tests/pipe.c: pipes: bytes in order, partial reads, EOF, EPIPE with SIGPIPE, blocking
 * and non-blocking ends, a transfer between processes larger than the pipe, dup2 and close, the
 * capacity (65536), and PIPE_BUF atomicity. poll on pipes is in poll.c. */
#include "tap.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <time.h>

#define XFER (1024 * 1024)
#define WRITERS 4
#define BLOCKS 64
#define CAPACITY_CHECKS 6

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 12));
}

/* Child: writes XFER bytes in odd-sized pieces to fd, then exits. */
static void writer(void *arg)
{
	int fd = (int)(long)arg;
	unsigned char buf[3001];
	size_t done = 0;

	while (done < XFER) {
		size_t n = XFER - done < sizeof(buf) ? XFER - done : sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(done + i);
		for (size_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, n - off);

			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		done += n;
	}
	_exit(0);
}

/* Child: sleeps 50 ms, then writes one byte to fd. */
static void late_writer(void *arg)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	_exit(write((int)(long)arg, "L", 1) == 1 ? 0 : 1);
}

/* Child: writes BLOCKS blocks of PIPE_BUF bytes of its letter to fd. */
static void block_writer(void *arg)
{
	char buf[PIPE_BUF];
	long a = (long)arg;

	memset(buf, 'A' + (int)(a >> 8), sizeof(buf));
	for (int i = 0; i < BLOCKS; i++)
		if (write((int)(a & 0xff), buf, sizeof(buf)) != sizeof(buf))
			_exit(1);
	_exit(0);
}

/*
 * Writers of at most PIPE_BUF bytes are never interleaved: WRITERS children write BLOCKS blocks
 * of PIPE_BUF bytes each at once; every PIPE_BUF-aligned block read is one child's letter.
 */
static void check_atomic(void)
{
	static char buf[PIPE_BUF];
	int p[2], per[WRITERS] = { 0 }, mixed = 0, blocks = 0, exits = 0, whole = 0, st;
	pid_t pids[WRITERS];

	pipe(p);
	for (int i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(p[0]);
			block_writer((void *)(long)(i << 8 | p[1]));
		}
	}
	close(p[1]);
	for (;;) {
		size_t got = 0;
		ssize_t n = 0;

		while (got < sizeof(buf) && (n = read(p[0], buf + got, sizeof(buf) - got)) > 0)
			got += (size_t)n;
		if (got == 0)
			break;
		blocks++;
		if (got != sizeof(buf) || buf[0] < 'A' || buf[0] >= 'A' + WRITERS) {
			mixed++;
			continue;
		}
		per[buf[0] - 'A']++;
		for (size_t i = 1; i < got; i++)
			if (buf[i] != buf[0]) {
				mixed++;
				break;
			}
	}
	close(p[0]);
	for (int i = 0; i < WRITERS; i++)
		exits += pids[i] > 0 && waitpid(pids[i], &st, 0) == pids[i] && st == 0;
	TAP_EQ(exits, WRITERS,
	       "%d children each write %d blocks of PIPE_BUF (4096) bytes and exit 0", WRITERS,
	       BLOCKS);
	TAP_EQ(blocks, WRITERS * BLOCKS, "the reader gets %d blocks", WRITERS * BLOCKS);
	TAP_EQ(mixed, 0, "no block mixes two writers' bytes: writes of PIPE_BUF are atomic");
	for (int i = 0; i < WRITERS; i++)
		whole += per[i] == BLOCKS;
	TAP_EQ(whole, WRITERS, "each writer's %d blocks all arrive", BLOCKS);
}

/*
 * q: a full non-blocking pipe holding got bytes. The capacity is what F_GETPIPE_SZ says where
 * the kernel has it, else Linux's default of 65536; then the PIPE_BUF rule on a nearly full pipe.
 */
static void check_capacity(int *q, size_t got, unsigned char *buf)
{
	int sz = fcntl(q[1], F_GETPIPE_SZ);
	size_t want = sz > 0 ? (size_t)sz : 65536;

	TAP_EQ(got, want, "the pipe holds exactly %zu bytes (F_GETPIPE_SZ %d)", want, sz);
	TAP_ERRNO(write(q[1], "x", 1), EAGAIN, "a 1-byte write to the full pipe: EAGAIN");
	TAP_EQ(read(q[0], buf, 100), 100, "read 100 bytes out of it");
	TAP_ERRNO(write(q[1], buf, PIPE_BUF), EAGAIN,
		  "a non-blocking write of PIPE_BUF with less room is not split: EAGAIN");
	TAP_EQ(read(q[0], buf, PIPE_BUF - 100), PIPE_BUF - 100, "read 3996 more");
	TAP_EQ(write(q[1], buf, PIPE_BUF), PIPE_BUF, "a write of PIPE_BUF then fits whole");
}

/* Child: writes to a pipe nobody reads, with SIGPIPE at its default action. */
static void write_to_broken(void *arg)
{
	int *p = arg;

	signal(SIGPIPE, SIG_DFL);
	write(p[1], "x", 1);
	_exit(0);
}

int main(int argc, char **argv)
{
	int p[2], q[2], st, ok, fl;
	char buf[64];
	unsigned char *in;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	(void)argc;
	tap_init(argv, 35);
	if (!tap_ok(pipe(p) == 0, "pipe() succeeds")) {
		tap_diag("pipe: %s", strerror(errno));
		return tap_done() | 1;
	}
	tap_ok(p[0] > 2 && p[1] > 2 && p[0] != p[1], "it returns two new descriptors (%d, %d)",
	       p[0], p[1]);
	TAP_EQ(write(p[1], "hello", 5), 5, "write of 5 bytes returns 5");
	TAP_EQ(read(p[0], buf, 2), 2, "a read of 2 returns 2");
	TAP_EQ(read(p[0], buf + 2, sizeof(buf)), 3, "a larger read returns only the 3 bytes left");
	tap_ok(!memcmp(buf, "hello", 5), "the bytes come out in order");
	TAP_ERRNO(write(p[0], "x", 1), EBADF, "writing to the read end: EBADF");
	TAP_ERRNO(read(p[1], buf, 1), EBADF, "reading from the write end: EBADF");
	TAP_EQ(dup2(p[1], 20), 20, "dup2(write end, 20) returns 20");
	TAP_EQ(write(20, "dup", 3), 3, "a write through the duplicate goes into the pipe");
	TAP_EQ(close(20), 0, "closing the duplicate succeeds");
	TAP_ERRNO(close(20), EBADF, "closing it again: EBADF");
	TAP_EQ(read(p[0], buf, sizeof(buf)), 3, "the reader gets the duplicate's 3 bytes");
	close(p[1]);
	TAP_EQ(read(p[0], buf, sizeof(buf)), 0,
	       "read returns 0 (EOF) once every write end is closed");
	close(p[0]);

	/* A write with no reader: EPIPE, and SIGPIPE to the writer. */
	pipe(p);
	close(p[0]);
	signal(SIGPIPE, on_sigpipe);
	TAP_ERRNO(write(p[1], "x", 1), EPIPE, "a write with no reader fails with EPIPE");
	TAP_EQ(sigpipes, 1, "... and raises SIGPIPE once");
	signal(SIGPIPE, SIG_IGN);
	TAP_ERRNO(write(p[1], "x", 1), EPIPE,
		  "with SIGPIPE ignored, the write still fails with EPIPE");
	tap_killed_by(tap_child(write_to_broken, p), SIGPIPE,
		      "with SIGPIPE at default, the writer dies of it");
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);

	/* A megabyte through a pipe between processes: the writer blocks while the pipe is full. */
	pipe(p);
	in = malloc(XFER + 1);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		writer((void *)(long)p[1]);
	}
	close(p[1]);
	while (pid > 0 && got <= XFER && (n = read(p[0], in + got, XFER + 1 - got)) > 0)
		got += (size_t)n;
	ok = got == XFER;
	for (size_t i = 0; ok && i < XFER; i++)
		ok = in[i] == pattern(i);
	tap_ok(ok, "1 MiB from a child arrives complete and in order (%zu bytes)", got);
	st = -1;
	if (pid > 0)
		waitpid(pid, &st, 0);
	tap_exited_with(st, 0, "the writing child exits 0");
	close(p[0]);

	/* A read blocks until a writer comes. */
	pipe(p);
	pid = fork();
	if (pid == 0)
		late_writer((void *)(long)p[1]);
	n = pid > 0 ? read(p[0], buf, sizeof(buf)) : -1;
	tap_ok(n == 1 && buf[0] == 'L', "a read waits for the byte a child writes 50 ms later");
	if (pid > 0)
		waitpid(pid, &st, 0);
	close(p[0]);
	close(p[1]);

	check_atomic();

	/* Non-blocking ends. */
	if (tap_ok(pipe2(q, O_NONBLOCK | O_CLOEXEC) == 0,
		   "pipe2(O_NONBLOCK | O_CLOEXEC) succeeds")) {
		TAP_ERRNO(read(q[0], buf, 1), EAGAIN,
			  "a non-blocking read of an empty pipe: EAGAIN");
		memset(in, 'f', 4096);
		got = 0;
		while ((n = write(q[1], in, 4096)) > 0 && got < 16 * XFER)
			got += (size_t)n;
		tap_ok(n == -1 && errno == EAGAIN && got >= 4096,
		       "non-blocking writes fill the pipe, then fail with EAGAIN (%zu bytes held)",
		       got);
		check_capacity(q, got, in);
		fl = fcntl(q[0], F_GETFD);
		tap_ok(fl != -1 && (fl & FD_CLOEXEC), "O_CLOEXEC shows as FD_CLOEXEC");
		close(q[0]);
		close(q[1]);
	} else {
		tap_blocked("a non-blocking read of an empty pipe: EAGAIN");
		tap_blocked("non-blocking writes fill the pipe, then fail with EAGAIN");
		for (int i = 0; i < CAPACITY_CHECKS; i++)
			tap_blocked("the pipe's capacity");
		tap_blocked("O_CLOEXEC shows as FD_CLOEXEC");
	}
	return tap_done();
}
