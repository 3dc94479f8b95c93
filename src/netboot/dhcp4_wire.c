/* dhcp4_wire: BOOTP/DHCPv4 parse (RFC 3396 long options, overload) and
 * build, every byte through core/buf. */
#include "netboot/dhcp4_wire.h"

#include <errno.h>
#include <string.h>

/* Walks one option area, appending each option's value to m->optbuf.
 * A repeated code is concatenated with its earlier value (RFC 3396) when
 * the earlier value ends exactly where the buffer ends; else ignored.
 * Stops at END; PAD is skipped. Returns 0 or -EBADMSG. */
static int dhcp4_parse_area(struct rbuf *r, struct dhcp4_msg *m, uint8_t *overload)
{
	while (rbuf_left(r)) {
		uint8_t code, len;
		const uint8_t *v;
		if (rbuf_u8(r, &code))
			return -EBADMSG;
		if (code == DHCP4_OPT_PAD)
			continue;
		if (code == DHCP4_OPT_END)
			return 0;
		if (rbuf_u8(r, &len) || rbuf_ptr(r, len, &v))
			return -EBADMSG;
		if ((size_t)m->optbuf_len + len > sizeof m->optbuf)
			return -EBADMSG;
		struct dhcp4_optval *o = &m->opt[code];
		if (o->present) {
			if ((size_t)o->off + o->len != m->optbuf_len)
				continue; /* not contiguous: keep the first instance */
		} else {
			o->present = true;
			o->off = m->optbuf_len;
			o->len = 0;
		}
		memcpy(m->optbuf + m->optbuf_len, v, len);
		m->optbuf_len = (uint16_t)(m->optbuf_len + len);
		o->len = (uint16_t)(o->len + len);
		if (code == DHCP4_OPT_OVERLOAD && overload) {
			if (len != 1 || v[0] < 1 || v[0] > 3)
				return -EBADMSG;
			*overload = v[0];
		}
	}
	/* Running out without END is common in the wild; accept it. */
	return 0;
}

int dhcp4_parse(const void *pkt, size_t len, struct dhcp4_msg *m)
{
	struct rbuf r;
	uint32_t magic;
	memset(m, 0, offsetof(struct dhcp4_msg, optbuf));
	m->optbuf_len = 0;
	rbuf_init(&r, pkt, len);
	rbuf_u8(&r, &m->op);
	rbuf_u8(&r, &m->htype);
	rbuf_u8(&r, &m->hlen);
	rbuf_u8(&r, &m->hops);
	rbuf_be32(&r, &m->xid);
	rbuf_be16(&r, &m->secs);
	rbuf_be16(&r, &m->flags);
	rbuf_bytes(&r, m->ciaddr, 4);
	rbuf_bytes(&r, m->yiaddr, 4);
	rbuf_bytes(&r, m->siaddr, 4);
	rbuf_bytes(&r, m->giaddr, 4);
	rbuf_bytes(&r, m->chaddr, 16);
	rbuf_bytes(&r, m->sname, 64);
	rbuf_bytes(&r, m->file, 128);
	if (r.err)
		return -EBADMSG;
	if (m->op != DHCP4_BOOTREQUEST && m->op != DHCP4_BOOTREPLY)
		return -EBADMSG;
	if (m->hlen > 16)
		return -EBADMSG;
	if (rbuf_left(&r) < 4)
		return 0; /* plain BOOTP */
	if (rbuf_be32(&r, &magic) || magic != DHCP4_MAGIC)
		return 0; /* BOOTP with vendor-specific area we do not read */
	m->has_magic = true;

	uint8_t overload = 0;
	if (dhcp4_parse_area(&r, m, &overload))
		return -EBADMSG;
	if (overload & 1) {
		struct rbuf f;
		rbuf_init(&f, m->file, sizeof m->file);
		if (dhcp4_parse_area(&f, m, NULL))
			return -EBADMSG;
		memset(m->file, 0, sizeof m->file);
	}
	if (overload & 2) {
		struct rbuf s;
		rbuf_init(&s, m->sname, sizeof m->sname);
		if (dhcp4_parse_area(&s, m, NULL))
			return -EBADMSG;
		memset(m->sname, 0, sizeof m->sname);
	}
	if (m->opt[DHCP4_OPT_MSG_TYPE].present) {
		if (dhcp4_opt_u8(m, DHCP4_OPT_MSG_TYPE, &m->msg_type) ||
		    m->msg_type < DHCP4_DISCOVER || m->msg_type > DHCP4_INFORM)
			return -EBADMSG;
	}
	return 0;
}

