/* userland/tests/poll.c: poll and ppoll on pipes: POLLIN only with data, POLLOUT only with room
 * for PIPE_BUF, POLLHUP when the writers are gone, POLLERR when the readers are, POLLNVAL, fd -1
 * ignored, a wake-up by another process's write, and timeouts honoured.
 * Not about pipe data semantics (pipe.c). */
#include "tap.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll of one descriptor for events with timeout_ms; *revents gets the result. */
static int poll1(int fd, short events, int timeout_ms, short *revents)
{
	struct pollfd pfd = { .fd = fd, .events = events, .revents = 0x7fff };
	int r = poll(&pfd, 1, timeout_ms);

	*revents = pfd.revents;
	return r;
}

/* Child: sleeps 50 ms, then writes one byte to fd. */
static void late_writer(void *arg)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	_exit(write((int)(long)arg, "L", 1) == 1 ? 0 : 1);
}

int main(int argc, char **argv)
{
	static char buf[65536];
	struct pollfd two[3];
	struct timespec ts;
	long long t0, dt;
	short rev;
	int p[2], r, st;
	pid_t pid;

	(void)argc;
	tap_init(argv, 31);
	signal(SIGPIPE, SIG_IGN);
	if (!tap_ok(pipe(p) == 0, "pipe() succeeds"))
		return tap_done() | 1;

	r = poll1(p[0], POLLIN, 0, &rev);
	tap_ok(r == 0 && rev == 0, "an empty pipe's read end is not readable (poll returns %d, "
	       "revents %#x)", r, rev);
	r = poll1(p[1], POLLOUT, 0, &rev);
	tap_ok(r == 1 && rev == POLLOUT, "its write end is writable: exactly POLLOUT (%#x)", rev);
	r = poll1(p[1], POLLIN, 0, &rev);
	tap_ok(r == 0 && rev == 0, "POLLIN is never reported for the write end (%#x)", rev);
	write(p[1], "abc", 3);
	r = poll1(p[0], POLLIN, 0, &rev);
	tap_ok(r == 1 && rev == POLLIN, "after a write the read end is exactly POLLIN (%#x)", rev);
	r = poll1(p[0], POLLOUT, 0, &rev);
	tap_ok(r == 0 && rev == 0, "POLLOUT is never reported for the read end (%#x)", rev);
	two[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	two[1] = (struct pollfd){ .fd = -1, .events = POLLIN, .revents = 0x55 };
	two[2] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	r = poll(two, 3, 0);
	tap_ok(r == 2 && two[0].revents == POLLIN && two[1].revents == 0 &&
		       two[2].revents == POLLOUT,
	       "poll of both ends and an fd of -1: returns 2, and -1's revents is cleared to 0");
	read(p[0], buf, 3);
	r = poll1(p[0], POLLIN, 0, &rev);
	tap_ok(r == 0 && rev == 0, "once drained, the read end is not readable again");

	/* Full pipe: no POLLOUT until PIPE_BUF bytes of room. */
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	while (write(p[1], buf, sizeof(buf)) > 0)
		;
	r = poll1(p[1], POLLOUT, 0, &rev);
	tap_ok(r == 0 && rev == 0, "a full pipe's write end is not writable (%#x)", rev);
	read(p[0], buf, 100);
	r = poll1(p[1], POLLOUT, 0, &rev);
	tap_ok(r == 0 && rev == 0, "nor with 100 bytes of room (less than PIPE_BUF)");
	read(p[0], buf, PIPE_BUF - 100);
	r = poll1(p[1], POLLOUT, 0, &rev);
	tap_ok(r == 1 && rev == POLLOUT, "with PIPE_BUF bytes of room it is writable (%#x)", rev);
	r = poll1(p[0], POLLIN, 0, &rev);
	tap_ok(r == 1 && rev == POLLIN, "and the read end is readable");

	/* Hang-ups. */
	close(p[1]);
	r = poll1(p[0], POLLIN, 0, &rev);
	tap_ok(r == 1 && rev == (POLLIN | POLLHUP),
	       "writer closed with data left: POLLIN | POLLHUP (%#x)", rev);
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	r = poll1(p[0], POLLIN, 0, &rev);
	tap_ok(r == 1 && rev == POLLHUP, "writer closed, drained: exactly POLLHUP (%#x)", rev);
	r = poll1(p[0], 0, 0, &rev);
	tap_ok(r == 1 && rev == POLLHUP, "POLLHUP is reported even with events 0 (%#x)", rev);
	t0 = now_ms();
	r = poll1(p[0], POLLIN, 1000, &rev);
	tap_ok(r == 1 && now_ms() - t0 < 500, "a poll with a timeout returns at once on a hang-up");
	close(p[0]);

	pipe(p);
	close(p[0]);
	r = poll1(p[1], POLLOUT, 0, &rev);
	tap_ok(r == 1 && (rev & POLLERR) && !(rev & (POLLIN | POLLHUP)),
	       "reader closed: the write end reports POLLERR (%#x)", rev);
	r = poll1(p[1], 0, 0, &rev);
	tap_ok(r == 1 && (rev & POLLERR), "POLLERR is reported even with events 0 (%#x)", rev);
	TAP_ERRNO(write(p[1], "x", 1), EPIPE, "and a write there fails with EPIPE");
	close(p[1]);

	/* Bad descriptors. */
	r = poll1(p[1], POLLIN, 0, &rev);
	tap_ok(r == 1 && rev == POLLNVAL, "a closed descriptor: POLLNVAL, counted (%#x)", rev);
	r = poll1(p[1], POLLIN, -1, &rev);
	tap_ok(r == 1 && rev == POLLNVAL, "... even with an infinite timeout");
	TAP_ERRNO(poll((struct pollfd *)16, 1, 0), EFAULT, "poll of an unmapped array: EFAULT");

	/* Waiting. */
	pipe(p);
	t0 = now_ms();
	r = poll1(p[0], POLLIN, 50, &rev);
	dt = now_ms() - t0;
	tap_ok(r == 0 && rev == 0, "a 50 ms poll of an empty pipe returns 0 (%d), revents 0", r);
	tap_ok(dt >= 50 && dt < 5000, "... after at least 50 ms (%lld ms)", dt);
	t0 = now_ms();
	r = poll(NULL, 0, 30);
	dt = now_ms() - t0;
	tap_ok(r == 0 && dt >= 30 && dt < 5000, "poll of no descriptors sleeps its 30 ms (%lld ms)",
	       dt);
	ts = (struct timespec){ 0, 40 * 1000 * 1000 };
	two[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	t0 = now_ms();
	r = ppoll(two, 1, &ts, NULL);
	dt = now_ms() - t0;
	tap_ok(r == 0 && dt >= 40 && dt < 5000, "a 40 ms ppoll returns 0 after %lld ms", dt);
	ts = (struct timespec){ 0, 1000000000 };
	TAP_ERRNO(ppoll(two, 1, &ts, NULL), EINVAL, "ppoll with tv_nsec 1e9: EINVAL");
	pid = fork();
	if (pid == 0)
		late_writer((void *)(long)p[1]);
	t0 = now_ms();
	r = poll1(p[0], POLLIN, -1, &rev);
	dt = now_ms() - t0;
	tap_ok(r == 1 && rev == POLLIN, "an infinite poll wakes with POLLIN when a child writes");
	tap_ok(dt >= 20, "... after the child's 50 ms sleep (%lld ms)", dt);
	st = -1;
	if (pid > 0)
		waitpid(pid, &st, 0);
	tap_exited_with(st, 0, "the writing child exits 0");
	t0 = now_ms();
	r = poll1(p[0], POLLIN, 5000, &rev);
	tap_ok(r == 1 && rev == POLLIN && now_ms() - t0 < 1000,
	       "a poll with data already there returns at once");
	close(p[0]);
	close(p[1]);
	return tap_done();
}
