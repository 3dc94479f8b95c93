/* dhcp6_leases: the stateful DHCPv6 address pool (--dhcp6-range), leases
 * keyed by DUID + IAID in a fixed table. Pure: the caller passes the time.
 *
 * An Advertise holds nothing: dhcp6_lease_candidate() only computes the
 * address a Request would get (a hash of DUID and IAID, probing past taken
 * addresses), so a flood of Solicits from made-up DUIDs cannot empty the
 * range. Only a Request commits (dhcp6_lease_commit). A declined address
 * stays blocked for DHCP6_LEASE_VALID, detached from the client. */
#ifndef LIFEBOAT_NETBOOT_DHCP6_LEASES_H
#define LIFEBOAT_NETBOOT_DHCP6_LEASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netboot/dhcp6_wire.h"

#define DHCP6_MAX_LEASES 1024
#define DHCP6_LEASE_BUCKETS 2048 /* address index; a power of two */
#define DHCP6_LEASE_VALID 3600	 /* seconds */
#define DHCP6_LEASE_PREF 1800

struct dhcp6_range {
	bool set;
	uint8_t start[16], end[16]; /* same upper 64 bits, start <= end */
};

/* Parses "START,END" (two IPv6 addresses in one /64). 0 or -EINVAL with
 * *why set. */
int dhcp6_range_parse(const char *spec, struct dhcp6_range *r, const char **why);
bool dhcp6_range_contains(const struct dhcp6_range *r, const uint8_t a[16]);

struct dhcp6_lease {
	bool used;     /* in the address index (live or expired) */
	bool declined; /* the client found the address in use */
	uint8_t duid[DHCP6_DUID_MAX];
	uint16_t duid_len;
	uint32_t iaid;
	uint8_t addr[16];
	uint64_t expires_ms;
	uint16_t next; /* address index chain: 1 + slot, 0 = end */
};

/* All zero is an empty table. */
struct dhcp6_leases {
	struct dhcp6_lease v[DHCP6_MAX_LEASES];
	uint16_t head[DHCP6_LEASE_BUCKETS]; /* 1 + slot, 0 = empty */
};

/* Who asks: the client's DUID and the IA_NA's IAID. */
struct dhcp6_client_id {
	const uint8_t *duid;
	size_t duid_len; /* 1..DHCP6_DUID_MAX */
	uint32_t iaid;
};

/* The address a Request from id would get now: its live lease, else the
 * first free address of the range from a hash of DUID and IAID. Changes
 * nothing. 0, or -ENOSPC when the range or the table is full. */
int dhcp6_lease_candidate(const struct dhcp6_leases *ls, const struct dhcp6_range *r,
			  const struct dhcp6_client_id *id, uint64_t now, uint8_t addr[16]);
/* Binds the candidate to id for DHCP6_LEASE_VALID (a live lease is
 * extended). 0 with addr set, or -ENOSPC. */
int dhcp6_lease_commit(struct dhcp6_leases *ls, const struct dhcp6_range *r,
		       const struct dhcp6_client_id *id, uint64_t now, uint8_t addr[16]);
/* Extends id's live lease; want (or NULL) must be its address. 0 with addr
 * set, or -ENOENT. */
int dhcp6_lease_renew(struct dhcp6_leases *ls, const struct dhcp6_client_id *id,
		      const uint8_t *want, uint64_t now, uint8_t addr[16]);
/* Frees id's lease. 0 or -ENOENT. */
int dhcp6_lease_release(struct dhcp6_leases *ls, const struct dhcp6_client_id *id, uint64_t now);
/* Blocks id's address for DHCP6_LEASE_VALID, detached from id. 0 or -ENOENT. */
int dhcp6_lease_decline(struct dhcp6_leases *ls, const struct dhcp6_client_id *id, uint64_t now);
/* true when duid holds any live lease (whatever the IAID) */
bool dhcp6_lease_holder(const struct dhcp6_leases *ls, const uint8_t *duid, size_t duid_len,
			uint64_t now);
/* Live leases (declined ones included): what the range has lost. */
size_t dhcp6_leases_live(const struct dhcp6_leases *ls, uint64_t now);

#endif
