/* lifeboat: multi-call binary. argv[1] picks the role; started as PID 1 (or
 * under a name ending in "init", as when bind-mounted over an init binary)
 * it becomes the init role whatever its arguments. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/opts.h"
#include "roles.h"

struct role {
	const char *name;
	int (*main)(int, char **);
	const char *summary;
};

static const struct role roles[] = {
    {"serve", serve_main, "netboot: proxyDHCP, TFTP and HTTP for PXE clients"},
    {"takeover", takeover_main, "rescue: become PID 1 of this system and free its root"},
    {"init", init_main, "the PID 1 role used by takeover and rescue images"},
    {"confirm", confirm_main, "in a rescue system: cancel the --revert-after switch"},
    {"return", return_main, "in a rescue system: go back to the original system"},
};

/* The options before a command, as rows (core/opts.h) so that the help
 * text, man page and completion list them; main() matches them itself. */
static const struct opts_row main_rows[] = {
    {"help", 'h', OPTS_FLAG, .help = "this text", .group = "Options"},
    {"version", 'V', OPTS_FLAG, .help = "print the version", .group = "Options"},
};
static const struct opts_cmd main_cmd = {
    .name = "lifeboat",
    .about = "usage: lifeboat COMMAND [ARGS]...\n",
    .rows = main_rows,
    .n_rows = sizeof main_rows / sizeof main_rows[0],
};

static void usage(FILE *f)
{
	fprintf(f, "%s\ncommands:\n", main_cmd.about);
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		fprintf(f, "  %-9s %s\n", roles[i].name, roles[i].summary);
	fprintf(f, "\n'lifeboat COMMAND --help' shows a command's flags.\n");
	opts_help_groups(&main_cmd, f);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

int main(int argc, char **argv)
{
	const char *self = argc > 0 ? base_name(argv[0]) : "lifeboat";
	size_t sl = strlen(self);
	/* takeover runs the bound substitute with this flag to prove that the
	 * path the init will exec runs us; checked before any role. */
	if (argc == 2 && !strcmp(argv[1], "--lifeboat-selftest"))
		return 42;
	/* Started by an init's re-exec we have that init's argv, so only being
	 * PID 1 picks the init role. A name such as "init" or "telinit" while
	 * not PID 1 means something ran the init binary we are bound over
	 * (sysvinit's telinit is a link to init): do nothing. */
	if (getpid() == 1)
		return init_main(argc, argv);
	if ((sl >= 4 && strcmp(self + sl - 4, "init") == 0) || strcmp(self, "systemd") == 0) {
		fprintf(stderr, "lifeboat: started as '%s' but not PID 1: a lifeboat takeover "
				"holds this path; nothing done\n", self);
		return 1;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("lifeboat %s (%s)\n", LIFEBOAT_VERSION, LIFEBOAT_GITREV);
		return 0;
	}
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (!strcmp(argv[1], roles[i].name))
			return roles[i].main(argc - 1, argv + 1);
	fprintf(stderr, "lifeboat: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
