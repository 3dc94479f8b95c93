/* dhcp4c: the DHCPv4 client state machine (RFC 2131 4.4). Pure: time
 * comes in as an argument, packets go out through struct dhcp4c_out. */
#include "rescue/dhcp4c.h"

#include <string.h>

#define SEC 1000ull
#define DEFAULT_LEASE_S 3600u
#define MIN_RETRY_MS (10 * SEC) /* RFC 2131 4.4.5 says 60 s; short leases need less */
#define MAX_BACKOFF_MS (64 * SEC)
#define REQUEST_TRIES 4
#define NAK_PAUSE_MS (2 * SEC) /* a server that NAKs at once must not make us spin */
#define INFINITE_LEASE 0xffffffffu

static uint32_t rng_next(struct dhcp4c *c)
{
	/* xorshift32: jitter and xids, nothing secret */
	uint32_t x = c->rng ? c->rng : 0x9e3779b9u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	c->rng = x;
	return x;
}

/* 2 s, 4 s, 8 s ... 64 s, plus up to a second of jitter (RFC 2131 4.1). */
static uint64_t backoff_ms(struct dhcp4c *c)
{
	uint64_t b = (2 * SEC) << (c->tries < 6 ? c->tries : 6);
	if (b > MAX_BACKOFF_MS)
		b = MAX_BACKOFF_MS;
	return b + rng_next(c) % SEC;
}

static uint64_t t1_at(const struct dhcp4c *c)
{
	return c->bound_ms + c->lease.t1_s * SEC;
}
static uint64_t t2_at(const struct dhcp4c *c)
{
	return c->bound_ms + c->lease.t2_s * SEC;
}
static uint64_t expiry_at(const struct dhcp4c *c)
{
	return c->bound_ms + c->lease.lease_s * SEC;
}

/* Halfway to limit, at least MIN_RETRY_MS, never past it (RFC 2131 4.4.5). */
static uint64_t halfway(uint64_t now, uint64_t limit)
{
	if (now >= limit)
		return limit;
	uint64_t step = (limit - now) / 2;
	if (step < MIN_RETRY_MS)
		step = MIN_RETRY_MS;
	return now + step < limit ? now + step : limit;
}

static void out_clear(struct dhcp4c_out *o)
{
	o->deconfigure = o->configure = o->send = o->unicast = false;
	o->len = 0;
}

static void emit(struct dhcp4c *c, struct dhcp4c_out *o, uint8_t type, uint64_t now)
{
	struct dhcp4c_req q = {.type = type, .xid = c->xid, .hostname = c->hostname};
	uint64_t secs = (now - c->start_ms) / SEC;
	struct wbuf w;
	q.secs = secs > 0xffff ? 0xffff : (uint16_t)secs;
	memcpy(q.mac, c->mac, 6);
	switch (c->state) {
	case DHCP4C_S_SELECTING:
		q.broadcast = true;
		break;
	case DHCP4C_S_REQUESTING:
		q.broadcast = true;
		memcpy(q.req_ip, c->offer.yiaddr, 4);
		memcpy(q.server_id, c->offer.server_id, 4);
		break;
	default: /* RENEWING, REBINDING, RELEASE: we hold the address */
		memcpy(q.ciaddr, c->lease.addr, 4);
		if (type == DHCP4C_RELEASE)
			memcpy(q.server_id, c->lease.server, 4);
		break;
	}
	wbuf_init(&w, o->pkt, sizeof o->pkt);
	if (dhcp4c_build(&w, &q))
		return;
	o->send = true;
	o->len = w.len;
	o->unicast = c->state == DHCP4C_S_RENEWING || type == DHCP4C_RELEASE;
}

static void drop_lease(struct dhcp4c *c, struct dhcp4c_out *o)
{
	if (c->have_lease)
		o->deconfigure = true;
	c->have_lease = false;
}

