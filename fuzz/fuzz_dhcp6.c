/* libFuzzer: DHCPv6 parse, netboot classification and the whole answer path
 * in both modes (proxy and stateful, ports 547 and 4011). Whatever is sent
 * must parse back; a proxy reply never carries an IA_NA; a Solicit never
 * changes the leases (an Advertise holds nothing); nothing is sent to a
 * multicast or loopback address. Seeds: the shape
 * of EDK2's PXEv6 Solicit / 4011 Request, iPXE and HTTP boot clients. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "netboot/dhcp6_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dhcp6_leases leases; /* persists across inputs, like the server's */
static struct ratelimit rl;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t now = 1000;
	struct bootplan plan;
	struct dhcp6_range range;
	const char *why;
	struct iface ifc = {.index = 2, .name = "f0", .has_ip6 = true};
	struct sockaddr_in6 src = {.sin6_family = AF_INET6, .sin6_port = htons(546)};
	uint8_t out[1024];
	struct dhcp6_answer a;
	struct dhcp6_msg m;
	inet_pton(AF_INET6, "2001:db8::2", &ifc.ip6);
	inet_pton(AF_INET6, "fe80::5054:ff:fe12:3456", &src.sin6_addr);
	memset(&plan, 0, sizeof plan);
	plan.http = plan.tftp = true;
	plan.http_port = 8080;
	plan.ipxe_dir = "/usr/lib/ipxe";
	plan.kernel = "/k/linux";
	plan.initrd[0] = "/k/initrd.gz";
	plan.n_initrd = 1;
	bootplan_add_boot(&plan, "efi64-http=http://198.51.100.7/x.efi", &why);
	bootplan_add_boot(&plan, "arm64=a/b.efi", &why);
	dhcp6_range_parse("2001:db8::10,2001:db8::20", &range, &why);
	log_setup(LOG_FMT_TEXT, LOG_LVL_ERR, 2);
	if (!rl.per_key_burst)
		ratelimit_init(&rl, 4, 8, 1000, 101);
	now += 7000;
	for (int mode = 0; mode < 2; mode++) {
		struct dhcp6_ctx ctx = {
		    .plan = &plan,
		    .range = mode ? &range : NULL,
		    .leases = &leases,
		    .now_ms = now,
		    .server_mac = {2, 0, 0, 0, 0, 2},
		    .rl = mode ? &rl : NULL,
		};
		for (int binl = 0; binl < 2; binl++) {
			size_t live = dhcp6_leases_live(&leases, now);
			dhcp6_answer(&ctx, &ifc, binl, &src, data, size, out, sizeof out, &a);
			if (size && data[0] == DHCP6_SOLICIT &&
			    dhcp6_leases_live(&leases, now) != live)
				__builtin_trap();
			if (!a.len)
				continue;
			if (dhcp6_parse(out, a.len, &m))
				__builtin_trap();
			if ((!mode || binl) && m.has_ia_na)
				__builtin_trap();
			if (IN6_IS_ADDR_MULTICAST(&a.dst.sin6_addr) ||
			    IN6_IS_ADDR_LOOPBACK(&a.dst.sin6_addr))
				__builtin_trap();
			if (!m.serverid.present || strlen(a.log) == 0)
				__builtin_trap();
		}
	}
	return 0;
}
