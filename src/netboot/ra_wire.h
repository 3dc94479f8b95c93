/* ra_wire: ICMPv6 Router Solicitation and Router Advertisement bytes
 * (RFC 4861 section 4.1, 4.2, 4.6): the RA lifeboat sends on a bare cable
 * (M and O flags, one on-link prefix, no default route unless asked) and
 * the parse of every RS/RA the raw socket hears. Pure; untrusted input is
 * read only through core/buf. The ICMPv6 checksum is left 0: the kernel
 * fills it for IPPROTO_ICMPV6 raw sockets. */
#ifndef LIFEBOAT_NETBOOT_RA_WIRE_H
#define LIFEBOAT_NETBOOT_RA_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define RA_TYPE_RS 133
#define RA_TYPE_RA 134
#define RA_FLAG_M 0x80 /* managed: addresses from DHCPv6 */
#define RA_FLAG_O 0x40 /* other configuration from DHCPv6 */
#define RA_OPT_SLLA 1
#define RA_OPT_PREFIX 3
#define RA_OPT_MTU 5
#define RA_PREFIX_L 0x80 /* on-link */
#define RA_PREFIX_A 0x40 /* autonomous (SLAAC) */
#define RA_MAX_PREFIXES 4

/* What lifeboat advertises. */
struct ra_params {
	uint8_t flags;		  /* RA_FLAG_M | RA_FLAG_O */
	uint16_t router_lifetime; /* seconds; 0 = not a default router */
	uint8_t mac[6];		  /* source link-layer address option */
	bool has_mac;
	uint32_t mtu; /* 0: no MTU option */
	bool has_prefix;
	uint8_t prefix[16]; /* a /64, on-link, not autonomous */
	uint32_t prefix_valid, prefix_pref;
};

/* Writes the RA (ICMPv6 header and options). 0 or -ENOBUFS (nothing
 * useful written). */
int ra_build(struct wbuf *w, const struct ra_params *p);

/* Writes a Router Solicitation, with a source link-layer address option
 * when mac is not NULL. 0 or -ENOBUFS. */
int ra_build_rs(struct wbuf *w, const uint8_t *mac);

struct ra_prefix {
	uint8_t len; /* prefix length, bits */
	uint8_t flags;
	uint32_t valid, pref;
	uint8_t prefix[16];
};

/* One RS or RA as read from the wire. */
struct ra_msg {
	uint8_t type; /* RA_TYPE_RS or RA_TYPE_RA */
	/* RA only */
	uint8_t hop_limit, flags;
	uint16_t router_lifetime;
	uint32_t reachable, retrans;
	uint32_t mtu; /* 0: no MTU option */
	struct ra_prefix prefixes[RA_MAX_PREFIXES];
	size_t n_prefixes; /* kept, at most RA_MAX_PREFIXES */
	/* both */
	bool has_slla;
	uint8_t slla[6]; /* the first 6 bytes of a source link-layer option */
};

/* Parses an ICMPv6 message p[n] (no IPv6 header). 0; -ENOENT for another
 * ICMPv6 type; -EBADMSG when it is an RS/RA that RFC 4861 says to drop
 * (code not 0, too short, an option of length 0 or past the end, a
 * malformed prefix or MTU option). */
int ra_parse(const void *p, size_t n, struct ra_msg *m);

#endif
