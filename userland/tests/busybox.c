/* userland/tests/busybox.c: Debian's static busybox (/bin/busybox) under fork+execve: exact bytes
 * on stdout through a pipe (echo, sh -c 'echo $((6*7))', a pipeline), exit and signal statuses. */
#include "capture.h"

#include <signal.h>
#include <time.h>

static const char *busybox;
static char path_env[600]; /* PATH=ROOT/bin: the pipeline finds this busybox, not the host's */

/*
 * Runs busybox with args (argv[0] "busybox"), stdout and stderr into a pipe, and collects up to
 * size - 1 bytes of output into out (NUL-terminated). Returns the wait status, or -1. The child
 * is killed after 20 s.
 */
static int run(char *const *args, char *out, size_t size)
{
	char *av[16], *ev[] = { path_env, NULL };
	int n = 0;

	av[n++] = "busybox";
	for (; *args && n < 15; args++)
		av[n++] = *args;
	av[n] = NULL;
	return capture_run(busybox, av, ev, out, size);
}

/* One TAP line: exit status 0 and exactly want on stdout. */
static void expect_output(char *const *args, const char *want, const char *desc)
{
	char out[256];
	int st = run(args, out, sizeof(out));
	int ok = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && !strcmp(out, want);

	tap_ok(ok, "%s", desc);
	if (!ok) {
		tap_diag("it %s and printed %zu bytes:", st == -1 ? "was lost" : tap_wstatus(st),
			 strlen(out));
		tap_diag("'%s'", out);
	}
}

int main(int argc, char **argv)
{
	char out[256];

	(void)argc;
	tap_init(argv, 7);
	busybox = strdup(tap_path("/bin/busybox"));
	snprintf(path_env, sizeof(path_env), "PATH=%s", tap_path("/bin"));
	if (access(busybox, X_OK)) {
		/* Only a host without busybox-static has none: the initramfs always carries it. */
		for (int i = 0; i < 7; i++)
			tap_skip("busybox", "no /bin/busybox in the tree (package busybox-static)");
		return tap_done();
	}
	expect_output((char *[]){ "echo", "hello", NULL }, "hello\n",
		      "busybox echo hello: exit 0, stdout exactly \"hello\\n\"");
	expect_output((char *[]){ "sh", "-c", "echo $((6*7))", NULL }, "42\n",
		      "busybox sh -c 'echo $((6*7))': exactly \"42\\n\"");
	expect_output((char *[]){ "sh", "-c", "x=ab; echo \"$x$x\" cd; echo -n end", NULL },
		      "abab cd\nend", "busybox sh: variables, two commands, echo -n");
	expect_output((char *[]){ "sh", "-c", "busybox echo one two | busybox wc -w", NULL },
		      "2\n", "busybox sh runs a pipeline of two busybox children: \"2\\n\"");
	tap_exited_with(run((char *[]){ "false", NULL }, out, sizeof(out)), 1,
			"busybox false: exit status 1");
	tap_exited_with(run((char *[]){ "sh", "-c", "exit 3", NULL }, out, sizeof(out)), 3,
			"busybox sh -c 'exit 3': exit status 3");
	tap_killed_by(run((char *[]){ "sh", "-c", "kill -TERM $$", NULL }, out, sizeof(out)),
		      SIGTERM, "busybox sh -c 'kill -TERM $$': killed by SIGTERM");
	return tap_done();
}
