/* ra_wire: RS/RA build and parse (RFC 4861), see ra_wire.h. */
#include "netboot/ra_wire.h"

#include <errno.h>
#include <string.h>

int ra_build(struct wbuf *w, const struct ra_params *p)
{
	size_t need = 16 + (p->has_mac ? 8 : 0) + (p->mtu ? 8 : 0) + (p->has_prefix ? 32 : 0);
	if (wbuf_room(w) < need)
		return -ENOBUFS;
	wbuf_u8(w, RA_TYPE_RA);
	wbuf_u8(w, 0);	 /* code */
	wbuf_be16(w, 0); /* checksum: the kernel's */
	wbuf_u8(w, 64);	 /* cur hop limit advertised to hosts */
	wbuf_u8(w, p->flags & (RA_FLAG_M | RA_FLAG_O));
	wbuf_be16(w, p->router_lifetime);
	wbuf_be32(w, 0); /* reachable time: unspecified */
	wbuf_be32(w, 0); /* retrans timer: unspecified */
	if (p->has_mac) {
		wbuf_u8(w, RA_OPT_SLLA);
		wbuf_u8(w, 1);
		wbuf_bytes(w, p->mac, 6);
	}
	if (p->mtu) {
		wbuf_u8(w, RA_OPT_MTU);
		wbuf_u8(w, 1);
		wbuf_be16(w, 0);
		wbuf_be32(w, p->mtu);
	}
	if (p->has_prefix) {
		wbuf_u8(w, RA_OPT_PREFIX);
		wbuf_u8(w, 4);
		wbuf_u8(w, 64);
		wbuf_u8(w, RA_PREFIX_L); /* on-link; addresses come from DHCPv6 */
		wbuf_be32(w, p->prefix_valid);
		wbuf_be32(w, p->prefix_pref);
		wbuf_be32(w, 0);
		wbuf_bytes(w, p->prefix, 8);
		wbuf_zero(w, 8);
	}
	return 0;
}

int ra_build_rs(struct wbuf *w, const uint8_t *mac)
{
	if (wbuf_room(w) < 8u + (mac ? 8 : 0))
		return -ENOBUFS;
	wbuf_u8(w, RA_TYPE_RS);
	wbuf_u8(w, 0);
	wbuf_be16(w, 0);
	wbuf_be32(w, 0);
	if (mac) {
		wbuf_u8(w, RA_OPT_SLLA);
		wbuf_u8(w, 1);
		wbuf_bytes(w, mac, 6);
	}
	return 0;
}

/* One option body o (its type byte t, 8 * len - 2 bytes) into m. */
static int ra_option(uint8_t t, struct rbuf *o, struct ra_msg *m)
{
	if (t == RA_OPT_SLLA && !m->has_slla && rbuf_left(o) >= 6) {
		m->has_slla = true;
		return rbuf_bytes(o, m->slla, 6);
	}
	if (m->type != RA_TYPE_RA)
		return 0;
	if (t == RA_OPT_MTU) {
		uint16_t res;
		if (rbuf_left(o) != 6 || rbuf_be16(o, &res) || rbuf_be32(o, &m->mtu))
			return -EBADMSG;
		return 0;
	}
	if (t == RA_OPT_PREFIX) {
		struct ra_prefix x;
		uint32_t res;
		if (rbuf_left(o) != 30 || rbuf_u8(o, &x.len) || rbuf_u8(o, &x.flags) ||
		    rbuf_be32(o, &x.valid) || rbuf_be32(o, &x.pref) || rbuf_be32(o, &res) ||
		    rbuf_bytes(o, x.prefix, 16) || x.len > 128)
			return -EBADMSG;
		if (m->n_prefixes < RA_MAX_PREFIXES)
			m->prefixes[m->n_prefixes++] = x;
	}
	return 0;
}

int ra_parse(const void *p, size_t n, struct ra_msg *m)
{
	struct rbuf r;
	uint8_t type, code;
	uint16_t csum, lifetime;
	memset(m, 0, sizeof *m);
	rbuf_init(&r, p, n);
	if (rbuf_u8(&r, &type))
		return -EBADMSG;
	if (type != RA_TYPE_RS && type != RA_TYPE_RA)
		return -ENOENT;
	m->type = type;
	if (rbuf_u8(&r, &code) || rbuf_be16(&r, &csum) || code != 0)
		return -EBADMSG;
	if (type == RA_TYPE_RS) {
		if (rbuf_skip(&r, 4))
			return -EBADMSG;
	} else if (rbuf_u8(&r, &m->hop_limit) || rbuf_u8(&r, &m->flags) ||
		   rbuf_be16(&r, &lifetime) || rbuf_be32(&r, &m->reachable) ||
		   rbuf_be32(&r, &m->retrans)) {
		return -EBADMSG;
	} else {
		m->router_lifetime = lifetime;
	}
	while (rbuf_left(&r)) {
		uint8_t t, len;
		struct rbuf o;
		/* RFC 4861 4.6: a length of 0 is invalid, drop the packet */
		if (rbuf_u8(&r, &t) || rbuf_u8(&r, &len) || len == 0 ||
		    rbuf_sub(&r, (size_t)len * 8 - 2, &o))
			return -EBADMSG;
		if (ra_option(t, &o, m))
			return -EBADMSG;
	}
	return 0;
}
