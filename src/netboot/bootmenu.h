/* bootmenu: the boot menu scripts of `lifeboat serve` with no kernel or
 * boot file (pure): an iPXE menu for BIOS and UEFI and a grub.cfg menu,
 * "Boot from local disk" first and the default after the timeout. Entries
 * are rows (an ISO, --entry, the host's Debian installer; the lifeboat
 * rescue, the whole-ISO fallback). */
#ifndef LIFEBOAT_NETBOOT_BOOTMENU_H
#define LIFEBOAT_NETBOOT_BOOTMENU_H

#include <stdbool.h>
#include <stddef.h>

#define BOOTMENU_MAX_INITRD 4

enum bootmenu_fw { BOOTMENU_BIOS, BOOTMENU_EFI };

/* One entry. kernel and initrd are absolute paths on the server
 * ("/lifeboat/iso/x/live/vmlinuz"); cmdline is final (URLs filled in). */
struct bootmenu_item {
	const char *id; /* [a-z0-9-] label for goto / --id */
	const char *label;
	const char *kernel;
	const char *initrd[BOOTMENU_MAX_INITRD];
	size_t n_initrd;
	const char *cmdline;
	/* instead of kernel: the whole image, booted with iPXE's sanboot
	 * (path of the ISO on the server; NULL: not in iPXE menus) */
	const char *sanboot;
	/* instead of kernel, in GRUB menus: the whole image (path on the
	 * server) as a loopback device over HTTP, booted by its own
	 * /boot/grub/loopback.cfg with iso_path set (NULL: not in GRUB menus) */
	const char *loopback;
};

struct bootmenu {
	const char *server; /* "192.0.2.1:8080": where the files are */
	const char *mac;    /* the client's MAC when known, else NULL */
	unsigned timeout_s; /* then local disk */
	const struct bootmenu_item *items;
	size_t n;
	int pick; /* index of the item a --host rule picks (no menu), or -1 */
};

/* The iPXE menu script for firmware fw. Length, or -ENOBUFS. */
int bootmenu_ipxe(const struct bootmenu *m, enum bootmenu_fw fw, char *buf, size_t cap);

/* The first script iPXE fetches: it chains to the per-firmware, per-MAC
 * script ("<platform>-<mac>.ipxe" beside it). Length or -ENOBUFS. */
int bootmenu_ipxe_dispatch(char *buf, size_t cap);

/* In grub.cfg, the server as GRUB knows it (from $prefix): pass it as
 * bootmenu.server, and the command lines' URLs expand it. */
#define BOOTMENU_GRUB_SERVER "${lb_server}"

/* The grub.cfg menu (GRUB's own platform check picks the local-disk way).
 * picks: exact MACs ("52:54:00:..") and the item index each picks, for
 * GRUB's $net_default_mac. Length or -ENOBUFS. */
struct bootmenu_pick {
	char mac[18];
	int item;
};
int bootmenu_grub(const struct bootmenu *m, const struct bootmenu_pick *picks, size_t n_picks,
		  char *buf, size_t cap);

#endif
