/* dhcp6_server: DHCPv6 for netboot clients (RFC 8415, RFC 5970) on udp/547
 * (multicast ff02::1:2, joined on every served interface) and the EDK2
 * proxy path on udp/4011.
 *
 * Two modes:
 *  - proxy (default): another DHCPv6 server assigns addresses. A netboot
 *    client's Solicit gets an Advertise without IA_NA carrying vendor class
 *    343 "PXEClient" (EDK2 files it as a "proxy BINL" offer) and option 59;
 *    EDK2 then asks again on udp/4011 and gets a Reply with option 59.
 *    Information-Request gets option 59 too. Never assigns an address.
 *  - stateful (--dhcp6-range START,END): a minimal DHCPv6 server for LANs
 *    where nobody assigns IPv6 addresses: IA_NA from the range, in-memory
 *    leases keyed by DUID + IAID, Solicit / Request / Renew / Rebind /
 *    Release / Decline / Confirm / Information-Request. An Advertise holds
 *    no address (only a Request commits one), and the rate limit is taken
 *    before any lease is looked at: a Solicit flood cannot empty the range.
 * Replies go back to the client's source address only when it is a
 * plausible unicast address (dhcp_dst.h).
 * Both answer only netboot clients (vendor class 343 PXEClient/HTTPClient,
 * user class iPXE, or option 61): ordinary hosts are left alone, except
 * in stateful mode on an interface where lifeboat itself sends the router
 * advertisements (no other router; ra.h): there they get an address too.
 *
 * dhcp6_answer() is the pure core (packet in, reply and destination out):
 * dhcp6_wire reads and writes the bytes, dhcp6_policy decides who is a
 * netboot client and what it boots, dhcp6_leases holds the addresses. */
#ifndef LIFEBOAT_NETBOOT_DHCP6_SERVER_H
#define LIFEBOAT_NETBOOT_DHCP6_SERVER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "netboot/bootplan.h"
#include "netboot/clients.h"
#include "netboot/dhcp6_leases.h"
#include "netboot/dhcp6_wire.h"
#include "netboot/iface.h"
#include "netboot/ratelimit.h"

/* Packets one readiness callback handles before it returns: a flood on one
 * socket then costs the other sockets (4011, DHCPv4, TFTP, HTTP) at most
 * this much delay per loop turn; level-triggered epoll calls it again. */
#define DHCP6_BATCH 32

struct dhcp6_answer {
	size_t len;		 /* reply bytes; 0 = stay silent */
	struct sockaddr_in6 dst; /* where to send it */
	uint8_t key[6];		 /* rate-limit key (the client's MAC, or a DUID hash) */
	char log[640];
	bool log_quiet;		 /* debug level: not a netboot client, or not for us */
	bool log_info;		 /* info level although silent */
	bool limited;		 /* a reply was due but the rate limit refused it */
	struct client_note note; /* what the packet told about its client */
};

struct dhcp6_ctx {
	const struct bootplan *plan;
	const struct dhcp6_range *range; /* NULL or !set: proxy mode */
	struct dhcp6_leases *leases;	 /* stateful mode only */
	uint64_t now_ms;
	uint8_t server_mac[6]; /* for our DUID-LL */
	/* Taken before any lease is looked at or changed (NULL: no limit), so
	 * a flood that the limit drops costs no addresses. */
	struct ratelimit *rl;
	/* Stateful mode on an interface where lifeboat sends the RAs (ra.h):
	 * ordinary hosts (not netboot clients) get an address too, no URL. */
	bool plain;
};

/* Answers one packet that arrived on interface ifc (udp/547 when binl is
 * false, udp/4011 when true) from src. Never fails loudly: bad input yields
 * len 0 and a log line. */
void dhcp6_answer(const struct dhcp6_ctx *ctx, const struct iface *ifc, bool binl,
		  const struct sockaddr_in6 *src, const void *pkt, size_t n, uint8_t *out,
		  size_t cap, struct dhcp6_answer *a);

struct dhcp6_server_config {
	const struct bootplan *plan;
	struct iface_set *ifs;
	struct dhcp6_range range;
	uint16_t port;	    /* 547 */
	uint16_t binl_port; /* 4011 */
	uint32_t rate;	    /* replies per second overall (0 = unlimited) */
	uint32_t client_rate;
	/* Told what each answered packet says about its client (clients.h). */
	void (*on_client)(void *arg, const struct client_note *n);
	void *on_client_arg;
};

struct dhcp6_server;
/* Opens both sockets and joins ff02::1:2 on the interfaces. -errno with
 * *which set to the port that failed. */
int dhcp6_server_start(struct dhcp6_server **out, struct loop *l,
		       const struct dhcp6_server_config *cfg, uint16_t *which);
void dhcp6_server_stop(struct dhcp6_server *s);
void dhcp6_server_set_plan(struct dhcp6_server *s, const struct bootplan *plan);
/* Stateful mode: serve ordinary hosts on interface ifindex too (on) or
 * netboot clients only (off, the default); ra.c's on_active hook. */
void dhcp6_server_set_plain(struct dhcp6_server *s, int ifindex, bool on);
/* Packets read from both sockets so far (tests: the per-turn bound). */
uint64_t dhcp6_server_received(const struct dhcp6_server *s);
/* Replies refused by the rate limit since start-up. */
uint64_t dhcp6_server_ratelimited(const struct dhcp6_server *s);

#endif
