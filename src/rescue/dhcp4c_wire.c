/* dhcp4c_wire: build the client's requests, parse the server's replies
 * (RFC 2131 section 4.4, RFC 2132). Everything goes through core/buf. */
#include "rescue/dhcp4c_wire.h"

#include <errno.h>
#include <string.h>

#define BOOTP_FIXED 236
#define DHCP_MAGIC 0x63825363u
#define BOOTP_MIN 300

enum {
	OPT_PAD = 0,
	OPT_NETMASK = 1,
	OPT_ROUTER = 3,
	OPT_DNS = 6,
	OPT_HOSTNAME = 12,
	OPT_DOMAIN = 15,
	OPT_MTU = 26,
	OPT_REQ_IP = 50,
	OPT_LEASE = 51,
	OPT_OVERLOAD = 52,
	OPT_MSG_TYPE = 53,
	OPT_SERVER_ID = 54,
	OPT_PARAMS = 55,
	OPT_MAX_SIZE = 57,
	OPT_T1 = 58,
	OPT_T2 = 59,
	OPT_CLIENT_ID = 61,
	OPT_END = 255,
};

static bool zero4(const uint8_t a[4])
{
	return !(a[0] | a[1] | a[2] | a[3]);
}

static int put_opt(struct wbuf *w, uint8_t code, const void *v, size_t n)
{
	if (n > 255 || wbuf_room(w) < n + 2)
		return -ENOBUFS;
	wbuf_u8(w, code);
	wbuf_u8(w, (uint8_t)n);
	return wbuf_bytes(w, v, n);
}

static int put_header(struct wbuf *w, const struct dhcp4c_req *r)
{
	uint8_t chaddr[16] = {0};
	memcpy(chaddr, r->mac, 6);
	if (wbuf_room(w) < BOOTP_FIXED + 4)
		return -ENOBUFS;
	wbuf_u8(w, 1); /* BOOTREQUEST */
	wbuf_u8(w, 1); /* Ethernet */
	wbuf_u8(w, 6);
	wbuf_u8(w, 0);
	wbuf_be32(w, r->xid);
	wbuf_be16(w, r->secs);
	wbuf_be16(w, r->broadcast ? 0x8000 : 0);
	wbuf_bytes(w, r->ciaddr, 4);
	wbuf_zero(w, 12); /* yiaddr, siaddr, giaddr */
	wbuf_bytes(w, chaddr, sizeof chaddr);
	wbuf_zero(w, 64 + 128); /* sname, file */
	return wbuf_be32(w, DHCP_MAGIC);
}

int dhcp4c_build(struct wbuf *w, const struct dhcp4c_req *r)
{
	static const uint8_t params[] = {OPT_NETMASK, OPT_ROUTER, OPT_DNS, OPT_DOMAIN,
					 OPT_MTU,     OPT_LEASE,  OPT_T1,  OPT_T2};
	uint8_t cid[7] = {1};
	uint8_t maxsz[2] = {DHCP4C_PKT_MAX >> 8, DHCP4C_PKT_MAX & 0xff};
	if (r->type != DHCP4C_DISCOVER && r->type != DHCP4C_REQUEST && r->type != DHCP4C_RELEASE)
		return -EINVAL;
	memcpy(cid + 1, r->mac, 6);
	int e = put_header(w, r);
	e = e ? e : put_opt(w, OPT_MSG_TYPE, &r->type, 1);
	e = e ? e : put_opt(w, OPT_CLIENT_ID, cid, sizeof cid);
	if (!e && !zero4(r->req_ip))
		e = put_opt(w, OPT_REQ_IP, r->req_ip, 4);
	if (!e && !zero4(r->server_id))
		e = put_opt(w, OPT_SERVER_ID, r->server_id, 4);
	if (!e && r->type != DHCP4C_RELEASE) {
		e = put_opt(w, OPT_PARAMS, params, sizeof params);
		e = e ? e : put_opt(w, OPT_MAX_SIZE, maxsz, 2);
		if (!e && r->hostname && r->hostname[0])
			e = put_opt(w, OPT_HOSTNAME, r->hostname, strnlen(r->hostname, 63));
	}
	e = e ? e : wbuf_u8(w, OPT_END);
	if (!e && w->len < BOOTP_MIN)
		e = wbuf_zero(w, BOOTP_MIN - w->len);
	return e;
}

/* Characters a domain search name may hold; anything else drops it. */
static bool domain_ok(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
		if (!ok)
			return false;
	}
	return true;
}

static int be32_of(const uint8_t *v, size_t n, uint32_t *out)
{
	if (n != 4)
		return -EBADMSG;
	*out = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
	return 0;
}

static int ip_of(const uint8_t *v, size_t n, uint8_t out[4], size_t multiple)
{
	if (n < 4 || (multiple ? n % 4 : n != 4))
		return -EBADMSG;
	memcpy(out, v, 4);
	return 0;
}

