/* probe_wire: what `lifeboat probe` sends as each client kind, and the
 * parse of what comes back, every byte through core/buf. */
#include "netboot/probe_wire.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "netboot/dhcp4_wire.h"
#include "netboot/dhcp6_wire.h"
#include "netboot/pxe_wire.h"

/* Option 60 strings, 93 and 94 as the firmware in the field sends them:
 * Intel/iPXE BIOS ROMs UNDI 2.1, EDK2 UNDI 3.0 (x64 and AAVMF), EDK2 HTTP
 * boot "HTTPClient", a Pi 4 EEPROM (arch 0, like a BIOS ROM: pxe.c knows
 * it by option 97), U-Boot's CONFIG_BOOTP_VCI_STRING on arm64 with arch 22. */
static const struct probe_kind_info kinds[PROBE_NKINDS] = {
    [PROBE_BIOS] = {"bios",
		    "x86 BIOS PXE ROM",
		    0,
		    "PXEClient:Arch:00000:UNDI:002001",
		    {1, 2, 1},
		    .uuid = true,
		    .proxy_ok = true},
    [PROBE_EFI64] = {"efi64",
		     "x64 UEFI PXE (EDK2)",
		     7,
		     "PXEClient:Arch:00007:UNDI:003000",
		     {1, 3, 0},
		     .uuid = true,
		     .proxy_ok = true,
		     .proxy_file_wins = true,
		     .v6 = true},
    [PROBE_EFI_HTTP] = {"efi-http",
			"x64 UEFI HTTP boot",
			16,
			"HTTPClient:Arch:00016:UNDI:003000",
			{1, 3, 0},
			.uuid = true,
			.http = true,
			.proxy_ok = true,
			.proxy_file_wins = true,
			.v6 = true},
    [PROBE_IPXE] = {"ipxe",
		    "iPXE (chain-loaded, BIOS)",
		    0,
		    "PXEClient:Arch:00000:UNDI:002001",
		    {1, 2, 1},
		    .ipxe = true,
		    .proxy_ok = true,
		    .dhcp_file_wins = true,
		    .v6 = true},
    [PROBE_ARM64] = {"arm64",
		     "ARM64 UEFI PXE (EDK2)",
		     11,
		     "PXEClient:Arch:00011:UNDI:003000",
		     {1, 3, 0},
		     .uuid = true,
		     .proxy_ok = true,
		     .proxy_file_wins = true,
		     .v6 = true},
    [PROBE_RPI] = {"rpi",
		   "Raspberry Pi 4 EEPROM",
		   0,
		   "PXEClient:Arch:00000:UNDI:002001",
		   {1, 2, 1},
		   .rpi = true,
		   .proxy_ok = true},
    [PROBE_UBOOT] = {"uboot",
		     "U-Boot arm64",
		     22,
		     "U-Boot.armv8",
		     {1, 0, 0},
		     .proxy_ok = false,
		     .dhcp_file_wins = true},
};

const struct probe_kind_info *probe_kind_info(enum probe_kind k)
{
	return (unsigned)k < PROBE_NKINDS ? &kinds[k] : NULL;
}

int probe_kinds_parse(const char *s, unsigned *mask, char *bad, size_t cap)
{
	*mask = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		unsigned k;
		if (n == 3 && !strncmp(s, "all", 3)) {
			*mask |= PROBE_ALL_KINDS;
		} else {
			for (k = 0; k < PROBE_NKINDS; k++)
				if (strlen(kinds[k].name) == n && !strncmp(s, kinds[k].name, n))
					break;
			if (k == PROBE_NKINDS || n == 0) {
				snprintf(bad, cap, "%.*s", (int)n, s);
				return -EINVAL;
			}
			*mask |= 1u << k;
		}
		s += n;
		if (*s == ',')
			s++;
	}
	if (!*mask) {
		snprintf(bad, cap, "(empty)");
		return -EINVAL;
	}
	return 0;
}

/* A GUID of the MAC (option 97 type 0): stable across runs, so a server
 * that keys on it sees one machine. */
