/* dhcp4_addr: pools, lease file, held ACKs and ARP probes of full DHCP;
 * see dhcp4_addr.h. */
#include "netboot/dhcp4_addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netpacket/packet.h>
#include <net/ethernet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "netboot/arp_wire.h"
#include "netboot/dhcp4_leasefile.h"
#include "netboot/udp.h"

/* One interface's pool (made on first use). */
struct d4_pool {
	int ifindex; /* 0 = unused */
	bool none;   /* no range fits this subnet: reservations only */
	uint8_t ip[4], mask[4], mac[6];
	struct dhcp4_pool *pool;
};

/* A DISCOVER waiting for its ARP probe. */
struct d4_probe {
	bool used;
	int ifindex;
	uint8_t ip[4], mac[6];
	uint64_t deadline_ms;
	struct sockaddr_in src;
	uint16_t n;
	uint8_t pkt[1500];
};

/* An ACK waiting for the lease file. */
struct d4_held {
	int fd, ifindex;
	uint8_t from[4];
	struct sockaddr_in dst;
	uint16_t n;
	uint8_t pkt[1024];
};

struct dhcp4_addr {
	struct dhcp4_addr_config cfg;
	char lease_name[256]; /* cfg.lease_name points here */
	struct loop *loop;
	struct d4_pool pools[IFACE_MAX];
	struct dhcp4_lease_rec *recs; /* from the file, not yet in a pool */
	bool *placed;
	size_t n_recs;
	struct loop_watch arp;
	struct loop_timer probe_timer;
	struct d4_probe probes[DHCP4_PROBES_MAX];
	struct d4_held held[DHCP4_HELD_MAX];
	size_t n_held;
	bool dirty; /* a record changed outside the pools */
	uint64_t writes;
};

int64_t dhcp4_addr_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

uint64_t dhcp4_addr_writes(const struct dhcp4_addr *a)
{
	return a->writes;
}

static void fmt_ip(char *out, const uint8_t ip[4])
{
	snprintf(out, 16, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
}

static void rec_add(void *arg, const struct dhcp4_lease_rec *r)
{
	struct dhcp4_addr *a = arg;
	a->recs[a->n_recs] = *r;
	a->placed[a->n_recs++] = false;
}

/* Reads the lease file into a->recs. 0, or -EBADMSG for a file that is no
 * lease file. */
static int d4_read_leases(struct dhcp4_addr *a)
{
	char *buf;
	size_t n, bad;
	int r = dhcp4_leasefile_read(a->cfg.lease_dirfd, a->cfg.lease_name, &buf, &n);
	if (r == -ENOENT)
		return 0;
	if (r) {
		log_warn("dhcp.leases file=%s error=\"%s\"", a->cfg.lease_name, strerror(-r));
		return r;
	}
	size_t max = n / 16 + 1; /* a record line is at least 16 bytes */
	a->recs = calloc(max, sizeof *a->recs);
	a->placed = calloc(max, sizeof *a->placed);
	if (!a->recs || !a->placed) {
		free(buf);
		return -ENOMEM;
	}
	r = dhcp4_leasefile_parse(buf, n, &bad, rec_add, a);
	free(buf);
	if (r < 0) {
		log_err("dhcp.leases file=%s error=\"not a lifeboat lease file (first line is not "
			"'%s'): refusing to overwrite it\"",
			a->cfg.lease_name, DHCP4_LEASEFILE_MAGIC);
		return -EBADMSG;
	}
	log_info("dhcp.leases file=%s records=%d bad_lines=%zu", a->cfg.lease_name, r, bad);
	return 0;
}

static void d4_on_arp(struct loop *l, struct loop_watch *w, uint32_t ev);
static void d4_on_probe_timer(struct loop *l, struct loop_timer *t);

int dhcp4_addr_start(struct dhcp4_addr **out, struct loop *l, const struct dhcp4_addr_config *c)
{
	struct dhcp4_addr *a = calloc(1, sizeof *a);
	if (!a) {
		if (c->lease_dirfd >= 0)
			close(c->lease_dirfd);
		return -ENOMEM;
	}
	a->cfg = *c;
	snprintf(a->lease_name, sizeof a->lease_name, "%s", c->lease_name ? c->lease_name : "");
	a->cfg.lease_name = a->lease_name;
	a->loop = l;
	a->arp.fd = -1;
	loop_timer_init(&a->probe_timer, d4_on_probe_timer, a);
	int r = a->cfg.lease_dirfd >= 0 ? d4_read_leases(a) : 0;
	if (r < 0 && r != -EBADMSG && r != -ENOMEM)
		r = 0; /* unreadable: start empty, the next write replaces it */
	if (r) {
		dhcp4_addr_stop(a);
		return r;
	}
	if (!c->full->no_probe) {
		int fd =
		    socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ARP));
		if (fd < 0) {
			log_warn(
			    "dhcp.warn reason=\"no ARP probes before offers: packet socket: %s\"",
			    strerror(errno));
		} else {
			a->arp = (struct loop_watch){.fd = fd, .cb = d4_on_arp, .arg = a};
			if (loop_add(l, &a->arp, EPOLLIN)) {
				close(fd);
				a->arp.fd = -1;
			}
		}
	}
	*out = a;
	return 0;
}

