/* pxe: netboot policy for DHCPv4. Recognises a netboot client from its
 * options (60, 93, 94, 97, 77, 175, MAC OUI), and builds the proxy offer
 * on port 67 and the answer on port 4011 in the shape that client family
 * accepts (see shared/notes/netboot-clients.md). It never assigns
 * addresses: every reply has yiaddr 0. */
#ifndef LIFEBOAT_NETBOOT_PXE_H
#define LIFEBOAT_NETBOOT_PXE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "netboot/dhcp4_wire.h"

enum pxe_fw {
	PXE_FW_BIOS,
	PXE_FW_UEFI,
	PXE_FW_UBOOT,
	PXE_FW_RPI,
};

/* One row per IANA processor architecture type (option 93 / DHCPv6 61). */
struct pxe_arch {
	uint16_t code;
	const char *key;      /* what --boot KEY=FILE names */
	const char *fallback; /* key tried when KEY has no file (http -> pxe) */
	const char *desc;
	enum pxe_fw fw;
	bool http;	  /* UEFI HTTP boot: wants a URL */
	const char *ipxe; /* iPXE image for kernel mode, relative to --ipxe-dir */
};

const struct pxe_arch *pxe_arch_by_code(uint16_t code);
const struct pxe_arch *pxe_arch_by_key(const char *key);
/* For iteration (usage text, config validation). */
const struct pxe_arch *pxe_arch_table(size_t *n);
/* a's index in that table, or -1 ("other"). */
int pxe_arch_index(const struct pxe_arch *a);

struct pxe_client {
	uint8_t mac[6];
	uint16_t arch;
	const struct pxe_arch *ai; /* never NULL after a successful classify */
	bool arch_from_opt;	   /* option 93 present */
	bool http;		   /* vendor class HTTPClient */
	bool uboot;		   /* vendor class "U-Boot.*" */
	bool ipxe;		   /* already iPXE: user class "iPXE" or option 175 */
	bool rpi;
	bool has_uuid;
	uint8_t uuid[17];
	bool has_nii;
	uint8_t nii[3];
	char vclass[48]; /* option 60, sanitised, for logs */
};

/* Fills *c from a request. Returns 0 for a netboot client (option 60
 * PXEClient, HTTPClient or U-Boot.*), -ENOENT for anyone else (stay
 * silent), -EBADMSG for a netboot client whose PXE
 * options are malformed (stay silent, log). */
int pxe_classify(const struct dhcp4_msg *m, struct pxe_client *c);

/* A PXE boot menu (PXE spec 2.1, option 43 sub-options 6, 8, 9, 10). */
#define PXE_MENU_MAX 16
struct pxe_menu {
	size_t n;
	uint16_t type[PXE_MENU_MAX]; /* boot server type of each item; 0 = local boot */
	const char *label[PXE_MENU_MAX];
	const char *prompt;
	uint8_t timeout; /* seconds; 0 = boot the first item at once, 255 = wait */
};

/* Writes option 43's payload for menu m offered by server_ip into out:
 * 43.6 = 3 (no broadcast or multicast discovery: ask the listed server),
 * 43.8 one boot server entry per non-local type with server_ip, 43.9 the
 * items, 43.10 prompt + timeout, then 255. Returns its length, or
 * -ENOBUFS when it does not fit cap (a DHCP option holds 255 bytes). */
int pxe_menu_encode(uint8_t *out, size_t cap, const struct pxe_menu *m, const uint8_t server_ip[4]);

/* Option 43 sub-option 71 (boot item: type, layer) of a request on 4011.
 * 0 with the type and layer set, -ENOENT when absent, -EBADMSG when malformed. */
int pxe_boot_item(const struct dhcp4_msg *m, uint16_t *type, uint16_t *layer);

enum pxe_shape {
	PXE_SHAPE_PXE10, /* option 43: discovery control 8 = boot the file directly */
	PXE_SHAPE_BINL,	 /* no option 43: client asks again on 4011 */
	PXE_SHAPE_HTTP,	 /* HTTPClient: URL in file/67, option 60 HTTPClient */
	PXE_SHAPE_RPI,	 /* option 43 with the "Raspberry Pi Boot" menu */
	PXE_SHAPE_MENU,	 /* option 43 with a boot menu (--menu): discovery on 4011 */
	PXE_SHAPE_ITEM,	 /* 4011 answer to a menu choice: 43.71 echoed + file */
};

enum pxe_shape pxe_choose_shape(const struct pxe_client *c);
const char *pxe_shape_name(enum pxe_shape s);

struct pxe_reply {
	uint8_t type; /* DHCP4_OFFER (port 67) or DHCP4_ACK (port 4011) */
	enum pxe_shape shape;
	uint8_t server_ip[4];		/* our address on the receiving interface */
	const char *file;		/* TFTP path or URL; NULL = none */
	const char *pxelinux_config;	/* option 209, or NULL */
	const char *pxelinux_prefix;	/* option 210, or NULL */
	const struct pxe_menu *menu;	/* PXE_SHAPE_MENU */
	uint16_t item_type, item_layer; /* PXE_SHAPE_ITEM: echoed in 43.71 */
};

/* Builds the reply to req for client c into w. 0 or -ENOBUFS/-EINVAL. */
int pxe_build_reply(struct wbuf *w, const struct dhcp4_msg *req, const struct pxe_client *c,
		    const struct pxe_reply *r);

#endif
