/* netup: interfaces, their DHCP clients and the kernel configuration
 * they ask for, on core/loop. */
#include "rescue/netup.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/sys.h"
#include "rescue/rtnl.h"

#define SCAN_FAST_MS 2000 /* the first minute: drivers still probing */
#define SCAN_SLOW_MS 30000
#define SCAN_FAST_COUNT 30
#define CARRIER_WAIT_MS 5000

static bool exists_in(const char *dir, const char *name)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return !lstat(p, &st);
}

bool netup_is_wired(const char *dir)
{
	char type[16];
	/* ARPHRD_ETHER with real hardware behind it; Wi-Fi reports ARPHRD_ETHER
	 * too and is told apart by its wireless/phy80211 entries. */
	return sys_read_line(dir, "type", type, sizeof type) > 0 && !strcmp(type, "1") &&
	       exists_in(dir, "device") && !exists_in(dir, "wireless") &&
	       !exists_in(dir, "phy80211") && !exists_in(dir, "bridge");
}

static void ip_str(const uint8_t a[4], char *out)
{
	snprintf(out, 16, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

int netup_resolv_text(char *out, size_t cap, const struct dhcp4c_lease *l)
{
	size_t o = 0;
	int e = buf_appendf(out, cap, &o, "# written by lifeboat (DHCP)\n");
	if (!e && l->domain[0])
		e = buf_appendf(out, cap, &o, "search %s\n", l->domain);
	for (unsigned i = 0; !e && i < l->n_dns; i++) {
		char a[16];
		ip_str(l->dns[i], a);
		e = buf_appendf(out, cap, &o, "nameserver %s\n", a);
	}
	return e ? e : (int)o;
}

int netup_write_resolv(const char *path, const struct dhcp4c_lease *l)
{
	char text[1024], tmp[512];
	int n = netup_resolv_text(text, sizeof text, l);
	if (n < 0)
		return n;
	snprintf(tmp, sizeof tmp, "%s.lifeboat", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	int rc = write(fd, text, (size_t)n) == n ? 0 : -EIO;
	close(fd);
	if (!rc && rename(tmp, path))
		rc = -errno;
	return rc;
}

/* ---- applying leases ---- */

/* Interfaces found first (lower in /sys/class/net order) win: their
 * default route has the lower metric. */
static uint32_t route_metric(const struct netup_if *i)
{
	return 100 + (uint32_t)(i - i->up->ifs);
}

/* resolv.conf follows the first configured interface whose lease names
 * DNS servers or a domain; other interfaces' renewals leave it alone. */
static void update_resolv(struct netup *u)
{
	for (unsigned k = 0; k < u->n; k++) {
		const struct dhcp4c_lease *l = &u->ifs[k].c.lease;
		if (!u->ifs[k].configured || (!l->n_dns && !l->domain[0]))
			continue;
		int e = netup_write_resolv(u->resolv, l);
		if (e)
			log_warn("net.resolv.failed path=%s error=\"%s\"", u->resolv, strerror(-e));
		return;
	}
}

static void deconfigure(struct netup_if *i)
{
	struct netup *u = i->up;
	const struct dhcp4c_lease *l = &i->c.lease;
	char a[16];
	ip_str(l->addr, a);
	if (l->has_router)
		rtnl_default_route(u->rtnl, false, i->ifindex, l->router, route_metric(i));
	int rc = rtnl_addr(u->rtnl, false, i->ifindex, l->addr, l->prefix, 0);
	log_info("net.deconfigure if=%s addr=%s/%u%s%s", i->name, a, l->prefix, rc ? " error=" : "",
		 rc ? strerror(-rc) : "");
	i->configured = false;
	update_resolv(u);
	if (u->cb)
		u->cb(u->arg, i, false);
}

static void configure(struct netup_if *i, const char *how)
{
	struct netup *u = i->up;
	const struct dhcp4c_lease *l = &i->c.lease;
	char a[16], r[16] = "none";
	ip_str(l->addr, a);
	if (l->has_router)
		ip_str(l->router, r);
	if (l->mtu)
		rtnl_link_up(u->rtnl, i->ifindex, l->mtu);
	int rc = rtnl_addr(u->rtnl, true, i->ifindex, l->addr, l->prefix, l->lease_s);
	if (!rc && l->has_router) {
		rc = rtnl_default_route(u->rtnl, true, i->ifindex, l->router, route_metric(i));
		if (rc == -EEXIST)
			rc = 0;
	}
	if (rc) {
		log_err("net.configure.failed if=%s addr=%s/%u error=\"%s\"", i->name, a, l->prefix,
			strerror(-rc));
		return;
	}
	bool first = !i->configured;
	i->configured = true;
	log_info("net.%s if=%s addr=%s/%u router=%s lease_s=%u t1_s=%u t2_s=%u mtu=%u dns=%u", how,
		 i->name, a, l->prefix, r, l->lease_s, l->t1_s, l->t2_s, l->mtu, l->n_dns);
	update_resolv(u);
	if (first && u->cb)
		u->cb(u->arg, i, true);
}

static void send_out(struct netup_if *i, const struct dhcp4c_out *o)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(67)};
	if (o->unicast)
		memcpy(&to.sin_addr, i->c.lease.server, 4);
	else
		to.sin_addr.s_addr = htonl(INADDR_BROADCAST);
	if (sendto(i->fd, o->pkt, o->len, 0, (struct sockaddr *)&to, sizeof to) < 0)
		log_debug("net.dhcp.send.failed if=%s error=\"%s\"", i->name, strerror(errno));
}

/* Carries out what the state machine asked for, then re-arms its timer. */
static void act(struct netup_if *i, const struct dhcp4c_out *o, enum dhcp4c_state before)
{
	if (o->deconfigure && i->configured)
		deconfigure(i);
	if (o->configure) {
		bool renew = i->configured;
		configure(i, renew ? "dhcp.renewed" : "dhcp.bound");
		if (renew)
			log_info("net.dhcp.renewals if=%s count=%u via=%s", i->name, i->c.renewals,
				 dhcp4c_state_name(before));
	}
	if (o->send)
		send_out(i, o);
	if (i->c.state != before)
		log_debug("net.dhcp.state if=%s from=%s to=%s", i->name, dhcp4c_state_name(before),
			  dhcp4c_state_name(i->c.state));
	uint64_t now = loop_now_ms(i->up->l);
	if (i->c.next_ms == UINT64_MAX)
		loop_timer_cancel(i->up->l, &i->t);
	else
		loop_timer_arm(i->up->l, &i->t, i->c.next_ms > now ? i->c.next_ms - now : 0);
}

/* Whether the link reports carrier (a DISCOVER sent before it is lost). */
static bool has_carrier(const struct netup_if *i)
{
	char dir[300], v[8];
	snprintf(dir, sizeof dir, "%s/%s", i->up->sysnet, i->name);
	return sys_read_line(dir, "carrier", v, sizeof v) > 0 && v[0] == '1';
}

static void on_timer(struct loop *l, struct loop_timer *t)
{
	struct netup_if *i = t->arg;
	struct dhcp4c_out o;
	enum dhcp4c_state before = i->c.state;
	/* The first DISCOVER waits for carrier, polled every 100 ms, for up
	 * to CARRIER_WAIT_MS; after that DHCP's own retransmits cover it. */
	if (!i->first_sent) {
		if (!has_carrier(i) && loop_now_ms(l) - i->started_ms < CARRIER_WAIT_MS) {
			loop_timer_arm(l, &i->t, 100);
			return;
		}
		i->first_sent = true;
	}
	dhcp4c_timeout(&i->c, loop_now_ms(l), &o);
	act(i, &o, before);
}

static void on_packet(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct netup_if *i = w->arg;
	uint8_t pkt[1500];
	(void)events;
	for (int k = 0; k < 16; k++) { /* bounded work per turn */
		ssize_t n = recv(i->fd, pkt, sizeof pkt, 0);
		if (n < 0)
			return;
		struct dhcp4c_reply r;
		if (dhcp4c_parse(pkt, (size_t)n, &r))
			continue; /* not a DHCP reply: another host's traffic or junk */
		struct dhcp4c_out o;
		enum dhcp4c_state before = i->c.state;
		if (!dhcp4c_input(&i->c, &r, loop_now_ms(l), &o))
			continue;
		if (r.type == DHCP4C_NAK)
			log_warn("net.dhcp.nak if=%s state=%s", i->name, dhcp4c_state_name(before));
		act(i, &o, before);
	}
}

static int open_socket(const char *ifname)
{
	int one = 1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(68)};
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static void start_static(struct netup_if *i)
{
	struct netup *u = i->up;
	struct dhcp4c_lease *l = &i->c.lease;
	memset(l, 0, sizeof *l);
	memcpy(l->addr, u->ip.addr, 4);
	int p = u->ip.has_mask ? dhcp4c_mask_prefix(u->ip.mask) : -1;
	l->prefix = (uint8_t)(p > 0 ? p : 24);
	memcpy(l->router, u->ip.gw, 4);
	l->has_router = u->ip.gw[0] != 0;
	memcpy(l->dns, u->ip.dns, sizeof u->ip.dns);
	l->n_dns = u->ip.n_dns;
	l->lease_s = 0xffffffffu;
	configure(i, "static");
}

static void add_if(struct netup *u, const char *name, const char *dir)
{
	char mac[32];
	if (u->n >= NETUP_MAX_IFS || sys_read_line(dir, "address", mac, sizeof mac) < 17)
		return;
	struct netup_if *i = &u->ifs[u->n];
	memset(i, 0, sizeof *i);
	size_t nl = strnlen(name, sizeof i->name - 1); /* scan() passed only short names */
	memcpy(i->name, name, nl);
	i->name[nl] = 0;
	i->ifindex = (int)if_nametoindex(name);
	unsigned m[6];
	if (!i->ifindex ||
	    sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		return;
	for (int k = 0; k < 6; k++)
		i->mac[k] = (uint8_t)m[k];
	i->up = u;
	i->fd = -1;
	u->n++;
	int rc = rtnl_link_up(u->rtnl, i->ifindex, 0);
	log_info("net.link if=%s mac=%s%s%s", name, mac, rc ? " error=" : "",
		 rc ? strerror(-rc) : "");
	if (u->ip.mode == KCMD_IP_STATIC) {
		start_static(i);
		return;
	}
	i->fd = open_socket(name);
	if (i->fd < 0) {
		log_err("net.dhcp.socket if=%s error=\"%s\"", name, strerror(-i->fd));
		return;
	}
	uint32_t seed = 0;
	if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != sizeof seed)
		seed = (uint32_t)loop_clock_ms();
	dhcp4c_init(&i->c, i->mac, u->hostname, seed, loop_now_ms(u->l));
	if (u->adopt) { /* the address is on the interface already */
		dhcp4c_adopt(&i->c, u->adopt, loop_now_ms(u->l));
		i->configured = i->first_sent = true;
		log_info("net.dhcp.adopted if=%s state=%s", name, dhcp4c_state_name(i->c.state));
	}
	i->w.fd = i->fd;
	i->w.cb = on_packet;
	i->w.arg = i;
	loop_add(u->l, &i->w, EPOLLIN);
	loop_timer_init(&i->t, on_timer, i);
	i->started_ms = loop_now_ms(u->l);
	loop_timer_arm(u->l, &i->t, 0);
}

static bool known(const struct netup *u, const char *name)
{
	for (unsigned k = 0; k < u->n; k++)
		if (!strcmp(u->ifs[k].name, name))
			return true;
	return false;
}

static void scan(struct netup *u)
{
	DIR *d = opendir(u->sysnet);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char dir[512];
		if (de->d_name[0] == '.' || strlen(de->d_name) >= IFNAMSIZ || known(u, de->d_name))
			continue;
		if (u->ip.device[0] && strcmp(u->ip.device, de->d_name))
			continue;
		if (u->ip.mode == KCMD_IP_STATIC && u->n)
			break; /* one static address: on the first wired interface */
		snprintf(dir, sizeof dir, "%s/%s", u->sysnet, de->d_name);
		/* A lease to take over names its interface: any kind (bridge, veth). */
		if (netup_is_wired(dir) || (u->adopt && u->ip.device[0]))
			add_if(u, de->d_name, dir);
	}
	if (d)
		closedir(d);
}

