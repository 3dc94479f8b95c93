/* dhcp4_leases: the DHCPv4 address pool, one slot per address; see
 * dhcp4_leases.h. */
#include "netboot/dhcp4_leases.h"

#include <errno.h>
#include <string.h>

uint32_t dhcp4_ip_u32(const uint8_t ip[4])
{
	return (uint32_t)ip[0] << 24 | (uint32_t)ip[1] << 16 | (uint32_t)ip[2] << 8 | ip[3];
}

void dhcp4_u32_ip(uint32_t v, uint8_t ip[4])
{
	ip[0] = (uint8_t)(v >> 24);
	ip[1] = (uint8_t)(v >> 16);
	ip[2] = (uint8_t)(v >> 8);
	ip[3] = (uint8_t)v;
}

int dhcp4_pool_init(struct dhcp4_pool *p, uint32_t start, uint32_t end, uint32_t lease_secs)
{
	if (start > end || end - start >= DHCP4_POOL_MAX)
		return -EINVAL;
	memset(p, 0, sizeof *p);
	p->start = start;
	p->end = end;
	p->lease_secs = lease_secs;
	return 0;
}

bool dhcp4_pool_contains(const struct dhcp4_pool *p, uint32_t ip)
{
	return ip >= p->start && ip <= p->end;
}

static struct dhcp4_slot *slot_of(struct dhcp4_pool *p, uint32_t ip)
{
	return dhcp4_pool_contains(p, ip) ? &p->v[ip - p->start] : NULL;
}

void dhcp4_pool_reserve(struct dhcp4_pool *p, uint32_t ip)
{
	struct dhcp4_slot *s = slot_of(p, ip);
	if (s) {
		memset(s, 0, sizeof *s);
		s->state = DHCP4_RESERVED;
	}
}

/* Whether s is free for anyone at now (expired holds and leases are). */
static bool slot_free(const struct dhcp4_slot *s, int64_t now)
{
	return s->state == DHCP4_FREE || (s->state != DHCP4_RESERVED && s->expires <= now);
}

/* Whether s is live and mac's. */
static bool slot_mine(const struct dhcp4_slot *s, const uint8_t mac[6], int64_t now)
{
	return (s->state == DHCP4_OFFERED || s->state == DHCP4_BOUND) && s->expires > now &&
	       !memcmp(s->mac, mac, 6);
}

/* mac's slot: live first, else an expired lease nobody took since. */
static struct dhcp4_slot *slot_find_mac(struct dhcp4_pool *p, const uint8_t mac[6], int64_t now)
{
	struct dhcp4_slot *old = NULL;
	size_t n = (size_t)(p->end - p->start) + 1;
	for (size_t i = 0; i < n; i++) {
		struct dhcp4_slot *s = &p->v[i];
		if (s->state != DHCP4_OFFERED && s->state != DHCP4_BOUND)
			continue;
		if (memcmp(s->mac, mac, 6))
			continue;
		if (s->expires > now)
			return s;
		old = s;
	}
	return old;
}

static uint32_t mac_hash(const uint8_t mac[6])
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (int i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 16777619u;
	return h;
}

static void slot_set(struct dhcp4_pool *p, struct dhcp4_slot *s, uint8_t state, const uint8_t *mac,
		     int64_t expires)
{
	bool durable = state == DHCP4_BOUND || state == DHCP4_DECLINED || s->state == DHCP4_BOUND ||
		       s->state == DHCP4_DECLINED;
	if (state != DHCP4_OFFERED || s->state != DHCP4_OFFERED || (mac && memcmp(s->mac, mac, 6)))
		s->probed = false;
	s->state = state;
	if (mac)
		memcpy(s->mac, mac, 6);
	else
		memset(s->mac, 0, 6);
	s->expires = expires;
	p->dirty |= durable;
}