/* Takes one option into r; -EBADMSG for a known option of a wrong length. */
static int take_opt(struct dhcp4c_reply *r, uint8_t code, const uint8_t *v, size_t n,
		    uint8_t *overload)
{
	switch (code) {
	case OPT_MSG_TYPE:
		if (n != 1)
			return -EBADMSG;
		r->type = v[0];
		return 0;
	case OPT_OVERLOAD:
		if (n != 1 || v[0] < 1 || v[0] > 3)
			return -EBADMSG;
		*overload = v[0];
		return 0;
	case OPT_SERVER_ID:
		return ip_of(v, n, r->server_id, 0);
	case OPT_NETMASK:
		r->has_netmask = true;
		return ip_of(v, n, r->netmask, 0);
	case OPT_ROUTER:
		r->has_router = true;
		return ip_of(v, n, r->router, 4);
	case OPT_DNS:
		if (n < 4 || n % 4)
			return -EBADMSG;
		for (size_t i = 0; i < n && r->n_dns < DHCP4C_MAX_DNS; i += 4)
			memcpy(r->dns[r->n_dns++], v + i, 4);
		return 0;
	case OPT_DOMAIN:
		r->domain[0] = 0;
		while (n && v[n - 1] == 0) /* some servers count a trailing NUL */
			n--;
		if (n && domain_ok(v, n)) {
			memcpy(r->domain, v, n);
			r->domain[n] = 0;
		}
		return 0;
	case OPT_MTU:
		if (n != 2)
			return -EBADMSG;
		r->mtu = (uint16_t)(v[0] << 8 | v[1]);
		if (r->mtu < 68) /* below RFC 2132 5.1's minimum: ignored */
			r->mtu = 0;
		return 0;
	case OPT_LEASE:
		return be32_of(v, n, &r->lease_s);
	case OPT_T1:
		return be32_of(v, n, &r->t1_s);
	case OPT_T2:
		return be32_of(v, n, &r->t2_s);
	default:
		return 0;
	}
}

/* Walks one option area; stops at END or its end. */
static int walk_opts(struct rbuf *rb, struct dhcp4c_reply *r, uint8_t *overload)
{
	while (rbuf_left(rb)) {
		uint8_t code, n;
		const uint8_t *v;
		if (rbuf_u8(rb, &code))
			return -EBADMSG;
		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			return 0;
		if (rbuf_u8(rb, &n) || rbuf_ptr(rb, n, &v))
			return -EBADMSG;
		int e = take_opt(r, code, v, n, overload);
		if (e)
			return e;
	}
	return 0;
}

int dhcp4c_parse(const void *pkt, size_t len, struct dhcp4c_reply *r)
{
	struct rbuf rb, file, sname;
	uint8_t op, htype, hlen, chaddr[16];
	uint32_t magic;
	uint8_t overload = 0, ignored = 0;
	memset(r, 0, sizeof *r);
	rbuf_init(&rb, pkt, len);
	rbuf_u8(&rb, &op);
	rbuf_u8(&rb, &htype);
	rbuf_u8(&rb, &hlen);
	rbuf_skip(&rb, 1);
	rbuf_be32(&rb, &r->xid);
	rbuf_skip(&rb, 4 + 4); /* secs, flags, ciaddr */
	rbuf_bytes(&rb, r->yiaddr, 4);
	rbuf_skip(&rb, 8); /* siaddr, giaddr */
	rbuf_bytes(&rb, chaddr, 16);
	rbuf_sub(&rb, 64, &sname);
	rbuf_sub(&rb, 128, &file);
	if (rbuf_be32(&rb, &magic) || rb.err)
		return -EBADMSG;
	if (op != 2 || htype != 1 || hlen != 6 || magic != DHCP_MAGIC)
		return -EBADMSG;
	memcpy(r->chaddr, chaddr, 6);
	if (walk_opts(&rb, r, &overload))
		return -EBADMSG;
	/* RFC 2132 9.3: file first, then sname; neither may overload again. */
	if ((overload & 1) && walk_opts(&file, r, &ignored))
		return -EBADMSG;
	if ((overload & 2) && walk_opts(&sname, r, &ignored))
		return -EBADMSG;
	if (r->type != DHCP4C_OFFER && r->type != DHCP4C_ACK && r->type != DHCP4C_NAK)
		return -EBADMSG;
	return 0;
}

int dhcp4c_mask_prefix(const uint8_t mask[4])
{
	uint32_t m =
	    (uint32_t)mask[0] << 24 | (uint32_t)mask[1] << 16 | (uint32_t)mask[2] << 8 | mask[3];
	int n = 0;
	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	uint32_t rest = n == 32 ? 0 : m << n;
	return rest ? -1 : n;
}
