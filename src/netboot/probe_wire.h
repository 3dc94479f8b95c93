/* probe_wire: the packets `lifeboat probe` sends while it plays each client
 * kind (a DHCPDISCOVER shaped like that firmware's, the udp/4011 request
 * EDK2 sends after a BINL offer, a DHCPv6 Solicit), the IPv4/UDP frame
 * around a DISCOVER for a packet socket, and the parse of every answer into
 * one flat struct probe_answer. Pure: no sockets, no decisions; answers are
 * untrusted and read only through core/buf (dhcp4_wire, dhcp6_wire). */
#ifndef LIFEBOAT_NETBOOT_PROBE_WIRE_H
#define LIFEBOAT_NETBOOT_PROBE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

enum probe_kind {
	PROBE_BIOS,
	PROBE_EFI64,
	PROBE_EFI_HTTP,
	PROBE_IPXE,
	PROBE_ARM64,
	PROBE_RPI,
	PROBE_UBOOT,
	PROBE_NKINDS,
};
#define PROBE_ALL_KINDS ((1u << PROBE_NKINDS) - 1)

/* What one kind of firmware puts in its DISCOVER (see
 * shared/notes/netboot-clients.md and pxe.c's architecture table). */
struct probe_kind_info {
	const char *name;   /* as --as names it */
	const char *desc;   /* for the table */
	uint16_t arch;	    /* option 93 (and DHCPv6 61) */
	const char *vclass; /* option 60 (and DHCPv6 16 data) */
	uint8_t nii[3];	    /* option 94: type, major, minor */
	bool ipxe;	    /* option 77 "iPXE" and 175: an iPXE already running */
	bool rpi;	    /* option 97 as a Pi 4 EEPROM: type 0, "RPi4", ... */
	bool uuid;	    /* option 97 (a GUID of the MAC) */
	bool http;	    /* wants a URL (UEFI HTTP boot) */
	bool proxy_ok;	    /* takes an offer with yiaddr 0 (stock U-Boot does not) */
	/* When the DHCP server names a file itself beside a proxy's offer
	 * (doc/coexist.md): the DHCP server's file wins (iPXE, seen in the
	 * lab), or the proxy's (EDK2: the PXE spec's order, seen in the lab);
	 * neither: it depends on the ROM (BIOS) or is unknown (Pi). */
	bool dhcp_file_wins, proxy_file_wins;
	bool v6; /* has a DHCPv6 stack (-6 sends a Solicit as it) */
};

const struct probe_kind_info *probe_kind_info(enum probe_kind k);
/* "bios,efi64" or "all" into a mask of 1u << kind. 0, or -EINVAL with the
 * offending word copied into bad (cap bytes). */
int probe_kinds_parse(const char *s, unsigned *mask, char *bad, size_t cap);

/* The transaction id of kind k in probe run base (its low byte is the kind). */
static inline uint32_t probe_xid(uint32_t base, enum probe_kind k)
{
	return (base & ~0xffu) | (uint32_t)k;
}

/* A DHCPDISCOVER (BOOTP payload only) as kind k would send it, broadcast
 * flag set so every server broadcasts its offer. 0 or -ENOBUFS/-EINVAL. */
int probe_build_discover(struct wbuf *w, enum probe_kind k, uint32_t xid, const uint8_t mac[6]);

/* The DHCPREQUEST EDK2 sends to udp/4011 of a proxy after a BINL offer
 * (ciaddr = our address; 43.71 asks for boot item type when item_type is
 * not 0, after a menu offer). 0 or -ENOBUFS. */
int probe_build_binl(struct wbuf *w, enum probe_kind k, uint32_t xid, const uint8_t mac[6],
		     const uint8_t ciaddr[4], uint16_t item_type);

/* A DHCPv6 Solicit as kind k (DUID-LL of mac, IA_NA, ORO 59/60, 61, 62, 16;
 * 15 "iPXE" for ipxe). 0 or -ENOBUFS. */