int dhcp4_pool_offer(struct dhcp4_pool *p, const uint8_t mac[6], uint32_t want, int64_t now,
		     uint32_t *ip, bool *probe)
{
	struct dhcp4_slot *s = slot_find_mac(p, mac, now);
	if (s && !slot_mine(s, mac, now) && !slot_free(s, now))
		s = NULL;
	if (!s && (s = slot_of(p, want)) && !slot_free(s, now))
		s = NULL;
	size_t n = (size_t)(p->end - p->start) + 1;
	for (size_t k = 0, i = mac_hash(mac) % n; !s && k < n; k++, i = (i + 1) % n)
		if (slot_free(&p->v[i], now))
			s = &p->v[i];
	if (!s)
		return -ENOSPC;
	*ip = p->start + (uint32_t)(s - p->v);
	if (s->state == DHCP4_BOUND && s->expires > now) {
		*probe = false; /* its lease: the client may well answer ARP itself */
		return 0;
	}
	bool was_mine = s->state == DHCP4_OFFERED && !memcmp(s->mac, mac, 6) && s->expires > now;
	bool had_lease = s->state == DHCP4_BOUND && !memcmp(s->mac, mac, 6);
	bool probed = was_mine && s->probed;
	slot_set(p, s, DHCP4_OFFERED, mac, now + DHCP4_HOLD_SECS);
	s->probed = probed || had_lease;
	*probe = !s->probed;
	return 0;
}

void dhcp4_pool_probed(struct dhcp4_pool *p, uint32_t ip)
{
	struct dhcp4_slot *s = slot_of(p, ip);
	if (s && s->state == DHCP4_OFFERED)
		s->probed = true;
}

int dhcp4_pool_request(struct dhcp4_pool *p, const uint8_t mac[6], uint32_t ip, int64_t now,
		       bool init_reboot)
{
	struct dhcp4_slot *s = slot_of(p, ip);
	if (!s)
		return init_reboot ? -ENOENT : -EPERM;
	if (slot_mine(s, mac, now) ||
	    (s->state == DHCP4_BOUND && !memcmp(s->mac, mac, 6) && slot_free(s, now))) {
		slot_set(p, s, DHCP4_BOUND, mac, now + p->lease_secs);
		return 0;
	}
	if (!slot_free(s, now))
		return -EPERM;
	/* free: a client we never leased it to (or we lost the lease). A
	 * selecting client asked for what we did not offer: refuse; one
	 * rebooting or renewing keeps it if nobody else holds it. */
	if (init_reboot)
		return -ENOENT;
	slot_set(p, s, DHCP4_BOUND, mac, now + p->lease_secs);
	return 0;
}

int dhcp4_pool_release(struct dhcp4_pool *p, const uint8_t mac[6], uint32_t ip, int64_t now)
{
	struct dhcp4_slot *s = slot_of(p, ip);
	if (!s || !slot_mine(s, mac, now))
		return -ENOENT;
	/* keep the MAC with an expired time: the client gets it back next time */
	slot_set(p, s, DHCP4_BOUND, mac, now);
	return 0;
}

int dhcp4_pool_decline(struct dhcp4_pool *p, const uint8_t *mac, uint32_t ip, int64_t now)
{
	struct dhcp4_slot *s = slot_of(p, ip);
	if (!s || s->state == DHCP4_RESERVED || (mac && !slot_mine(s, mac, now)))
		return -ENOENT;
	slot_set(p, s, DHCP4_DECLINED, NULL, now + p->lease_secs);
	return 0;
}

int dhcp4_pool_restore(struct dhcp4_pool *p, const uint8_t *mac, uint32_t ip, int64_t expires)
{
	struct dhcp4_slot *s = slot_of(p, ip);
	if (!s)
		return -ERANGE;
	if (s->state != DHCP4_FREE)
		return -EEXIST;
	s->state = mac ? DHCP4_BOUND : DHCP4_DECLINED;
	if (mac)
		memcpy(s->mac, mac, 6);
	s->expires = expires;
	return 0;
}

size_t dhcp4_pool_live(const struct dhcp4_pool *p, int64_t now)
{
	size_t n = (size_t)(p->end - p->start) + 1, live = 0;
	for (size_t i = 0; i < n; i++)
		live += (p->v[i].state == DHCP4_BOUND || p->v[i].state == DHCP4_DECLINED) &&
			p->v[i].expires > now;
	return live;
}
