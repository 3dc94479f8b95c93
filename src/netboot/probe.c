/* probe: `lifeboat probe`: options, the interface, the packet socket that
 * plays every client kind, one collection window, then the fetches, the
 * verdicts and the report. The decisions are in probe_report/probe_explain. */
#include "netboot/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/opts.h"
#include "core/sys.h"
#include "netboot/dhcp4_wire.h"
#include "netboot/dhcp6_wire.h"
#include "netboot/iface.h"
#include "netboot/probe_explain.h"
#include "netboot/probe_fetch.h"
#include "netboot/probe_print.h"
#include "roles.h"

#define P(m) OPTS_AT(struct probe_opts, m)
#define G_PROBE "Options"

static const struct opts_row probe_rows[] = {
    {"interface", 'i', OPTS_STRING, "IFACE", P(iface),
     .help = "the LAN interface (default: the only up interface with an IPv4 address)",
     .group = G_PROBE},
    {"as", 0, OPTS_STRING, "KINDS", P(as), .def = "all",
     .help = "client kinds to play: bios,efi64,efi-http,ipxe,arm64,rpi,uboot or all",
     .group = G_PROBE},
    {"ipv6", '6', OPTS_FLAG, P(v6), .value = 1,
     .help = "also send a DHCPv6 Solicit as each kind with an IPv6 stack", .group = G_PROBE},
    {"json", 0, OPTS_FLAG, P(json), .value = 1, .help = "print one JSON object, not the table",
     .group = G_PROBE},
    {"mac", 0, OPTS_STRING, "MAC", P(mac_str),
     .help = "client MAC in the requests (default: the interface's)", .group = G_PROBE},
    {"timeout", 0, OPTS_UINT, "MS", P(timeout_ms), .min = 200, .max = 30000, .def = "4500",
     .help = "longest wait for DHCP answers (it ends sooner once every kind has an address offer "
	     "and 1 s passed quietly)",
     .group = G_PROBE},
    {"help", 'h', OPTS_FLAG, .flags = OPTS_STOP, .help = "this text", .group = G_PROBE},
};

#undef P

static void probe_epilog(FILE *f)
{
	fprintf(
	    f, "\nExit status: 0 when every asked client kind would boot, 1 when one would "
	       "not,\n2 when the probe could not run. It never requests a lease (doc/probe.md).\n");
}

static const struct opts_cmd probe_cmd = {
    .name = "probe",
    .about = "usage: lifeboat probe [-i IFACE] [--as KINDS|all] [-6] [--json] [--mac MAC] "
	     "[--timeout MS]\n"
	     "Plays each netboot client kind on the LAN, collects every DHCP answer, fetches the\n"
	     "offered boot files and says what would boot, and why not.\n",
    .epilog = probe_epilog,
    .rows = probe_rows,
    .n_rows = sizeof probe_rows / sizeof probe_rows[0],
    .size = sizeof(struct probe_opts),
};

const struct opts_cmd *probe_options(void)
{
	return &probe_cmd;
}

static uint64_t now_ms(void)
{
	return sys_clock_ms(CLOCK_MONOTONIC);
}

/* The one run's sockets and state. */
struct collect {
	const struct probe_opts *o;
	struct probe_report *r;
	int ifindex;
	int pk, binl, v6;
	uint32_t base;
	uint64_t t0, deadline, last_new, last_binl;
	struct {
		enum probe_kind kind;
		uint8_t to[4];
	} binl_to[PROBE_NKINDS * 4];
	size_t n_binl;
};

/* Kernel ABI of classic BPF (linux/filter.h): musl-gcc has no kernel
 * headers, as in seccomp.c. */
struct pk_insn {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};
struct pk_prog {
	unsigned short len;
	struct pk_insn *filter;
};
#define PK_LDB_ABS 0x30 /* BPF_LD | BPF_B | BPF_ABS */
#define PK_LDH_ABS 0x28 /* BPF_LD | BPF_H | BPF_ABS */
#define PK_LDH_IND 0x48 /* BPF_LD | BPF_H | BPF_IND */
#define PK_LDX_MSH 0xb1 /* BPF_LDX | BPF_B | BPF_MSH */
#define PK_JEQ 0x15	/* BPF_JMP | BPF_JEQ | BPF_K */
#define PK_JSET 0x45	/* BPF_JMP | BPF_JSET | BPF_K */
#define PK_RET 0x06	/* BPF_RET | BPF_K */

