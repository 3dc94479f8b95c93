/* serve --mode auto's pure part: the per-interface decision on a fake
 * clock (window, re-probes, an OFFER from another server, the own-DHCP
 * rule), which replies count as another DHCP server, and the rtnetlink
 * reader of "did this address come from DHCP" over a captured dump and
 * malformed vectors. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/automode.h"
#include "netboot/dhcp4_wire.h"

static const struct auto_timing tm = {.window_ms = 3000, .retry_ms = 1000, .interval_ms = 2000};

static void test_silent_lan_goes_full(void **state)
{
	(void)state;
	struct auto_if a;
	uint64_t now = 1000;
	assert_int_equal(auto_start(&a, &tm, now, false), AUTO_SEND_DISCOVER);
	assert_int_equal(a.state, AUTO_PROBING);
	/* DISCOVERs at 1 s steps through the window, then the decision */
	assert_int_equal(auto_due(&a, now + 999), AUTO_NONE);
	assert_int_equal(auto_deadline(&a), now + 1000);
	assert_int_equal(auto_due(&a, now + 1000), AUTO_SEND_DISCOVER);
	assert_int_equal(auto_due(&a, now + 2000), AUTO_SEND_DISCOVER);
	assert_int_equal(auto_deadline(&a), now + 3000);
	assert_int_equal(auto_due(&a, now + 3000), AUTO_GO_FULL);
	assert_int_equal(a.state, AUTO_FULL);
	assert_int_equal(a.reason, AUTO_R_SILENT);
	assert_int_equal(a.probes, 3);
	/* then one DISCOVER per interval, never a decision of its own */
	now += 3000;
	for (int i = 0; i < 10; i++) {
		now = auto_deadline(&a);
		assert_int_equal(auto_due(&a, now), AUTO_SEND_DISCOVER);
		assert_int_equal(auto_deadline(&a), now + 2000);
		assert_int_equal(a.state, AUTO_FULL);
	}
	/* a server appears: proxy at once, for good */
	const uint8_t srv[4] = {192, 0, 2, 1};
	assert_int_equal(auto_offer(&a, srv), AUTO_GO_PROXY);
	assert_int_equal(a.state, AUTO_PROXY);
	assert_int_equal(a.reason, AUTO_R_OFFER);
	assert_memory_equal(a.server, srv, 4);
	assert_int_equal(auto_offer(&a, srv), AUTO_NONE);
	assert_int_equal(auto_deadline(&a), UINT64_MAX);
	assert_int_equal(auto_due(&a, now + 1000000), AUTO_NONE);
	assert_string_equal(auto_state_name(a.state), "proxy");
}

static void test_router_answers_in_window(void **state)
{
	(void)state;
	struct auto_if a;
	const uint8_t srv[4] = {192, 0, 2, 1};
	auto_start(&a, &tm, 0, false);
	assert_int_equal(auto_due(&a, 1000), AUTO_SEND_DISCOVER);
	assert_int_equal(auto_offer(&a, srv), AUTO_GO_PROXY);
	/* never full afterwards, whatever the clock says */
	for (uint64_t t = 1000; t < 100000; t += 500)
		assert_int_not_equal(auto_due(&a, t), AUTO_GO_FULL);
	assert_int_equal(a.state, AUTO_PROXY);
}

static void test_own_address_from_dhcp(void **state)
{
	(void)state;
	struct auto_if a;
	auto_start(&a, &tm, 0, true);
	auto_due(&a, 1000);
	auto_due(&a, 2000);
	assert_int_equal(auto_due(&a, 3000), AUTO_GO_PROXY);
	assert_int_equal(a.reason, AUTO_R_OWN_DHCP);
	assert_non_null(strstr(auto_reason_text(a.reason), "came from DHCP"));
	/* a zero window and retry still terminate and decide */
	struct auto_timing z = {0};
	auto_start(&a, &z, 50, false);
	assert_int_equal(auto_due(&a, 50), AUTO_GO_FULL);
	assert_int_equal(auto_due(&a, 50), AUTO_NONE);
	assert_int_equal(auto_due(&a, 51), AUTO_SEND_DISCOVER);
}

/* A server's reply: type, yiaddr (NULL: 0.0.0.0), server id (NULL: none). */
static size_t reply(uint8_t *buf, size_t cap, uint8_t op, uint8_t type, const char *yiaddr,
		    const char *sid)
{
	struct dhcp4_hdr h = {.op = op, .xid = 0x1234, .hlen = 6};
	struct wbuf w;
	uint8_t ip[4];
	h.chaddr[0] = 0x52;
	if (yiaddr)
		inet_pton(AF_INET, yiaddr, h.yiaddr);
	wbuf_init(&w, buf, cap);
	dhcp4_build_header(&w, &h);
	dhcp4_build_opt_u8(&w, DHCP4_OPT_MSG_TYPE, type);
	if (sid) {
		inet_pton(AF_INET, sid, ip);
		dhcp4_build_opt(&w, DHCP4_OPT_SERVER_ID, ip, 4);
	}
	dhcp4_build_end(&w);
	assert_false(w.err);
	return w.len;
}

