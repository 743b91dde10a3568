/* userland/tests/modtools.c: Granary's insmod, rmmod, lsmod, modinfo and modprobe on the sample
 * modules: exact lines and refusal messages. Granary only: on Linux every check is skipped. */
#include "capture.h"

#include <sys/utsname.h>

#define PLAN 10

static char out[4096];

/* Runs /sbin/TOOL with up to 3 arguments; returns the exit code (or -1) with the output in out. */
static int run(const char *tool, const char *a1, const char *a2, const char *a3)
{
	char path[64];
	char *av[] = { (char *)tool, (char *)a1, (char *)a2, (char *)a3, NULL }, *ev[] = { NULL };
	int st;

	snprintf(path, sizeof(path), "/sbin/%s", tool);
	st = capture_run(path, av, ev, out, sizeof(out));
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(int argc, char **argv)
{
	struct utsname u;

	(void)argc;
	tap_init(argv, PLAN);
	if (uname(&u) || strcmp(u.sysname, "Granary")) {
		for (int i = 0; i < PLAN; i++)
			tap_skip("module tool check", "the module calls are Granary's");
		return tap_done();
	}
	tap_ok(run("modinfo", "sample_use", NULL, NULL) == 0 && strstr(out, "license:     GPL\n") &&
		       strstr(out, "depends:     sample_export\n") && strstr(out, "parm:        sample_base:"),
	       "modinfo sample_use: license, depends and parm lines");
	tap_ok(run("modinfo", "/etc/motd", NULL, NULL) == 1 && strstr(out, "bad module: not an ELF64 module"),
	       "modinfo of a text file: \"bad module: not an ELF64 module\"");
	tap_ok(run("insmod", "sample_use", NULL, NULL) == 1 &&
		       strstr(out, "insmod: cannot load sample_use: unknown symbol sample_add"),
	       "insmod sample_use alone: \"unknown symbol sample_add\"");
	tap_ok(run("modprobe", "sample_use", "sample_who=tools", NULL) == 0,
	       "modprobe sample_use loads sample_export first");
	tap_ok(run("lsmod", NULL, NULL, NULL) == 0 && strstr(out, "Module ") &&
		       strstr(out, "sample_export") && strstr(out, " 1 sample_use\n"),
	       "lsmod: sample_export used by sample_use");
	tap_ok(run("rmmod", "sample_export", NULL, NULL) == 1 &&
		       strstr(out, "rmmod: cannot unload sample_export: sample_export is in use by sample_use"),
	       "rmmod sample_export: refused, in use by sample_use");
	tap_ok(run("insmod", "sample_export", NULL, NULL) == 1 &&
		       strstr(out, "cannot load sample_export: sample_export is already loaded"),
	       "insmod of a loaded module: \"already loaded\"");
	tap_ok(run("modprobe", "-r", "sample_use", NULL) == 0, "modprobe -r sample_use");
	tap_ok(run("lsmod", NULL, NULL, NULL) == 0 && !strstr(out, "sample_"),
	       "... removes sample_export too: lsmod lists neither");
	tap_ok(run("insmod", "/nonexistent.ko", NULL, NULL) == 1 && strstr(out, "cannot load nonexistent"),
	       "insmod of a missing file says so");
	return tap_done();
}
