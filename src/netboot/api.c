/* api: --api's cache, queue and non-blocking HTTP client on core/loop. */
#include "netboot/api.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"

enum api_state {
	E_FREE,
	E_QUEUED,
	E_INFLIGHT,
	E_BOOT,
	E_NOTOURS,
	E_FAILED,
};

struct api_entry {
	uint8_t mac[6];
	enum api_state state;
	bool has_boot;	      /* boot holds the last 200 answer */
	uint64_t expires_ms;  /* of a BOOT/NOTOURS/FAILED answer */
	uint64_t used_ms;     /* last asked: the least recent is evicted */
	uint64_t logged_ms;   /* last failure line, 0 = never */
	const char *fail_why; /* of E_FAILED */
	struct api_boot boot;
};

struct api_conn {
	struct api *a;
	int fd; /* -1: free */
	size_t entry;
	struct loop_watch w;
	struct loop_timer t;
	uint64_t t0;
	char req[512];
	size_t req_len, sent;
	uint8_t buf[API_RESP_MAX];
	size_t n;
};

struct api {
	struct loop *l;
	struct api_url url;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	uint64_t ttl_ms;
	unsigned timeout_ms;
	struct api_entry e[API_ENTRIES];
	size_t queue[API_QUEUE];
	size_t q_head, q_len;
	struct api_conn c[API_INFLIGHT];
	struct api_stats st;
	struct log_budget lb;
	uint64_t qfull_logged_ms; /* one queue-full line a second */
};

static void fmt_mac(char out[18], const uint8_t *m)
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static struct api_entry *entry_find(struct api *a, const uint8_t mac[6])
{
	for (size_t i = 0; i < API_ENTRIES; i++)
		if (a->e[i].state != E_FREE && !memcmp(a->e[i].mac, mac, 6))
			return &a->e[i];
	return NULL;
}

/* A free entry, else the least recently asked settled one. */
static struct api_entry *entry_new(struct api *a, const uint8_t mac[6])
{
	struct api_entry *best = NULL;
	for (size_t i = 0; i < API_ENTRIES; i++) {
		struct api_entry *e = &a->e[i];
		if (e->state == E_QUEUED || e->state == E_INFLIGHT)
			continue;
		if (e->state == E_FREE) {
			best = e;
			break;
		}
		if (!best || e->used_ms < best->used_ms)
			best = e;
	}
	if (!best)
		return NULL;
	memset(best, 0, sizeof *best);
	memcpy(best->mac, mac, 6);
	return best;
}

/* A failure line for e at most once per API_LOG_WINDOW_MS, within the
 * server-wide budget. */
static void log_fail(struct api *a, struct api_entry *e, bool bad_json, const char *why,
		     unsigned ms)
{
	uint64_t now = loop_now_ms(a->l);
	char mac[18];
	if (e->logged_ms && now - e->logged_ms < API_LOG_WINDOW_MS)
		return;
	if (!log_budget_take(&a->lb, now, "api"))
		return;
	e->logged_ms = now ? now : 1;
	fmt_mac(mac, e->mac);
	log_warn("api.fail mac=%s ms=%u reason=\"%s%s\" result=no-offer note=\"no offer until "
		 "the API answers; next try in %u s\"",
		 mac, ms, bad_json ? "bad JSON answer: " : "", why, API_FAIL_TTL_MS / 1000);
}

static void conn_close(struct api_conn *c)
{
	if (c->fd < 0)
		return;
	loop_del(c->a->l, &c->w);
	loop_timer_cancel(c->a->l, &c->t);
	close(c->fd);
	c->fd = -1;
}

static void api_pump(struct api *a);

/* Ends c's request: the entry gets the answer (or the failure). */
static void conn_done(struct api_conn *c, int status, const struct api_boot *b, const char *why)
{
	struct api *a = c->a;
	struct api_entry *e = &a->e[c->entry];
	uint64_t now = loop_now_ms(a->l);
	unsigned ms = (unsigned)(now - c->t0);
	char mac[18];
	fmt_mac(mac, e->mac);
	conn_close(c);
	if (b) {
		e->state = E_BOOT;
		e->has_boot = true;
		e->boot = *b;
		e->expires_ms = now + a->ttl_ms;
		a->st.boot++;
		log_info("api.answer mac=%s status=200 ms=%u kernel=%s initrds=%zu ttl_s=%llu", mac,
			 ms, b->kernel, b->n_initrd, (unsigned long long)(a->ttl_ms / 1000));
	} else if (status == 404) {
		e->state = E_NOTOURS;
		e->has_boot = false;
		e->expires_ms = now + a->ttl_ms;
		a->st.notours++;
		log_info("api.answer mac=%s status=404 ms=%u result=not-ours", mac, ms);
	} else {
		e->state = E_FAILED;
		e->fail_why = why;
		e->expires_ms = now + API_FAIL_TTL_MS;
		a->st.failed++;
		log_fail(a, e, status == -1, why, ms);
	}
	api_pump(a);
}

