/* Router advertisements: ra_wire's RS/RA builder and parser (round trip, a
 * radvd-shaped RA, malformed vectors RFC 4861 says to drop) and ra_sched's
 * schedule on a fake clock (listen window, initial RAs, RS answers and
 * their 3 s spacing, another router silences us, the hold time). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/ra_sched.h"
#include "netboot/ra_wire.h"

static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static void test_build_parse_roundtrip(void **state)
{
	(void)state;
	struct ra_params p = {.flags = RA_FLAG_M | RA_FLAG_O, .has_mac = true, .mtu = 1500,
			      .has_prefix = true, .prefix_valid = 1800, .prefix_pref = 900};
	memcpy(p.mac, mac, 6);
	const uint8_t pfx[8] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0};
	memcpy(p.prefix, pfx, 8);
	uint8_t out[128];
	struct wbuf w;
	wbuf_init(&w, out, sizeof out);
	assert_int_equal(ra_build(&w, &p), 0);
	assert_int_equal(w.len, 16 + 8 + 8 + 32);
	assert_int_equal(out[0], 134);
	assert_int_equal(out[5], 0xc0); /* M and O */
	assert_int_equal(out[6] << 8 | out[7], 0); /* no default route */
	struct ra_msg m;
	assert_int_equal(ra_parse(out, w.len, &m), 0);
	assert_int_equal(m.type, RA_TYPE_RA);
	assert_int_equal(m.flags, RA_FLAG_M | RA_FLAG_O);
	assert_int_equal(m.router_lifetime, 0);
	assert_int_equal(m.hop_limit, 64);
	assert_int_equal(m.mtu, 1500);
	assert_true(m.has_slla);
	assert_memory_equal(m.slla, mac, 6);
	assert_int_equal(m.n_prefixes, 1);
	assert_int_equal(m.prefixes[0].len, 64);
	assert_int_equal(m.prefixes[0].flags, RA_PREFIX_L); /* on-link, no SLAAC */
	assert_int_equal(m.prefixes[0].valid, 1800);
	assert_int_equal(m.prefixes[0].pref, 900);
	assert_memory_equal(m.prefixes[0].prefix, pfx, 8);
	/* --router6 */
	p.router_lifetime = 1800;
	p.mtu = 0;
	p.has_mac = false;
	wbuf_init(&w, out, sizeof out);
	assert_int_equal(ra_build(&w, &p), 0);
	assert_int_equal(w.len, 16 + 32);
	assert_int_equal(ra_parse(out, w.len, &m), 0);
	assert_int_equal(m.router_lifetime, 1800);
	assert_false(m.has_slla);
	/* too small a buffer: refused, nothing written */
	for (size_t cap = 0; cap < 48; cap++) {
		wbuf_init(&w, out, cap);
		assert_int_equal(ra_build(&w, &p), -ENOBUFS);
		assert_int_equal(w.len, 0);
	}
	/* RS with and without SLLA */
	wbuf_init(&w, out, sizeof out);
	assert_int_equal(ra_build_rs(&w, mac), 0);
	assert_int_equal(w.len, 16);
	assert_int_equal(ra_parse(out, w.len, &m), 0);
	assert_int_equal(m.type, RA_TYPE_RS);
	assert_true(m.has_slla);
	wbuf_init(&w, out, sizeof out);
	assert_int_equal(ra_build_rs(&w, NULL), 0);
	assert_int_equal(w.len, 8);
	wbuf_init(&w, out, 12);
	assert_int_equal(ra_build_rs(&w, mac), -ENOBUFS);
}

/* The shape radvd sends for t_ovmf_pxe6's config: M, O, router lifetime
 * 18 s, SLLA, prefix 2001:db8:1::/64 L only, then an unknown option
 * (type 25, RDNSS) that is skipped. */
static const uint8_t radvd_ra[] = {
    134, 0, 0x12, 0x34, 64, 0xc0, 0, 18, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0x52, 0x54, 0, 0xaa, 0xbb, 0xcc,
    3, 4, 64, 0x80, 0, 0, 0x70, 0x80, 0, 0, 0x38, 0x40, 0, 0, 0, 0,
    0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    25, 3, 0, 0, 0, 0, 0x0e, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
};

