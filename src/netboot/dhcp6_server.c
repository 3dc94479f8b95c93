/* dhcp6_server: DHCPv6 boot answers (proxy, or stateful with its lease
 * table), client classification, and the udp/547 and 4011 sockets. */
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
#include "netboot/pxe.h"
#include "netboot/ratelimit.h"

/* ---- address range and leases (pure) ---- */

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

static bool in_range(const struct dhcp6_range *r, const uint8_t a[16])
{
	return !memcmp(a, r->start, 8) && lo64(a) >= lo64(r->start) && lo64(a) <= lo64(r->end);
}

static bool lease_live(const struct dhcp6_lease *l, uint64_t now)
{
	return l->used && l->expires_ms > now;
}

static struct dhcp6_lease *lease_find(struct dhcp6_leases *ls, const struct dhcp6_bytes *duid,
				      uint32_t iaid, uint64_t now)
{
	for (size_t i = 0; i < DHCP6_MAX_LEASES; i++) {
		struct dhcp6_lease *l = &ls->v[i];
		if (lease_live(l, now) && l->iaid == iaid && l->duid_len == duid->len &&
		    !memcmp(l->duid, duid->p, duid->len))
			return l;
	}
	return NULL;
}

static struct dhcp6_lease *lease_find_duid(struct dhcp6_leases *ls, const struct dhcp6_bytes *duid,
					   uint64_t now)
{
	for (size_t i = 0; i < DHCP6_MAX_LEASES; i++) {
		struct dhcp6_lease *l = &ls->v[i];
		if (lease_live(l, now) && l->duid_len == duid->len &&
		    !memcmp(l->duid, duid->p, duid->len))
			return l;
	}
	return NULL;
}

static bool addr_taken(const struct dhcp6_leases *ls, const uint8_t a[16], uint64_t now)
{
	for (size_t i = 0; i < DHCP6_MAX_LEASES; i++)
		if (lease_live(&ls->v[i], now) && !memcmp(ls->v[i].addr, a, 16))
			return true;
	return false;
}

static uint64_t fnv1a(const uint8_t *p, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* A new lease for duid/iaid: the address is a hash of both (so a client
 * that comes back after a restart tends to get the same one), probing
 * forward past taken ones. NULL when the range or the table is full. */
static struct dhcp6_lease *lease_new(struct dhcp6_leases *ls, const struct dhcp6_range *r,
				     const struct dhcp6_bytes *duid, uint32_t iaid, uint64_t now)
{
	struct dhcp6_lease *slot = NULL;
	for (size_t i = 0; i < DHCP6_MAX_LEASES && !slot; i++)
		if (!lease_live(&ls->v[i], now))
			slot = &ls->v[i];
	if (!slot)
		return NULL;
	uint64_t size = lo64(r->end) - lo64(r->start) + 1;
	uint8_t iab[4] = {(uint8_t)(iaid >> 24), (uint8_t)(iaid >> 16), (uint8_t)(iaid >> 8),
			  (uint8_t)iaid};
	uint64_t h = fnv1a(iab, 4, fnv1a(duid->p, duid->len, 14695981039346656037ull));
	uint64_t tries = size < 65536 ? size : 65536;
	for (uint64_t t = 0; t < tries; t++) {
		uint8_t a[16];
		memcpy(a, r->start, 16);
		set_lo64(a, lo64(r->start) + (size ? (h + t) % size : 0));
		if (addr_taken(ls, a, now))
			continue;
		memset(slot, 0, sizeof *slot);
		slot->used = true;
		memcpy(slot->duid, duid->p, duid->len);
		slot->duid_len = duid->len;
		slot->iaid = iaid;
		memcpy(slot->addr, a, 16);
		return slot;
	}
	return NULL;
}

/* ---- classification ---- */

static bool bytes_start(const struct dhcp6_bytes *b, const char *s)
{
	size_t n = strlen(s);
	return b->present && b->len >= n && !memcmp(b->p, s, n);
}

/* The client's MAC: from a DUID-LL/LLT, else from an EUI-64 link-local
 * source address (EDK2 sends a DUID-UUID). 0 or -ENOENT. */
static int client_mac(const struct dhcp6_msg *m, const struct sockaddr_in6 *src, uint8_t mac[6])
{
	const uint8_t *a = src->sin6_addr.s6_addr;
	if (m->clientid.present && !dhcp6_duid_mac(m->clientid.p, m->clientid.len, mac))
		return 0;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80 && a[11] == 0xff && a[12] == 0xfe) {
		mac[0] = a[8] ^ 2, mac[1] = a[9], mac[2] = a[10];
		mac[3] = a[13], mac[4] = a[14], mac[5] = a[15];
		return 0;
	}
	return -ENOENT;
}

