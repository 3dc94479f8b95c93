/* dhcp4c_wire and dhcp4c: the rescue DHCPv4 client's codec (built requests,
 * parsed replies, malformed replies refused) and its state machine on a
 * fake clock (OFFER/ACK, retransmits, T1 renew, T2 rebind, NAK, expiry). */
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
#include "testutil.h"

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

/* A server reply: BOOTP header + cookie + the given option bytes. */
static size_t reply(uint8_t *p, uint32_t xid, const uint8_t yi[4], const uint8_t *opts,
		    size_t n)
{
	memset(p, 0, 240);
	p[0] = 2, p[1] = 1, p[2] = 6;
	p[4] = (uint8_t)(xid >> 24), p[5] = (uint8_t)(xid >> 16), p[6] = (uint8_t)(xid >> 8),
	p[7] = (uint8_t)xid;
	memcpy(p + 16, yi, 4);
	memcpy(p + 28, MAC, 6);
	p[236] = 0x63, p[237] = 0x82, p[238] = 0x53, p[239] = 0x63;
	memcpy(p + 240, opts, n);
	return 240 + n;
}

static const uint8_t YI[4] = {192, 0, 2, 150};
#define ACK_OPTS(type, lease)                                                                  \
	53, 1, type, 54, 4, 192, 0, 2, 1, 51, 4, 0, 0, 0, lease, 1, 4, 255, 255, 255, 0, 3, 4, \
	    192, 0, 2, 1, 6, 8, 192, 0, 2, 1, 198, 51, 100, 53, 15, 8, 'l', 'a', 'b', '.',      \
	    't', 'e', 's', 't', 26, 2, 5, 220, 255

static void test_parse_ack(void **state)
{
	(void)state;
	uint8_t p[600];
	const uint8_t o[] = {ACK_OPTS(5, 120)};
	struct dhcp4c_reply r;
	assert_int_equal(dhcp4c_parse(p, reply(p, 0xdeadbeef, YI, o, sizeof o), &r), 0);
	assert_int_equal(r.type, DHCP4C_ACK);
	assert_int_equal(r.xid, 0xdeadbeef);
	assert_memory_equal(r.yiaddr, YI, 4);
	assert_memory_equal(r.chaddr, MAC, 6);
	assert_int_equal(r.lease_s, 120);
	assert_int_equal(r.n_dns, 2);
	assert_int_equal(r.dns[1][0], 198);
	assert_string_equal(r.domain, "lab.test");
	assert_int_equal(r.mtu, 1500);
	assert_true(r.has_router && r.has_netmask);
	assert_int_equal(dhcp4c_mask_prefix(r.netmask), 24);
}

/* Captured from dnsmasq 2.89 (--dhcp-range=...,2m, options 6 and 15) on a
 * veth, answering lifeboat's client. */
static void test_parse_captured(void **state)
{
	(void)state;
	size_t n;
	struct dhcp4c_reply r;
	unsigned char *p = tu_read_vector("dhcp4c/dnsmasq-offer", &n);
	assert_int_equal(dhcp4c_parse(p, n, &r), 0);
	assert_int_equal(r.type, DHCP4C_OFFER);
	free(p);
	p = tu_read_vector("dhcp4c/dnsmasq-ack", &n);
	assert_int_equal(dhcp4c_parse(p, n, &r), 0);
	assert_int_equal(r.type, DHCP4C_ACK);
	assert_int_equal(r.lease_s, 120);
	assert_int_equal(r.t1_s, 60);
	assert_int_equal(r.t2_s, 105);
	assert_true(r.has_router && r.has_netmask);
	assert_memory_equal(r.server_id, ((uint8_t[]){192, 0, 2, 1}), 4);
	assert_int_equal(r.n_dns, 1);
	assert_string_equal(r.domain, "lab.test");
	assert_int_equal(r.yiaddr[0], 192);
	/* every truncation of a real reply is refused or parsed, never read past */
	for (size_t cut = 0; cut < n; cut++)
		(void)dhcp4c_parse(p, cut, &r);
	free(p);
}