static void probe_guid(uint8_t g[17], enum probe_kind k, const uint8_t mac[6])
{
	static const uint8_t head[8] = {0, 'L', 'B', 'P', 'R', 'O', 'B', 'E'};
	memcpy(g, head, 8);
	memset(g + 8, 0, 3);
	memcpy(g + 11, mac, 6);
	if (kinds[k].rpi) {
		/* Pi 4 DHCP_OPTION97 default: "RPi4" (LE FourCC), board
		 * revision, the MAC's low 4 bytes, serial (tests/vectors/dhcp4/mk-rpi.py) */
		static const uint8_t rev[4] = {0x11, 0x31, 0xc0, 0x00};
		memcpy(g + 1, "RPi4", 4);
		memcpy(g + 5, rev, 4);
		memcpy(g + 9, mac + 2, 4);
		g[13] = mac[5];
		g[14] = mac[4];
		g[15] = 0xfe;
		g[16] = 0x9f;
	}
}

static const uint8_t prl_pxe[] = {1,  3,   6,	12,  15,  28,  43,  60,	 66,
				  67, 128, 129, 130, 131, 132, 133, 134, 135};
static const uint8_t prl_ipxe[] = {1,	3,   6,	  7,   12,  15,	 17,  26,  43,	60,  66, 67,
				   119, 128, 129, 130, 131, 132, 133, 134, 135, 175, 203};

/* The options every request of kind k carries (53 is written by the caller). */
static int probe_put_client_opts(struct wbuf *w, enum probe_kind k, const uint8_t mac[6])
{
	const struct probe_kind_info *ki = &kinds[k];
	uint8_t arch[2] = {(uint8_t)(ki->arch >> 8), (uint8_t)ki->arch};
	uint8_t maxsz[2] = {0x05, 0xc0}; /* 1472 */
	uint8_t guid[17];
	if (ki->ipxe)
		dhcp4_build_opt(w, DHCP4_OPT_PARAM_LIST, prl_ipxe, sizeof prl_ipxe);
	else
		dhcp4_build_opt(w, DHCP4_OPT_PARAM_LIST, prl_pxe, sizeof prl_pxe);
	dhcp4_build_opt(w, DHCP4_OPT_MAX_SIZE, maxsz, 2);
	dhcp4_build_opt(w, DHCP4_OPT_CLIENT_ARCH, arch, 2);
	dhcp4_build_opt(w, DHCP4_OPT_CLIENT_NII, ki->nii, 3);
	if (ki->uuid || ki->rpi) {
		probe_guid(guid, k, mac);
		dhcp4_build_opt(w, DHCP4_OPT_CLIENT_UUID, guid, sizeof guid);
	}
	dhcp4_build_opt(w, DHCP4_OPT_VENDOR_CLASS, ki->vclass, strlen(ki->vclass));
	if (ki->ipxe) {
		/* iPXE: bare user class "iPXE", client id, and 175 with a
		 * few feature flags (PXE_EXT, HTTP, TFTP, DNS, bzImage) */
		static const uint8_t feat[] = {0x10, 1,	   2, 0x13, 1,	  1, 0x15, 1,
					       1,    0x17, 1, 1,    0x18, 1, 1};
		uint8_t cid[7] = {1};
		memcpy(cid + 1, mac, 6);
		dhcp4_build_opt(w, DHCP4_OPT_USER_CLASS, "iPXE", 4);
		dhcp4_build_opt(w, DHCP4_OPT_CLIENT_ID, cid, sizeof cid);
		dhcp4_build_opt(w, DHCP4_OPT_IPXE_ENCAP, feat, sizeof feat);
	}
	return w->err ? -ENOBUFS : 0;
}

int probe_build_discover(struct wbuf *w, enum probe_kind k, uint32_t xid, const uint8_t mac[6])
{
	struct dhcp4_hdr h = {.op = DHCP4_BOOTREQUEST, .xid = xid, .flags = 0x8000, .hlen = 6};
	if ((unsigned)k >= PROBE_NKINDS)
		return -EINVAL;
	memcpy(h.chaddr, mac, 6);
	if (dhcp4_build_header(w, &h) ||
	    dhcp4_build_opt_u8(w, DHCP4_OPT_MSG_TYPE, DHCP4_DISCOVER) ||
	    probe_put_client_opts(w, k, mac))
		return -ENOBUFS;
	return dhcp4_build_end(w);
}

