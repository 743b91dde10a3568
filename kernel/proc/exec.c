/* kernel/proc/exec.c: loading a program: #! scripts, static ELF executables and PIEs, the initial stack.
 * Files come straight from the initramfs archive until the VFS exists; segments are copied, not mapped. */
#include <granary/elf.h>
#include <granary/errno.h>
#include <granary/file.h>
#include <granary/kernel.h>
#include <granary/proc.h>
#include <granary/vfs.h>
#include <uapi/fcntl.h>
#include <granary/random.h>
#include <granary/sched.h>
#include <granary/silo.h>
#include <granary/slab.h>
#include <granary/syscall.h>
#include <granary/vmalloc.h>
#include <granary/string.h>
#include <granary/uaccess.h>
#include <granary/vm.h>
#include <uapi/mman.h>
#include <uapi/stat.h>

#define STACK_TOP 0x00007ffffffff000UL
#define STACK_SIZE (8UL << 20)
#define PIE_BASE 0x0000555555554000UL /* where a static PIE is loaded, as Linux does */
#define ARG_MAX (128 * 1024)	      /* bytes of argument and environment strings */
#define SCRIPT_DEPTH 4
#define EXEC_HEAD 4096 /* bytes read to recognise a program and parse its headers */

/* auxv keys */
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_EXECFN 31

static int proc_exec_depth(struct trap_frame *tf, const char *path, char *const argv[],
			   char *const envp[], int depth);

static size_t count_strings(char *const v[], size_t *bytes)
{
	size_t n = 0;

	for (; v && v[n]; n++)
		*bytes += strlen(v[n]) + 1;
	return n;
}

/* Pushes len bytes onto the new user stack at *sp. */
static int push(unsigned long *sp, const void *data, size_t len)
{
	*sp -= len;
	return copy_to_user((void __user *)*sp, data, len);
}

/* Builds argc, argv, envp and the aux vector below STACK_TOP; returns the new stack pointer. */
static long build_stack(const struct process *p, const char *path, char *const argv[],
			char *const envp[], const struct elf_image *img, u64 bias)
{
	size_t bytes = 0, argc = count_strings(argv, &bytes), envc = count_strings(envp, &bytes);
	unsigned long sp = STACK_TOP, execfn, random, strings, env_end, env_start;
	u64 auxv[2 * 16], *ptrs;
	size_t nauxv = 0, nptrs = argc + 1 + envc + 1, total;
	u8 rnd[16];
	int err = 0;

	if (bytes + strlen(path) + 1 > ARG_MAX)
		return -E2BIG;
	random_bytes(rnd, sizeof(rnd));
	err |= push(&sp, rnd, sizeof(rnd));
	random = sp;
	err |= push(&sp, path, strlen(path) + 1);
	execfn = sp;
	env_end = sp;
	/* The strings, envp's last, argv's first, so argv[0] sits lowest. */
	for (size_t i = envc; i-- > 0;)
		err |= push(&sp, envp[i], strlen(envp[i]) + 1);
	env_start = sp;
	for (size_t i = argc; i-- > 0;)
		err |= push(&sp, argv[i], strlen(argv[i]) + 1);
	strings = sp;
	if (err)
		return -EFAULT;

#define AUX(k, v) (auxv[nauxv++] = (k), auxv[nauxv++] = (v))
	AUX(AT_PHDR, img->phdr_vaddr ? img->phdr_vaddr + bias : 0);
	AUX(AT_PHENT, img->phentsize);
	AUX(AT_PHNUM, img->phnum);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_BASE, 0);
	AUX(AT_ENTRY, img->entry + bias);
	AUX(AT_UID, p->cred.uid);
	AUX(AT_EUID, p->cred.euid);
	AUX(AT_GID, p->cred.gid);
	AUX(AT_EGID, p->cred.egid);
	AUX(AT_SECURE, 0);
	AUX(AT_HWCAP, 0);
	AUX(AT_CLKTCK, 100);
	AUX(AT_RANDOM, random);
	AUX(AT_EXECFN, execfn);
	AUX(AT_NULL, 0);