static void test_parse_overload(void **state)
{
	(void)state;
	uint8_t p[600];
	/* option 52 = 1: the lease time lives in the file field */
	const uint8_t o[] = {53, 1, 2, 54, 4, 192, 0, 2, 1, 52, 1, 1, 255};
	size_t n = reply(p, 7, YI, o, sizeof o);
	const uint8_t infile[] = {51, 4, 0, 0, 1, 0, 255};
	memcpy(p + 108, infile, sizeof infile);
	struct dhcp4c_reply r;
	assert_int_equal(dhcp4c_parse(p, n, &r), 0);
	assert_int_equal(r.lease_s, 256);
	assert_int_equal(r.type, DHCP4C_OFFER);
}

static void test_parse_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		uint8_t opts[16];
		size_t n;
	} v[] = {
	    {"no option 53", {54, 4, 1, 2, 3, 4, 255}, 7},
	    {"request type", {53, 1, 3, 255}, 4},
	    {"53 too long", {53, 2, 5, 5, 255}, 5},
	    {"option past the end", {53, 1, 5, 6, 8, 1, 2, 3}, 8},
	    {"length byte missing", {53, 1, 5, 6}, 4},
	    {"server id 3 bytes", {53, 1, 5, 54, 3, 1, 2, 3, 255}, 9},
	    {"dns not a multiple of 4", {53, 1, 5, 6, 5, 1, 2, 3, 4, 5, 255}, 11},
	    {"lease 2 bytes", {53, 1, 5, 51, 2, 1, 2, 255}, 8},
	    {"mtu 1 byte", {53, 1, 5, 26, 1, 9, 255}, 7},
	    {"overload 4", {53, 1, 5, 52, 1, 4, 255}, 7},
	    {"router 0 bytes", {53, 1, 5, 3, 0, 255}, 6},
	};
	uint8_t p[600];
	struct dhcp4c_reply r;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t n = reply(p, 1, YI, v[i].opts, v[i].n);
		if (dhcp4c_parse(p, n, &r) != -EBADMSG)
			fail_msg("accepted: %s", v[i].what);
	}
	/* header faults */
	const uint8_t ok[] = {53, 1, 5, 255};
	size_t n = reply(p, 1, YI, ok, sizeof ok);
	assert_int_equal(dhcp4c_parse(p, n, &r), 0);
	for (size_t cut = 0; cut < 241; cut += 7)
		assert_int_equal(dhcp4c_parse(p, cut, &r), -EBADMSG);
	p[0] = 1; /* a request, not a reply */
	assert_int_equal(dhcp4c_parse(p, n, &r), -EBADMSG);
	p[0] = 2, p[2] = 16; /* hlen */
	assert_int_equal(dhcp4c_parse(p, n, &r), -EBADMSG);
	p[2] = 6, p[239] = 0; /* cookie */
	assert_int_equal(dhcp4c_parse(p, n, &r), -EBADMSG);
}

static void test_parse_lenient(void **state)
{
	(void)state;
	uint8_t p[600];
	struct dhcp4c_reply r;
	/* a domain with a shell metacharacter is dropped, a trailing NUL is
	 * tolerated, a tiny MTU ignored, unknown options skipped, no END ok */
	const uint8_t o[] = {53, 1, 5, 15, 4, 'a', ';', 'b', 0, 26, 2, 0, 20, 200, 2, 1, 1, 0, 0};
	assert_int_equal(dhcp4c_parse(p, reply(p, 1, YI, o, sizeof o), &r), 0);
	assert_string_equal(r.domain, "");
	assert_int_equal(r.mtu, 0);
	const uint8_t o2[] = {53, 1, 5, 15, 4, 'a', '.', 'b', 0};
	assert_int_equal(dhcp4c_parse(p, reply(p, 1, YI, o2, sizeof o2), &r), 0);
	assert_string_equal(r.domain, "a.b");
	const uint8_t nm[4] = {255, 0, 255, 0}, z[4] = {0}, all[4] = {255, 255, 255, 255};
	assert_int_equal(dhcp4c_mask_prefix(nm), -1);
	assert_int_equal(dhcp4c_mask_prefix(z), 0);
	assert_int_equal(dhcp4c_mask_prefix(all), 32);
}

