// SPDX-License-Identifier: MIT
/*
 * tftpload: N simulated TFTP clients in one process (epoll, no threads).
 *
 * Each client sends an RRQ (optionally blksize / windowsize (RFC 7440) /
 * tsize), receives the file, hashes every in-order byte with SHA-256 and
 * compares the digest and size with the expected ones. A round-trip time
 * is emulated in the client: every packet the client sends (RRQ, ACK) is
 * held for RTT before it goes out, which is what a lockstep server sees on
 * a real link (this kernel has no netem). Held packets and retransmission
 * timeouts live in one binary heap keyed by due time; the loop sleeps in
 * epoll_pwait2() with a nanosecond timeout, never in sleep().
 *
 * One machine-readable line is printed at the end (key=value, logfmt).
 * Exit status: 0 when every client got the right bytes, 1 otherwise,
 * 2 on usage or set-up errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sha256.h"

enum { OP_RRQ = 1, OP_DATA = 3, OP_ACK = 4, OP_ERROR = 5, OP_OACK = 6 };
enum cstate { ST_RRQ, ST_XFER, ST_DONE, ST_FAILED };
enum evkind { EV_SEND_RRQ, EV_SEND_ACK, EV_TIMEOUT, EV_NEXT_FILE };

struct opts {
	struct sockaddr_in server;
	const char *file;
	unsigned clients;
	unsigned blksize;     /* 0: do not ask (512) */
	unsigned windowsize;  /* 0: do not ask (1) */
	bool tsize;
	uint64_t rtt_ns;
	uint64_t timeout_ns;
	unsigned max_retries;
	const char *expect_hex;
	int64_t expect_size;  /* -1: unknown */
	double limit_s;
	const char *label;
	unsigned seq;         /* 0: one file; else files FILE % 0..seq-1, one after another */
};

struct client {
	int fd;
	enum cstate state;
	bool connected;
	bool tmo_queued;      /* one EV_TIMEOUT in the heap at most */
	bool gap_acked;       /* one ACK per detected gap, not one per packet */
	uint16_t blksize, windowsize;
	uint16_t next;        /* next expected block number (mod 2^16) */
	unsigned in_window;   /* in-order blocks since the last ACK we sent */
	unsigned retries;
	int64_t tsize;        /* from the OACK, -1 if absent */
	uint64_t bytes;
	uint64_t start_ns, end_ns, deadline_ns, last_dupack_ns;
	uint64_t retrans, gaps, dups;
	char err[64];
	struct sha256 sha;
	unsigned seq_i;       /* sequence mode: the file being fetched */
	uint64_t seq_bytes;   /* sequence mode: bytes of the files before it */
};

struct ev {
	uint64_t when;
	uint32_t client;
	uint16_t block;
	uint8_t kind;
};

struct heap {
	struct ev *v;
	size_t n, cap;
};

struct run {
	struct opts o;
	struct client *c;
	struct heap h;
	int ep;
	unsigned active;
	uint64_t t0;
	uint8_t rrq[512];
	size_t rrq_len;
	uint8_t buf[65536 + 8];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int heap_push(struct heap *h, struct ev e)
{
	size_t i;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 1024;
		struct ev *v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v, h->cap = cap;
	}
	/* Ties keep no order: events of one client at equal times commute. */
	for (i = h->n++; i > 0 && h->v[(i - 1) / 2].when > e.when; i = (i - 1) / 2)
		h->v[i] = h->v[(i - 1) / 2];
	h->v[i] = e;
	return 0;
}

static struct ev heap_pop(struct heap *h)
{
	struct ev top = h->v[0], last = h->v[--h->n];
	size_t i = 0;

	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < h->n && h->v[l].when < last.when)
			m = l;
		if (l + 1 < h->n && h->v[l + 1].when < (m == i ? last.when : h->v[m].when))
			m = l + 1;
		if (m == i)
			break;
		h->v[i] = h->v[m];
		i = m;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

