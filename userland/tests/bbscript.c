/* userland/tests/bbscript.c: a shell session on the file system: busybox sh scripts make nested
 * directories, write files (echo, printf, cat > with a here-document), list (ls, ls -l, find),
 * copy, move, link and remove them, each step's output compared exactly. Runs in a scratch
 * directory under /tmp. Not about busybox itself (busybox.c) nor about exact errnos (files.c). */
#include "capture.h"
#include "scratch.h"

#include <signal.h>
#include <time.h>

static const char *busybox;
static char path_env[600]; /* PATH=ROOT/bin: only the tree's busybox */

/*
 * Runs busybox sh -c script in the working directory, stdout and stderr into one pipe, and
 * collects up to size - 1 bytes of output into out. Returns the wait status, or -1. The child
 * is killed after 20 s.
 */
static int sh(const char *script, char *out, size_t size)
{
	char *av[] = { "sh", "-c", (char *)script, NULL }, *ev[] = { path_env, NULL };
	return capture_run(busybox, av, ev, out, size);
}

/* Prints s for a diagnostic, one "# " line per line of it. */
static void diag_text(const char *what, const char *s)
{
	tap_diag("%s (%zu bytes):", what, strlen(s));
	while (*s) {
		size_t len = strcspn(s, "\n");

		tap_diag("  |%.*s", (int)len, s);
		s += len + (s[len] == '\n');
	}
}

struct step {
	const char *desc, *script, *want;
};

static const struct step steps[] = {
	{ "mkdir -p, echo >, printf >, cat > with a here-document; cat reads them back",
	  "umask 022 && mkdir -p a/b/c && echo hello > a/f1 &&\n"
	  "printf 'x\\ty\\n%s\\n' two > a/b/f2 &&\n"
	  "cat > a/b/c/f3 <<EOF\nline one\nline two\nEOF\n"
	  "cat a/f1 a/b/f2 a/b/c/f3",
	  "hello\nx\ty\ntwo\nline one\nline two\n" },
	{ "find . | sort lists the tree",
	  "find . | sort",
	  ".\n./a\n./a/b\n./a/b/c\n./a/b/c/f3\n./a/b/f2\n./a/f1\n" },
	{ "ls, ls -l (mode, size, name), ls -ld of a directory",
	  "ls a && ls -l a/f1 | awk '{print $1, $2, $5, $NF}' && ls -ld a/b | cut -c1-10",
	  "b\nf1\n-rw-r--r-- 1 6 a/f1\ndrwxr-xr-x\n" },
	{ "cp of a file (cmp says same), cp -r of the tree",
	  "cp a/f1 a/f1.copy && cmp a/f1 a/f1.copy && echo same && cp -r a z && find z | sort &&"
	  " cat z/b/c/f3",
	  "same\nz\nz/b\nz/b/c\nz/b/c/f3\nz/b/f2\nz/f1\nz/f1.copy\nline one\nline two\n" },
	{ "mv renames a directory and moves a file into another",
	  "mv z/b z/moved && mv a/f1.copy a/b/ && ls z && cat a/b/f1.copy && test ! -e z/b &&"
	  " test -f z/moved/c/f3 && echo moved",
	  "f1\nf1.copy\nmoved\nhello\nmoved\n" },
	{ "rmdir of a non-empty directory fails; rm, rmdir and rm -r clear the rest",
	  "rmdir a/b/c 2>&1; echo \"status $?\"; rm a/b/c/f3 && rmdir a/b/c && rm a/b/f1.copy &&"
	  " rm -r z && find . | sort",
	  "rmdir: 'a/b/c': Directory not empty\nstatus 1\n.\n./a\n./a/b\n./a/b/f2\n./a/f1\n" },
	{ "a 100-line file through wc, grep, tail and sort",
	  "seq 1 100 > n && wc -l < n && grep -c 7 n && tail -n 2 n && sort -r n | head -n 3 &&"
	  " wc -c < n",
	  "100\n19\n99\n100\n99\n98\n97\n292\n" },
	{ ">>, 2> and a failing command's status",
	  "echo one > log; echo two >> log; cat nosuchfile 2> err; echo \"rc $?\"; cat log;"
	  " wc -l < err; echo gone > /dev/null; cat /dev/null",
	  "rc 1\none\ntwo\n1\n" },
	{ "ln -s, readlink, cat through the link, ln makes a second link",
	  "ln -s a/b/f2 link && readlink link && cat link && ln a/f1 hard &&"
	  " ls -l a/f1 | awk '{print $2}' && cat hard",
	  "a/b/f2\nx\ty\ntwo\n2\nhello\n" },
	{ "a loop makes 50 files; ls counts them; rm with a glob removes them",
	  "for i in $(seq 1 50); do echo \"file $i\" > f$i; done; ls | wc -l; cat f7 f50; rm f*;"
	  " ls | wc -l",
	  "56\nfile 7\nfile 50\n6\n" },
	{ "a 100 KB file made by a pipeline, copied and compared",
	  "seq 1 20000 > big && cp big big2 && cmp big big2 && wc -c < big2 && tail -n 1 big2 &&"
	  " rm big big2",
	  "108894\n20000\n" },
	{ "rm -rf of everything leaves the directory empty",
	  "rm -rf a n log err link hard && ls -A | wc -l",
	  "0\n" },
};

#define NSTEPS ((int)(sizeof(steps) / sizeof(steps[0])))

int main(int argc, char **argv)
{
	static char out[8192], cwd[256], root[512], bb[560];
	const char *dir;
	int st, ok;

	(void)argc;
	tap_init(argv, NSTEPS + 2);
	/* Absolute, since the scripts run in the scratch directory. */
	if (tap_path("")[0] && tap_path("")[0] != '/' && getcwd(cwd, sizeof(cwd)))
		snprintf(root, sizeof(root), "%s/%s", cwd, tap_path(""));
	else
		snprintf(root, sizeof(root), "%s", tap_path(""));
	snprintf(bb, sizeof(bb), "%s/bin/busybox", root);
	busybox = bb;
	snprintf(path_env, sizeof(path_env), "PATH=%s/bin", root);
	if (access(busybox, X_OK)) {
		/* Only a host without busybox-static has none: the initramfs always carries it. */
		for (int i = 0; i < NSTEPS + 2; i++)
			tap_skip("busybox scripts",
				 "no /bin/busybox in the tree (package busybox-static)");
		return tap_done();
	}
	dir = scratch_make();
	if (!tap_ok(dir && chdir(dir) == 0, "a scratch directory (%s)", dir ? dir : "?"))
		return tap_done() | 1;
	for (int i = 0; i < NSTEPS; i++) {
		st = sh(steps[i].script, out, sizeof(out));
		ok = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
		     !strcmp(out, steps[i].want);
		if (!tap_ok(ok, "%s", steps[i].desc)) {
			tap_diag("the script %s", st == -1 ? "was lost" : tap_wstatus(st));
			diag_text("it printed", out);
			diag_text("expected", steps[i].want);
		}
	}
	tap_ok(chdir("/") == 0 && scratch_remove(dir) == 0, "the scratch directory is removed");
	return tap_done();
}