static void on_scan(struct loop *l, struct loop_timer *t)
{
	struct netup *u = t->arg;
	scan(u);
	u->scans++;
	loop_timer_arm(l, &u->scan, u->scans < SCAN_FAST_COUNT ? SCAN_FAST_MS : SCAN_SLOW_MS);
}

int netup_start(struct netup *u, struct loop *l, const struct kcmd_ip *ip, netup_cb cb, void *arg)
{
	const char *resolv = u->resolv, *sysnet = u->sysnet;
	const struct dhcp4c_lease *adopt = u->adopt;
	memset(u, 0, sizeof *u);
	u->adopt = adopt;
	u->l = l;
	u->ip = *ip;
	u->cb = cb;
	u->arg = arg;
	u->resolv = resolv ? resolv : NETUP_RESOLV;
	u->sysnet = sysnet ? sysnet : "/sys/class/net";
	snprintf(u->hostname, sizeof u->hostname, "%s", ip->hostname[0] ? ip->hostname : "");
	u->rtnl = rtnl_open();
	if (u->rtnl < 0)
		return u->rtnl;
	int lo = (int)if_nametoindex("lo");
	if (lo)
		rtnl_link_up(u->rtnl, lo, 0); /* the kernel adds 127.0.0.1/8 */
	if (ip->mode == KCMD_IP_OFF) {
		log_info("net.off reason=\"ip=off on the kernel command line\"");
		return 0;
	}
	loop_timer_init(&u->scan, on_scan, u);
	on_scan(l, &u->scan);
	return 0;
}

void netup_stop(struct netup *u)
{
	for (unsigned k = 0; k < u->n; k++) {
		struct netup_if *i = &u->ifs[k];
		if (i->fd < 0)
			continue;
		struct dhcp4c_out o;
		dhcp4c_release(&i->c, loop_now_ms(u->l), &o);
		if (o.send)
			send_out(i, &o);
		loop_timer_cancel(u->l, &i->t);
	}
	loop_timer_cancel(u->l, &u->scan);
}
