/* ctlcmd: see ctlcmd.h. */
#include "rescue/ctlcmd.h"

#include <stdbool.h>
#include <stdio.h>

struct ctl_opts {
	bool help;
};

static const struct opts_row ctl_rows[] = {
    {"help", 'h', OPTS_FLAG, OPTS_AT(struct ctl_opts, help), .value = 1, .flags = OPTS_STOP,
     .help = "this text (and nothing else is done)", .group = "Options"},
};

#define CTL_CMD(var, cname, text)                           \
	static const struct opts_cmd var = {                \
	    .name = cname,                                  \
	    .about = "usage: lifeboat " cname "\n\n" text,  \
	    .rows = ctl_rows,                               \
	    .n_rows = sizeof ctl_rows / sizeof ctl_rows[0], \
	    .size = sizeof(struct ctl_opts),                \
	}

CTL_CMD(confirm_cmd, "confirm",
	"In a takeover's rescue system: turn the --revert-after dead-man switch\n"
	"off, so the rescue system stays.\n");
CTL_CMD(return_cmd, "return",
	"In a takeover's rescue system: ask PID 1 to go back to the original\n"
	"system (every rescue process ends, this one too).\n");
CTL_CMD(reboot_cmd, "reboot",
	"In a rescue system whose PID 1 is lifeboat: ask it to reboot the machine\n"
	"(SIGTERM to PID 1, as busybox init takes it).\n");
CTL_CMD(poweroff_cmd, "poweroff",
	"In a rescue system whose PID 1 is lifeboat: ask it to power the machine\n"
	"off (SIGUSR2 to PID 1, as busybox init takes it).\n");

const struct opts_cmd *confirm_options(void)
{
	return &confirm_cmd;
}

const struct opts_cmd *return_options(void)
{
	return &return_cmd;
}

const struct opts_cmd *reboot_options(void)
{
	return &reboot_cmd;
}

const struct opts_cmd *poweroff_options(void)
{
	return &poweroff_cmd;
}

int ctlcmd_args(const struct opts_cmd *cmd, int argc, char **argv)
{
	struct ctl_opts o = {0};
	int first;
	int r = opts_parse(cmd, argc, argv, &o, &first, stderr);
	if (r == 1 || o.help) {
		opts_help(cmd, stdout);
		return 0;
	}
	if (r || first < argc) {
		if (!r)
			fprintf(stderr, "lifeboat %s: takes no arguments\n", cmd->name);
		fprintf(stderr, "Try 'lifeboat %s --help'.\n", cmd->name);
		return 2;
	}
	return -1;
}
