/* kernel/cmdline.c: parsing the kernel command line and dispatching to KERNEL_PARAM() handlers and
 * built-in modules' parameters ("fat.x=1"). The splitting and table lookup are pure (host-tested);
 * cmdline_parse() binds them to .kparam. */
#include <granary/cmdline.h>
#include <granary/errno.h>
#include <granary/module.h>
#include <granary/printk.h>
#include <granary/string.h>

/* Cuts the next word out of *pos in place: skips spaces, honours double quotes
 * (which are removed), and NUL-terminates it. Returns NULL at the end. */
static char *next_word(char **pos)
{
	char *s = *pos, *out, *word;
	bool quoted = false;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!*s) {
		*pos = s;
		return NULL;
	}
	word = out = s;
	for (; *s; s++) {
		if (*s == '"') {
			quoted = !quoted;
			continue;
		}
		if (!quoted && (*s == ' ' || *s == '\t' || *s == '\n')) {
			s++;
			break;
		}
		*out++ = *s;
	}
	/* out never passes s, so terminating here does not clobber the next word. */
	*out = '\0';
	*pos = s;
	return word;
}

int cmdline_parse_table(char *line, const struct kparam *params, size_t n, cmdline_report_fn report)
{
	char *pos = line, *word;
	int bad = 0;

	while ((word = next_word(&pos))) {
		char *eq = strchr(word, '='), *val = NULL;
		const struct kparam *p = NULL;
		int err = -ENOENT;

		if (!strcmp(word, "--"))
			break; /* the rest belongs to init */
		if (eq) {
			*eq = '\0';
			val = eq + 1;
		}
		for (size_t i = 0; i < n; i++) {
			if (!strcmp(params[i].name, word)) {
				p = &params[i];
				break;
			}
		}
		if (p)
			err = p->set(val);
		if (err) {
			bad++;
			if (report)
				report(word, val, err);
		}
	}
	return bad;
}

#ifndef HOST_TEST
extern const struct kparam __kparam_start[], __kparam_end[];

static char saved_line[CMDLINE_MAX];
/* The split words: kept, as a built-in module's string parameter points into them. */
static char words[CMDLINE_MAX];

/* A word no KERNEL_PARAM() takes is a built-in module's parameter ("module.param") or unknown; a
 * bad word is warned about and skipped, never fatal. */
static void report(const char *name, const char *val, int err)
{
	if (err == -ENOENT && strchr(name, '.'))
		err = module_builtin_param(name, val);
	if (!err)
		return;
	if (err == -ENOENT)
		pr_warn("cmdline: unknown parameter '%s' ignored\n", name);
	else
		pr_warn("cmdline: invalid value '%s' for '%s' (error %d) ignored\n", val ? val : "",
			name, err);
}

void cmdline_parse(const char *bootloader_line)
{
	size_t n = __kparam_end - __kparam_start;

	/* The built-in line comes first so the boot loader's words override it. */
	snprintf(saved_line, sizeof(saved_line), "%s%s%s", CONFIG_CMDLINE,
		 CONFIG_CMDLINE[0] && bootloader_line[0] ? " " : "", bootloader_line);
	strlcpy(words, saved_line, sizeof(words));
	cmdline_parse_table(words, __kparam_start, n, report);
}

const char *cmdline_get(void)
{
	return saved_line;
}
#endif
