/* userland/tests/hello.c: the first user program: write(2) on the console descriptors.
 * Its exit status (0 after all passed) is checked by the runner; fork_wait checks others. */
#include "tap.h"

#include <fcntl.h>
#include <sys/uio.h>

int main(int argc, char **argv)
{
	static const char msg[] = "# hello from user space\n";
	char buf[4];
	struct iovec iov[3] = {
		{ .iov_base = "# three ", .iov_len = 8 },
		{ .iov_base = "", .iov_len = 0 },
		{ .iov_base = "pieces\n", .iov_len = 7 },
	};

	(void)argc;
	tap_init(argv, 9);
	TAP_EQ(write(1, msg, sizeof(msg) - 1), sizeof(msg) - 1, "write(1) returns the byte count");
	TAP_EQ(write(1, msg, 0), 0, "write of 0 bytes returns 0");
	TAP_EQ(write(2, "# on stderr\n", 12), 12, "write(2) to stderr returns the byte count");
	TAP_EQ(writev(1, iov, 3), 15, "writev(1) of three pieces returns their total");
	TAP_SYS(fcntl(0, F_GETFD), "fd 0 (stdin) is open at start");
	TAP_ERRNO(write(-1, msg, 1), EBADF, "write to fd -1 fails with EBADF");
	TAP_ERRNO(write(1000, msg, 1), EBADF, "write to an unopened fd fails with EBADF");
	TAP_ERRNO(read(1000, buf, 1), EBADF, "read from an unopened fd fails with EBADF");
	TAP_ERRNO(close(1000), EBADF, "close of an unopened fd fails with EBADF");
	return tap_done();
}