#undef AUX

	/* argc, the pointer arrays and auxv, with the stack 16-byte aligned at argc. */
	total = (1 + nptrs + nauxv) * 8;
	sp = (sp - total) & ~15UL;
	ptrs = (u64 *)sp;
	{
		u64 word = argc, addr = strings;
		err |= copy_to_user(ptrs++, &word, 8);
		for (size_t i = 0; i < argc + envc + 2; i++) {
			u64 v = 0;
			bool is_arg = i < argc, is_env = i > argc && i <= argc + envc;
			if (is_arg || is_env) {
				v = addr;
				addr += strlen(is_arg ? argv[i] : envp[i - argc - 1]) + 1;
			}
			err |= copy_to_user(ptrs++, &v, 8);
		}
		err |= copy_to_user(ptrs, auxv, nauxv * 8);
	}
	if (err)
		return -EFAULT;
	/* For /proc/<pid>/cmdline and environ: build_stack runs on the new mm, loaded. */
	mm_current()->arg_start = strings;
	mm_current()->arg_end = env_start;
	mm_current()->env_start = env_start;
	mm_current()->env_end = env_end;
	mm_current()->start_stack = sp;
	return (long)sp;
}

/* Maps the loadable span, copies the segments in, then applies each segment's protection
 * (a page two segments share gets both protections). The new mm must be loaded. */
static int load_segments(struct mm *mm, const struct elf_image *img, struct inode *file, u64 bias)
{
	unsigned long prev_end = 0;
	unsigned prev_prot = 0;
	long r = vm_mmap(mm, img->lo + bias, img->hi - img->lo, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);

	if (r < 0)
		return (int)r;
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];
		long r = vfs_read_at(file, (void __user *)(s->vaddr + bias), s->filesz, s->offset, true);
		if (r != (long)s->filesz)
			return r < 0 ? (int)r : -EIO;
	}
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];
		unsigned long start = ALIGN_DOWN(s->vaddr + bias, PAGE_SIZE);
		unsigned long end = ALIGN_UP(s->vaddr + bias + s->memsz, PAGE_SIZE);

		if (start < prev_end) {
			vm_mprotect(mm, start, PAGE_SIZE, s->prot | prev_prot);
			start += PAGE_SIZE;
		}
		if (start < end)
			vm_mprotect(mm, start, end - start, s->prot);
		prev_end = end;
		prev_prot = s->prot;
	}
	return 0;
}

static int exec_elf(struct trap_frame *tf, const char *path, struct inode *file, const u8 *head,
		    size_t head_len, char *const argv[], char *const envp[])
{
	struct process *p = proc_current();
	struct mm *old = p->mm, *mm;
	struct elf_image img;
	u64 bias;
	long sp;
	int err = elf_parse_head(head, head_len, file->size, &img);

	if (err)
		return err;
	bias = img.type == ET_DYN ? PIE_BASE - img.lo : 0;
	mm = mm_create(p->silo->memory);
	if (!mm)
		return -ENOMEM;
	/* The process runs on the new address space while it is filled: a read that sleeps (a disk)
	 * comes back to p->mm, so p->mm must be it; the old one is restored if loading fails. */
	p->mm = mm;
	mm_switch(mm);
	err = load_segments(mm, &img, file, bias);
	if (!err) {
		long r = vm_mmap(mm, STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, NULL, 0);
		err = r < 0 ? (int)r : 0;
	}
	sp = err ? err : build_stack(p, path, argv, envp, &img, bias);
	if (sp < 0) {
		p->mm = old;
		mm_switch(old);
		mm_put(mm);
		return (int)sp;
	}

	/* The point of no return: the old program is gone from here on. */
	if (old)
		mm_put(old);
	vm_set_brk_start(mm, img.hi + bias);
	files_close_on_exec(p->files);
	signal_exec(p);
	current_task()->ss_sp = current_task()->ss_size = 0;
	strlcpy(p->exe, path, sizeof(p->exe));
	strlcpy(p->comm, strrchr(path, '/') ? strrchr(path, '/') + 1 : path, sizeof(p->comm));
	current_task()->fs_base = 0;
	memset(tf, 0, sizeof(*tf));
	tf->rip = img.entry + bias;
	tf->rsp = (u64)sp;
	tf->cs = GDT_USER_CS | 3;
	tf->ss = GDT_USER_DS | 3;
	tf->rflags = X86_RFLAGS_IF;
	return 0;
}

