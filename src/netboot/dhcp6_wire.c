/* dhcp6_wire: DHCPv6 parse and option builders (RFC 8415, RFC 5970),
 * every byte through core/buf. */
#include "netboot/dhcp6_wire.h"

#include <errno.h>
#include <string.h>

static int bytes_of(struct rbuf *r, uint16_t len, struct dhcp6_bytes *b)
{
	const uint8_t *p;
	if (rbuf_ptr(r, len, &p))
		return -EBADMSG;
	if (!b->present) { /* the first instance wins */
		b->p = p;
		b->len = len;
		b->present = true;
	}
	return 0;
}

/* IA_NA body: IAID, T1, T2, then options (IAADDR, status). */
static int parse_ia_na(struct rbuf *r, struct dhcp6_msg *m)
{
	uint32_t iaid, t1, t2;
	if (rbuf_be32(r, &iaid) || rbuf_be32(r, &t1) || rbuf_be32(r, &t2))
		return -EBADMSG;
	bool first = !m->has_ia_na;
	if (first) {
		m->has_ia_na = true;
		m->iaid = iaid, m->t1 = t1, m->t2 = t2;
	}
	while (rbuf_left(r)) {
		uint16_t code, len;
		struct rbuf o;
		if (rbuf_be16(r, &code) || rbuf_be16(r, &len) || rbuf_sub(r, len, &o))
			return -EBADMSG;
		if (code == DHCP6_OPT_IAADDR) {
			uint8_t a[16];
			uint32_t pref, valid;
			if (rbuf_bytes(&o, a, 16) || rbuf_be32(&o, &pref) || rbuf_be32(&o, &valid))
				return -EBADMSG;
			if (first && !m->has_iaaddr) {
				memcpy(m->ia_addr, a, 16);
				m->ia_pref = pref, m->ia_valid = valid;
				m->has_iaaddr = true;
			}
		}
	}
	return 0;
}

/* Option 15: user-class-data items (16-bit length + bytes), at least one;
 * the first is kept. */
static int parse_user_class(struct rbuf *o, uint16_t len, struct dhcp6_msg *m)
{
	bool first = true;
	uint16_t v;
	if (len < 2)
		return -EBADMSG;
	while (rbuf_left(o)) {
		struct dhcp6_bytes b = {0};
		if (rbuf_be16(o, &v) || bytes_of(o, v, &b))
			return -EBADMSG;
		if (first && !m->uclass.present)
			m->uclass = b;
		first = false;
	}
	return 0;
}

/* Option 16: enterprise number, then items; the first option's first item
 * is kept. */
static int parse_vendor_class(struct rbuf *o, uint16_t len, struct dhcp6_msg *m)
{
	uint32_t ent;
	uint16_t v;
	bool first = true;
	if (len < 4 || rbuf_be32(o, &ent))
		return -EBADMSG;
	bool take = !m->has_vendor_class;
	if (take) {
		m->has_vendor_class = true;
		m->enterprise = ent;
	}
	while (rbuf_left(o)) {
		struct dhcp6_bytes b = {0};
		if (rbuf_be16(o, &v) || bytes_of(o, v, &b))
			return -EBADMSG;
		if (take && first)
			m->vclass = b;
		first = false;
	}
	return 0;
}