/* A classic BPF program on the IP header: unfragmented UDP to port 68. */
static int pk_filter(int fd)
{
	static struct pk_insn code[] = {
	    {PK_LDB_ABS, 0, 0, 9},   {PK_JEQ, 0, 6, 17},     {PK_LDH_ABS, 0, 0, 6},
	    {PK_JSET, 4, 0, 0x1fff}, {PK_LDX_MSH, 0, 0, 0},  {PK_LDH_IND, 0, 0, 2},
	    {PK_JEQ, 0, 1, 68},	     {PK_RET, 0, 0, 0xffff}, {PK_RET, 0, 0, 0},
	};
	struct pk_prog prog = {sizeof code / sizeof code[0], code};
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

static int open_packet(struct collect *c)
{
	struct sockaddr_ll sll = {
	    .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_ifindex = c->ifindex};
	c->pk = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->pk < 0)
		return -errno;
	if (pk_filter(c->pk) || bind(c->pk, (struct sockaddr *)&sll, sizeof sll))
		return -errno;
	return 0;
}

/* A UDP socket on the interface, bound to addr:port (v4) or [::]:port. */
static int open_udp(int family, const char *ifname, const uint8_t *addr, uint16_t port)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), on = 1;
	struct sockaddr_storage ss = {0};
	socklen_t len;
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)))
		goto fail;
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;
		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		memcpy(&s->sin_addr, addr, 4);
		len = sizeof *s;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		len = sizeof *s6;
	}
	if (!bind(fd, (struct sockaddr *)&ss, len))
		return fd;
fail:
	on = -errno;
	close(fd);
	return on;
}

static void send_discovers(struct collect *c, unsigned mask)
{
	static const uint8_t any[4] = {0, 0, 0, 0}, bcast[4] = {255, 255, 255, 255};
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(ETH_P_IP),
				 .sll_ifindex = c->ifindex,
				 .sll_halen = 6};
	memset(to.sll_addr, 0xff, 6);
	for (int k = 0; k < PROBE_NKINDS; k++) {
		uint8_t d[600], frame[700];
		struct wbuf w, f;
		if (!(mask & (1u << k)))
			continue;
		wbuf_init(&w, d, sizeof d);
		wbuf_init(&f, frame, sizeof frame);
		if (probe_build_discover(&w, (enum probe_kind)k,
					 probe_xid(c->base, (enum probe_kind)k), c->o->mac) ||
		    probe_build_udp4(&f, any, 68, bcast, 67, d, w.len))
			continue;
		if (sendto(c->pk, frame, f.len, 0, (struct sockaddr *)&to, sizeof to) < 0)
			fprintf(stderr, "probe: sending the %s DISCOVER: %s\n",
				probe_kind_info((enum probe_kind)k)->name, strerror(errno));
	}
}

static void send_solicits(struct collect *c)
{
	struct sockaddr_in6 to = {.sin6_family = AF_INET6,
				  .sin6_port = htons(DHCP6_SERVER_PORT),
				  .sin6_scope_id = (uint32_t)c->ifindex};
	inet_pton(AF_INET6, "ff02::1:2", &to.sin6_addr);
	for (int k = 0; c->v6 >= 0 && k < PROBE_NKINDS; k++) {
		uint8_t d[400];
		struct wbuf w;
		if (!(c->r->asked & (1u << k)) || !probe_kind_info((enum probe_kind)k)->v6)
			continue;
		wbuf_init(&w, d, sizeof d);
		if (probe_build_solicit(&w, (enum probe_kind)k,
					probe_xid(c->base, (enum probe_kind)k), c->o->mac))
			continue;
		if (sendto(c->v6, d, w.len, 0, (struct sockaddr *)&to, sizeof to) < 0)
			fprintf(stderr, "probe: sending a DHCPv6 Solicit: %s\n", strerror(errno));
	}
}

