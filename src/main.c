/* lifeboat: multi-call binary. argv[1] picks the command; only the init
 * role acts as PID 1, and it is chosen by argv or the takeover state
 * (rescue/role.h has the rule), so `lifeboat serve` as a container's
 * entrypoint is still serve. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/opts.h"
#include "rescue/leftover.h"
#include "rescue/role.h"
#include "roles.h"

struct role {
	const char *name;
	int (*main)(int, char **);
	const char *summary;
};

static const struct role roles[] = {
    {"serve", serve_main, "netboot: proxyDHCP, TFTP and HTTP for PXE clients"},
    {"status", status_main, "netboot: the clients a running serve sees (table, --watch, --json)"},
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

static bool known_first_arg(const char *a)
{
	static const char *const opts[] = {"-h", "--help", "-V", "--version"};
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (!strcmp(a, roles[i].name))
			return true;
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (!strcmp(a, opts[i]))
			return true;
	return false;
}

/* Only PID 1 reads the takeover state: it decides whether an unnamed start
 * is an init re-executing the substitute. */
static bool takeover_state_valid(void)
{
	struct rescue_state *s = malloc(sizeof *s);
	bool ok = s && leftover_state_read(RESCUE_DIR RESCUE_STATE, s, NULL) == 0;
	free(s);
	return ok;
}

int main(int argc, char **argv)
{
	const char *self = argc > 0 ? base_name(argv[0]) : "lifeboat";
	pid_t pid = getpid();
	bool known = argc >= 2 && known_first_arg(argv[1]);
	bool state = pid == 1 && !known && argc >= 2 && takeover_state_valid();
	switch (role_choose(argc, argv, pid, known, state)) {
	case ROLE_SELFTEST:
		return 42;
	case ROLE_INIT:
		return init_main(argc, argv);
	case ROLE_REFUSE:
		fprintf(stderr,
			"lifeboat: started as '%s' but not PID 1: a lifeboat takeover "
			"holds this path; nothing done\n",
			self);
		return 1;
	case ROLE_COMMAND:
		break;
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