static void send_discover(struct dhcp4c *c, uint64_t now, struct dhcp4c_out *o)
{
	c->state = DHCP4C_S_SELECTING;
	c->xid = rng_next(c);
	c->start_ms = now;
	c->tries = 0;
	emit(c, o, DHCP4C_DISCOVER, now);
	c->next_ms = now + backoff_ms(c);
}

void dhcp4c_init(struct dhcp4c *c, const uint8_t mac[6], const char *hostname, uint32_t seed,
		 uint64_t now)
{
	memset(c, 0, sizeof *c);
	memcpy(c->mac, mac, 6);
	if (hostname)
		strncpy(c->hostname, hostname, sizeof c->hostname - 1);
	c->rng = seed ^ ((uint32_t)mac[2] << 24 | (uint32_t)mac[3] << 16 | mac[4] << 8 | mac[5]);
	c->state = DHCP4C_S_INIT;
	c->next_ms = now;
}

void dhcp4c_adopt(struct dhcp4c *c, const struct dhcp4c_lease *l, uint64_t now)
{
	bool server = l->server[0] | l->server[1] | l->server[2] | l->server[3];
	c->lease = *l;
	if (!c->lease.lease_s || c->lease.lease_s == INFINITE_LEASE)
		c->lease.lease_s = 3600;
	c->lease.t1_s = 0;
	c->lease.t2_s = server ? c->lease.lease_s / 2 : 0;
	c->have_lease = true;
	c->state = DHCP4C_S_BOUND;
	c->bound_ms = now;
	c->tries = 0;
	c->next_ms = now;
}

static void restart(struct dhcp4c *c, uint64_t now, uint64_t delay, struct dhcp4c_out *o)
{
	drop_lease(c, o);
	c->state = DHCP4C_S_INIT;
	c->next_ms = now + delay;
}

void dhcp4c_timeout(struct dhcp4c *c, uint64_t now, struct dhcp4c_out *o)
{
	out_clear(o);
	if (now < c->next_ms)
		return;
	switch (c->state) {
	case DHCP4C_S_INIT:
		send_discover(c, now, o);
		break;
	case DHCP4C_S_SELECTING:
		c->tries++;
		emit(c, o, DHCP4C_DISCOVER, now);
		c->next_ms = now + backoff_ms(c);
		break;
	case DHCP4C_S_REQUESTING:
		if (++c->tries >= REQUEST_TRIES) {
			send_discover(c, now, o);
			break;
		}
		c->requested_ms = now;
		emit(c, o, DHCP4C_REQUEST, now);
		c->next_ms = now + backoff_ms(c);
		break;
	case DHCP4C_S_BOUND:
	case DHCP4C_S_RENEWING:
	case DHCP4C_S_REBINDING:
		if (now >= expiry_at(c)) {
			restart(c, now, 0, o);
			send_discover(c, now, o);
			break;
		}
		if (c->state == DHCP4C_S_BOUND) {
			c->xid = rng_next(c);
			c->start_ms = now;
		}
		c->state = now >= t2_at(c) ? DHCP4C_S_REBINDING : DHCP4C_S_RENEWING;
		c->requested_ms = now;
		emit(c, o, DHCP4C_REQUEST, now);
		c->next_ms = halfway(now, c->state == DHCP4C_S_RENEWING ? t2_at(c) : expiry_at(c));
		break;
	}
}

/* The lease an ACK grants: defaults for what it leaves out, T1 < T2 <
 * lease enforced (RFC 2131 4.4.5). */
