/* pxe: netboot policy for DHCPv4. Recognises a netboot client from its
 * options (60, 93, 94, 97, 77, 175, MAC OUI), and chooses the shape of the
 * proxy offer on port 67 and the answer on port 4011 that client family
 * accepts (see shared/notes/netboot-clients.md); pxe_wire lays out the
 * bytes. It never assigns addresses: every reply has yiaddr 0. */
#ifndef LIFEBOAT_NETBOOT_PXE_H
#define LIFEBOAT_NETBOOT_PXE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "netboot/dhcp4_wire.h"
#include "netboot/pxe_wire.h"

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

/* Option 43 sub-option 71 (boot item: type, layer) of a request on 4011.
 * 0 with the type and layer set, -ENOENT when absent, -EBADMSG when malformed. */
int pxe_boot_item(const struct dhcp4_msg *m, uint16_t *type, uint16_t *layer);

enum pxe_shape pxe_choose_shape(const struct pxe_client *c);
const char *pxe_shape_name(enum pxe_shape s);

/* Builds the reply to req for client c into w (pxe_wire_build_reply with
 * what c asks to be echoed). 0 or -ENOBUFS/-EINVAL. */
int pxe_build_reply(struct wbuf *w, const struct dhcp4_msg *req, const struct pxe_client *c,
		    const struct pxe_reply *r);

#endif
