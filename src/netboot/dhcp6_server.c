/* dhcp6_server: the DHCPv6 answer (filters, then policy, leases and wire
 * in turn) and the two sockets; see dhcp6_server.h. */
#include "netboot/dhcp6_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "netboot/dhcp6_policy.h"
#include "netboot/dhcp_dst.h"
#include "netboot/udp.h"

/* ---- answers ---- */

/* One packet on its way through dhcp6_answer(). */
struct d6 {
	const struct dhcp6_ctx *ctx;
	const struct iface *ifc;
	const struct sockaddr_in6 *src;
	bool binl, stateful, netboot, need_url;
	const char *port, *fw;
	struct dhcp6_msg m;
	struct pxe_client c;
	char srcs[INET6_ADDRSTRLEN], mac[24], host[INET6_ADDRSTRLEN + 2], url[256];
	char addrs[INET6_ADDRSTRLEN];
	uint8_t sduid[DHCP6_DUID_LL_LEN];
	uint8_t addr[16];
	struct dhcp6_reply rep;
};

#define D6_LOG(a, ...) snprintf((a)->log, sizeof(a)->log, __VA_ARGS__)

static void fmt_mac(char *out, size_t cap, const uint8_t *m)
{
	snprintf(out, cap, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static bool mac_known(const uint8_t m[6])
{
	return m[0] | m[1] | m[2] | m[3] | m[4] | m[5];
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* Parse and the first filters: client messages from netboot clients (or,
 * stateful, from a lease holder). false: stay silent, *a says why. */
static bool d6_accept(struct d6 *q, const void *pkt, size_t n, struct dhcp6_answer *a)
{
	const struct dhcp6_msg *m = &q->m;
	if (dhcp6_parse(pkt, n, &q->m) < 0) {
		D6_LOG(a, "dhcp6.malformed from=%s port=%s len=%zu iface=%s", q->srcs, q->port, n,
		       q->ifc->name);
		return false;
	}
	if (m->relay || m->type == DHCP6_ADVERTISE || m->type == DHCP6_REPLY ||
	    m->type == DHCP6_RECONFIGURE) {
		a->log_quiet = true;
		D6_LOG(a, "dhcp6.ignore from=%s type=%s reason=\"%s\"", q->srcs,
		       dhcp6_type_name(m->type),
		       m->relay ? "relayed messages are not supported" : "not a client message");
		return false;
	}
	if (!m->clientid.present && m->type != DHCP6_INFORMATION_REQUEST) {
		D6_LOG(a, "dhcp6.malformed from=%s type=%s reason=\"no client identifier\"",
		       q->srcs, dhcp6_type_name(m->type));
		return false;
	}
	/* The firmware's DHCPv6 driver sends Renew/Release/... without the PXE
	 * options: in stateful mode a lease holder is answered all the same. */
	bool holder = false;
	if (q->stateful && m->clientid.present &&
	    (m->type == DHCP6_RENEW || m->type == DHCP6_REBIND || m->type == DHCP6_RELEASE ||
	     m->type == DHCP6_DECLINE || m->type == DHCP6_CONFIRM))
		holder = dhcp6_lease_holder(q->ctx->leases, m->clientid.p, m->clientid.len,
					    q->ctx->now_ms);
	q->netboot = dhcp6_classify(m, q->src, &q->c) == 0;
	/* Where lifeboat is the link's router (ra.h) its RAs told every host
	 * to ask DHCPv6: ordinary hosts get an address too, without a URL. */
	bool plain = q->stateful && q->ctx->plain && !q->binl;
	if (!q->netboot && !holder && !plain) {
		a->log_quiet = true;
		D6_LOG(a, "dhcp6.ignore from=%s type=%s port=%s reason=\"not a netboot client\"",
		       q->srcs, dhcp6_type_name(m->type), q->port);
		return false;
	}
	if (!q->netboot)
		dhcp6_classify_plain(m, q->src, &q->c);
	if (mac_known(q->c.mac))
		fmt_mac(q->mac, sizeof q->mac, q->c.mac);
	q->fw = dhcp6_fw_name(&q->c);
	return true;
}

/* Is this message ours to answer on this port, in this mode, on this
 * interface? false: stay silent, *a says why. */
static bool d6_for_us(struct d6 *q, struct dhcp6_answer *a)
{
	const struct dhcp6_msg *m = &q->m;
	const char *type = dhcp6_type_name(m->type);
	/* A message naming another server is that server's business. */
	if (m->serverid.present && (m->serverid.len != sizeof q->sduid ||
				    memcmp(m->serverid.p, q->sduid, sizeof q->sduid))) {
		a->log_quiet = true;
		D6_LOG(a, "dhcp6.ignore mac=%s type=%s port=%s reason=\"for another server\"",
		       q->mac, type, q->port);
		return false;
	}
	bool needs_sid = m->type == DHCP6_REQUEST || m->type == DHCP6_RENEW ||
			 m->type == DHCP6_RELEASE || m->type == DHCP6_DECLINE;
	if (needs_sid && !m->serverid.present && !q->binl) {
		D6_LOG(a, "dhcp6.malformed mac=%s type=%s reason=\"no server identifier\"", q->mac,
		       type);
		return false;
	}
	bool wanted = q->binl	    ? (m->type == DHCP6_REQUEST || m->type == DHCP6_SOLICIT ||
				       m->type == DHCP6_INFORMATION_REQUEST)
		      : q->stateful ? m->type != DHCP6_RELAY_FORW
				    : (m->type == DHCP6_SOLICIT || m->type == DHCP6_REQUEST ||
				       m->type == DHCP6_INFORMATION_REQUEST);
	if (!wanted) {
		a->log_quiet = true;
		D6_LOG(a,
		       "dhcp6.ignore mac=%s type=%s port=%s reason=\"not a message a %s answers\"",
		       q->mac, type, q->port, q->stateful ? "server" : "proxy");
		return false;
	}
	const struct in6_addr *us = q->ifc->has_ip6	 ? &q->ifc->ip6
				    : q->ifc->has_ip6_ll ? &q->ifc->ip6_ll
							 : NULL;
	if (!us) {
		a->log_quiet = true;
		D6_LOG(a,
		       "dhcp6.ignore mac=%s iface=%s reason=\"no IPv6 address on this interface\"",
		       q->mac, q->ifc->name);
		return false;
	}
	char a6[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, us, a6, sizeof a6);
	snprintf(q->host, sizeof q->host, "[%s]", a6);
	if (q->stateful && !q->binl && !m->has_ia_na && m->type != DHCP6_INFORMATION_REQUEST &&
	    m->type != DHCP6_SOLICIT && m->type != DHCP6_REQUEST) {
		a->log_quiet = true;
		D6_LOG(a, "dhcp6.ignore mac=%s type=%s reason=\"no IA_NA\"", q->mac, type);
		return false;
	}
	return true;
}

/* The reply's destination must be a plausible unicast address, and the
 * rate limit must allow a reply: both before any lease is touched. */
static bool d6_allowed(struct d6 *q, struct dhcp6_answer *a)
{
	const char *why;
	a->dst = *q->src;
	if (IN6_IS_ADDR_LINKLOCAL(&a->dst.sin6_addr))
		a->dst.sin6_scope_id = (uint32_t)q->ifc->index;
	if (dhcp6_dst_check(&a->dst, q->ifc, &why) < 0) {
		a->log_quiet = true;
		D6_LOG(a, "dhcp6.drop mac=%s type=%s port=%s dst=%s reason=\"reply to %s\"", q->mac,
		       dhcp6_type_name(q->m.type), q->port, q->srcs, why);
		return false;
	}
	if (mac_known(q->c.mac)) {
		memcpy(a->key, q->c.mac, 6);
	} else {
		uint64_t h = fnv1a(q->m.clientid.p, q->m.clientid.len);
		memcpy(a->key, &h, 6);
	}
	if (q->ctx->rl && !ratelimit_allow(q->ctx->rl, a->key, q->ctx->now_ms)) {
		a->limited = true;
		a->log_quiet = true;
		D6_LOG(a, "dhcp6.ratelimited mac=%s type=%s", q->mac, dhcp6_type_name(q->m.type));
		return false;
	}
	return true;
}

/* Renew/Rebind, Release, Decline, Confirm of the stateful address part.
 * false: stay silent. */
static bool d6_ia_other(struct d6 *q, const struct dhcp6_client_id *id, struct dhcp6_answer *a)
{
	const struct dhcp6_ctx *ctx = q->ctx;
	const struct dhcp6_msg *m = &q->m;
	struct dhcp6_reply *rep = &q->rep;
	switch (m->type) {
	case DHCP6_RENEW:
	case DHCP6_REBIND:
		if (dhcp6_lease_renew(ctx->leases, id, m->has_iaaddr ? m->ia_addr : NULL,
				      ctx->now_ms, q->addr) == 0) {
			rep->ia_addr = q->addr;
			return true;
		}
		if (m->type == DHCP6_REBIND) {
			D6_LOG(a, "dhcp6.ignore mac=%s type=rebind reason=\"no such lease\"",
			       q->mac);
			return false;
		}
		rep->ia_status = DHCP6_ST_NO_BINDING;
		rep->ia_msg = "no such lease";
		return true;
	case DHCP6_RELEASE:
	case DHCP6_DECLINE:
		if (m->type == DHCP6_RELEASE)
			dhcp6_lease_release(ctx->leases, id, ctx->now_ms);
		else
			dhcp6_lease_decline(ctx->leases, id, ctx->now_ms);
		rep->has_ia = false;
		rep->has_status = true;
		return true;
	case DHCP6_CONFIRM:
		rep->has_ia = false;
		if (!m->has_iaaddr) {
			a->log_quiet = true;
			D6_LOG(a, "dhcp6.ignore mac=%s type=confirm reason=\"no address\"", q->mac);
			return false;
		}
		rep->has_status = true;
		rep->status = dhcp6_range_contains(ctx->range, m->ia_addr) ? DHCP6_ST_SUCCESS
									   : DHCP6_ST_NOT_ON_LINK;
		return true;
	default:
		rep->has_ia = false;
		return true;
	}
}

/* The stateful address part: a Solicit is advertised the address a
 * Request would get, without holding it; a Request commits it. */
static bool d6_ia(struct d6 *q, struct dhcp6_answer *a)
{
	const struct dhcp6_ctx *ctx = q->ctx;
	const struct dhcp6_msg *m = &q->m;
	struct dhcp6_reply *rep = &q->rep;
	struct dhcp6_client_id id = {m->clientid.p, m->clientid.len, m->iaid};
	rep->has_ia = true;
	rep->iaid = m->iaid;
	rep->t1 = DHCP6_LEASE_PREF / 2;
	rep->t2 = DHCP6_LEASE_PREF * 4 / 5;
	rep->pref = DHCP6_LEASE_PREF;
	rep->valid = DHCP6_LEASE_VALID;
	bool ok = true;
	if (m->type == DHCP6_SOLICIT || m->type == DHCP6_REQUEST) {
		int r =
		    m->type == DHCP6_SOLICIT
			? dhcp6_lease_candidate(ctx->leases, ctx->range, &id, ctx->now_ms, q->addr)
			: dhcp6_lease_commit(ctx->leases, ctx->range, &id, ctx->now_ms, q->addr);
		if (r < 0) {
			rep->ia_status = DHCP6_ST_NO_ADDRS_AVAIL;
			rep->ia_msg = "no addresses left in --dhcp6-range";
		} else {
			rep->ia_addr = q->addr;
		}
	} else {
		ok = d6_ia_other(q, &id, a);
	}
	if (rep->ia_addr)
		inet_ntop(AF_INET6, rep->ia_addr, q->addrs, sizeof q->addrs);
	return ok;
}

/* The reply bytes and the log line for a decided answer. */
static void d6_reply(struct d6 *q, uint8_t *out, size_t cap, struct dhcp6_answer *a)
{
	struct dhcp6_reply *rep = &q->rep;
	rep->type = q->m.type == DHCP6_SOLICIT && !q->binl ? DHCP6_ADVERTISE : DHCP6_REPLY;
	rep->xid = q->m.xid;
	rep->server_duid = q->sduid;
	rep->server_duid_len = sizeof q->sduid;
	rep->clientid = q->m.clientid;
	rep->status_msg = rep->status ? "not on link" : "ok";
	/* Proxy offers are recognised by EDK2 through vendor class 343
	 * "PXEClient" and the absence of an IA_NA; stateful offers leave it
	 * out so EDK2 takes them as plain offers carrying a boot file URL.
	 * HTTP boot clients want "HTTPClient" back in both modes. */
	rep->vendor_class = q->c.http ? "HTTPClient" : !q->stateful || q->binl ? "PXEClient" : NULL;
	rep->url = q->need_url ? q->url : NULL;
	struct wbuf w;
	wbuf_init(&w, out, cap);
	if (dhcp6_build_reply(&w, rep) < 0) {
		D6_LOG(a, "dhcp6.error mac=%s reason=\"reply does not fit\"", q->mac);
		return;
	}
	a->len = w.len;
	bool ia = rep->has_ia, st = ia && rep->ia_status;
	D6_LOG(a,
	       "dhcp6.%s mac=%s type=%s port=%s arch=%u(%s) fw=%s%s mode=%s%s%s%s%s url=%s "
	       "iface=%s",
	       rep->type == DHCP6_ADVERTISE ? "advertise" : "reply", q->mac,
	       dhcp6_type_name(q->m.type), q->port, q->c.arch, q->c.ai->key, q->fw,
	       q->c.http ? " http=yes" : "", q->stateful ? "stateful" : "proxy", ia ? " addr=" : "",
	       ia ? q->addrs : "", st ? " status=" : "", st ? rep->ia_msg : "",
	       q->need_url ? q->url : "-", q->ifc->name);
}

/* The client record's note: its MAC (from the DUID or an EUI-64 address),
 * its arch, and the address its transfers will come from (the one we
 * assign, else the one it sent from). */
static void d6_note(const struct d6 *q, struct dhcp6_answer *a)
{
	struct client_note *n = &a->note;
	if (!mac_known(q->c.mac))
		return;
	memcpy(n->mac, q->c.mac, 6);
	n->valid = true;
	n->v6 = true;
	snprintf(n->arch, sizeof n->arch, "%s", q->c.ai->key);
	n->stage = q->rep.type == DHCP6_ADVERTISE ? CLIENT_OFFER : CLIENT_BINL;
	n->has_ip6 = true;
	if (q->rep.has_ia && q->rep.ia_addr && !q->rep.ia_status)
		memcpy(&n->ip6, q->rep.ia_addr, 16);
	else
		n->ip6 = q->src->sin6_addr;
}

void dhcp6_answer(const struct dhcp6_ctx *ctx, const struct iface *ifc, bool binl,
		  const struct sockaddr_in6 *src, const void *pkt, size_t n, uint8_t *out,
		  size_t cap, struct dhcp6_answer *a)
{
	struct d6 q = {
	    .ctx = ctx,
	    .ifc = ifc,
	    .src = src,
	    .binl = binl,
	    .stateful = ctx->range && ctx->range->set && ctx->leases,
	    .port = binl ? "4011" : "547",
	    .mac = "unknown",
	    .addrs = "-",
	};
	memset(a, 0, sizeof *a);
	inet_ntop(AF_INET6, &src->sin6_addr, q.srcs, sizeof q.srcs);
	dhcp6_duid_ll(q.sduid, ctx->server_mac);
	if (!d6_accept(&q, pkt, n, a) || !d6_for_us(&q, a))
		return;
	const struct dhcp6_msg *m = &q.m;
	const char *why = "";
	q.need_url = (m->type == DHCP6_SOLICIT || m->type == DHCP6_REQUEST ||
		      m->type == DHCP6_INFORMATION_REQUEST || m->type == DHCP6_RENEW ||
		      m->type == DHCP6_REBIND) &&
		     q.netboot;
	int r = q.need_url ? dhcp6_boot_url(ctx->plan, &q.c, q.host, q.url, sizeof q.url, &why) : 0;
	if (r < 0) {
		a->log_info = r == -EPERM;
		D6_LOG(a, "dhcp6.noboot mac=%s arch=%u(%s) fw=%s%s reason=\"%s\"", q.mac, q.c.arch,
		       q.c.ai->key, q.fw, q.c.http ? " http=yes" : "", why);
		return;
	}
	if (!d6_allowed(&q, a))
		return;
	if (q.stateful && !binl && m->has_ia_na && !d6_ia(&q, a))
		return;
	d6_reply(&q, out, cap, a);
	if (a->len)
		d6_note(&q, a);
}

/* ---- sockets ---- */

struct dhcp6_server {
	struct dhcp6_server_config cfg;
	struct loop *loop;
	struct loop_watch w547, w4011;
	struct ratelimit rl;
	struct log_budget lb;
	struct dhcp6_leases leases;
	int joined[IFACE_MAX]; /* ifindexes that joined ff02::1:2 */
	size_t n_joined;
	struct {
		int index;
		uint8_t mac[6];
	} macs[IFACE_MAX];    /* our DUID-LL per interface, read once */
	int plain[IFACE_MAX]; /* ifindexes where ordinary hosts are served */
	size_t n_plain;
	size_t n_macs;
	uint64_t received; /* packets read, both sockets */
};

static const struct in6_addr all_dhcp = {
    .s6_addr = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2}};

static void dhcp6_join(struct dhcp6_server *s)
{
	for (size_t i = 0; i < s->cfg.ifs->n; i++) {
		int idx = s->cfg.ifs->v[i].index;
		bool done = false;
		for (size_t j = 0; j < s->n_joined; j++)
			done |= s->joined[j] == idx;
		if (done || s->n_joined == IFACE_MAX)
			continue;
		struct ipv6_mreq mr = {.ipv6mr_multiaddr = all_dhcp,
				       .ipv6mr_interface = (unsigned)idx};
		if (setsockopt(s->w547.fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof mr) &&
		    errno != EADDRINUSE)
			log_warn("dhcp6.join_failed iface=%s error=\"%s\"", s->cfg.ifs->v[i].name,
				 strerror(errno));
		else
			s->joined[s->n_joined++] = idx;
	}
}

static void iface_mac(const char *name, uint8_t mac[6])
{
	struct ifreq ifr;
	memset(mac, 0, 6);
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
}

/* Our DUID-LL's MAC for interface ifc, read once per interface. */
static void server_mac_for(struct dhcp6_server *s, const struct iface *ifc, uint8_t mac[6])
{
	size_t k = 0;
	while (k < s->n_macs && s->macs[k].index != ifc->index)
		k++;
	if (k < s->n_macs) {
		memcpy(mac, s->macs[k].mac, 6);
		return;
	}
	iface_mac(ifc->name, mac);
	if (k < IFACE_MAX) {
		s->macs[k].index = ifc->index;
		memcpy(s->macs[k].mac, mac, 6);
		s->n_macs++;
	}
}

static void dhcp6_log(struct dhcp6_server *s, const struct dhcp6_answer *a, uint64_t now)
{
	if (a->limited) {
		/* counted in dhcp6.ratelimited, never logged as sent */
		if (now - s->rl.last_report_ms >= 1000) {
			log_warn("dhcp6.ratelimited dropped=%llu reason=\"reply rate limit "
				 "(per client or --dhcp-rate)\"",
				 (unsigned long long)s->rl.dropped);
			s->rl.dropped = 0;
			s->rl.last_report_ms = now;
		}
		return;
	}
	if (!a->log[0] || (a->log_quiet && !log_enabled(LOG_LVL_DEBUG)) ||
	    !log_budget_take(&s->lb, now, "dhcp6"))
		return;
	if (a->log_quiet)
		log_debug("%s", a->log);
	else if (a->len || a->log_info)
		log_info("%s", a->log);
	else
		log_warn("%s", a->log);
}

/* Out of the interface it came in on; from the address it was sent to
 * unless that was the multicast group. */
static void dhcp6_send(int fd, const struct iface *ifc, const struct sockaddr_storage *to_us,
		       const uint8_t *out, const struct dhcp6_answer *a)
{
	const struct sockaddr_in6 *us = (const struct sockaddr_in6 *)to_us;
	struct sockaddr_storage from = {0};
	if (to_us->ss_family == AF_INET6 && !IN6_IS_ADDR_MULTICAST(&us->sin6_addr))
		memcpy(&from, us, sizeof *us);
	int r = udp_send_from(fd, out, a->len, (const struct sockaddr *)&a->dst, sizeof a->dst,
			      &from, ifc->index);
	if (r < 0)
		log_warn("dhcp6.send_failed iface=%s error=\"%s\"", ifc->name, strerror(-r));
}

/* What dhcp6_on_dgram needs besides the packet. */
struct dhcp6_rx {
	struct dhcp6_server *s;
	int fd;
	bool binl;
};

/* Answers one packet (udp_recv's callback). */
static void dhcp6_on_dgram(void *arg, const uint8_t *in, size_t n, const struct udp_meta *m)
{
	struct dhcp6_rx *rx = arg;
	struct dhcp6_server *s = rx->s;
	uint8_t out[1024];
	s->received++;
	if (!m->ifindex || m->peer.ss_family != AF_INET6)
		return;
	bool rescanned;
	const struct iface *ifc = iface_for_packet(s->cfg.ifs, m->ifindex, &rescanned);
	if (rescanned)
		dhcp6_join(s); /* the multicast group on a new interface */
	if (!ifc)
		return;
	uint64_t now = loop_clock_ms();
	struct dhcp6_ctx ctx = {
	    .plan = s->cfg.plan,
	    .range = &s->cfg.range,
	    .leases = &s->leases,
	    .now_ms = now,
	    .rl = &s->rl,
	};
	for (size_t i = 0; i < s->n_plain; i++)
		ctx.plain |= s->plain[i] == ifc->index;
	server_mac_for(s, ifc, ctx.server_mac);
	struct dhcp6_answer a;
	dhcp6_answer(&ctx, ifc, rx->binl, (const struct sockaddr_in6 *)&m->peer, in, n, out,
		     sizeof out, &a);
	dhcp6_log(s, &a, now);
	if (a.note.valid && s->cfg.on_client)
		s->cfg.on_client(s->cfg.on_client_arg, &a.note);
	if (a.len)
		dhcp6_send(rx->fd, ifc, &m->local, out, &a);
}

/* At most DHCP6_BATCH packets per call, see there. */
static void dhcp6_on_packet(struct dhcp6_server *s, int fd, bool binl)
{
	struct dhcp6_rx rx = {.s = s, .fd = fd, .binl = binl};
	udp_recv(fd, DHCP6_BATCH, dhcp6_on_dgram, &rx);
}

static void dhcp6_on_547(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	(void)l, (void)ev;
	dhcp6_on_packet(w->arg, w->fd, false);
}

static void dhcp6_on_4011(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	(void)l, (void)ev;
	dhcp6_on_packet(w->arg, w->fd, true);
}

static int dhcp6_open(uint16_t port)
{
	int one = 1;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) ||
	    udp_want_pktinfo(fd, AF_INET6) || bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int dhcp6_server_start(struct dhcp6_server **out, struct loop *l,
		       const struct dhcp6_server_config *cfg, uint16_t *which)
{
	struct dhcp6_server *s = calloc(1, sizeof *s);
	int r;
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	s->loop = l;
	ratelimit_init(&s->rl, cfg->client_rate, 8, cfg->rate, cfg->rate ? cfg->rate / 10 + 1 : 0);
	s->w547.fd = s->w4011.fd = -1;
	*which = cfg->port;
	if ((r = dhcp6_open(cfg->port)) < 0)
		goto fail;
	s->w547 = (struct loop_watch){.fd = r, .cb = dhcp6_on_547, .arg = s};
	*which = cfg->binl_port;
	if ((r = dhcp6_open(cfg->binl_port)) < 0)
		goto fail;
	s->w4011 = (struct loop_watch){.fd = r, .cb = dhcp6_on_4011, .arg = s};
	if ((r = loop_add(l, &s->w547, EPOLLIN)) || (r = loop_add(l, &s->w4011, EPOLLIN)))
		goto fail;
	dhcp6_join(s);
	*out = s;
	return 0;
fail:
	dhcp6_server_stop(s);
	return r;
}

void dhcp6_server_stop(struct dhcp6_server *s)
{
	if (!s)
		return;
	if (s->w547.fd >= 0)
		close(s->w547.fd);
	if (s->w4011.fd >= 0)
		close(s->w4011.fd);
	free(s);
}

void dhcp6_server_set_plan(struct dhcp6_server *s, const struct bootplan *plan)
{
	s->cfg.plan = plan;
}

uint64_t dhcp6_server_received(const struct dhcp6_server *s)
{
	return s->received;
}

uint64_t dhcp6_server_ratelimited(const struct dhcp6_server *s)
{
	return s->rl.dropped_total;
}

void dhcp6_server_set_plain(struct dhcp6_server *s, int ifindex, bool on)
{
	size_t i = 0;
	while (i < s->n_plain && s->plain[i] != ifindex)
		i++;
	if (on && i == s->n_plain && s->n_plain < IFACE_MAX)
		s->plain[s->n_plain++] = ifindex;
	else if (!on && i < s->n_plain)
		s->plain[i] = s->plain[--s->n_plain];
}
