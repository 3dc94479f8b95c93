/* udp: the one UDP socket helper for DHCPv4, DHCPv6 and TFTP: sockets that
 * report where each datagram came in (IP_PKTINFO / IPV6_PKTINFO), a bounded
 * receive loop (recvmmsg), and replies sent from the address and interface
 * a request came to. */
#ifndef LIFEBOAT_NETBOOT_UDP_H
#define LIFEBOAT_NETBOOT_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Datagrams per recvmmsg call, and the largest datagram read whole (DHCP
 * and TFTP requests are far smaller; a bigger one is flagged truncated). */
#define UDP_BATCH 32
#define UDP_MAX_DGRAM 2048

/* What one datagram carried besides its bytes. IPv4 traffic of a
 * dual-stack socket is reported as AF_INET (unmapped). */
struct udp_meta {
	struct sockaddr_storage peer;
	socklen_t peer_len;
	/* The address a reply should come from (IPv4: the kernel's spec_dst,
	 * since the request may have gone to a broadcast; family 0 when the
	 * kernel did not say) and the interface it came in on (0: unknown). */
	struct sockaddr_storage local;
	int ifindex;
	bool truncated;
};

typedef void (*udp_rx_fn)(void *arg, const uint8_t *pkt, size_t len, const struct udp_meta *m);

/* Asks the kernel for packet info on fd (family AF_INET, or AF_INET6 for a
 * socket that may also carry v4-mapped traffic). 0 or -errno. */
int udp_want_pktinfo(int fd, int family);
/* Receives at most max datagrams from fd (non-blocking) and calls cb for
 * each: a flood on one socket costs one bounded slice per loop turn.
 * Returns how many were read, or -errno (never -EAGAIN: that is 0). */
int udp_recv(int fd, unsigned max, udp_rx_fn cb, void *arg);
/* Reads the packet info of a received message into m->local/ifindex. */
void udp_read_pktinfo(struct msghdr *mh, struct udp_meta *m);
/* A v4-mapped IPv6 address (a dual-stack socket's view of an IPv4 peer)
 * back to AF_INET; anything else unchanged. */
void udp_unmap(struct sockaddr_storage *ss);
/* Sends pkt to dst from local's address out of interface ifindex (either
 * may be unset: family 0 / 0). Returns 0 or -errno. */
int udp_send_from(int fd, const void *pkt, size_t len, const struct sockaddr *dst,
		  socklen_t dst_len, const struct sockaddr_storage *local, int ifindex);

#endif