static void conn_answer(struct api_conn *c, bool eof)
{
	struct api_http h;
	struct api_boot b;
	const char *why;
	int r = api_http_parse(c->buf, &c->n, eof, &h);
	if (r == -EAGAIN)
		return;
	if (r) {
		conn_done(c, 0, NULL, "malformed HTTP answer");
		return;
	}
	if (h.status == 200 && api_json_boot(h.body, h.body_len, &b, &why) == 0) {
		conn_done(c, 200, &b, NULL);
		return;
	}
	if (h.status == 200) {
		conn_done(c, -1, NULL, why); /* -1: a 200 whose JSON we refuse */
		return;
	}
	/* pixiecore: any status but 200 ignores the machine; 404 is the
	 * inventory's "not ours" and cached as such, the rest are failures */
	conn_done(c, h.status, NULL,
		  h.status >= 500 ? "API server error (5xx)" : "API answered neither 200 nor 404");
}

static void conn_io(struct loop *l, struct loop_watch *w, uint32_t ev)
{
	struct api_conn *c = w->arg;
	(void)l;
	if (c->sent < c->req_len) {
		int err = 0;
		socklen_t el = sizeof err;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) || err ||
		    (ev & (EPOLLERR | EPOLLHUP))) {
			conn_done(c, 0, NULL,
				  err == ECONNREFUSED ? "connection refused" : "cannot connect");
			return;
		}
		ssize_t k = send(c->fd, c->req + c->sent, c->req_len - c->sent, MSG_NOSIGNAL);
		if (k < 0 && errno != EAGAIN && errno != EINTR) {
			conn_done(c, 0, NULL, "send failed");
			return;
		}
		if (k > 0)
			c->sent += (size_t)k;
		if (c->sent == c->req_len)
			loop_mod(c->a->l, &c->w, EPOLLIN);
		return;
	}
	if (c->n == sizeof c->buf) {
		conn_done(c, 0, NULL, "answer too large");
		return;
	}
	ssize_t k = recv(c->fd, c->buf + c->n, sizeof c->buf - c->n, 0);
	if (k < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (k < 0) {
		conn_done(c, 0, NULL, "connection reset");
		return;
	}
	c->n += (size_t)k;
	conn_answer(c, k == 0);
}

static void conn_timeout(struct loop *l, struct loop_timer *t)
{
	struct api_conn *c = t->arg;
	(void)l;
	conn_done(c, 0, NULL, "timeout: no complete answer within --api-timeout");
}

/* Starts the request for entry i on c. 0, or -errno (entry failed). */
static int conn_start(struct api *a, struct api_conn *c, size_t i)
{
	struct api_entry *e = &a->e[i];
	int r = api_request(c->req, sizeof c->req, &a->url, e->mac);
	if (r < 0)
		return r;
	c->req_len = (size_t)r;
	c->sent = c->n = 0;
	c->entry = i;
	c->t0 = loop_now_ms(a->l);
	c->fd = socket(a->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&a->addr, a->addr_len) && errno != EINPROGRESS) {
		r = -errno;
		close(c->fd);
		c->fd = -1;
		return r;
	}
	c->w = (struct loop_watch){.fd = c->fd, .cb = conn_io, .arg = c};
	loop_timer_init(&c->t, conn_timeout, c);
	if ((r = loop_add(a->l, &c->w, EPOLLOUT)) ||
	    (r = loop_timer_arm(a->l, &c->t, a->timeout_ms))) {
		loop_del(a->l, &c->w);
		close(c->fd);
		c->fd = -1;
		return r;
	}
	e->state = E_INFLIGHT;
	a->st.requests++;
	char mac[18];
	fmt_mac(mac, e->mac);
	log_debug("api.request mac=%s", mac);
	return 0;
}

/* Moves queued lookups onto free connections. */
static void api_pump(struct api *a)
{
	for (size_t k = 0; k < API_INFLIGHT && a->q_len; k++) {
		struct api_conn *c = &a->c[k];
		if (c->fd >= 0)
			continue;
		size_t i = a->queue[a->q_head];
		a->q_head = (a->q_head + 1) % API_QUEUE;
		a->q_len--;
		if (conn_start(a, c, i)) {
			struct api_entry *e = &a->e[i];
			e->state = E_FAILED;
			e->fail_why = "cannot open a connection";
			e->expires_ms = loop_now_ms(a->l) + API_FAIL_TTL_MS;
			a->st.failed++;
			log_fail(a, e, false, e->fail_why, 0);
		}
	}
}

