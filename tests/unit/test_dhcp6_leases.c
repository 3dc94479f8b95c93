/* DHCPv6 stateful leases (dhcp6_leases) with a fake clock: an Advertise
 * holds nothing, a Request commits, a Solicit flood from made-up DUIDs
 * behind the rate limit does not empty the range. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/dhcp6_leases.h"
#include "netboot/dhcp6_server.h"

static struct dhcp6_range range16(void)
{
	struct dhcp6_range r;
	const char *why;
	assert_int_equal(dhcp6_range_parse("2001:db8::10,2001:db8::1f", &r, &why), 0);
	return r;
}

static uint8_t duids[4][8] = {
    {0, 3, 0, 1, 2, 0, 0, 0}, {0, 3, 0, 1, 2, 0, 0, 1}, {0, 3, 0, 1, 2, 0, 0, 2}};

enum op { CAND, COMMIT, RENEW, RENEW_OTHER_ADDR, RELEASE, DECLINE };

/* One step: who (duid index, iaid) does what at which time (s), what it
 * returns, the address it gets (index into the range, -1: any, -2: the
 * one step `same` got), and the live leases afterwards. */
struct step {
	const char *what;
	uint64_t t_s;
	enum op op;
	int who;
	uint32_t iaid;
	int ret;
	int same;   /* -1: no check; else the step whose address must match */
	int differ; /* -1: no check; else the step whose address must differ */
	size_t live;
};

static void test_lease_table(void **state)
{
	(void)state;
	static const struct step steps[] = {
	    {"A solicits: advertised, nothing held", 0, CAND, 0, 1, 0, -1, -1, 0},
	    {"A solicits again: the same address", 1, CAND, 0, 1, 0, 0, -1, 0},
	    {"A requests: committed, the advertised address", 2, COMMIT, 0, 1, 0, 0, -1, 1},
	    {"A requests again: the same lease", 3, COMMIT, 0, 1, 0, 0, -1, 1},
	    {"A's other IA: another address", 3, COMMIT, 0, 2, 0, -1, 0, 2},
	    {"B solicits: not A's address", 4, CAND, 1, 1, 0, -1, 0, 2},
	    {"A renews", 3000, RENEW, 0, 1, 0, 0, -1, 2},
	    {"A renews a wrong address", 3001, RENEW_OTHER_ADDR, 0, 1, -ENOENT, -1, -1, 2},
	    {"B renews without a lease", 3001, RENEW, 1, 1, -ENOENT, -1, -1, 2},
	    {"A's IA 2 expired an hour after its commit", 3604, CAND, 2, 9, 0, -1, -1, 1},
	    {"A releases", 3605, RELEASE, 0, 1, 0, -1, -1, 0},
	    {"A releases twice", 3605, RELEASE, 0, 1, -ENOENT, -1, -1, 0},
	    {"A requests again", 3606, COMMIT, 0, 1, 0, 0, -1, 1},
	    {"A declines: blocked, detached", 3607, DECLINE, 0, 1, 0, -1, -1, 1},
	    {"A solicits: another address", 3608, CAND, 0, 1, 0, -1, 12, 1},
	    {"A has no lease to renew", 3608, RENEW, 0, 1, -ENOENT, -1, -1, 1},
	    {"the declined address is free after an hour", 7300, CAND, 0, 1, 0, 12, -1, 0},
	};
	size_t n = sizeof steps / sizeof steps[0];
	struct dhcp6_leases *ls = calloc(1, sizeof *ls);
	struct dhcp6_range r = range16();
	uint8_t got[sizeof steps / sizeof steps[0]][16];
	memset(got, 0, sizeof got);
	for (size_t i = 0; i < n; i++) {
		const struct step *s = &steps[i];
		struct dhcp6_client_id id = {duids[s->who], 8, s->iaid};
		uint64_t now = 1000000 + s->t_s * 1000;
		uint8_t wrong[16];
		memcpy(wrong, r.end, 16);
		int ret;
		switch (s->op) {
		case CAND:
			ret = dhcp6_lease_candidate(ls, &r, &id, now, got[i]);
			break;
		case COMMIT:
			ret = dhcp6_lease_commit(ls, &r, &id, now, got[i]);
			break;
		case RENEW:
			ret = dhcp6_lease_renew(ls, &id, NULL, now, got[i]);
			break;
		case RENEW_OTHER_ADDR:
			ret = dhcp6_lease_renew(ls, &id, wrong, now, got[i]);
			break;
		case RELEASE:
			ret = dhcp6_lease_release(ls, &id, now);
			break;
		default:
			ret = dhcp6_lease_decline(ls, &id, now);
			break;
		}
		if (ret != s->ret)
			fail_msg("step '%s': returned %d, expected %d", s->what, ret, s->ret);
		if (ret == 0 && (s->op == CAND || s->op == COMMIT || s->op == RENEW) &&
		    !dhcp6_range_contains(&r, got[i]))
			fail_msg("step '%s': address outside the range", s->what);
		if (s->same >= 0 && memcmp(got[i], got[s->same], 16))
			fail_msg("step '%s': not the address of step %d", s->what, s->same);
		if (s->differ >= 0 && !memcmp(got[i], got[s->differ], 16))
			fail_msg("step '%s': the address of step %d", s->what, s->differ);
		if (dhcp6_leases_live(ls, now) != s->live)
			fail_msg("step '%s': %zu live leases, expected %zu", s->what,
				 dhcp6_leases_live(ls, now), s->live);
	}
	free(ls);
}