int probe_build_solicit(struct wbuf *w, enum probe_kind k, uint32_t xid, const uint8_t mac[6]);

/* An IPv4 + UDP header around payload p[n] (from 0.0.0.0:68 to
 * 255.255.255.255:67, checksums filled) for an AF_PACKET SOCK_DGRAM socket.
 * 0 or -ENOBUFS. */
int probe_build_udp4(struct wbuf *w, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
		     uint16_t dport, const void *p, size_t n);

/* The UDP payload of an IPv4 frame p[n] from a packet socket, when it is
 * an unfragmented UDP datagram to port dport: *pl, *pl_len, source address
 * and port. 0, -ENOENT (another packet), -EBADMSG (malformed). */
int probe_parse_udp4(const void *p, size_t n, uint16_t dport, const uint8_t **pl, size_t *pl_len,
		     uint8_t src[4], uint16_t *sport);

/* One answer from one server to one of our kinds. Strings are copied from
 * the packet up to their first NUL and are untrusted (sanitise to print). */
#define PROBE_STR 256
struct probe_answer {
	bool v6;
	enum probe_kind kind;
	uint8_t type;	 /* DHCP4_OFFER/ACK or DHCP6_ADVERTISE/REPLY */
	bool binl;	 /* answer to our udp/4011 request */
	uint8_t src[16]; /* sender address (4 bytes for v4) */
	uint8_t mac[6];	 /* sender MAC (v4: the frame's; v6: from its DUID) */
	bool has_mac;
	uint8_t server_id[4]; /* option 54 */
	bool has_server_id;
	uint8_t yiaddr[4], siaddr[4]; /* v6: has_addr says whether IA_NA held one */
	bool has_addr;		      /* an address is offered (yiaddr != 0 or IAADDR) */
	char sname[64];
	char file[128];
	bool has_43;
	uint8_t o43[64]; /* the first bytes, for the table */
	uint8_t o43_len; /* bytes kept in o43 */
	size_t o43_full; /* the option's whole length */
	bool disc_skip;	 /* 43.6 bit 3: boot the file without discovery */
	bool menu;	 /* 43.9 present: boot-server discovery on 4011 */
	uint16_t menu_item;
	bool rpi_menu; /* 43.9 says "Raspberry Pi Boot" */
	char o60[64];
	char o66[PROBE_STR];
	char o67[PROBE_STR];
	char url[PROBE_STR]; /* DHCPv6 59 */
	char duid[64];	     /* DHCPv6 server DUID, hex (cut) */
	unsigned ms;	     /* arrival, ms after the first DISCOVER (set by the driver) */
};

/* Parses a DHCPv4 reply p[n] from src; it must be a BOOTREPLY to one of our
 * transactions (xid of base with a kind byte < PROBE_NKINDS, chaddr = mac).
 * 0, -ENOENT (not ours), -EBADMSG (malformed). */
int probe_parse_v4(const void *p, size_t n, uint32_t base, const uint8_t mac[6],
		   const uint8_t src[4], struct probe_answer *a);

/* The same for a DHCPv6 Advertise/Reply (src: 16 bytes). */
int probe_parse_v6(const void *p, size_t n, uint32_t base, const uint8_t src[16],
		   struct probe_answer *a);

/* An HTTP response head in p[n]: the status code and the whole size of the
 * resource (Content-Range's total, else Content-Length; -1 unknown), and
 * where the body starts. 0, -EAGAIN (head not complete yet), -EBADMSG. */
int probe_parse_http_head(const void *p, size_t n, int *status, long long *size, size_t *body);

/* A boot file target: "tftp://HOST/PATH", "http://HOST[:PORT]/PATH" or a
 * bare path (TFTP from the default host). Splits it: *is_http, host (an
 * IPv4 or [IPv6] literal, copied without brackets), port and path.
 * 0, -EINVAL (another scheme, a host name, too long). */
int probe_parse_target(const char *s, bool *is_http, char *host, size_t host_cap, uint16_t *port,
		       const char **path);

#endif