static void schedule(struct run *r, uint32_t ci, enum evkind k, uint16_t block, uint64_t when)
{
	if (heap_push(&r->h, (struct ev){ .when = when, .client = ci, .block = block, .kind = k })) {
		fprintf(stderr, "tftpload: out of memory\n");
		exit(2);
	}
}

static void client_fail(struct run *r, struct client *c, const char *why)
{
	if (c->state == ST_DONE || c->state == ST_FAILED)
		return;
	snprintf(c->err, sizeof(c->err), "%s", why);
	c->state = ST_FAILED;
	c->end_ns = now_ns();
	r->active--;
}

static void arm_timeout(struct run *r, uint32_t ci, uint64_t now)
{
	struct client *c = &r->c[ci];

	c->deadline_ns = now + r->o.timeout_ns;
	if (!c->tmo_queued) {
		c->tmo_queued = true;
		schedule(r, ci, EV_TIMEOUT, 0, c->deadline_ns);
	}
}

/* Queue an ACK: it leaves after the emulated RTT. */
static void queue_ack(struct run *r, uint32_t ci, uint16_t block, uint64_t now)
{
	schedule(r, ci, EV_SEND_ACK, block, now + r->o.rtt_ns);
}

/*
 * Send errors that mean "this packet is lost", which our timeout recovers:
 * a full queue, an ICMP error from an earlier packet, or a netfilter DROP
 * on output (the loss emulation), which send() reports as EPERM.
 */
static bool lost_errno(int e)
{
	return e == EAGAIN || e == ENOBUFS || e == ECONNREFUSED || e == EPERM;
}

static int build_rrq(struct run *r, const char *name);

/* FILE with its run of '#' replaced by i, zero-padded to the run's length. */
static int seq_name(const char *pat, unsigned i, char *out, size_t cap)
{
	const char *h = strchr(pat, '#');
	size_t w = h ? strspn(h, "#") : 0;
	int n;

	if (!h)
		return -EINVAL;
	n = snprintf(out, cap, "%.*s%0*u%s", (int)(h - pat), pat, (int)w, i, h + w);
	return n < 0 || (size_t)n >= cap ? -ENOBUFS : 0;
}

static void xmit_rrq(struct run *r, uint32_t ci, uint64_t now)
{
	struct client *c = &r->c[ci];

	if (c->state != ST_RRQ)
		return;
	if (r->o.seq) {
		char name[300];

		if (seq_name(r->o.file, c->seq_i, name, sizeof(name)) || build_rrq(r, name)) {
			client_fail(r, c, "rrq-name");
			return;
		}
	}
	if (sendto(c->fd, r->rrq, r->rrq_len, 0, (const struct sockaddr *)&r->o.server,
		   sizeof(r->o.server)) < 0 && !lost_errno(errno)) {
		client_fail(r, c, "sendto-rrq");
		return;
	}
	arm_timeout(r, ci, now);
}

static void xmit_ack(struct run *r, uint32_t ci, uint16_t block, uint64_t now)
{
	struct client *c = &r->c[ci];
	uint8_t p[4] = { 0, OP_ACK, (uint8_t)(block >> 8), (uint8_t)block };

	if (c->state == ST_FAILED || !c->connected)
		return;
	if (send(c->fd, p, sizeof(p), 0) < 0 && !lost_errno(errno))
		client_fail(r, c, "send-ack");
	if (c->state == ST_XFER)
		arm_timeout(r, ci, now);
}

