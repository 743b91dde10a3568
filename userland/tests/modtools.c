/* userland/tests/modtools.c: Granary's insmod, rmmod, lsmod, modinfo and modprobe on the sample
 * modules: exact lines and refusal messages; what modules.builtin says of built-in modules, with a
 * made-up entry (the all-y configuration is the builtin suite's). Granary only: on Linux every
 * check is skipped. */
#include "capture.h"
#include "modhelp.h"

#include <fcntl.h>
#include <sys/utsname.h>

#define PLAN 16

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

/* Every module modules.builtin lists has no .ko in dir (a module is one or the other); the count. */
static int builtin_without_ko(const char *dir)
{
	char path[512], line[256];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/modules.builtin", dir);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *base = strrchr(line, '/') ? strrchr(line, '/') + 1 : line;
		base[strcspn(base, ".\n")] = '\0';
		snprintf(path, sizeof(path), "%s/%s.ko", dir, base);
		if (!access(path, F_OK)) {
			tap_diag("%s is listed as built in and has %s", base, path);
			n = -1;
			break;
		}
		n++;
	}
	fclose(f);
	return n;
}

/* Appends len bytes to dir/name; returns the file's old size (to truncate back to), or -1. */
static off_t append(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[256];
	int fd;
	off_t old;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0)
		return -1;
	old = lseek(fd, 0, SEEK_END);
	if (old < 0 || write(fd, buf, len) != (ssize_t)len)
		old = -1;
	close(fd);
	return old;
}

static void restore(const char *dir, const char *name, off_t size)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (size >= 0 && truncate(path, size))
		tap_diag("cannot restore %s: %s", path, strerror(errno));
}

/* A built-in module as the build would list it, for the tools that read the lists. */
static const char fake_line[] = "kernel/test/fakebuiltin.ko\n";
static const char fake_info[] = "fakebuiltin.license=GPL\0fakebuiltin.file=test/fakebuiltin\0"
				"other.license=MIT\0fakebuiltin.parm=x:the x\0fakebuiltin.parmtype=x:int";

static void builtin_checks(const char *release)
{
	char dir[128], infopath[192];
	off_t list, info;

	snprintf(dir, sizeof(dir), "/lib/modules/%s", release);
	snprintf(infopath, sizeof(infopath), "%s/modules.builtin.modinfo", dir);
	tap_ok(builtin_without_ko(dir) >= 0 && !access(infopath, R_OK),
	       "modules.builtin and modules.builtin.modinfo are installed; no module listed has a .ko");
	list = append(dir, "modules.builtin", fake_line, sizeof(fake_line) - 1);
	info = append(dir, "modules.builtin.modinfo", fake_info, sizeof(fake_info));
	tap_ok(run("modinfo", "fakebuiltin", NULL, NULL) == 0 &&
		       !strcmp(out, "name:        fakebuiltin\nfilename:    (builtin)\nlicense:     GPL\n"
				    "file:        test/fakebuiltin\nparm:        x:the x\n"),
	       "modinfo of a built-in: name, filename (builtin), its own tags but parmtype");
	if (strncmp(out, "name:", 5))
		tap_diag("modinfo printed: %s", out);
	tap_ok(run("modprobe", "fakebuiltin", NULL, NULL) == 0 && !out[0],
	       "modprobe of a built-in: exit 0, nothing printed");
	tap_ok(run("modprobe", "-r", "fakebuiltin", NULL) == 1 &&
		       !strcmp(out, "modprobe: fakebuiltin is built into the kernel\n"),
	       "modprobe -r of a built-in: \"modprobe: fakebuiltin is built into the kernel\", exit 1");
	/* insmod asks the kernel, which knows what is built in: a made-up entry fools only the lists. */
	tap_ok(run("insmod", "fakebuiltin", NULL, NULL) == 1 && strstr(out, "cannot load fakebuiltin: not found"),
	       "insmod goes by the kernel, not the lists: fakebuiltin is not found");
	restore(dir, "modules.builtin", list);
	restore(dir, "modules.builtin.modinfo", info);
	tap_ok(run("rmmod", "nosuchmod", NULL, NULL) == 1 &&
		       !strcmp(out, "rmmod: cannot unload nosuchmod: no such module\n"),
	       "rmmod of a name neither loaded nor built in: \"no such module\"");
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
	if (!samples_are_modules(&u)) {
		for (int i = 0; i < PLAN; i++)
			tap_skip("module tool check", "this configuration has no sample_export.ko");
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
	builtin_checks(u.release);
	return tap_done();
}
