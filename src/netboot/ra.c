/* ra: the router advertisement sender and listener (raw ICMPv6 socket),
 * see ra.h. */
#include "netboot/ra.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "netboot/ra_wire.h"
#include "netboot/udp.h"

#define RA_BATCH 32
#define RA_PREFIX_VALID 1800 /* s; every RA (at most 600 s apart) renews it */
#define RA_PREFIX_PREF 900
#define RA_ROUTER_LIFETIME 1800 /* --router6: 3 * MaxRtrAdvInterval */

struct ra_if {
	struct ra_server *s;
	int index;
	char name[IF_NAMESIZE];
	uint8_t mac[6];
	bool has_mac;
	struct in6_addr ll;
	unsigned mtu;
	struct ra_sched sch;
	struct loop_timer timer;
};

struct ra_server {
	struct ra_config cfg;
	struct loop *loop;
	struct loop_watch w;
	struct ra_if v[IFACE_MAX];
	size_t n;
	struct log_budget lb;
};

static const struct in6_addr all_nodes = {.s6_addr = {0xff, 0x02, [15] = 1}};
static const struct in6_addr all_routers = {.s6_addr = {0xff, 0x02, [15] = 2}};

static void ra_mac(const char *name, uint8_t mac[6], bool *ok)
{
	struct ifreq ifr;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	*ok = false;
	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0) {
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
		*ok = (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) != 0;
	}
	close(fd);
}

/* Sends pkt[n] from our link-local address out of f to dst. */
static void ra_send(struct ra_if *f, const uint8_t *pkt, size_t n, const struct in6_addr *dst)
{
	struct sockaddr_in6 to = {
	    .sin6_family = AF_INET6, .sin6_addr = *dst, .sin6_scope_id = (uint32_t)f->index};
	struct sockaddr_storage from = {0};
	struct sockaddr_in6 *fr = (struct sockaddr_in6 *)&from;
	fr->sin6_family = AF_INET6;
	fr->sin6_addr = f->ll;
	int r =
	    udp_send_from(f->s->w.fd, pkt, n, (struct sockaddr *)&to, sizeof to, &from, f->index);
	if (r < 0 && log_budget_take(&f->s->lb, loop_clock_ms(), "ra"))
		log_warn("ra.send_failed iface=%s error=\"%s\"", f->name, strerror(-r));
}

static void ra_send_ra(struct ra_if *f)
{
	const struct ra_config *c = &f->s->cfg;
	struct ra_params p = {
	    .flags = RA_FLAG_M | RA_FLAG_O,
	    .router_lifetime = c->router ? RA_ROUTER_LIFETIME : 0,
	    .has_mac = f->has_mac,
	    .mtu = f->mtu >= 1280 ? f->mtu : 0,
	    .has_prefix = c->range && c->range->set,
	    .prefix_valid = RA_PREFIX_VALID,
	    .prefix_pref = RA_PREFIX_PREF,
	};
	memcpy(p.mac, f->mac, 6);
	if (p.has_prefix)
		memcpy(p.prefix, c->range->start, 8);
	uint8_t out[128];
	struct wbuf w;
	wbuf_init(&w, out, sizeof out);
	if (ra_build(&w, &p) == 0)
		ra_send(f, out, w.len, &all_nodes);
	log_debug("ra.send iface=%s to=ff02::1 flags=M,O router_lifetime=%u", f->name,
		  p.router_lifetime);
}

static void ra_send_rs(struct ra_if *f)
{
	uint8_t out[16];
	struct wbuf w;
	wbuf_init(&w, out, sizeof out);
	if (ra_build_rs(&w, f->has_mac ? f->mac : NULL) == 0)
		ra_send(f, out, w.len, &all_routers);
	log_info("ra.listen iface=%s window_ms=%llu reason=\"is another router on the link?\"",
		 f->name, (unsigned long long)f->sch.t.listen_ms);
}

static void ra_arm(struct ra_if *f)
{
	uint64_t now = loop_now_ms(f->s->loop), at = ra_sched_deadline(&f->sch);
	loop_timer_arm(f->s->loop, &f->timer, at > now ? at - now : 0);
}

static void ra_set_active(struct ra_if *f, bool on)
{
	const struct ra_config *c = &f->s->cfg;
	if (c->on_active)
		c->on_active(c->on_active_arg, f->index, on);
}

static void ra_on_timer(struct loop *l, struct loop_timer *t)
{
	struct ra_if *f = t->arg;
	enum ra_state before = f->sch.state;
	enum ra_action a = ra_sched_due(&f->sch, loop_now_ms(l));
	if (a == RA_SEND_RS) {
		ra_send_rs(f);
	} else if (a == RA_SEND_RA) {
		if (before == RA_LISTEN) {
			char pfx[INET6_ADDRSTRLEN] = "-";
			const struct dhcp6_range *r = f->s->cfg.range;
			if (r && r->set) {
				uint8_t a6[16] = {0};
				memcpy(a6, r->start, 8);
				inet_ntop(AF_INET6, a6, pfx, sizeof pfx);
			}
			log_info("ra.start iface=%s prefix=%s/64 flags=M,O router_lifetime=%u "
				 "reason=\"no other router advertises: lifeboat sends RAs\"",
				 f->name, pfx, f->s->cfg.router ? RA_ROUTER_LIFETIME : 0);
			ra_set_active(f, true);
		}
		ra_send_ra(f);
	}
	ra_arm(f);
}

static struct ra_if *ra_if_by_index(struct ra_server *s, int index)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].index == index)
			return &s->v[i];
	return NULL;
}

/* An RA from one of our own interfaces (two on one LAN) is not another
 * router. */
