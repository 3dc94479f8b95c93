// SPDX-License-Identifier: MIT
/*
 * dhcpload: PXE DHCPDISCOVER generator for proxyDHCP servers.
 *
 * perfdhcp drives a proxy (it counts DISCOVER-OFFER pairs without
 * checking yiaddr) but reports only min/avg/max delay; the benchmark wants
 * p50/p99, so this sends DISCOVERs that look like a PXE ROM's (option 60
 * "PXEClient:Arch:00000:UNDI:002001", 93, 94, 97, broadcast flag), each
 * with its own xid and chaddr, and matches OFFERs by xid.
 *
 *   window mode (-W N): keep N DISCOVERs outstanding for -d seconds:
 *                       the offer rate the server sustains.
 *   rate mode   (-r R): send R DISCOVERs per second, open loop: the
 *                       latency a server gives at a given load.
 * A DISCOVER unanswered after -t ms counts as lost.
 * Latency runs from just before sendto() to the kernel's receive timestamp
 * of the OFFER (SO_TIMESTAMPNS), so the generator's own wake-up delay on a
 * busy machine is not counted against the server.
 * One line is printed: DHCPLOAD key=value ...
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct opts {
	const char *iface;
	unsigned window;   /* 0: rate mode */
	double rate;
	double duration_s;
	uint64_t timeout_ns;
	uint16_t arch;
	const char *label;
	struct sockaddr_in dst;
};

