/* arp_wire: ARP probe build and ARP parse, every byte through core/buf. */
#include "netboot/arp_wire.h"

#include <errno.h>
#include <string.h>

#include "core/buf.h"

void arp_wire_probe(uint8_t out[ARP_WIRE_LEN], const uint8_t mac[6], const uint8_t ip[4])
{
	struct wbuf w;
	wbuf_init(&w, out, ARP_WIRE_LEN);
	wbuf_be16(&w, 1);      /* Ethernet */
	wbuf_be16(&w, 0x0800); /* IPv4 */
	wbuf_u8(&w, 6);
	wbuf_u8(&w, 4);
	wbuf_be16(&w, 1); /* request */
	wbuf_bytes(&w, mac, 6);
	wbuf_zero(&w, 4); /* sender IP 0: a probe (RFC 5227 2.1.1) */
	wbuf_zero(&w, 6);
	wbuf_bytes(&w, ip, 4);
}

int arp_wire_parse(const void *p, size_t n, struct arp_pkt *a)
{
	struct rbuf r;
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	rbuf_init(&r, p, n);
	rbuf_be16(&r, &htype);
	rbuf_be16(&r, &ptype);
	rbuf_u8(&r, &hlen);
	rbuf_u8(&r, &plen);
	rbuf_be16(&r, &a->op);
	rbuf_bytes(&r, a->sha, 6);
	rbuf_bytes(&r, a->spa, 4);
	rbuf_bytes(&r, a->tha, 6);
	rbuf_bytes(&r, a->tpa, 4);
	if (r.err || htype != 1 || ptype != 0x0800 || hlen != 6 || plen != 4 ||
	    (a->op != 1 && a->op != 2))
		return -EBADMSG;
	return 0;
}
