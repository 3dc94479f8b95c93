/* netmenu: the boot menu of `lifeboat serve` with no kernel or boot file.
 * Opens at start-up (before privileges are dropped) every --iso and the
 * ISOs of --iso-dir, detects their layouts (isolayout), the --entry host
 * files and the host's Debian installer, and answers the served names:
 *   lifeboat/menu/SERVER/menu.ipxe              iPXE: chain to the next
 *   lifeboat/menu/SERVER/PLATFORM-MAC.ipxe      the menu (bootmenu)
 *   lifeboat/iso/NAME.iso                       the whole image
 *   lifeboat/iso/NAME/PATH                      a file inside it (offset)
 *   lifeboat/entry/K/I/BASENAME                 --entry kernel (0), initrds;
 *                                               the rescue entry's kernel, image
 * Files are served from the ISO descriptor at their offset (bootfile.base):
 * nothing is extracted. */
#ifndef LIFEBOAT_NETBOOT_NETMENU_H
#define LIFEBOAT_NETBOOT_NETMENU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netboot/bootfiles.h"
#include "netboot/bootmenu.h"
#include "netboot/bootplan.h"
#include "netboot/iso9660.h"
#include "netboot/isolayout.h"

#define NETMENU_MAX_ISOS 64
#define NETMENU_MAX_ITEMS 80
/* where Debian's debian-installer-*-netboot-* packages put their images */
#define NETMENU_DI_ROOT "/usr/lib/debian-installer"

struct netmenu_iso {
	char name[64]; /* URL-safe: served as lifeboat/iso/NAME */
	char path[512];
	int fd;
	struct iso_image img;
	struct isolayout_found found;
	bool loopback_cfg; /* no known layout, /boot/grub/loopback.cfg: GRUB boots it whole */
};

/* --entry "LABEL=kernel:FILE,initrd:FILE,...,cmdline:STR" parsed. */
struct netmenu_spec {
	char label[80];
	char kernel[512];
	char initrd[BOOTMENU_MAX_INITRD][512];
	size_t n_initrd;
	char cmdline[512];
};

struct netmenu_item {
	char id[16];
	char label[96];
	int iso; /* index in isos, or -1: host files (spec) */
	struct netmenu_spec spec;
	int fd[1 + BOOTMENU_MAX_INITRD]; /* host files: kernel, initrds */
	uint64_t size[1 + BOOTMENU_MAX_INITRD];
	bool rescue;  /* the lifeboat rescue: lifeboat.home= on its command line */
	bool pending; /* its image is still being built: not shown, not served */
};

struct netmenu {
	struct netmenu_iso *isos;
	size_t n_isos;
	struct netmenu_item *items;
	size_t n_items;
	unsigned timeout_s;
	char iso_cmdline[256]; /* --iso-cmdline */
};

/* What to put in the menu. */
struct netmenu_config {
	const char *const *isos;
	size_t n_isos;
	const char *const *iso_dirs;
	size_t n_iso_dirs;
	const char *const *entries;
	size_t n_entries;
	const char *di_root; /* where debian-installer-*-netboot-* live, NULL: none */
	unsigned timeout_s;
	const char *iso_cmdline; /* added to every ISO entry's command line, or NULL */
	/* the lifeboat rescue entry: its kernel (NULL: none), its image
	 * (NULL: pending until netmenu_rescue_ready), command-line extras */
	const char *rescue_kernel, *rescue_file, *rescue_cmdline;
};

/* The entry id of the lifeboat rescue (--host MAC=entry:rescue). */
#define NETMENU_RESCUE_ID "rescue"

/* Parses an --entry spec. 0 or -EINVAL with *why. Pure. */
int netmenu_parse_entry(const char *spec, struct netmenu_spec *out, const char **why);

/* Opens everything cfg names. 0, or -errno with the reason logged (an
 * --iso that cannot be read or has no known layout; an --iso-dir's
 * unknown ISO is only warned about). */
int netmenu_open(struct netmenu *m, const struct netmenu_config *cfg);
void netmenu_close(struct netmenu *m);
/* The rescue image built in the background: fd (now the menu's) and its
 * size; fd -1: the build failed, the entry stays hidden. */
void netmenu_rescue_ready(struct netmenu *m, int fd, uint64_t size);

/* The resolver row: 1 with *f filled, 0 when clean is not a menu name,
 * -errno. */
int netmenu_resolve(const struct netmenu *m, const struct bootplan *p, const char *clean,
		    struct bootfile *f);

/* The layout-detection callback over an opened image (isolayout_find_fn). */
int netmenu_iso_find(void *arg, const char *pattern, char *out, size_t cap);

#endif
