/* netup: resolv.conf text from a lease, and which /sys/class/net entries
 * count as wired (fake sysfs trees: Ethernet with a device, Wi-Fi, bridge,
 * veth, a non-Ethernet type). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "rescue/netup.h"

static void test_resolv(void **state)
{
	(void)state;
	struct dhcp4c_lease l;
	char out[512];
	memset(&l, 0, sizeof l);
	assert_int_equal(netup_resolv_text(out, sizeof out, &l), 29);
	assert_string_equal(out, "# written by lifeboat (DHCP)\n");
	strcpy(l.domain, "lab.test");
	l.n_dns = 2;
	memcpy(l.dns[0], (uint8_t[]){192, 0, 2, 1}, 4);
	memcpy(l.dns[1], (uint8_t[]){198, 51, 100, 53}, 4);
	assert_true(netup_resolv_text(out, sizeof out, &l) > 0);
	assert_string_equal(out, "# written by lifeboat (DHCP)\nsearch lab.test\n"
				 "nameserver 192.0.2.1\nnameserver 198.51.100.53\n");
	assert_int_equal(netup_resolv_text(out, 40, &l), -ENOBUFS);
	char dir[] = "/tmp/lbnetup.XXXXXX", path[300];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/resolv.conf", dir);
	assert_int_equal(netup_write_resolv(path, &l), 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(out, 1, sizeof out - 1, f);
	out[n] = 0;
	fclose(f);
	assert_non_null(strstr(out, "nameserver 198.51.100.53\n"));
	unlink(path);
	rmdir(dir);
}

static void mk(const char *root, const char *name, const char *type, const char *const *extra)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, name);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/%s/type", root, name);
	FILE *f = fopen(p, "w");
	fprintf(f, "%s\n", type);
	fclose(f);
	for (; extra && *extra; extra++) {
		snprintf(p, sizeof p, "%s/%s/%s", root, name, *extra);
		assert_int_equal(mkdir(p, 0755), 0);
	}
}

static void test_wired(void **state)
{
	(void)state;
	char root[] = "/tmp/lbnetup.XXXXXX", p[512];
	assert_non_null(mkdtemp(root));
	static const struct {
		const char *name, *type;
		const char *extra[3];
		bool wired;
	} v[] = {
	    {"eth0", "1", {"device"}, true},
	    {"wlan0", "1", {"device", "wireless"}, false},
	    {"wlp2s0", "1", {"device", "phy80211"}, false},
	    {"br0", "1", {"bridge"}, false},
	    {"veth0", "1", {NULL}, false},
	    {"ib0", "32", {"device"}, false},
	    {"odd", "", {"device"}, false},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		mk(root, v[i].name, v[i].type, v[i].extra);
		snprintf(p, sizeof p, "%s/%s", root, v[i].name);
		if (netup_is_wired(p) != v[i].wired)
			fail_msg("%s", v[i].name);
	}
	snprintf(p, sizeof p, "%s/missing", root);
	assert_false(netup_is_wired(p));
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resolv),
	    cmocka_unit_test(test_wired),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
