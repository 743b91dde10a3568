/* userland/tests/mem.c: brk, mmap, munmap and mprotect from user space: zero fill, faults on
 * unmapped and protected pages (seen as a child's SIGSEGV), argument errors, private copies
 * and shared pages across fork, and a deep stack. brk is called raw: musl's brk() refuses. */
#include "tap.h"

#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PG 4096UL

static uintptr_t sys_brk(uintptr_t addr)
{
	return (uintptr_t)syscall(SYS_brk, addr);
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void touch_write(void *arg)
{
	*(volatile char *)arg = 1;
}

static void touch_read(void *arg)
{
	(void)*(volatile char *)arg;
}

/* Uses about 256 KiB of stack through recursion the compiler cannot flatten. */
static int deep(int depth)
{
	volatile char frame[1024];

	frame[0] = (char)depth;
	frame[sizeof(frame) - 1] = (char)depth;
	if (depth == 0)
		return frame[0];
	return deep(depth - 1) + frame[sizeof(frame) - 1] - (char)depth;
}

static void deep_stack(void *arg)
{
	(void)arg;
	_exit(deep(256) == 0 ? 0 : 1);
}

int main(int argc, char **argv)
{
	uintptr_t start, top, end;
	unsigned char *m, *fx;
	volatile unsigned char *shared;
	int st, ok;
	pid_t pid;

	(void)argc;
	tap_init(argv, 31);

	/* brk */
	start = sys_brk(0);
	tap_ok(start != 0 && start != (uintptr_t)-1, "brk(0) returns the current break (%#lx)",
	       (unsigned long)start);
	top = start + 64 * 1024;
	if (TAP_EQ(sys_brk(top), top, "brk(break + 64 KiB) moves the break there")) {
		tap_ok(all_zero((unsigned char *)start, top - start),
		       "the new heap reads as zeros");
		memset((void *)start, 0xa5, top - start);
		TAP_EQ(sys_brk(start), start, "brk(old break) shrinks the heap back");
		end = (start + PG - 1) & ~(PG - 1);
		tap_killed_by(tap_child(touch_write, (void *)(end + 2 * PG)), SIGSEGV,
			      "a page released by shrinking faults (SIGSEGV)");
		sys_brk(top);
		tap_ok(all_zero((unsigned char *)end, top - end),
		       "grown again, the released pages are zero");
		sys_brk(start);
	} else {
		tap_blocked("the new heap reads as zeros");
		tap_blocked("brk(old break) shrinks the heap back");
		tap_blocked("a page released by shrinking faults (SIGSEGV)");
		tap_blocked("grown again, the released pages are zero");
	}
	TAP_EQ(sys_brk(PG), start,
	       "brk below the heap's start fails: it returns the unchanged break");

	/* mmap, munmap, mprotect */
	m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!tap_ok(m != MAP_FAILED, "mmap of 4 anonymous pages succeeds")) {
		tap_diag("mmap: %s", strerror(errno));
		return tap_done() | 1;
	}
	tap_ok(((uintptr_t)m & (PG - 1)) == 0, "the mapping is page-aligned (%p)", (void *)m);
	tap_ok(all_zero(m, 4 * PG), "it reads as zeros");
	memset(m, 0x5a, 4 * PG);
	tap_ok(m[0] == 0x5a && m[4 * PG - 1] == 0x5a, "it is writable");
	TAP_EQ(munmap(m + PG, PG), 0, "munmap of the second page succeeds");
	tap_killed_by(tap_child(touch_read, m + PG), SIGSEGV,
		      "reading the unmapped page faults (SIGSEGV)");
	tap_ok(m[0] == 0x5a && m[2 * PG] == 0x5a, "the pages on either side are still there");
	TAP_EQ(mprotect(m, PG, PROT_READ), 0, "mprotect(PROT_READ) succeeds");
	tap_killed_by(tap_child(touch_write, m), SIGSEGV,
		      "writing a read-only page faults (SIGSEGV)");
	tap_ok(m[0] == 0x5a, "the read-only page still reads");
	TAP_EQ(mprotect(m, PG, PROT_NONE), 0, "mprotect(PROT_NONE) succeeds");
	tap_killed_by(tap_child(touch_read, m), SIGSEGV,
		      "reading a PROT_NONE page faults (SIGSEGV)");
	mprotect(m, PG, PROT_READ | PROT_WRITE);
	m[0] = 1;
	tap_ok(m[0] == 1, "mprotect back to read-write makes the page writable again");

	fx = mmap(m + 2 * PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		  -1, 0);
	tap_ok(fx == m + 2 * PG && all_zero(fx, PG),
	       "MAP_FIXED replaces a page with a fresh zero page");

	TAP_ERRNO(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL,
		  "mmap of length 0: EINVAL");
	TAP_ERRNO(mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL,
		  "mmap neither shared nor private: EINVAL");
	TAP_ERRNO(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0), EBADF,
		  "mmap of fd -1 without MAP_ANONYMOUS: EBADF");
	TAP_ERRNO(munmap(m + 1, PG), EINVAL, "munmap of an unaligned address: EINVAL");
	/* musl's mprotect() aligns the address down itself, so this one goes in raw. */
	TAP_ERRNO(syscall(SYS_mprotect, m + 1, PG, PROT_READ), EINVAL,
		  "mprotect of an unaligned address: EINVAL");
	TAP_ERRNO(mmap(NULL, 1UL << 47, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
		  ENOMEM, "mmap of 128 TiB: ENOMEM");

	/* Across fork: private pages are copied, shared ones are not. */
	m[0] = 'P';
	pid = fork();
	if (pid == 0) {
		int saw = m[0];

		m[0] = 'C';
		_exit(saw == 'P' ? 0 : 1);
	}
	st = pid > 0 && waitpid(pid, &st, 0) == pid ? st : -1;
	tap_ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && m[0] == 'P',
	       "a private page is copied on fork: the child's write stays in the child");
	shared = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared != MAP_FAILED) {
		shared[0] = 'P';
		pid = fork();
		if (pid == 0) {
			shared[0] = 'C';
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, &st, 0);
		tap_ok(pid > 0 && shared[0] == 'C',
		       "a MAP_SHARED page is shared: the parent sees the child's write");
	} else {
		tap_blocked("a MAP_SHARED page is shared: the parent sees the child's write");
	}

	m = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok = m != MAP_FAILED;
	for (size_t off = 0; ok && off < (16 << 20); off += PG)
		m[off] = (unsigned char)(off >> 12);
	for (size_t off = 0; ok && off < (16 << 20); off += PG)
		ok = m[off] == (unsigned char)(off >> 12);
	tap_ok(ok && munmap(m, 16 << 20) == 0,
	       "16 MiB mapped, every page written and read back, unmapped");
	tap_exited_with(tap_child(deep_stack, NULL), 0, "256 KiB of stack can be used");
	return tap_done();
}
