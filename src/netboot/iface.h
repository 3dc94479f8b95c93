/* iface: the interfaces serve answers on, with their IPv4/IPv6 addresses
 * and MTU. Read with getifaddrs() (netlink underneath) at start-up and on
 * demand when a packet arrives on an interface we do not know yet. */
#ifndef LIFEBOAT_NETBOOT_IFACE_H
#define LIFEBOAT_NETBOOT_IFACE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IFACE_MAX 64

struct iface {
	int index;
	char name[IF_NAMESIZE];
	bool has_ip4;
	uint8_t ip4[4];
	uint8_t mask4[4];
	bool has_ip6;
	struct in6_addr ip6; /* a global address if any */
	bool has_ip6_ll;
	struct in6_addr ip6_ll; /* link-local */
	unsigned mtu;
};

struct iface_set {
	struct iface v[IFACE_MAX];
	size_t n;
	/* the names asked for with -i; none = every up non-loopback interface */
	const char *const *want;
	size_t n_want;
};

/* (Re)reads interfaces. Returns 0, -ENODEV when a wanted interface does
 * not exist (*missing names it), or -errno. */
int iface_scan(struct iface_set *s, const char **missing);
const struct iface *iface_by_index(const struct iface_set *s, int index);
/* The served interface a packet came in on. Without -i, an unknown index
 * (an interface or address that appeared since start-up) rescans once and
 * sets *rescanned. NULL: not an interface we serve. */
const struct iface *iface_for_packet(struct iface_set *s, int index, bool *rescanned);
/* Number of interfaces with an IPv4 address. */
size_t iface_count_ip4(const struct iface_set *s);

#endif
