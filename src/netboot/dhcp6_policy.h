/* dhcp6_policy: DHCPv6 netboot policy. Who is a netboot client (its DHCPv6
 * options read into the struct pxe_client and the architecture table that
 * DHCPv4's pxe classification fills and uses), and which boot file URL
 * (option 59) it gets from the boot plan. Reads parsed messages, never
 * bytes. */
#ifndef LIFEBOAT_NETBOOT_DHCP6_POLICY_H
#define LIFEBOAT_NETBOOT_DHCP6_POLICY_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "netboot/bootplan.h"
#include "netboot/dhcp6_wire.h"
#include "netboot/pxe.h"

/* 0 for a netboot client (vendor class 343 PXEClient/HTTPClient, user
 * class iPXE, or an architecture option 61), filling *c; -ENOENT for
 * anyone else. */
int dhcp6_classify(const struct dhcp6_msg *m, const struct sockaddr_in6 *src, struct pxe_client *c);

/* *c for a client that is not a netboot client but holds a lease: the
 * "other" architecture and its MAC when one is known. */
void dhcp6_classify_plain(const struct dhcp6_msg *m, const struct sockaddr_in6 *src,
			  struct pxe_client *c);

/* The client's MAC: from a DUID-LL/LLT, else from an EUI-64 link-local
 * source address (EDK2 sends a DUID-UUID). 0 or -ENOENT. */
int dhcp6_client_mac(const struct dhcp6_msg *m, const struct sockaddr_in6 *src, uint8_t mac[6]);

/* The firmware family the logs name: "ipxe", "uefi" or "other". */
const char *dhcp6_fw_name(const struct pxe_client *c);

/* The boot URL for c: the boot plan's choice, a bare path becoming
 * tftp://HOST/path (host is "[addr]"). 0, or -errno with *why set
 * (-EPERM: a --host ignore rule). */
int dhcp6_boot_url(const struct bootplan *plan, const struct pxe_client *c, const char *host,
		   char *url, size_t cap, const char **why);

#endif
