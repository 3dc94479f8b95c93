/* pxe_wire: the bytes of PXE's DHCPv4 options (43 vendor sub-options, PXE
 * spec 2.1; 77 user class, RFC 3004; 97 machine id, RFC 4578) and of the
 * proxy reply around them. Pure: no policy; pxe.c decides, this lays out. */
#ifndef LIFEBOAT_NETBOOT_PXE_WIRE_H
#define LIFEBOAT_NETBOOT_PXE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "netboot/dhcp4_wire.h"

/* Option 43 sub-options (PXE spec 2.1 table 2-1). */
enum pxe_sub {
	PXE_SUB_PAD = 0,
	PXE_SUB_DISCOVERY_CONTROL = 6,
	PXE_SUB_BOOT_SERVERS = 8,
	PXE_SUB_BOOT_MENU = 9,
	PXE_SUB_MENU_PROMPT = 10,
	PXE_SUB_BOOT_ITEM = 71,
	PXE_SUB_END = 255,
};

/* 43.6 bits: 0 no broadcast discovery, 1 no multicast discovery, 3 boot
 * the file in the offer without discovery or menu. */
#define PXE_DISC_NO_BCAST 0x01
#define PXE_DISC_NO_MCAST 0x02
#define PXE_DISC_SKIP 0x08

/* A PXE boot menu (PXE spec 2.1, option 43 sub-options 6, 8, 9, 10). */
#define PXE_MENU_MAX 16
struct pxe_menu {
	size_t n;
	uint16_t type[PXE_MENU_MAX]; /* boot server type of each item; 0 = local boot */
	const char *label[PXE_MENU_MAX];
	const char *prompt;
	uint8_t timeout; /* seconds; 0 = boot the first item at once, 255 = wait */
};

/* The layout of a proxy reply; pxe_choose_shape() (pxe.h) picks one. */
enum pxe_shape {
	PXE_SHAPE_PXE10, /* option 43: discovery control 8 = boot the file directly */
	PXE_SHAPE_BINL,	 /* no option 43: client asks again on 4011 */
	PXE_SHAPE_HTTP,	 /* HTTPClient: URL in file/67, option 60 HTTPClient */
	PXE_SHAPE_RPI,	 /* option 43 with the "Raspberry Pi Boot" menu */
	PXE_SHAPE_MENU,	 /* option 43 with a boot menu (--menu): discovery on 4011 */
	PXE_SHAPE_ITEM,	 /* 4011 answer to a menu choice: 43.71 echoed + file */
};

struct pxe_reply {
	uint8_t type; /* DHCP4_OFFER (port 67) or DHCP4_ACK (port 4011) */
	enum pxe_shape shape;
	uint8_t server_ip[4];		/* our address on the receiving interface */
	const char *file;		/* TFTP path or URL; NULL = none */
	const char *pxelinux_config;	/* option 209, or NULL */
	const char *pxelinux_prefix;	/* option 210, or NULL */
	const struct pxe_menu *menu;	/* PXE_SHAPE_MENU */
	uint16_t item_type, item_layer; /* PXE_SHAPE_ITEM: echoed in 43.71 */
	/* full DHCP (dhcp4_full): the client's address and the address
	 * options (encoded, placed after 54); NULL = a proxy reply */
	const uint8_t *yiaddr;
	const uint8_t *extra;
	size_t extra_len;
};

/* One step over an option 43 payload: 1 with *code and *val (the
 * sub-option's value) set, 0 at END or when no bytes are left, -EBADMSG
 * when a length byte is missing or runs past the payload. PADs are skipped. */
int pxe_wire_sub_next(struct rbuf *r, uint8_t *code, struct rbuf *val);

/* 43.71 (boot item: type, layer) in option 43 payload p[n]: 0 with both
 * set, -ENOENT when absent, -EBADMSG when it is not 4 bytes or a
 * sub-option before it is malformed. */
int pxe_wire_boot_item(const uint8_t *p, size_t n, uint16_t *type, uint16_t *layer);

/* One entry of a user class (option 77) list, RFC 3004: 1 with *s and *len
 * set, 0 when no bytes are left, -EBADMSG when an entry runs past the end. */
int pxe_wire_user_class_next(struct rbuf *r, const uint8_t **s, size_t *len);

/* Whether option 77 payload p[n] names `name`: either as the whole payload
 * (iPXE sends its bare string "iPXE") or as one entry of an RFC 3004 list
 * (entries before a malformed one still count). */
bool pxe_wire_user_class_has(const uint8_t *p, size_t n, const char *name);

/* Option 97: type 0 then a 16-byte GUID; copies all 17 bytes. 0, -ENOENT
 * when absent or empty (p NULL or n 0), -EBADMSG for any other shape. */
int pxe_wire_uuid(const uint8_t *p, size_t n, uint8_t uuid[17]);

/* Writes option 43's payload for menu m offered by server_ip into out:
 * 43.6 = 3 (no broadcast or multicast discovery: ask the listed server),
 * 43.8 one boot server entry per non-local type with server_ip, 43.9 the
 * items, 43.10 prompt + timeout, then 255. Returns its length, -EINVAL for
 * no items (or too many), or -ENOBUFS when it does not fit cap or a
 * sub-option would exceed 255 bytes (a DHCP option holds 255 bytes). */
int pxe_menu_encode(uint8_t *out, size_t cap, const struct pxe_menu *m, const uint8_t server_ip[4]);

/* Whole option 43s (code, length, payload), each written completely or
 * not at all: 0, or -ENOBUFS with w unchanged (-EINVAL: bad menu). */
int pxe_wire_put_discovery(struct wbuf *w, uint8_t control);
int pxe_wire_put_rpi(struct wbuf *w);
int pxe_wire_put_menu(struct wbuf *w, const struct pxe_menu *m, const uint8_t server_ip[4]);
int pxe_wire_put_item(struct wbuf *w, uint16_t type, uint16_t layer);

/* The whole proxy reply r to req: header (yiaddr 0, siaddr and sname our
 * address, ciaddr echoed in an ACK), options 53, 54, 60 ("HTTPClient" when
 * http, else "PXEClient"), 97 when uuid is not NULL, 43 by shape, 66/67
 * with a file, 209/210, END. 0, -EINVAL (file too long for the fixed field:
 * refused, not truncated, or a bad menu) or -ENOBUFS. */
int pxe_wire_build_reply(struct wbuf *w, const struct dhcp4_msg *req, const struct pxe_reply *r,
			 bool http, const uint8_t *uuid);

#endif
