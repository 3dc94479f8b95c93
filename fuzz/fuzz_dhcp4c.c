/* libFuzzer: dhcp4c_parse on arbitrary bytes (the rescue DHCP client's
 * reader of untrusted replies); an accepted reply is fed to a client in
 * every state, whose requests must still build. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/dhcp4c.h"
#include "rescue/dhcp4c_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp4c_reply r;
	if (dhcp4c_parse(data, size, &r))
		return 0;
	if (strlen(r.domain) >= sizeof r.domain || r.n_dns > DHCP4C_MAX_DNS)
		abort();
	static const uint8_t mac[6] = {0x52, 0x54, 0, 1, 2, 3};
	struct dhcp4c c;
	struct dhcp4c_out o;
	dhcp4c_init(&c, mac, "fuzz", 1, 0);
	for (int s = DHCP4C_S_INIT; s <= DHCP4C_S_REBINDING; s++) {
		c.state = (enum dhcp4c_state)s;
		c.xid = r.xid;
		memcpy(r.chaddr, mac, 6);
		dhcp4c_input(&c, &r, 1000, &o);
		if (o.len > sizeof o.pkt || (c.have_lease && c.lease.prefix > 32))
			abort();
		dhcp4c_timeout(&c, c.next_ms == UINT64_MAX ? 0 : c.next_ms, &o);
	}
	return 0;
}
