/* kernel/module/exports.c: the kernel's exports for modules, as one list. Only what is here (and
 * EXPORT_SYMBOL lines beside definitions elsewhere) can be called from a .ko; everything else is private. */
#include <granary/bcache.h>
#include <granary/blkdev.h>
#include <granary/device.h>
#include <granary/kernel.h>
#include <granary/module.h>
#include <granary/page.h>
#include <granary/printk.h>
#include <granary/proc.h>
#include <granary/sched.h>
#include <granary/slab.h>
#include <granary/string.h>
#include <granary/time.h>
#include <granary/uaccess.h>
#include <granary/vfs.h>
#include <granary/vmalloc.h>
#include <granary/wait.h>

/* Libraries: logging, strings, memory. */
#define EXPORTS_LIB(X)                                                                          \
	X(printk) X(vprintk) X(snprintf) X(vsnprintf) X(memcpy) X(memmove) X(memset) X(memcmp) \
	X(strlen) X(strnlen) X(strcmp) X(strncmp) X(strchr) X(strrchr) X(strlcpy) X(memchr)    \
	X(kstrtou64) X(kstrtos64) X(kmalloc) X(kzalloc) X(kfree) X(vmalloc) X(vfree)           \
	X(page_alloc_va) X(page_free_va) X(copy_to_user) X(copy_from_user) X(clear_user)       \
	X(time_ns) X(time_ticks) X(panic) X(max_pfn)
/* Sleeping and waking. */
#define EXPORTS_SCHED(X) \
	X(wait_queue_init) X(wake_up) X(wake_up_one) X(wait_prepare) X(wait_finish) X(schedule) \
	X(signal_pending) X(current_task) X(schedule_until)
/* What a filesystem plugs into. */
#define EXPORTS_VFS(X)                                                                          \
	X(fs_type_register) X(fs_type_unregister) X(fs_type_query) X(fs_type_addref)            \
	X(fs_type_release) X(vfs_next_option) X(inode_new) X(inode_get) X(inode_put) X(inode_touch)                \
	X(inode_permission) X(inode_stat) X(vfs_now) X(d_make_root) X(d_instantiate) X(d_pin)   \
	X(d_unpin) X(d_drop) X(d_get) X(d_put) X(d_add_pinned) X(dcache_readdir)                \
	X(simple_setattr) X(page_map_get) X(vfs_read_at) X(vfs_write_at) X(vfs_truncate_pages)  \
	X(vfs_free_pages) X(generic_file_read) X(generic_file_write) X(generic_file_llseek) X(chrdev_register) X(chrdev_unregister) X(devfs_add) X(devfs_remove)
/* Block devices. */
#define EXPORTS_BLOCK(X)                                                                        \
	X(blkdev_register) X(blkdev_unregister) X(blkdev_get) X(blkdev_put) X(bcache_read)      \
	X(bcache_get) X(bcache_mark_dirty) X(bcache_release) X(bcache_sync) X(bcache_invalidate) \
	X(vfs_blkdev_from_path)

#define X(sym) EXPORT_SYMBOL(sym);
EXPORTS_LIB(X)
EXPORTS_SCHED(X)
EXPORTS_VFS(X)
#ifdef CONFIG_BLOCK
EXPORTS_BLOCK(X)
#endif
#undef X
