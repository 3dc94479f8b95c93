/* dhcp4_server: the proxyDHCP answer (filters, boot choice, destination)
 * and the udp/67 and udp/4011 sockets; see dhcp4_server.h. */
#include "netboot/dhcp4_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "netboot/dhcp4_addr.h"
#include "netboot/dhcp4_wire.h"
#include "netboot/dhcp_dst.h"
#include "netboot/pxe.h"
#include "netboot/ratelimit.h"
#include "netboot/udp.h"

/* One interface's full DHCP state: the auto-mode switch and its pool. */
struct d4_net {
	int ifindex; /* 0 = unused slot */
	bool set, on;
};

struct dhcp4_server {
	struct dhcp4_server_config cfg;
	struct d4_net nets[IFACE_MAX];
	struct dhcp4_addr *addr; /* full DHCP's pools, lease file, probes; NULL: proxy only */
	/* our copy of cfg.full: a reload frees the options it came from (full
	 * DHCP's options change only on restart) */
	struct dhcp4_full_config full;
	char domain[256];
	struct loop *loop;
	struct loop_watch w67, w4011;
	struct ratelimit rl;
	struct log_budget lb;
	uint64_t received; /* packets read, both sockets */
};

static void fmt_mac(char *out, size_t cap, const uint8_t *m)
{
	snprintf(out, cap, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

#define D4_LOG(a, ...) snprintf((a)->log, sizeof(a)->log, __VA_ARGS__)

/* One packet on its way through dhcp4_answer(). */
struct d4 {
	const struct bootplan *plan;
	const struct iface *ifc;
	bool binl;
	const char *port, *fw;
	struct dhcp4_msg m; /* ~3.6 KiB; no allocation on the reply path */
	struct pxe_client c;
	char mac[24];
	struct boot_choice bc;
	struct pxe_reply rep;
	struct pxe_menu menu;
};

/* The client's IPv4 address as this packet tells it: ciaddr, the address
 * it asks the LAN's server for (option 50), or where a 4011 request came
 * from. Only for the client records (logs name transfers by MAC). */
static void d4_note(const struct d4 *q, const struct sockaddr_in *src, struct client_note *n)
{
	const struct dhcp4_msg *m = &q->m;
	uint8_t ip[4];
	memcpy(n->mac, m->chaddr, 6);
	n->valid = m->hlen == 6;
	bool from_src = q->binl && src->sin_addr.s_addr != INADDR_ANY &&
			src->sin_addr.s_addr != INADDR_BROADCAST;
	if (memcmp(m->ciaddr, "\0\0\0\0", 4))
		memcpy(ip, m->ciaddr, 4);
	else if (dhcp4_opt_ip(m, 50, ip) == 0)
		; /* ip holds option 50 */
	else if (from_src)
		memcpy(ip, &src->sin_addr, 4);
	else
		return;
	memcpy(n->ip4, ip, 4);
	n->has_ip4 = true;
}

/* The LAN's own server answering a client: the address it gets. */
static void d4_note_reply(const struct dhcp4_msg *m, struct client_note *n)
{
	if (m->op != DHCP4_BOOTREPLY || !m->has_magic || m->hlen != 6 ||
	    !memcmp(m->yiaddr, "\0\0\0\0", 4))
		return;
	memcpy(n->mac, m->chaddr, 6);
	memcpy(n->ip4, m->yiaddr, 4);
	n->has_ip4 = n->valid = n->known_only = true;
}

/* The client's firmware family, for the log. */
static void d4_set_fw(struct d4 *q)
{
	const struct pxe_client *c = &q->c;
	q->fw = c->ipxe					? "ipxe"
		: c->ai->fw == PXE_FW_UEFI		? "uefi"
		: c->uboot || c->ai->fw == PXE_FW_UBOOT ? "uboot"
		: c->ai->fw == PXE_FW_RPI		? "rpi"
							: "bios";
}

/* Parse and filters: a request from a netboot client on an interface with
 * IPv4. false: stay silent, *a says why. */
static bool d4_accept(struct d4 *q, const struct sockaddr_in *src, const void *pkt, size_t n,
		      struct dhcp4_answer *a)
{
	struct dhcp4_msg *m = &q->m;
	char srcs[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &src->sin_addr, srcs, sizeof srcs);
	if (dhcp4_parse(pkt, n, m) < 0) {
		D4_LOG(a, "dhcp.malformed from=%s port=%s len=%zu iface=%s", srcs, q->port, n,
		       q->ifc->name);
		return false;
	}
	fmt_mac(q->mac, sizeof q->mac, m->chaddr);
	d4_note_reply(m, &a->note);
	if (m->op != DHCP4_BOOTREQUEST || !m->has_magic) {
		a->log_quiet = true;
		D4_LOG(a, "dhcp.ignore mac=%s reason=\"not a DHCP request\"", q->mac);
		return false;
	}
	bool wanted = q->binl ? (m->msg_type == DHCP4_REQUEST || m->msg_type == DHCP4_INFORM)
			      : m->msg_type == DHCP4_DISCOVER;
	int r = pxe_classify(m, &q->c);
	if (r == 0) {
		d4_note(q, src, &a->note);
		snprintf(a->note.arch, sizeof a->note.arch, "%s", q->c.ai->key);
	}
	if (r == -ENOENT || !wanted) {
		a->log_quiet = true;
		D4_LOG(a, "dhcp.ignore mac=%s type=%s port=%s reason=\"%s\"", q->mac,
		       dhcp4_type_name(m->msg_type), q->port,
		       r == -ENOENT ? "not a netboot client" : "not a message a proxy answers");
		return false;
	}
	if (r < 0) {
		D4_LOG(a, "dhcp.malformed mac=%s reason=\"bad PXE options (93/97)\"", q->mac);
		return false;
	}
	if (!q->ifc->has_ip4) {
		/* an interface without IPv4 (a bridge port, a veth peer) sees
		 * every broadcast: not worth more than a debug line */
		a->log_quiet = true;
		D4_LOG(a,
		       "dhcp.ignore mac=%s iface=%s reason=\"no IPv4 address on this interface\"",
		       q->mac, q->ifc->name);
		return false;
	}
	d4_set_fw(q);
	return true;
}

/* A boot menu item the client chose on 4011 (43.71). false: silent. */
static bool d4_choose_item(struct d4 *q, uint16_t itype, uint16_t ilayer, struct dhcp4_answer *a)
{
	const struct bootplan_menu_item *it = bootplan_menu_by_type(q->plan, itype);
	int r = it ? bootplan_choose_item(q->plan, &q->c, it, q->ifc->ip4, &q->bc) : -ENOENT;
	if (!it)
		q->bc.why = "no --menu item has this boot server type";
	if (r < 0) {
		a->log_info = r == -EPERM;
		D4_LOG(a, "dhcp.noboot mac=%s arch=%u(%s) fw=%s item=0x%04x reason=\"%s\"", q->mac,
		       q->c.arch, q->c.ai->key, q->fw, itype, q->bc.why);
		return false;
	}
	q->rep.shape = PXE_SHAPE_ITEM;
	q->rep.item_type = itype;
	q->rep.item_layer = ilayer;
	return true;
}

/* What the client boots: a menu item, the menu, or the boot plan's file.
 * false: stay silent, *a says why. */
static bool d4_choose(struct d4 *q, struct dhcp4_answer *a)
{
	/* PXE menus (--menu): the offer carries the menu, the client picks an
	 * item and asks for it on 4011 with 43.71 (boot item type, layer). */
	const struct bootplan_menu_item *items[BOOTPLAN_MAX_MENU];
	uint16_t itype = 0, ilayer = 0;
	int ri = q->binl ? pxe_boot_item(&q->m, &itype, &ilayer) : -ENOENT;
	/* iPXE asks on 4011 after a proxy offer (ProxyDHCPREQUEST, no 43.71)
	 * and keeps only that ACK's options: it must carry the menu again */
	size_t nmenu = bootplan_menu_for(q->plan, &q->c, items, BOOTPLAN_MAX_MENU);
	if (ri == -EBADMSG) {
		D4_LOG(a, "dhcp.malformed mac=%s reason=\"bad boot item (option 43.71)\"", q->mac);
		return false;
	}
	if (ri == 0 && itype)
		return d4_choose_item(q, itype, ilayer, a);
	if (nmenu) {
		q->menu.n = nmenu;
		for (size_t i = 0; i < nmenu; i++) {
			q->menu.type[i] = items[i]->type;
			q->menu.label[i] = items[i]->label;
		}
		q->menu.prompt = bootplan_menu_prompt(q->plan);
		q->menu.timeout = bootplan_menu_timeout(q->plan);
		q->rep.shape = PXE_SHAPE_MENU;
		q->rep.menu = &q->menu;
		q->rep.file = NULL; /* 43.6 bit 3 clear: the client discovers on 4011 */
		snprintf(q->bc.file, sizeof q->bc.file, "menu:%zu-items", nmenu);
		return true;
	}
	int r = bootplan_choose(q->plan, &q->c, q->ifc->ip4, &q->bc);
	if (r < 0) {
		a->log_info = r == -EPERM;
		D4_LOG(a, "dhcp.noboot mac=%s arch=%u(%s) fw=%s%s reason=\"%s\"", q->mac, q->c.arch,
		       q->c.ai->key, q->fw, q->c.http ? " http=yes" : "", q->bc.why);
		return false;
	}
	if (!q->bc.file[0])
		q->rep.file = NULL; /* none: siaddr only (U-Boot's pxe get) */
	return true;
}

/* Where the reply goes. A 4011 requester has its address: back to it. A
 * relayed request: back to the relay agent's server port. Else broadcast
 * on the client's link. The first two must be plausible unicast addresses
 * (dhcp_dst.h): false, with a debug line, when they are not. */
static bool d4_dst(struct d4 *q, const struct sockaddr_in *src, struct dhcp4_answer *a)
{
	const char *why;
	enum dhcp_dst_kind kind = DHCP_DST_CLIENT;
	a->dst.sin_family = AF_INET;
	if (q->binl) {
		a->dst = *src;
	} else if (memcmp(q->m.giaddr, "\0\0\0\0", 4)) {
		memcpy(&a->dst.sin_addr, q->m.giaddr, 4);
		a->dst.sin_port = htons(67);
		kind = DHCP_DST_RELAY;
	} else {
		a->dst.sin_addr.s_addr = INADDR_BROADCAST;
		a->dst.sin_port = htons(68);
		a->broadcast = true;
		return true;
	}
	if (dhcp4_dst_check(&a->dst, kind, q->ifc, &why) == 0)
		return true;
	char dst[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a->dst.sin_addr, dst, sizeof dst);
	a->log_quiet = true;
	D4_LOG(a, "dhcp.drop mac=%s port=%s %s=%s reason=\"reply to %s\"", q->mac, q->port,
	       kind == DHCP_DST_RELAY ? "giaddr" : "dst", dst, why);
	return false;
}

void dhcp4_answer(const struct bootplan *plan, const struct iface *ifc, bool binl,
		  const struct sockaddr_in *src, const void *pkt, size_t n, uint8_t *out,
		  size_t cap, struct dhcp4_answer *a)
{
	struct d4 q = {.plan = plan, .ifc = ifc, .binl = binl, .port = binl ? "4011" : "67"};
	memset(a, 0, sizeof *a);
	if (!d4_accept(&q, src, pkt, n, a))
		return;
	q.rep = (struct pxe_reply){
	    .type = binl ? DHCP4_ACK : DHCP4_OFFER,
	    .shape = pxe_choose_shape(&q.c),
	    .file = q.bc.file,
	    .pxelinux_config = plan->pxelinux_config,
	    .pxelinux_prefix = plan->pxelinux_prefix,
	};
	if (!d4_choose(&q, a) || !d4_dst(&q, src, a))
		return;
	memcpy(q.rep.server_ip, ifc->ip4, 4);
	struct wbuf w;
	wbuf_init(&w, out, cap);
	if (pxe_build_reply(&w, &q.m, &q.c, &q.rep) < 0) {
		D4_LOG(a, "dhcp.error mac=%s reason=\"reply does not fit\"", q.mac);
		return;
	}
	a->len = w.len;
	memcpy(a->mac, q.c.mac, 6);
	a->note.stage = binl ? CLIENT_BINL : CLIENT_OFFER;
	D4_LOG(a, "dhcp.%s mac=%s arch=%u(%s) fw=%s%s shape=%s file=%s iface=%s",
	       binl ? "ack" : "offer", q.mac, q.c.arch, q.c.ai->key, q.fw,
	       q.c.http ? " http=yes" : "", pxe_shape_name(q.rep.shape),
	       q.bc.file[0] ? q.bc.file : "-", ifc->name);
}

static void dhcp4_log(struct dhcp4_server *s, const struct dhcp4_answer *a, bool limited,
		      uint64_t now)
{
	/* A dropped reply is counted in dhcp.ratelimited, not logged as sent. */
	if (a->log[0] && !limited && (!a->log_quiet || log_enabled(LOG_LVL_DEBUG)) &&
	    log_budget_take(&s->lb, now, "dhcp")) {
		if (a->log_quiet)
			log_debug("%s", a->log);
		else if (a->len || a->log_info)
			log_info("%s", a->log);
		else
			log_warn("%s", a->log);
	}
	if (limited && now - s->rl.last_report_ms >= 1000) {
		log_warn("dhcp.ratelimited dropped=%llu reason=\"reply rate limit "
			 "(per client or --dhcp-rate)\"",
			 (unsigned long long)s->rl.dropped);
		s->rl.dropped = 0;
		s->rl.last_report_ms = now;
	}
}

/* Leave through the interface the request came in on, from its address:
 * with several interfaces a broadcast would otherwise follow the routing
 * table. */
/* Leaves through the interface the request came in on, from its address:
 * with several interfaces a broadcast would otherwise follow the routing
 * table. */
static void dhcp4_send(int fd, const struct iface *ifc, const uint8_t *out,
		       const struct dhcp4_answer *a)
{
	struct sockaddr_storage from = {0};
	struct sockaddr_in *f4 = (struct sockaddr_in *)&from;
	f4->sin_family = AF_INET;
	memcpy(&f4->sin_addr, ifc->ip4, 4);
	int r = udp_send_from(fd, out, a->len, (const struct sockaddr *)&a->dst, sizeof a->dst,
			      &from, ifc->index);
	if (r < 0)
		log_warn("dhcp.send_failed iface=%s error=\"%s\"", ifc->name, strerror(-r));
}

/* Full DHCP: where a reply goes (RFC 2131 4.1): a NAK, and any reply to a
 * client without an address, by broadcast; a renewing or informing client
 * (ciaddr) by unicast when that address is plausible. (Relayed requests
 * get the proxy answer: see dhcp4_full_answer.) */
static void d4_full_dst(const struct d4 *q, const struct dhcp4_full_decision *d,
			struct dhcp4_answer *a)
{
	const char *why;
	a->dst.sin_family = AF_INET;
	a->dst.sin_port = htons(68);
	a->dst.sin_addr.s_addr = INADDR_BROADCAST;
	a->broadcast = true;
	if (d->kind == D4F_NAK || !memcmp(q->m.ciaddr, "\0\0\0\0", 4) || (q->m.flags & 0x8000))
		return;
	struct sockaddr_in u = {.sin_family = AF_INET, .sin_port = htons(68)};
	memcpy(&u.sin_addr, q->m.ciaddr, 4);
	if (dhcp4_dst_check(&u, DHCP_DST_CLIENT, q->ifc, &why) == 0) {
		a->dst = u;
		a->broadcast = false;
	}
}

/* A netboot client's OFFER/ACK: the proxy reply's boot information with
 * the address and its options. false: not a netboot client, or nothing to
 * boot (the caller sends a plain reply). */
static bool d4_full_pxe(struct d4 *q, const struct dhcp4_full_decision *d, const uint8_t *extra,
			size_t elen, struct wbuf *w)
{
	struct dhcp4_answer scratch;
	if ((d->kind != D4F_OFFER && d->kind != D4F_ACK) || pxe_classify(&q->m, &q->c) != 0)
		return false;
	d4_set_fw(q);
	q->rep = (struct pxe_reply){
	    .type = d->kind == D4F_OFFER ? DHCP4_OFFER : DHCP4_ACK,
	    .shape = pxe_choose_shape(&q->c),
	    .file = q->bc.file,
	    .pxelinux_config = q->plan->pxelinux_config,
	    .pxelinux_prefix = q->plan->pxelinux_prefix,
	    .yiaddr = d->ip,
	    .extra = extra,
	    .extra_len = elen,
	};
	memset(&scratch, 0, sizeof scratch);
	if (!d4_choose(q, &scratch))
		return false;
	memcpy(q->rep.server_ip, q->ifc->ip4, 4);
	size_t at = w->len;
	if (pxe_build_reply(w, &q->m, &q->c, &q->rep) == 0)
		return true;
	w->len = at; /* too big with the boot information: a plain reply */
	w->err = false;
	return false;
}

/* The log line of a full-DHCP decision. */
static void d4_full_log(const struct d4 *q, const struct dhcp4_full_decision *d, bool pxe,
			struct dhcp4_answer *a)
{
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, d->ip, ip, sizeof ip);
	D4_LOG(a, "dhcp.%s mac=%s ip=%s iface=%s%s%s%s%s%s", d->what, q->mac, ip, q->ifc->name,
	       pxe ? " boot=" : "", pxe ? (q->bc.file[0] ? q->bc.file : "-") : "",
	       d->hostname ? " hostname=" : "", d->hostname ? d->hostname : "",
	       d->why ? " reason=" : "");
	if (d->why) {
		size_t k = strlen(a->log);
		snprintf(a->log + k, sizeof a->log - k, "\"%s\"", d->why);
	}
	/* what changes nothing or is ordinary chatter: debug */
	a->log_quiet = d->kind == D4F_SILENT && strcmp(d->what, "release") &&
		       strcmp(d->what, "decline") && strcmp(d->what, "nooffer") && !d->why;
	a->log_info = d->kind == D4F_SILENT;
}

/* Full DHCP on udp/67: the address decision (dhcp4_full), then the reply
 * into out. a->len 0: nothing to send now (silent, or a probe started). */
static void dhcp4_full_answer(struct dhcp4_server *s, const struct iface *ifc,
			      const struct sockaddr_in *src, const uint8_t *in, size_t n,
			      uint8_t *out, size_t cap, struct dhcp4_answer *a, bool *hold)
{
	struct d4 q = {.plan = s->cfg.plan, .ifc = ifc, .port = "67"};
	struct dhcp4_full_net net;
	struct dhcp4_full_decision d;
	uint8_t extra[512];
	struct wbuf w, e;
	memset(a, 0, sizeof *a);
	if (dhcp4_parse(in, n, &q.m) < 0 || q.m.op != DHCP4_BOOTREQUEST || !q.m.has_magic ||
	    q.m.hlen != 6 || !q.m.msg_type || !ifc->has_ip4) {
		a->log_quiet = true;
		D4_LOG(a,
		       "dhcp.ignore len=%zu iface=%s reason=\"not a DHCP request we can answer\"",
		       n, ifc->name);
		return;
	}
	/* a relayed client is on another subnet than this interface's pool:
	 * it gets what proxy mode gives it */
	if (memcmp(q.m.giaddr, "\0\0\0\0", 4)) {
		dhcp4_answer(s->cfg.plan, ifc, false, src, in, n, out, cap, a);
		return;
	}
	fmt_mac(q.mac, sizeof q.mac, q.m.chaddr);
	dhcp4_addr_net(s->addr, ifc, &net);
	dhcp4_full_decide(&net, &q.m, dhcp4_addr_now(), &d);
	if (d.kind == D4F_PROBE) {
		if (dhcp4_addr_probe(s->addr, ifc, d.ip, q.m.chaddr, src, in, n) == -EBUSY)
			d = (struct dhcp4_full_decision){.what = "nooffer",
							 .why = "too many ARP probes running"};
		else
			return;
	}
	wbuf_init(&e, extra, sizeof extra);
	wbuf_init(&w, out, cap);
	bool pxe = false;
	if (d.kind != D4F_SILENT && d.kind != D4F_NAK && dhcp4_full_options(&e, &net, &d))
		d.kind = D4F_SILENT, d.why = "options do not fit";
	if (d.kind != D4F_SILENT) {
		pxe = d4_full_pxe(&q, &d, extra, e.len, &w);
		if (!pxe && dhcp4_full_build(&w, &q.m, &net, &d, extra, e.len))
			d.kind = D4F_SILENT, d.why = "reply does not fit";
	}
	d4_full_log(&q, &d, pxe, a);
	if (d.kind == D4F_SILENT)
		return;
	d4_full_dst(&q, &d, a);
	a->len = w.len;
	memcpy(a->mac, q.m.chaddr, 6);
	*hold = d.kind == D4F_ACK && d.pool;
	if (pxe) {
		memcpy(a->note.mac, q.m.chaddr, 6);
		a->note.valid = true;
		snprintf(a->note.arch, sizeof a->note.arch, "%s", q.c.ai->key);
		a->note.stage = CLIENT_OFFER;
		if (d.kind == D4F_ACK || d.kind == D4F_OFFER) {
			memcpy(a->note.ip4, d.ip, 4);
			a->note.has_ip4 = true;
		}
	}
}

/* What dhcp4_on_dgram needs besides the packet. */
struct dhcp4_rx {
	struct dhcp4_server *s;
	int fd;
	bool binl;
};

/* Answers one packet that arrived on interface index ifindex. */
static void dhcp4_handle(struct dhcp4_server *s, int fd, bool binl, int ifindex,
			 const struct sockaddr_in *src, const uint8_t *in, size_t n)
{
	uint8_t out[1024];
	bool rescanned, hold = false;
	const struct iface *ifc = iface_for_packet(s->cfg.ifs, ifindex, &rescanned);
	if (!ifc)
		return; /* not an interface we serve */
	struct dhcp4_answer a;
	if (!binl && s->addr && dhcp4_server_addressing(s, ifc->index))
		dhcp4_full_answer(s, ifc, src, in, n, out, sizeof out, &a, &hold);
	else
		dhcp4_answer(s->cfg.plan, ifc, binl, src, in, n, out, sizeof out, &a);
	uint64_t now = loop_clock_ms();
	bool limited = a.len && !ratelimit_allow(&s->rl, a.mac, now);
	dhcp4_log(s, &a, limited, now);
	if (limited)
		a.note.stage = CLIENT_SEEN; /* not answered after all */
	if (a.note.valid && s->cfg.on_client)
		s->cfg.on_client(s->cfg.on_client_arg, &a.note);
	if (a.len && !limited && hold)
		dhcp4_addr_hold(s->addr, fd, ifc, out, a.len, &a.dst);
	else if (a.len && !limited)
		dhcp4_send(fd, ifc, out, &a);
}

/* Answers one packet (udp_recv's callback). */
static void dhcp4_on_dgram(void *arg, const uint8_t *in, size_t n, const struct udp_meta *m)
{
	struct dhcp4_rx *rx = arg;
	rx->s->received++;
	if (!m->ifindex || m->peer.ss_family != AF_INET)
		return;
	dhcp4_handle(rx->s, rx->fd, rx->binl, m->ifindex, (const struct sockaddr_in *)&m->peer, in,
		     n);
}

/* A DISCOVER whose ARP probe ended (dhcp4_addr's redo). */
static void dhcp4_redo(void *arg, int ifindex, const struct sockaddr_in *src, const uint8_t *pkt,
		       size_t n)
{
	struct dhcp4_server *s = arg;
	dhcp4_handle(s, s->w67.fd, false, ifindex, src, pkt, n);
}

/* At most DHCP4_BATCH packets per call, see there. */
static void dhcp4_on_packet(struct dhcp4_server *s, int fd, bool binl)
{
	struct dhcp4_rx rx = {.s = s, .fd = fd, .binl = binl};
	udp_recv(fd, DHCP4_BATCH, dhcp4_on_dgram, &rx);
	/* the batch's leases on disk, then their ACKs */
	if (s->addr)
		dhcp4_addr_flush(s->addr);
}

static void dhcp4_on_67(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	(void)l, (void)ev;
	dhcp4_on_packet(w->arg, w->fd, false);
}

static void dhcp4_on_4011(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	(void)l, (void)ev;
	dhcp4_on_packet(w->arg, w->fd, true);
}

static int dhcp4_open(uint16_t port)
{
	int one = 1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) ||
	    udp_want_pktinfo(fd, AF_INET) || bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int dhcp4_server_start(struct dhcp4_server **out, struct loop *l,
		       const struct dhcp4_server_config *cfg, uint16_t *which)
{
	struct dhcp4_server *s = calloc(1, sizeof *s);
	int r;
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	if (!cfg->lease_name)
		s->cfg.lease_dirfd = -1;
	if (cfg->full) {
		s->full = *cfg->full;
		snprintf(s->domain, sizeof s->domain, "%s",
			 cfg->full->domain ? cfg->full->domain : "");
		s->full.domain = s->domain;
		s->full.lease_file = NULL; /* opened by the caller: lease_dirfd, lease_name */
		s->cfg.full = &s->full;
	}
	s->loop = l;
	ratelimit_init(&s->rl, cfg->client_rate, 8, cfg->rate, cfg->rate ? cfg->rate / 10 + 1 : 0);
	s->w67.fd = s->w4011.fd = -1;
	*which = cfg->port;
	if ((r = dhcp4_open(cfg->port)) < 0)
		goto fail;
	s->w67 = (struct loop_watch){.fd = r, .cb = dhcp4_on_67, .arg = s};
	*which = cfg->binl_port;
	if ((r = dhcp4_open(cfg->binl_port)) < 0)
		goto fail;
	s->w4011 = (struct loop_watch){.fd = r, .cb = dhcp4_on_4011, .arg = s};
	if ((r = loop_add(l, &s->w67, EPOLLIN)) || (r = loop_add(l, &s->w4011, EPOLLIN)))
		goto fail;
	if (cfg->full && cfg->full->mode != DHCP4_MODE_PROXY) {
		struct dhcp4_addr_config ac = {
		    .full = &s->full,
		    .lease_dirfd = s->cfg.lease_dirfd,
		    .lease_name = cfg->lease_name,
		    .redo = dhcp4_redo,
		    .arg = s,
		};
		s->cfg.lease_dirfd = -1; /* dhcp4_addr owns it now */
		*which = 0;
		if ((r = dhcp4_addr_start(&s->addr, l, &ac)))
			goto fail;
	}
	*out = s;
	return 0;
fail:
	dhcp4_server_stop(s);
	return r;
}

void dhcp4_server_stop(struct dhcp4_server *s)
{
	if (!s)
		return;
	if (s->w67.fd >= 0)
		close(s->w67.fd); /* close() also removes it from epoll */
	if (s->w4011.fd >= 0)
		close(s->w4011.fd);
	dhcp4_addr_stop(s->addr);
	if (s->cfg.lease_dirfd >= 0)
		close(s->cfg.lease_dirfd);
	free(s);
}

void dhcp4_server_set_plan(struct dhcp4_server *s, const struct bootplan *plan)
{
	s->cfg.plan = plan;
}

uint64_t dhcp4_server_received(const struct dhcp4_server *s)
{
	return s->received;
}

uint64_t dhcp4_server_ratelimited(const struct dhcp4_server *s)
{
	return s->rl.dropped_total;
}

/* ifindex's slot, created when create is set; NULL when the table is full. */
static struct d4_net *d4_net_for(struct dhcp4_server *s, int ifindex, bool create)
{
	struct d4_net *free_slot = NULL;
	for (size_t i = 0; i < IFACE_MAX; i++) {
		if (s->nets[i].ifindex == ifindex)
			return &s->nets[i];
		if (!s->nets[i].ifindex && !free_slot)
			free_slot = &s->nets[i];
	}
	if (!create || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof *free_slot);
	free_slot->ifindex = ifindex;
	return free_slot;
}

void dhcp4_server_set_addressing(struct dhcp4_server *s, int ifindex, bool on)
{
	struct d4_net *n = d4_net_for(s, ifindex, true);
	if (!n)
		return;
	if (n->set && n->on != on)
		log_info("dhcp.addressing iface_index=%d state=%s", ifindex, on ? "on" : "off");
	n->set = true;
	n->on = on;
}

bool dhcp4_server_addressing(const struct dhcp4_server *s, int ifindex)
{
	if (!s->addr)
		return false; /* started in proxy mode: no pools, no lease file */
	for (size_t i = 0; i < IFACE_MAX; i++)
		if (s->nets[i].ifindex == ifindex && s->nets[i].set)
			return s->nets[i].on;
	return s->cfg.full->mode == DHCP4_MODE_DHCP;
}
