/* serve_check: what `lifeboat serve` checks before it answers anyone (and
 * again on SIGHUP): the files the options name, the --kernel's format, that
 * the user it drops to can read them; and the start-up block that says
 * what each client family will boot. */
#ifndef LIFEBOAT_NETBOOT_SERVE_CHECK_H
#define LIFEBOAT_NETBOOT_SERVE_CHECK_H

#include <stdbool.h>

#include "netboot/fsroot.h"
#include "netboot/serve_opts.h"

/* The start-up (and reload) checks of what the options name: 0, or
 * -ENOENT/-EINVAL with the reason logged. May add --boot entries found in
 * ROOT, and turns DHCPv6 off for a plain file server (--no-dhcp, nothing
 * to boot). */
int serve_check_files(struct serve_opts *o, struct fsroot *root, bool have_root);

enum serve_check_when { SERVE_CHECK_START, SERVE_CHECK_RELOAD };

/* That the user lifeboat drops to (--user) can enter ROOT and read every
 * boot file beneath it (errors), and at start-up what else beneath ROOT it
 * cannot read (one warning). At start-up as root it is checked by that
 * user in a child process, so the kernel answers (mode bits, ACLs,
 * root_squash); otherwise in this process, which already is that user (a
 * reload: the seccomp filter forbids fork, and geteuid). label names the
 * user in the messages. 0, or -EACCES with each path and the user logged. */
int serve_check_as_user(const struct serve_opts *o, const struct fsroot *root,
			enum serve_check_when when, const char *label);

/* The start-up block: one line per client family that will boot (file and
 * the boot plan's row) or that was asked for and will not (why, the missing
 * file and its Debian package), one line for all the others. host: our
 * address as URL host text. */
void serve_log_boot(const struct serve_opts *o, const char *host);

#endif