void dhcp4_addr_stop(struct dhcp4_addr *a)
{
	if (!a)
		return;
	if (a->loop)
		loop_timer_cancel(a->loop, &a->probe_timer);
	if (a->arp.fd >= 0)
		close(a->arp.fd);
	if (a->cfg.lease_dirfd >= 0)
		close(a->cfg.lease_dirfd);
	for (size_t i = 0; i < IFACE_MAX; i++)
		free(a->pools[i].pool);
	free(a->recs);
	free(a->placed);
	free(a);
}

static struct d4_pool *pool_by_index(struct dhcp4_addr *a, int ifindex)
{
	for (size_t i = 0; i < IFACE_MAX; i++)
		if (a->pools[i].ifindex == ifindex)
			return &a->pools[i];
	return NULL;
}

/* The interface's MAC address (for the probe's sender field). */
static void d4_mac_of(int ifindex, uint8_t mac[6])
{
	struct ifaddrs *ifa, *i;
	if (getifaddrs(&ifa))
		return;
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr_ll *ll = (const struct sockaddr_ll *)i->ifa_addr;
		if (ll && ll->sll_family == AF_PACKET && ll->sll_ifindex == ifindex &&
		    ll->sll_halen == 6) {
			memcpy(mac, ll->sll_addr, 6);
			break;
		}
	}
	freeifaddrs(ifa);
}

/* Our address, other MACs' reservations and the file's leases into a new
 * pool for ifc. */
static void d4_pool_fill(struct dhcp4_addr *a, struct d4_pool *p, const struct iface *ifc)
{
	const struct dhcp4_full_config *c = a->cfg.full;
	dhcp4_pool_reserve(p->pool, dhcp4_ip_u32(ifc->ip4));
	for (size_t i = 0; i < c->n_resv; i++)
		dhcp4_pool_reserve(p->pool, dhcp4_ip_u32(c->resv[i].ip));
	for (size_t i = 0; i < a->n_recs; i++) {
		const struct dhcp4_lease_rec *r = &a->recs[i];
		if (a->placed[i] || !dhcp4_pool_contains(p->pool, dhcp4_ip_u32(r->ip)))
			continue;
		a->placed[i] = true;
		dhcp4_pool_restore(p->pool, r->declined ? NULL : r->mac, dhcp4_ip_u32(r->ip),
				   r->expires);
	}
}

