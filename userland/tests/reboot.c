/* userland/tests/reboot.c: reboot(2)'s refusals: EPERM for a non-root caller, EINVAL for bad magic
 * numbers or an unknown command. Never passes a valid command: this test must not end the machine. */
#include "tap.h"

#include <sys/syscall.h>
#include <uapi/reboot.h>

#define NOBODY 65534
#define BAD_CMD 0xdeadbeefu

static long sys_reboot(unsigned m1, unsigned m2, unsigned cmd)
{
	return syscall(SYS_reboot, m1, m2, cmd, NULL);
}

/* Exits 0 iff a non-root caller gets EPERM even with the right magic and a real command. */
static void as_nobody(void *arg)
{
	(void)arg;
	if (setuid(NOBODY))
		_exit(2);
	errno = 0;
	_exit(sys_reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF) == -1 &&
			      errno == EPERM ?
		      0 :
		      1);
}

int main(int argc, char **argv)
{
	const char *why = NULL;

	(void)argc;
	tap_init(argv, 4);
	tap_exited_with(tap_child(as_nobody, NULL), 0,
			"reboot by uid 65534 fails with EPERM (power-off command, right magic)");

	/* A Linux host may withhold CAP_SYS_BOOT from root (a container): every call is EPERM. */
	errno = 0;
	if (getuid() != 0)
		why = "not running as root";
	else if (sys_reboot(0, LINUX_REBOOT_MAGIC2, BAD_CMD) == -1 && errno == EPERM)
		why = "root lacks CAP_SYS_BOOT here";
	if (why) {
		tap_skip("reboot with a wrong first magic fails with EINVAL", why);
		tap_skip("reboot with a wrong second magic fails with EINVAL", why);
		tap_skip("reboot with an unknown command fails with EINVAL", why);
		return tap_done();
	}
	TAP_ERRNO(sys_reboot(LINUX_REBOOT_MAGIC1 ^ 1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF),
		  EINVAL, "reboot with a wrong first magic fails with EINVAL");
	TAP_ERRNO(sys_reboot(LINUX_REBOOT_MAGIC1, 12345, LINUX_REBOOT_CMD_POWER_OFF), EINVAL,
		  "reboot with a wrong second magic fails with EINVAL");
	TAP_ERRNO(sys_reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2C, BAD_CMD), EINVAL,
		  "reboot with an unknown command fails with EINVAL");
	return tap_done();
}
