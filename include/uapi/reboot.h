/* include/uapi/reboot.h: reboot(2)'s magic numbers and commands, with Linux's values.
 * Only the constants; kernel/sys/sys_reboot.c says what each command does on Granary. */
#ifndef UAPI_REBOOT_H
#define UAPI_REBOOT_H

/* The first argument must be MAGIC1, the second any of MAGIC2*, so that a stray call with
 * garbage arguments cannot end the machine. */
#define LINUX_REBOOT_MAGIC1 0xfee1deadu
#define LINUX_REBOOT_MAGIC2 672274793u
#define LINUX_REBOOT_MAGIC2A 85072278u
#define LINUX_REBOOT_MAGIC2B 369367448u
#define LINUX_REBOOT_MAGIC2C 537993216u

#define LINUX_REBOOT_CMD_RESTART 0x01234567u
#define LINUX_REBOOT_CMD_HALT 0xcdef0123u
#define LINUX_REBOOT_CMD_CAD_ON 0x89abcdefu
#define LINUX_REBOOT_CMD_CAD_OFF 0x00000000u
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedcu
#define LINUX_REBOOT_CMD_RESTART2 0xa1b2c3d4u

#endif