static struct d4_pool *d4_pool_make(struct dhcp4_addr *a, const struct iface *ifc)
{
	const struct dhcp4_full_config *c = a->cfg.full;
	struct d4_pool *p = pool_by_index(a, 0);
	uint32_t start, end, m = dhcp4_ip_u32(ifc->mask4), net = dhcp4_ip_u32(ifc->ip4) & m;
	char s[16], e[16];
	if (!p)
		return NULL;
	memset(p, 0, sizeof *p);
	p->ifindex = ifc->index;
	memcpy(p->ip, ifc->ip4, 4);
	memcpy(p->mask, ifc->mask4, 4);
	d4_mac_of(ifc->index, p->mac);
	if (c->range_set) {
		start = dhcp4_ip_u32(c->range_start);
		end = dhcp4_ip_u32(c->range_end);
		p->none = (start & m) != net || (end & m) != net;
	} else {
		p->none = dhcp4_default_range(ifc->ip4, ifc->mask4, &start, &end) != 0;
	}
	if (!p->none && (p->pool = malloc(sizeof *p->pool)) &&
	    dhcp4_pool_init(p->pool, start, end,
			    c->lease_secs ? c->lease_secs : DHCP4_LEASE_SECS_DEFAULT) == 0) {
		uint8_t sb[4], eb[4];
		d4_pool_fill(a, p, ifc);
		dhcp4_u32_ip(start, sb);
		dhcp4_u32_ip(end, eb);
		fmt_ip(s, sb);
		fmt_ip(e, eb);
		log_info("dhcp.pool iface=%s range=%s-%s lease=%us live=%zu", ifc->name, s, e,
			 p->pool->lease_secs, dhcp4_pool_live(p->pool, dhcp4_addr_now()));
	} else {
		free(p->pool);
		p->pool = NULL;
		p->none = true;
		log_warn("dhcp.pool iface=%s reason=\"%s: reservations only\"", ifc->name,
			 c->range_set ? "--dhcp-range is not in this interface's subnet"
				      : "subnet too small for a default range");
	}
	return p;
}

void dhcp4_addr_net(struct dhcp4_addr *a, const struct iface *ifc, struct dhcp4_full_net *net)
{
	struct d4_pool *p = pool_by_index(a, ifc->index);
	/* an address change on the interface: a new pool for the new subnet */
	if (p && (memcmp(p->ip, ifc->ip4, 4) || memcmp(p->mask, ifc->mask4, 4))) {
		free(p->pool);
		memset(p, 0, sizeof *p);
		p = NULL;
	}
	if (!p)
		p = d4_pool_make(a, ifc);
	net->cfg = a->cfg.full;
	net->pool = p ? p->pool : NULL;
	memcpy(net->ip, ifc->ip4, 4);
	memcpy(net->mask, ifc->mask4, 4);
}

/* Arms the timer for the earliest probe deadline (or cancels it). */
static void d4_probe_rearm(struct dhcp4_addr *a)
{
	uint64_t first = UINT64_MAX;
	for (size_t i = 0; i < DHCP4_PROBES_MAX; i++)
		if (a->probes[i].used && a->probes[i].deadline_ms < first)
			first = a->probes[i].deadline_ms;
	if (first == UINT64_MAX) {
		loop_timer_cancel(a->loop, &a->probe_timer);
		return;
	}
	uint64_t now = loop_now_ms(a->loop);
	loop_timer_arm(a->loop, &a->probe_timer, first > now ? first - now : 0);
}

/* Ends probe i: its DISCOVER is handled again (a copy: redo may start a
 * new probe in the same slot). */
static void d4_probe_end(struct dhcp4_addr *a, size_t i)
{
	struct d4_probe *p = malloc(sizeof *p);
	if (!p) {
		a->probes[i].used = false;
		return;
	}
	*p = a->probes[i];
	a->probes[i].used = false;
	a->cfg.redo(a->cfg.arg, p->ifindex, &p->src, p->pkt, p->n);
	free(p);
}

static void d4_on_probe_timer(struct loop *l, struct loop_timer *t)
{
	struct dhcp4_addr *a = t->arg;
	uint64_t now = loop_now_ms(l);
	for (size_t i = 0; i < DHCP4_PROBES_MAX; i++) {
		struct d4_probe *p = &a->probes[i];
		if (!p->used || p->deadline_ms > now)
			continue;
		struct d4_pool *dp = pool_by_index(a, p->ifindex);
		if (dp && dp->pool)
			dhcp4_pool_probed(dp->pool, dhcp4_ip_u32(p->ip));
		d4_probe_end(a, i);
	}
	d4_probe_rearm(a);
}

