/* dhcp4c_adopt: the takeover RAM system takes over the lease of the old
 * system's DHCP client. Without a known server it rebinds (broadcast
 * REQUEST, ciaddr = the address, no server id); with one it renews by
 * unicast; an ACK binds with fresh times, a NAK drops the address. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rescue/dhcp4c.h"
#include "rescue/dhcp4c_wire.h"

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x57};
static const uint8_t ADDR[4] = {192, 0, 2, 77};

static size_t reply(uint8_t *p, uint32_t xid, uint8_t type, uint8_t lease_lo)
{
	const uint8_t opts[] = {53,	  1, type, 54,	4,   192, 0, 2, 1, 51,	4, 0, 0, 0,
				lease_lo, 1, 4,	   255, 255, 255, 0, 3, 4, 192, 0, 2, 1, 255};
	memset(p, 0, 240);
	p[0] = 2, p[1] = 1, p[2] = 6;
	p[4] = (uint8_t)(xid >> 24), p[5] = (uint8_t)(xid >> 16), p[6] = (uint8_t)(xid >> 8),
	p[7] = (uint8_t)xid;
	memcpy(p + 16, type == DHCP4C_NAK ? (const uint8_t[4]){0} : ADDR, 4);
	memcpy(p + 28, MAC, 6);
	p[236] = 0x63, p[237] = 0x82, p[238] = 0x53, p[239] = 0x63;
	memcpy(p + 240, opts, sizeof opts);
	return 240 + sizeof opts;
}

static struct dhcp4c_lease old(bool server)
{
	struct dhcp4c_lease l = {.prefix = 24, .has_router = true, .lease_s = 600};
	memcpy(l.addr, ADDR, 4);
	memcpy(l.router, (uint8_t[]){192, 0, 2, 1}, 4);
	if (server)
		memcpy(l.server, (uint8_t[]){192, 0, 2, 1}, 4);
	return l;
}

/* Whether the packet carries option code (after the cookie). */
static bool has_opt(const uint8_t *p, size_t n, uint8_t code)
{
	for (size_t i = 240; i + 1 < n && p[i] != 255;) {
		if (p[i] == 0) {
			i++;
			continue;
		}
		if (p[i] == code)
			return true;
		i += 2u + p[i + 1];
	}
	return false;
}

static void test_rebind_without_server(void **state)
{
	(void)state;
	struct dhcp4c c;
	struct dhcp4c_out o;
	struct dhcp4c_lease l = old(false);
	dhcp4c_init(&c, MAC, "lbvm", 7, 1000);
	dhcp4c_adopt(&c, &l, 5000);
	assert_int_equal(c.state, DHCP4C_S_BOUND);
	assert_true(c.have_lease);
	assert_int_equal(c.next_ms, 5000);
	dhcp4c_timeout(&c, 5000, &o);
	assert_int_equal(c.state, DHCP4C_S_REBINDING);
	assert_true(o.send);
	assert_false(o.unicast);
	assert_false(o.deconfigure);
	assert_memory_equal(o.pkt + 12, ADDR, 4); /* ciaddr */
	assert_false(has_opt(o.pkt, o.len, 54));  /* no server id */
	assert_false(has_opt(o.pkt, o.len, 50));  /* no requested ip */
	/* Retransmits before the lease runs out, then gives up. */
	assert_true(c.next_ms > 5000 && c.next_ms <= 5000 + 600 * 1000);
	uint8_t p[400];
	struct dhcp4c_reply r;
	assert_int_equal(dhcp4c_parse(p, reply(p, c.xid, DHCP4C_ACK, 200), &r), 0);
	assert_true(dhcp4c_input(&c, &r, 5100, &o));
	assert_int_equal(c.state, DHCP4C_S_BOUND);
	assert_true(o.configure);
	assert_false(o.deconfigure); /* same address: nothing removed */
	assert_int_equal(c.renewals, 1);
	assert_int_equal(c.lease.lease_s, 200);
	assert_int_equal(c.next_ms, 5000 + 100 * 1000); /* T1 of the new lease */
}

static void test_renew_with_server_and_nak(void **state)
{
	(void)state;
	struct dhcp4c c;
	struct dhcp4c_out o;
	struct dhcp4c_lease l = old(true);
	l.lease_s = 0; /* not known: an hour */
	dhcp4c_init(&c, MAC, NULL, 9, 0);
	dhcp4c_adopt(&c, &l, 10);
	assert_int_equal(c.lease.lease_s, 3600);
	dhcp4c_timeout(&c, 10, &o);
	assert_int_equal(c.state, DHCP4C_S_RENEWING);
	assert_true(o.send);
	assert_true(o.unicast);
	uint8_t p[400];
	struct dhcp4c_reply r;
	assert_int_equal(dhcp4c_parse(p, reply(p, c.xid ^ 1, DHCP4C_ACK, 200), &r), 0);
	assert_false(dhcp4c_input(&c, &r, 20, &o)); /* another xid */
	assert_int_equal(dhcp4c_parse(p, reply(p, c.xid, DHCP4C_NAK, 0), &r), 0);
	assert_true(dhcp4c_input(&c, &r, 20, &o));
	assert_true(o.deconfigure);
	assert_int_equal(c.state, DHCP4C_S_INIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rebind_without_server),
	    cmocka_unit_test(test_renew_with_server_and_nak),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
