/* userland/tests/pipe.c: pipes: bytes in order, partial reads, EOF, EPIPE with SIGPIPE, blocking
 * and non-blocking ends, a transfer between processes larger than the pipe, dup2 and close. */
#include "tap.h"

#include <fcntl.h>
#include <signal.h>
#include <time.h>

#define XFER (1024 * 1024)

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
	tap_init(argv, 25);
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
		fl = fcntl(q[0], F_GETFD);
		tap_ok(fl != -1 && (fl & FD_CLOEXEC), "O_CLOEXEC shows as FD_CLOEXEC");
		close(q[0]);
		close(q[1]);
	} else {
		tap_blocked("a non-blocking read of an empty pipe: EAGAIN");
		tap_blocked("non-blocking writes fill the pipe, then fail with EAGAIN");
		tap_blocked("O_CLOEXEC shows as FD_CLOEXEC");
	}
	return tap_done();
}
