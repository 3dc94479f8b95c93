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

/* The rescue init; never returns. */
int rinit_main(int argc, char **argv);

#endif