static void test_reply_other(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		uint8_t op, type;
		const char *yiaddr, *sid, *src;
		int want;
		const char *server;
	} t[] = {
	    {"router's offer", 2, DHCP4_OFFER, "192.0.2.150", "192.0.2.1", "192.0.2.1", 1,
	     "192.0.2.1"},
	    {"router's ack", 2, DHCP4_ACK, "192.0.2.150", "192.0.2.1", "192.0.2.1", 1, "192.0.2.1"},
	    {"relayed: server id, not source", 2, DHCP4_OFFER, "192.0.2.150", "198.51.100.9",
	     "192.0.2.254", 1, "198.51.100.9"},
	    {"no server id: the source", 2, DHCP4_OFFER, "192.0.2.150", NULL, "192.0.2.1", 1,
	     "192.0.2.1"},
	    {"a proxy's offer (no address)", 2, DHCP4_OFFER, NULL, "192.0.2.9", "192.0.2.9", 0,
	     NULL},
	    {"our own offer", 2, DHCP4_OFFER, "192.0.2.150", "192.0.2.2", "192.0.2.2", 0, NULL},
	    {"our own, other interface", 2, DHCP4_OFFER, "198.51.100.50", "198.51.100.2",
	     "198.51.100.2", 0, NULL},
	    {"a NAK", 2, DHCP4_NAK, NULL, "192.0.2.1", "192.0.2.1", 0, NULL},
	    {"a client's request", 1, DHCP4_REQUEST, NULL, "192.0.2.1", "0.0.0.0", 0, NULL},
	};
	const uint8_t ours[8] = {192, 0, 2, 2, 198, 51, 100, 2};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint8_t buf[600], src[4], srv[4] = {0}, want[4];
		size_t n = reply(buf, sizeof buf, t[i].op, t[i].type, t[i].yiaddr, t[i].sid);
		inet_pton(AF_INET, t[i].src, src);
		int r = auto_reply_other(buf, n, src, ours, 2, srv);
		if (r != t[i].want)
			fail_msg("%s: got %d, want %d", t[i].name, r, t[i].want);
		if (t[i].server) {
			inet_pton(AF_INET, t[i].server, want);
			if (memcmp(srv, want, 4))
				fail_msg("%s: wrong server", t[i].name);
		}
	}
	/* garbage and cuts of a real offer: never read past the end */
	uint8_t buf[600], srv[4];
	const uint8_t src[4] = {192, 0, 2, 1};
	size_t n = reply(buf, sizeof buf, 2, DHCP4_OFFER, "192.0.2.150", "192.0.2.1");
	for (size_t k = 0; k < 236; k++)
		assert_int_equal(auto_reply_other(buf, k, src, NULL, 0, srv), -EBADMSG);
	assert_int_equal(auto_reply_other(buf, n, src, NULL, 0, srv), 1);
}

static size_t load(const char *name, uint8_t *buf, size_t cap)
{
	char path[512];
	snprintf(path, sizeof path, "%s/tests/vectors/%s", LIFEBOAT_SRCDIR, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* tests/vectors/rtnl-getaddr-dump.bin: a real RTM_GETADDR dump (x86_64)
 * of a namespace where ifindex 2 has 192.0.2.2/24 (static, permanent) and
 * ifindex 3 198.51.100.7/24 with valid_lft 3600 (as a DHCP client sets). */
static void test_nl_dump(void **state)
{
	(void)state;
	uint8_t buf[4096];
	size_t n = load("rtnl-getaddr-dump.bin", buf, sizeof buf);
	assert_int_equal(n, 172);
	bool dyn = false, done = false;
	assert_int_equal(auto_nl_dynamic(buf, n, 3, &dyn, &done), 0);
	assert_true(dyn);
	assert_true(done);
	dyn = done = false;
	assert_int_equal(auto_nl_dynamic(buf, n, 2, &dyn, &done), 0);
	assert_false(dyn);
	assert_true(done);
	dyn = false;
	assert_int_equal(auto_nl_dynamic(buf, n, 9, &dyn, &done), 0);
	assert_false(dyn);
	/* every cut: an error or a clean stop, never a read past the end */
	for (size_t k = 0; k < n; k++) {
		dyn = done = false;
		int r = auto_nl_dynamic(buf, k, 3, &dyn, &done);
		assert_true(r == 0 || r == -EBADMSG);
	}
	/* a netlink error message */
	const uint32_t err[5] = {20, 2, 0, 0, 0};
	assert_int_equal(auto_nl_dynamic(err, sizeof err, 3, &dyn, &done), -EIO);
	/* a header claiming less than itself */
	const uint32_t tiny[4] = {8, 20, 0, 0};
	assert_int_equal(auto_nl_dynamic(tiny, sizeof tiny, 3, &dyn, &done), -EBADMSG);
	/* an attribute of length 2 */
	uint8_t bad[16 + 8 + 4];
	uint32_t h[4] = {sizeof bad, 20, 0, 0};
	memcpy(bad, h, 16);
	memset(bad + 16, 0, 12);
	bad[16] = 2;
	bad[20] = 3;
	bad[24] = 2; /* rta_len 2 */
	assert_int_equal(auto_nl_dynamic(bad, sizeof bad, 3, &dyn, &done), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_silent_lan_goes_full),
	    cmocka_unit_test(test_router_answers_in_window),
	    cmocka_unit_test(test_own_address_from_dhcp),
	    cmocka_unit_test(test_reply_other),
	    cmocka_unit_test(test_nl_dump),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