/* "#!interpreter [one argument]": runs the interpreter with the script's path as an argument. */
static int exec_script(struct trap_frame *tf, const char *path, const u8 *head, size_t head_len,
		       char *const argv[], char *const envp[], int depth)
{
	char line[128], *interp, *arg = NULL, *newargv[64];
	size_t n = 0, argc = 0;
	int k = 0;

	while (n < head_len - 2 && n < sizeof(line) - 1 && head[n + 2] != '\n') {
		line[n] = (char)head[n + 2];
		n++;
	}
	line[n] = '\0';
	interp = line;
	while (*interp == ' ' || *interp == '\t')
		interp++;
	for (char *c = interp; *c; c++) {
		if (*c == ' ' || *c == '\t') {
			*c++ = '\0';
			while (*c == ' ' || *c == '\t')
				c++;
			arg = *c ? c : NULL;
			break;
		}
	}
	if (!*interp)
		return -ENOEXEC;
	while (argv && argv[argc])
		argc++;
	if (argc + 3 > ARRAY_SIZE(newargv))
		return -E2BIG;
	newargv[k++] = interp;
	if (arg)
		newargv[k++] = arg;
	newargv[k++] = (char *)path;
	for (size_t i = 1; i < argc; i++)
		newargv[k++] = argv[i];
	newargv[k] = NULL;
	return proc_exec_depth(tf, interp, newargv, envp, depth + 1);
}

static int proc_exec_depth(struct trap_frame *tf, const char *path, char *const argv[],
			   char *const envp[], int depth)
{
	struct file *f;
	struct inode *i;
	u8 *head;
	long len;
	int err;

	if (depth > SCRIPT_DEPTH)
		return -ELOOP;
	f = vfs_open(AT_FDCWD, path, O_RDONLY, 0, &err);
	if (!f)
		return err;
	i = f->inode;
	err = -EACCES;
	if (!IS_REG(i) || (f->path.mnt->flags & MS_NOEXEC) || inode_permission(i, MAY_EXEC))
		goto out;
	err = -ENOMEM;
	head = kmalloc(EXEC_HEAD, 0);
	if (!head)
		goto out;
	/* The headers: ELF's program headers must lie in the first EXEC_HEAD bytes. */
	len = vfs_read_at(i, head, EXEC_HEAD, 0, false);
	err = len < 0 ? (int)len : -ENOEXEC;
	if (len >= 2 && head[0] == '#' && head[1] == '!')
		err = exec_script(tf, path, head, (size_t)len, argv, envp, depth);
	else if (len > 0)
		err = exec_elf(tf, path, i, head, (size_t)len, argv, envp);
	if (!err && len > 0 && head[0] != '#') {
		/* /proc/self/exe names the program by its absolute path, whatever path ran it. */
		struct process *p = proc_current();
		if (path_name(&f->path, &p->root, (char *)head, EXEC_HEAD) > 0)
			strlcpy(p->exe, (char *)head, sizeof(p->exe));
	}
	kfree(head);
out:
	file_put(f);
	return err;
}

int proc_exec(struct trap_frame *tf, const char *path, char *const argv[], char *const envp[])
{
	return proc_exec_depth(tf, path, argv, envp, 0);
}

/* Copies a NULL-terminated array of user strings into buf (strings packed from the start,
 * pointers from the end); returns the count, -E2BIG when they do not fit, or -EFAULT. */
static long copy_strings(char *const __user *uv, char *buf, size_t size, char ***out)
{
	size_t used = 0, n = 0, max_ptrs = size / 2 / sizeof(char *);
	char **ptrs = (char **)(buf + size) - max_ptrs;

	for (;; n++) {
		u64 up;
		long len;

		if (!uv)
			break;
		if (copy_from_user(&up, uv + n, sizeof(up)))
			return -EFAULT;
		if (!up)
			break;
		if (n + 1 >= max_ptrs || used >= size / 2)
			return -E2BIG;
		len = strncpy_from_user(buf + used, (const char __user *)up, size / 2 - used);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return len;
		ptrs[n] = buf + used;
		used += len + 1;
	}
	ptrs[n] = NULL;
	*out = ptrs;
	return (long)n;
}

SYSCALL_DEFINE3(execve, const char __user *, upath, char *const __user *, uargv, char *const __user *, uenvp)
{
	struct process *p = proc_current();
	char *path = kmalloc(4096, 0), *abuf = vmalloc(2 * ARG_MAX), *ebuf = vmalloc(2 * ARG_MAX);
	char **argv, **envp;
	long r = -ENOMEM;

	if (!path || !abuf || !ebuf)
		goto out;
	r = strncpy_from_user(path, upath, 4096);
	if (r < 0)
		goto out;
	r = copy_strings(uargv, abuf, 2 * ARG_MAX, &argv);
	if (r >= 0)
		r = copy_strings(uenvp, ebuf, 2 * ARG_MAX, &envp);
	if (r < 0)
		goto out;
	r = proc_exec(task_user_frame(current_task()), path, argv, envp);
	if (!r) {
		p->vfork_done = true;
		wake_up(&p->vfork_wait);
	}
out:
	kfree(path);
	vfree(abuf);
	vfree(ebuf);
	return r;
}
