/* libFuzzer: the DHCPv4 lease file parser (dhcp4_leasefile) and, for every
 * record it yields, a pool restore; plus ARP parse (arp_wire) of the same
 * bytes. Seeds: lease files as lifeboat writes them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "netboot/arp_wire.h"
#include "netboot/dhcp4_leasefile.h"
#include "netboot/dhcp4_leases.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void restore(void *arg, const struct dhcp4_lease_rec *r)
{
	struct dhcp4_pool *p = arg;
	dhcp4_pool_restore(p, r->declined ? NULL : r->mac, dhcp4_ip_u32(r->ip), r->expires);
	char line[96];
	if (dhcp4_leasefile_line(r, line, sizeof line) < 0)
		abort(); /* every parsed record can be written back */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dhcp4_pool pool;
	struct arp_pkt a;
	size_t bad;
	dhcp4_pool_init(&pool, 0xc0000200u, 0xc00002ffu, 3600);
	dhcp4_leasefile_parse(data, size, &bad, restore, &pool);
	dhcp4_pool_live(&pool, 1000);
	arp_wire_parse(data, size, &a);
	return 0;
}
