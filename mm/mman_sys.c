/* mm/mman_sys.c: the memory system calls: mmap, munmap, mprotect, brk, on the caller's address space.
 * Argument checking beyond descriptors is vm_*'s job (mm/mmap.c). */
#include <granary/errno.h>
#include <granary/paging.h>
#include <granary/proc.h>
#include <granary/syscall.h>
#include <granary/vm.h>
#include <uapi/mman.h>

SYSCALL_DEFINE6(mmap, unsigned long, addr, unsigned long, len, unsigned, prot, unsigned, flags, int, fd,
		u64, off)
{
	if (!(flags & MAP_ANONYMOUS))
		return -EBADF; /* file mappings arrive with the VFS */
	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	return vm_mmap(proc_current()->mm, addr, len, prot, flags, NULL, 0);
}

SYSCALL_DEFINE2(munmap, unsigned long, addr, unsigned long, len)
{
	return vm_munmap(proc_current()->mm, addr, len);
}

SYSCALL_DEFINE3(mprotect, unsigned long, addr, unsigned long, len, unsigned, prot)
{
	return vm_mprotect(proc_current()->mm, addr, len, prot);
}

SYSCALL_DEFINE1(brk, unsigned long, newbrk)
{
	return (long)vm_brk(proc_current()->mm, newbrk);
}

#define MADV_NORMAL 0
#define MADV_DONTNEED 4
#define MADV_FREE 8

SYSCALL_DEFINE3(madvise, unsigned long, addr, unsigned long, len, int, advice)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
		/* The pages go; the next touch brings zeroed ones (private anonymous memory). */
		return vm_discard(proc_current()->mm, addr, len);
	case MADV_NORMAL:
	case 1: /* MADV_RANDOM */
	case 2: /* MADV_SEQUENTIAL */
	case 3: /* MADV_WILLNEED */
		return 0; /* advice without a mechanism to act on: accepted, as Linux may */
	default:
		return -EINVAL;
	}
}
