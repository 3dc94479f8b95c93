/* ctlcmd: the option tables of the small commands that talk to a rescue
 * system's PID 1 (confirm, return, reboot, poweroff). They take no options
 * but --help, and --help must never act: `lifeboat return --help` on a
 * rescue system would otherwise end it. The tables also give each command
 * its man page and completion (core/optsdoc). */
#ifndef LIFEBOAT_RESCUE_CTLCMD_H
#define LIFEBOAT_RESCUE_CTLCMD_H

#include "core/opts.h"

const struct opts_cmd *confirm_options(void);
const struct opts_cmd *return_options(void);
const struct opts_cmd *reboot_options(void);
const struct opts_cmd *poweroff_options(void);

/* Parses argv against cmd: -1 when the command should go on and act; else
 * the exit status (0 after --help, 2 for anything else on the line). */
int ctlcmd_args(const struct opts_cmd *cmd, int argc, char **argv);

#endif
