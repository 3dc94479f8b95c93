/* dhcp_dst: the reply-destination policy of both DHCP servers; see
 * dhcp_dst.h. */
#include "netboot/dhcp_dst.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

static uint32_t be32(const uint8_t a[4])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

/* ifc's subnet broadcast address, when its prefix is shorter than /31
 * (RFC 3021: a /31 has no broadcast address). */
static bool is_subnet_broadcast(uint32_t a, const struct iface *ifc)
{
	uint32_t mask = be32(ifc->mask4);
	if (!ifc->has_ip4 || mask == 0 || (~mask) < 2)
		return false;
	return (a & mask) == (be32(ifc->ip4) & mask) && (a & ~mask) == ~mask;
}

int dhcp4_dst_check(const struct sockaddr_in *dst, enum dhcp_dst_kind kind, const struct iface *ifc,
		    const char **why)
{
	uint32_t a = ntohl(dst->sin_addr.s_addr);
	*why = NULL;
	if (dst->sin_port == 0)
		*why = "port 0";
	else if (a >> 24 == 0)
		*why = "unspecified (0.0.0.0/8)";
	else if (a >> 24 == 127)
		*why = "loopback";
	else if (a >> 28 == 14)
		*why = "multicast";
	else if (a >> 28 == 15)
		*why = a == 0xffffffffu ? "broadcast" : "reserved (240.0.0.0/4)";
	else if (is_subnet_broadcast(a, ifc))
		*why = "subnet broadcast";
	else if (ifc->has_ip4 && a == be32(ifc->ip4))
		*why = "our own address";
	else if (kind == DHCP_DST_RELAY && a >> 16 == 0xa9fe)
		*why = "link-local (169.254.0.0/16) relay";
	return *why ? -EADDRNOTAVAIL : 0;
}

int dhcp6_dst_check(const struct sockaddr_in6 *dst, const struct iface *ifc, const char **why)
{
	const struct in6_addr *a = &dst->sin6_addr;
	*why = NULL;
	if (dst->sin6_port == 0)
		*why = "port 0";
	else if (IN6_IS_ADDR_UNSPECIFIED(a))
		*why = "unspecified (::)";
	else if (IN6_IS_ADDR_LOOPBACK(a))
		*why = "loopback";
	else if (IN6_IS_ADDR_MULTICAST(a))
		*why = "multicast";
	else if (IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a))
		*why = "IPv4-mapped or -compatible";
	else if ((ifc->has_ip6 && !memcmp(a, &ifc->ip6, 16)) ||
		 (ifc->has_ip6_ll && !memcmp(a, &ifc->ip6_ll, 16)))
		*why = "our own address";
	return *why ? -EADDRNOTAVAIL : 0;
}
