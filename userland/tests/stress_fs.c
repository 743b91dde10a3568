/* userland/tests/stress_fs.c: 8 processes at once each create, write, read back and delete 200
 * files in one scratch directory (tmpfs in Granary); then the directory is empty and free memory
 * is back at its baseline (exactly, in Granary; only reported on Linux, whose free memory moves
 * for other reasons). Not a benchmark: no timing is asserted. */
#include "scratch.h"

#include <stdint.h>
#include <sys/sysinfo.h>

#define PROCS 8
#define FILES 200
#define MAX_SIZE 4096

/* Why a worker failed: its exit status. */
enum { WK_OK, WK_CREATE = 10, WK_WRITE, WK_OPEN, WK_READ, WK_DIFFER, WK_UNLINK, WK_GONE };

static uint32_t next_rand(uint32_t *s)
{
	/* xorshift32: any fixed, cheap sequence does; the seed makes each file's bytes its own */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Fills buf with file (proc, i)'s contents for round r and returns its size (1..MAX_SIZE). */
static size_t contents(int r, int proc, int i, unsigned char *buf)
{
	uint32_t s = (uint32_t)(r * 1000003 + proc * 7919 + i * 31 + 1), w;
	size_t size = 1 + next_rand(&s) % MAX_SIZE;

	for (size_t k = 0; k < size; k += 4) {
		w = next_rand(&s);
		memcpy(buf + k, &w, 4); /* buf has room for the last partial word */
	}
	return size;
}

/* A cheap checksum of 32-bit words (the tail byte by byte). */
static uint32_t checksum(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u, w;
	size_t k = 0;

	for (; k + 4 <= n; k += 4) {
		memcpy(&w, p + k, 4);
		h = (h ^ w) * 16777619u;
	}
	for (; k < n; k++)
		h = (h ^ p[k]) * 16777619u;
	return h;
}

/* One worker process's job; returns its exit status. */
static int worker(int r, int proc)
{
	static unsigned char want[MAX_SIZE + 4], got[MAX_SIZE + 1];
	char name[32];
	size_t size, have;
	ssize_t n;
	int fd;

	for (int i = 0; i < FILES; i++) {
		snprintf(name, sizeof(name), "p%d-f%03d", proc, i);
		size = contents(r, proc, i, want);
		fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return WK_CREATE;
		/* Two writes, so that a file grows across calls. */
		n = write(fd, want, size / 2);
		if (n != (ssize_t)(size / 2) || write(fd, want + size / 2, size - size / 2) !=
							(ssize_t)(size - size / 2))
			return WK_WRITE;
		close(fd);
	}
	for (int i = 0; i < FILES; i++) {
		snprintf(name, sizeof(name), "p%d-f%03d", proc, i);
		size = contents(r, proc, i, want);
		fd = open(name, O_RDONLY);
		if (fd < 0)
			return WK_OPEN;
		have = 0;
		while (have < sizeof(got) && (n = read(fd, got + have, sizeof(got) - have)) > 0)
			have += (size_t)n;
		close(fd);
		if (have != size)
			return WK_READ;
		if (checksum(got, have) != checksum(want, size) || memcmp(got, want, size))
			return WK_DIFFER;
	}
	for (int i = 0; i < FILES; i++) {
		struct stat st;

		snprintf(name, sizeof(name), "p%d-f%03d", proc, i);
		if (unlink(name))
			return WK_UNLINK;
		if (stat(name, &st) == 0 || errno != ENOENT)
			return WK_GONE;
	}
	return WK_OK;
}

/* Runs PROCS workers at once for round r; st[] gets their wait statuses (-1 if lost). */
static void round_of(int r, int *st)
{
	pid_t pids[PROCS];

	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		if (pids[p] == 0)
			_exit(worker(r, p));
	}
	for (int p = 0; p < PROCS; p++) {
		st[p] = -1;
		if (pids[p] > 0)
			while (waitpid(pids[p], &st[p], 0) < 0 && errno == EINTR)
				;
	}
}

static long long free_bytes(void)
{
	struct sysinfo si;

	if (sysinfo(&si))
		return -1;
	return (long long)si.freeram * (si.mem_unit ? si.mem_unit : 1);
}

int main(int argc, char **argv)
{
	static const char *const why[] = {
		[WK_CREATE] = "create failed",  [WK_WRITE] = "short write",
		[WK_OPEN] = "reopen failed",    [WK_READ] = "read back a different size",
		[WK_DIFFER] = "bytes differ",   [WK_UNLINK] = "unlink failed",
		[WK_GONE] = "still there after unlink",
	};
	long long before, after;
	const char *dir;
	int st[PROCS], good, linux_host;

	(void)argc;
	tap_init(argv, 13);
	linux_host = tap_on_linux();
	dir = scratch_make();
	if (!tap_ok(dir && chdir(dir) == 0, "a scratch directory (%s)", dir ? dir : "?"))
		return tap_done() | 1;

	/* The warm-up round fills whatever caches the kernel keeps, so that the baseline holds. */
	round_of(1, st);
	good = 0;
	for (int p = 0; p < PROCS; p++)
		good += st[p] == 0;
	TAP_EQ(good, PROCS, "warm-up: %d processes each create, check and delete %d files", PROCS,
	       FILES);
	/* The listing below mallocs (musl's DIR): do it once first so that our own heap is not
	 * what moves between the two figures. */
	scratch_entries(".");
	before = free_bytes();

	round_of(2, st);
	for (int p = 0; p < PROCS; p++) {
		int code = st[p] != -1 && WIFEXITED(st[p]) ? WEXITSTATUS(st[p]) : -1;

		if (!tap_ok(st[p] == 0, "process %d: %d files of 1..%d bytes written, read back "
				     "identical (checksum and bytes), deleted",
			    p, FILES, MAX_SIZE))
			tap_diag("it %s: %s", st[p] == -1 ? "was lost" : tap_wstatus(st[p]),
				 code >= WK_CREATE && code <= WK_GONE ? why[code] : "?");
	}
	TAP_EQ(scratch_entries("."), 0, "the directory is empty afterwards");
	after = free_bytes();
	if (linux_host) {
		tap_skip("free memory is back at the baseline",
			 "Linux's free memory follows its page cache and other processes");
		tap_diag("before %lld, after %lld bytes (%+lld)", before, after, after - before);
	} else if (!tap_ok(before > 0 && after == before,
			   "free memory is exactly what it was after the warm-up round")) {
		tap_diag("free memory before %lld bytes, after %lld (%+lld bytes, %+lld pages)",
			 before, after, after - before, (after - before) / 4096);
	}

	tap_ok(chdir("/") == 0 && scratch_remove(dir) == 0, "the scratch directory is removed");
	return tap_done();
}
