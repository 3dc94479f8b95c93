/* bootplan: what a given client boots. Pure policy: per-architecture boot
 * files (--boot KEY=FILE), kernel mode (--kernel/--initrd/--cmdline: chain
 * to iPXE, then a generated script fetches kernel and initrds over HTTP),
 * and the names under the reserved "lifeboat/" prefix that the TFTP and HTTP
 * servers resolve to iPXE images, the kernel, initrds and the script. */
#ifndef LIFEBOAT_NETBOOT_BOOTPLAN_H
#define LIFEBOAT_NETBOOT_BOOTPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netboot/api_wire.h"
#include "netboot/pxe.h"

#define BOOTPLAN_MAX_BOOT 32
#define BOOTPLAN_MAX_INITRD 8
#define BOOTPLAN_PREFIX "lifeboat/"

struct bootplan_entry {
	const char *key;  /* an arch key (pxe.h table), "ipxe" or "other" */
	const char *file; /* relative to ROOT, or an http:// URL */
};

#define BOOTPLAN_MAX_HOSTS 64

/* --host rule: a MAC pattern (each octet exact or '*') and what to do. */
struct bootplan_host {
	uint8_t mac[6];
	uint8_t mask[6];  /* 0xff where the octet must match */
	bool ignore;	  /* stay silent for this machine */
	bool rescue;	  /* MAC=rescue: this machine boots --rescue (then only these do) */
	const char *key;  /* only for this arch key, or NULL for any */
	const char *file; /* boot this instead (relative to ROOT or URL) */
};

struct boot_choice;

/* --api: how the "api" row reaches the API client (api.h), set by serve.
 * decide: 0 with *b (boot it), or -errno (no offer) with *why; latest: the
 * last 200 answer for a MAC, expired or not (the script of a machine
 * already booting), or NULL. */
struct bootplan_api {
	int (*decide)(void *arg, const uint8_t mac[6], const struct api_boot **b, const char **why);
	const struct api_boot *(*latest)(void *arg, const uint8_t mac[6]);
	void *arg;
};

#define BOOTPLAN_MAX_MENU 16
#define BOOTPLAN_MENU_TIMEOUT_DEFAULT 10

/* --menu "LABEL=ARCH:FILE" (or ARCH:local): one item of the PXE boot menu
 * (PXE spec 2.1 option 43.9) that firmware of architecture ARCH shows. */
struct bootplan_menu_item {
	char label[64];
	const char *key;  /* arch key (pxe.h table) */
	const char *file; /* relative to ROOT or URL; NULL = local boot (type 0) */
	uint16_t type;	  /* boot server type: 0 local, else 0x8080 + i * 0x0101 */
};

struct bootplan {
	struct bootplan_entry boot[BOOTPLAN_MAX_BOOT];
	size_t n_boot;
	const char *kernel;
	const char *initrd[BOOTPLAN_MAX_INITRD];
	size_t n_initrd;
	const char *cmdline;
	const char *ipxe_dir;
	/* kernel mode, x86-64 UEFI over IPv6: the iPXE image (under ipxe_dir)
	 * handed out instead of snponly.efi, which hangs when UEFI PXE started
	 * it over IPv6 (Debian's 2019 build); NULL = none. Set by serve. */
	const char *ipxe6;
	const char *pxelinux_config; /* DHCP option 209, sent when set */
	const char *pxelinux_prefix; /* DHCP option 210, sent when set */
	/* --no-router-request-ack: a PXE client's REQUEST on udp/67 that
	 * selects another server's offer stays unanswered (doc/coexist.md) */
	bool no_router_request_ack;
	struct bootplan_host hosts[BOOTPLAN_MAX_HOSTS];
	size_t n_hosts;
	struct bootplan_menu_item menu[BOOTPLAN_MAX_MENU];
	size_t n_menu;
	const char *menu_prompt; /* 43.10 text; NULL = default */
	uint8_t menu_timeout;	 /* 43.10 seconds: 0 first item at once, 255 wait */
	bool menu_timeout_set;	 /* else BOOTPLAN_MENU_TIMEOUT_DEFAULT */
	/* --grub: bios and efi64 clients boot GRUB cores lifeboat builds (bit
	 * 1 << enum grub_target set once that target's core can be built) */
	bool grub;
	bool grub_signed; /* --grub-signed: efi64 gets shim + signed grubnetx64 */
	const char *grub_dir;
	unsigned grub_targets;
	/* not --grub, but this host's default (serve_grub_default, an arm64
	 * host in kernel mode): only these targets get GRUB */
	unsigned grub_auto;
	uint32_t ipxe_missing; /* bit i: pxe_arch_table()[i].ipxe is not in ipxe_dir */
	int kernel_arch;       /* enum kimage_arch of --kernel (set by serve's checks) */
	/* --rescue: kernel mode with the rescue image as the initrd and a
	 * command line that makes it phone home (lifeboat.home=); the iPXE
	 * script is generated per server address the client reached
	 * (BOOTPLAN_PREFIX "rescue/ADDR/boot.ipxe"). rescue_image: the host
	 * file served as BOOTPLAN_PREFIX "rescue.img" (--rescue-file, or the
	 * image serve built at start-up, "/proc/self/fd/N"). Set by serve. */
	bool rescue;
	const char *rescue_file;
	const char *rescue_image;
	/* boot menu mode (netmenu.h): no kernel, boot file or ROOT; iPXE is
	 * chain-loaded and fetches lifeboat/menu/SERVER/menu.ipxe */
	bool netmenu;
	uint16_t http_port;
	bool http; /* HTTP server enabled */
	/* --api URL: every machine's boot is the inventory's answer (api.h) */
	const char *api_url;
	unsigned api_ttl;		/* --api-ttl seconds */
	unsigned api_timeout_ms;	/* --api-timeout */
	const struct bootplan_api *api; /* set by serve once the client runs */
	bool tftp;			/* TFTP server enabled */
};