/* Sends the udp/4011 request answer a asks for, once per kind and server. */
static void maybe_binl(struct collect *c, const struct probe_answer *a)
{
	uint16_t item;
	uint8_t to[4], d[600];
	struct wbuf w;
	if (c->binl < 0 || !probe_wants_binl(a, &item))
		return;
	if (memcmp(a->siaddr, "\0\0\0\0", 4))
		memcpy(to, a->siaddr, 4);
	else
		memcpy(to, a->has_server_id ? a->server_id : a->src, 4);
	for (size_t i = 0; i < c->n_binl; i++)
		if (c->binl_to[i].kind == a->kind && !memcmp(c->binl_to[i].to, to, 4))
			return;
	if (c->n_binl == sizeof c->binl_to / sizeof c->binl_to[0])
		return;
	c->binl_to[c->n_binl].kind = a->kind;
	memcpy(c->binl_to[c->n_binl++].to, to, 4);
	wbuf_init(&w, d, sizeof d);
	if (probe_build_binl(&w, a->kind, probe_xid(c->base, a->kind), c->o->mac, c->r->ip, item))
		return;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(4011)};
	memcpy(&sin.sin_addr, to, 4);
	if (sendto(c->binl, d, w.len, 0, (struct sockaddr *)&sin, sizeof sin) < 0)
		return;
	c->r->binl_sent[a->kind] = true;
	c->last_binl = now_ms();
	/* EDK2 waits a few seconds for the 4011 answer; we give it 1.5 s,
	 * but the whole window grows by at most 0.5 s */
	uint64_t until = now_ms() + 1500, cap = c->t0 + c->o->timeout_ms + 500;
	if (until > cap)
		until = cap;
	if (until > c->deadline)
		c->deadline = until;
}

static void add_answer(struct collect *c, int r, struct probe_answer *a)
{
	if (r == -EBADMSG)
		c->r->dropped++;
	if (r)
		return;
	size_t before = c->r->n_ans;
	a->ms = (unsigned)(now_ms() - c->t0);
	if (probe_report_add(c->r, a) >= 0 && !a->binl)
		maybe_binl(c, a);
	if (c->r->n_ans > before)
		c->last_new = now_ms();
}

static void read_packet(struct collect *c)
{
	uint8_t buf[2048];
	for (int i = 0; i < 64; i++) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof from;
		struct probe_answer a;
		const uint8_t *pl;
		size_t pl_len;
		uint8_t src[4];
		uint16_t sport;
		ssize_t n = recvfrom(c->pk, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		if (from.sll_pkttype == PACKET_OUTGOING ||
		    probe_parse_udp4(buf, (size_t)n, 68, &pl, &pl_len, src, &sport))
			continue;
		int r = probe_parse_v4(pl, pl_len, c->base, c->o->mac, src, &a);
		if (!r && from.sll_halen == 6) {
			memcpy(a.mac, from.sll_addr, 6);
			a.has_mac = true;
		}
		add_answer(c, r, &a);
	}
}

static void read_udp(struct collect *c, int fd, bool v6)
{
	uint8_t buf[2048];
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof from;
		struct probe_answer a;
		int r;
		ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		if (v6 && from.ss_family == AF_INET6) {
			r = probe_parse_v6(buf, (size_t)n, c->base,
					   ((struct sockaddr_in6 *)&from)->sin6_addr.s6_addr, &a);
		} else if (!v6 && from.ss_family == AF_INET) {
			r = probe_parse_v4(buf, (size_t)n, c->base, c->o->mac,
					   (uint8_t *)&((struct sockaddr_in *)&from)->sin_addr, &a);
			a.binl = true;
			a.has_addr = false; /* yiaddr echoes our own ciaddr */
		} else {
			continue;
		}
		add_answer(c, r, &a);
	}
}

/* Kinds no server has answered yet. */
static unsigned unanswered(const struct probe_report *r)
{
	unsigned m = r->asked;
	for (size_t i = 0; i < r->n_ans; i++)
		if (!r->ans[i].v6)
			m &= ~(1u << r->ans[i].kind);
	return m;
}

/* Whether waiting longer is unlikely to bring anything: 2 s passed, every
 * asked kind has an address offer (dnsmasq's first offer to a new MAC
 * comes only after its 3 s ping check), every 4011 request an answer or
 * 1.5 s of silence, and nothing new came for 1 s. */
