/* kcmdline: the rescue init's kernel command line (lifeboat.home/cmd with
 * the kernel's quoting, ip= in its forms, console=), malformed values. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rescue/kcmdline.h"

static void test_words(void **state)
{
	(void)state;
	struct kcmdline k;
	const char *bad = (const char *)1;
	kcmdline_parse("BOOT_IMAGE=/vmlinuz console=tty0 console=ttyS0,115200n8 quiet "
		       "lifeboat.home=http://192.0.2.2:8080 "
		       "lifeboat.cmd=\"echo hello; e2fsck -n /dev/vda\" ip=dhcp\n",
		       &k, &bad);
	assert_null(bad);
	assert_string_equal(k.home, "http://192.0.2.2:8080");
	assert_string_equal(k.cmd, "echo hello; e2fsck -n /dev/vda");
	assert_int_equal(k.ip.mode, KCMD_IP_DHCP);
	assert_int_equal(k.n_consoles, 2);
	assert_string_equal(k.consoles[0], "tty0");
	assert_string_equal(k.consoles[1], "ttyS0");
	/* the quote may open the word, as the kernel allows */
	kcmdline_parse("\"lifeboat.cmd=a  b\" console=ttyS0 console=ttyS0", &k, NULL);
	assert_string_equal(k.cmd, "a  b");
	assert_int_equal(k.n_consoles, 1);
	/* an unterminated quote runs to the end */
	kcmdline_parse("lifeboat.cmd=\"x y", &k, NULL);
	assert_string_equal(k.cmd, "x y");
	kcmdline_parse("", &k, &bad);
	assert_null(bad);
	assert_string_equal(k.home, "");
}

static void test_too_long(void **state)
{
	(void)state;
	char text[3000] = "quiet lifeboat.home=http://";
	memset(text + strlen(text), 'a', 600);
	struct kcmdline k;
	const char *bad = NULL;
	kcmdline_parse(text, &k, &bad);
	assert_non_null(bad);
	assert_ptr_equal(bad, text + 6);
	assert_string_equal(k.home, "");
}

static void test_ip(void **state)
{
	(void)state;
	static const struct {
		const char *v;
		int rc;
		enum kcmd_ip_mode mode;
		const char *addr, *device;
		int prefix_set;
	} v[] = {
	    {"dhcp", 0, KCMD_IP_DHCP, "0.0.0.0", "", 0},
	    {"on", 0, KCMD_IP_DHCP, "0.0.0.0", "", 0},
	    {"off", 0, KCMD_IP_OFF, "0.0.0.0", "", 0},
	    {"none", 0, KCMD_IP_OFF, "0.0.0.0", "", 0},
	    {"192.0.2.9::192.0.2.1:255.255.255.0:box:eth0:off", 0, KCMD_IP_STATIC, "192.0.2.9",
	     "eth0", 1},
	    {"192.0.2.9::192.0.2.1:255.255.255.0", 0, KCMD_IP_STATIC, "192.0.2.9", "", 1},
	    {":::::eth1:dhcp", 0, KCMD_IP_DHCP, "0.0.0.0", "eth1", 0},
	    {"192.0.2.9:::::eth1:dhcp", 0, KCMD_IP_DHCP, "192.0.2.9", "eth1", 0},
	    {"192.0.2.9::::::off:198.51.100.53", 0, KCMD_IP_STATIC, "192.0.2.9", "", 0},
	    /* malformed: fall back to DHCP */
	    {"192.0.2.300::::::off", -EINVAL, KCMD_IP_DHCP, "0.0.0.0", "", 0},
	    {":::::eth0:off", -EINVAL, KCMD_IP_DHCP, "0.0.0.0", "", 0},
	    {"192.0.2.9:::::eth0:maybe", -EINVAL, KCMD_IP_DHCP, "0.0.0.0", "", 0},
	    {"192.0.2.9:::::averyveryverylongifname:off", -EINVAL, KCMD_IP_DHCP, "0.0.0.0", "", 0},
	    {"192.0.2.9::::::off:1.2.3", -EINVAL, KCMD_IP_DHCP, "0.0.0.0", "", 0},
	    {"1.2.3.4.5", -EINVAL, KCMD_IP_DHCP, "0.0.0.0", "", 0},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct kcmd_ip ip;
		char a[16];
		int rc = kcmdline_parse_ip(v[i].v, &ip);
		if (rc != v[i].rc || ip.mode != v[i].mode)
			fail_msg("ip=%s: rc %d mode %d", v[i].v, rc, ip.mode);
		snprintf(a, sizeof a, "%u.%u.%u.%u", ip.addr[0], ip.addr[1], ip.addr[2], ip.addr[3]);
		assert_string_equal(a, v[i].addr);
		assert_string_equal(ip.device, v[i].device);
		assert_int_equal(ip.has_mask, v[i].prefix_set);
	}
	struct kcmd_ip ip;
	assert_int_equal(kcmdline_parse_ip("192.0.2.9::192.0.2.1:255.255.255.0:box::off:"
					   "198.51.100.53:198.51.100.54",
					   &ip),
			 0);
	assert_int_equal(ip.n_dns, 2);
	assert_int_equal(ip.gw[3], 1);
	assert_string_equal(ip.hostname, "box");
	struct kcmdline k;
	const char *bad;
	kcmdline_parse("ip=bogus:::::x:y quiet", &k, &bad);
	assert_non_null(bad);
	assert_int_equal(k.ip.mode, KCMD_IP_DHCP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words),
	    cmocka_unit_test(test_too_long),
	    cmocka_unit_test(test_ip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
