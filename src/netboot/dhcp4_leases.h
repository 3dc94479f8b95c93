/* dhcp4_leases: one interface's DHCPv4 address pool (a range START..END),
 * one slot per address. Pure: the caller passes the time (wall-clock
 * seconds, since leases outlive the process in the lease file).
 *
 * An OFFER holds its address for DHCP4_HOLD_SECS to the client it was
 * offered to (so two clients in DORA at once get different addresses, and
 * the ARP probe's verdict is remembered); a REQUEST commits. A declined or
 * conflicting address is blocked for the lease time, detached from any
 * client. Reserved addresses (--host MAC=IP) inside the range are kept for
 * their MAC; the server's own address is never handed out. */
#ifndef LIFEBOAT_NETBOOT_DHCP4_LEASES_H
#define LIFEBOAT_NETBOOT_DHCP4_LEASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP4_POOL_MAX 4096 /* addresses in one range */
#define DHCP4_HOLD_SECS 30  /* an offered address waits this long for the REQUEST */

enum dhcp4_slot_state {
	DHCP4_FREE = 0,
	DHCP4_OFFERED,	/* held for mac until expires */
	DHCP4_BOUND,	/* leased to mac until expires */
	DHCP4_DECLINED, /* DECLINE or ARP conflict: nobody's until expires */
	DHCP4_RESERVED, /* a --host reservation's, or our own: never dynamic */
};

struct dhcp4_slot {
	uint8_t state; /* enum dhcp4_slot_state */
	bool probed;   /* OFFERED: the ARP probe found nobody */
	uint8_t mac[6];
	int64_t expires; /* seconds (wall clock) */
};

struct dhcp4_pool {
	uint32_t start, end; /* host byte order, start <= end, end - start < DHCP4_POOL_MAX */
	uint32_t lease_secs;
	struct dhcp4_slot v[DHCP4_POOL_MAX];
	bool dirty; /* a BOUND/DECLINED slot changed: the lease file is behind */
};

/* An address as a host-order integer and back. */
uint32_t dhcp4_ip_u32(const uint8_t ip[4]);
void dhcp4_u32_ip(uint32_t v, uint8_t ip[4]);

/* Empties p for START..END (host order). -EINVAL when start > end or the
 * range holds more than DHCP4_POOL_MAX addresses. */
int dhcp4_pool_init(struct dhcp4_pool *p, uint32_t start, uint32_t end, uint32_t lease_secs);
bool dhcp4_pool_contains(const struct dhcp4_pool *p, uint32_t ip);
/* Keeps ip out of dynamic use (our own address, another MAC's reservation). */
void dhcp4_pool_reserve(struct dhcp4_pool *p, uint32_t ip);

/* The address a DISCOVER from mac gets: its live lease or hold, else its
 * expired lease if still free, else want (option 50) when free, else the
 * first free address from a hash of mac. Holds it for DHCP4_HOLD_SECS.
 * *probe is true when nobody has checked it with ARP yet. 0, or -ENOSPC. */
int dhcp4_pool_offer(struct dhcp4_pool *p, const uint8_t mac[6], uint32_t want, int64_t now,
		     uint32_t *ip, bool *probe);
/* The ARP probe for ip found nobody: a later offer needs no probe. */
void dhcp4_pool_probed(struct dhcp4_pool *p, uint32_t ip);
/* A REQUEST from mac for ip (selecting, init-reboot, renew, rebind):
 * 0 = ACK, ip bound to mac for lease_secs; -EPERM = NAK (ip is another
 * client's, blocked, reserved, or not in the range); -ENOENT = not ours to
 * judge (INIT-REBOOT for an address we never leased: stay silent, RFC 2131
 * 4.3.2). init_reboot: the client asks for a remembered address. */
int dhcp4_pool_request(struct dhcp4_pool *p, const uint8_t mac[6], uint32_t ip, int64_t now,
		       bool init_reboot);
/* RELEASE: frees mac's lease of ip. 0 or -ENOENT. */
int dhcp4_pool_release(struct dhcp4_pool *p, const uint8_t mac[6], uint32_t ip, int64_t now);
/* DECLINE from mac, or an ARP conflict (mac NULL): ip blocked for the lease
 * time. 0 or -ENOENT (not ours, or mac holds nothing there). */
int dhcp4_pool_decline(struct dhcp4_pool *p, const uint8_t *mac, uint32_t ip, int64_t now);
/* Restores a lease or block read from the lease file (mac NULL: declined).
 * 0, -ERANGE (not in the range), -EEXIST (slot taken). */
int dhcp4_pool_restore(struct dhcp4_pool *p, const uint8_t *mac, uint32_t ip, int64_t expires);
/* Bound and declined addresses live at now. */
size_t dhcp4_pool_live(const struct dhcp4_pool *p, int64_t now);

#endif