/* Every address of a 16-address range committed: the next client is told
 * -ENOSPC by both candidate and commit; 1024 leases fill the table of a
 * large range the same way. */
static void test_range_and_table_full(void **state)
{
	(void)state;
	struct dhcp6_leases *ls = calloc(1, sizeof *ls);
	struct dhcp6_range r = range16();
	uint8_t a[16], seen[16][16];
	for (uint32_t i = 0; i < 16; i++) {
		struct dhcp6_client_id id = {duids[0], 8, i};
		assert_int_equal(dhcp6_lease_commit(ls, &r, &id, 1000, a), 0);
		for (uint32_t j = 0; j < i; j++)
			assert_memory_not_equal(a, seen[j], 16);
		memcpy(seen[i], a, 16);
	}
	struct dhcp6_client_id late = {duids[1], 8, 1};
	assert_int_equal(dhcp6_lease_candidate(ls, &r, &late, 1000, a), -ENOSPC);
	assert_int_equal(dhcp6_lease_commit(ls, &r, &late, 1000, a), -ENOSPC);
	memset(ls, 0, sizeof *ls);
	const char *why;
	assert_int_equal(dhcp6_range_parse("2001:db8::1:0,2001:db8::ffff:ffff", &r, &why), 0);
	for (uint32_t i = 0; i < DHCP6_MAX_LEASES; i++) {
		struct dhcp6_client_id id = {duids[0], 8, i};
		assert_int_equal(dhcp6_lease_commit(ls, &r, &id, 1000, a), 0);
	}
	assert_int_equal(dhcp6_lease_commit(ls, &r, &late, 1000, a), -ENOSPC);
	assert_int_equal(dhcp6_lease_commit(ls, &r, &late, 1000 + 3600 * 1000 + 1, a), 0);
	free(ls);
}

/* The EDK2-shaped Solicit of test_dhcp6.c, with its DUID made unique. */
static const uint8_t solicit[] = {
    1,	  0x12, 0x34, 0x56, 0,	  1,	0,    18,   0,	  4,	0x11, 0x22, 0x33, 0x44,
    0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0,	  3,
    0,	  12,	1,    2,    3,	  4,	0,    0,    0,	  0,	0,    0,    0,	  0,
    0,	  61,	0,    2,    0,	  7,	0,    16,   0,	  15,	0,    0,    1,	  0x57,
    0,	  9,	'P',  'X',  'E',  'C',	'l',  'i',  'e',  'n',	't'};

