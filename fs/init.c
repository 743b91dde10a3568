/* fs/init.c: bringing up the VFS at boot: the built-in filesystems, the tmpfs root and the initramfs
 * unpacked into it. Mounting /proc and /dev is init's business, as on Linux. */
#include <granary/bootinfo.h>
#include <granary/errno.h>
#include <granary/paging.h>
#include <granary/kernel.h>
#include <granary/printk.h>
#include <granary/string.h>
#include <granary/vfs.h>

void vfs_init(void)
{
	struct path root;
	int err;

	if (tmpfs_register() || devfs_register() || procfs_register())
		panic("vfs: cannot register the built-in filesystems");
	mem_devices_init();
	err = vfs_mount_root("tmpfs", "mode=755");
	if (err)
		panic("vfs: cannot mount the tmpfs root (error %d)", err);
	vfs_root(&root);
	for (unsigned i = 0; i < bootinfo.module_count; i++) {
		const struct boot_module *m = &bootinfo.modules[i];
		if (strcmp(m->name, "initramfs"))
			continue;
		/* A corrupt archive leaves what was unpacked before the fault; init may still run. */
		initramfs_unpack(phys_to_virt(m->start), m->end - m->start, &root);
	}
	path_put(&root);
}
