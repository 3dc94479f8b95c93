/* dhcp4_addr: the address-serving side of dhcp4_server (--mode dhcp):
 * one pool per interface (dhcp4_leases), the lease file (dhcp4_leasefile)
 * read at start-up and rewritten once per batch of packets, ACKs held until
 * the lease they grant is on disk, and the ARP probes (RFC 5227) that check
 * an address is unused before it is offered. */
#ifndef LIFEBOAT_NETBOOT_DHCP4_ADDR_H
#define LIFEBOAT_NETBOOT_DHCP4_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "netboot/dhcp4_full.h"
#include "netboot/iface.h"

#define DHCP4_PROBES_MAX 256 /* DISCOVERs waiting for their probe at once */
#define DHCP4_HELD_MAX 64    /* ACKs waiting for the lease file at once */

struct dhcp4_addr_config {
	const struct dhcp4_full_config *full; /* must outlive the dhcp4_addr */
	int lease_dirfd;	/* the lease file's directory (kept open); -1 = no file */
	const char *lease_name; /* the file's name in it (copied) */
	/* A DISCOVER whose probe ended (no answer, or a conflict marked):
	 * handle it again as if it had just arrived. */
	void (*redo)(void *arg, int ifindex, const struct sockaddr_in *src, const uint8_t *pkt,
		     size_t n);
	void *arg;
};

struct dhcp4_addr;
/* Reads the lease file, opens the ARP socket (needs CAP_NET_RAW: call
 * before dropping root; without it probes are off, with a warning).
 * Takes ownership of lease_dirfd. 0, or -EBADMSG (the file is there but is
 * no lease file: refused, not overwritten), -ENOMEM. */
int dhcp4_addr_start(struct dhcp4_addr **out, struct loop *l, const struct dhcp4_addr_config *c);
void dhcp4_addr_stop(struct dhcp4_addr *a);

/* The interface's view for dhcp4_full_decide: its pool is made on first
 * use (its range: --dhcp-range when in its subnet, else the default; our
 * own address and other MACs' reservations kept out; leases from the file
 * restored). */
void dhcp4_addr_net(struct dhcp4_addr *a, const struct iface *ifc, struct dhcp4_full_net *net);
/* Sends an ARP probe for ip out of ifc and keeps the DISCOVER (pkt, from
 * src) for redo once the probe window ends. A probe already running for
 * this MAC keeps running (the newer packet replaces the kept one).
 * -EBUSY when too many probes run (stay silent: the client repeats). */
int dhcp4_addr_probe(struct dhcp4_addr *a, const struct iface *ifc, const uint8_t ip[4],
		     const uint8_t mac[6], const struct sockaddr_in *src, const uint8_t *pkt,
		     size_t n);
/* Keeps an ACK until the lease file holds its lease (dhcp4_addr_flush). */
void dhcp4_addr_hold(struct dhcp4_addr *a, int fd, const struct iface *ifc, const uint8_t *pkt,
		     size_t n, const struct sockaddr_in *dst);
/* After a batch: rewrites the lease file if a lease changed (temp file,
 * fsync, rename, directory fsync), then sends the held ACKs. If the write
 * fails they are dropped (logged): no ACK for a lease that is not durable. */
void dhcp4_addr_flush(struct dhcp4_addr *a);
/* Wall-clock seconds (leases outlive the process). */
int64_t dhcp4_addr_now(void);
/* Lease file writes since start-up (tests, status). */
uint64_t dhcp4_addr_writes(const struct dhcp4_addr *a);

#endif
