/* udp: packet-info sockets, bounded receive and source-pinned send. */
#include "netboot/udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

/* Room for one IP_PKTINFO or IPV6_PKTINFO control message. */
union udp_ctl {
	struct cmsghdr h;
	uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
};

int udp_want_pktinfo(int fd, int family)
{
	int on = 1;
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on))
		return -errno;
	/* v4 datagrams (also on a dual-stack socket): IP_PKTINFO. A v6-only
	 * socket refuses it, which is fine. */
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) && family == AF_INET)
		return -errno;
	return 0;
}

/* ::ffff:a.b.c.d -> a.b.c.d (a dual-stack socket's IPv4 traffic). */
void udp_unmap(struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return;
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = s6->sin6_port};
	memcpy(&s4.sin_addr, &s6->sin6_addr.s6_addr[12], 4);
	memset(ss, 0, sizeof *ss);
	memcpy(ss, &s4, sizeof s4);
}

void udp_read_pktinfo(struct msghdr *mh, struct udp_meta *m)
{
	memset(&m->local, 0, sizeof m->local);
	m->ifindex = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			struct sockaddr_in *s4 = (struct sockaddr_in *)&m->local;
			memset(&m->local, 0, sizeof m->local);
			s4->sin_family = AF_INET;
			/* spec_dst: the address a reply should come from (the
			 * header's destination may be a broadcast) */
			s4->sin_addr = pi.ipi_spec_dst;
			m->ifindex = pi.ipi_ifindex;
			return; /* preferred over the v4-mapped IPV6_PKTINFO */
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&m->local;
			memset(&m->local, 0, sizeof m->local);
			s6->sin6_family = AF_INET6;
			s6->sin6_addr = pi.ipi6_addr;
			m->ifindex = (int)pi.ipi6_ifindex;
			udp_unmap(&m->local);
		}
	}
}

int udp_recv(int fd, unsigned max, udp_rx_fn cb, void *arg)
{
	uint8_t bufs[UDP_BATCH][UDP_MAX_DGRAM];
	struct iovec iov[UDP_BATCH];
	struct mmsghdr mm[UDP_BATCH];
	union udp_ctl ctl[UDP_BATCH];
	struct udp_meta meta[UDP_BATCH];
	unsigned done = 0;
	while (done < max) {
		unsigned want = max - done < UDP_BATCH ? max - done : UDP_BATCH;
		for (unsigned i = 0; i < want; i++) {
			iov[i] = (struct iovec){bufs[i], sizeof bufs[i]};
			mm[i].msg_hdr = (struct msghdr){
			    .msg_name = &meta[i].peer,
			    .msg_namelen = sizeof meta[i].peer,
			    .msg_iov = &iov[i],
			    .msg_iovlen = 1,
			    .msg_control = ctl[i].b,
			    .msg_controllen = sizeof ctl[i].b,
			};
		}
		int got = recvmmsg(fd, mm, want, MSG_DONTWAIT, NULL);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? (int)done : -errno;
		}
		for (int i = 0; i < got; i++) {
			struct udp_meta *m = &meta[i];
			m->peer_len = mm[i].msg_hdr.msg_namelen;
			if (m->peer_len < sizeof m->peer)
				memset((char *)&m->peer + m->peer_len, 0,
				       sizeof m->peer - m->peer_len);
			udp_unmap(&m->peer);
			m->truncated = (mm[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
			udp_read_pktinfo(&mm[i].msg_hdr, m);
			cb(arg, bufs[i], mm[i].msg_len, m);
		}
		done += (unsigned)got;
		if ((unsigned)got < want)
			break; /* drained */
	}
	return (int)done;
}

int udp_send_from(int fd, const void *pkt, size_t len, const struct sockaddr *dst,
		  socklen_t dst_len, const struct sockaddr_storage *local, int ifindex)
{
	union udp_ctl ctl;
	struct iovec iov = {(void *)pkt, len};
	struct msghdr mh = {
	    .msg_name = (void *)dst, .msg_namelen = dst_len, .msg_iov = &iov, .msg_iovlen = 1};
	memset(&ctl, 0, sizeof ctl);
	int fam = local ? local->ss_family : 0;
	if (fam == AF_INET || (fam == 0 && ifindex && dst->sa_family == AF_INET)) {
		struct in_pktinfo pi = {.ipi_ifindex = ifindex};
		if (fam == AF_INET)
			pi.ipi_spec_dst = ((const struct sockaddr_in *)local)->sin_addr;
		mh.msg_control = ctl.b;
		mh.msg_controllen = CMSG_SPACE(sizeof pi);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
	} else if (fam == AF_INET6 || (fam == 0 && ifindex)) {
		struct in6_pktinfo pi = {.ipi6_ifindex = (unsigned)ifindex};
		if (fam == AF_INET6)
			pi.ipi6_addr = ((const struct sockaddr_in6 *)local)->sin6_addr;
		mh.msg_control = ctl.b;
		mh.msg_controllen = CMSG_SPACE(sizeof pi);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
	}
	for (;;) {
		if (sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}