static void client_finish(struct run *r, struct client *c, uint64_t now)
{
	uint8_t dig[32];
	char hex[65];

	c->end_ns = now;
	c->state = ST_DONE;
	r->active--;
	sha256_final(&c->sha, dig);
	sha256_hex(dig, hex);
	if (r->o.expect_size >= 0 && c->bytes != (uint64_t)r->o.expect_size)
		snprintf(c->err, sizeof(c->err), "size");
	else if (c->tsize >= 0 && (uint64_t)c->tsize != c->bytes)
		snprintf(c->err, sizeof(c->err), "tsize");
	else if (r->o.expect_hex && strcmp(hex, r->o.expect_hex) != 0)
		snprintf(c->err, sizeof(c->err), "digest");
	if (r->o.seq && !c->err[0] && c->seq_i + 1 < r->o.seq) {
		/* Next file once our final ACK has left (it is held for the
		 * RTT), as a boot loader loading modules does. */
		c->state = ST_XFER;
		r->active++;
		schedule(r, (uint32_t)(c - r->c), EV_NEXT_FILE, 0, now + r->o.rtt_ns + 1);
	}
}

/* Sequence mode: a fresh socket (a new TID) and the next file's RRQ. */
static void next_file(struct run *r, uint32_t ci, uint64_t now)
{
	struct client *c = &r->c[ci];
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = ci };
	int sz = 1 << 20;

	close(c->fd);
	c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || epoll_ctl(r->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		client_fail(r, c, "socket");
		return;
	}
	setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	c->seq_bytes += c->bytes;
	c->seq_i++;
	c->bytes = 0;
	c->connected = false;
	c->in_window = 0;
	c->retries = 0;
	c->gap_acked = false;
	c->tsize = -1;
	sha256_init(&c->sha, 0);
	c->state = ST_RRQ;
	xmit_rrq(r, ci, now);
}

/* Parse an OACK's name/value pairs; unknown names are a protocol error. */
static int parse_oack(struct client *c, const uint8_t *p, size_t len)
{
	size_t i = 2;

	c->blksize = 512;
	c->windowsize = 1;
	while (i < len) {
		const char *name = (const char *)p + i, *val;
		size_t nl = strnlen(name, len - i), vl;
		unsigned long v;
		char *end;

		if (i + nl >= len)
			return -EBADMSG;
		i += nl + 1;
		val = (const char *)p + i;
		vl = strnlen(val, len - i);
		if (i + vl >= len)
			return -EBADMSG;
		i += vl + 1;
		errno = 0;
		v = strtoul(val, &end, 10);
		if (errno || end == val || *end)
			return -EBADMSG;
		if (!strcasecmp(name, "blksize")) {
			if (v < 8 || v > 65464)
				return -EBADMSG;
			c->blksize = (uint16_t)v;
		} else if (!strcasecmp(name, "windowsize")) {
			if (v < 1 || v > 65535)
				return -EBADMSG;
			c->windowsize = (uint16_t)v;
		} else if (!strcasecmp(name, "tsize")) {
			c->tsize = (int64_t)v;
		} else if (!strcasecmp(name, "timeout")) {
			/* accepted, we did not ask but it is harmless */
		} else {
			return -EBADMSG;
		}
	}
	return 0;
}

static void on_data(struct run *r, uint32_t ci, uint16_t block, const uint8_t *d, size_t n,
		    uint64_t now)
{
	struct client *c = &r->c[ci];
	uint16_t diff = (uint16_t)(block - c->next);

	if (c->state == ST_DONE) {
		/* Our final ACK was lost: the server repeats the last block. */
		if ((uint16_t)(block + 1) == c->next)
			queue_ack(r, ci, block, now);
		return;
	}
	if (diff == 0) {
		if (n > c->blksize) {
			client_fail(r, c, "oversize-block");
			return;
		}
		sha256_update(&c->sha, d, n);
		c->bytes += n;
		c->next++;
		c->retries = 0;
		c->gap_acked = false;
		if (n < c->blksize) {
			queue_ack(r, ci, block, now);
			client_finish(r, c, now);
			return;
		}
		if (++c->in_window >= c->windowsize) {
			c->in_window = 0;
			queue_ack(r, ci, block, now);
		}
		c->deadline_ns = now + r->o.timeout_ns;
	} else if (diff < 0x8000) {
		/* A block ahead of the expected one: a gap. RFC 7440 wants the
		 * last in-order block acknowledged so the sender restarts there. */
		c->gaps++;
		if (!c->gap_acked) {
			c->gap_acked = true;
			c->in_window = 0;
			queue_ack(r, ci, (uint16_t)(c->next - 1), now);
		}
	} else {
		c->dups++;
		/* The server timed out and resent its window: answer on the
		 * block we last acknowledged in order, at most once per timeout,
		 * so that a server that also answers duplicate ACKs (Sorcerer's
		 * Apprentice, RFC 1123 4.2.3.1) cannot double every block. */
		if ((uint16_t)(block + 1) == c->next && now - c->last_dupack_ns >= r->o.timeout_ns) {
			c->last_dupack_ns = now;
			c->in_window = 0;
			queue_ack(r, ci, block, now);
		}
	}
}