static void test_build(void **state)
{
	(void)state;
	uint8_t buf[DHCP4C_PKT_MAX];
	struct wbuf w;
	struct dhcp4c_req q = {.type = DHCP4C_REQUEST, .xid = 0x01020304, .broadcast = true,
			       .req_ip = {192, 0, 2, 150}, .server_id = {192, 0, 2, 1},
			       .hostname = "rescue"};
	memcpy(q.mac, MAC, 6);
	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(dhcp4c_build(&w, &q), 0);
	assert_int_equal(w.len, 300);
	assert_int_equal(buf[0], 1);
	assert_int_equal(buf[10], 0x80); /* broadcast flag */
	assert_memory_equal(buf + 28, MAC, 6);
	/* options in order: 53, 61, 50, 54, 55, 57, 12 */
	assert_memory_equal(buf + 240, ((uint8_t[]){53, 1, 3, 61, 7, 1}), 6);
	assert_memory_equal(buf + 252, ((uint8_t[]){50, 4, 192, 0, 2, 150, 54, 4}), 8);
	/* too small a buffer: refused */
	wbuf_init(&w, buf, 250);
	assert_int_equal(dhcp4c_build(&w, &q), -ENOBUFS);
	q.type = DHCP4C_ACK;
	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(dhcp4c_build(&w, &q), -EINVAL);
}

/* ---- the state machine on a fake clock ---- */

static uint32_t sent_xid(const struct dhcp4c_out *o)
{
	return (uint32_t)o->pkt[4] << 24 | (uint32_t)o->pkt[5] << 16 | o->pkt[6] << 8 | o->pkt[7];
}

static uint8_t sent_type(const struct dhcp4c_out *o)
{
	return o->pkt[242]; /* 53 is the first option */
}

static void feed_xid(struct dhcp4c *c, uint32_t xid, uint64_t now, uint8_t type, uint32_t lease,
		     struct dhcp4c_out *o, bool expect_taken)
{
	uint8_t p[600];
	const uint8_t opts[] = {ACK_OPTS(type, (uint8_t)lease)};
	struct dhcp4c_reply r;
	assert_int_equal(dhcp4c_parse(p, reply(p, xid, YI, opts, sizeof opts), &r), 0);
	assert_int_equal(dhcp4c_input(c, &r, now, o), expect_taken);
}

static void feed(struct dhcp4c *c, uint64_t now, uint8_t type, uint32_t lease,
		 struct dhcp4c_out *o, bool expect_taken)
{
	feed_xid(c, c->xid, now, type, lease, o, expect_taken);
}

/* Boots a client to BOUND at t=10 s with a 120 s lease. */
static void boot(struct dhcp4c *c, struct dhcp4c_out *o)
{
	dhcp4c_init(c, MAC, "rescue", 42, 10000);
	dhcp4c_timeout(c, 10000, o);
	assert_true(o->send);
	assert_false(o->unicast);
	assert_int_equal(sent_type(o), DHCP4C_DISCOVER);
	assert_int_equal(c->state, DHCP4C_S_SELECTING);
	feed(c, 10000, DHCP4C_OFFER, 120, o, true);
	assert_int_equal(sent_type(o), DHCP4C_REQUEST);
	assert_int_equal(c->state, DHCP4C_S_REQUESTING);
	feed(c, 10000, DHCP4C_ACK, 120, o, true);
	assert_true(o->configure);
	assert_false(o->send);
	assert_int_equal(c->state, DHCP4C_S_BOUND);
	assert_int_equal(c->lease.prefix, 24);
	assert_int_equal(c->lease.t1_s, 60);
	assert_int_equal(c->lease.t2_s, 105);
	assert_int_equal(c->next_ms, 70000);
}