/* Someone else answered for a probed address: block it, try the next. */
static void d4_arp_conflict(struct dhcp4_addr *a, size_t i, const struct arp_pkt *ap)
{
	struct d4_probe *p = &a->probes[i];
	struct d4_pool *dp = pool_by_index(a, p->ifindex);
	char ip[16];
	fmt_ip(ip, p->ip);
	log_warn("dhcp.conflict ip=%s owner=%02x:%02x:%02x:%02x:%02x:%02x reason=\"answered the "
		 "ARP probe: address marked in use, not offered\"",
		 ip, ap->sha[0], ap->sha[1], ap->sha[2], ap->sha[3], ap->sha[4], ap->sha[5]);
	if (dp && dp->pool)
		dhcp4_pool_decline(dp->pool, NULL, dhcp4_ip_u32(p->ip), dhcp4_addr_now());
	d4_probe_end(a, i);
}

static void d4_on_arp(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct dhcp4_addr *a = w->arg;
	(void)l, (void)ev;
	for (int k = 0; k < 32; k++) {
		uint8_t buf[64];
		struct sockaddr_ll from;
		socklen_t fl = sizeof from;
		struct arp_pkt ap;
		ssize_t n = recvfrom(w->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			break;
		if (from.sll_pkttype == PACKET_OUTGOING || arp_wire_parse(buf, (size_t)n, &ap))
			continue;
		for (size_t i = 0; i < DHCP4_PROBES_MAX; i++) {
			struct d4_probe *p = &a->probes[i];
			if (p->used && p->ifindex == from.sll_ifindex &&
			    !memcmp(ap.spa, p->ip, 4) && memcmp(ap.sha, p->mac, 6))
				d4_arp_conflict(a, i, &ap);
		}
	}
	d4_probe_rearm(a);
}

int dhcp4_addr_probe(struct dhcp4_addr *a, const struct iface *ifc, const uint8_t ip[4],
		     const uint8_t mac[6], const struct sockaddr_in *src, const uint8_t *pkt,
		     size_t n)
{
	struct d4_probe *p = NULL;
	struct d4_pool *dp = pool_by_index(a, ifc->index);
	if (a->arp.fd < 0 || !dp) {
		/* no packet socket: the address counts as checked */
		if (dp && dp->pool)
			dhcp4_pool_probed(dp->pool, dhcp4_ip_u32(ip));
		a->cfg.redo(a->cfg.arg, ifc->index, src, pkt, n);
		return 0;
	}
	for (size_t i = 0; i < DHCP4_PROBES_MAX && !p; i++)
		if (a->probes[i].used && a->probes[i].ifindex == ifc->index &&
		    !memcmp(a->probes[i].mac, mac, 6) && !memcmp(a->probes[i].ip, ip, 4))
			p = &a->probes[i];
	bool running = p != NULL;
	for (size_t i = 0; i < DHCP4_PROBES_MAX && !p; i++)
		if (!a->probes[i].used)
			p = &a->probes[i];
	if (!p || n > sizeof p->pkt)
		return -EBUSY;
	p->n = (uint16_t)n;
	memcpy(p->pkt, pkt, n);
	p->src = *src;
	if (running)
		return 0;
	p->used = true;
	p->ifindex = ifc->index;
	memcpy(p->ip, ip, 4);
	memcpy(p->mac, mac, 6);
	p->deadline_ms = loop_now_ms(a->loop) + DHCP4_PROBE_MS_DEFAULT;
	uint8_t frame[ARP_WIRE_LEN];
	arp_wire_probe(frame, dp->mac, ip);
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(ETH_P_ARP),
				 .sll_ifindex = ifc->index,
				 .sll_halen = 6};
	memset(to.sll_addr, 0xff, 6);
	if (sendto(a->arp.fd, frame, sizeof frame, 0, (struct sockaddr *)&to, sizeof to) < 0)
		log_warn("dhcp.warn iface=%s reason=\"ARP probe: %s\"", ifc->name, strerror(errno));
	d4_probe_rearm(a);
	return 0;
}

static void d4_send(int fd, int ifindex, const uint8_t from4[4], const uint8_t *pkt, size_t n,
		    const struct sockaddr_in *dst)
{
	struct sockaddr_storage from = {0};
	struct sockaddr_in *f4 = (struct sockaddr_in *)&from;
	f4->sin_family = AF_INET;
	memcpy(&f4->sin_addr, from4, 4);
	int r =
	    udp_send_from(fd, pkt, n, (const struct sockaddr *)dst, sizeof *dst, &from, ifindex);
	if (r < 0)
		log_warn("dhcp.send_failed iface_index=%d error=\"%s\"", ifindex, strerror(-r));
}

