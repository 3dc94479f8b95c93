/* clients: records by MAC, addresses to MACs, stages, files, eviction. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/clients.h"

static void mac_of(unsigned i, uint8_t mac[6])
{
	uint8_t m[6] = {0x52, 0x54, 0, 0, (uint8_t)(i >> 8), (uint8_t)i};
	memcpy(mac, m, 6);
}

static void test_addr_lookup(void **state)
{
	(void)state;
	struct clients *c = malloc(sizeof *c);
	assert_non_null(c);
	clients_init(c);
	uint8_t mac[6], ip[4] = {192, 0, 2, 50};
	mac_of(1, mac);
	struct client_rec *r = clients_touch(c, mac, 100);
	assert_string_equal(r->mac_str, "52:54:00:00:00:01");
	clients_set_ip4(c, r, ip);
	struct sockaddr_in s4 = {.sin_family = AF_INET};
	memcpy(&s4.sin_addr, ip, 4);
	assert_ptr_equal(clients_find_addr(c, (struct sockaddr *)&s4), r);
	/* the same address v4-mapped (a dual-stack HTTP socket) */
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
	inet_pton(AF_INET6, "::ffff:192.0.2.50", &s6.sin6_addr);
	assert_ptr_equal(clients_find_addr(c, (struct sockaddr *)&s6), r);
	/* IPv6 */
	struct in6_addr a6;
	inet_pton(AF_INET6, "2001:db8::50", &a6);
	clients_set_ip6(c, r, &a6);
	s6.sin6_addr = a6;
	assert_ptr_equal(clients_find_addr(c, (struct sockaddr *)&s6), r);
	/* another machine takes the IPv4 address over */
	uint8_t mac2[6];
	mac_of(2, mac2);
	struct client_rec *r2 = clients_touch(c, mac2, 200);
	clients_set_ip4(c, r2, ip);
	assert_ptr_equal(clients_find_addr(c, (struct sockaddr *)&s4), r2);
	assert_false(r->has_ip4);
	s4.sin_addr.s_addr = htonl(0xc6336401);
	assert_null(clients_find_addr(c, (struct sockaddr *)&s4));
	free(c);
}

static void test_report(void **state)
{
	(void)state;
	struct clients *c = malloc(sizeof *c);
	assert_non_null(c);
	clients_init(c);
	uint8_t mac[6], ip[4] = {192, 0, 2, 60};
	mac_of(3, mac);
	struct client_rec *r = clients_touch(c, mac, 100);
	clients_set_ip4(c, r, ip);
	struct sockaddr_in s4 = {.sin_family = AF_INET};
	memcpy(&s4.sin_addr, ip, 4);
	assert_ptr_equal(clients_report(c, (struct sockaddr *)&s4, "up, ssh at 192.0.2.60", 500), r);
	assert_string_equal(r->report, "up, ssh at 192.0.2.60");
	assert_int_equal(r->report_ms, 500);
	/* an address no DHCP stage saw is not recorded anywhere */
	s4.sin_addr.s_addr = htonl(0xc6336402);
	assert_null(clients_report(c, (struct sockaddr *)&s4, "stranger", 600));
	free(c);
}

static void test_stages_and_files(void **state)
{
	(void)state;
	struct clients *c = malloc(sizeof *c);
	assert_non_null(c);
	clients_init(c);
	uint8_t mac[6];
	mac_of(3, mac);
	struct client_rec *r = clients_touch(c, mac, 10);
	clients_stage(r, CLIENT_OFFER, 10);
	clients_stage(r, CLIENT_BINL, 20);
	clients_stage(r, CLIENT_OFFER, 25); /* a repeated offer does not go back */
	assert_int_equal(r->stage, CLIENT_BINL);
	assert_int_equal(r->stage_ms[CLIENT_OFFER], 10);
	clients_file_start(r, CLIENT_TFTP, "undionly.kpxe", 70000, 30);
	assert_int_equal(r->stage, CLIENT_FILE);
	clients_file_end(r, CLIENT_TFTP, "undionly.kpxe", 70000, 0, NULL, 40);
	assert_int_equal(r->files[0].end_ms, 40);
	assert_int_equal(r->files[0].bytes, 70000);
	for (unsigned i = 0; i < 2 * CLIENT_FILES; i++)
		clients_file_start(r, CLIENT_HTTP, "initrd.gz", 0, 50 + i);
	clients_file_end(r, CLIENT_HTTP, "initrd.gz", 5, -ETIMEDOUT, "timeout", 99);
	assert_string_equal(r->last_error, "timeout");
	/* the newest in-flight one ended */
	assert_int_equal(r->files[(r->n_files - 1) % CLIENT_FILES].end_ms, 99);
	assert_int_equal(r->files[(r->n_files - 2) % CLIENT_FILES].end_ms, 0);
	clients_stage(r, CLIENT_HANDOFF, 100);
	/* a new DHCP round after the hand-off is a new boot */
	clients_stage(r, CLIENT_OFFER, 500);
	assert_int_equal(r->stage, CLIENT_OFFER);
	assert_int_equal(r->stage_ms[CLIENT_OFFER], 500);
	assert_int_equal(r->stage_ms[CLIENT_HANDOFF], 0);
	assert_string_equal(r->last_error, "");
	free(c);
}

