/* ra: router advertisements on a bare cable. With stateful DHCPv6
 * (--dhcp6-range) and no router on the link, hosts never ask DHCPv6 for an
 * address: they wait for an RA whose M flag tells them to. On each served
 * interface ra listens first (an RS out, a 3 s window); when no other
 * router advertises, it sends RAs itself (RFC 4861: M and O flags, the
 * range's /64 on-link but not autonomous, router lifetime 0 so no host
 * routes through us unless --router6), answers Router Solicitations and
 * repeats unsolicited RAs. Another router's RA silences it at once, logged
 * (ra_sched.h has the schedule; ra_wire.h the bytes). */
#ifndef LIFEBOAT_NETBOOT_RA_H
#define LIFEBOAT_NETBOOT_RA_H

#include <stdbool.h>

#include "core/loop.h"
#include "netboot/dhcp6_leases.h"
#include "netboot/iface.h"
#include "netboot/ra_sched.h"

struct ra_config {
	struct iface_set *ifs;
	const struct dhcp6_range *range; /* its /64 is the advertised prefix */
	bool router;			 /* --router6: router lifetime 1800 s */
	const struct ra_timing *timing;	 /* NULL: ra_timing_default */
	/* Told when lifeboat starts (on) or stops (off) being the link's
	 * router on an interface: DHCPv6 then serves ordinary hosts there. */
	void (*on_active)(void *arg, int ifindex, bool on);
	void *on_active_arg;
};

struct ra_server;
/* Opens the ICMPv6 raw socket (needs CAP_NET_RAW: before the privilege
 * drop) and starts listening on every served interface with a link-local
 * address. 0 or -errno. */
int ra_start(struct ra_server **out, struct loop *l, const struct ra_config *cfg);
void ra_stop(struct ra_server *s);
/* Interfaces where lifeboat is the router now (tests, status). */
size_t ra_active_count(const struct ra_server *s);

#endif
