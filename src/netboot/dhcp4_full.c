/* dhcp4_full: full DHCPv4's options, address decisions and plain replies;
 * see dhcp4_full.h. */
#include "netboot/dhcp4_full.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_ip(const char *s, size_t n, uint8_t ip[4])
{
	char tmp[INET_ADDRSTRLEN];
	if (n == 0 || n >= sizeof tmp)
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	return inet_pton(AF_INET, tmp, ip) == 1 ? 0 : -EINVAL;
}

/* "3600", "90m", "12h", "7d": seconds. */
static int parse_secs(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	unsigned long mul = !*end		? 1
			    : !strcmp(end, "s") ? 1
			    : !strcmp(end, "m") ? 60
			    : !strcmp(end, "h") ? 3600
			    : !strcmp(end, "d") ? 86400
						: 0;
	if (end == s || !mul || v > 365ul * 86400 / mul)
		return -EINVAL;
	v *= mul;
	if (v < 120 || v > 365ul * 86400)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int dhcp4_range_parse(const char *spec, struct dhcp4_full_config *c, const char **why)
{
	const char *c1 = strchr(spec, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	uint8_t a[4], b[4];
	uint32_t secs = DHCP4_LEASE_SECS_DEFAULT;
	*why = "expected START,END[,LEASE] (IPv4 addresses; LEASE in seconds or with s/m/h/d)";
	if (!c1 || parse_ip(spec, (size_t)(c1 - spec), a) ||
	    parse_ip(c1 + 1, c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1), b))
		return -EINVAL;
	if (c2 && parse_secs(c2 + 1, &secs)) {
		*why = "LEASE: 120 s to 365 d (e.g. 3600, 90m, 12h, 7d)";
		return -EINVAL;
	}
	uint32_t s = dhcp4_ip_u32(a), e = dhcp4_ip_u32(b);
	if (s > e || e - s >= DHCP4_POOL_MAX) {
		*why = "START must not be above END, and a range holds at most 4096 addresses";
		return -EINVAL;
	}
	memcpy(c->range_start, a, 4);
	memcpy(c->range_end, b, 4);
	c->lease_secs = secs;
	c->range_set = true;
	return 0;
}

int dhcp4_ip_list_add(const char *spec, uint8_t (*list)[4], size_t *n, size_t max, const char **why)
{
	uint8_t ip[4];
	if (parse_ip(spec, strlen(spec), ip)) {
		*why = "expected an IPv4 address";
		return -EINVAL;
	}
	if (*n == max) {
		*why = "too many addresses (at most 4)";
		return -E2BIG;
	}
	memcpy(list[(*n)++], ip, 4);
	return 0;
}

/* A host name (RFC 1123 labels): letters, digits, '-' and '.'. */
static bool name_ok(const char *s)
{
	if (!*s || strlen(s) >= 64 || *s == '-' || *s == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
			return false;
	return true;
}

static int parse_mac(const char *s, size_t n, uint8_t mac[6])
{
	unsigned v[6];
	char tmp[18], end;
	if (n != 17)
		return -EINVAL;
	memcpy(tmp, s, 17);
	tmp[17] = 0;
	if (sscanf(tmp, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

int dhcp4_resv_parse(const char *spec, struct dhcp4_full_config *c, const char **why)
{
	const char *eq = strchr(spec, '=');
	if (!eq)
		return 0;
	const char *act = eq + 1, *comma = strchr(act, ',');
	struct dhcp4_resv r;
	memset(&r, 0, sizeof r);
	if (parse_ip(act, comma ? (size_t)(comma - act) : strlen(act), r.ip))
		return 0; /* not an address: a boot rule */
	if (parse_mac(spec, (size_t)(eq - spec), r.mac)) {
		*why = "MAC=IP needs one whole MAC (no '*')";
		return -EINVAL;
	}
	if (comma && !name_ok(comma + 1)) {
		*why = "MAC=IP,NAME: NAME is a host name (letters, digits, '-', '.'; < 64)";
		return -EINVAL;
	}
	if (comma)
		snprintf(r.name, sizeof r.name, "%s", comma + 1);
	for (size_t i = 0; i < c->n_resv; i++)
		if (!memcmp(c->resv[i].ip, r.ip, 4) || !memcmp(c->resv[i].mac, r.mac, 6)) {
			*why = "two reservations for one MAC or one address";
			return -EINVAL;
		}
	if (c->n_resv == DHCP4_MAX_RESV) {
		*why = "too many MAC=IP reservations (at most 64)";
		return -E2BIG;
	}
	c->resv[c->n_resv++] = r;
	return 1;
}

const struct dhcp4_resv *dhcp4_resv_for(const struct dhcp4_full_config *c, const uint8_t mac[6])
{
	for (size_t i = 0; i < c->n_resv; i++)
		if (!memcmp(c->resv[i].mac, mac, 6))
			return &c->resv[i];
	return NULL;
}

int dhcp4_default_range(const uint8_t ip[4], const uint8_t mask[4], uint32_t *start, uint32_t *end)
{
	uint32_t m = dhcp4_ip_u32(mask), net = dhcp4_ip_u32(ip) & m, size = ~m + 1u;
	if (m == 0 || size < 8)
		return -ERANGE;
	uint32_t half = size / 2;
	if (half - 1 > DHCP4_POOL_MAX)
		half = DHCP4_POOL_MAX + 1;
	*end = net + size - 2; /* below the broadcast address */
	*start = *end - (half - 2);
	return 0;
}

static bool same_subnet(const struct dhcp4_full_net *net, const uint8_t a[4])
{
	uint32_t m = dhcp4_ip_u32(net->mask);
	return (dhcp4_ip_u32(a) & m) == (dhcp4_ip_u32(net->ip) & m);
}

static bool is_zero(const uint8_t a[4])
{
	return !memcmp(a, "\0\0\0\0", 4);
}

static void decide_set(struct dhcp4_full_decision *d, enum dhcp4_full_kind k, const char *what,
		       const char *why)
{
	d->kind = k;
	d->what = what;
	d->why = why;
}

/* DISCOVER: a hold (or a probe first), or the reservation. */
static void decide_discover(const struct dhcp4_full_net *net, const struct dhcp4_msg *m,
			    const struct dhcp4_resv *rv, int64_t now, struct dhcp4_full_decision *d)
{
	uint8_t want[4] = {0};
	uint32_t ip;
	bool probe;
	if (rv) {
		memcpy(d->ip, rv->ip, 4);
		decide_set(d, D4F_OFFER, "offer", "reserved");
		return;
	}
	if (!net->pool) {
		decide_set(d, D4F_SILENT, "nooffer", "no --dhcp-range on this interface's subnet");
		return;
	}
	dhcp4_opt_ip(m, DHCP4_OPT_REQ_IP, want);
	if (dhcp4_pool_offer(net->pool, m->chaddr, dhcp4_ip_u32(want), now, &ip, &probe)) {
		decide_set(d, D4F_SILENT, "nooffer", "range full");
		return;
	}
	if (probe && net->cfg->no_probe) {
		dhcp4_pool_probed(net->pool, ip);
		probe = false;
	}
	dhcp4_u32_ip(ip, d->ip);
	d->pool = true;
	decide_set(d, probe ? D4F_PROBE : D4F_OFFER, probe ? "probe" : "offer", NULL);
}

/* REQUEST, RFC 2131 4.3.2: which address, and in which state. */
static void decide_request(const struct dhcp4_full_net *net, const struct dhcp4_msg *m,
			   const struct dhcp4_resv *rv, int64_t now, struct dhcp4_full_decision *d)
{
	uint8_t sid[4], req[4] = {0};
	bool has_sid = dhcp4_opt_ip(m, DHCP4_OPT_SERVER_ID, sid) == 0;
	bool has_req = dhcp4_opt_ip(m, DHCP4_OPT_REQ_IP, req) == 0;
	if (has_sid && memcmp(sid, net->ip, 4)) {
		decide_set(d, D4F_SILENT, "ignore", "the client chose another server");
		return;
	}
	bool init_reboot = !has_sid && has_req && is_zero(m->ciaddr);
	const uint8_t *ip = has_req && is_zero(m->ciaddr) ? req : m->ciaddr;
	if (is_zero(ip)) {
		decide_set(d, D4F_SILENT, "malformed", "REQUEST without an address");
		return;
	}
	memcpy(d->ip, ip, 4);
	if (!same_subnet(net, ip)) {
		bool nak = init_reboot || has_sid;
		decide_set(d, nak ? D4F_NAK : D4F_SILENT, nak ? "nak" : "ignore",
			   "address not on this subnet");
		return;
	}
	if (rv) {
		bool ok = !memcmp(rv->ip, ip, 4);
		decide_set(d, ok ? D4F_ACK : D4F_NAK, ok ? "ack" : "nak",
			   ok ? "reserved" : "this MAC has another reserved address");
		return;
	}
	int r = net->pool ? dhcp4_pool_request(net->pool, m->chaddr, dhcp4_ip_u32(ip), now,
					       init_reboot || !has_sid)
			  : -ENOENT;
	/* a renewing or rebinding client we hold no record for: keep it if
	 * nobody else has the address (the lease file was lost) */
	if (r == -ENOENT && !init_reboot && !is_zero(m->ciaddr) && net->pool)
		r = dhcp4_pool_request(net->pool, m->chaddr, dhcp4_ip_u32(ip), now, false);
	if (r == 0) {
		d->pool = true;
		decide_set(d, D4F_ACK, "ack", NULL);
	} else if (r == -EPERM) {
		decide_set(d, D4F_NAK, "nak", "address not free for this client");
	} else {
		decide_set(d, D4F_SILENT, "ignore", "no record of this lease");
	}
}

void dhcp4_full_decide(const struct dhcp4_full_net *net, const struct dhcp4_msg *m, int64_t now,
		       struct dhcp4_full_decision *d)
{
	const struct dhcp4_resv *rv = dhcp4_resv_for(net->cfg, m->chaddr);
	uint8_t sid[4] = {0}, ip[4] = {0};
	memset(d, 0, sizeof *d);
	d->lease_secs = net->cfg->lease_secs ? net->cfg->lease_secs : DHCP4_LEASE_SECS_DEFAULT;
	if (rv && !same_subnet(net, rv->ip))
		rv = NULL; /* reserved on another interface's subnet */
	d->hostname = rv && rv->name[0] ? rv->name : NULL;
	bool ours = dhcp4_opt_ip(m, DHCP4_OPT_SERVER_ID, sid) == 0 && !memcmp(sid, net->ip, 4);
	switch (m->msg_type) {
	case DHCP4_DISCOVER:
		decide_discover(net, m, rv, now, d);
		return;
	case DHCP4_REQUEST:
		decide_request(net, m, rv, now, d);
		return;
	case DHCP4_DECLINE:
		dhcp4_opt_ip(m, DHCP4_OPT_REQ_IP, ip);
		memcpy(d->ip, ip, 4);
		bool declined =
		    ours && net->pool &&
		    dhcp4_pool_decline(net->pool, m->chaddr, dhcp4_ip_u32(ip), now) == 0;
		decide_set(d, D4F_SILENT, "decline", declined ? NULL : "not our lease");
		return;
	case DHCP4_RELEASE:
		memcpy(d->ip, m->ciaddr, 4);
		bool released =
		    ours && net->pool &&
		    dhcp4_pool_release(net->pool, m->chaddr, dhcp4_ip_u32(m->ciaddr), now) == 0;
		decide_set(d, D4F_SILENT, "release", released ? NULL : "not our lease");
		return;
	case DHCP4_INFORM:
		decide_set(d, is_zero(m->ciaddr) ? D4F_SILENT : D4F_INFORM, "inform",
			   is_zero(m->ciaddr) ? "INFORM without ciaddr" : NULL);
		return;
	default:
		decide_set(d, D4F_SILENT, "ignore", "not a message a server answers");
	}
}

static int put_ips(struct wbuf *w, uint8_t code, const uint8_t (*ips)[4], size_t n)
{
	return n ? dhcp4_build_opt(w, code, ips, 4 * n) : 0;
}

static int put_be32(struct wbuf *w, uint8_t code, uint32_t v)
{
	uint8_t b[4];
	dhcp4_u32_ip(v, b);
	return dhcp4_build_opt(w, code, b, 4);
}

int dhcp4_full_options(struct wbuf *w, const struct dhcp4_full_net *net,
		       const struct dhcp4_full_decision *d)
{
	const struct dhcp4_full_config *c = net->cfg;
	uint8_t bcast[4];
	dhcp4_u32_ip(dhcp4_ip_u32(net->ip) | ~dhcp4_ip_u32(net->mask), bcast);
	int e = dhcp4_build_opt(w, 1, net->mask, 4);
	e = e ? e : dhcp4_build_opt(w, 28, bcast, 4);
	if (!e && c->router_set)
		e = dhcp4_build_opt(w, 3, c->router, 4);
	e = e ? e : put_ips(w, 6, (const uint8_t(*)[4])c->dns, c->n_dns);
	if (!e && c->domain && *c->domain && strlen(c->domain) < 256)
		e = dhcp4_build_opt(w, 15, c->domain, strlen(c->domain));
	if (!e && c->mtu) {
		uint8_t mtu[2] = {(uint8_t)(c->mtu >> 8), (uint8_t)c->mtu};
		e = dhcp4_build_opt(w, 26, mtu, 2);
	}
	e = e ? e : put_ips(w, 42, (const uint8_t(*)[4])c->ntp, c->n_ntp);
	if (!e && d->hostname)
		e = dhcp4_build_opt(w, DHCP4_OPT_HOSTNAME, d->hostname, strlen(d->hostname));
	if (!e && d->kind != D4F_INFORM) {
		e = put_be32(w, 51, d->lease_secs);
		e = e ? e : put_be32(w, 58, d->lease_secs / 2);
		e = e ? e : put_be32(w, 59, d->lease_secs / 8 * 7);
	}
	return e || w->err ? -ENOBUFS : 0;
}

int dhcp4_full_build(struct wbuf *w, const struct dhcp4_msg *req, const struct dhcp4_full_net *net,
		     const struct dhcp4_full_decision *d, const uint8_t *extra, size_t n)
{
	uint8_t type = d->kind == D4F_OFFER ? DHCP4_OFFER
		       : d->kind == D4F_NAK ? DHCP4_NAK
					    : DHCP4_ACK;
	struct dhcp4_hdr h = {
	    .op = DHCP4_BOOTREPLY,
	    .xid = req->xid,
	    .flags = req->flags,
	    .hlen = req->hlen,
	};
	memcpy(h.chaddr, req->chaddr, sizeof h.chaddr);
	memcpy(h.giaddr, req->giaddr, 4);
	if (type == DHCP4_ACK)
		memcpy(h.ciaddr, req->ciaddr, 4);
	if (d->kind == D4F_OFFER || d->kind == D4F_ACK)
		memcpy(h.yiaddr, d->ip, 4);
	if (dhcp4_build_header(w, &h) || dhcp4_build_opt_u8(w, DHCP4_OPT_MSG_TYPE, type) ||
	    dhcp4_build_opt(w, DHCP4_OPT_SERVER_ID, net->ip, 4))
		return -ENOBUFS;
	if (type != DHCP4_NAK && n && wbuf_bytes(w, extra, n))
		return -ENOBUFS;
	return dhcp4_build_end(w);
}