struct flood {
	struct bootplan plan;
	struct iface ifc;
	struct dhcp6_range range;
	struct dhcp6_leases leases;
	struct ratelimit rl;
	struct dhcp6_ctx ctx;
	struct sockaddr_in6 src;
	uint8_t out[1024];
	struct dhcp6_answer a;
};

static void flood_ask(struct flood *f, uint8_t type, uint32_t n, const void *extra, size_t en)
{
	uint8_t p[sizeof solicit + 16];
	memcpy(p, solicit, sizeof solicit);
	p[0] = type;
	memcpy(p + 10, &n, 4); /* a DUID of its own */
	if (en)
		memcpy(p + sizeof solicit, extra, en);
	/* a global source: no MAC from an EUI-64 link-local, the DUID is the key */
	dhcp6_answer(&f->ctx, &f->ifc, false, &f->src, p, sizeof solicit + en, f->out,
		     sizeof f->out, &f->a);
}

/* 1100 Solicits and 1100 Requests from distinct DUIDs in 1.1 s against a
 * 16-address range, --dhcp-rate 10 (burst 2): the limit is taken before
 * any lease, so the Solicits hold nothing and at most ~13 Requests commit;
 * a real client still gets an address afterwards. */
static void test_flood_does_not_empty_range(void **state)
{
	(void)state;
	struct flood *f = calloc(1, sizeof *f);
	const char *why;
	f->plan.http = f->plan.tftp = true;
	f->plan.http_port = 80;
	f->plan.kernel = "/k/linux";
	f->plan.ipxe_dir = "/usr/lib/ipxe";
	f->ifc.index = 3;
	snprintf(f->ifc.name, sizeof f->ifc.name, "eth0");
	f->ifc.has_ip6 = true;
	inet_pton(AF_INET6, "2001:db8::2", &f->ifc.ip6);
	assert_int_equal(dhcp6_range_parse("2001:db8::10,2001:db8::1f", &f->range, &why), 0);
	ratelimit_init(&f->rl, 4, 8, 10, 2);
	f->ctx = (struct dhcp6_ctx){.plan = &f->plan,
				    .range = &f->range,
				    .leases = &f->leases,
				    .server_mac = {2, 0, 0, 0, 0, 2},
				    .rl = &f->rl};
	f->src.sin6_family = AF_INET6;
	f->src.sin6_port = htons(546);
	inet_pton(AF_INET6, "2001:db8::99", &f->src.sin6_addr);
	const uint8_t sid[14] = {0, 2, 0, 10, 0, 3, 0, 1, 2, 0, 0, 0, 0, 2};
	size_t answered = 0, limited = 0;
	for (uint32_t i = 0; i < 1100; i++) {
		f->ctx.now_ms = 1000000 + i;
		flood_ask(f, DHCP6_SOLICIT, i, NULL, 0);
		answered += f->a.len > 0;
		limited += f->a.limited;
	}
	assert_int_equal(dhcp6_leases_live(&f->leases, f->ctx.now_ms), 0);
	assert_true(limited > 1000 && answered + limited == 1100);
	for (uint32_t i = 0; i < 1100; i++) {
		f->ctx.now_ms = 1001100 + i;
		flood_ask(f, DHCP6_REQUEST, 5000 + i, sid, sizeof sid);
	}
	size_t live = dhcp6_leases_live(&f->leases, f->ctx.now_ms);
	assert_true(live > 0 && live <= 14);
	/* a second later the limit has tokens again: a real client's Request */
	f->ctx.now_ms += 1000;
	flood_ask(f, DHCP6_REQUEST, 99999, sid, sizeof sid);
	assert_true(f->a.len > 0);
	assert_non_null(strstr(f->a.log, "addr=2001:db8::1"));
	assert_null(strstr(f->a.log, "status="));
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lease_table),
	    cmocka_unit_test(test_range_and_table_full),
	    cmocka_unit_test(test_flood_does_not_empty_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