/* 0 for a netboot client (fills *c), -ENOENT for anyone else. */
static int dhcp6_classify(const struct dhcp6_msg *m, const struct sockaddr_in6 *src,
			  struct pxe_client *c)
{
	memset(c, 0, sizeof *c);
	bool v343 = m->has_vendor_class && m->enterprise == DHCP6_ENTERPRISE_PXE;
	bool pxe = v343 && bytes_start(&m->vclass, "PXEClient");
	c->http = v343 && bytes_start(&m->vclass, "HTTPClient");
	c->ipxe = m->uclass.present && m->uclass.len == 4 && !memcmp(m->uclass.p, "iPXE", 4);
	if (!pxe && !c->http && !c->ipxe && m->n_arch == 0)
		return -ENOENT;
	c->arch = m->n_arch ? m->arch[0] : 0xffff;
	c->arch_from_opt = m->n_arch > 0;
	c->ai = pxe_arch_by_code(c->arch);
	if (!c->ai)
		c->ai = pxe_arch_by_key("other");
	if (c->ai->http)
		c->http = true;
	if (m->has_nii) {
		c->has_nii = true;
		memcpy(c->nii, m->nii, 3);
	}
	if (m->has_vendor_class) {
		size_t n =
		    m->vclass.len < sizeof c->vclass - 1 ? m->vclass.len : sizeof c->vclass - 1;
		for (size_t i = 0; i < n; i++)
			c->vclass[i] = m->vclass.p[i] >= 0x20 && m->vclass.p[i] < 0x7f
					   ? (char)m->vclass.p[i]
					   : '?';
	}
	client_mac(m, src, c->mac);
	return 0;
}

/* ---- answers ---- */

