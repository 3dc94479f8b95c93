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
#include "core/optsdoc.h"
#include "netboot/probe.h"
#include "netboot/serve_opts.h"
#include "netboot/status.h"
#include "netboot/status_cmd.h"
#include "rescue/ctlcmd.h"
#include "rescue/leftover.h"
#include "rescue/mkrescue.h"
#include "rescue/rinit.h"
#include "rescue/role.h"
#include "rescue/sysinfo.h"
#include "rescue/takeover.h"
#include "roles.h"

/* The command registry: dispatch, usage, and (through .options, the
 * command's option table) its man page and shell completion. */
struct role {
	const char *name;
	int (*main)(int, char **);
	const char *summary;
	const struct opts_cmd *(*options)(void); /* NULL: no option table */
};

/* `lifeboat status`: a running serve's clients; in a rescue system (a
 * mkrescue image, where no serve runs) its disks and addresses instead. */
static int status_entry(int argc, char **argv)
{
	if (argc == 1 && access(RINIT_MARK, F_OK) == 0 && access(STATUS_SOCKET_DEFAULT, F_OK) != 0)
		return rescue_status_print(stdout) ? 1 : 0;
	return status_main(argc, argv);
}

static const struct role roles[] = {
    {"serve", serve_main, "netboot: proxyDHCP, TFTP and HTTP for PXE clients", serve_options},
    {"status", status_entry,
     "the clients a running serve sees (table, --watch, --json); in a rescue system, its disks",
     status_options},
    {"takeover", takeover_main, "rescue: become PID 1 of this system and free its root",
     takeover_options},
    {"init", init_main, "the PID 1 role used by takeover and rescue images", NULL},
    {"confirm", confirm_main, "in a rescue system: cancel the --revert-after switch",
     confirm_options},
    {"return", return_main, "in a rescue system: go back to the original system", return_options},
    {"probe", probe_main, "netboot: play each client kind on the LAN and say what would boot",
     probe_options},
    {"mkrescue", mkrescue_main, "build a rescue initramfs that serve --rescue netboots",
     mkrescue_options},
    {"reboot", reboot_main, "in a rescue system: ask PID 1 to reboot", reboot_options},
    {"poweroff", poweroff_main, "in a rescue system: ask PID 1 to power off", poweroff_options},
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

/* `lifeboat --gen-doc man OUTDIR TMPLDIR DATE | bash | zsh`: the build's
 * generator of man pages and completion (hidden; see core/optsdoc.h). A
 * page's template is TMPLDIR/PAGE.8.in when present. */
static int gen_man_page(const struct optsdoc *d, const struct optsdoc_cmd *c, const char *outdir,
			const char *tmpldir)
{
	char page[64], path[512], *tmpl = NULL;
	snprintf(page, sizeof page, "lifeboat%s%s", c ? "-" : "", c ? c->name : "");
	snprintf(path, sizeof path, "%s/%s.8.in", tmpldir, page);
	FILE *t = fopen(path, "r");
	if (t) {
		size_t cap = 1 << 16, n = 0;
		tmpl = calloc(1, cap + 1);
		n = tmpl ? fread(tmpl, 1, cap, t) : 0;
		fclose(t);
		if (!tmpl || n == cap) {
			fprintf(stderr, "lifeboat: %s: too big\n", path);
			free(tmpl);
			return 1;
		}
	}
	snprintf(path, sizeof path, "%s/%s.8", outdir, page);
	FILE *out = fopen(path, "w");
	int r = out ? optsdoc_man(out, d, c, tmpl) : -1;
	if (out && fclose(out))
		r = -1;
	free(tmpl);
	if (r)
		fprintf(stderr, "lifeboat: cannot write %s\n", path);
	return r ? 1 : 0;
}

static int gen_doc(int argc, char **argv)
{
	enum { N = sizeof roles / sizeof roles[0] };
	struct optsdoc_cmd cmds[N];
	for (size_t i = 0; i < N; i++)
		cmds[i] = (struct optsdoc_cmd){roles[i].name, roles[i].summary,
					       roles[i].options ? roles[i].options() : NULL};
	struct optsdoc d = {.prog = "lifeboat",
			    .summary = "netboot server and system rescue in one static binary",
			    .top = &main_cmd,
			    .cmds = cmds,
			    .n_cmds = N,
			    .version = LIFEBOAT_VERSION,
			    .date = argc > 5 ? argv[5] : "",
			    .section = 8};
	if (argc == 3 && !strcmp(argv[2], "bash")) {
		optsdoc_bash(stdout, &d);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[2], "zsh")) {
		optsdoc_zsh(stdout, &d);
		return 0;
	}
	if (argc != 6 || strcmp(argv[2], "man")) {
		fprintf(stderr, "usage: lifeboat --gen-doc man OUTDIR TMPLDIR DATE | bash | zsh\n");
		return 2;
	}
	int r = gen_man_page(&d, NULL, argv[3], argv[4]);
	for (size_t i = 0; i < N && !r; i++)
		if (cmds[i].opts)
			r = gen_man_page(&d, &cmds[i], argv[3], argv[4]);
	return r;
}

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
	if (!strcmp(argv[1], "--gen-doc"))
		return gen_doc(argc, argv);
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