static void test_fsm_bind_renew(void **state)
{
	(void)state;
	struct dhcp4c c;
	struct dhcp4c_out o;
	boot(&c, &o);
	/* early timer: nothing */
	dhcp4c_timeout(&c, 69999, &o);
	assert_false(o.send);
	/* T1: unicast REQUEST with ciaddr, no option 50 */
	dhcp4c_timeout(&c, 70000, &o);
	assert_int_equal(c.state, DHCP4C_S_RENEWING);
	assert_true(o.send && o.unicast);
	assert_memory_equal(o.pkt + 12, YI, 4);
	assert_int_equal(o.pkt[10], 0); /* no broadcast flag */
	assert_int_equal(o.pkt[243], 61);
	assert_int_equal(o.pkt[252], 55); /* no 50/54 before the parameter list */
	assert_int_equal(c.next_ms, 70000 + 22500); /* halfway to T2 at 115 s */
	/* a stale-xid ACK is ignored */
	feed_xid(&c, c.xid ^ 1, 71000, DHCP4C_ACK, 120, &o, false);
	/* the renewal ACK: bound again, lease base at the request */
	feed(&c, 71000, DHCP4C_ACK, 120, &o, true);
	assert_true(o.configure);
	assert_false(o.deconfigure);
	assert_int_equal(c.state, DHCP4C_S_BOUND);
	assert_int_equal(c.renewals, 1);
	assert_int_equal(c.next_ms, 70000 + 60000);
}

static void test_fsm_rebind_expire(void **state)
{
	(void)state;
	struct dhcp4c c;
	struct dhcp4c_out o;
	boot(&c, &o);
	dhcp4c_timeout(&c, 70000, &o); /* RENEWING */
	uint64_t t = c.next_ms;
	dhcp4c_timeout(&c, t, &o); /* still before T2: resend unicast */
	assert_int_equal(c.state, DHCP4C_S_RENEWING);
	assert_true(o.unicast);
	/* T2 = 115 s: REBINDING, broadcast */
	while (c.state == DHCP4C_S_RENEWING) {
		assert_true(c.next_ms <= 115000);
		dhcp4c_timeout(&c, c.next_ms, &o);
	}
	assert_int_equal(c.state, DHCP4C_S_REBINDING);
	assert_true(o.send && !o.unicast);
	assert_memory_equal(o.pkt + 12, YI, 4);
	/* retries until expiry at 130 s, never past it */
	while (c.next_ms < 130000)
		dhcp4c_timeout(&c, c.next_ms, &o);
	assert_int_equal(c.next_ms, 130000);
	dhcp4c_timeout(&c, 130000, &o);
	assert_true(o.deconfigure);
	assert_false(c.have_lease);
	assert_int_equal(c.state, DHCP4C_S_SELECTING); /* and a fresh DISCOVER */
	assert_int_equal(sent_type(&o), DHCP4C_DISCOVER);
}

static void test_fsm_nak(void **state)
{
	(void)state;
	struct dhcp4c c;
	struct dhcp4c_out o;
	boot(&c, &o);
	dhcp4c_timeout(&c, 70000, &o);
	feed(&c, 70100, DHCP4C_NAK, 120, &o, true);
	assert_true(o.deconfigure);
	assert_int_equal(c.state, DHCP4C_S_INIT);
	assert_int_equal(c.naks, 1);
	assert_int_equal(c.next_ms, 72100);
	/* NAK while requesting: back to INIT without deconfigure */
	dhcp4c_timeout(&c, 72100, &o);
	feed(&c, 72200, DHCP4C_OFFER, 120, &o, true);
	feed(&c, 72300, DHCP4C_NAK, 120, &o, true);
	assert_false(o.deconfigure);
	assert_int_equal(c.state, DHCP4C_S_INIT);
	/* a NAK while selecting is not for us */
	dhcp4c_timeout(&c, c.next_ms, &o);
	feed(&c, 75000, DHCP4C_NAK, 120, &o, false);
	assert_int_equal(c.state, DHCP4C_S_SELECTING);
}

