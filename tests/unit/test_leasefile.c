/* leasefile: systemd-networkd and dhclient lease files as those clients
 * write them (Debian 12), several blocks, other interfaces, malformed
 * values, NUL bytes, truncation; the date arithmetic. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rescue/leasefile.h"

static const char networkd[] = "# This is private data. Do not parse.\n"
			       "ADDRESS=192.0.2.57\n"
			       "NETMASK=255.255.255.0\n"
			       "ROUTER=192.0.2.1 192.0.2.2\n"
			       "SERVER_ADDRESS=192.0.2.3\n"
			       "NEXT_SERVER=192.0.2.3\n"
			       "BROADCAST=192.0.2.255\n"
			       "T1=1800\n"
			       "T2=3150\n"
			       "LIFETIME=3600\n"
			       "DNS=192.0.2.53 198.51.100.53\n"
			       "DOMAINNAME=example.test\n"
			       "CLIENTID=ff2d9ad0e400020000ab11c4d1a0e1c9f3a8b2\n";

static void test_networkd(void **state)
{
	(void)state;
	struct lease4 l;
	assert_int_equal(leasefile_networkd(networkd, strlen(networkd), &l), 0);
	assert_memory_equal(l.addr, ((uint8_t[]){192, 0, 2, 57}), 4);
	assert_true(l.has_mask);
	assert_memory_equal(l.mask, ((uint8_t[]){255, 255, 255, 0}), 4);
	assert_true(l.has_router);
	assert_memory_equal(l.router, ((uint8_t[]){192, 0, 2, 1}), 4);
	assert_true(l.has_server);
	assert_memory_equal(l.server, ((uint8_t[]){192, 0, 2, 3}), 4);
	assert_int_equal(l.lease_s, 3600);
	assert_int_equal(l.n_dns, 2);
	assert_memory_equal(l.dns[1], ((uint8_t[]){198, 51, 100, 53}), 4);
	assert_string_equal(l.ifname, "");
}

static void test_networkd_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int rc;
	} t[] = {
	    {"", -ENOENT},
	    {"NETMASK=255.255.255.0\n", -ENOENT},
	    {"ADDRESS=192.0.2\n", -ENOENT},
	    {"ADDRESS=192.0.2.256\n", -ENOENT},
	    {"ADDRESS=192.0.2.1.5\n", -ENOENT},
	    {"ADDRESS=1920.0.2.1\n", -ENOENT},
	    {"ADDRESS=192..2.1\n", -ENOENT},
	    {"ADDRESS= \n", -ENOENT},
	    {"ADDRESS=192.0.2.9", 0}, /* no final newline */
	    {"ADDRESS=192.0.2.9\r\nLIFETIME=99999999999\n", 0},
	    {"ADDRESS=192.0.2.9\nDNS=,,1.2.3.4,x, 5.6.7.8 9.9.9.9 8.8.8.8\n", 0},
	};
	struct lease4 l;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		assert_int_equal(leasefile_networkd(t[i].text, strlen(t[i].text), &l), t[i].rc);
	assert_int_equal(l.n_dns, LEASE4_MAX_DNS); /* the last vector: capped at 3 */
	const char nul[] = "ADDRESS=192.0.2.9\n\0LIFETIME=3\n";
	assert_int_equal(leasefile_networkd(nul, sizeof nul - 1, &l), -EBADMSG);
	const char *lt = "ADDRESS=192.0.2.9\nLIFETIME=99999999999\n";
	assert_int_equal(leasefile_networkd(lt, strlen(lt), &l), 0);
	assert_int_equal(l.lease_s, 0); /* out of range: not given */
}

static const char dhclient[] =
    "default-duid \"\\000\\001\\000\\001,\\234\\373\\325RT\\000\\0224V\";\n"
    "lease {\n"
    "  interface \"eth0\";\n"
    "  fixed-address 192.0.2.50;\n"
    "  option subnet-mask 255.255.255.0;\n"
    "  option routers 192.0.2.1;\n"
    "  option dhcp-lease-time 600;\n"
    "  option dhcp-message-type 5;\n"
    "  option domain-name-servers 192.0.2.53;\n"
    "  option dhcp-server-identifier 192.0.2.2;\n"
    "  renew 3 2026/12/03 17:40:12;\n"
    "  rebind 3 2026/12/03 17:44:01;\n"
    "  expire 3 2026/12/03 17:45:16;\n"
    "}\n"
    "lease {\n"
    "  interface \"eth1\";\n"
    "  fixed-address 198.51.100.7;\n"
    "  option dhcp-server-identifier 198.51.100.1;\n"
    "  expire epoch 1764783916; # Wed Dec 03 17:45:16 2025\n"
    "}\n"
    "lease {\n"
    "  interface \"eth0\";\n"
    "  fixed-address 192.0.2.51;\n"
    "  option subnet-mask 255.255.255.128;\n"
    "  option routers 192.0.2.1,192.0.2.4;\n"
    "  option dhcp-lease-time 1200;\n"
    "  option domain-name-servers 192.0.2.53,198.51.100.53;\n"
    "  option dhcp-server-identifier 192.0.2.2;\n"
    "  expire 4 2026/12/04 00:00:00;\n"
    "}\n"
    "lease {\n"
    "  interface \"eth0\";\n"
    "  fixed-address 192.0.2.99;\n"; /* cut short: not complete */