int probe_build_binl(struct wbuf *w, enum probe_kind k, uint32_t xid, const uint8_t mac[6],
		     const uint8_t ciaddr[4], uint16_t item_type)
{
	struct dhcp4_hdr h = {.op = DHCP4_BOOTREQUEST, .xid = xid, .hlen = 6};
	if ((unsigned)k >= PROBE_NKINDS)
		return -EINVAL;
	memcpy(h.chaddr, mac, 6);
	memcpy(h.ciaddr, ciaddr, 4);
	if (dhcp4_build_header(w, &h) || dhcp4_build_opt_u8(w, DHCP4_OPT_MSG_TYPE, DHCP4_REQUEST) ||
	    probe_put_client_opts(w, k, mac))
		return -ENOBUFS;
	if (item_type && pxe_wire_put_item(w, item_type, 0))
		return -ENOBUFS;
	return dhcp4_build_end(w);
}

int probe_build_solicit(struct wbuf *w, enum probe_kind k, uint32_t xid, const uint8_t mac[6])
{
	const struct probe_kind_info *ki = probe_kind_info(k);
	uint8_t duid[DHCP6_DUID_LL_LEN], ia[12] = {0}, arch[2],
					 oro[] = {0, 23, 0, 24, 0, 59, 0, 60};
	uint8_t zero[2] = {0}, uc[6] = {0, 4, 'i', 'P', 'X', 'E'};
	if (!ki)
		return -EINVAL;
	dhcp6_duid_ll(duid, mac);
	memcpy(ia, mac + 2, 4); /* IAID: the MAC's low 4 bytes */
	arch[0] = (uint8_t)(ki->arch >> 8);
	arch[1] = (uint8_t)ki->arch;
	dhcp6_put_header(w, DHCP6_SOLICIT, xid & 0xffffffu);
	dhcp6_put_opt(w, DHCP6_OPT_CLIENTID, duid, sizeof duid);
	dhcp6_put_opt(w, DHCP6_OPT_IA_NA, ia, sizeof ia);
	dhcp6_put_opt(w, DHCP6_OPT_ORO, oro, sizeof oro);
	dhcp6_put_opt(w, DHCP6_OPT_ELAPSED_TIME, zero, 2);
	dhcp6_put_opt(w, DHCP6_OPT_CLIENT_ARCH, arch, 2);
	dhcp6_put_opt(w, DHCP6_OPT_NII, ki->nii, 3);
	dhcp6_put_vendor_class(w, DHCP6_ENTERPRISE_PXE, ki->vclass);
	if (ki->ipxe)
		dhcp6_put_opt(w, DHCP6_OPT_USER_CLASS, uc, sizeof uc);
	return w->err ? -ENOBUFS : 0;
}

/* RFC 1071 one's-complement sum, continued from sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int probe_build_udp4(struct wbuf *w, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
		     uint16_t dport, const void *p, size_t n)
{
	uint8_t ip[20], udp[8], pseudo[12];
	struct wbuf h;
	uint16_t ulen = (uint16_t)(8 + n), c;
	if (n > 1500 - 28 || wbuf_room(w) < 28 + n)
		return -ENOBUFS;
	wbuf_init(&h, ip, sizeof ip);
	wbuf_u8(&h, 0x45);
	wbuf_u8(&h, 0x10); /* DSCP as ISC dhclient sends it */
	wbuf_be16(&h, (uint16_t)(20 + ulen));
	wbuf_be32(&h, 0); /* id, no fragment flags */
	wbuf_u8(&h, 64);
	wbuf_u8(&h, 17);
	wbuf_be16(&h, 0);
	wbuf_bytes(&h, src, 4);
	wbuf_bytes(&h, dst, 4);
	c = csum_fold(csum_add(0, ip, 20));
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	memcpy(pseudo, src, 4);
	memcpy(pseudo + 4, dst, 4);
	pseudo[8] = 0;
	pseudo[9] = 17;
	pseudo[10] = (uint8_t)(ulen >> 8);
	pseudo[11] = (uint8_t)ulen;
	wbuf_init(&h, udp, sizeof udp);
	wbuf_be16(&h, sport);
	wbuf_be16(&h, dport);
	wbuf_be16(&h, ulen);
	wbuf_be16(&h, 0);
	c = csum_fold(csum_add(csum_add(csum_add(0, pseudo, 12), udp, 8), p, n));
	if (c == 0)
		c = 0xffff;
	udp[6] = (uint8_t)(c >> 8);
	udp[7] = (uint8_t)c;
	wbuf_bytes(w, ip, 20);
	wbuf_bytes(w, udp, 8);
	wbuf_bytes(w, p, n);
	return w->err ? -ENOBUFS : 0;
}

