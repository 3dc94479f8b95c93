/* rtnl: rtnetlink requests (RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE) for
 * the rescue init's network setup; each waits for the kernel's ACK. */
#include "rescue/rtnl.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/buf.h"

/* The rtnetlink ABI (linux/netlink.h, linux/rtnetlink.h, linux/if_addr.h),
 * defined here: musl's headers have none of it and the kernel's do not mix
 * with them. These values are stable kernel ABI. */
#define NETLINK_ROUTE 0
#define NLM_F_REQUEST 0x01
#define NLM_F_ACK 0x04
#define NLM_F_REPLACE 0x100
#define NLM_F_CREATE 0x400
#define NLMSG_ERROR 0x2
#define RTM_NEWLINK 16
#define RTM_NEWADDR 20
#define RTM_DELADDR 21
#define RTM_NEWROUTE 24
#define RTM_DELROUTE 25
#define IFLA_MTU 4
#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_BROADCAST 4
#define IFA_CACHEINFO 6
#define RTA_GATEWAY 5
#define RTA_OIF 4
#define RTA_PRIORITY 6
#define RT_TABLE_MAIN 254
#define RTPROT_DHCP 16
#define RT_SCOPE_UNIVERSE 0
#define RTN_UNICAST 1

struct sockaddr_nl {
	unsigned short nl_family, nl_pad;
	uint32_t nl_pid, nl_groups;
};
struct nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type, nlmsg_flags;
	uint32_t nlmsg_seq, nlmsg_pid;
};
struct nlmsgerr {
	int error;
	struct nlmsghdr msg;
};
struct rtattr {
	unsigned short rta_len, rta_type;
};
struct ifinfomsg {
	unsigned char ifi_family, ifi_pad;
	unsigned short ifi_type;
	int ifi_index;
	unsigned ifi_flags, ifi_change;
};
struct ifaddrmsg {
	uint8_t ifa_family, ifa_prefixlen, ifa_flags, ifa_scope;
	uint32_t ifa_index;
};
struct ifa_cacheinfo {
	uint32_t ifa_prefered, ifa_valid, cstamp, tstamp;
};
struct rtmsg {
	unsigned char rtm_family, rtm_dst_len, rtm_src_len, rtm_tos, rtm_table, rtm_protocol,
	    rtm_scope, rtm_type;
	unsigned rtm_flags;
};
#define NL_ALIGN(n) (((n) + 3u) & ~3u)
#define NLMSG_HDRLEN NL_ALIGN(sizeof(struct nlmsghdr))
#define RTA_LEN(n) (NL_ALIGN(sizeof(struct rtattr)) + (n))

struct nlreq {
	uint8_t buf[512];
	struct wbuf w;
	struct nlmsghdr *h;
};

int rtnl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	struct timeval tv = {.tv_sec = 2};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static void req_start(struct nlreq *q, uint16_t type, uint16_t flags, const void *body, size_t blen)
{
	uint8_t *hp;
	wbuf_init(&q->w, q->buf, sizeof q->buf);
	wbuf_reserve(&q->w, NLMSG_HDRLEN, &hp);
	memset(hp, 0, NLMSG_HDRLEN);
	q->h = (struct nlmsghdr *)(void *)hp;
	q->h->nlmsg_type = type;
	q->h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	q->h->nlmsg_seq = 1;
	wbuf_bytes(&q->w, body, blen);
	wbuf_zero(&q->w, NL_ALIGN(blen) - blen);
}

static void req_attr(struct nlreq *q, uint16_t type, const void *v, size_t n)
{
	struct rtattr a = {.rta_len = (unsigned short)RTA_LEN(n), .rta_type = type};
	wbuf_bytes(&q->w, &a, sizeof a);
	wbuf_bytes(&q->w, v, n);
	wbuf_zero(&q->w, NL_ALIGN(n) - n);
}