static void test_dhclient(void **state)
{
	(void)state;
	struct lease4 l;
	assert_int_equal(leasefile_dhclient(dhclient, strlen(dhclient), "eth0", &l), 0);
	assert_string_equal(l.ifname, "eth0");
	assert_memory_equal(l.addr, ((uint8_t[]){192, 0, 2, 51}), 4); /* the last complete one */
	assert_memory_equal(l.mask, ((uint8_t[]){255, 255, 255, 128}), 4);
	assert_memory_equal(l.router, ((uint8_t[]){192, 0, 2, 1}), 4);
	assert_memory_equal(l.server, ((uint8_t[]){192, 0, 2, 2}), 4);
	assert_int_equal(l.lease_s, 1200);
	assert_int_equal(l.n_dns, 2);
	assert_int_equal(l.expire, 1796342400); /* 2026-12-04 00:00:00 UTC */
	assert_int_equal(leasefile_dhclient(dhclient, strlen(dhclient), "eth1", &l), 0);
	assert_memory_equal(l.addr, ((uint8_t[]){198, 51, 100, 7}), 4);
	assert_int_equal(l.expire, 1764783916);
	assert_false(l.has_router);
	assert_int_equal(leasefile_dhclient(dhclient, strlen(dhclient), "eth9", &l), -ENOENT);
	assert_int_equal(leasefile_dhclient(dhclient, strlen(dhclient), NULL, &l), 0);
	assert_memory_equal(l.addr, ((uint8_t[]){192, 0, 2, 51}), 4);
}

static void test_dhclient_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "",
	    "lease {\n}\n",
	    "lease {\n  fixed-address 192.0.2.300;\n}\n",
	    "lease {\n  fixed-address 192.0.2.3\n}\n", /* no ';' */
	    "lease {\n  interface \"averyveryverylongname0\";\n  fixed-address 192.0.2.3;\n",
	    "}\n}\nlease\n",
	};
	struct lease4 l;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(leasefile_dhclient(bad[i], strlen(bad[i]), NULL, &l), -ENOENT);
	const char *odd = "lease {\n interface \"averyveryverylongname0\";\n"
			  " fixed-address 192.0.2.3;\n expire 3 2026/13/03 17:45:16;\n"
			  " option dhcp-lease-time -5;\n}\n";
	assert_int_equal(leasefile_dhclient(odd, strlen(odd), NULL, &l), 0);
	assert_string_equal(l.ifname, ""); /* too long: dropped */
	assert_int_equal(l.expire, 0);	   /* month 13 */
	assert_int_equal(l.lease_s, 0);
	const char nul[] = "lease {\n fixed-address 192.0.2.3;\n\0}\n";
	assert_int_equal(leasefile_dhclient(nul, sizeof nul - 1, NULL, &l), -EBADMSG);
}

static void test_ip_and_days(void **state)
{
	(void)state;
	uint8_t a[4];
	assert_int_equal(leasefile_ip("0.0.0.0", 7, a), 0);
	assert_int_equal(leasefile_ip("255.255.255.255", 15, a), 0);
	assert_int_equal(leasefile_ip("1.2.3.4", 5, a), -EINVAL); /* length bounds it */
	assert_int_equal(leasefile_ip("1.2.3.", 6, a), -EINVAL);
	assert_int_equal(leasefile_ip("-1.2.3.4", 8, a), -EINVAL);
	assert_int_equal(leasefile_days(1970, 1, 1), 0);
	assert_int_equal(leasefile_days(2000, 3, 1), 11017);
	assert_int_equal(leasefile_days(2024, 2, 29), 19782);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_networkd),	cmocka_unit_test(test_networkd_malformed),
	    cmocka_unit_test(test_dhclient),	cmocka_unit_test(test_dhclient_malformed),
	    cmocka_unit_test(test_ip_and_days),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
