/* serve_rescue: `serve --rescue` at start-up. The kernel is --kernel or
 * this host's (/boot/vmlinuz-RELEASE, /vmlinuz); the image is
 * --rescue-file, or built now by running this binary's `mkrescue -o -`
 * into a memfd (as root, before the privilege drop and the sandbox, like
 * the GRUB cores) and served by descriptor as BOOTPLAN_PREFIX "rescue.img". */
#ifndef LIFEBOAT_NETBOOT_SERVE_RESCUE_H
#define LIFEBOAT_NETBOOT_SERVE_RESCUE_H

#include "netboot/serve_opts.h"

/* At start-up and on reload: fills in the kernel, checks the file and
 * that HTTP is on. 0, or -ENOENT/-EINVAL (logged). */
int serve_rescue_check(struct serve_opts *o);
/* At start-up, without --rescue-file: builds the image into a memfd
 * (*fd, kept open for the process's life) and points the plan at it.
 * 0 or -errno (logged). */
int serve_rescue_build(struct serve_opts *o, int *fd);
/* On reload: the new options serve the image built at start-up. */
void serve_rescue_inherit(const struct serve_opts *old, struct serve_opts *n);

#endif
