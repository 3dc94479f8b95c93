/* dhcp4c: one interface's DHCPv4 client state machine (RFC 2131 4.4),
 * pure: no sockets, no clock. The caller feeds it the time and the
 * replies, sends what it asks for, configures what it reports and arms a
 * timer for c->next_ms. Used by the rescue image's init (rescue/netup);
 * a takeover RAM system can drive it the same way. */
#ifndef LIFEBOAT_RESCUE_DHCP4C_H
#define LIFEBOAT_RESCUE_DHCP4C_H

#include <stdbool.h>
#include <stdint.h>

#include "rescue/dhcp4c_wire.h"

enum dhcp4c_state {
	DHCP4C_S_INIT,	     /* waiting to send the next DISCOVER */
	DHCP4C_S_SELECTING,  /* DISCOVER sent, waiting for an OFFER */
	DHCP4C_S_REQUESTING, /* REQUEST sent for an offer */
	DHCP4C_S_BOUND,
	DHCP4C_S_RENEWING,  /* after T1: unicast REQUEST to our server */
	DHCP4C_S_REBINDING, /* after T2: broadcast REQUEST to any server */
};

/* A lease as the interface is configured with it. */
struct dhcp4c_lease {
	uint8_t addr[4], server[4], router[4];
	uint8_t prefix; /* from option 1, else the address class */
	bool has_router;
	uint8_t dns[DHCP4C_MAX_DNS][4];
	uint8_t n_dns;
	char domain[256];
	uint16_t mtu;
	uint32_t lease_s, t1_s, t2_s; /* as used: defaults filled in */
};

/* What one call asks of the caller, in this order: deconfigure the old
 * lease (c->lease still holds it), configure c->lease, send pkt. */
struct dhcp4c_out {
	bool deconfigure;
	bool configure;
	bool send;
	bool unicast; /* to c->lease.server (RENEWING), else broadcast */
	uint8_t pkt[DHCP4C_PKT_MAX];
	size_t len;
};

struct dhcp4c {
	enum dhcp4c_state state;
	uint8_t mac[6];
	char hostname[64];
	uint32_t xid, rng;
	uint64_t next_ms;      /* when dhcp4c_timeout wants to run */
	uint64_t start_ms;     /* first packet of this exchange, for secs */
	uint64_t bound_ms;     /* when the lease was (re)acknowledged */
	uint64_t requested_ms; /* when the REQUEST that got it went out */
	unsigned tries;
	struct dhcp4c_reply offer;
	struct dhcp4c_lease lease; /* valid from BOUND until deconfigure */
	bool have_lease;
	unsigned naks, renewals; /* counters for the log */
};

/* Starts in INIT; seed randomises xids and retransmit jitter. The first
 * DISCOVER goes out at now (c->next_ms = now). */
void dhcp4c_init(struct dhcp4c *c, const uint8_t mac[6], const char *hostname, uint32_t seed,
		 uint64_t now);

/* Takes over a lease another client obtained (the takeover RAM system:
 * the old system's DHCP client is gone, its address is still on the
 * interface). l->lease_s is what is left of it (0: an hour is assumed).
 * Renews at once: RENEWING (unicast) when l->server is known, else
 * REBINDING (broadcast REQUEST with ciaddr, which any server holding the
 * binding answers). The caller treats the address as configured. */
void dhcp4c_adopt(struct dhcp4c *c, const struct dhcp4c_lease *l, uint64_t now);

/* The timer fired (or polled): retransmits, T1, T2, expiry. */
void dhcp4c_timeout(struct dhcp4c *c, uint64_t now, struct dhcp4c_out *o);

/* A parsed reply arrived. Ignores the ones not for us (xid, chaddr, state);
 * returns true when it was taken. */
bool dhcp4c_input(struct dhcp4c *c, const struct dhcp4c_reply *r, uint64_t now,
		  struct dhcp4c_out *o);

/* Gives the lease back (RELEASE, then deconfigure), e.g. before a reboot. */
void dhcp4c_release(struct dhcp4c *c, uint64_t now, struct dhcp4c_out *o);

const char *dhcp4c_state_name(enum dhcp4c_state s);

#endif
