/* arp_wire: ARP for IPv4 over Ethernet (RFC 826) as a packet socket of
 * type SOCK_DGRAM sees it (no Ethernet header): the probe of RFC 5227
 * 2.1.1 that full DHCP sends before offering an address, and the parse of
 * what comes back. Pure. */
#ifndef LIFEBOAT_NETBOOT_ARP_WIRE_H
#define LIFEBOAT_NETBOOT_ARP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define ARP_WIRE_LEN 28

struct arp_pkt {
	uint16_t op; /* 1 request, 2 reply */
	uint8_t sha[6], spa[4], tha[6], tpa[4];
};

/* An ARP probe for ip from mac: request, sender address 0.0.0.0, target
 * hardware address 0. Writes ARP_WIRE_LEN bytes. */
void arp_wire_probe(uint8_t out[ARP_WIRE_LEN], const uint8_t mac[6], const uint8_t ip[4]);
/* An Ethernet/IPv4 ARP request or reply. 0 or -EBADMSG. */
int arp_wire_parse(const void *p, size_t n, struct arp_pkt *a);

#endif
