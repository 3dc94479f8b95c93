/* dhcp4_server: proxyDHCP on udp/67 (answers DISCOVER with a proxy offer)
 * and udp/4011 (answers REQUEST/INFORM with an ACK carrying the boot file).
 * dhcp4_answer() is the pure core (packet in, reply and destination out);
 * the server part owns the sockets and learns the receiving interface and
 * address with IP_PKTINFO, so replies leave from that address. */
#ifndef LIFEBOAT_NETBOOT_DHCP4_SERVER_H
#define LIFEBOAT_NETBOOT_DHCP4_SERVER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "netboot/bootplan.h"
#include "netboot/clients.h"
#include "netboot/dhcp4_full.h"
#include "netboot/iface.h"

/* Packets one readiness callback handles before it returns: a flood on one
 * socket (udp/67) then costs the others (4011, DHCPv6, TFTP, HTTP) at most
 * this much delay per loop turn; level-triggered epoll calls it again. */
#define DHCP4_BATCH 32

struct dhcp4_answer {
	size_t len;		/* reply bytes in the caller's buffer; 0 = stay silent */
	struct sockaddr_in dst; /* where to send it */
	bool broadcast;
	uint8_t mac[6];		 /* the client's, for rate limiting */
	char log[320];		 /* one logfmt line describing the decision */
	bool log_quiet;		 /* debug-level: an ordinary client we ignore */
	bool log_info;		 /* info-level although silent (a --host ignore rule) */
	struct client_note note; /* what the packet told about its client */
};

/* Decides the answer to one packet that arrived on port 67 (binl false) or
 * 4011 (binl true) of interface ifc from src. Never fails loudly: bad input
 * yields len 0 and a log line. A reply to a 4011 requester or a relay
 * (giaddr) goes only to a plausible unicast address (dhcp_dst.h). */
void dhcp4_answer(const struct bootplan *plan, const struct iface *ifc, bool binl,
		  const struct sockaddr_in *src, const void *pkt, size_t n, uint8_t *out,
		  size_t cap, struct dhcp4_answer *a);

struct dhcp4_server_config {
	const struct bootplan *plan;
	struct iface_set *ifs;
	uint16_t port;	      /* 67 */
	uint16_t binl_port;   /* 4011 */
	uint32_t rate;	      /* replies per second overall (0 = unlimited) */
	uint32_t client_rate; /* replies per second per MAC (burst 8) */
	/* Told what each packet says about its client (clients.h); NULL: no one. */
	void (*on_client)(void *arg, const struct client_note *n);
	void *on_client_arg;
	/* Full DHCP (dhcp4_full.h): pools, options, lease file. NULL: proxy
	 * only, everywhere. Its mode gives each interface's initial switch; a
	 * mode other than proxy starts the address side (lease file, ARP
	 * socket), which dhcp4_server_set_addressing needs. Copied at start:
	 * a reload does not change it. */
	const struct dhcp4_full_config *full;
	/* The lease file's directory (opened by the caller before dropping
	 * root; the server owns it from dhcp4_server_start on, even when it
	 * fails) and the file's name in it. -1: no lease file. */
	int lease_dirfd;
	const char *lease_name;
};

struct dhcp4_server;
/* Opens and binds both sockets; with cfg->full in a mode other than proxy,
 * reads the lease file and opens the ARP socket too. -EADDRINUSE / -EACCES
 * carry to the caller, with *which set to the port that failed (0: the
 * lease file, -EBADMSG when it is no lease file). */
int dhcp4_server_start(struct dhcp4_server **out, struct loop *l,
		       const struct dhcp4_server_config *cfg, uint16_t *which);
void dhcp4_server_stop(struct dhcp4_server *s);
/* Switches to a new boot plan (SIGHUP reload). */
void dhcp4_server_set_plan(struct dhcp4_server *s, const struct bootplan *plan);
/* Per-interface switch for address serving (auto mode turns it at run
 * time, no restart): on, the interface answers every client with an
 * address from its pool (needs cfg->full); off, it behaves exactly as proxy
 * mode. An interface never set follows cfg->full->mode == DHCP4_MODE_DHCP.
 * Turning it off keeps the leases (and the lease file); a renewing client
 * then gets no answer from us. A server started in proxy mode (or without
 * cfg->full) has no address side: the switch is recorded but
 * dhcp4_server_addressing() stays false. */
void dhcp4_server_set_addressing(struct dhcp4_server *s, int ifindex, bool on);
bool dhcp4_server_addressing(const struct dhcp4_server *s, int ifindex);
/* Packets read from both sockets so far (tests: the per-turn bound). */
uint64_t dhcp4_server_received(const struct dhcp4_server *s);
/* Replies refused by the rate limit since start-up. */
uint64_t dhcp4_server_ratelimited(const struct dhcp4_server *s);

#endif
