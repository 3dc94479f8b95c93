/* dhcp4_server: proxyDHCP on udp/67 and udp/4011: dhcp4_answer() turns one
 * request into a reply (pxe, bootplan); the rest owns sockets, rate limits. */
#include "netboot/dhcp4_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "netboot/dhcp4_wire.h"
#include "netboot/pxe.h"
#include "netboot/ratelimit.h"

struct dhcp4_server {
	struct dhcp4_server_config cfg;
	struct loop *loop;
	struct loop_watch w67, w4011;
	struct ratelimit rl;
	struct log_budget lb;
};

static void fmt_mac(char *out, size_t cap, const uint8_t *m)
{
	snprintf(out, cap, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

void dhcp4_answer(const struct bootplan *plan, const struct iface *ifc, bool binl,
		  const struct sockaddr_in *src, const void *pkt, size_t n, uint8_t *out,
		  size_t cap, struct dhcp4_answer *a)
{
	struct dhcp4_msg msg; /* ~3.6 KiB; no allocation on the reply path */
	struct dhcp4_msg *m = &msg;
	struct pxe_client c;
	char mac[24], srcs[INET_ADDRSTRLEN];
	const char *port = binl ? "4011" : "67";
	memset(a, 0, sizeof *a);
	inet_ntop(AF_INET, &src->sin_addr, srcs, sizeof srcs);
	if (dhcp4_parse(pkt, n, m) < 0) {
		snprintf(a->log, sizeof a->log, "dhcp.malformed from=%s port=%s len=%zu iface=%s",
			 srcs, port, n, ifc->name);
		goto out;
	}
	fmt_mac(mac, sizeof mac, m->chaddr);
	if (m->op != DHCP4_BOOTREQUEST || !m->has_magic) {
		a->log_quiet = true;
		snprintf(a->log, sizeof a->log, "dhcp.ignore mac=%s reason=\"not a DHCP request\"",
			 mac);
		goto out;
	}
	bool wanted = binl ? (m->msg_type == DHCP4_REQUEST || m->msg_type == DHCP4_INFORM)
			   : m->msg_type == DHCP4_DISCOVER;
	int r = pxe_classify(m, &c);
	if (r == -ENOENT || !wanted) {
		a->log_quiet = true;
		snprintf(a->log, sizeof a->log, "dhcp.ignore mac=%s type=%s port=%s reason=\"%s\"",
			 mac, dhcp4_type_name(m->msg_type), port,
			 r == -ENOENT ? "not a netboot client" : "not a message a proxy answers");
		goto out;
	}
	if (r < 0) {
		snprintf(a->log, sizeof a->log,
			 "dhcp.malformed mac=%s reason=\"bad PXE options (93/97)\"", mac);
		goto out;
	}
	if (!ifc->has_ip4) {
		/* an interface without IPv4 (a bridge port, a veth peer) sees
		 * every broadcast: not worth more than a debug line */
		a->log_quiet = true;
		snprintf(a->log, sizeof a->log,
			 "dhcp.ignore mac=%s iface=%s reason=\"no IPv4 address on this interface\"",
			 mac, ifc->name);
		goto out;
	}

	struct boot_choice bc;
	const char *fw = c.ipxe				       ? "ipxe"
			 : c.ai->fw == PXE_FW_UEFI	       ? "uefi"
			 : c.uboot || c.ai->fw == PXE_FW_UBOOT ? "uboot"
			 : c.ai->fw == PXE_FW_RPI	       ? "rpi"
							       : "bios";
	struct pxe_reply rep = {
	    .type = binl ? DHCP4_ACK : DHCP4_OFFER,
	    .shape = pxe_choose_shape(&c),
	    .file = bc.file, /* filled in below */
	    .pxelinux_config = plan->pxelinux_config,
	    .pxelinux_prefix = plan->pxelinux_prefix,
	};
	/* PXE menus (--menu): the offer carries the menu, the client picks an
	 * item and asks for it on 4011 with 43.71 (boot item type, layer). */
	const struct bootplan_menu_item *items[BOOTPLAN_MAX_MENU];
	struct pxe_menu menu = {0};
	uint16_t itype = 0, ilayer = 0;
	int ri = binl ? pxe_boot_item(m, &itype, &ilayer) : -ENOENT;
	/* iPXE asks on 4011 after a proxy offer (ProxyDHCPREQUEST, no 43.71)
	 * and keeps only that ACK's options: it must carry the menu again */
	size_t nmenu = bootplan_menu_for(plan, &c, items, BOOTPLAN_MAX_MENU);
	if (ri == -EBADMSG) {
		snprintf(a->log, sizeof a->log,
			 "dhcp.malformed mac=%s reason=\"bad boot item (option 43.71)\"", mac);
		goto out;
	}
	if (ri == 0 && itype) {
		const struct bootplan_menu_item *it = bootplan_menu_by_type(plan, itype);
		r = it ? bootplan_choose_item(plan, &c, it, ifc->ip4, &bc) : -ENOENT;
		if (!it)
			bc.why = "no --menu item has this boot server type";
		if (r < 0) {
			a->log_info = r == -EPERM;
			snprintf(a->log, sizeof a->log,
				 "dhcp.noboot mac=%s arch=%u(%s) fw=%s item=0x%04x reason=\"%s\"",
				 mac, c.arch, c.ai->key, fw, itype, bc.why);
			goto out;
		}
		rep.shape = PXE_SHAPE_ITEM;
		rep.item_type = itype;
		rep.item_layer = ilayer;
	} else if (nmenu) {
		menu.n = nmenu;
		for (size_t i = 0; i < nmenu; i++) {
			menu.type[i] = items[i]->type;
			menu.label[i] = items[i]->label;
		}
		menu.prompt = bootplan_menu_prompt(plan);
		menu.timeout = bootplan_menu_timeout(plan);
		rep.shape = PXE_SHAPE_MENU;
		rep.menu = &menu;
		rep.file = NULL; /* 43.6 bit 3 clear: the client discovers on 4011 */
		snprintf(bc.file, sizeof bc.file, "menu:%zu-items", nmenu);
	} else {
		r = bootplan_choose(plan, &c, ifc->ip4, &bc);
		if (r < 0) {
			a->log_info = r == -EPERM;
			snprintf(a->log, sizeof a->log,
				 "dhcp.noboot mac=%s arch=%u(%s) fw=%s%s reason=\"%s\"", mac,
				 c.arch, c.ai->key, fw, c.http ? " http=yes" : "", bc.why);
			goto out;
		}
		if (!bc.file[0])
			rep.file = NULL; /* none: siaddr only (U-Boot's pxe get) */
	}
	memcpy(rep.server_ip, ifc->ip4, 4);
	struct wbuf w;
	wbuf_init(&w, out, cap);
	if (pxe_build_reply(&w, m, &c, &rep) < 0) {
		snprintf(a->log, sizeof a->log, "dhcp.error mac=%s reason=\"reply does not fit\"",
			 mac);
		goto out;
	}
	a->len = w.len;
	memcpy(a->mac, c.mac, 6);
	a->dst.sin_family = AF_INET;
	if (binl) {
		/* The client has its address: answer where it asked from. */
		a->dst = *src;
		if (a->dst.sin_addr.s_addr == INADDR_ANY) {
			a->dst.sin_addr.s_addr = INADDR_BROADCAST;
			a->broadcast = true;
		}
	} else if (memcmp(m->giaddr, "\0\0\0\0", 4)) {
		/* relayed: back to the relay agent's server port */
		memcpy(&a->dst.sin_addr, m->giaddr, 4);
		a->dst.sin_port = htons(67);
	} else {
		a->dst.sin_addr.s_addr = INADDR_BROADCAST;
		a->dst.sin_port = htons(68);
		a->broadcast = true;
	}
	snprintf(a->log, sizeof a->log,
		 "dhcp.%s mac=%s arch=%u(%s) fw=%s%s shape=%s file=%s iface=%s",
		 binl ? "ack" : "offer", mac, c.arch, c.ai->key, fw, c.http ? " http=yes" : "",
		 pxe_shape_name(rep.shape), bc.file[0] ? bc.file : "-", ifc->name);
out:
	return;
}

static void dhcp4_on_packet(struct dhcp4_server *s, int fd, bool binl)
{
	uint8_t in[1500], out[1024];
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} cbuf;
	for (int burst = 0; burst < 64; burst++) {
		struct sockaddr_in src;
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
		struct in_pktinfo *pi = NULL;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
				pi = (struct in_pktinfo *)(void *)CMSG_DATA(c);
		if (!pi)
			continue;
		const struct iface *ifc = iface_by_index(s->cfg.ifs, pi->ipi_ifindex);
		if (!ifc && s->cfg.ifs->n_want == 0) {
			/* a new interface or address since start-up */
			const char *missing;
			iface_scan(s->cfg.ifs, &missing);
			ifc = iface_by_index(s->cfg.ifs, pi->ipi_ifindex);
		}
		if (!ifc)
			continue; /* not an interface we serve */
		struct dhcp4_answer a;
		dhcp4_answer(s->cfg.plan, ifc, binl, &src, in, (size_t)n, out, sizeof out, &a);
		uint64_t now = loop_clock_ms();
		bool limited = a.len && !ratelimit_allow(&s->rl, a.mac, now);
		/* A dropped reply is counted in dhcp.ratelimited, not logged as sent. */
		if (a.log[0] && !limited && (!a.log_quiet || log_enabled(LOG_LVL_DEBUG)) &&
		    log_budget_take(&s->lb, now, "dhcp")) {
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
				log_warn("dhcp.ratelimited dropped=%llu reason=\"reply rate limit "
					 "(per client or --dhcp-rate)\"",
					 (unsigned long long)s->rl.dropped);
				s->rl.dropped = 0;
				s->rl.last_report_ms = now;
			}
			continue;
		}
		/* Leave through the interface the request came in on, from its
		 * address: with several interfaces a broadcast would otherwise
		 * follow the routing table. */
		union {
			struct cmsghdr h;
			uint8_t b[CMSG_SPACE(sizeof(struct in_pktinfo))];
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
		oc->cmsg_level = IPPROTO_IP;
		oc->cmsg_type = IP_PKTINFO;
		oc->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
		struct in_pktinfo opi = {.ipi_ifindex = ifc->index};
		memcpy(&opi.ipi_spec_dst, ifc->ip4, 4);
		memcpy(CMSG_DATA(oc), &opi, sizeof opi);
		if (sendmsg(fd, &om, MSG_DONTWAIT) < 0)
			log_warn("dhcp.send_failed iface=%s error=\"%s\"", ifc->name,
				 strerror(errno));
	}
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
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
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
	free(s);
}

void dhcp4_server_set_plan(struct dhcp4_server *s, const struct bootplan *plan)
{
	s->cfg.plan = plan;
}
