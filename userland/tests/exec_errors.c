/* userland/tests/exec_errors.c: execve's failures and their errno values (ENOENT, ENOTDIR,
 * ENOEXEC, EACCES, E2BIG, EFAULT, ENAMETOOLONG), and that a failed execve leaves the caller intact.
 * Data files: /tests/data/notelf (0755 text without #!), /tests/data/badelf (0755, an ELF header
 * for another machine), /tests/data/noexec (0644). */
#include "tap.h"

#define KPTR ((void *)0xffffffff80000000UL)
#define BIG_ARGS 256
#define BIG_ARG_LEN (64 * 1024)

static char *const no_env[] = { NULL };
static int survivor = 1234;

/* execve in a child; returns the child's wait status or -1. */
static int exec_status(const char *path, char *const *av)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(path, av, no_env);
		_exit(127);
	}
	return waitpid(pid, &st, 0) == pid ? st : -1;
}

int main(int argc, char **argv)
{
	char *av[] = { "x", NULL }, *bad_env[] = { "A=1", KPTR, NULL }, *big_arg, **big;
	char *long_path;
	const char *true_path;

	(void)argc;
	tap_init(argv, 17);
	true_path = strdup(tap_path("/bin/true")); /* tap_path() works once tap_init() ran */
	TAP_ERRNO(execve(tap_path("/tests/data/missing"), av, no_env), ENOENT,
		  "a missing file: ENOENT");
	TAP_ERRNO(execve(tap_path("/no-such-dir/x"), av, no_env), ENOENT,
		  "a missing directory: ENOENT");
	TAP_ERRNO(execve("", av, no_env), ENOENT, "an empty path: ENOENT");
	TAP_ERRNO(execve(tap_path("/tests/data/notelf/x"), av, no_env), ENOTDIR,
		  "a file used as a directory: ENOTDIR");
	TAP_ERRNO(execve(tap_path("/tests/data/notelf"), av, no_env), ENOEXEC,
		  "an executable text file without #!: ENOEXEC");
	TAP_ERRNO(execve(tap_path("/tests/data/badelf"), av, no_env), ENOEXEC,
		  "an ELF file for another machine: ENOEXEC");
	TAP_ERRNO(execve(tap_path("/tests/data/noexec"), av, no_env), EACCES,
		  "a file without execute permission (0644): EACCES");
	TAP_ERRNO(execve(tap_path("/tests/data"), av, no_env), EACCES, "a directory: EACCES");
	TAP_ERRNO(execve(KPTR, av, no_env), EFAULT, "a kernel address as the path: EFAULT");
	TAP_ERRNO(execve(true_path, KPTR, no_env), EFAULT, "a kernel address as argv: EFAULT");
	TAP_ERRNO(execve(true_path, av, bad_env), EFAULT, "a kernel address inside envp: EFAULT");

	long_path = malloc(8192);
	memset(long_path, 'a', 8191);
	long_path[0] = '/';
	long_path[8191] = '\0';
	TAP_ERRNO(execve(long_path, av, no_env), ENAMETOOLONG,
		  "a path of 8191 bytes: ENAMETOOLONG");

	/* 256 arguments of 64 KiB each: 16 MiB, past any argument limit, each under 128 KiB. */
	big_arg = malloc(BIG_ARG_LEN);
	big = calloc(BIG_ARGS + 1, sizeof(*big));
	memset(big_arg, 'x', BIG_ARG_LEN - 1);
	big_arg[BIG_ARG_LEN - 1] = '\0';
	for (int i = 0; i < BIG_ARGS; i++)
		big[i] = big_arg;
	TAP_ERRNO(execve(true_path, big, no_env), E2BIG, "16 MiB of arguments: E2BIG");
	TAP_ERRNO(execve(true_path, av, big), E2BIG, "16 MiB of environment: E2BIG");

	TAP_EQ(survivor, 1234, "the process is intact after the failed calls");
	tap_exited_with(exec_status(true_path, av), 0,
			"execve of /bin/true succeeds (exit status 0)");
	tap_exited_with(exec_status(tap_path("/tests/data/missing"), av), 127,
			"a child whose execve failed goes on and exits 127");
	return tap_done();
}