static bool ra_from_us(const struct ra_server *s, const struct in6_addr *a)
{
	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(&s->v[i].ll, a, 16))
			return true;
	return false;
}

/* One received RS/RA, validated as RFC 4861 6.1 says. */
static void ra_on_msg(struct ra_server *s, const uint8_t *p, size_t n,
		      const struct sockaddr_in6 *src, int ifindex, int hops)
{
	struct ra_if *f = ra_if_by_index(s, ifindex);
	struct ra_msg m;
	char from[INET6_ADDRSTRLEN];
	if (!f || hops != 255 || ra_parse(p, n, &m) || ra_from_us(s, &src->sin6_addr))
		return;
	uint64_t now = loop_now_ms(s->loop);
	if (m.type == RA_TYPE_RS) {
		ra_sched_rs(&f->sch, now);
		ra_arm(f);
		return;
	}
	if (!IN6_IS_ADDR_LINKLOCAL(&src->sin6_addr))
		return;
	enum ra_state before = f->sch.state;
	if (ra_sched_other(&f->sch, now)) {
		inet_ntop(AF_INET6, &src->sin6_addr, from, sizeof from);
		log_info("ra.other_router iface=%s from=%s flags=%s%s router_lifetime=%u "
			 "action=quiet reason=\"another router advertises: lifeboat sends no "
			 "RAs here\"",
			 f->name, from, m.flags & RA_FLAG_M ? "M" : "-",
			 m.flags & RA_FLAG_O ? "O" : "-", m.router_lifetime);
		if (before == RA_ACTIVE)
			ra_set_active(f, false);
	}
	ra_arm(f);
}

/* Reads at most RA_BATCH messages with their interface and hop limit. */
static void ra_on_readable(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct ra_server *s = w->arg;
	(void)l, (void)ev;
	for (int i = 0; i < RA_BATCH; i++) {
		uint8_t buf[1500];
		union {
			char b[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} ctl;
		struct sockaddr_in6 src;
		struct iovec iov = {buf, sizeof buf};
		struct msghdr mh = {.msg_name = &src,
				    .msg_namelen = sizeof src,
				    .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctl.b,
				    .msg_controllen = sizeof ctl.b};
		ssize_t n = recvmsg(w->fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			return;
		int ifindex = 0, hops = -1;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != IPPROTO_IPV6)
				continue;
			if (c->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof pi);
				ifindex = (int)pi.ipi6_ifindex;
			} else if (c->cmsg_type == IPV6_HOPLIMIT) {
				memcpy(&hops, CMSG_DATA(c), sizeof hops);
			}
		}
		if (!(mh.msg_flags & MSG_TRUNC))
			ra_on_msg(s, buf, (size_t)n, &src, ifindex, hops);
	}
}

static int ra_socket(void)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	int on = 1, hops = 255, off = 0;
	struct icmp6_filter flt;
	ICMP6_FILTER_SETBLOCKALL(&flt);
	ICMP6_FILTER_SETPASS(RA_TYPE_RS, &flt);
	ICMP6_FILTER_SETPASS(RA_TYPE_RA, &flt);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &flt, sizeof flt) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof off)) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

/* Every served interface with a link-local address (an RA's source must
 * be one) joins ff02::2 (to hear RSs) and starts listening. */
static void ra_add_ifaces(struct ra_server *s)
{
	const struct iface_set *ifs = s->cfg.ifs;
	const struct ra_timing *t = s->cfg.timing ? s->cfg.timing : &ra_timing_default;
	for (size_t i = 0; i < ifs->n && s->n < IFACE_MAX; i++) {
		const struct iface *x = &ifs->v[i];
		if (!x->has_ip6_ll) {
			log_info("ra.skip iface=%s reason=\"no IPv6 link-local address\"", x->name);
			continue;
		}
		struct ipv6_mreq mr = {.ipv6mr_multiaddr = all_routers,
				       .ipv6mr_interface = (unsigned)x->index};
		if (setsockopt(s->w.fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof mr) &&
		    errno != EADDRINUSE)
			log_warn("ra.join_failed iface=%s error=\"%s\"", x->name, strerror(errno));
		struct ra_if *f = &s->v[s->n++];
		f->s = s;
		f->index = x->index;
		snprintf(f->name, sizeof f->name, "%s", x->name);
		f->ll = x->ip6_ll;
		f->mtu = x->mtu;
		ra_mac(x->name, f->mac, &f->has_mac);
		uint32_t seed = (uint32_t)loop_clock_ms() ^ ((uint32_t)f->mac[4] << 8 | f->mac[5]) ^
				(uint32_t)x->index << 16;
		loop_timer_init(&f->timer, ra_on_timer, f);
		if (ra_sched_start(&f->sch, t, loop_clock_ms(), seed) == RA_SEND_RS)
			ra_send_rs(f);
		ra_arm(f);
	}
}

int ra_start(struct ra_server **out, struct loop *l, const struct ra_config *cfg)
{
	struct ra_server *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	s->loop = l;
	int fd = ra_socket();
	if (fd < 0) {
		free(s);
		return fd;
	}
	s->w = (struct loop_watch){.fd = fd, .cb = ra_on_readable, .arg = s};
	int r = loop_add(l, &s->w, EPOLLIN);
	if (r) {
		close(fd);
		free(s);
		return r;
	}
	ra_add_ifaces(s);
	*out = s;
	return 0;
}

void ra_stop(struct ra_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		loop_timer_cancel(s->loop, &s->v[i].timer);
	loop_del(s->loop, &s->w);
	close(s->w.fd);
	free(s);
}

size_t ra_active_count(const struct ra_server *s)
{
	size_t k = 0;
	for (size_t i = 0; s && i < s->n; i++)
		k += s->v[i].sch.state == RA_ACTIVE;
	return k;
}