static int parse_opt(uint16_t code, struct rbuf *o, uint16_t len, struct dhcp6_msg *m)
{
	uint16_t v;
	switch (code) {
	case DHCP6_OPT_CLIENTID:
	case DHCP6_OPT_SERVERID:
		if (len < 2 || len > DHCP6_DUID_MAX)
			return -EBADMSG;
		return bytes_of(o, len, code == DHCP6_OPT_CLIENTID ? &m->clientid : &m->serverid);
	case DHCP6_OPT_IA_NA:
		return parse_ia_na(o, m);
	case DHCP6_OPT_ORO:
		if (len % 2)
			return -EBADMSG;
		while (rbuf_left(o)) {
			if (rbuf_be16(o, &v))
				return -EBADMSG;
			if (m->n_oro < DHCP6_MAX_ORO)
				m->oro[m->n_oro++] = v;
		}
		return 0;
	case DHCP6_OPT_ELAPSED_TIME:
		if (len != 2 || rbuf_be16(o, &m->elapsed))
			return -EBADMSG;
		m->has_elapsed = true;
		return 0;
	case DHCP6_OPT_PREFERENCE:
		if (len != 1 || rbuf_u8(o, &m->preference))
			return -EBADMSG;
		m->has_preference = true;
		return 0;
	case DHCP6_OPT_RAPID_COMMIT:
		if (len != 0)
			return -EBADMSG;
		m->rapid_commit = true;
		return 0;
	case DHCP6_OPT_STATUS_CODE:
		if (len < 2 || rbuf_be16(o, &v))
			return -EBADMSG;
		if (!m->has_status)
			m->status = v;
		m->has_status = true;
		return 0;
	case DHCP6_OPT_USER_CLASS:
		return parse_user_class(o, len, m);
	case DHCP6_OPT_VENDOR_CLASS:
		return parse_vendor_class(o, len, m);
	case DHCP6_OPT_CLIENT_ARCH:
		if (len == 0 || len % 2)
			return -EBADMSG;
		while (rbuf_left(o)) {
			if (rbuf_be16(o, &v))
				return -EBADMSG;
			if (m->n_arch < DHCP6_MAX_ARCH)
				m->arch[m->n_arch++] = v;
		}
		return 0;
	case DHCP6_OPT_NII:
		if (len != 3 || rbuf_bytes(o, m->nii, 3))
			return -EBADMSG;
		m->has_nii = true;
		return 0;
	case DHCP6_OPT_BOOTFILE_URL:
		if (len == 0)
			return -EBADMSG;
		return bytes_of(o, len, &m->bootfile_url);
	default:
		return 0; /* unknown: skipped */
	}
}

int dhcp6_parse(const void *pkt, size_t len, struct dhcp6_msg *m)
{
	struct rbuf r;
	uint8_t x[3];
	memset(m, 0, sizeof *m);
	rbuf_init(&r, pkt, len);
	if (rbuf_u8(&r, &m->type))
		return -EBADMSG;
	if (m->type == DHCP6_RELAY_FORW || m->type == DHCP6_RELAY_REPL) {
		/* hop count, link address, peer address */
		if (rbuf_skip(&r, 1 + 16 + 16))
			return -EBADMSG;
		m->relay = true;
		return 0;
	}
	if (rbuf_bytes(&r, x, 3))
		return -EBADMSG;
	m->xid = (uint32_t)x[0] << 16 | (uint32_t)x[1] << 8 | x[2];
	while (rbuf_left(&r)) {
		uint16_t code, olen;
		struct rbuf o;
		if (rbuf_be16(&r, &code) || rbuf_be16(&r, &olen) || rbuf_sub(&r, olen, &o))
			return -EBADMSG;
		if (parse_opt(code, &o, olen, m))
			return -EBADMSG;
	}
	return 0;
}

const char *dhcp6_type_name(uint8_t type)
{
	static const char *const n[] = {
	    "0",	  "solicit",   "advertise", "request", "confirm",     "renew",
	    "rebind",	  "reply",     "release",   "decline", "reconfigure", "information-request",
	    "relay-forw", "relay-repl"};
	return type < sizeof n / sizeof n[0] && type ? n[type] : "unknown";
}

bool dhcp6_oro_has(const struct dhcp6_msg *m, uint16_t code)
{
	for (size_t i = 0; i < m->n_oro; i++)
		if (m->oro[i] == code)
			return true;
	return false;
}

int dhcp6_put_header(struct wbuf *w, uint8_t type, uint32_t xid)
{
	if (wbuf_u8(w, type) || wbuf_u8(w, (uint8_t)(xid >> 16)) ||
	    wbuf_u8(w, (uint8_t)(xid >> 8)) || wbuf_u8(w, (uint8_t)xid))
		return -ENOBUFS;
	return 0;
}

int dhcp6_put_opt(struct wbuf *w, uint16_t code, const void *data, size_t len)
{
	if (len > 0xffff || wbuf_be16(w, code) || wbuf_be16(w, (uint16_t)len) ||
	    (len && wbuf_bytes(w, data, len)))
		return -ENOBUFS;
	return 0;
}

int dhcp6_opt_open(struct wbuf *w, uint16_t code, size_t *mark)
{
	uint8_t *lenp;
	if (wbuf_be16(w, code) || wbuf_reserve(w, 2, &lenp))
		return -ENOBUFS;
	*mark = w->len - 2;
	return 0;
}

int dhcp6_opt_close(struct wbuf *w, size_t mark)
{
	struct wbuf l;
	if (w->err || mark + 2 > w->len || w->len - mark - 2 > 0xffff)
		return -ENOBUFS;
	wbuf_init(&l, w->p + mark, 2);
	return wbuf_be16(&l, (uint16_t)(w->len - mark - 2));
}

