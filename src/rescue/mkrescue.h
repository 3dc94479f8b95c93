/* mkrescue: `lifeboat mkrescue` builds a rescue initramfs from this host
 * (or --from another root): lifeboat as /init, busybox, the admin's tools
 * with their libraries, network and storage modules with their firmware,
 * the admin's SSH keys; a reproducible newc cpio, compressed with a tool
 * the kernel accepts. The image layout is doc/rescue.md's contract. */
#ifndef LIFEBOAT_RESCUE_MKRESCUE_H
#define LIFEBOAT_RESCUE_MKRESCUE_H

struct opts_cmd;
const struct opts_cmd *mkrescue_options(void);

#endif
