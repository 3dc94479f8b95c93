/* Bounded work per loop turn: a DHCP socket flooded with more packets than
 * one batch gets DHCP4_BATCH / DHCP6_BATCH read per turn, and the other
 * socket of the server is still served in that same turn. Real loopback
 * UDP sockets and the real event loop. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/log.h"
#include "core/loop.h"
#include "netboot/dhcp4_server.h"
#include "netboot/dhcp6_server.h"

#define FLOOD 80 /* > 2 batches, small enough for the default receive buffer */

static void send_n(int family, uint16_t port, int n)
{
	int fd = socket(family, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_storage ss = {0};
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof *a;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		a->sin6_addr = in6addr_loopback;
		len = sizeof *a;
	}
	uint8_t junk[8] = {1, 2, 3};
	for (int i = 0; i < n; i++)
		assert_int_equal(sendto(fd, junk, sizeof junk, 0, (struct sockaddr *)&ss, len),
				 (ssize_t)sizeof junk);
	close(fd);
}

/* Runs turns until nothing more is read; checks each turn's bound. */
static void drain(struct loop *l, uint64_t (*got)(const void *), const void *s, uint64_t total,
		  uint64_t batch)
{
	uint64_t before = got(s);
	for (int turn = 0; turn < 20 && got(s) < total; turn++) {
		assert_true(loop_once(l, 100) >= 0);
		assert_true(got(s) - before <= batch);
		before = got(s);
	}
	assert_int_equal(got(s), total);
}

static uint64_t got4(const void *s)
{
	return dhcp4_server_received(s);
}

static uint64_t got6(const void *s)
{
	return dhcp6_server_received(s);
}

static uint16_t base_port(void)
{
	return (uint16_t)(20000 + (getpid() * 7) % 20000);
}

static void test_dhcp4_batch(void **state)
{
	(void)state;
	struct loop l;
	struct bootplan plan = {0};
	struct iface_set ifs = {0};
	struct dhcp4_server *s = NULL;
	uint16_t which, p = base_port();
	assert_int_equal(loop_init(&l), 0);
	int r = -EADDRINUSE;
	for (int k = 0; k < 50 && r == -EADDRINUSE; k++, p += 2) {
		struct dhcp4_server_config cfg = {
		    .plan = &plan, .ifs = &ifs, .port = p, .binl_port = (uint16_t)(p + 1)};
		r = dhcp4_server_start(&s, &l, &cfg, &which);
	}
	assert_int_equal(r, 0);
	p -= 2;
	send_n(AF_INET, p, FLOOD);
	send_n(AF_INET, (uint16_t)(p + 1), 1);
	/* one turn: one batch of the flood and the lone 4011 packet */
	assert_true(loop_once(&l, 1000) >= 0);
	assert_int_equal(dhcp4_server_received(s), DHCP4_BATCH + 1);
	drain(&l, got4, s, FLOOD + 1, DHCP4_BATCH);
	dhcp4_server_stop(s);
	loop_free(&l);
}

static void test_dhcp6_batch(void **state)
{
	(void)state;
	struct loop l;
	struct bootplan plan = {0};
	struct iface_set ifs = {0};
	struct dhcp6_server *s = NULL;
	uint16_t which, p = (uint16_t)(base_port() + 200);
	assert_int_equal(loop_init(&l), 0);
	int r = -EADDRINUSE;
	for (int k = 0; k < 50 && r == -EADDRINUSE; k++, p += 2) {
		struct dhcp6_server_config cfg = {
		    .plan = &plan, .ifs = &ifs, .port = p, .binl_port = (uint16_t)(p + 1)};
		r = dhcp6_server_start(&s, &l, &cfg, &which);
	}
	if (r == -EAFNOSUPPORT || r == -EADDRNOTAVAIL)
		skip();
	assert_int_equal(r, 0);
	p -= 2;
	send_n(AF_INET6, (uint16_t)(p + 1), FLOOD); /* this time 4011 is flooded */
	send_n(AF_INET6, p, 1);
	assert_true(loop_once(&l, 1000) >= 0);
	assert_int_equal(dhcp6_server_received(s), DHCP6_BATCH + 1);
	drain(&l, got6, s, FLOOD + 1, DHCP6_BATCH);
	dhcp6_server_stop(s);
	loop_free(&l);
}

int main(void)
{
	log_setup(LOG_FMT_TEXT, LOG_LVL_ERR, 2);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dhcp4_batch),
	    cmocka_unit_test(test_dhcp6_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