static bool collect_settled(const struct collect *c, uint64_t now)
{
	unsigned addr = 0, binl = 0, asked_binl = 0;
	if (now < c->t0 + 2000 || now < c->last_new + 1000)
		return false;
	for (size_t i = 0; i < c->r->n_ans; i++) {
		const struct probe_answer *a = &c->r->ans[i];
		if (!a->v6 && a->has_addr)
			addr |= 1u << a->kind;
		if (a->binl)
			binl |= 1u << a->kind;
	}
	for (int k = 0; k < PROBE_NKINDS; k++)
		if (c->r->binl_sent[k])
			asked_binl |= 1u << k;
	return (addr & c->r->asked) == c->r->asked &&
	       ((binl & asked_binl) == asked_binl || now >= c->last_binl + 1500);
}

/* One window: every DISCOVER at once, a resend at 1 s for kinds nobody
 * answered (firmware resends too), answers and 4011 requests as they come. */
static void collect_run(struct collect *c)
{
	bool resent = false;
	c->t0 = c->last_new = now_ms();
	c->deadline = c->t0 + c->o->timeout_ms;
	send_discovers(c, c->r->asked);
	send_solicits(c);
	for (;;) {
		uint64_t now = now_ms();
		struct pollfd p[3] = {{c->pk, POLLIN, 0}, {c->binl, POLLIN, 0}, {c->v6, POLLIN, 0}};
		if (now >= c->deadline || collect_settled(c, now))
			break;
		if (!resent && now >= c->t0 + 1000) {
			send_discovers(c, unanswered(c->r));
			resent = true;
		}
		uint64_t wake = resent ? c->deadline : c->t0 + 1000;
		if (wake > now + 250)
			wake = now + 250; /* to notice a settled window */
		if (poll(p, 3, (int)(wake - now)) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			read_packet(c);
		if (p[1].revents)
			read_udp(c, c->binl, false);
		if (p[2].revents)
			read_udp(c, c->v6, true);
	}
}

/* The interface's MAC; warns when it has no carrier (frames go nowhere). */
static int iface_mac(const char *name, uint8_t mac[6])
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		r = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr) && !(ifr.ifr_flags & IFF_RUNNING))
		fprintf(stderr, "probe: %s is down or has no carrier: nothing will answer\n", name);
	close(fd);
	return r;
}

/* The interface: -i, else the only up one with IPv4. */
static int pick_iface(const struct probe_opts *o, struct iface *out)
{
	struct iface_set *s = calloc(1, sizeof *s);
	const char *missing = NULL, *want[1] = {o->iface};
	size_t found = 0;
	int r;
	if (!s)
		return -ENOMEM;
	s->want = o->iface ? want : NULL;
	s->n_want = o->iface ? 1 : 0;
	r = iface_scan(s, &missing);
	if (r == -ENODEV)
		fprintf(stderr, "probe: no interface %s\n", missing ? missing : o->iface);
	for (size_t i = 0; !r && i < s->n; i++)
		if (o->iface ? !strcmp(s->v[i].name, o->iface) : s->v[i].has_ip4)
			if (found++ == 0)
				*out = s->v[i];
	if (!r && found != 1) {
		fprintf(stderr, "probe: %s; name one with -i\n",
			found ? "several interfaces have IPv4" : "no interface found");
		r = -ENODEV;
	}
	free(s);
	return r;
}

static void collect_close(struct collect *c)
{
	if (c->pk >= 0)
		close(c->pk);
	if (c->binl >= 0)
		close(c->binl);
	if (c->v6 >= 0)
		close(c->v6);
}

static int collect_open(struct collect *c, const struct iface *ifc)
{
	int r = open_packet(c);
	if (r) {
		fprintf(stderr, "probe: packet socket on %s: %s (needs root or CAP_NET_RAW)\n",
			ifc->name, strerror(-r));
		return r;
	}
	if (ifc->has_ip4 && (c->binl = open_udp(AF_INET, ifc->name, ifc->ip4, 0)) < 0)
		fprintf(stderr, "probe: udp/4011 requests off: %s\n", strerror(-c->binl));
	if (c->o->v6 && (c->v6 = open_udp(AF_INET6, ifc->name, NULL, DHCP6_CLIENT_PORT)) < 0 &&
	    (c->v6 = open_udp(AF_INET6, ifc->name, NULL, 0)) < 0)
		fprintf(stderr, "probe: DHCPv6 off: %s\n", strerror(-c->v6));
	return 0;
}

