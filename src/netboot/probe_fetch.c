/* probe_fetch: TFTP and HTTP clients just good enough to read the first
 * blocks of a boot file, many at once, in one poll loop. */
#include "netboot/probe_fetch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/sys.h"
#include "netboot/tftp_wire.h"

#define RRQ_RESEND_MS 700

struct job {
	struct probe_fetch *f;
	int fd;
	struct sockaddr_storage dst;
	socklen_t dlen;
	uint64_t t0, sent_ms;
	bool done;
	/* TFTP */
	bool locked;
	struct sockaddr_storage peer;
	uint16_t next_block;
	unsigned blksize;
	char blk[8];
	/* HTTP */
	bool sent, head_done;
	char head[4096];
	size_t hlen;
};

static uint64_t now_ms(void)
{
	return sys_clock_ms(CLOCK_MONOTONIC);
}

static void job_end(struct job *j, enum probe_fetch_result res)
{
	j->done = true;
	j->f->result = res;
	j->f->ms = (unsigned)(now_ms() - j->t0);
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

static int job_addr(struct job *j, int ifindex)
{
	struct probe_fetch *f = j->f;
	memset(&j->dst, 0, sizeof j->dst);
	if (!f->v6) {
		struct sockaddr_in *s = (struct sockaddr_in *)&j->dst;
		s->sin_family = AF_INET;
		s->sin_port = htons(f->port);
		j->dlen = sizeof *s;
		return inet_pton(AF_INET, f->host, &s->sin_addr) == 1 ? 0 : -EINVAL;
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&j->dst;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(f->port);
	j->dlen = sizeof *s6;
	if (inet_pton(AF_INET6, f->host, &s6->sin6_addr) != 1)
		return -EINVAL;
	if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
		s6->sin6_scope_id = (uint32_t)ifindex;
	return 0;
}

static void tftp_send_rrq(struct job *j)
{
	static const char *const names[] = {"tsize", "blksize"};
	const char *values[] = {"0", j->blk};
	uint8_t pkt[600];
	struct wbuf w;
	wbuf_init(&w, pkt, sizeof pkt);
	if (tftp_build_request(&w, TFTP_RRQ, j->f->path, "octet", names, values, 2)) {
		job_end(j, PROBE_FETCH_BAD_TARGET);
		return;
	}
	(void)sendto(j->fd, pkt, w.len, 0, (struct sockaddr *)&j->dst, j->dlen);
	j->sent_ms = now_ms();
}

static void tftp_send(struct job *j, bool ack, uint16_t v, const char *msg)
{
	uint8_t pkt[64];
	struct wbuf w;
	wbuf_init(&w, pkt, sizeof pkt);
	if (ack ? tftp_build_ack(&w, v) : tftp_build_error(&w, v, msg))
		return;
	(void)sendto(j->fd, pkt, w.len, 0, (struct sockaddr *)&j->peer,
		     j->peer.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						   : sizeof(struct sockaddr_in));
}

static int job_socket(struct job *j, int type)
{
	int on = 1;
	j->fd = socket(j->dst.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (j->fd < 0)
		return -errno;
	/* ICMP port unreachable on an unconnected socket: only with RECVERR */
	if (type == SOCK_DGRAM)
		(void)setsockopt(j->fd, j->dst.ss_family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
				 j->dst.ss_family == AF_INET6 ? IPV6_RECVERR : IP_RECVERR, &on,
				 sizeof on);
	return 0;
}

static void job_start(struct job *j, int ifindex, unsigned mtu)
{
	j->t0 = now_ms();
	j->fd = -1;
	j->next_block = 1;
	j->blksize = TFTP_BLKSIZE_DEFAULT;
	if (job_addr(j, ifindex)) {
		job_end(j, PROBE_FETCH_BAD_TARGET);
		return;
	}
	if (job_socket(j, j->f->http ? SOCK_STREAM : SOCK_DGRAM)) {
		job_end(j, PROBE_FETCH_ERROR);
		return;
	}
	if (j->f->http) {
		if (connect(j->fd, (struct sockaddr *)&j->dst, j->dlen) && errno != EINPROGRESS)
			job_end(j,
				errno == ECONNREFUSED ? PROBE_FETCH_REFUSED : PROBE_FETCH_SILENT);
		return;
	}
	snprintf(j->blk, sizeof j->blk, "%u", tftp_blksize_for_mtu(mtu, j->f->v6));
	tftp_send_rrq(j);
}

/* One TFTP datagram from the server. */
static void tftp_packet(struct job *j, const uint8_t *p, size_t n)
{
	uint16_t op, block;
	struct tftp_request oack;
	struct tftp_error e;
	const uint8_t *data;
	size_t len;
	if (tftp_parse_opcode(p, n, &op))
		return;
	if (op == TFTP_OACK && !tftp_parse_oack(p, n, &oack)) {
		if (oack.has_tsize) {
			j->f->size = (long long)oack.tsize;
			j->f->size_probe = true;
		}
		if (oack.has_blksize)
			j->blksize = oack.blksize;
		tftp_send(j, true, 0, NULL);
	} else if (op == TFTP_DATA && !tftp_parse_data(p, n, &block, &data, &len)) {
		if (block != j->next_block)
			return;
		j->f->bytes += len;
		j->next_block++;
		if (len < j->blksize) {
			tftp_send(j, true, block, NULL);
			if (j->f->size < 0)
				j->f->size = (long long)j->f->bytes;
			job_end(j, PROBE_FETCH_OK);
		} else if (j->f->bytes >= PROBE_FETCH_BYTES) {
			tftp_send(j, false, 0, "lifeboat probe: enough");
			job_end(j, PROBE_FETCH_OK);
		} else {
			tftp_send(j, true, block, NULL);
		}
	} else if (op == TFTP_ERROR && !tftp_parse_error(p, n, &e)) {
		j->f->code = e.code;
		snprintf(j->f->msg, sizeof j->f->msg, "%.*s", (int)e.msg_len, e.msg);
		job_end(j, e.code == TFTP_ENOTFOUND ? PROBE_FETCH_NOT_FOUND : PROBE_FETCH_ERROR);
	}
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
}

static bool same_port(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	/* sin_port and sin6_port sit at the same offset */
	return ((const struct sockaddr_in *)a)->sin_port ==
	       ((const struct sockaddr_in *)b)->sin_port;
}

static void tftp_input(struct job *j)
{
	uint8_t p[65536 + 4];
	for (int i = 0; i < 64 && !j->done; i++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(j->fd, p, sizeof p, 0, (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH)
				job_end(j, PROBE_FETCH_REFUSED);
			return;
		}
		if (!same_host(&from, &j->dst))
			continue;
		if (!j->locked) {
			j->peer = from; /* the transfer's port (TID) */
			j->locked = true;
		} else if (!same_port(&from, &j->peer)) {
			continue;
		}
		tftp_packet(j, p, (size_t)n);
	}
}

static void http_send(struct job *j)
{
	char req[600];
	int err = 0;
	socklen_t el = sizeof err;
	if (getsockopt(j->fd, SOL_SOCKET, SO_ERROR, &err, &el) || err) {
		job_end(j, err == ECONNREFUSED ? PROBE_FETCH_REFUSED : PROBE_FETCH_SILENT);
		return;
	}
	int n = snprintf(req, sizeof req,
			 "GET %s HTTP/1.1\r\nHost: %s%s%s\r\nRange: bytes=0-%u\r\n"
			 "User-Agent: lifeboat-probe\r\nConnection: close\r\n\r\n",
			 j->f->path, j->f->v6 ? "[" : "", j->f->host, j->f->v6 ? "]" : "",
			 PROBE_FETCH_BYTES - 1);
	if (n < 0 || (size_t)n >= sizeof req || send(j->fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		job_end(j, PROBE_FETCH_ERROR);
		return;
	}
	j->sent = true;
}

static void http_head(struct job *j)
{
	int status;
	size_t body;
	int r = probe_parse_http_head(j->head, j->hlen, &status, &j->f->size, &body);
	if (r == -EAGAIN && j->hlen < sizeof j->head)
		return;
	if (r) {
		job_end(j, PROBE_FETCH_ERROR);
		return;
	}
	j->head_done = true;
	j->f->code = status;
	j->f->bytes = j->hlen - body;
	if (status == 404)
		job_end(j, PROBE_FETCH_NOT_FOUND);
	else if (status != 200 && status != 206)
		job_end(j, PROBE_FETCH_ERROR);
}

static void http_input(struct job *j)
{
	char buf[16384];
	for (int i = 0; i < 16 && !j->done; i++) {
		ssize_t n;
		if (!j->head_done) {
			n = recv(j->fd, j->head + j->hlen, sizeof j->head - j->hlen, 0);
			if (n > 0) {
				j->hlen += (size_t)n;
				http_head(j);
				continue;
			}
		} else {
			n = recv(j->fd, buf, sizeof buf, 0);
			if (n > 0)
				j->f->bytes += (size_t)n;
		}
		if (n == 0 || j->f->bytes >= PROBE_FETCH_BYTES)
			job_end(j, j->head_done ? PROBE_FETCH_OK : PROBE_FETCH_ERROR);
		else if (n < 0 && errno != EAGAIN)
			job_end(j, errno == ECONNREFUSED ? PROBE_FETCH_REFUSED : PROBE_FETCH_ERROR);
		if (n < 0)
			return;
	}
}

static void job_event(struct job *j, short rev)
{
	if (j->f->http && !j->sent) {
		if (rev & (POLLOUT | POLLERR | POLLHUP))
			http_send(j);
		return;
	}
	if (j->f->http)
		http_input(j);
	else
		tftp_input(j);
}

/* At the deadline: what was read counts; nothing at all is silence. */
static void job_timeout(struct job *j)
{
	if (!j->done)
		job_end(j, j->f->bytes || j->f->size_probe || j->head_done ? PROBE_FETCH_OK
									   : PROBE_FETCH_SILENT);
}

void probe_fetch_all(struct probe_report *r, int ifindex, unsigned mtu, unsigned budget_ms)
{
	struct job jobs[PROBE_MAX_FETCH];
	struct pollfd pfd[PROBE_MAX_FETCH];
	size_t n = 0;
	uint64_t deadline = now_ms() + budget_ms;
	for (size_t i = 0; i < r->n_fetch; i++) {
		if (r->fetch[i].result != PROBE_FETCH_PENDING)
			continue;
		memset(&jobs[n], 0, sizeof jobs[n]);
		jobs[n].f = &r->fetch[i];
		job_start(&jobs[n], ifindex, mtu);
		n++;
	}
	for (;;) {
		uint64_t now = now_ms();
		size_t np = 0, map[PROBE_MAX_FETCH];
		for (size_t i = 0; i < n; i++) {
			struct job *j = &jobs[i];
			if (j->done)
				continue;
			if (!j->f->http && !j->locked && now - j->sent_ms >= RRQ_RESEND_MS)
				tftp_send_rrq(j); /* the RRQ or its answer was lost */
			pfd[np] =
			    (struct pollfd){j->fd, j->f->http && !j->sent ? POLLOUT : POLLIN, 0};
			map[np++] = i;
		}
		if (!np || now >= deadline)
			break;
		uint64_t wait = deadline - now < RRQ_RESEND_MS ? deadline - now : RRQ_RESEND_MS / 2;
		if (poll(pfd, np, (int)wait) < 0 && errno != EINTR)
			break;
		for (size_t k = 0; k < np; k++)
			if (pfd[k].revents)
				job_event(&jobs[map[k]], pfd[k].revents);
	}
	for (size_t i = 0; i < n; i++)
		job_timeout(&jobs[i]);
}