static void on_packet(struct run *r, uint32_t ci, const uint8_t *p, size_t n,
		      const struct sockaddr_in *from, uint64_t now)
{
	struct client *c = &r->c[ci];
	uint16_t op;

	if (n < 4)
		return;
	op = (uint16_t)(p[0] << 8 | p[1]);
	if (c->state == ST_FAILED)
		return;
	if (op == OP_ERROR) {
		char msg[48];

		snprintf(msg, sizeof(msg), "error-%u", (unsigned)(p[2] << 8 | p[3]));
		client_fail(r, c, msg);
		return;
	}
	if (c->state == ST_RRQ) {
		if (op != OP_OACK && op != OP_DATA)
			return;
		/* The first answer names the server's transfer ID (RFC 1350). */
		if (connect(c->fd, (const struct sockaddr *)from, sizeof(*from)) < 0) {
			client_fail(r, c, "connect");
			return;
		}
		c->connected = true;
		c->state = ST_XFER;
		c->next = 1;
		c->retries = 0;
		if (op == OP_OACK) {
			if (parse_oack(c, p, n) < 0) {
				client_fail(r, c, "bad-oack");
				return;
			}
			queue_ack(r, ci, 0, now);
			c->deadline_ns = now + r->o.timeout_ns;
			return;
		}
		/* DATA without OACK: the server ignored our options. */
		c->blksize = 512;
		c->windowsize = 1;
	}
	if (op == OP_OACK) {
		/* Our ACK 0 was lost: repeat it. */
		if (c->state == ST_XFER && c->next == 1)
			queue_ack(r, ci, 0, now);
		return;
	}
	if (op == OP_DATA)
		on_data(r, ci, (uint16_t)(p[2] << 8 | p[3]), p + 4, n - 4, now);
}

static void on_readable(struct run *r, uint32_t ci)
{
	struct client *c = &r->c[ci];

	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(c->fd, r->buf, sizeof(r->buf), 0, (struct sockaddr *)&from, &fl);

		if (n < 0) {
			if (errno == EINTR || errno == ECONNREFUSED)
				continue;
			return;
		}
		if (c->state == ST_RRQ && (from.sin_family != AF_INET ||
					   from.sin_addr.s_addr != r->o.server.sin_addr.s_addr))
			continue;
		on_packet(r, ci, r->buf, (size_t)n, &from, now_ns());
		if (c->state == ST_FAILED)
			return;
	}
}

