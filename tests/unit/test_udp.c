/* udp: the bounded receive loop, packet info, and source-pinned replies,
 * over loopback sockets. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "netboot/udp.h"

struct seen {
	unsigned n;
	size_t last_len;
	struct udp_meta last;
	uint8_t first_byte;
};

static void on_pkt(void *arg, const uint8_t *pkt, size_t len, const struct udp_meta *m)
{
	struct seen *s = arg;
	if (!s->n)
		s->first_byte = pkt[0];
	s->n++;
	s->last_len = len;
	s->last = *m;
}

static int bound_socket(int family, uint16_t *port)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_storage ss = {0};
	socklen_t sl;
	if (family == AF_INET6) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_any;
		sl = sizeof(struct sockaddr_in6);
	} else {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		sl = sizeof(struct sockaddr_in);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, sl), 0);
	sl = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static void test_bounded_and_pktinfo(void **state)
{
	(void)state;
	uint16_t port, cport;
	int srv = bound_socket(AF_INET, &port);
	int cli = bound_socket(AF_INET, &cport);
	assert_int_equal(udp_want_pktinfo(srv, AF_INET), 0);
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	for (int i = 0; i < 50; i++) {
		uint8_t b[3] = {(uint8_t)i, 1, 2};
		assert_int_equal(sendto(cli, b, sizeof b, 0, (struct sockaddr *)&dst, sizeof dst), 3);
	}
	struct seen s = {0};
	/* at most 20 per call, the rest stays queued */
	assert_int_equal(udp_recv(srv, 20, on_pkt, &s), 20);
	assert_int_equal(s.n, 20);
	assert_int_equal(s.first_byte, 0);
	assert_int_equal(s.last.local.ss_family, AF_INET);
	assert_int_equal(((struct sockaddr_in *)&s.last.local)->sin_addr.s_addr,
			 htonl(INADDR_LOOPBACK));
	assert_true(s.last.ifindex > 0);
	assert_int_equal(ntohs(((struct sockaddr_in *)&s.last.peer)->sin_port), cport);
	assert_int_equal(udp_recv(srv, 100, on_pkt, &s), 30);
	assert_int_equal(udp_recv(srv, 100, on_pkt, &s), 0);

	/* a reply pinned to the request's local address and interface */
	assert_int_equal(udp_send_from(srv, "ok", 2, (struct sockaddr *)&s.last.peer,
				       s.last.peer_len, &s.last.local, s.last.ifindex),
			 0);
	char got[8];
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	usleep(1000);
	assert_int_equal(recvfrom(cli, got, sizeof got, MSG_DONTWAIT, (struct sockaddr *)&from, &fl),
			 2);
	assert_int_equal(ntohs(from.sin_port), port);
	/* oversized datagram: flagged */
	static uint8_t big[UDP_MAX_DGRAM + 100];
	assert_int_equal(sendto(cli, big, sizeof big, 0, (struct sockaddr *)&dst, sizeof dst),
			 (ssize_t)sizeof big);
	memset(&s, 0, sizeof s);
	assert_int_equal(udp_recv(srv, 4, on_pkt, &s), 1);
	assert_true(s.last.truncated);
	close(srv);
	close(cli);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounded_and_pktinfo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