/* Queues a lookup for mac into e (a new or expired entry). */
static int api_enqueue(struct api *a, struct api_entry *e)
{
	if (a->q_len == API_QUEUE) {
		uint64_t now = loop_now_ms(a->l);
		a->st.queue_full++;
		if (now - a->qfull_logged_ms >= 1000 || !a->qfull_logged_ms) {
			a->qfull_logged_ms = now ? now : 1;
			log_warn("api.queue-full queued=%u inflight=%u reason=\"more new machines "
				 "than the API answers: no offer for now\"",
				 API_QUEUE, API_INFLIGHT);
		}
		return -EBUSY;
	}
	a->queue[(a->q_head + a->q_len) % API_QUEUE] = (size_t)(e - a->e);
	a->q_len++;
	e->state = E_QUEUED;
	api_pump(a);
	return 0;
}

int api_decide(void *arg, const uint8_t mac[6], const struct api_boot **b, const char **why)
{
	struct api *a = arg;
	uint64_t now = loop_now_ms(a->l);
	struct api_entry *e = entry_find(a, mac);
	*b = NULL;
	if (e)
		e->used_ms = now;
	if (e && (e->state == E_QUEUED || e->state == E_INFLIGHT)) {
		*why = "api: lookup in flight, no offer until it is answered";
		return -EAGAIN;
	}
	if (e && now < e->expires_ms) {
		a->st.hits++;
		if (e->state == E_BOOT) {
			*b = &e->boot;
			*why = "api";
			return 0;
		}
		if (e->state == E_NOTOURS) {
			*why = "api: not ours (404)";
			return -ENOENT;
		}
		*why = "api: the last lookup failed (see api.fail), no offer";
		return -EIO;
	}
	if (!e && !(e = entry_new(a, mac))) {
		*why = "api: every cache entry is busy";
		return -EBUSY;
	}
	e->used_ms = now;
	if (api_enqueue(a, e)) {
		*why = "api: lookup queue full, no offer";
		return -EBUSY;
	}
	*why = "api: lookup started, no offer until it is answered";
	return -EAGAIN;
}

const struct api_boot *api_latest(void *arg, const uint8_t mac[6])
{
	struct api_entry *e = entry_find(arg, mac);
	return e && e->has_boot ? &e->boot : NULL;
}

void api_get_stats(const struct api *a, struct api_stats *s)
{
	*s = a->st;
}

static int api_resolve(struct api *a, char *err, size_t cap)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	char port[8];
	snprintf(port, sizeof port, "%u", a->url.port);
	int r = getaddrinfo(a->url.host, port, &hints, &res);
	if (r || !res || res->ai_addrlen > sizeof a->addr) {
		snprintf(err, cap, "cannot resolve %s: %s", a->url.host,
			 r ? gai_strerror(r) : "no address");
		if (res)
			freeaddrinfo(res);
		return -EHOSTUNREACH;
	}
	memcpy(&a->addr, res->ai_addr, res->ai_addrlen);
	a->addr_len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int api_start(struct api **out, struct loop *l, const struct api_cfg *cfg, char *err, size_t cap)
{
	struct api *a = calloc(1, sizeof *a);
	int r;
	if (!a) {
		snprintf(err, cap, "out of memory");
		return -ENOMEM;
	}
	a->l = l;
	a->ttl_ms = (uint64_t)cfg->ttl_s * 1000;
	a->timeout_ms = cfg->timeout_ms;
	for (size_t k = 0; k < API_INFLIGHT; k++) {
		a->c[k].a = a;
		a->c[k].fd = -1;
	}
	r = api_url_parse(cfg->url, &a->url);
	if (r) {
		snprintf(err, cap, "%s",
			 r == -EPROTONOSUPPORT
			     ? "https:// needs TLS, which lifeboat does not link: use http:// (a "
			       "local TLS proxy can reach an https API)"
			     : "expected http://HOST[:PORT][/PATH]");
		free(a);
		return r;
	}
	if ((r = api_resolve(a, err, cap))) {
		free(a);
		return r;
	}
	*out = a;
	return 0;
}

void api_stop(struct api *a)
{
	if (!a)
		return;
	for (size_t k = 0; k < API_INFLIGHT; k++)
		conn_close(&a->c[k]);
	free(a);
}