static void on_event(struct run *r, struct ev e, uint64_t now)
{
	struct client *c = &r->c[e.client];

	switch (e.kind) {
	case EV_SEND_RRQ:
		xmit_rrq(r, e.client, now);
		break;
	case EV_SEND_ACK:
		xmit_ack(r, e.client, e.block, now);
		break;
	case EV_NEXT_FILE:
		next_file(r, e.client, now);
		break;
	case EV_TIMEOUT:
		c->tmo_queued = false;
		if (c->state != ST_RRQ && c->state != ST_XFER)
			break;
		if (now < c->deadline_ns) {
			c->tmo_queued = true;
			schedule(r, e.client, EV_TIMEOUT, 0, c->deadline_ns);
			break;
		}
		if (++c->retries > r->o.max_retries) {
			client_fail(r, c, "timeout");
			break;
		}
		c->retrans++;
		c->deadline_ns = now + r->o.timeout_ns;
		c->tmo_queued = true;
		schedule(r, e.client, EV_TIMEOUT, 0, c->deadline_ns);
		if (c->state == ST_RRQ) {
			schedule(r, e.client, EV_SEND_RRQ, 0, now + r->o.rtt_ns);
		} else {
			c->in_window = 0;
			queue_ack(r, e.client, (uint16_t)(c->next - 1), now);
		}
		break;
	}
}