static void lease_from(struct dhcp4c *c, const struct dhcp4c_reply *r, struct dhcp4c_lease *l)
{
	memset(l, 0, sizeof *l);
	memcpy(l->addr, r->yiaddr, 4);
	memcpy(l->server, r->server_id[0] ? r->server_id : c->offer.server_id, 4);
	if (!(l->server[0] | l->server[1] | l->server[2] | l->server[3]))
		memcpy(l->server, c->lease.server, 4);
	int p = r->has_netmask ? dhcp4c_mask_prefix(r->netmask) : -1;
	if (p < 1 || p > 32)
		p = r->yiaddr[0] < 128 ? 8 : r->yiaddr[0] < 192 ? 16 : 24;
	l->prefix = (uint8_t)p;
	l->has_router = r->has_router;
	memcpy(l->router, r->router, 4);
	memcpy(l->dns, r->dns, sizeof l->dns);
	l->n_dns = r->n_dns;
	memcpy(l->domain, r->domain, sizeof l->domain);
	l->mtu = r->mtu;
	l->lease_s = r->lease_s ? r->lease_s : DEFAULT_LEASE_S;
	if (l->lease_s == INFINITE_LEASE) {
		l->t1_s = l->t2_s = INFINITE_LEASE;
		return;
	}
	l->t1_s = r->t1_s;
	l->t2_s = r->t2_s;
	if (!l->t2_s || l->t2_s >= l->lease_s)
		l->t2_s = (uint32_t)((uint64_t)l->lease_s * 7 / 8);
	if (!l->t1_s || l->t1_s >= l->t2_s)
		l->t1_s = l->lease_s / 2 < l->t2_s ? l->lease_s / 2 : l->t2_s;
}

static void bind(struct dhcp4c *c, const struct dhcp4c_reply *r, struct dhcp4c_out *o)
{
	struct dhcp4c_lease l;
	lease_from(c, r, &l);
	if (c->have_lease && memcmp(c->lease.addr, l.addr, 4))
		o->deconfigure = true; /* a new address: the old one goes first */
	if (c->state == DHCP4C_S_RENEWING || c->state == DHCP4C_S_REBINDING)
		c->renewals++;
	c->lease = l;
	c->have_lease = true;
	c->state = DHCP4C_S_BOUND;
	c->bound_ms = c->requested_ms;
	c->tries = 0;
	o->configure = true;
	c->next_ms = l.lease_s == INFINITE_LEASE ? UINT64_MAX : t1_at(c);
}

static bool usable_offer(const struct dhcp4c_reply *r)
{
	const uint8_t *a = r->yiaddr, *s = r->server_id;
	return (a[0] | a[1] | a[2] | a[3]) && a[0] != 127 && a[0] < 224 &&
	       (s[0] | s[1] | s[2] | s[3]);
}

bool dhcp4c_input(struct dhcp4c *c, const struct dhcp4c_reply *r, uint64_t now,
		  struct dhcp4c_out *o)
{
	out_clear(o);
	if (r->xid != c->xid || memcmp(r->chaddr, c->mac, 6))
		return false;
	switch (c->state) {
	case DHCP4C_S_SELECTING:
		if (r->type != DHCP4C_OFFER || !usable_offer(r))
			return false;
		c->offer = *r;
		c->state = DHCP4C_S_REQUESTING;
		c->tries = 0;
		c->requested_ms = now;
		emit(c, o, DHCP4C_REQUEST, now);
		c->next_ms = now + backoff_ms(c);
		return true;
	case DHCP4C_S_REQUESTING:
	case DHCP4C_S_RENEWING:
	case DHCP4C_S_REBINDING:
		if (r->type == DHCP4C_NAK) {
			c->naks++;
			restart(c, now, NAK_PAUSE_MS, o);
			return true;
		}
		if (r->type != DHCP4C_ACK ||
		    !(r->yiaddr[0] | r->yiaddr[1] | r->yiaddr[2] | r->yiaddr[3]))
			return false;
		bind(c, r, o);
		return true;
	default: /* INIT, BOUND: nothing outstanding */
		return false;
	}
}

void dhcp4c_release(struct dhcp4c *c, uint64_t now, struct dhcp4c_out *o)
{
	out_clear(o);
	if (c->have_lease) {
		c->xid = rng_next(c);
		emit(c, o, DHCP4C_RELEASE, now);
	}
	drop_lease(c, o);
	c->state = DHCP4C_S_INIT;
	c->next_ms = UINT64_MAX;
}

const char *dhcp4c_state_name(enum dhcp4c_state s)
{
	static const char *const names[] = {"init",  "selecting", "requesting",
					    "bound", "renewing",  "rebinding"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}