int dhcp6_put_status(struct wbuf *w, uint16_t code, const char *msg)
{
	size_t mark;
	if (dhcp6_opt_open(w, DHCP6_OPT_STATUS_CODE, &mark) || wbuf_be16(w, code) ||
	    (msg && wbuf_str(w, msg)))
		return -ENOBUFS;
	return dhcp6_opt_close(w, mark);
}

int dhcp6_put_vendor_class(struct wbuf *w, uint32_t enterprise, const char *data)
{
	size_t mark, n = strlen(data);
	if (n > 0xffff || dhcp6_opt_open(w, DHCP6_OPT_VENDOR_CLASS, &mark) ||
	    wbuf_be32(w, enterprise) || wbuf_be16(w, (uint16_t)n) || wbuf_bytes(w, data, n))
		return -ENOBUFS;
	return dhcp6_opt_close(w, mark);
}

int dhcp6_put_bootfile_params(struct wbuf *w, const char *const *params, size_t n)
{
	size_t mark;
	if (dhcp6_opt_open(w, DHCP6_OPT_BOOTFILE_PARAM, &mark))
		return -ENOBUFS;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(params[i]);
		if (l > 0xffff || wbuf_be16(w, (uint16_t)l) || wbuf_bytes(w, params[i], l))
			return -ENOBUFS;
	}
	return dhcp6_opt_close(w, mark);
}

int dhcp6_put_ia_na(struct wbuf *w, uint32_t iaid, uint32_t t1, uint32_t t2, const uint8_t *addr,
		    uint32_t pref, uint32_t valid, uint16_t status, const char *status_msg)
{
	size_t mark, amark;
	if (dhcp6_opt_open(w, DHCP6_OPT_IA_NA, &mark) || wbuf_be32(w, iaid) || wbuf_be32(w, t1) ||
	    wbuf_be32(w, t2))
		return -ENOBUFS;
	if (addr) {
		if (dhcp6_opt_open(w, DHCP6_OPT_IAADDR, &amark) || wbuf_bytes(w, addr, 16) ||
		    wbuf_be32(w, pref) || wbuf_be32(w, valid) || dhcp6_opt_close(w, amark))
			return -ENOBUFS;
	} else if (dhcp6_put_status(w, status, status_msg)) {
		return -ENOBUFS;
	}
	return dhcp6_opt_close(w, mark);
}

int dhcp6_duid_mac(const uint8_t *duid, size_t len, uint8_t mac[6])
{
	struct rbuf r;
	uint16_t type, hw;
	rbuf_init(&r, duid, len);
	if (rbuf_be16(&r, &type) || rbuf_be16(&r, &hw) || hw != 1)
		return -ENOENT;
	if (type == 1 && rbuf_skip(&r, 4))
		return -ENOENT;
	if ((type != 1 && type != 3) || rbuf_left(&r) != 6 || rbuf_bytes(&r, mac, 6))
		return -ENOENT;
	return 0;
}

void dhcp6_duid_ll(uint8_t duid[DHCP6_DUID_LL_LEN], const uint8_t mac[6])
{
	struct wbuf w;
	wbuf_init(&w, duid, DHCP6_DUID_LL_LEN);
	wbuf_be16(&w, 3); /* DUID-LL */
	wbuf_be16(&w, 1); /* hardware type 1: Ethernet */
	wbuf_bytes(&w, mac, 6);
}

int dhcp6_build_reply(struct wbuf *w, const struct dhcp6_reply *r)
{
	dhcp6_put_header(w, r->type, r->xid);
	dhcp6_put_opt(w, DHCP6_OPT_SERVERID, r->server_duid, r->server_duid_len);
	if (r->clientid.present)
		dhcp6_put_opt(w, DHCP6_OPT_CLIENTID, r->clientid.p, r->clientid.len);
	if (r->has_status)
		dhcp6_put_status(w, r->status, r->status_msg);
	if (r->has_ia)
		dhcp6_put_ia_na(w, r->iaid, r->t1, r->t2, r->ia_addr, r->pref, r->valid,
				r->ia_status, r->ia_msg);
	if (r->vendor_class)
		dhcp6_put_vendor_class(w, DHCP6_ENTERPRISE_PXE, r->vendor_class);
	if (r->url)
		dhcp6_put_opt(w, DHCP6_OPT_BOOTFILE_URL, r->url, strlen(r->url));
	return w->err ? -ENOBUFS : 0;
}
