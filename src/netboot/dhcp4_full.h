/* dhcp4_full: full DHCPv4 (--mode dhcp): the options a user configures
 * (range, router, DNS, domain, MTU, NTP, reservations, lease file) and the
 * pure answer to one request of any client, PXE or not, from a per-interface
 * address pool (dhcp4_leases). PXE clients get the boot information a proxy
 * reply carries (pxe_wire) in the same OFFER/ACK as their address. */
#ifndef LIFEBOAT_NETBOOT_DHCP4_FULL_H
#define LIFEBOAT_NETBOOT_DHCP4_FULL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "netboot/dhcp4_leases.h"
#include "netboot/dhcp4_wire.h"

/* What serve's DHCPv4 does on an interface. */
enum dhcp4_mode {
	DHCP4_MODE_PROXY = 0, /* proxyDHCP: boot information only, never an address */
	DHCP4_MODE_DHCP = 1,  /* full DHCP: addresses for every client, boot info for PXE */
	DHCP4_MODE_AUTO = 2,  /* per interface: dhcp where no other server answers (automode.h) */
};

#define DHCP4_MAX_DNS 4
#define DHCP4_MAX_NTP 4
#define DHCP4_MAX_RESV 64
#define DHCP4_LEASE_FILE_DEFAULT "/var/lib/lifeboat/dhcp4.leases"
#define DHCP4_LEASE_SECS_DEFAULT 3600
#define DHCP4_PROBE_MS_DEFAULT 300

/* --host MAC=IP[,NAME]: a fixed address (and host name, option 12). */
struct dhcp4_resv {
	uint8_t mac[6];
	uint8_t ip[4];
	char name[64]; /* "" = none */
};

struct dhcp4_full_config {
	int mode;	/* enum dhcp4_mode (--mode) */
	bool range_set; /* --dhcp-range; else a default per interface */
	uint8_t range_start[4], range_end[4];
	uint32_t lease_secs; /* --dhcp-range's LEASE, default 1 h */
	bool router_set;     /* --router (option 3); default none */
	uint8_t router[4];
	uint8_t dns[DHCP4_MAX_DNS][4]; /* --dns (option 6); default none */
	size_t n_dns;
	const char *domain;	       /* --domain (option 15) */
	unsigned mtu;		       /* --mtu (option 26); 0 = none */
	uint8_t ntp[DHCP4_MAX_NTP][4]; /* --ntp (option 42) */
	size_t n_ntp;
	struct dhcp4_resv resv[DHCP4_MAX_RESV];
	size_t n_resv;
	const char *lease_file; /* --lease-file */
	bool no_probe;		/* --no-arp-probe: offer without the ARP check */
};

/* "START,END[,LEASE]": two IPv4 addresses (START <= END, at most
 * DHCP4_POOL_MAX apart) and a lease time (seconds, or with a suffix s, m,
 * h, d; 120 s .. 365 d). 0 or -EINVAL with *why. */
int dhcp4_range_parse(const char *spec, struct dhcp4_full_config *c, const char **why);
/* "IP" appended to a list of at most max (--dns, --ntp). 0 or -EINVAL/-E2BIG. */
int dhcp4_ip_list_add(const char *spec, uint8_t (*list)[4], size_t *n, size_t max,
		      const char **why);
/* --host's action when it is "IP" or "IP,NAME": 1 (stored in c), 0 when the
 * action is something else (a boot rule), -EINVAL with *why (a bad name or
 * a MAC pattern with '*'). */
int dhcp4_resv_parse(const char *spec, struct dhcp4_full_config *c, const char **why);

/* The reservation for mac, or NULL. */
const struct dhcp4_resv *dhcp4_resv_for(const struct dhcp4_full_config *c, const uint8_t mac[6]);
/* The range an interface with address ip/mask serves when --dhcp-range
 * names none: the upper half of its subnet (broadcast excluded), at most
 * DHCP4_POOL_MAX addresses; our own address is reserved by the caller.
 * 0, or -ERANGE for a subnet too small (fewer than 8 addresses). */
int dhcp4_default_range(const uint8_t ip[4], const uint8_t mask[4], uint32_t *start, uint32_t *end);

enum dhcp4_full_kind {
	D4F_SILENT, /* no reply (why says why; RELEASE and DECLINE end here) */
	D4F_OFFER,
	D4F_ACK,
	D4F_NAK,
	D4F_INFORM, /* an ACK with options, no address */
	D4F_PROBE,  /* check ip with ARP first; decide again when the probe ends */
};

/* The address decision for one request (no bytes, no sockets). */
struct dhcp4_full_decision {
	enum dhcp4_full_kind kind;
	uint8_t ip[4]; /* yiaddr; for D4F_PROBE the address to check */
	uint32_t lease_secs;
	const char *hostname; /* a reservation's name, or NULL */
	const char *what;     /* event for the log: offer, ack, nak, release, ... */
	const char *why;      /* reason for the log, or NULL */
	bool pool;	      /* the address is the pool's (an ACK waits for the lease file) */
};

/* Where the interface stands: its address and mask, its pool (NULL when
 * no range fits its subnet: reservations only). */
struct dhcp4_full_net {
	const struct dhcp4_full_config *cfg;
	struct dhcp4_pool *pool;
	uint8_t ip[4], mask[4];
};

/* Decides the answer to request m (RFC 2131 4.3) at now (wall-clock s):
 * DISCOVER, REQUEST (selecting, init-reboot, renewing, rebinding),
 * DECLINE, RELEASE, INFORM. Changes the pool (holds, leases, blocks). */
void dhcp4_full_decide(const struct dhcp4_full_net *net, const struct dhcp4_msg *m, int64_t now,
		       struct dhcp4_full_decision *d);

/* The address options for d into w: 1 mask, 28 broadcast, 3 router, 6 DNS,
 * 15 domain, 26 MTU, 42 NTP, 12 host name, 51/58/59 lease times (not for
 * INFORM). Each whole or not at all: 0 or -ENOBUFS. */
int dhcp4_full_options(struct wbuf *w, const struct dhcp4_full_net *net,
		       const struct dhcp4_full_decision *d);

/* A reply for a client that is not a netboot client (or a NAK): header,
 * 53 type, 54 server_ip, the options extra[n] (dhcp4_full_options), END.
 * 0 or -ENOBUFS. */
int dhcp4_full_build(struct wbuf *w, const struct dhcp4_msg *req, const struct dhcp4_full_net *net,
		     const struct dhcp4_full_decision *d, const uint8_t *extra, size_t n);

#endif