static int build_rrq(struct run *r, const char *name)
{
	char *p = (char *)r->rrq, *end = p + sizeof(r->rrq);
	int n;

	n = snprintf(p, (size_t)(end - p), "%c%c%s%coctet%c", 0, OP_RRQ, name, 0, 0);
	if (n < 0 || n >= end - p)
		return -ENOBUFS;
	p += n;
	if (r->o.blksize) {
		n = snprintf(p, (size_t)(end - p), "blksize%c%u%c", 0, r->o.blksize, 0);
		if (n < 0 || n >= end - p)
			return -ENOBUFS;
		p += n;
	}
	if (r->o.windowsize) {
		n = snprintf(p, (size_t)(end - p), "windowsize%c%u%c", 0, r->o.windowsize, 0);
		if (n < 0 || n >= end - p)
			return -ENOBUFS;
		p += n;
	}
	if (r->o.tsize) {
		n = snprintf(p, (size_t)(end - p), "tsize%c0%c", 0, 0);
		if (n < 0 || n >= end - p)
			return -ENOBUFS;
		p += n;
	}
	r->rrq_len = (size_t)(p - (char *)r->rrq);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(struct run *r)
{
	unsigned ok = 0, failed = 0, corrupt = 0, nthr = 0;
	uint64_t bytes = 0, first = UINT64_MAX, last = 0, retrans = 0, gaps = 0, dups = 0;
	int neg_bs = -1, neg_ws = -1;
	double *thr = calloc(r->o.clients ? r->o.clients : 1, sizeof(double));
	const char *first_err = "none";

	for (unsigned i = 0; i < r->o.clients; i++) {
		struct client *c = &r->c[i];

		if (c->start_ns < first)
			first = c->start_ns;
		if (c->end_ns > last)
			last = c->end_ns;
		retrans += c->retrans, gaps += c->gaps, dups += c->dups;
		if (c->state == ST_DONE && !c->err[0]) {
			ok++;
			bytes += c->seq_bytes + c->bytes;
			if (thr && c->end_ns > c->start_ns)
				thr[nthr++] = (double)(c->seq_bytes + c->bytes) / 1048576.0 /
					      ((double)(c->end_ns - c->start_ns) / 1e9);
		} else if (c->state == ST_DONE) {
			corrupt++;
		} else {
			failed++;
		}
		if (c->err[0] && !strcmp(first_err, "none"))
			first_err = c->err;
		if (c->state == ST_DONE) {
			neg_bs = neg_bs == -1 || neg_bs == c->blksize ? c->blksize : -2;
			neg_ws = neg_ws == -1 || neg_ws == c->windowsize ? c->windowsize : -2;
		}
	}
	double wall = last > first ? (double)(last - first) / 1e9 : 0;
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	if (thr && nthr)
		qsort(thr, nthr, sizeof(double), cmp_double);
	printf("TFTPLOAD label=%s server=%s file=%s clients=%u req_blksize=%u req_windowsize=%u "
	       "rtt_ms=%.3f timeout_ms=%.0f neg_blksize=%d neg_windowsize=%d ok=%u failed=%u "
	       "corrupt=%u first_error=%s wall_s=%.4f bytes=%" PRIu64 " agg_MiBps=%.2f "
	       "client_MiBps_min=%.2f client_MiBps_p50=%.2f client_MiBps_max=%.2f "
	       "retrans=%" PRIu64 " gaps=%" PRIu64 " dups=%" PRIu64 " gen_cpu_s=%.2f\n",
	       r->o.label, inet_ntoa(r->o.server.sin_addr), r->o.file, r->o.clients, r->o.blksize,
	       r->o.windowsize, (double)r->o.rtt_ns / 1e6, (double)r->o.timeout_ns / 1e6, neg_bs,
	       neg_ws, ok, failed, corrupt, first_err, wall, bytes,
	       wall > 0 ? (double)bytes / 1048576.0 / wall : 0, nthr ? thr[0] : 0,
	       nthr ? thr[nthr / 2] : 0, nthr ? thr[nthr - 1] : 0, retrans, gaps, dups,
	       (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	free(thr);
}

static int selftest(void)
{
	static const struct {
		const char *msg;
		const char *hex;
	} vec[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	int bad = 0;

	for (int portable = 0; portable < 2; portable++) {
		for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
			struct sha256 s;
			uint8_t d[32];
			char hex[65];

			sha256_init(&s, portable);
			sha256_update(&s, vec[i].msg, strlen(vec[i].msg));
			sha256_final(&s, d);
			sha256_hex(d, hex);
			if (strcmp(hex, vec[i].hex)) {
				fprintf(stderr, "selftest: vector %zu portable=%d: %s\n", i, portable, hex);
				bad++;
			}
		}
	}
	/* SHA-NI against portable on odd split points. */
	uint8_t *buf = malloc(1 << 20);
	uint32_t x = 12345;

	if (!buf)
		return 2;
	for (size_t i = 0; i < 1 << 20; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t len = 0; len < (1 << 20); len = len * 3 + 7) {
		uint8_t d1[32], d2[32];
		struct sha256 a, b;
		size_t off = 0, step = 1;

		sha256_init(&a, 0);
		sha256_init(&b, 1);
		while (off < len) {
			size_t n = step < len - off ? step : len - off;

			sha256_update(&a, buf + off, n);
			off += n;
			step = step * 2 + 1;
		}
		sha256_update(&b, buf, len);
		sha256_final(&a, d1);
		sha256_final(&b, d2);
		if (memcmp(d1, d2, 32)) {
			fprintf(stderr, "selftest: fast/portable differ at len %zu\n", len);
			bad++;
		}
	}
	free(buf);
	{
		struct sha256 s;

		sha256_init(&s, 0);
		printf("selftest: %s (sha-ni %s)\n", bad ? "FAIL" : "ok", s.shani ? "on" : "off");
	}
	return bad ? 1 : 0;
}

static int hash_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct sha256 s;
	uint8_t buf[65536], d[32];
	char hex[65];
	size_t n;

	if (!f) {
		perror(path);
		return 2;
	}
	sha256_init(&s, 0);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sha256_update(&s, buf, n);
	fclose(f);
	sha256_final(&s, d);
	sha256_hex(d, hex);
	printf("%s  %s\n", hex, path);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tftpload -s ADDR -f FILE [options]\n"
		"  -s, --server ADDR       server IPv4 address\n"
		"  -p, --port N            server port (69)\n"
		"  -f, --file NAME         remote file name\n"
		"  -n, --clients N         concurrent clients (1)\n"
		"  -b, --blksize N         ask for blksize N (RFC 2348); 0 = do not ask\n"
		"  -w, --windowsize N      ask for windowsize N (RFC 7440); 0 = do not ask\n"
		"  -t, --tsize             ask for tsize (RFC 2349) and check it\n"
		"  -r, --rtt MS            emulated round-trip time, ms (0)\n"
		"  -T, --timeout MS        retransmit timeout for our ACKs, ms (200)\n"
		"  -R, --retries N         give up after N timeouts in a row (50)\n"
		"  -e, --expect-sha256 HEX expected digest of the file\n"
		"  -z, --expect-size N     expected size in bytes\n"
		"  -L, --limit S           fail clients still running after S seconds (120)\n"
		"  -l, --label TEXT        label echoed in the result line\n"
		"  -N, --sequence N        each client fetches FILE with its run of '#' replaced\n"
		"                          by 0..N-1 (zero-padded), one after another, each from\n"
		"                          a new socket; bytes and rates count all of them\n"
		"      --selftest          check the SHA-256 code and exit\n"
		"      --sha256 FILE       print FILE's digest and exit\n");
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || *out > max ? -EINVAL : 0;
}

static int parse_ms(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > 3.6e6)
		return -EINVAL;
	*ns = (uint64_t)(v * 1e6);
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "server", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "file", required_argument, NULL, 'f' },
		{ "clients", required_argument, NULL, 'n' },
		{ "blksize", required_argument, NULL, 'b' },
		{ "windowsize", required_argument, NULL, 'w' },
		{ "tsize", no_argument, NULL, 't' },
		{ "rtt", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "retries", required_argument, NULL, 'R' },
		{ "expect-sha256", required_argument, NULL, 'e' },
		{ "expect-size", required_argument, NULL, 'z' },
		{ "limit", required_argument, NULL, 'L' },
		{ "label", required_argument, NULL, 'l' },
		{ "sequence", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long v;
	int ch;
	const char *server = NULL;
	unsigned long port = 69;

	*o = (struct opts){ .clients = 1, .timeout_ns = 200000000ull, .max_retries = 50,
			    .expect_size = -1, .limit_s = 120, .label = "-" };
	while ((ch = getopt_long(argc, argv, "s:p:f:n:b:w:tr:T:R:e:z:L:l:N:h", lo, NULL)) != -1) {
		switch (ch) {
		case 's':
			server = optarg;
			break;
		case 'p':
			if (parse_uint(optarg, 65535, &port) || !port)
				return -EINVAL;
			break;
		case 'f':
			o->file = optarg;
			break;
		case 'n':
			if (parse_uint(optarg, 100000, &v) || !v)
				return -EINVAL;
			o->clients = (unsigned)v;
			break;
		case 'b':
			if (parse_uint(optarg, 65464, &v) || (v && v < 8))
				return -EINVAL;
			o->blksize = (unsigned)v;
			break;
		case 'w':
			if (parse_uint(optarg, 65535, &v))
				return -EINVAL;
			o->windowsize = (unsigned)v;
			break;
		case 't':
			o->tsize = true;
			break;
		case 'r':
			if (parse_ms(optarg, &o->rtt_ns))
				return -EINVAL;
			break;
		case 'T':
			if (parse_ms(optarg, &o->timeout_ns) || !o->timeout_ns)
				return -EINVAL;
			break;
		case 'R':
			if (parse_uint(optarg, 1000, &v))
				return -EINVAL;
			o->max_retries = (unsigned)v;
			break;
		case 'e':
			if (strlen(optarg) != 64 || strspn(optarg, "0123456789abcdef") != 64)
				return -EINVAL;
			o->expect_hex = optarg;
			break;
		case 'z':
			if (parse_uint(optarg, ~0ul, &v))
				return -EINVAL;
			o->expect_size = (int64_t)v;
			break;
		case 'L': {
			char *end;

			o->limit_s = strtod(optarg, &end);
			if (end == optarg || *end || o->limit_s <= 0)
				return -EINVAL;
			break;
		}
		case 'l':
			o->label = optarg;
			break;
		case 'N':
			if (parse_uint(optarg, 100000, &v) || !v)
				return -EINVAL;
			o->seq = (unsigned)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -EINVAL;
		}
	}
	if (!server || !o->file || optind != argc || strlen(o->file) > 255)
		return -EINVAL;
	/* per-file size and digest checks: tsize (-t) only in sequence mode */
	if (o->seq && (o->expect_hex || o->expect_size >= 0 || !strchr(o->file, '#')))
		return -EINVAL;
	o->server.sin_family = AF_INET;
	o->server.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, server, &o->server.sin_addr) != 1)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	static struct run r;
	struct epoll_event evs[256];
	uint64_t limit_at;

	if (argc == 2 && !strcmp(argv[1], "--selftest"))
		return selftest();
	if (argc == 3 && !strcmp(argv[1], "--sha256"))
		return hash_file(argv[2]);
	if (parse_args(argc, argv, &r.o) || build_rrq(&r, r.o.file)) {
		usage(stderr);
		return 2;
	}
	{
		struct rlimit rl;

		/* One socket per client: make room for big storms. */
		if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < r.o.clients + 64) {
			rl.rlim_cur = rl.rlim_max < r.o.clients + 64 ? rl.rlim_max : r.o.clients + 64;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	r.c = calloc(r.o.clients, sizeof(*r.c));
	r.ep = epoll_create1(EPOLL_CLOEXEC);
	if (!r.c || r.ep < 0) {
		perror("tftpload: setup");
		return 2;
	}
	r.t0 = now_ns();
	for (unsigned i = 0; i < r.o.clients; i++) {
		struct client *c = &r.c[i];
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
		int sz = 1 << 20;

		c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (c->fd < 0 || epoll_ctl(r.ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
			perror("tftpload: socket");
			return 2;
		}
		/* Windows of 64 x 1468 bytes must fit in the receive queue. */
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		c->state = ST_RRQ;
		c->tsize = -1;
		sha256_init(&c->sha, 0);
		c->start_ns = r.t0;
		schedule(&r, i, EV_SEND_RRQ, 0, r.t0 + r.o.rtt_ns);
	}
	r.active = r.o.clients;
	limit_at = r.t0 + (uint64_t)(r.o.limit_s * 1e9);

	while (r.active > 0) {
		uint64_t now = now_ns();
		struct timespec ts, *tsp = NULL;
		int n;

		if (now >= limit_at) {
			for (unsigned i = 0; i < r.o.clients; i++)
				client_fail(&r, &r.c[i], "time-limit");
			break;
		}
		while (r.h.n && r.h.v[0].when <= now) {
			on_event(&r, heap_pop(&r.h), now);
			now = now_ns();
		}
		if (!r.active)
			break;
		{
			uint64_t next = r.h.n && r.h.v[0].when < limit_at ? r.h.v[0].when : limit_at;
			uint64_t wait = next > now ? next - now : 0;

			ts.tv_sec = (time_t)(wait / 1000000000ull);
			ts.tv_nsec = (long)(wait % 1000000000ull);
			tsp = &ts;
		}
		n = epoll_pwait2(r.ep, evs, 256, tsp, NULL);
		if (n < 0 && errno != EINTR) {
			perror("tftpload: epoll_pwait2");
			return 2;
		}
		for (int i = 0; i < n; i++)
			on_readable(&r, evs[i].data.u32);
	}
	/* Let held final ACKs leave so servers can close their transfers. */
	while (r.h.n) {
		struct ev e = heap_pop(&r.h);
		uint64_t now = now_ns();

		if (e.kind != EV_SEND_ACK)
			continue;
		if (e.when > now) {
			struct timespec ts = { 0, (long)(e.when - now) };

			if (e.when - now < 1000000000ull)
				nanosleep(&ts, NULL);
		}
		xmit_ack(&r, e.client, e.block, now_ns());
	}
	report(&r);
	for (unsigned i = 0; i < r.o.clients; i++) {
		if (r.c[i].state != ST_DONE || r.c[i].err[0])
			return 1;
	}
	return 0;
}