static void test_parse_radvd(void **state)
{
	(void)state;
	struct ra_msg m;
	assert_int_equal(ra_parse(radvd_ra, sizeof radvd_ra, &m), 0);
	assert_int_equal(m.type, RA_TYPE_RA);
	assert_int_equal(m.router_lifetime, 18);
	assert_int_equal(m.flags, 0xc0);
	assert_int_equal(m.n_prefixes, 1);
	assert_int_equal(m.prefixes[0].valid, 28800);
	assert_int_equal(m.prefixes[0].pref, 14400);
	assert_int_equal(m.slla[5], 0xcc);
}

struct bad {
	const char *name;
	uint8_t p[48];
	size_t n;
	int want;
};

static void test_parse_malformed(void **state)
{
	(void)state;
	static const struct bad t[] = {
	    {"empty", {0}, 0, -EBADMSG},
	    {"echo request", {128, 0, 0, 0, 0, 1, 0, 1}, 8, -ENOENT},
	    {"neighbour solicitation", {135, 0, 0, 0, 0, 0, 0, 0}, 8, -ENOENT},
	    {"RS code 1", {133, 1, 0, 0, 0, 0, 0, 0}, 8, -EBADMSG},
	    {"RS short", {133, 0, 0, 0, 0, 0, 0}, 7, -EBADMSG},
	    {"RA short", {134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 15, -EBADMSG},
	    {"RA code 3", {134, 3, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 16, -EBADMSG},
	    {"option length 0",
	     {134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, 24,
	     -EBADMSG},
	    {"option past the end",
	     {134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0}, 24,
	     -EBADMSG},
	    {"option header cut", {133, 0, 0, 0, 0, 0, 0, 0, 1}, 9, -EBADMSG},
	    {"MTU option of length 2",
	     {134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 2, 0, 0, 0, 0, 5, 0xdc,
	      0, 0, 0, 0, 0, 0, 0, 0},
	     32, -EBADMSG},
	    {"prefix option of length 1",
	     {134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1, 64, 0x80, 0, 0, 0, 1}, 24,
	     -EBADMSG},
	    {"prefix length 200",
	     {134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 4, 200, 0x80, 0, 0, 0, 1,
	      0, 0, 0, 1, 0, 0, 0, 0, 0x20, 1, 0x0d, 0xb8},
	     48, -EBADMSG},
	    {"RS, unknown option skipped", {133, 0, 0, 0, 0, 0, 0, 0, 99, 1, 0, 0, 0, 0, 0, 0}, 16, 0},
	    {"RS, short SLLA ignored", {133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0}, 16, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct ra_msg m;
		int r = ra_parse(t[i].p, t[i].n, &m);
		if (r != t[i].want)
			fail_msg("%s: got %d, want %d", t[i].name, r, t[i].want);
	}
	/* every cut of the radvd RA is dropped, never read past its end */
	for (size_t n = 0; n < sizeof radvd_ra; n++) {
		struct ra_msg m;
		int r = ra_parse(radvd_ra, n, &m);
		if (n == 16 || n == 24 || n == 56)
			assert_int_equal(r, 0); /* an option boundary */
		else
			assert_int_equal(r, -EBADMSG);
	}
}

static const struct ra_timing tm = {
    .listen_ms = 3000,
    .min_ms = 198000,
    .max_ms = 600000,
    .initial_ms = 16000,
    .initial = 3,
    .min_delay_ms = 3000,
    .max_rs_delay_ms = 500,
    .hold_ms = 3600000,
};

static void test_sched_listen_then_active(void **state)
{
	(void)state;
	struct ra_sched s;
	uint64_t now = 1000000;
	assert_int_equal(ra_sched_start(&s, &tm, now, 42), RA_SEND_RS);
	assert_int_equal(s.state, RA_LISTEN);
	assert_int_equal(ra_sched_deadline(&s), now + 3000);
	/* an RS while listening changes nothing */
	ra_sched_rs(&s, now + 100);
	assert_int_equal(ra_sched_deadline(&s), now + 3000);
	assert_int_equal(ra_sched_due(&s, now + 2999), RA_NONE);
	now += 3000;
	assert_int_equal(ra_sched_due(&s, now), RA_SEND_RA);
	assert_int_equal(s.state, RA_ACTIVE);
	/* the initial RAs: at most 16 s apart, three of them */
	for (int i = 0; i < 2; i++) {
		uint64_t d = ra_sched_deadline(&s);
		assert_true(d > now && d <= now + 16000);
		now = d;
		assert_int_equal(ra_sched_due(&s, now), RA_SEND_RA);
	}
	/* then MinRtrAdvInterval..MaxRtrAdvInterval */
	for (int i = 0; i < 20; i++) {
		uint64_t d = ra_sched_deadline(&s);
		assert_true(d >= now + 198000 && d <= now + 600000);
		now = d;
		assert_int_equal(ra_sched_due(&s, now), RA_SEND_RA);
	}
}

static void test_sched_rs_answers(void **state)
{
	(void)state;
	struct ra_sched s;
	uint64_t now = 5000;
	ra_sched_start(&s, &tm, now, 7);
	now += 3000;
	assert_int_equal(ra_sched_due(&s, now), RA_SEND_RA);
	/* an RS 1 s after our RA: answered no sooner than 3 s after it */
	ra_sched_rs(&s, now + 1000);
	assert_int_equal(ra_sched_deadline(&s), now + 3000);
	now += 3000;
	assert_int_equal(ra_sched_due(&s, now), RA_SEND_RA);
	/* skip the initial RAs */
	for (int i = 0; i < 2; i++) {
		now = ra_sched_deadline(&s);
		ra_sched_due(&s, now);
	}
	/* an RS long after: answered within 0.5 s */
	for (int i = 0; i < 50; i++) {
		uint64_t rs = now + 10000;
		ra_sched_rs(&s, rs);
		uint64_t d = ra_sched_deadline(&s);
		assert_true(d >= rs && d <= rs + 500);
		now = d;
		assert_int_equal(ra_sched_due(&s, now), RA_SEND_RA);
	}
}

static void test_sched_other_router(void **state)
{
	(void)state;
	struct ra_sched s;
	uint64_t now = 100;
	/* heard while listening: never advertises */
	ra_sched_start(&s, &tm, now, 1);
	assert_true(ra_sched_other(&s, now + 500));
	assert_int_equal(s.state, RA_QUIET);
	assert_false(ra_sched_other(&s, now + 600)); /* logged once */
	ra_sched_rs(&s, now + 700);		     /* not ours to answer */
	assert_int_equal(ra_sched_due(&s, now + 3000), RA_NONE);
	/* each RA heard restarts the hold */
	assert_false(ra_sched_other(&s, now + 1000000));
	assert_int_equal(ra_sched_deadline(&s), now + 1000000 + 3600000);
	assert_int_equal(ra_sched_due(&s, now + 3600000 + 600), RA_NONE);
	/* the other router gone for the hold time: listen again */
	now += 1000000 + 3600000;
	assert_int_equal(ra_sched_due(&s, now), RA_SEND_RS);
	assert_int_equal(s.state, RA_LISTEN);
	now += 3000;
	assert_int_equal(ra_sched_due(&s, now), RA_SEND_RA);
	/* heard while active: quiet at once */
	assert_true(ra_sched_other(&s, now + 10));
	assert_int_equal(s.state, RA_QUIET);
	assert_int_equal(ra_sched_due(&s, now + 20000), RA_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_build_parse_roundtrip),
	    cmocka_unit_test(test_parse_radvd),
	    cmocka_unit_test(test_parse_malformed),
	    cmocka_unit_test(test_sched_listen_then_active),
	    cmocka_unit_test(test_sched_rs_answers),
	    cmocka_unit_test(test_sched_other_router),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
