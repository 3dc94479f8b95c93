/* dhcp4_wire: BOOTP/DHCPv4 parse and build (RFC 951, 2131, 2132, 3396).
 * Pure: no sockets, no policy. Parsing copies options into the message so
 * long options split over several instances (RFC 3396) come out whole, and
 * honours option overload (52) into the file and sname fields. */
#ifndef LIFEBOAT_NETBOOT_DHCP4_WIRE_H
#define LIFEBOAT_NETBOOT_DHCP4_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define DHCP4_FIXED_LEN 236
#define DHCP4_MAGIC 0x63825363u
#define DHCP4_MIN_REPLY 300 /* BOOTP minimum; some ROMs drop shorter replies */
#define DHCP4_OPTBUF 2048

enum {
	DHCP4_BOOTREQUEST = 1,
	DHCP4_BOOTREPLY = 2,
};

enum dhcp4_type {
	DHCP4_DISCOVER = 1,
	DHCP4_OFFER = 2,
	DHCP4_REQUEST = 3,
	DHCP4_DECLINE = 4,
	DHCP4_ACK = 5,
	DHCP4_NAK = 6,
	DHCP4_RELEASE = 7,
	DHCP4_INFORM = 8,
};

enum dhcp4_opt_code {
	DHCP4_OPT_PAD = 0,
	DHCP4_OPT_HOSTNAME = 12,
	DHCP4_OPT_VENDOR = 43,
	DHCP4_OPT_REQ_IP = 50,
	DHCP4_OPT_OVERLOAD = 52,
	DHCP4_OPT_MSG_TYPE = 53,
	DHCP4_OPT_SERVER_ID = 54,
	DHCP4_OPT_PARAM_LIST = 55,
	DHCP4_OPT_MAX_SIZE = 57,
	DHCP4_OPT_VENDOR_CLASS = 60,
	DHCP4_OPT_CLIENT_ID = 61,
	DHCP4_OPT_TFTP_SERVER = 66,
	DHCP4_OPT_BOOTFILE = 67,
	DHCP4_OPT_USER_CLASS = 77,
	DHCP4_OPT_CLIENT_ARCH = 93,
	DHCP4_OPT_CLIENT_NII = 94,
	DHCP4_OPT_CLIENT_UUID = 97,
	DHCP4_OPT_IPXE_ENCAP = 175,
	DHCP4_OPT_PXELINUX_CONFIGFILE = 209,
	DHCP4_OPT_PXELINUX_PATHPREFIX = 210,
	DHCP4_OPT_END = 255,
};

struct dhcp4_optval {
	uint16_t off; /* into optbuf */
	uint16_t len;
	bool present;
};

struct dhcp4_msg {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	uint8_t ciaddr[4], yiaddr[4], siaddr[4], giaddr[4];
	uint8_t chaddr[16];
	uint8_t sname[64];
	uint8_t file[128];
	bool has_magic;	  /* plain BOOTP requests have no cookie and no options */
	uint8_t msg_type; /* option 53, 0 when absent */
	struct dhcp4_optval opt[256];
	uint8_t optbuf[DHCP4_OPTBUF];
	uint16_t optbuf_len;
};

/* Parses a BOOTREQUEST/BOOTREPLY. Returns 0 or -EBADMSG (truncated header,
 * hlen > 16, option running past the end, bad option 53, overflow). */
int dhcp4_parse(const void *pkt, size_t len, struct dhcp4_msg *m);

/* The value of option code, or NULL (and *len 0) when absent. */
const uint8_t *dhcp4_opt(const struct dhcp4_msg *m, uint8_t code, size_t *len);
/* Typed getters that insist on exact lengths: 0 or -ENOENT/-EBADMSG. */
int dhcp4_opt_u8(const struct dhcp4_msg *m, uint8_t code, uint8_t *v);
int dhcp4_opt_be16(const struct dhcp4_msg *m, uint8_t code, uint16_t *v);
int dhcp4_opt_ip(const struct dhcp4_msg *m, uint8_t code, uint8_t ip[4]);

/* Reply building: header, then options, then dhcp4_build_end() which adds
 * the END option and pads to DHCP4_MIN_REPLY. All return 0 or -ENOBUFS. */
struct dhcp4_hdr {
	uint8_t op;
	uint32_t xid;
	uint16_t secs, flags;
	uint8_t ciaddr[4], yiaddr[4], siaddr[4], giaddr[4];
	uint8_t chaddr[16];
	uint8_t hlen;
	const char *sname; /* NUL-terminated, < 64 bytes, or NULL */
	const char *file;  /* NUL-terminated, < 128 bytes, or NULL */
};
int dhcp4_build_header(struct wbuf *w, const struct dhcp4_hdr *h);
/* Splits values longer than 255 bytes into consecutive instances (RFC 3396). */
int dhcp4_build_opt(struct wbuf *w, uint8_t code, const void *data, size_t len);
int dhcp4_build_opt_u8(struct wbuf *w, uint8_t code, uint8_t v);
int dhcp4_build_end(struct wbuf *w);

const char *dhcp4_type_name(uint8_t t);

#endif
