/* userland/tests/cwd.c: the working directory: chdir, getcwd, relative paths, inheritance by fork.
 * Uses the test data tree (tap_path() roots it, so the same program runs on the host). */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>

static char want[PATH_MAX];

static void child_cwd(void *arg)
{
	char buf[PATH_MAX];

	(void)arg;
	_exit(getcwd(buf, sizeof(buf)) && !strcmp(buf, want) ? 0 : 1);
}

int main(int argc, char **argv)
{
	char buf[PATH_MAX];
	int fd;

	(void)argc;
	tap_init(argv, 9);
	TAP_SYS(chdir(tap_path("/tests/data")), "chdir into the test data directory");
	strncpy(want, tap_path("/tests/data"), sizeof(want) - 1);
	tap_ok(getcwd(buf, sizeof(buf)) && !strcmp(buf, want), "getcwd names it (%s)", buf);
	fd = open("notelf", O_RDONLY);
	tap_ok(fd >= 0, "a relative open finds a file in it");
	if (fd >= 0)
		close(fd);
	TAP_ERRNO(open("../data/nosuchfile", O_RDONLY), ENOENT, "a relative path through .. to a missing file");
	fd = open("../data/notelf", O_RDONLY);
	tap_ok(fd >= 0, "a relative path through .. to an existing file");
	if (fd >= 0)
		close(fd);
	tap_exited_with(tap_child(child_cwd, NULL), 0, "a child starts in its parent's directory");
	TAP_ERRNO(chdir(tap_path("/tests/data/no/such/dir")), ENOENT, "chdir to a missing directory");
	TAP_ERRNO(chdir(tap_path("/tests/data/notelf")), ENOTDIR, "chdir to a file");
	errno = 0;
	tap_ok(!getcwd(buf, 2) && errno == ERANGE, "getcwd into a buffer too small: ERANGE (%s)",
	       tap_errname(errno));
	return tap_done();
}
