/* autoprobe: auto mode's sockets and timers, see autoprobe.h. */
#include "netboot/autoprobe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "netboot/probe_wire.h"

#define AP_BATCH 32
#define AP_ETH_P_IP 0x0800

struct ap_if {
	struct autoprobe *p;
	int index;
	char name[IF_NAMESIZE];
	uint8_t mac[6];
	struct auto_if st;
	struct loop_watch w;
	struct loop_timer timer;
	uint32_t xid;
};

struct autoprobe {
	struct autoprobe_config cfg;
	struct loop *loop;
	struct ap_if v[IFACE_MAX];
	size_t n;
	uint8_t ours[IFACE_MAX][4]; /* our IPv4 addresses: our own offers are not "another" */
	size_t n_ours;
};

/* Classic BPF (linux/filter.h's ABI; musl-gcc has no kernel headers): an
 * unfragmented UDP datagram to port 68, on the IP header. */
struct ap_insn {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};
struct ap_prog {
	unsigned short len;
	struct ap_insn *filter;
};

static int ap_filter(int fd)
{
	struct ap_insn code[] = {
	    {0x30, 0, 0, 9},	  {0x15, 0, 6, 17},	{0x28, 0, 0, 6},
	    {0x45, 4, 0, 0x1fff}, {0xb1, 0, 0, 0},	{0x48, 0, 0, 2},
	    {0x15, 0, 1, 68},	  {0x06, 0, 0, 0xffff}, {0x06, 0, 0, 0},
	};
	struct ap_prog prog = {sizeof code / sizeof code[0], code};
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

/* Does interface ifindex hold an address from a DHCP client? (automode.h's
 * rule, from one RTM_GETADDR dump.) Unknown (netlink failed): false, and
 * the probes decide alone. */
static bool ap_own_dhcp(int ifindex)
{
	struct {
		uint32_t len;
		uint16_t type, flags;
		uint32_t seq, pid;
		uint8_t family, pad[7];
	} req = {.len = sizeof req,
		 .type = 22 /* RTM_GETADDR */,
		 .flags = 0x301,
		 .seq = 1,
		 .family = AF_INET};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0 /* NETLINK_ROUTE */);
	bool dyn = false, done = false;
	if (fd < 0)
		return false;
	struct timeval tv = {.tv_sec = 2};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (send(fd, &req, sizeof req, 0) == (ssize_t)sizeof req) {
		uint8_t *buf = malloc(32768);
		for (int i = 0; buf && i < 64 && !done; i++) {
			ssize_t n = recv(fd, buf, 32768, 0);
			if (n <= 0 || auto_nl_dynamic(buf, (size_t)n, ifindex, &dyn, &done))
				break;
		}
		free(buf);
	}
	close(fd);
	return dyn;
}

static void ap_send_discover(struct ap_if *f)
{
	static const uint8_t any[4] = {0, 0, 0, 0}, bcast[4] = {255, 255, 255, 255};
	uint8_t d[600], frame[700];
	struct wbuf w, fr;
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(AP_ETH_P_IP),
				 .sll_ifindex = f->index,
				 .sll_halen = 6};
	memset(to.sll_addr, 0xff, 6);
	f->xid = f->xid * 1103515245u + 12345u;
	wbuf_init(&w, d, sizeof d);
	wbuf_init(&fr, frame, sizeof frame);
	if (probe_build_discover(&w, PROBE_BIOS, f->xid, f->mac) ||
	    probe_build_udp4(&fr, any, 68, bcast, 67, d, w.len))
		return;
	if (sendto(f->w.fd, frame, fr.len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof to) < 0)
		log_warn("auto.probe_failed iface=%s error=\"%s\"", f->name, strerror(errno));
	else
		log_debug("auto.probe iface=%s xid=0x%08x n=%u", f->name, f->xid, f->st.probes);
}

static void ap_arm(struct ap_if *f)
{
	uint64_t at = auto_deadline(&f->st), now = loop_now_ms(f->p->loop);
	if (at == UINT64_MAX)
		loop_timer_cancel(f->p->loop, &f->timer);
	else
		loop_timer_arm(f->p->loop, &f->timer, at > now ? at - now : 0);
}

