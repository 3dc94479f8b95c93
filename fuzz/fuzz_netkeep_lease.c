/* libFuzzer: the lease file parsers (networkd, dhclient) that the takeover
 * RAM system reads (rescue/leasefile; fuzz_leasefile is the DHCP server's).
 * Whatever parses must hold a usable address. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/leasefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lease4 l;
	if (!leasefile_networkd(data, size, &l) && l.n_dns > LEASE4_MAX_DNS)
		abort();
	if (!leasefile_dhclient(data, size, NULL, &l) &&
	    (l.n_dns > LEASE4_MAX_DNS || strnlen(l.ifname, sizeof l.ifname) == sizeof l.ifname))
		abort();
	leasefile_dhclient(data, size, "eth0", &l);
	return 0;
}
