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
int serve_grub_start(struct bootfiles_grub *g, const struct bootplan *plan,
		     const struct iface_set *ifs, uint16_t tftp_port);
void serve_grub_stop(struct bootfiles_grub *g);
struct sandbox;
/* Keeps the module trees (where their symlinks lead) and the signed
 * images' directories readable once sandboxed. */
void serve_grub_sandbox(struct sandbox *sb, const struct bootplan *plan);

#endif