const uint8_t *dhcp4_opt(const struct dhcp4_msg *m, uint8_t code, size_t *len)
{
	const struct dhcp4_optval *o = &m->opt[code];
	if (!o->present) {
		*len = 0;
		return NULL;
	}
	*len = o->len;
	return m->optbuf + o->off;
}

static int dhcp4_opt_exact(const struct dhcp4_msg *m, uint8_t code, size_t want, const uint8_t **v)
{
	size_t len;
	*v = dhcp4_opt(m, code, &len);
	if (!*v)
		return -ENOENT;
	return len == want ? 0 : -EBADMSG;
}

int dhcp4_opt_u8(const struct dhcp4_msg *m, uint8_t code, uint8_t *v)
{
	const uint8_t *p;
	int r = dhcp4_opt_exact(m, code, 1, &p);
	if (!r)
		*v = p[0];
	return r;
}

int dhcp4_opt_be16(const struct dhcp4_msg *m, uint8_t code, uint16_t *v)
{
	size_t len;
	const uint8_t *p = dhcp4_opt(m, code, &len);
	/* Option 93 may list several architectures: the first is the one in use. */
	if (!p)
		return -ENOENT;
	if (len < 2 || len % 2)
		return -EBADMSG;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return 0;
}

int dhcp4_opt_ip(const struct dhcp4_msg *m, uint8_t code, uint8_t ip[4])
{
	const uint8_t *p;
	int r = dhcp4_opt_exact(m, code, 4, &p);
	if (!r)
		memcpy(ip, p, 4);
	return r;
}

static int dhcp4_build_fixed_str(struct wbuf *w, const char *s, size_t field)
{
	size_t n = s ? strlen(s) : 0;
	if (n >= field)
		return -ENOBUFS;
	if (wbuf_bytes(w, s, n))
		return -ENOBUFS;
	return wbuf_zero(w, field - n);
}

int dhcp4_build_header(struct wbuf *w, const struct dhcp4_hdr *h)
{
	wbuf_u8(w, h->op);
	wbuf_u8(w, 1); /* Ethernet */
	wbuf_u8(w, h->hlen);
	wbuf_u8(w, 0);
	wbuf_be32(w, h->xid);
	wbuf_be16(w, h->secs);
	wbuf_be16(w, h->flags);
	wbuf_bytes(w, h->ciaddr, 4);
	wbuf_bytes(w, h->yiaddr, 4);
	wbuf_bytes(w, h->siaddr, 4);
	wbuf_bytes(w, h->giaddr, 4);
	wbuf_bytes(w, h->chaddr, 16);
	if (dhcp4_build_fixed_str(w, h->sname, 64) || dhcp4_build_fixed_str(w, h->file, 128))
		return -ENOBUFS;
	wbuf_be32(w, DHCP4_MAGIC);
	return w->err ? -ENOBUFS : 0;
}

int dhcp4_build_opt(struct wbuf *w, uint8_t code, const void *data, size_t len)
{
	const uint8_t *p = data;
	/* Room check first so a refused option writes nothing. */
	size_t chunks = len ? (len + 254) / 255 : 1;
	if (w->err || wbuf_room(w) < len + 2 * chunks)
		return -ENOBUFS;
	do {
		size_t n = len > 255 ? 255 : len;
		wbuf_u8(w, code);
		wbuf_u8(w, (uint8_t)n);
		wbuf_bytes(w, p, n);
		p += n;
		len -= n;
	} while (len);
	return 0;
}

int dhcp4_build_opt_u8(struct wbuf *w, uint8_t code, uint8_t v)
{
	return dhcp4_build_opt(w, code, &v, 1);
}

int dhcp4_build_end(struct wbuf *w)
{
	if (wbuf_u8(w, DHCP4_OPT_END))
		return -ENOBUFS;
	if (w->len < DHCP4_MIN_REPLY)
		return wbuf_zero(w, DHCP4_MIN_REPLY - w->len);
	return 0;
}

const char *dhcp4_type_name(uint8_t t)
{
	static const char *const names[] = {"none", "DISCOVER", "OFFER",   "REQUEST", "DECLINE",
					    "ACK",  "NAK",	"RELEASE", "INFORM"};
	return t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}
