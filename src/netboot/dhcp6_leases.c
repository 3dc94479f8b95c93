/* dhcp6_leases: the stateful DHCPv6 address pool; see dhcp6_leases.h.
 * Lookups by address go through a small hash index so that probing a nearly
 * full range costs O(range) per packet, not O(range x table). */
#include "netboot/dhcp6_leases.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static uint64_t lo64(const uint8_t a[16])
{
	uint64_t v = 0;
	for (int i = 8; i < 16; i++)
		v = v << 8 | a[i];
	return v;
}

static void set_lo64(uint8_t a[16], uint64_t v)
{
	for (int i = 15; i >= 8; i--, v >>= 8)
		a[i] = (uint8_t)v;
}

static uint64_t fnv1a(const uint8_t *p, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

#define FNV_BASIS 14695981039346656037ull

int dhcp6_range_parse(const char *spec, struct dhcp6_range *r, const char **why)
{
	char a[INET6_ADDRSTRLEN + 1], b[INET6_ADDRSTRLEN + 1];
	const char *comma = strchr(spec, ',');
	memset(r, 0, sizeof *r);
	*why = "expected START,END (two IPv6 addresses)";
	if (!comma || (size_t)(comma - spec) >= sizeof a || strlen(comma + 1) >= sizeof b)
		return -EINVAL;
	memcpy(a, spec, (size_t)(comma - spec));
	a[comma - spec] = 0;
	snprintf(b, sizeof b, "%s", comma + 1);
	if (inet_pton(AF_INET6, a, r->start) != 1 || inet_pton(AF_INET6, b, r->end) != 1)
		return -EINVAL;
	if (memcmp(r->start, r->end, 8)) {
		*why = "START and END must be in the same /64";
		return -EINVAL;
	}
	if (lo64(r->start) > lo64(r->end)) {
		*why = "START is after END";
		return -EINVAL;
	}
	if (r->start[0] == 0xff || (r->start[0] == 0xfe && (r->start[1] & 0xc0) == 0x80)) {
		*why = "the range must be global or unique-local addresses";
		return -EINVAL;
	}
	r->set = true;
	return 0;
}

bool dhcp6_range_contains(const struct dhcp6_range *r, const uint8_t a[16])
{
	return !memcmp(a, r->start, 8) && lo64(a) >= lo64(r->start) && lo64(a) <= lo64(r->end);
}

static bool live(const struct dhcp6_lease *l, uint64_t now)
{
	return l->used && l->expires_ms > now;
}

static size_t bucket(const uint8_t a[16])
{
	return (size_t)(fnv1a(a, 16, FNV_BASIS) & (DHCP6_LEASE_BUCKETS - 1));
}

static void index_add(struct dhcp6_leases *ls, size_t slot)
{
	size_t b = bucket(ls->v[slot].addr);
	ls->v[slot].next = ls->head[b];
	ls->head[b] = (uint16_t)(slot + 1);
}

static void index_remove(struct dhcp6_leases *ls, size_t slot)
{
	uint16_t *p = &ls->head[bucket(ls->v[slot].addr)];
	while (*p && *p != slot + 1)
		p = &ls->v[*p - 1].next;
	if (*p)
		*p = ls->v[slot].next;
	ls->v[slot].next = 0;
	ls->v[slot].used = false;
}

static bool addr_taken(const struct dhcp6_leases *ls, const uint8_t a[16], uint64_t now)
{
	for (uint16_t i = ls->head[bucket(a)]; i; i = ls->v[i - 1].next)
		if (live(&ls->v[i - 1], now) && !memcmp(ls->v[i - 1].addr, a, 16))
			return true;
	return false;
}

static struct dhcp6_lease *find(const struct dhcp6_leases *ls, const struct dhcp6_client_id *id,
				uint64_t now)
{
	for (size_t i = 0; i < DHCP6_MAX_LEASES; i++) {
		const struct dhcp6_lease *l = &ls->v[i];
		if (live(l, now) && !l->declined && l->iaid == id->iaid &&
		    l->duid_len == id->duid_len && !memcmp(l->duid, id->duid, id->duid_len))
			return (struct dhcp6_lease *)l;
	}
	return NULL;
}

/* A slot that holds no live lease, or -ENOSPC. */
static int free_slot(const struct dhcp6_leases *ls, uint64_t now)
{
	for (size_t i = 0; i < DHCP6_MAX_LEASES; i++)
		if (!live(&ls->v[i], now))
			return (int)i;
	return -ENOSPC;
}

/* The first free address from a hash of DUID and IAID, so that a client
 * that comes back (or asks again after its Advertise) gets the same one. */
static int probe(const struct dhcp6_leases *ls, const struct dhcp6_range *r,
		 const struct dhcp6_client_id *id, uint64_t now, uint8_t addr[16])
{
	uint64_t size = lo64(r->end) - lo64(r->start) + 1;
	uint8_t iab[4] = {(uint8_t)(id->iaid >> 24), (uint8_t)(id->iaid >> 16),
			  (uint8_t)(id->iaid >> 8), (uint8_t)id->iaid};
	uint64_t h = fnv1a(iab, 4, fnv1a(id->duid, id->duid_len, FNV_BASIS));
	/* at most DHCP6_MAX_LEASES addresses are taken: a free one is within
	 * that many steps of any start unless the range is smaller */
	uint64_t tries = size ? (size < DHCP6_MAX_LEASES + 1 ? size : DHCP6_MAX_LEASES + 1) : 1;
	for (uint64_t t = 0; t < tries; t++) {
		memcpy(addr, r->start, 16);
		set_lo64(addr, lo64(r->start) + (size ? (h + t) % size : 0));
		if (!addr_taken(ls, addr, now))
			return 0;
	}
	return -ENOSPC;
}

int dhcp6_lease_candidate(const struct dhcp6_leases *ls, const struct dhcp6_range *r,
			  const struct dhcp6_client_id *id, uint64_t now, uint8_t addr[16])
{
	const struct dhcp6_lease *l = find(ls, id, now);
	if (l) {
		memcpy(addr, l->addr, 16);
		return 0;
	}
	if (id->duid_len == 0 || id->duid_len > DHCP6_DUID_MAX || free_slot(ls, now) < 0)
		return -ENOSPC;
	return probe(ls, r, id, now, addr);
}

int dhcp6_lease_commit(struct dhcp6_leases *ls, const struct dhcp6_range *r,
		       const struct dhcp6_client_id *id, uint64_t now, uint8_t addr[16])
{
	struct dhcp6_lease *l = find(ls, id, now);
	if (!l) {
		int slot = free_slot(ls, now);
		if (slot < 0 || id->duid_len == 0 || id->duid_len > DHCP6_DUID_MAX ||
		    probe(ls, r, id, now, addr) < 0)
			return -ENOSPC;
		l = &ls->v[slot];
		if (l->used)
			index_remove(ls, (size_t)slot);
		memset(l, 0, sizeof *l);
		l->used = true;
		memcpy(l->duid, id->duid, id->duid_len);
		l->duid_len = (uint16_t)id->duid_len;
		l->iaid = id->iaid;
		memcpy(l->addr, addr, 16);
		index_add(ls, (size_t)slot);
	}
	l->expires_ms = now + DHCP6_LEASE_VALID * 1000ull;
	memcpy(addr, l->addr, 16);
	return 0;
}

int dhcp6_lease_renew(struct dhcp6_leases *ls, const struct dhcp6_client_id *id,
		      const uint8_t *want, uint64_t now, uint8_t addr[16])
{
	struct dhcp6_lease *l = find(ls, id, now);
	if (!l || (want && memcmp(want, l->addr, 16)))
		return -ENOENT;
	l->expires_ms = now + DHCP6_LEASE_VALID * 1000ull;
	memcpy(addr, l->addr, 16);
	return 0;
}

int dhcp6_lease_release(struct dhcp6_leases *ls, const struct dhcp6_client_id *id, uint64_t now)
{
	struct dhcp6_lease *l = find(ls, id, now);
	if (!l)
		return -ENOENT;
	index_remove(ls, (size_t)(l - ls->v));
	return 0;
}

int dhcp6_lease_decline(struct dhcp6_leases *ls, const struct dhcp6_client_id *id, uint64_t now)
{
	struct dhcp6_lease *l = find(ls, id, now);
	if (!l)
		return -ENOENT;
	/* someone else uses it: keep it blocked, detached from this client,
	 * which gets another address next time */
	l->declined = true;
	l->duid_len = 0;
	l->iaid = 0;
	l->expires_ms = now + DHCP6_LEASE_VALID * 1000ull;
	return 0;
}

bool dhcp6_lease_holder(const struct dhcp6_leases *ls, const uint8_t *duid, size_t duid_len,
			uint64_t now)
{
	for (size_t i = 0; i < DHCP6_MAX_LEASES; i++) {
		const struct dhcp6_lease *l = &ls->v[i];
		if (live(l, now) && !l->declined && l->duid_len == duid_len &&
		    !memcmp(l->duid, duid, duid_len))
			return true;
	}
	return false;
}

size_t dhcp6_leases_live(const struct dhcp6_leases *ls, uint64_t now)
{
	size_t n = 0;
	for (size_t i = 0; i < DHCP6_MAX_LEASES; i++)
		n += live(&ls->v[i], now);
	return n;
}