/* Adds "KEY=FILE" (as given to --boot). 0, -EINVAL (unknown key or no
 * '='; *err says why), -E2BIG (too many). Later entries replace earlier
 * ones with the same key. */
int bootplan_add_boot(struct bootplan *p, const char *spec, const char **err);

/* Adds "MAC=ignore", "MAC=rescue", "MAC=FILE", "MAC=ARCH:FILE" or "MAC=entry:NAME"
 * (a boot menu entry picked without the menu; as given to --host).
 * MAC octets may be '*' (e.g. "b8:27:eb:*:*:*", or "b8:27:eb:*" for a
 * whole OUI). 0 or -EINVAL/-E2BIG with *err saying why. */
int bootplan_add_host(struct bootplan *p, const char *spec, const char **err);

/* Adds "LABEL=ARCH:FILE" or "LABEL=ARCH:local" (as given to --menu). The
 * LABEL may hold spaces but no '='; items keep their order. 0 or
 * -EINVAL/-E2BIG with *err saying why. */
int bootplan_add_menu(struct bootplan *p, const char *spec, const char **err);

/* The menu items firmware of client c is shown, in order, into items
 * (at most max). 0 when c gets no menu: an HTTP boot client, a Raspberry
 * Pi, a machine with a --host rule, an iPXE client when an "ipxe" entry or
 * kernel mode answers it, or no item for its architecture. */
size_t bootplan_menu_for(const struct bootplan *p, const struct pxe_client *c,
			 const struct bootplan_menu_item **items, size_t max);

/* The item with boot server type `type` (as sent back in 43.71), or NULL. */
const struct bootplan_menu_item *bootplan_menu_by_type(const struct bootplan *p, uint16_t type);

/* The prompt and timeout actually sent (defaults applied). */
const char *bootplan_menu_prompt(const struct bootplan *p);
uint8_t bootplan_menu_timeout(const struct bootplan *p);

/* Checks that option 43 with the menu of every architecture fits in one
 * DHCP option (255 bytes). 0, or -E2BIG with a message in err[cap]. */
int bootplan_menu_check(const struct bootplan *p, char *err, size_t cap);

/* The file of a chosen menu item for client c (answer on 4011): 0, or
 * -EPERM / -ENOENT / -ENAMETOOLONG like bootplan_choose (-ENOENT also for
 * a local boot item, which no client asks a server for). */
int bootplan_choose_item(const struct bootplan *p, const struct pxe_client *c,
			 const struct bootplan_menu_item *it, const uint8_t ip[4],
			 struct boot_choice *out);

/* The first --host rule matching mac, or NULL. Exact rules (no '*') are
 * tried before wildcard ones. */
const struct bootplan_host *bootplan_host_for(const struct bootplan *p, const uint8_t mac[6]);

