/* kernel/sys/sys_reboot.c: reboot(2): power off, restart or halt the machine on root's request.
 * Not a shutdown sequence: init stops the processes first; there are no devices to flush yet. */
#include <granary/errno.h>
#include <granary/kernel.h>
#include <granary/proc.h>
#include <granary/syscall.h>
#include <granary/uaccess.h>
#include <uapi/reboot.h>

SYSCALL_DEFINE4(reboot, unsigned, magic1, unsigned, magic2, unsigned, cmd, void __user *, arg)
{
	/* Linux's order: the privilege check comes before the magic, so that an unprivileged
	 * caller learns nothing from the numbers it passes. */
	if (proc_current()->cred.euid != 0)
		return -EPERM;
	if (magic1 != LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A &&
	     magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;

	switch (cmd) {
	case LINUX_REBOOT_CMD_POWER_OFF:
		machine_poweroff(0);
	case LINUX_REBOOT_CMD_RESTART:
	case LINUX_REBOOT_CMD_RESTART2: /* the command string in arg is not used */
		pr_notice("restarting the machine\n");
		machine_reboot();
	case LINUX_REBOOT_CMD_HALT:
		pr_notice("system halted\n");
		machine_halt();
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		/* Ctrl-Alt-Del is not wired to anything: either setting is accepted and changes nothing. */
		return 0;
	default:
		return -EINVAL;
	}
}