static void test_fsm_retransmit(void **state)
{
	(void)state;
	struct dhcp4c c;
	struct dhcp4c_out o;
	dhcp4c_init(&c, MAC, NULL, 1, 0);
	dhcp4c_timeout(&c, 0, &o);
	uint32_t xid = sent_xid(&o);
	uint64_t prev = 0, gap = 0;
	for (int i = 0; i < 10; i++) {
		uint64_t next = c.next_ms;
		assert_true(next - prev >= gap || next - prev >= 64000);
		assert_true(next - prev <= 65000);
		gap = next - prev - 1000;
		prev = next;
		dhcp4c_timeout(&c, next, &o);
		assert_true(o.send);
		assert_int_equal(sent_xid(&o), xid); /* one exchange, one xid */
		assert_int_equal(o.pkt[8] << 8 | o.pkt[9], next / 1000); /* secs */
	}
	/* REQUEST retries give up after four and start over */
	feed(&c, prev, DHCP4C_OFFER, 120, &o, true);
	for (int i = 0; i < 3; i++) {
		dhcp4c_timeout(&c, c.next_ms, &o);
		assert_int_equal(c.state, DHCP4C_S_REQUESTING);
	}
	dhcp4c_timeout(&c, c.next_ms, &o);
	assert_int_equal(c.state, DHCP4C_S_SELECTING);
	/* an offer without a server id or address is no offer */
	uint8_t p[600];
	const uint8_t noid[] = {53, 1, 2, 255};
	struct dhcp4c_reply r;
	assert_int_equal(dhcp4c_parse(p, reply(p, c.xid, YI, noid, sizeof noid), &r), 0);
	assert_false(dhcp4c_input(&c, &r, 0, &o));
}

static void test_fsm_new_address_and_release(void **state)
{
	(void)state;
	struct dhcp4c c;
	struct dhcp4c_out o;
	boot(&c, &o);
	dhcp4c_timeout(&c, 70000, &o);
	uint8_t p[600];
	const uint8_t opts[] = {ACK_OPTS(5, 200)};
	const uint8_t other[4] = {192, 0, 2, 151};
	struct dhcp4c_reply r;
	assert_int_equal(dhcp4c_parse(p, reply(p, c.xid, other, opts, sizeof opts), &r), 0);
	assert_true(dhcp4c_input(&c, &r, 70000, &o));
	assert_true(o.deconfigure && o.configure);
	assert_memory_equal(c.lease.addr, other, 4);
	dhcp4c_release(&c, 80000, &o);
	assert_true(o.send && o.unicast && o.deconfigure);
	assert_int_equal(sent_type(&o), DHCP4C_RELEASE);
	assert_int_equal(c.state, DHCP4C_S_INIT);
	assert_string_equal(dhcp4c_state_name(DHCP4C_S_REBINDING), "rebinding");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_ack),
	    cmocka_unit_test(test_parse_captured),
	    cmocka_unit_test(test_parse_overload),
	    cmocka_unit_test(test_parse_malformed),
	    cmocka_unit_test(test_parse_lenient),
	    cmocka_unit_test(test_build),
	    cmocka_unit_test(test_fsm_bind_renew),
	    cmocka_unit_test(test_fsm_rebind_expire),
	    cmocka_unit_test(test_fsm_nak),
	    cmocka_unit_test(test_fsm_retransmit),
	    cmocka_unit_test(test_fsm_new_address_and_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