struct req {
	uint64_t sent_ns;    /* CLOCK_MONOTONIC: timeouts */
	uint64_t sent_rt_ns; /* CLOCK_REALTIME, read just before sendto: latency */
	bool done;
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

/* A DISCOVER as a PXE 2.1 ROM sends it; chaddr and xid differ per request. */
static size_t build_discover(uint8_t *p, size_t cap, uint32_t xid, uint32_t seq, uint16_t arch)
{
	static const char vc[] = "PXEClient:Arch:00000:UNDI:002001";
	size_t i = 240;

	if (cap < 400)
		return 0;
	memset(p, 0, 240);
	p[0] = 1, p[1] = 1, p[2] = 6;
	p[4] = (uint8_t)(xid >> 24), p[5] = (uint8_t)(xid >> 16);
	p[6] = (uint8_t)(xid >> 8), p[7] = (uint8_t)xid;
	p[10] = 0x80; /* broadcast flag: a PXE ROM has no address yet */
	p[28] = 0x02, p[29] = 0x4c;
	p[30] = (uint8_t)(seq >> 24), p[31] = (uint8_t)(seq >> 16);
	p[32] = (uint8_t)(seq >> 8), p[33] = (uint8_t)seq;
	p[236] = 99, p[237] = 130, p[238] = 83, p[239] = 99;
	p[i++] = 53, p[i++] = 1, p[i++] = 1;
	p[i++] = 57, p[i++] = 2, p[i++] = 0x04, p[i++] = 0xec;
	p[i++] = 55, p[i++] = 9;
	for (int k = 0; k < 9; k++)
		p[i++] = (const uint8_t[]){ 1, 3, 6, 43, 60, 66, 67, 128, 97 }[k];
	p[i++] = 60, p[i++] = (uint8_t)(sizeof(vc) - 1);
	memcpy(p + i, vc, sizeof(vc) - 1);
	/* Keep the Arch field consistent with option 93. */
	snprintf((char *)p + i + 15, 6, "%05u", arch);
	p[i + 20] = ':';
	i += sizeof(vc) - 1;
	p[i++] = 93, p[i++] = 2, p[i++] = (uint8_t)(arch >> 8), p[i++] = (uint8_t)arch;
	p[i++] = 94, p[i++] = 3, p[i++] = 1, p[i++] = 2, p[i++] = 1;
	p[i++] = 97, p[i++] = 17, p[i++] = 0;
	for (int k = 0; k < 16; k++)
		p[i++] = (uint8_t)(seq >> (8 * (k & 3)));
	p[i++] = 255;
	while (i < 300)
		p[i++] = 0;
	return i;
}

/* Returns the xid of a well-formed OFFER, or -1. */
static int64_t parse_offer(const uint8_t *p, size_t n)
{
	size_t i = 240;

	if (n < 244 || p[0] != 2 || p[236] != 99 || p[237] != 130 || p[238] != 83 || p[239] != 99)
		return -1;
	while (i < n && p[i] != 255) {
		if (p[i] == 0) {
			i++;
			continue;
		}
		if (i + 2 > n || i + 2 + p[i + 1] > n)
			return -1;
		if (p[i] == 53 && p[i + 1] == 1)
			return p[i + 2] == 2 ? (int64_t)((uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
							(uint32_t)p[6] << 8 | p[7])
					     : -1;
		i += 2 + p[i + 1];
	}
	return -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dhcpload -i IFACE (-W WINDOW | -r RATE) [-d SECONDS] [-t TIMEOUT_MS]\n"
		   "                [-a ARCH] [-s DEST_ADDR] [-l LABEL]\n");
}

int main(int argc, char **argv)
{
	struct opts o = { .duration_s = 3, .timeout_ns = 200000000ull, .label = "-" };
	uint32_t base;
	size_t cap;
	struct req *rq;
	uint64_t *lat;
	size_t nlat = 0, sent = 0, lost = 0, oldest = 0, outstanding = 0, bad = 0;
	uint8_t pkt[1500];
	int fd, ep, one = 1, ch;

	o.dst.sin_family = AF_INET;
	o.dst.sin_port = htons(67);
	o.dst.sin_addr.s_addr = htonl(INADDR_BROADCAST);
	while ((ch = getopt(argc, argv, "i:W:r:d:t:a:s:l:h")) != -1) {
		switch (ch) {
		case 'i':
			o.iface = optarg;
			break;
		case 'W':
			o.window = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			o.rate = strtod(optarg, NULL);
			break;
		case 'd':
			o.duration_s = strtod(optarg, NULL);
			break;
		case 't':
			o.timeout_ns = (uint64_t)(strtod(optarg, NULL) * 1e6);
			break;
		case 'a':
			o.arch = (uint16_t)strtoul(optarg, NULL, 10);
			break;
		case 's':
			if (inet_pton(AF_INET, optarg, &o.dst.sin_addr) != 1) {
				usage(stderr);
				return 2;
			}
			break;
		case 'l':
			o.label = optarg;
			break;
		default:
			usage(ch == 'h' ? stdout : stderr);
			return ch == 'h' ? 0 : 2;
		}
	}
	if (!o.iface || (!o.window == !(o.rate > 0)) || o.duration_s <= 0 || o.duration_s > 600 ||
	    o.window > 100000 || o.rate > 1e6 || !o.timeout_ns) {
		usage(stderr);
		return 2;
	}
	/* Enough slots for any rate the loop can reach in the duration. */
	cap = (size_t)((o.rate > 0 ? o.rate : 400000) * (o.duration_s + 1)) + o.window + 16;
	rq = calloc(cap, sizeof(*rq));
	lat = calloc(cap, sizeof(*lat));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!rq || !lat || fd < 0 || ep < 0) {
		perror("dhcpload: setup");
		return 2;
	}
	{
		struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(68) };
		struct epoll_event ev = { .events = EPOLLIN };
		int sz = 4 << 20;

		setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
		if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o.iface, (socklen_t)strlen(o.iface)) ||
		    bind(fd, (struct sockaddr *)&me, sizeof(me)) ||
		    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
			perror("dhcpload: socket");
			return 2;
		}
	}
	base = (uint32_t)now_ns() ^ ((uint32_t)getpid() << 16);

	uint64_t t0 = now_ns(), end = t0 + (uint64_t)(o.duration_s * 1e9), next_send = t0;
	uint64_t interval = o.rate > 0 ? (uint64_t)(1e9 / o.rate) : 0, last_rx = t0;

	for (;;) {
		uint64_t now = now_ns();
		struct epoll_event evs[4];
		struct timespec ts;
		uint64_t wake;

		/* Expire the unanswered, oldest first (sends are in seq order). */
		while (oldest < sent && (rq[oldest].done || now - rq[oldest].sent_ns > o.timeout_ns)) {
			if (!rq[oldest].done) {
				rq[oldest].done = true;
				lost++;
				outstanding--;
			}
			oldest++;
		}
		if (now >= end && (outstanding == 0 || now >= end + o.timeout_ns))
			break;
		while (now < end && sent < cap &&
		       (o.window ? outstanding < o.window : now >= next_send)) {
			size_t len = build_discover(pkt, sizeof(pkt), base + (uint32_t)sent,
						    (uint32_t)sent, o.arch);

			rq[sent].sent_rt_ns = clock_ns(CLOCK_REALTIME);
			if (sendto(fd, pkt, len, 0, (struct sockaddr *)&o.dst, sizeof(o.dst)) < 0) {
				if (errno == EAGAIN || errno == ENOBUFS)
					break;
				perror("dhcpload: sendto");
				return 2;
			}
			rq[sent].sent_ns = now_ns();
			sent++;
			outstanding++;
			next_send += interval;
		}
		wake = end + o.timeout_ns;
		if (oldest < sent && rq[oldest].sent_ns + o.timeout_ns < wake)
			wake = rq[oldest].sent_ns + o.timeout_ns + 1;
		if (o.rate > 0 && now < end && next_send < wake)
			wake = next_send;
		now = now_ns();
		wake = wake > now ? wake - now : 0;
		ts.tv_sec = (time_t)(wake / 1000000000ull);
		ts.tv_nsec = (long)(wake % 1000000000ull);
		if (epoll_pwait2(ep, evs, 4, &ts, NULL) <= 0)
			continue;
		for (;;) {
			union {
				struct cmsghdr h;
				char b[CMSG_SPACE(sizeof(struct timespec))];
			} cbuf;
			struct iovec iov = {.iov_base = pkt, .iov_len = sizeof(pkt)};
			struct msghdr mh = {
			    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &cbuf, .msg_controllen = sizeof(cbuf)};
			ssize_t n = recvmsg(fd, &mh, 0);
			uint64_t rx_rt = 0;
			int64_t xid;
			uint32_t seq;

			if (n < 0)
				break;
			xid = parse_offer(pkt, (size_t)n);
			if (xid < 0)
				continue;
			seq = (uint32_t)xid - base;
			if (seq >= sent || rq[seq].done) {
				bad++; /* duplicate, late, or someone else's */
				continue;
			}
			last_rx = now_ns();
			rq[seq].done = true;
			outstanding--;
			/* The kernel's receive time, so the generator's own wake-up
			 * delay (a busy shared machine) is not counted against the
			 * server. */
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
				if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
					struct timespec t;

					memcpy(&t, CMSG_DATA(c), sizeof(t));
					rx_rt = (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
				}
			}
			if (rx_rt < rq[seq].sent_rt_ns)
				rx_rt = clock_ns(CLOCK_REALTIME);
			lat[nlat++] = rx_rt - rq[seq].sent_rt_ns;
		}
	}
	qsort(lat, nlat, sizeof(*lat), cmp_u64);

	double dur = (double)((last_rx > end ? last_rx : end) - t0) / 1e9;

	printf("DHCPLOAD label=%s mode=%s window=%u rate=%.0f duration_s=%.3f sent=%zu offers=%zu "
	       "lost=%zu stray=%zu offers_per_s=%.1f p50_us=%.1f p99_us=%.1f max_us=%.1f\n",
	       o.label, o.window ? "window" : "rate", o.window, o.rate, dur, sent, nlat, lost, bad,
	       (double)nlat / dur, nlat ? (double)lat[nlat / 2] / 1e3 : 0,
	       nlat ? (double)lat[(size_t)((double)nlat * 0.99)] / 1e3 : 0,
	       nlat ? (double)lat[nlat - 1] / 1e3 : 0);
	return nlat ? 0 : 1;
}