/* What automode decided, applied and logged. */
static void ap_act(struct ap_if *f, enum auto_action a)
{
	const struct autoprobe_config *c = &f->p->cfg;
	if (a == AUTO_SEND_DISCOVER) {
		ap_send_discover(f);
	} else if (a == AUTO_GO_FULL || a == AUTO_GO_PROXY) {
		bool on = a == AUTO_GO_FULL;
		c->set_addressing(c->arg, f->index, on);
		char srv[INET_ADDRSTRLEN] = "-";
		if (f->st.reason == AUTO_R_OFFER)
			inet_ntop(AF_INET, f->st.server, srv, sizeof srv);
		if (on)
			log_info("auto.mode iface=%s mode=dhcp probes=%u reason=\"%s\"", f->name,
				 f->st.probes, auto_reason_text(f->st.reason));
		else
			log_warn("auto.mode iface=%s mode=proxy server=%s reason=\"%s: lifeboat "
				 "offers no addresses here\"",
				 f->name, srv, auto_reason_text(f->st.reason));
	}
	ap_arm(f);
}

static void ap_on_timer(struct loop *l, struct loop_timer *t)
{
	struct ap_if *f = t->arg;
	ap_act(f, auto_due(&f->st, loop_now_ms(l)));
}

static void ap_on_readable(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct ap_if *f = w->arg;
	(void)l, (void)ev;
	for (int i = 0; i < AP_BATCH; i++) {
		uint8_t buf[2048], src[4], srv[4];
		struct sockaddr_ll from;
		socklen_t fl = sizeof from;
		const uint8_t *pl;
		size_t pl_len;
		uint16_t sport;
		ssize_t n =
		    recvfrom(w->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		/* our own frames (our DISCOVERs, our server's offers) are not news */
		if (from.sll_pkttype == PACKET_OUTGOING ||
		    probe_parse_udp4(buf, (size_t)n, 68, &pl, &pl_len, src, &sport) ||
		    auto_reply_other(pl, pl_len, src, f->p->ours[0], f->p->n_ours, srv) != 1)
			continue;
		ap_act(f, auto_offer(&f->st, srv));
	}
}

static void ap_mac(const char *name, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(mac, 0, 6);
	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
}

/* One interface's packet socket. 0 or -errno. */
static int ap_open(struct ap_if *f)
{
	struct sockaddr_ll sll = {
	    .sll_family = AF_PACKET, .sll_protocol = htons(AP_ETH_P_IP), .sll_ifindex = f->index};
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(AP_ETH_P_IP));
	if (fd < 0)
		return -errno;
	if (ap_filter(fd) || bind(fd, (struct sockaddr *)&sll, sizeof sll)) {
		int e = -errno;
		close(fd);
		return e;
	}
	f->w = (struct loop_watch){.fd = fd, .cb = ap_on_readable, .arg = f};
	return loop_add(f->p->loop, &f->w, EPOLLIN);
}

int autoprobe_start(struct autoprobe **out, struct loop *l, const struct autoprobe_config *cfg)
{
	struct autoprobe *p = calloc(1, sizeof *p);
	if (!p)
		return -ENOMEM;
	p->cfg = *cfg;
	p->loop = l;
	for (size_t i = 0; i < cfg->ifs->n; i++)
		if (cfg->ifs->v[i].has_ip4 && p->n_ours < IFACE_MAX)
			memcpy(p->ours[p->n_ours++], cfg->ifs->v[i].ip4, 4);
	for (size_t i = 0; i < cfg->ifs->n; i++) {
		const struct iface *x = &cfg->ifs->v[i];
		if (!x->has_ip4)
			continue;
		struct ap_if *f = &p->v[p->n];
		f->p = p;
		f->index = x->index;
		snprintf(f->name, sizeof f->name, "%s", x->name);
		ap_mac(x->name, f->mac);
		f->xid = (uint32_t)loop_clock_ms() ^ (uint32_t)getpid() << 16 ^ (uint32_t)x->index;
		loop_timer_init(&f->timer, ap_on_timer, f);
		int r = ap_open(f);
		if (r) {
			if (f->w.fd > 0)
				close(f->w.fd);
			autoprobe_stop(p);
			return r;
		}
		p->n++;
		bool own = ap_own_dhcp(x->index);
		cfg->set_addressing(cfg->arg, x->index, false);
		log_info("auto.probing iface=%s window_ms=%llu interval_ms=%llu own_address=%s",
			 f->name, (unsigned long long)cfg->timing.window_ms,
			 (unsigned long long)cfg->timing.interval_ms, own ? "dhcp" : "static");
		ap_act(f, auto_start(&f->st, &cfg->timing, loop_clock_ms(), own));
	}
	*out = p;
	return 0;
}

void autoprobe_stop(struct autoprobe *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		loop_timer_cancel(p->loop, &p->v[i].timer);
		loop_del(p->loop, &p->v[i].w);
		close(p->v[i].w.fd);
	}
	free(p);
}
