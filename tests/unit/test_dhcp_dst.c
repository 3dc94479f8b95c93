/* Where a DHCP reply may go (dhcp_dst): a table of destinations for 4011
 * requesters, relays (giaddr) and DHCPv6 clients; and dhcp4_answer()
 * staying silent for a 4011 request from 0.0.0.0 and a bad giaddr. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/dhcp_dst.h"

static struct iface lan(void)
{
	struct iface ifc = {.index = 2, .name = "eth0", .has_ip4 = true};
	memcpy(ifc.ip4, (uint8_t[]){192, 0, 2, 2}, 4);
	memcpy(ifc.mask4, (uint8_t[]){255, 255, 255, 0}, 4);
	ifc.has_ip6 = ifc.has_ip6_ll = true;
	inet_pton(AF_INET6, "2001:db8::2", &ifc.ip6);
	inet_pton(AF_INET6, "fe80::2", &ifc.ip6_ll);
	return ifc;
}

static void test_dhcp4_table(void **state)
{
	(void)state;
	static const struct {
		const char *addr;
		uint16_t port;
		enum dhcp_dst_kind kind;
		bool ok;
	} v[] = {
	    {"192.0.2.101", 4011, DHCP_DST_CLIENT, true},
	    {"192.0.2.101", 68, DHCP_DST_CLIENT, true},
	    {"198.51.100.1", 67, DHCP_DST_RELAY, true},
	    {"198.51.100.1", 0, DHCP_DST_CLIENT, false},
	    {"0.0.0.0", 4011, DHCP_DST_CLIENT, false},
	    {"0.1.2.3", 4011, DHCP_DST_CLIENT, false},
	    {"127.0.0.1", 4011, DHCP_DST_CLIENT, false},
	    {"127.9.9.9", 67, DHCP_DST_RELAY, false},
	    {"224.0.0.1", 4011, DHCP_DST_CLIENT, false},
	    {"239.255.255.250", 67, DHCP_DST_RELAY, false},
	    {"240.0.0.1", 4011, DHCP_DST_CLIENT, false},
	    {"255.255.255.255", 4011, DHCP_DST_CLIENT, false},
	    {"255.255.255.255", 67, DHCP_DST_RELAY, false},
	    {"192.0.2.255", 4011, DHCP_DST_CLIENT, false}, /* our subnet's broadcast */
	    {"192.0.2.255", 67, DHCP_DST_RELAY, false},
	    {"198.51.100.255", 67, DHCP_DST_RELAY, true}, /* another subnet: unknown */
	    {"192.0.2.2", 4011, DHCP_DST_CLIENT, false},  /* ourselves */
	    {"192.0.2.2", 67, DHCP_DST_RELAY, false},
	    {"169.254.1.1", 67, DHCP_DST_RELAY, false},
	    {"169.254.1.1", 4011, DHCP_DST_CLIENT, true}, /* a link-local client is fine */
	};
	struct iface ifc = lan();
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct sockaddr_in d = {.sin_family = AF_INET, .sin_port = htons(v[i].port)};
		const char *why = NULL;
		inet_pton(AF_INET, v[i].addr, &d.sin_addr);
		int r = dhcp4_dst_check(&d, v[i].kind, &ifc, &why);
		if ((r == 0) != v[i].ok)
			fail_msg("%s:%u (%s): %s", v[i].addr, v[i].port,
				 v[i].kind == DHCP_DST_RELAY ? "relay" : "client",
				 r ? why : "accepted");
		if (r && (r != -EADDRNOTAVAIL || !why))
			fail_msg("%s: refused without a reason", v[i].addr);
	}
	/* a /31 (RFC 3021) has no broadcast address: both ends are hosts */
	memcpy(ifc.mask4, (uint8_t[]){255, 255, 255, 254}, 4);
	struct sockaddr_in d = {.sin_family = AF_INET, .sin_port = htons(4011)};
	const char *why;
	inet_pton(AF_INET, "192.0.2.3", &d.sin_addr);
	assert_int_equal(dhcp4_dst_check(&d, DHCP_DST_CLIENT, &ifc, &why), 0);
}

static void test_dhcp6_table(void **state)
{
	(void)state;
	static const struct {
		const char *addr;
		uint16_t port;
		bool ok;
	} v[] = {
	    {"fe80::5054:ff:fe12:3456", 546, true}, /* the standard path */
	    {"2001:db8::1ab", 4011, true},
	    {"2001:db8::1ab", 0, false},
	    {"::", 546, false},
	    {"::1", 546, false},
	    {"ff02::1", 546, false},
	    {"ff02::1:2", 547, false},
	    {"ff05::1:3", 546, false},
	    {"::ffff:192.0.2.1", 546, false},
	    {"::192.0.2.1", 546, false},
	    {"2001:db8::2", 4011, false}, /* ourselves */
	    {"fe80::2", 546, false},
	};
	struct iface ifc = lan();
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct sockaddr_in6 d = {.sin6_family = AF_INET6, .sin6_port = htons(v[i].port)};
		const char *why = NULL;
		inet_pton(AF_INET6, v[i].addr, &d.sin6_addr);
		int r = dhcp6_dst_check(&d, &ifc, &why);
		if ((r == 0) != v[i].ok)
			fail_msg("[%s]:%u: %s", v[i].addr, v[i].port, r ? why : "accepted");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dhcp4_table),
	    cmocka_unit_test(test_dhcp6_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