struct boot_choice {
	char file[128];	 /* TFTP path or http:// URL, fits BOOTP's file field */
	const char *why; /* short reason for the log */
	/* the strategy (row of bootplan.c's table) that decided, e.g. "host",
	 * "arch-file", "grub", "kernel", "menu"; NULL when none did */
	const char *rule;
};

/* Picks the boot target for client c reached through our address ip.
 * Returns 0 (out->file may be empty: offer siaddr only, for U-Boot in
 * kernel mode), -EPERM for a machine a --host rule ignores or --api does not boot (404, lookup
 * pending or failed), -ENOENT when nothing is configured for
 * this client (stay silent; *why says so), -ELOOP when the choice would chain-load iPXE into
 * itself, -ENAMETOOLONG when the name does not fit. */
int bootplan_choose(const struct bootplan *p, const struct pxe_client *c, const uint8_t ip[4],
		    struct boot_choice *out);
/* The same with our address as URL host text: "192.0.2.2" or "[2001:db8::2]"
 * (DHCPv6). */
int bootplan_choose_host(const struct bootplan *p, const struct pxe_client *c, const char *host,
			 struct boot_choice *out);

/* A name under "lifeboat/" resolved: either a host file to open (outside
 * the served root, chosen by the user on the command line) or generated
 * text written into the caller's buffer. */
struct bootplan_file {
	const char *host_path; /* NULL when text is set */
	const char *text;
	size_t text_len;
	/* --grub: a core image built at start-up (grub_core = 1 + enum
	 * grub_target, for address grub_ip), or grub_rel beneath a module
	 * tree (grub_tree = 1 + enum grub_target) */
	int grub_core;
	uint8_t grub_ip[4];
	int grub_tree;
	const char *grub_rel;
	/* root mode: search ROOT for this client's grub.cfg (grub_cfg_search) */
	bool grub_client_cfg;
	bool grub_has_mac;
	uint8_t grub_mac[6];
};

/* Resolves a cleaned client path. Returns 0 and fills *out, -ENOENT when
 * the path is not under the "lifeboat/" prefix (or, with --grub, GRUB's
 * module trees and kernel mode's grub/grub.cfg; in kernel mode,
 * BOOTPLAN_PXELINUX_CFG: the caller lets ROOT's own file win) or names
 * nothing. buf/cap
 * hold generated text (the iPXE script). */
int bootplan_lookup(const struct bootplan *p, const char *clean, char *buf, size_t cap,
		    struct bootplan_file *out);

/* Kernel mode's answer to U-Boot's `pxe get`: the pxelinux-style config it
 * finds at this name (after its per-MAC and per-IP names miss), booting the
 * kernel and the first initrd over TFTP from the "lifeboat/" names. */
#define BOOTPLAN_PXELINUX_CFG "pxelinux.cfg/default"

/* Writes that config into buf. Returns its length or -ENOBUFS. */
int bootplan_pxelinux_cfg(const struct bootplan *p, char *buf, size_t cap);

/* Writes the iPXE script of kernel mode into buf. Returns its length or
 * -ENOBUFS. URLs are relative, so iPXE resolves them against the
 * script's own URL, whatever address it was fetched from. */
int bootplan_ipxe_script(const struct bootplan *p, char *buf, size_t cap);

/* Writes the iPXE script of --rescue for a client that reached us at host
 * (an IPv4 or IPv6 address as text, no brackets) into buf: the kernel, the
 * rescue image and the command line with lifeboat.home=http://HOST:PORT.
 * Returns its length, -EINVAL (host is no address) or -ENOBUFS. */
int bootplan_rescue_script(const struct bootplan *p, const char *host, char *buf, size_t cap);

/* --api: the iPXE script booting answer b for a client that reached us at
 * host (an address as text, IPv6 without brackets) on HTTP port: kernel
 * and initrds by URL (a path is served from ROOT, a URL fetched by iPXE
 * itself), the command line with its {{ URL "..." }} expanded, the message
 * echoed. Its length, -EINVAL (host is no address) or -ENOBUFS. */
int bootplan_api_script(const struct api_boot *b, const char *host, uint16_t port, char *buf,
			size_t cap);

/* The name of the rescue image under BOOTPLAN_PREFIX. */
#define BOOTPLAN_RESCUE_IMAGE "rescue.img"

/* The configured boot entry for key, or NULL. */
const char *bootplan_file_for(const struct bootplan *p, const char *key);

#endif
