/* serve_grub: --grub at start-up: checks for grub-mkimage and the module
 * trees, builds a GRUB core per target and address into memfds and opens
 * the trees for the resolver (bootfiles), before privileges are dropped. */
#ifndef LIFEBOAT_NETBOOT_SERVE_GRUB_H
#define LIFEBOAT_NETBOOT_SERVE_GRUB_H

#include <stdbool.h>
#include <stdint.h>

#include "netboot/bootfiles.h"
#include "netboot/bootplan.h"
#include "netboot/fsroot.h"
#include "netboot/iface.h"

/* check: finds grub-mkimage and the module trees,
 * sets plan->grub_targets, logs what is missing (and which package has
 * it); 0 or -ENOENT. start: builds the cores for every address of ifs and
 * opens the trees (as root, before the drop); 0 or -errno. */
int serve_grub_check(struct bootplan *plan, const struct fsroot *root, bool have_root);
/* Kernel mode without --grub: turns GRUB on for the targets this host
 * boots with its own GRUB by default (grub_auto_targets: an arm64 host's
 * ARM64 UEFI clients when --ipxe-dir has no arm64 iPXE), from uname(2) and
 * what is installed; sets plan->grub and plan->grub_auto and says so. */
void serve_grub_default(struct bootplan *plan);
int serve_grub_start(struct bootfiles_grub *g, const struct bootplan *plan,
		     const struct iface_set *ifs, uint16_t tftp_port);
void serve_grub_stop(struct bootfiles_grub *g);
struct sandbox;
/* Keeps the module trees (where their symlinks lead) and the signed
 * images' directories readable once sandboxed. */
void serve_grub_sandbox(struct sandbox *sb, const struct bootplan *plan);

#endif
