/* automode: proxy or full DHCP per interface (serve --mode auto), see
 * automode.h. */
#include "netboot/automode.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"
#include "netboot/dhcp4_wire.h"

const struct auto_timing auto_timing_default = {
    .window_ms = 10000,
    .retry_ms = 1000,
    .interval_ms = 30000,
};

enum auto_action auto_start(struct auto_if *a, const struct auto_timing *t, uint64_t now,
			    bool own_dhcp)
{
	memset(a, 0, sizeof *a);
	a->t = *t;
	a->own_dhcp = own_dhcp;
	a->state = AUTO_PROBING;
	a->window_end = now + t->window_ms;
	a->deadline = now + (t->retry_ms < t->window_ms ? t->retry_ms : t->window_ms);
	a->probes = 1;
	return AUTO_SEND_DISCOVER;
}

uint64_t auto_deadline(const struct auto_if *a)
{
	return a->state == AUTO_PROXY ? UINT64_MAX : a->deadline;
}

enum auto_action auto_due(struct auto_if *a, uint64_t now)
{
	if (a->state == AUTO_PROXY || now < a->deadline)
		return AUTO_NONE;
	if (a->state == AUTO_PROBING && now >= a->window_end) {
		if (a->own_dhcp) {
			a->state = AUTO_PROXY;
			a->reason = AUTO_R_OWN_DHCP;
			return AUTO_GO_PROXY;
		}
		a->state = AUTO_FULL;
		a->reason = AUTO_R_SILENT;
		a->deadline = now + (a->t.interval_ms ? a->t.interval_ms : 1);
		return AUTO_GO_FULL;
	}
	uint64_t next = a->state == AUTO_PROBING ? a->t.retry_ms : a->t.interval_ms;
	a->deadline = now + (next ? next : 1);
	if (a->state == AUTO_PROBING && a->deadline > a->window_end)
		a->deadline = a->window_end;
	a->probes++;
	return AUTO_SEND_DISCOVER;
}

enum auto_action auto_offer(struct auto_if *a, const uint8_t server[4])
{
	if (a->state == AUTO_PROXY)
		return AUTO_NONE;
	a->state = AUTO_PROXY;
	a->reason = AUTO_R_OFFER;
	memcpy(a->server, server, 4);
	return AUTO_GO_PROXY;
}

const char *auto_state_name(enum auto_state s)
{
	return s == AUTO_FULL ? "dhcp" : s == AUTO_PROXY ? "proxy" : "probing";
}

const char *auto_reason_text(enum auto_reason r)
{
	switch (r) {
	case AUTO_R_SILENT:
		return "no DHCP server answered the probes";
	case AUTO_R_OFFER:
		return "another DHCP server offers addresses";
	case AUTO_R_OWN_DHCP:
		return "this interface's own address came from DHCP";
	case AUTO_R_NONE:
		break;
	}
	return "-";
}

int auto_reply_other(const void *p, size_t n, const uint8_t src[4], const uint8_t *ours,
		     size_t n_ours, uint8_t server[4])
{
	static const uint8_t zero[4];
	struct dhcp4_msg m;
	if (dhcp4_parse(p, n, &m) < 0)
		return -EBADMSG;
	if (m.op != 2 || (m.msg_type != DHCP4_OFFER && m.msg_type != DHCP4_ACK) ||
	    !memcmp(m.yiaddr, zero, 4))
		return 0; /* not a server's answer, or a proxy's (no address) */
	if (dhcp4_opt_ip(&m, 54, server) < 0)
		memcpy(server, src, 4);
	for (size_t i = 0; i < n_ours; i++)
		if (!memcmp(server, ours + 4 * i, 4) || !memcmp(src, ours + 4 * i, 4))
			return 0;
	return 1;
}

/* Netlink in host byte order, through core/buf's bounds checks. */
static int nl_u16(struct rbuf *r, uint16_t *v)
{
	return rbuf_bytes(r, v, sizeof *v);
}

static int nl_u32(struct rbuf *r, uint32_t *v)
{
	return rbuf_bytes(r, v, sizeof *v);
}

#define NL_DONE 3
#define NL_ERROR 2
#define NL_NEWADDR 20
#define NL_IFA_CACHEINFO 6
#define NL_IFA_FLAGS 8
#define NL_IFA_F_PERMANENT 0x80
#define NL_ALIGN(x) (((x) + 3u) & ~3u)

/* The body of one RTM_NEWADDR (struct ifaddrmsg, then attributes). */
static int nl_addr(struct rbuf *b, int ifindex, bool *dynamic)
{
	uint8_t family, plen, flags8, scope;
	uint32_t index, flags;
	if (rbuf_u8(b, &family) || rbuf_u8(b, &plen) || rbuf_u8(b, &flags8) || rbuf_u8(b, &scope) ||
	    nl_u32(b, &index))
		return -EBADMSG;
	flags = flags8;
	uint32_t valid = UINT32_MAX;
	while (rbuf_left(b) >= 4) {
		uint16_t len, type;
		struct rbuf a;
		if (nl_u16(b, &len) || nl_u16(b, &type) || len < 4 || rbuf_sub(b, len - 4u, &a))
			return -EBADMSG;
		rbuf_skip(b,
			  NL_ALIGN(len) - len < rbuf_left(b) ? NL_ALIGN(len) - len : rbuf_left(b));
		if ((type & 0x3fff) == NL_IFA_FLAGS && nl_u32(&a, &flags))
			return -EBADMSG;
		if ((type & 0x3fff) == NL_IFA_CACHEINFO &&
		    (rbuf_skip(&a, 4) || nl_u32(&a, &valid))) /* ifa_prefered, ifa_valid */
			return -EBADMSG;
	}
	if (family == 2 /* AF_INET */ && (int)index == ifindex &&
	    (!(flags & NL_IFA_F_PERMANENT) || valid != UINT32_MAX))
		*dynamic = true;
	return 0;
}

int auto_nl_dynamic(const void *p, size_t n, int ifindex, bool *dynamic, bool *done)
{
	struct rbuf r;
	rbuf_init(&r, p, n);
	while (rbuf_left(&r)) {
		uint32_t len, seq, pid;
		uint16_t type, flags;
		struct rbuf body;
		if (nl_u32(&r, &len) || nl_u16(&r, &type) || nl_u16(&r, &flags) ||
		    nl_u32(&r, &seq) || nl_u32(&r, &pid) || len < 16 ||
		    rbuf_sub(&r, len - 16, &body))
			return -EBADMSG;
		rbuf_skip(&r, NL_ALIGN(len) - len < rbuf_left(&r) ? NL_ALIGN(len) - len
								  : rbuf_left(&r));
		if (type == NL_DONE) {
			*done = true;
			return 0;
		}
		if (type == NL_ERROR)
			return -EIO;
		if (type == NL_NEWADDR && nl_addr(&body, ifindex, dynamic))
			return -EBADMSG;
	}
	return 0;
}