int probe_parse_udp4(const void *p, size_t n, uint16_t dport, const uint8_t **pl, size_t *pl_len,
		     uint8_t src[4], uint16_t *sport)
{
	struct rbuf r, u;
	uint8_t vihl, tos, ttl, proto, dst[4];
	uint16_t tot, id, frag, csum, dp, ulen, ucsum;
	rbuf_init(&r, p, n);
	rbuf_u8(&r, &vihl);
	rbuf_u8(&r, &tos);
	rbuf_be16(&r, &tot);
	rbuf_be16(&r, &id);
	rbuf_be16(&r, &frag);
	rbuf_u8(&r, &ttl);
	rbuf_u8(&r, &proto);
	rbuf_be16(&r, &csum);
	rbuf_bytes(&r, src, 4);
	rbuf_bytes(&r, dst, 4);
	if (r.err || vihl >> 4 != 4 || (vihl & 15) < 5 || tot < (vihl & 15) * 4u || tot > n)
		return -EBADMSG;
	if (proto != 17 || (frag & 0x3fff))
		return -ENOENT; /* not UDP, or a fragment: no DHCP reply is fragmented */
	const uint8_t *q;
	if (rbuf_skip(&r, (vihl & 15) * 4u - 20) || r.off > tot || rbuf_ptr(&r, tot - r.off, &q))
		return -EBADMSG;
	rbuf_init(&u, q, tot - (vihl & 15) * 4u);
	rbuf_be16(&u, sport);
	rbuf_be16(&u, &dp);
	rbuf_be16(&u, &ulen);
	rbuf_be16(&u, &ucsum);
	if (u.err || ulen < 8 || ulen - 8u > rbuf_left(&u))
		return -EBADMSG;
	if (dp != dport)
		return -ENOENT;
	*pl_len = ulen - 8u;
	return rbuf_ptr(&u, *pl_len, pl) ? -EBADMSG : 0;
}

/* Copies a string field up to its first NUL, cut to cap - 1 bytes. */
static void probe_copy_str(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	size_t i;
	for (i = 0; i < n && i + 1 < cap && src[i]; i++)
		dst[i] = (char)src[i];
	dst[i] = 0;
}

/* Reads option 43's sub-options we explain: 6, 9 (first item, the Pi's). */
static int probe_read_43(struct probe_answer *a, const uint8_t *v, size_t n)
{
	struct rbuf r, sub;
	uint8_t code;
	int k;
	a->has_43 = true;
	a->o43_full = n;
	a->o43_len = (uint8_t)(n < sizeof a->o43 ? n : sizeof a->o43);
	memcpy(a->o43, v, a->o43_len);
	rbuf_init(&r, v, n);
	while ((k = pxe_wire_sub_next(&r, &code, &sub)) > 0) {
		uint8_t b, l;
		uint16_t type;
		const uint8_t *s;
		if (code == PXE_SUB_DISCOVERY_CONTROL && !rbuf_u8(&sub, &b))
			a->disc_skip = b & PXE_DISC_SKIP;
		while (code == PXE_SUB_BOOT_MENU && !rbuf_be16(&sub, &type) && !rbuf_u8(&sub, &l) &&
		       !rbuf_ptr(&sub, l, &s)) {
			if (!a->menu || (!a->menu_item && type))
				a->menu_item = type;
			a->menu = true;
			if (l == 17 && !memcmp(s, "Raspberry Pi Boot", 17))
				a->rpi_menu = true;
		}
	}
	return k < 0 ? -EBADMSG : 0;
}

