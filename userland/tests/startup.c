/* userland/tests/startup.c: what a program finds at its entry: argv, envp and the aux vector,
 * and that execve hands argv and envp over exactly (the program re-executes itself to see). */
#include "tap.h"

#include <elf.h>
#include <stdint.h>
#include <sys/auxv.h>

extern char **environ;
extern void _start(void);

/* What the re-executed copy checks, as bits of its exit status. */
#define BAD_ARGV 0x01
#define BAD_ENVP 0x02
#define BAD_EXECFN 0x04 /* only checked by --many */
#define BAD_GETENV 0x08
#define BAD_MANY 0x10
#define MANY 1000

static char *const child_argv[] = { "startup-child", "--child", "two words", "", "last", NULL };
static char *const child_envp[] = { "A=1", "EMPTY=", "SPACES=x y", NULL };

static int strv_equal(char *const *a, char *const *b)
{
	for (; *a && *b; a++, b++)
		if (strcmp(*a, *b))
			return 0;
	return !*a && !*b;
}

/* The re-executed copy: argv[1] says which call made it. */
static int child_main(int argc, char **argv)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	int bad = 0;
	char name[16];

	if (!strcmp(argv[1], "--child")) {
		if (argc != 5 || !strv_equal(argv, child_argv))
			bad |= BAD_ARGV;
		if (!strv_equal(environ, child_envp))
			bad |= BAD_ENVP;
		if (!getenv("EMPTY") || strcmp(getenv("EMPTY"), "") || !getenv("SPACES") ||
		    strcmp(getenv("SPACES"), "x y") || getenv("NOPE"))
			bad |= BAD_GETENV;
		return bad;
	}
	/* --many PATH arg3 arg4 ...: PATH is what execve was given, unlike argv[0]. */
	if (argc != MANY || environ[0])
		bad |= BAD_MANY;
	for (int i = 3; i < argc && !(bad & BAD_MANY); i++) {
		snprintf(name, sizeof(name), "arg%d", i);
		if (strcmp(argv[i], name))
			bad |= BAD_MANY;
	}
	if (argc < 3 || !execfn || strcmp(execfn, argv[2]))
		bad |= BAD_EXECFN;
	return bad;
}

/* Runs this program again with argv and envp; returns the wait status or -1. */
static int reexec(const char *self, char *const *av, char *const *ev)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(self, av, ev);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static void check_phdrs(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM), bias = 0,
		      text = (unsigned long)(uintptr_t)&check_phdrs;
	int found = 0;

	TAP_EQ(getauxval(AT_PHENT), sizeof(Elf64_Phdr), "AT_PHENT is sizeof(Elf64_Phdr)");
	if (!tap_ok(ph && n > 0 && n < 64, "AT_PHDR and AT_PHNUM describe the program headers")) {
		tap_diag("AT_PHDR %p, AT_PHNUM %lu", (const void *)ph, n);
		tap_blocked("a PT_LOAD segment of AT_PHDR holds this function");
		return;
	}
	for (unsigned long i = 0; i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			bias = (unsigned long)(uintptr_t)ph - ph[i].p_vaddr;
	for (unsigned long i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && text >= ph[i].p_vaddr + bias &&
		    text < ph[i].p_vaddr + bias + ph[i].p_memsz && (ph[i].p_flags & PF_X))
			found = 1;
	tap_ok(found, "a PT_LOAD segment of AT_PHDR holds this function");
}

int main(int argc, char **argv)
{
	const unsigned char *rnd;
	char **many, *self = argv[0];
	int st, zero = 1, same = 1, envc = 0, local;

	if (argc >= 2 && (!strcmp(argv[1], "--child") || !strcmp(argv[1], "--many")))
		return child_main(argc, argv);

	tap_init(argv, 24);
	tap_ok(argc >= 1 && argv[argc] == NULL, "argv has argc entries and a NULL after them");
	tap_ok(self && self[0] == '/', "argv[0] is the absolute path the runner executed");
	for (char **e = environ; *e && envc < 100000; e++)
		envc++;
	tap_ok(environ == argv + argc + 1 && envc < 100000,
	       "envp follows argv's NULL and ends with NULL (%d entries)", envc);
	tap_ok((uintptr_t)argv > (uintptr_t)&local && (uintptr_t)self > (uintptr_t)argv,
	       "argv and its strings sit above the stack frame of main");

	TAP_EQ(getauxval(AT_PAGESZ), 4096, "AT_PAGESZ is 4096");
	rnd = (const unsigned char *)getauxval(AT_RANDOM);
	if (tap_ok(rnd != NULL, "AT_RANDOM is present")) {
		for (int i = 0; i < 16; i++) {
			zero &= rnd[i] == 0;
			same &= rnd[i] == rnd[0];
		}
		tap_ok(!zero && !same,
		       "AT_RANDOM points to 16 readable bytes that are not constant");
	} else {
		tap_blocked("AT_RANDOM points to 16 readable bytes that are not constant");
	}
	TAP_EQ(getauxval(AT_UID), getuid(), "AT_UID is getuid()");
	TAP_EQ(getauxval(AT_EUID), geteuid(), "AT_EUID is geteuid()");
	TAP_EQ(getauxval(AT_GID), getgid(), "AT_GID is getgid()");
	TAP_EQ(getauxval(AT_EGID), getegid(), "AT_EGID is getegid()");
	errno = 0;
	tap_ok(getauxval(AT_SECURE) == 0 && errno == 0, "AT_SECURE is present and 0");
	TAP_EQ(getauxval(AT_ENTRY), (unsigned long)(uintptr_t)&_start, "AT_ENTRY is _start");
	check_phdrs();
	tap_ok(getauxval(AT_EXECFN) && !strcmp((const char *)getauxval(AT_EXECFN), self),
	       "AT_EXECFN is the path given to execve");

	st = reexec(self, child_argv, child_envp);
	if (tap_ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) < 0x20,
		   "the program runs again under execve with a new argv and envp")) {
		tap_ok(!(WEXITSTATUS(st) & BAD_ARGV),
		       "execve passes argv exactly (spaces, empty strings)");
		tap_ok(!(WEXITSTATUS(st) & BAD_ENVP), "execve passes envp exactly and in order");
		tap_ok(!(WEXITSTATUS(st) & BAD_GETENV), "getenv finds the new environment");
	} else {
		tap_diag("the copy %s", st == -1 ? "could not be started" : tap_wstatus(st));
		tap_blocked("execve passes argv exactly (spaces, empty strings)");
		tap_blocked("execve passes envp exactly and in order");
		tap_blocked("getenv finds the new environment");
	}

	many = calloc(MANY + 1, sizeof(*many));
	if (!many)
		return 1;
	many[0] = "startup-many";
	many[1] = "--many";
	many[2] = self;
	for (int i = 3; i < MANY; i++) {
		many[i] = malloc(16);
		if (!many[i])
			return 1;
		snprintf(many[i], 16, "arg%d", i);
	}
	char *no_env[] = { NULL };
	st = reexec(self, many, no_env);
	if (tap_ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) < 0x20,
		   "the program runs again with %d arguments and an empty environment", MANY)) {
		tap_ok(!(WEXITSTATUS(st) & BAD_MANY), "execve passes all %d arguments", MANY);
		tap_ok(!(WEXITSTATUS(st) & BAD_EXECFN), "AT_EXECFN is execve's path, not argv[0]");
	} else {
		tap_diag("the copy %s", st == -1 ? "could not be started" : tap_wstatus(st));
		tap_blocked("execve passes all %d arguments", MANY);
		tap_blocked("AT_EXECFN is execve's path, not argv[0]");
	}
	return tap_done();
}
