/* dhcp4c_wire: the DHCPv4 client's side of the wire (RFC 2131/2132): the
 * DISCOVER/REQUEST/RELEASE it sends and the OFFER/ACK/NAK it reads. Pure,
 * through core/buf; replies are untrusted (any host on the LAN may send
 * them), so every option is length-checked before it is believed. */
#ifndef LIFEBOAT_RESCUE_DHCP4C_WIRE_H
#define LIFEBOAT_RESCUE_DHCP4C_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define DHCP4C_MAX_DNS 4
#define DHCP4C_PKT_MAX 576 /* what we send and advertise (option 57) */

enum dhcp4c_msg_type {
	DHCP4C_DISCOVER = 1,
	DHCP4C_OFFER = 2,
	DHCP4C_REQUEST = 3,
	DHCP4C_ACK = 5,
	DHCP4C_NAK = 6,
	DHCP4C_RELEASE = 7,
};

/* One message we send. Zero addresses mean "absent". */
struct dhcp4c_req {
	uint8_t type; /* DISCOVER, REQUEST or RELEASE */
	uint32_t xid;
	uint16_t secs;
	bool broadcast; /* the BOOTP broadcast flag: we cannot take unicast yet */
	uint8_t mac[6];
	uint8_t ciaddr[4];    /* RENEWING/REBINDING/RELEASE: our address */
	uint8_t req_ip[4];    /* option 50 (REQUESTING) */
	uint8_t server_id[4]; /* option 54 (REQUESTING, RELEASE) */
	const char *hostname; /* option 12, or NULL */
};

/* What a reply says, already checked. */
struct dhcp4c_reply {
	uint8_t type; /* option 53 */
	uint32_t xid;
	uint8_t chaddr[6];
	uint8_t yiaddr[4];
	uint8_t server_id[4]; /* option 54; all zero when absent */
	uint8_t netmask[4];
	bool has_netmask;
	uint8_t router[4]; /* the first of option 3 */
	bool has_router;
	uint8_t dns[DHCP4C_MAX_DNS][4];
	uint8_t n_dns;
	char domain[256];	      /* option 15, printable DNS-name characters only, else "" */
	uint16_t mtu;		      /* option 26, 0 when absent */
	uint32_t lease_s, t1_s, t2_s; /* 51, 58, 59; 0 when absent */
};

/* Builds r into w (padded to the BOOTP minimum of 300 bytes). 0 or
 * -ENOBUFS, -EINVAL for a type we never send. */
int dhcp4c_build(struct wbuf *w, const struct dhcp4c_req *r);

/* Parses a BOOTREPLY for an Ethernet client. 0, or -EBADMSG: truncated,
 * not a reply, no magic cookie, no or unknown option 53, an option running
 * past its area, or a known option with a wrong length. Option overload
 * (52) is honoured; repeated fixed-size options: the last one counts. */
int dhcp4c_parse(const void *pkt, size_t len, struct dhcp4c_reply *r);

/* Prefix length of a contiguous netmask, -1 for a non-contiguous one. */
int dhcp4c_mask_prefix(const uint8_t mask[4]);

#endif