static void probe_copy_opt(const struct dhcp4_msg *m, uint8_t code, char *dst, size_t cap)
{
	size_t n;
	const uint8_t *v = dhcp4_opt(m, code, &n);
	probe_copy_str(dst, cap, v ? v : (const uint8_t *)"", v ? n : 0);
}

int probe_parse_v4(const void *p, size_t n, uint32_t base, const uint8_t mac[6],
		   const uint8_t src[4], struct probe_answer *a)
{
	struct dhcp4_msg *m = malloc(sizeof *m);
	const uint8_t *v;
	size_t len;
	int r = -ENOENT;
	if (!m)
		return -ENOMEM;
	memset(a, 0, sizeof *a);
	if (dhcp4_parse(p, n, m)) {
		r = -EBADMSG;
		goto out;
	}
	if (m->op != DHCP4_BOOTREPLY || (m->xid & ~0xffu) != (base & ~0xffu) ||
	    (m->xid & 0xff) >= PROBE_NKINDS || memcmp(m->chaddr, mac, 6) ||
	    (m->msg_type != DHCP4_OFFER && m->msg_type != DHCP4_ACK))
		goto out;
	a->kind = (enum probe_kind)(m->xid & 0xff);
	a->type = m->msg_type;
	memcpy(a->src, src, 4);
	a->has_server_id = !dhcp4_opt_ip(m, DHCP4_OPT_SERVER_ID, a->server_id);
	memcpy(a->yiaddr, m->yiaddr, 4);
	memcpy(a->siaddr, m->siaddr, 4);
	a->has_addr = memcmp(m->yiaddr, "\0\0\0\0", 4) != 0;
	probe_copy_str(a->sname, sizeof a->sname, m->sname, sizeof m->sname);
	probe_copy_str(a->file, sizeof a->file, m->file, sizeof m->file);
	probe_copy_opt(m, DHCP4_OPT_VENDOR_CLASS, a->o60, sizeof a->o60);
	probe_copy_opt(m, DHCP4_OPT_TFTP_SERVER, a->o66, sizeof a->o66);
	probe_copy_opt(m, DHCP4_OPT_BOOTFILE, a->o67, sizeof a->o67);
	r = 0;
	if ((v = dhcp4_opt(m, DHCP4_OPT_VENDOR, &len)) && probe_read_43(a, v, len))
		r = -EBADMSG;
out:
	free(m);
	return r;
}

static void probe_hex(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	size_t o = 0;
	dst[0] = 0;
	for (size_t i = 0; i < n && o + 3 <= cap; i++)
		o += (size_t)snprintf(dst + o, cap - o, "%02x", p[i]);
}

int probe_parse_v6(const void *p, size_t n, uint32_t base, const uint8_t src[16],
		   struct probe_answer *a)
{
	struct dhcp6_msg m;
	memset(a, 0, sizeof *a);
	if (dhcp6_parse(p, n, &m))
		return -EBADMSG;
	if ((m.type != DHCP6_ADVERTISE && m.type != DHCP6_REPLY) ||
	    (m.xid & 0xffff00u) != (base & 0xffff00u) || (m.xid & 0xff) >= PROBE_NKINDS)
		return -ENOENT;
	a->v6 = true;
	a->kind = (enum probe_kind)(m.xid & 0xff);
	a->type = m.type;
	memcpy(a->src, src, 16);
	a->has_addr = m.has_ia_na && m.has_iaaddr;
	if (m.serverid.present) {
		probe_hex(a->duid, sizeof a->duid, m.serverid.p, m.serverid.len);
		a->has_mac = !dhcp6_duid_mac(m.serverid.p, m.serverid.len, a->mac);
	}
	if (m.bootfile_url.present)
		probe_copy_str(a->url, sizeof a->url, m.bootfile_url.p, m.bootfile_url.len);
	if (m.vclass.present)
		probe_copy_str(a->o60, sizeof a->o60, m.vclass.p, m.vclass.len);
	return 0;
}