void dhcp4_addr_hold(struct dhcp4_addr *a, int fd, const struct iface *ifc, const uint8_t *pkt,
		     size_t n, const struct sockaddr_in *dst)
{
	if (a->n_held == DHCP4_HELD_MAX)
		dhcp4_addr_flush(a);
	if (n > sizeof a->held[0].pkt)
		return;
	struct d4_held *h = &a->held[a->n_held++];
	h->fd = fd;
	h->ifindex = ifc->index;
	memcpy(h->from, ifc->ip4, 4);
	h->dst = *dst;
	h->n = (uint16_t)n;
	memcpy(h->pkt, pkt, n);
}

/* Appends one record line to the growing buffer. 0 or -ENOMEM. */
static int d4_put(char **buf, size_t *len, size_t *cap, const struct dhcp4_lease_rec *r)
{
	if (*cap - *len < 64) {
		size_t nc = *cap ? *cap * 2 : 8192;
		char *nb = realloc(*buf, nc);
		if (!nb)
			return -ENOMEM;
		*buf = nb;
		*cap = nc;
	}
	int k = dhcp4_leasefile_line(r, *buf + *len, *cap - *len);
	if (k < 0)
		return k;
	*len += (size_t)k;
	return 0;
}

/* The whole file's text: pools' leases and blocks, then the file's records
 * no pool took (an interface that is down) that are still live. */
static int d4_format(struct dhcp4_addr *a, int64_t now, char **buf, size_t *len)
{
	size_t cap = 0;
	struct dhcp4_lease_rec r = {0};
	int e = d4_put(buf, len, &cap, &r); /* room, then overwrite with the magic */
	*len = (size_t)snprintf(*buf, cap, "%s\n", DHCP4_LEASEFILE_MAGIC);
	for (size_t i = 0; i < IFACE_MAX && !e; i++) {
		const struct dhcp4_pool *p = a->pools[i].pool;
		if (!a->pools[i].ifindex || !p)
			continue;
		for (uint32_t k = 0; k <= p->end - p->start && !e; k++) {
			const struct dhcp4_slot *s = &p->v[k];
			if (s->state != DHCP4_BOUND &&
			    (s->state != DHCP4_DECLINED || s->expires <= now))
				continue;
			r.declined = s->state == DHCP4_DECLINED;
			memcpy(r.mac, s->mac, 6);
			dhcp4_u32_ip(p->start + k, r.ip);
			r.expires = s->expires;
			e = d4_put(buf, len, &cap, &r);
		}
	}
	for (size_t i = 0; i < a->n_recs && !e; i++)
		if (!a->placed[i] && a->recs[i].expires > now)
			e = d4_put(buf, len, &cap, &a->recs[i]);
	return e;
}

void dhcp4_addr_flush(struct dhcp4_addr *a)
{
	bool dirty = a->dirty;
	for (size_t i = 0; i < IFACE_MAX; i++)
		if (a->pools[i].pool && a->pools[i].pool->dirty)
			dirty = true;
	int r = 0;
	if (dirty && a->cfg.lease_dirfd >= 0) {
		char *buf = NULL;
		size_t len = 0;
		r = d4_format(a, dhcp4_addr_now(), &buf, &len);
		if (!r)
			r = dhcp4_leasefile_write(a->cfg.lease_dirfd, a->cfg.lease_name, buf, len);
		free(buf);
		if (r)
			log_err("dhcp.leases file=%s error=\"%s\" dropped_acks=%zu",
				a->cfg.lease_name, strerror(-r), a->n_held);
		else
			a->writes++;
	}
	if (!r) {
		a->dirty = false;
		for (size_t i = 0; i < IFACE_MAX; i++)
			if (a->pools[i].pool)
				a->pools[i].pool->dirty = false;
		for (size_t i = 0; i < a->n_held; i++)
			d4_send(a->held[i].fd, a->held[i].ifindex, a->held[i].from, a->held[i].pkt,
				a->held[i].n, &a->held[i].dst);
	}
	a->n_held = 0;
}
