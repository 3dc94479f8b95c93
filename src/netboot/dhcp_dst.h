/* dhcp_dst: where a DHCP reply may go, for both DHCP versions. Replies that
 * do not go back on the client's link by the standard path (a relay's
 * giaddr, a udp/4011 or DHCPv6 requester's source address) must go to a
 * plausible unicast address: else a spoofed request would make lifeboat
 * send to a broadcast or multicast group, to itself, or to loopback. Pure. */
#ifndef LIFEBOAT_NETBOOT_DHCP_DST_H
#define LIFEBOAT_NETBOOT_DHCP_DST_H

#include <netinet/in.h>

#include "netboot/iface.h"

enum dhcp_dst_kind {
	DHCP_DST_CLIENT, /* the source of a unicast request (4011, DHCPv6) */
	DHCP_DST_RELAY,	 /* a relay agent (DHCPv4 giaddr) */
};

/* 0 when a reply may go to dst, received on ifc; else -EADDRNOTAVAIL with
 * *why saying what dst is. Refused: port 0; 0.0.0.0/8, 127/8, 224/4 and
 * 240/4 (with 255.255.255.255); ifc's own address and its subnet's
 * broadcast address. A relay must also not be link-local (169.254/16):
 * a relay reaches the server with an address the server can route to. */
int dhcp4_dst_check(const struct sockaddr_in *dst, enum dhcp_dst_kind kind, const struct iface *ifc,
		    const char **why);

/* The same for a DHCPv6 reply to dst (a client's source address): refused
 * are port 0, ::, ::1, multicast, IPv4-mapped and -compatible addresses,
 * and ifc's own addresses. Link-local is the standard path: allowed. */
int dhcp6_dst_check(const struct sockaddr_in6 *dst, const struct iface *ifc, const char **why);

#endif