static void test_eviction(void **state)
{
	(void)state;
	struct clients *c = malloc(sizeof *c);
	assert_non_null(c);
	clients_init(c);
	uint8_t mac[6];
	for (unsigned i = 0; i < CLIENTS_MAX; i++) {
		mac_of(i, mac);
		clients_touch(c, mac, 1000 + i);
	}
	mac_of(0, mac);
	clients_touch(c, mac, 5000); /* 0 is fresh now; 1 is the oldest */
	mac_of(9999, mac);
	clients_touch(c, mac, 6000);
	assert_int_equal(c->evicted, 1);
	mac_of(1, mac);
	assert_null(clients_find_mac(c, mac));
	mac_of(0, mac);
	assert_non_null(clients_find_mac(c, mac));
	/* the next eviction looks at the next CLIENTS_EVICT_SCAN records */
	mac_of(CLIENTS_EVICT_SCAN + 1, mac);
	clients_touch(c, mac, 7000); /* fresh: not the one to go */
	mac_of(10000, mac);
	clients_touch(c, mac, 7100);
	assert_int_equal(c->evicted, 2);
	mac_of(CLIENTS_EVICT_SCAN, mac);
	assert_null(clients_find_mac(c, mac));
	mac_of(CLIENTS_EVICT_SCAN + 1, mac);
	assert_non_null(clients_find_mac(c, mac));
	free(c);
}

/* DHCP notes: a known_only note never creates a record. */
static void test_notes(void **state)
{
	(void)state;
	struct clients *c = malloc(sizeof *c);
	assert_non_null(c);
	clients_init(c);
	struct client_note n = {.valid = true, .known_only = true, .has_ip4 = true,
				.ip4 = {192, 0, 2, 77}};
	mac_of(5, n.mac);
	clients_note(c, &n, 10);
	assert_null(clients_find_mac(c, n.mac));
	n.known_only = false;
	n.has_ip4 = false;
	n.stage = CLIENT_OFFER;
	snprintf(n.arch, sizeof n.arch, "bios");
	clients_note(c, &n, 20);
	struct client_rec *r = clients_find_mac(c, n.mac);
	assert_non_null(r);
	assert_string_equal(r->arch, "bios");
	assert_int_equal(r->stage, CLIENT_OFFER);
	assert_false(r->has_ip4);
	n.known_only = true;
	n.has_ip4 = true;
	n.arch[0] = 0;
	n.stage = CLIENT_SEEN;
	clients_note(c, &n, 30);
	assert_true(r->has_ip4);
	assert_string_equal(r->arch, "bios");
	assert_int_equal(r->stage, CLIENT_OFFER);
	free(c);
}

/* The MAC and address indexes agree with a scan of the table through
 * eviction, address moves and re-addressing (a seeded random walk). */
static void test_index_matches_scan(void **state)
{
	(void)state;
	struct clients *c = malloc(sizeof *c);
	assert_non_null(c);
	clients_init(c);
	uint32_t seed = 12345;
	for (unsigned step = 0; step < 20000; step++) {
		seed = seed * 1103515245u + 12345u;
		unsigned who = (seed >> 8) % (CLIENTS_MAX + 300), addr = (seed >> 20) % 900;
		uint8_t mac[6];
		mac_of(who, mac);
		struct client_rec *r = clients_touch(c, mac, step);
		uint8_t ip[4] = {10, 0, (uint8_t)(addr >> 8), (uint8_t)addr};
		struct in6_addr a6 = {{{0x20, 0x01, 0x0d, 0xb8}}};
		a6.s6_addr[14] = (uint8_t)(addr >> 8);
		a6.s6_addr[15] = (uint8_t)addr;
		if (seed & 1)
			clients_set_ip4(c, r, ip);
		else
			clients_set_ip6(c, r, &a6);
	}
	for (unsigned a = 0; a < 900; a++) {
		struct sockaddr_in s4 = {.sin_family = AF_INET};
		uint8_t ip[4] = {10, 0, (uint8_t)(a >> 8), (uint8_t)a};
		memcpy(&s4.sin_addr, ip, 4);
		struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
		s6.sin6_addr.s6_addr[0] = 0x20;
		s6.sin6_addr.s6_addr[1] = 0x01;
		s6.sin6_addr.s6_addr[2] = 0x0d;
		s6.sin6_addr.s6_addr[3] = 0xb8;
		s6.sin6_addr.s6_addr[14] = (uint8_t)(a >> 8);
		s6.sin6_addr.s6_addr[15] = (uint8_t)a;
		struct client_rec *want4 = NULL, *want6 = NULL;
		for (size_t i = 0; i < CLIENTS_MAX; i++) {
			struct client_rec *r = &c->v[i];
			if (r->used && r->has_ip4 && !memcmp(r->ip4, ip, 4)) {
				assert_null(want4); /* one holder per address */
				want4 = r;
			}
			if (r->used && r->has_ip6 && !memcmp(&r->ip6, &s6.sin6_addr, 16)) {
				assert_null(want6);
				want6 = r;
			}
		}
		assert_ptr_equal(clients_find_addr(c, (struct sockaddr *)&s4), want4);
		assert_ptr_equal(clients_find_addr(c, (struct sockaddr *)&s6), want6);
	}
	for (size_t i = 0; i < CLIENTS_MAX; i++)
		if (c->v[i].used)
			assert_ptr_equal(clients_find_mac(c, c->v[i].mac), &c->v[i]);
	assert_true(c->evicted > 0);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_lookup),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_stages_and_files),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_index_matches_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