/* Sends q and waits for its ACK: 0 or the kernel's -errno. */
static int req_send(int fd, struct nlreq *q)
{
	if (q->w.err)
		return -ENOBUFS;
	q->h->nlmsg_len = (uint32_t)q->w.len;
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};
	if (sendto(fd, q->buf, q->w.len, 0, (struct sockaddr *)&to, sizeof to) < 0)
		return -errno;
	union {
		struct nlmsghdr h;
		uint8_t b[8192];
	} r;
	for (;;) {
		ssize_t n = recv(fd, r.b, sizeof r.b, 0);
		if (n < 0)
			return errno == EINTR ? -EINTR : -errno;
		struct rbuf rb;
		rbuf_init(&rb, r.b, (size_t)n);
		while (rbuf_left(&rb) >= NLMSG_HDRLEN) {
			struct nlmsghdr h;
			struct nlmsgerr e;
			struct rbuf m;
			rbuf_bytes(&rb, &h, sizeof h);
			if (h.nlmsg_len < NLMSG_HDRLEN ||
			    rbuf_sub(&rb, h.nlmsg_len - NLMSG_HDRLEN, &m))
				return -EBADMSG;
			rbuf_skip(&rb, NL_ALIGN(h.nlmsg_len) - h.nlmsg_len);
			if (h.nlmsg_type != NLMSG_ERROR)
				continue;
			if (rbuf_bytes(&m, &e, sizeof e))
				return -EBADMSG;
			return e.error;
		}
	}
}

int rtnl_link_up(int fd, int ifindex, unsigned mtu)
{
	struct nlreq q;
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC,
				.ifi_index = ifindex,
				.ifi_flags = IFF_UP,
				.ifi_change = IFF_UP};
	req_start(&q, RTM_NEWLINK, 0, &ifi, sizeof ifi);
	if (mtu) {
		uint32_t m = mtu;
		req_attr(&q, IFLA_MTU, &m, sizeof m);
	}
	return req_send(fd, &q);
}

int rtnl_addr(int fd, bool add, int ifindex, const uint8_t addr[4], uint8_t prefix,
	      uint32_t valid_s)
{
	struct nlreq q;
	struct ifaddrmsg ifa = {.ifa_family = AF_INET,
				.ifa_prefixlen = prefix,
				.ifa_scope = RT_SCOPE_UNIVERSE,
				.ifa_index = (unsigned)ifindex};
	req_start(&q, add ? RTM_NEWADDR : RTM_DELADDR, add ? NLM_F_CREATE | NLM_F_REPLACE : 0, &ifa,
		  sizeof ifa);
	req_attr(&q, IFA_LOCAL, addr, 4);
	req_attr(&q, IFA_ADDRESS, addr, 4);
	if (add && prefix < 31) {
		uint32_t a = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
			     (uint32_t)addr[2] << 8 | addr[3];
		uint32_t b = a | (0xffffffffu >> prefix);
		uint8_t bc[4] = {(uint8_t)(b >> 24), (uint8_t)(b >> 16), (uint8_t)(b >> 8),
				 (uint8_t)b};
		req_attr(&q, IFA_BROADCAST, bc, 4);
	}
	if (add) {
		struct ifa_cacheinfo ci = {.ifa_prefered = valid_s, .ifa_valid = valid_s};
		req_attr(&q, IFA_CACHEINFO, &ci, sizeof ci);
	}
	return req_send(fd, &q);
}

int rtnl_default_route(int fd, bool add, int ifindex, const uint8_t gw[4], uint32_t metric)
{
	struct nlreq q;
	struct rtmsg rt = {.rtm_family = AF_INET,
			   .rtm_table = RT_TABLE_MAIN,
			   .rtm_protocol = RTPROT_DHCP,
			   .rtm_scope = RT_SCOPE_UNIVERSE,
			   .rtm_type = RTN_UNICAST};
	uint32_t oif = (uint32_t)ifindex;
	req_start(&q, add ? RTM_NEWROUTE : RTM_DELROUTE, add ? NLM_F_CREATE | NLM_F_REPLACE : 0,
		  &rt, sizeof rt);
	req_attr(&q, RTA_GATEWAY, gw, 4);
	req_attr(&q, RTA_OIF, &oif, sizeof oif);
	req_attr(&q, RTA_PRIORITY, &metric, sizeof metric);
	return req_send(fd, &q);
}
