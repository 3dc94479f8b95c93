/* rinit: `lifeboat init` as PID 1 of a rescue initramfs (built by
 * `lifeboat mkrescue`): API filesystems, its modules, the network with its
 * own DHCP client, dropbear with host keys made at boot, shells on the
 * consoles, lifeboat.cmd, the phone-home reports, reboot and poweroff. */
#ifndef LIFEBOAT_RESCUE_RINIT_H
#define LIFEBOAT_RESCUE_RINIT_H

#include <stdbool.h>

#define RINIT_MARK "/etc/lifeboat/rescue" /* present in every rescue image */

/* Whether this PID 1 is a rescue image's /init: the image's mark file, a
 * RAM root filesystem, and no takeover state. */
bool rinit_is_rescue_image(void);

/* What a signal to PID 1 asks for (busybox init's meanings): the
 * reboot(2) command, the action's and the signal's names; NULL for a
 * signal that is no power request. */
struct rinit_power {
	int signo;
	unsigned how; /* RB_AUTOBOOT, RB_HALT_SYSTEM, RB_POWER_OFF */
	const char *action, *signame;
};
const struct rinit_power *rinit_power_for(int signo);

/* The rescue init; never returns. */
int rinit_main(int argc, char **argv);

#endif