int probe_run(const struct probe_opts *o, struct probe_report *r)
{
	struct collect c = {.o = o, .r = r, .pk = -1, .binl = -1, .v6 = -1};
	struct iface ifc;
	int err = pick_iface(o, &ifc);
	uint64_t t0 = now_ms();
	if (err)
		return err;
	probe_report_init(r, o->kinds, o->v6);
	snprintf(r->ifname, sizeof r->ifname, "%s", ifc.name);
	r->has_ip = ifc.has_ip4;
	memcpy(r->ip, ifc.ip4, 4);
	memcpy(r->mac, o->mac, 6);
	c.ifindex = ifc.index;
	if (getrandom(&c.base, sizeof c.base, 0) != sizeof c.base)
		c.base = (uint32_t)t0 * 2654435761u;
	err = collect_open(&c, &ifc);
	if (!err) {
		collect_run(&c);
		r->window_ms = (unsigned)(now_ms() - c.t0);
		probe_report_plan(r);
		/* 1.5 s for the fetches, less when the window ran long: the
		 * whole probe stays under 6 s (but gets at least 0.5 s) */
		uint64_t spent = now_ms() - t0;
		unsigned budget = spent + 1500 <= 5500	? 1500
				  : spent + 500 >= 5500 ? 500
							: (unsigned)(5500 - spent);
		probe_fetch_all(r, ifc.index, ifc.mtu ? ifc.mtu : 1500, budget);
	}
	collect_close(&c);
	r->duration_ms = (unsigned)(now_ms() - t0);
	return err;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

/* The command line into o: 0 to go on, else the exit status + 1. */
static int probe_args(struct probe_opts *o, int argc, char **argv)
{
	char bad[64];
	int first, r;
	memset(o, 0, sizeof *o);
	if (opts_defaults(&probe_cmd, o))
		return 3;
	r = opts_parse(&probe_cmd, argc, argv, o, &first, stderr);
	if (r == 1) {
		opts_help(&probe_cmd, stdout);
		return 1;
	}
	if (r || first < argc) {
		if (!r)
			fprintf(stderr, "probe: unexpected argument '%s'\n", argv[first]);
		return 3;
	}
	if (probe_kinds_parse(o->as, &o->kinds, bad, sizeof bad)) {
		fprintf(stderr, "probe: --as: unknown client kind '%s'\n", bad);
		return 3;
	}
	if (o->mac_str && parse_mac(o->mac_str, o->mac)) {
		fprintf(stderr, "probe: --mac: '%s' is not a MAC (aa:bb:cc:dd:ee:ff)\n",
			o->mac_str);
		return 3;
	}
	o->has_mac = o->mac_str != NULL;
	return 0;
}

int probe_main(int argc, char **argv)
{
	struct probe_opts o;
	struct probe_finding fs[32];
	struct iface ifc;
	int rc = probe_args(&o, argc, argv);
	if (rc)
		return rc - 1;
	if (!o.has_mac) {
		if (pick_iface(&o, &ifc))
			return 2;
		if (iface_mac(ifc.name, o.mac)) {
			fprintf(stderr, "probe: %s has no MAC address; give one with --mac\n",
				ifc.name);
			return 2;
		}
	}
	struct probe_report *r = malloc(sizeof *r);
	if (!r || probe_run(&o, r)) {
		free(r);
		return 2;
	}
	bool ok = probe_report_finish(r);
	size_t n = probe_explain(r, fs, sizeof fs / sizeof fs[0]);
	if (n > sizeof fs / sizeof fs[0])
		n = sizeof fs / sizeof fs[0];
	if (o.json)
		probe_print_json(stdout, r, fs, n, ok);
	else
		probe_print_text(stdout, r, fs, n, ok);
	free(r);
	return ok ? 0 : 1;
}