static void fmt_mac(char *out, size_t cap, const uint8_t *m)
{
	snprintf(out, cap, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void put_server_duid(uint8_t duid[10], const uint8_t mac[6])
{
	/* DUID-LL (type 3), hardware type 1 (Ethernet) */
	duid[0] = 0, duid[1] = 3, duid[2] = 0, duid[3] = 1;
	memcpy(duid + 4, mac, 6);
}

/* The boot URL (option 59) for this client: bootplan's choice, a bare path
 * becoming tftp://[addr]/path. */
static int boot_url(const struct dhcp6_ctx *ctx, const struct pxe_client *c, const char *host,
		    char *url, size_t cap, const char **why)
{
	struct boot_choice bc;
	int r = bootplan_choose_host(ctx->plan, c, host, &bc);
	*why = bc.why;
	if (r < 0)
		return r;
	/* Kernel mode: an x86-64 UEFI PXE client gets ipxe.efi instead of
	 * snponly.efi over IPv6 (see bootplan.h). */
	if (ctx->plan->ipxe6 && c->ai->ipxe && !c->http && !c->ipxe &&
	    !strcmp(c->ai->ipxe, "snponly.efi") &&
	    !strcmp(bc.file, BOOTPLAN_PREFIX "ipxe/snponly.efi"))
		snprintf(bc.file, sizeof bc.file, BOOTPLAN_PREFIX "ipxe/%s", ctx->plan->ipxe6);
	int n = strstr(bc.file, "://") ? snprintf(url, cap, "%s", bc.file)
				       : snprintf(url, cap, "tftp://%s/%s", host, bc.file);
	if (n < 0 || (size_t)n >= cap) {
		*why = "URL too long";
		return -ENAMETOOLONG;
	}
	return 0;
}

void dhcp6_answer(const struct dhcp6_ctx *ctx, const struct iface *ifc, bool binl,
		  const struct sockaddr_in6 *src, const void *pkt, size_t n, uint8_t *out,
		  size_t cap, struct dhcp6_answer *a)
{
	struct dhcp6_msg m;
	struct pxe_client c;
	char srcs[INET6_ADDRSTRLEN], mac[24] = "unknown", host[INET6_ADDRSTRLEN + 2], url[256];
	const char *port = binl ? "4011" : "547";
	const char *why = "";
	bool stateful = ctx->range && ctx->range->set && ctx->leases;
	uint8_t sduid[10];
	memset(a, 0, sizeof *a);
	inet_ntop(AF_INET6, &src->sin6_addr, srcs, sizeof srcs);
	put_server_duid(sduid, ctx->server_mac);

	if (dhcp6_parse(pkt, n, &m) < 0) {
		snprintf(a->log, sizeof a->log, "dhcp6.malformed from=%s port=%s len=%zu iface=%s",
			 srcs, port, n, ifc->name);
		return;
	}
	if (m.relay || m.type == DHCP6_ADVERTISE || m.type == DHCP6_REPLY ||
	    m.type == DHCP6_RECONFIGURE) {
		a->log_quiet = true;
		snprintf(a->log, sizeof a->log, "dhcp6.ignore from=%s type=%s reason=\"%s\"", srcs,
			 dhcp6_type_name(m.type),
			 m.relay ? "relayed messages are not supported" : "not a client message");
		return;
	}
	if (!m.clientid.present && m.type != DHCP6_INFORMATION_REQUEST) {
		snprintf(a->log, sizeof a->log,
			 "dhcp6.malformed from=%s type=%s reason=\"no client identifier\"", srcs,
			 dhcp6_type_name(m.type));
		return;
	}
	/* The firmware's DHCPv6 driver sends Renew/Release/... without the PXE
	 * options: in stateful mode a lease holder is answered all the same. */
	bool holder = false;
	if (stateful && m.clientid.present &&
	    (m.type == DHCP6_RENEW || m.type == DHCP6_REBIND || m.type == DHCP6_RELEASE ||
	     m.type == DHCP6_DECLINE || m.type == DHCP6_CONFIRM))
		holder = lease_find_duid(ctx->leases, &m.clientid, ctx->now_ms) != NULL;
	bool netboot = dhcp6_classify(&m, src, &c) == 0;
	if (!netboot && !holder) {
		a->log_quiet = true;
		snprintf(a->log, sizeof a->log,
			 "dhcp6.ignore from=%s type=%s port=%s reason=\"not a netboot client\"",
			 srcs, dhcp6_type_name(m.type), port);
		return;
	}
	if (!netboot) { /* a lease holder without netboot options */
		c.ai = pxe_arch_by_key("other");
		c.arch = 0xffff;
		client_mac(&m, src, c.mac);
	}
	if (c.mac[0] | c.mac[1] | c.mac[2] | c.mac[3] | c.mac[4] | c.mac[5])
		fmt_mac(mac, sizeof mac, c.mac);
	/* A message naming another server is that server's business. */
	if (m.serverid.present &&
	    (m.serverid.len != sizeof sduid || memcmp(m.serverid.p, sduid, sizeof sduid))) {
		a->log_quiet = true;
		snprintf(a->log, sizeof a->log,
			 "dhcp6.ignore mac=%s type=%s port=%s reason=\"for another server\"", mac,
			 dhcp6_type_name(m.type), port);
		return;
	}
	bool needs_sid = m.type == DHCP6_REQUEST || m.type == DHCP6_RENEW ||
			 m.type == DHCP6_RELEASE || m.type == DHCP6_DECLINE;
	if (needs_sid && !m.serverid.present && !binl) {
		snprintf(a->log, sizeof a->log,
			 "dhcp6.malformed mac=%s type=%s reason=\"no server identifier\"", mac,
			 dhcp6_type_name(m.type));
		return;
	}
	bool wanted = binl	 ? (m.type == DHCP6_REQUEST || m.type == DHCP6_SOLICIT ||
				    m.type == DHCP6_INFORMATION_REQUEST)
		      : stateful ? m.type != DHCP6_RELAY_FORW
				 : (m.type == DHCP6_SOLICIT || m.type == DHCP6_REQUEST ||
				    m.type == DHCP6_INFORMATION_REQUEST);
	if (!wanted) {
		a->log_quiet = true;
		snprintf(
		    a->log, sizeof a->log,
		    "dhcp6.ignore mac=%s type=%s port=%s reason=\"not a message a %s answers\"",
		    mac, dhcp6_type_name(m.type), port, stateful ? "server" : "proxy");
		return;
	}
	const struct in6_addr *us = ifc->has_ip6      ? &ifc->ip6
				    : ifc->has_ip6_ll ? &ifc->ip6_ll
						      : NULL;
	if (!us) {
		a->log_quiet = true;
		snprintf(
		    a->log, sizeof a->log,
		    "dhcp6.ignore mac=%s iface=%s reason=\"no IPv6 address on this interface\"",
		    mac, ifc->name);
		return;
	}
	char a6[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, us, a6, sizeof a6);
	snprintf(host, sizeof host, "[%s]", a6);
	const char *fw = c.ipxe ? "ipxe" : c.ai->fw == PXE_FW_UEFI ? "uefi" : "other";
	bool need_url = (m.type == DHCP6_SOLICIT || m.type == DHCP6_REQUEST ||
			 m.type == DHCP6_INFORMATION_REQUEST || m.type == DHCP6_RENEW ||
			 m.type == DHCP6_REBIND) &&
			netboot;
	int r = need_url ? boot_url(ctx, &c, host, url, sizeof url, &why) : 0;
	if (r < 0) {
		a->log_info = r == -EPERM;
		snprintf(a->log, sizeof a->log,
			 "dhcp6.noboot mac=%s arch=%u(%s) fw=%s%s reason=\"%s\"", mac, c.arch,
			 c.ai->key, fw, c.http ? " http=yes" : "", why);
		return;
	}

	/* Stateful: the address part. */
	uint16_t ia_status = DHCP6_ST_SUCCESS, top_status = 0xffff;
	const char *ia_msg = NULL;
	const uint8_t *ia_addr = NULL;
	bool put_ia = false;
	char addrs[INET6_ADDRSTRLEN] = "-";
	if (stateful && !binl && m.has_ia_na) {
		struct dhcp6_lease *l = lease_find(ctx->leases, &m.clientid, m.iaid, ctx->now_ms);
		put_ia = true;
		switch (m.type) {
		case DHCP6_SOLICIT:
		case DHCP6_REQUEST:
			if (!l)
				l = lease_new(ctx->leases, ctx->range, &m.clientid, m.iaid,
					      ctx->now_ms);
			if (!l || l->declined) {
				ia_status = DHCP6_ST_NO_ADDRS_AVAIL;
				ia_msg = "no addresses left in --dhcp6-range";
				break;
			}
			if (m.type == DHCP6_REQUEST)
				l->bound = true;
			/* an advertised address is held for a minute */
			l->expires_ms =
			    ctx->now_ms + (l->bound ? DHCP6_LEASE_VALID * 1000ull : 60000);
			ia_addr = l->addr;
			break;
		case DHCP6_RENEW:
		case DHCP6_REBIND:
			if (!l || !l->bound || (m.has_iaaddr && memcmp(m.ia_addr, l->addr, 16))) {
				if (m.type == DHCP6_REBIND) {
					snprintf(a->log, sizeof a->log,
						 "dhcp6.ignore mac=%s type=rebind reason=\"no such "
						 "lease\"",
						 mac);
					return;
				}
				ia_status = DHCP6_ST_NO_BINDING;
				ia_msg = "no such lease";
				break;
			}
			l->expires_ms = ctx->now_ms + DHCP6_LEASE_VALID * 1000ull;
			ia_addr = l->addr;
			break;
		case DHCP6_RELEASE:
			if (l)
				l->used = false;
			put_ia = false;
			top_status = DHCP6_ST_SUCCESS;
			break;
		case DHCP6_DECLINE:
			if (l) {
				/* someone else uses it: keep the address blocked for
				 * an hour, detached from this client, which gets
				 * another one next time */
				l->declined = true;
				l->duid_len = 0;
				l->iaid = 0;
				l->expires_ms = ctx->now_ms + DHCP6_LEASE_VALID * 1000ull;
			}
			put_ia = false;
			top_status = DHCP6_ST_SUCCESS;
			break;
		case DHCP6_CONFIRM:
			put_ia = false;
			if (!m.has_iaaddr) {
				a->log_quiet = true;
				snprintf(a->log, sizeof a->log,
					 "dhcp6.ignore mac=%s type=confirm reason=\"no address\"",
					 mac);
				return;
			}
			top_status = in_range(ctx->range, m.ia_addr) ? DHCP6_ST_SUCCESS
								     : DHCP6_ST_NOT_ON_LINK;
			break;
		default:
			put_ia = false;
			break;
		}
		if (ia_addr)
			inet_ntop(AF_INET6, ia_addr, addrs, sizeof addrs);
	} else if (stateful && !binl && m.type != DHCP6_INFORMATION_REQUEST &&
		   m.type != DHCP6_SOLICIT && m.type != DHCP6_REQUEST) {
		a->log_quiet = true;
		snprintf(a->log, sizeof a->log, "dhcp6.ignore mac=%s type=%s reason=\"no IA_NA\"",
			 mac, dhcp6_type_name(m.type));
		return;
	}

	uint8_t rtype = m.type == DHCP6_SOLICIT && !binl ? DHCP6_ADVERTISE : DHCP6_REPLY;
	struct wbuf w;
	wbuf_init(&w, out, cap);
	dhcp6_put_header(&w, rtype, m.xid);
	dhcp6_put_opt(&w, DHCP6_OPT_SERVERID, sduid, sizeof sduid);
	if (m.clientid.present)
		dhcp6_put_opt(&w, DHCP6_OPT_CLIENTID, m.clientid.p, m.clientid.len);
	if (top_status != 0xffff)
		dhcp6_put_status(&w, top_status, top_status ? "not on link" : "ok");
	if (put_ia)
		dhcp6_put_ia_na(&w, m.iaid, DHCP6_LEASE_PREF / 2, DHCP6_LEASE_PREF * 4 / 5, ia_addr,
				DHCP6_LEASE_PREF, DHCP6_LEASE_VALID, ia_status, ia_msg);
	/* Proxy offers are recognised by EDK2 through vendor class 343
	 * "PXEClient" and the absence of an IA_NA; stateful offers leave it
	 * out so EDK2 takes them as plain offers carrying a boot file URL.
	 * HTTP boot clients want "HTTPClient" back in both modes. */
	if (c.http)
		dhcp6_put_vendor_class(&w, DHCP6_ENTERPRISE_PXE, "HTTPClient");
	else if (!stateful || binl)
		dhcp6_put_vendor_class(&w, DHCP6_ENTERPRISE_PXE, "PXEClient");
	if (need_url)
		dhcp6_put_opt(&w, DHCP6_OPT_BOOTFILE_URL, url, strlen(url));
	if (w.err) {
		snprintf(a->log, sizeof a->log, "dhcp6.error mac=%s reason=\"reply does not fit\"",
			 mac);
		return;
	}
	a->len = w.len;
	a->dst = *src;
	if (IN6_IS_ADDR_LINKLOCAL(&a->dst.sin6_addr))
		a->dst.sin6_scope_id = (uint32_t)ifc->index;
	if (c.mac[0] | c.mac[1] | c.mac[2] | c.mac[3] | c.mac[4] | c.mac[5]) {
		memcpy(a->key, c.mac, 6);
	} else {
		uint64_t h = fnv1a(m.clientid.p, m.clientid.len, 14695981039346656037ull);
		memcpy(a->key, &h, 6);
	}
	const char *what = rtype == DHCP6_ADVERTISE ? "advertise" : "reply";
	snprintf(a->log, sizeof a->log,
		 "dhcp6.%s mac=%s type=%s port=%s arch=%u(%s) fw=%s%s mode=%s%s%s%s%s url=%s "
		 "iface=%s",
		 what, mac, dhcp6_type_name(m.type), port, c.arch, c.ai->key, fw,
		 c.http ? " http=yes" : "", stateful ? "stateful" : "proxy", put_ia ? " addr=" : "",
		 put_ia ? addrs : "", put_ia && ia_status ? " status=" : "",
		 put_ia && ia_status ? ia_msg : "", need_url ? url : "-", ifc->name);
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
	} macs[IFACE_MAX]; /* our DUID-LL per interface, read once */
	size_t n_macs;
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

static void dhcp6_on_packet(struct dhcp6_server *s, int fd, bool binl)
{
	uint8_t in[1500], out[1024];
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	for (int burst = 0; burst < 64; burst++) {
		struct sockaddr_in6 src;
		struct iovec iov = {in, sizeof in};
		struct msghdr mh = {
		    .msg_name = &src,
		    .msg_namelen = sizeof src,
		    .msg_iov = &iov,
		    .msg_iovlen = 1,
		    .msg_control = cbuf.b,
		    .msg_controllen = sizeof cbuf.b,
		};
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			return;
		struct in6_pktinfo *pi = NULL;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
				pi = (struct in6_pktinfo *)(void *)CMSG_DATA(c);
		if (!pi)
			continue;
		const struct iface *ifc = iface_by_index(s->cfg.ifs, (int)pi->ipi6_ifindex);
		if (!ifc && s->cfg.ifs->n_want == 0) {
			const char *missing;
			iface_scan(s->cfg.ifs, &missing);
			dhcp6_join(s);
			ifc = iface_by_index(s->cfg.ifs, (int)pi->ipi6_ifindex);
		}
		if (!ifc)
			continue;
		uint64_t now = loop_clock_ms();
		struct dhcp6_ctx ctx = {
		    .plan = s->cfg.plan,
		    .range = &s->cfg.range,
		    .leases = &s->leases,
		    .now_ms = now,
		};
		size_t k = 0;
		while (k < s->n_macs && s->macs[k].index != ifc->index)
			k++;
		if (k == s->n_macs) {
			iface_mac(ifc->name, ctx.server_mac);
			if (k < IFACE_MAX) {
				s->macs[k].index = ifc->index;
				memcpy(s->macs[k].mac, ctx.server_mac, 6);
				s->n_macs++;
			}
		} else {
			memcpy(ctx.server_mac, s->macs[k].mac, 6);
		}
		struct dhcp6_answer a;
		dhcp6_answer(&ctx, ifc, binl, &src, in, (size_t)n, out, sizeof out, &a);
		bool limited = a.len && !ratelimit_allow(&s->rl, a.key, now);
		if (a.log[0] && !limited && (!a.log_quiet || log_enabled(LOG_LVL_DEBUG)) &&
		    log_budget_take(&s->lb, now, "dhcp6")) {
			if (a.log_quiet)
				log_debug("%s", a.log);
			else if (a.len || a.log_info)
				log_info("%s", a.log);
			else
				log_warn("%s", a.log);
		}
		if (!a.len)
			continue;
		if (limited) {
			if (now - s->rl.last_report_ms >= 1000) {
				log_warn("dhcp6.ratelimited dropped=%llu reason=\"reply rate limit "
					 "(per client or --dhcp-rate)\"",
					 (unsigned long long)s->rl.dropped);
				s->rl.dropped = 0;
				s->rl.last_report_ms = now;
			}
			continue;
		}
		/* Out of the interface it came in on; from the address it was
		 * sent to unless that was the multicast group. */
		union {
			struct cmsghdr h;
			uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		} obuf;
		memset(&obuf, 0, sizeof obuf);
		struct iovec oiov = {out, a.len};
		struct msghdr om = {
		    .msg_name = &a.dst,
		    .msg_namelen = sizeof a.dst,
		    .msg_iov = &oiov,
		    .msg_iovlen = 1,
		    .msg_control = obuf.b,
		    .msg_controllen = sizeof obuf.b,
		};
		struct cmsghdr *oc = CMSG_FIRSTHDR(&om);
		oc->cmsg_level = IPPROTO_IPV6;
		oc->cmsg_type = IPV6_PKTINFO;
		oc->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
		struct in6_pktinfo opi = {.ipi6_ifindex = (unsigned)ifc->index};
		if (!IN6_IS_ADDR_MULTICAST(&pi->ipi6_addr))
			opi.ipi6_addr = pi->ipi6_addr;
		memcpy(CMSG_DATA(oc), &opi, sizeof opi);
		if (sendmsg(fd, &om, MSG_DONTWAIT) < 0)
			log_warn("dhcp6.send_failed iface=%s error=\"%s\"", ifc->name,
				 strerror(errno));
	}
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
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
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