/* The next line of an HTTP head (without its CRLF) into *s, *len. */
static int http_line(struct rbuf *r, const uint8_t **s, size_t *len)
{
	const uint8_t *start = r->p + r->off;
	uint8_t c, prev = 0;
	size_t n = 0;
	while (!rbuf_u8(r, &c)) {
		if (c == '\n' && prev == '\r') {
			*s = start;
			*len = n - 1;
			return 0;
		}
		prev = c;
		n++;
	}
	return -EAGAIN;
}

static bool header_is(const uint8_t *s, size_t len, const char *name, const char **val)
{
	size_t nl = strlen(name);
	if (len <= nl || strncasecmp((const char *)s, name, nl))
		return false;
	*val = (const char *)s + nl;
	return true;
}

/* A decimal number in s[0..end) after spaces; -1 when there is none. */
static long long http_num(const char *s, const char *end)
{
	long long v = 0;
	while (s < end && *s == ' ')
		s++;
	if (s >= end || !isdigit((unsigned char)*s))
		return -1;
	for (; s < end && isdigit((unsigned char)*s) && v < (1LL << 50); s++)
		v = v * 10 + (*s - '0');
	return v;
}

int probe_parse_http_head(const void *p, size_t n, int *status, long long *size, size_t *body)
{
	struct rbuf r;
	const uint8_t *s;
	size_t len;
	long long clen = -1, total = -1;
	rbuf_init(&r, p, n);
	if (http_line(&r, &s, &len))
		return n > 8192 ? -EBADMSG : -EAGAIN;
	if (len < 12 || memcmp(s, "HTTP/1.", 7) || s[8] != ' ' || !isdigit(s[9]) ||
	    !isdigit(s[10]) || !isdigit(s[11]))
		return -EBADMSG;
	*status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	for (;;) {
		const char *v, *end;
		if (http_line(&r, &s, &len))
			return n > 8192 ? -EBADMSG : -EAGAIN;
		if (!len)
			break;
		end = (const char *)s + len;
		if (header_is(s, len, "content-length:", &v))
			clen = http_num(v, end);
		else if (header_is(s, len, "content-range:", &v)) {
			const char *slash = memchr(v, '/', (size_t)(end - v));
			if (slash)
				total = http_num(slash + 1, end);
		}
	}
	*size = total >= 0 ? total : *status == 200 ? clen : -1;
	*body = r.off;
	return 0;
}

int probe_parse_target(const char *s, bool *is_http, char *host, size_t host_cap, uint16_t *port,
		       const char **path)
{
	const char *h, *e;
	size_t hl;
	unsigned char tmp[16];
	*is_http = false;
	*port = 69;
	host[0] = 0;
	if (!strncmp(s, "http://", 7)) {
		*is_http = true;
		*port = 80;
		h = s + 7;
	} else if (!strncmp(s, "tftp://", 7)) {
		h = s + 7;
	} else if (strstr(s, "://")) {
		return -EINVAL;
	} else {
		*path = s;
		return 0;
	}
	if (*h == '[') {
		if (!(e = strchr(h, ']')))
			return -EINVAL;
		hl = (size_t)(e - h - 1);
		h++;
		e++;
	} else {
		hl = strcspn(h, ":/");
		e = h + hl;
	}
	if (hl + 1 > host_cap)
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = 0;
	if (inet_pton(AF_INET, host, tmp) != 1 && inet_pton(AF_INET6, host, tmp) != 1)
		return -EINVAL; /* a name: firmware would need DNS; we do not resolve */
	if (*e == ':') {
		char *end;
		unsigned long v = strtoul(e + 1, &end, 10);
		if (end == e + 1 || !v || v > 65535)
			return -EINVAL;
		*port = (uint16_t)v;
		e = end;
	}
	if (*e != '/')
		return -EINVAL;
	/* the path goes into our request line as is: no spaces, no CR/LF */
	for (const char *q = e; *is_http && *q; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
			return -EINVAL;
	*path = *is_http ? e : e + 1;
	return 0;
}
