/* http: the HTTP/1.1 file server: accepts connections and answers GET/HEAD
 * of files and generated text with sendfile(2), inside the event loop. */
#include "netboot/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/sys.h"
#include "netboot/http_wire.h"
#include "netboot/peer_count.h"

#define HTTP_DEFAULT_PORT 80
#define HTTP_DEFAULT_MAX_CONNS 1024
#define HTTP_DEFAULT_PER_PEER 32
#define HTTP_DEFAULT_IDLE_MS 30000
#define HTTP_DEFAULT_KEEPALIVE_MS 15000
#define HTTP_DEFAULT_HEADER_MS 10000
#define HTTP_MAX_LISTENERS 16
/* Work one connection may do per loop turn before it yields (loop_again):
 * a client pipelining requests and reading the answers as fast as it can
 * must not hold the loop that DHCP and TFTP also wait on. */
#define HTTP_TURN_REQUESTS 8
#define HTTP_TURN_BYTES (2u << 20)
/* Per-request and per-refusal log lines a second, server-wide. */
#define HTTP_LOG_PER_S 200
#define HTTP_ACCEPT_BATCH 64
#define HTTP_ACCEPT_PAUSE_MS 100 /* after EMFILE: let connections finish */
#define HTTP_OUT_MAX 1024	 /* response head (+ a short error body) */
#define HTTP_LOG_PATH_MAX 256

enum http_conn_state {
	HTTP_CONN_READ, /* reading or parsing a request head */
	HTTP_CONN_SEND, /* sending a response */
};

struct http_conn {
	struct http_server *srv;
	struct http_conn *prev, *next;
	struct loop_watch w;
	struct loop_timer timer;
	uint64_t deadline_ms; /* the timer re-arms itself until this passes */
	uint32_t events;      /* what w is registered for */
	enum http_conn_state state;
	bool peer_eof;	      /* the client shut down its side */
	bool close_after;     /* close once the response in flight is sent */
	bool head_open;	      /* a request head has begun: its deadline is set */
	bool xfer_open;	      /* the observer was told this response started */
	uint64_t turn_bytes;  /* body bytes sent in this loop turn */
	uint64_t progress_ms; /* last XFER_PROGRESS told */

	/* The response in flight: head in out[], then a memory body or a
	 * file window [file_off, file_end) sent with sendfile. */
	char out[HTTP_OUT_MAX];
	size_t out_len, out_off;
	const char *mem;
	size_t mem_len, mem_off;
	int file_fd;
	uint64_t file_off, file_end;
	struct bootfile vf;
	bool vf_held;

	/* For the log line. */
	uint64_t t_start_us; /* monotonic */
	int status;
	uint64_t body_len, body_sent;
	char method[24];
	char path[HTTP_LOG_PATH_MAX];

	struct sockaddr_storage peer;
	struct peer_key key;
	char peer_str[INET6_ADDRSTRLEN + 8];
	char mac[24]; /* " mac=52:54:..." when the DHCP stage saw the client, else "" */

	size_t in_len;
	char in[HTTP_HEADER_MAX];
};

struct http_server {
	struct loop *l;
	struct http_config cfg;
	struct loop_watch lw[HTTP_MAX_LISTENERS];
	size_t n_lw;
	struct loop_timer accept_timer;
	struct http_conn *conns;
	size_t active;
	struct peer_count peers; /* connections per client address */
	uint16_t port;
	/* Date header cache: one formatting per second. */
	time_t date_sec;
	char date[HTTP_DATE_LEN + 1];
	/* Refusals (max_conns, per-client cap), logged at most once a second. */
	uint64_t refused, refused_logged_ms;
	struct log_budget lb; /* per-request lines */
};

static void http_conn_drive(struct http_conn *c);

/* ---- helpers ---- */

static double http_elapsed(uint64_t t0_us)
{
	return (double)(sys_clock_us(CLOCK_MONOTONIC) - t0_us) / 1e6;
}

/* Unmaps ::ffff:a.b.c.d so policy and logs see IPv4 clients as IPv4 on the
 * dual-stack listener. */
static void http_peer_normalize(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return;
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = s6->sin6_port};
	memcpy(&s4.sin_addr, &s6->sin6_addr.s6_addr[12], 4);
	memset(ss, 0, sizeof *ss);
	memcpy(ss, &s4, sizeof s4);
}

static void http_peer_format(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN] = "?";
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a);
		snprintf(out, cap, "%s:%u", a, ntohs(s4->sin_port));
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a);
		snprintf(out, cap, "[%s]:%u", a, ntohs(s6->sin6_port));
	}
}

static const char *http_server_date(struct http_server *s)
{
	time_t now = time(NULL);
	if (now != s->date_sec || !s->date[0]) {
		if (http_format_date(now, s->date))
			return NULL;
		s->date_sec = now;
	}
	return s->date;
}

/* ---- connection lifetime ---- */

static int http_conn_want(struct http_conn *c, uint32_t events)
{
	if (c->events == events)
		return 0;
	int r = loop_mod(c->srv->l, &c->w, events);
	if (r == 0)
		c->events = events;
	return r;
}

/* Tells the observer about the response in flight. */
static void http_conn_event(struct http_conn *c, enum xfer_kind kind, const char *reason)
{
	const struct xfer_observer *o = c->srv->cfg.obs;
	if (kind != XFER_START && !c->xfer_open)
		return;
	if (kind != XFER_PROGRESS)
		c->xfer_open = kind == XFER_START;
	if (!o || !o->event)
		return;
	struct xfer_event ev = {
	    .kind = kind,
	    .proto = XFER_HTTP,
	    .peer = (const struct sockaddr *)&c->peer,
	    .file = c->path,
	    .size = c->body_len,
	    .bytes = c->body_sent,
	    .reason = reason,
	    .err = kind == XFER_FAIL ? -ECONNABORTED : 0,
	};
	o->event(o->arg, &ev);
}

/* A request refused before a response began (file missing or denied):
 * the observer hears a FAIL without a START. Returns the status to send
 * for the resolver's r. */
static int http_status_for_errno(int err);
static int http_refused_event(struct http_conn *c, int r)
{
	const struct xfer_observer *o = c->srv->cfg.obs;
	int st = http_status_for_errno(r ? r : -ENOENT);
	if (!o || !o->event)
		return st;
	struct xfer_event ev = {.kind = XFER_FAIL,
				.proto = XFER_HTTP,
				.peer = (const struct sockaddr *)&c->peer,
				.file = c->path,
				.reason = st == 404 ? "not-found" : "denied",
				.err = -ENOENT};
	o->event(o->arg, &ev);
	return st;
}

/* A few times a second at most: the bytes so far, for the live status. */
static void http_conn_progress(struct http_conn *c)
{
	uint64_t now = loop_now_ms(c->srv->l);
	if (now - c->progress_ms < XFER_PROGRESS_MS)
		return;
	c->progress_ms = now;
	http_conn_event(c, XFER_PROGRESS, NULL);
}

/* Moves the deadline; the timer is only re-armed when it would fire late,
 * so progress during a transfer costs an assignment, not a heap update. */
static int http_conn_deadline(struct http_conn *c, unsigned ms)
{
	struct loop *l = c->srv->l;
	c->deadline_ms = loop_now_ms(l) + ms;
	if (loop_timer_armed(&c->timer) && c->timer.deadline_ms <= c->deadline_ms)
		return 0;
	return loop_timer_arm(l, &c->timer, ms);
}

/* Drops what the response in flight holds (file, vfile). */
static void http_conn_release(struct http_conn *c)
{
	if (c->file_fd >= 0) {
		close(c->file_fd);
		c->file_fd = -1;
	}
	if (c->vf_held) {
		c->vf_held = false;
		if (c->vf.release)
			c->vf.release(c->vf.cookie);
	}
	c->mem = NULL;
	c->mem_len = c->mem_off = 0;
	c->file_off = c->file_end = 0;
	c->out_len = c->out_off = 0;
}

static void http_conn_free(struct http_conn *c, const char *why)
{
	struct http_server *s = c->srv;
	bool log_ok = (c->state == HTTP_CONN_SEND || (c->in_len > 0 && why)) &&
		      log_budget_take(&s->lb, loop_now_ms(s->l), "http");
	if (!log_ok) {
		/* counted in the budget's log.suppressed line */
	} else if (c->state == HTTP_CONN_SEND) {
		double secs = http_elapsed(c->t_start_us);
		log_info("http.abort client=%s%s method=%s path=%s status=%d bytes=%llu of=%llu "
			 "secs=%.3f reason=%s",
			 c->peer_str, c->mac, c->method, c->path, c->status,
			 (unsigned long long)c->body_sent, (unsigned long long)c->body_len, secs,
			 why);
	} else if (c->in_len > 0 && why) {
		log_info("http.drop client=%s%s reason=%s", c->peer_str, c->mac, why);
	}
	if (c->state == HTTP_CONN_SEND)
		http_conn_event(c, XFER_FAIL, why ? why : "closed");
	http_conn_release(c);
	loop_timer_cancel(s->l, &c->timer);
	loop_del(s->l, &c->w);
	close(c->w.fd);
	peer_count_dec(&s->peers, &c->key);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->active--;
	free(c);
}

static void http_conn_on_timer(struct loop *l, struct loop_timer *t)
{
	struct http_conn *c = t->arg;
	uint64_t now = loop_now_ms(l);
	if (now < c->deadline_ms) {
		if (loop_timer_arm(l, t, c->deadline_ms - now) == 0)
			return;
	}
	http_conn_free(c, "timeout");
}

static void http_conn_on_io(struct loop *l, struct loop_watch *w, uint32_t events)
{
	(void)l;
	/* Errors and hangups surface as read/send failures. A connection
	 * that yielded is driven once per turn, by its loop_again call. */
	if (events != LOOP_AGAIN && w->again_list)
		return;
	http_conn_drive(w->arg);
}

/* ---- building responses ---- */

/* Writes the head (and for errors a short text body) into c->out and
 * switches to sending. body_len is what the head announces. */
static void http_conn_head(struct http_conn *c, struct http_response *resp, bool head_only,
			   bool minor0)
{
	struct wbuf w;
	resp->date = http_server_date(c->srv);
	resp->keep_alive = !c->close_after;
	resp->announce_keep_alive = resp->keep_alive && minor0;
	wbuf_init(&w, c->out, sizeof c->out);
	if (http_response_head(&w, resp)) {
		/* Cannot happen with our fixed fields; fail closed anyway. */
		wbuf_init(&w, c->out, sizeof c->out);
		wbuf_str(&w, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
			     "Connection: close\r\n\r\n");
		c->close_after = true;
		resp->status = 500;
		resp->content_length = 0;
		http_conn_release(c);
	}
	c->out_len = w.len;
	c->out_off = 0;
	c->status = resp->status;
	c->body_len = head_only ? 0 : resp->content_length;
	c->body_sent = 0;
	if (head_only) {
		/* The head announces the body; HEAD sends none. */
		http_conn_release(c);
		c->out_len = w.len;
	}
	c->state = HTTP_CONN_SEND;
}

static void http_conn_error(struct http_conn *c, int status, bool head_only, bool minor0,
			    uint64_t total)
{
	struct http_response resp = {
	    .status = status,
	    .content_type = "text/plain",
	    .total = total,
	    .allow = status == 405,
	    .accept_ranges = status == 416,
	};
	char body[64];
	int n = snprintf(body, sizeof body, "%d %s\n", status, http_reason(status));
	/* After these the stream cannot be trusted to be in sync. */
	if (status == 400 || status == 431 || status == 501 || status == 505 || status == 500)
		c->close_after = true;
	http_conn_release(c);
	resp.content_length = (uint64_t)n;
	http_conn_head(c, &resp, head_only, minor0);
	if (!head_only && c->out_len + (size_t)n <= sizeof c->out) {
		memcpy(c->out + c->out_len, body, (size_t)n);
		c->out_len += (size_t)n;
		c->body_sent = (uint64_t)n; /* counted as sent once the head is */
	}
}

/* Maps what fsroot_open() or the lookup hook refused to a status. */
static int http_status_for_errno(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENOTDIR:
		return 404;
	case -EACCES:
	case -EPERM:
	case -EXDEV:
	case -ELOOP:
	case -EISDIR:
		return 403;
	case -ENAMETOOLONG:
		return 414;
	default:
		return 500;
	}
}

/* True when a decoded path names no component at all ("/", "/./"):
 * that is "nothing here" (404), not an attack (403). */
static bool http_path_is_root(const char *p)
{
	size_t i = 0;
	while (p[i]) {
		while (p[i] == '/' || p[i] == '\\')
			i++;
		size_t j = i;
		while (p[j] && p[j] != '/' && p[j] != '\\')
			j++;
		if (j - i > 1 || (j - i == 1 && p[i] != '.'))
			return false;
		i = j;
	}
	return true;
}

static void http_conn_handle(struct http_conn *c, const struct http_request *req)
{
	struct http_server *s = c->srv;
	char decoded[FSROOT_PATH_MAX], clean[FSROOT_PATH_MAX];
	bool head_only = req->method == HTTP_METHOD_HEAD;
	bool minor0 = req->version_minor == 0;
	int r;

	c->t_start_us = sys_clock_us(CLOCK_MONOTONIC);
	log_sanitize(c->method, sizeof c->method, req->method_str, req->method_len);
	if (req->path)
		log_sanitize(c->path, sizeof c->path, req->path, req->path_len);
	else
		snprintf(c->path, sizeof c->path, "-");
	/* A request body is never read: framing it would be our only use of
	 * it, so close after answering instead. */
	c->close_after = !req->keep_alive || req->content_length > 0;

	if (req->version_major != 1) {
		http_conn_error(c, 505, head_only, minor0, 0);
		return;
	}
	if (req->transfer_encoding) {
		http_conn_error(c, 501, head_only, minor0, 0);
		return;
	}
	if (req->method == HTTP_METHOD_OTHER || req->method == HTTP_METHOD_POST) {
		http_conn_error(c, 405, false, minor0, 0);
		return;
	}
	if (!req->path) {
		http_conn_error(c, 400, head_only, minor0, 0);
		return;
	}
	r = http_path_decode(req->path, req->path_len, decoded, sizeof decoded);
	if (r < 0) {
		http_conn_error(c,
				r == -EACCES	     ? 403
				: r == -ENAMETOOLONG ? 414
						     : 400,
				head_only, minor0, 0);
		return;
	}
	if (fsroot_clean_path(decoded, (size_t)r, clean, sizeof clean) < 0) {
		http_conn_error(c, http_path_is_root(decoded) ? 404 : 403, head_only, minor0, 0);
		return;
	}

	struct http_response resp = {.accept_ranges = true};
	uint64_t size, off, len;
	const char *ctype = NULL;
	memset(&c->vf, 0, sizeof c->vf);
	c->vf.fd = -1;
	r = s->cfg.lookup
		? s->cfg.lookup(s->cfg.lookup_arg, clean, (const struct sockaddr *)&c->peer, &c->vf)
		: -ENOENT;
	if (r <= 0) {
		http_conn_error(c, http_refused_event(c, r), head_only, minor0, 0);
		return;
	}
	size = c->vf.len;
	ctype = c->vf.content_type;
	resp.last_modified = c->vf.mtime;
	if (c->vf.has_fd) {
		/* A descriptor given to us is ours to close; one the resolver
		 * keeps is dup'ed for this response. */
		int fd = c->vf.give_fd ? c->vf.fd : fcntl(c->vf.fd, F_DUPFD_CLOEXEC, 3);
		if (c->vf.release)
			c->vf.release(c->vf.cookie);
		if (fd < 0) {
			http_conn_error(c, 500, head_only, minor0, 0);
			return;
		}
		c->file_fd = fd;
	} else {
		c->vf_held = true;
	}
	int status = http_range_resolve(&req->range, size, &off, &len);
	if (status == 416) {
		http_conn_error(c, 416, head_only, minor0, size);
		return;
	}
	resp.status = status;
	resp.content_type = ctype ? ctype : http_content_type(clean);
	resp.content_length = len;
	resp.range_first = off;
	resp.range_last = off + len - 1;
	resp.total = size;
	if (c->vf_held) {
		c->mem = (const char *)c->vf.data + off;
		c->mem_len = (size_t)len;
		c->mem_off = 0;
	} else {
		c->file_off = off;
		c->file_end = off + len;
	}
	http_conn_head(c, &resp, head_only, minor0);
	if (!head_only)
		http_conn_event(c, XFER_START, NULL);
}

/* ---- sending ---- */

/* Sends what it can. Returns 1 when the response is out, 0 when the socket
 * is full (wait for EPOLLOUT), 2 when this turn's byte budget is spent
 * (yield), -errno when the connection is dead. */
static int http_conn_send(struct http_conn *c)
{
	int fd = c->w.fd;
	ssize_t n;
	while (c->out_off < c->out_len) {
		size_t hlen = c->out_len - c->out_off;
		if (c->mem_off < c->mem_len) {
			/* Head and a memory body leave in one segment. */
			struct iovec iov[2] = {
			    {c->out + c->out_off, hlen},
			    {(void *)(c->mem + c->mem_off), c->mem_len - c->mem_off},
			};
			struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
			n = sendmsg(fd, &mh, MSG_NOSIGNAL);
		} else {
			/* MSG_MORE holds a short head back until sendfile
			 * adds the first file pages: one segment, not two
			 * (TCP_NODELAY would otherwise push it alone). */
			int more = c->file_off < c->file_end ? MSG_MORE : 0;
			n = send(fd, c->out + c->out_off, hlen, MSG_NOSIGNAL | more);
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		}
		if ((size_t)n >= hlen) {
			c->out_off = c->out_len;
			c->mem_off += (size_t)n - hlen;
			c->body_sent += (size_t)n - hlen;
		} else {
			c->out_off += (size_t)n;
		}
		http_conn_deadline(c, c->srv->cfg.idle_timeout_ms);
	}
	while (c->mem_off < c->mem_len) {
		n = send(fd, c->mem + c->mem_off, c->mem_len - c->mem_off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		}
		c->mem_off += (size_t)n;
		c->body_sent += (size_t)n;
		http_conn_deadline(c, c->srv->cfg.idle_timeout_ms);
	}
	while (c->file_off < c->file_end) {
		if (c->turn_bytes >= HTTP_TURN_BYTES)
			return 2;
		uint64_t want = c->file_end - c->file_off;
		if (want > HTTP_TURN_BYTES - c->turn_bytes)
			want = HTTP_TURN_BYTES - c->turn_bytes;
		size_t count = (size_t)want;
		off_t o = (off_t)(c->vf.base + c->file_off);
		n = sendfile(fd, c->file_fd, &o, count);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		}
		if (n == 0)
			return -ENODATA; /* the file shrank under us */
		c->file_off += (uint64_t)n;
		c->body_sent += (uint64_t)n;
		c->turn_bytes += (uint64_t)n;
		http_conn_deadline(c, c->srv->cfg.idle_timeout_ms);
		http_conn_progress(c);
		/* A short count means the send buffer is full: another call
		 * would only return EAGAIN. Level-triggered EPOLLOUT tells us
		 * when there is room again. */
		if ((size_t)n < count)
			return 0;
	}
	return 1;
}

static void http_conn_done(struct http_conn *c)
{
	double secs = http_elapsed(c->t_start_us);
	double rate = secs > 0 ? (double)c->body_sent / 1000.0 / secs : 0;
	if (log_budget_take(&c->srv->lb, loop_now_ms(c->srv->l), "http"))
		log_info("http.done client=%s%s method=%s path=%s status=%d bytes=%llu secs=%.3f "
			 "rate_kBps=%.0f",
			 c->peer_str, c->mac, c->method, c->path, c->status,
			 (unsigned long long)c->body_sent, secs, rate);
	http_conn_event(c, XFER_DONE, NULL);
	http_conn_release(c);
	c->state = HTTP_CONN_READ;
}

/* ---- the per-connection state machine ---- */

/* Sends the response in flight. Returns true to go on with the next
 * request, false when the connection waits, yielded or is gone. */
static bool http_conn_drive_send(struct http_conn *c)
{
	struct http_server *s = c->srv;
	int r = http_conn_send(c);
	if (r < 0) {
		http_conn_free(c, strerror(-r));
		return false;
	}
	if (r == 2) {
		loop_again(s->l, &c->w);
		return false;
	}
	if (r == 0) {
		if (http_conn_want(c, EPOLLOUT))
			http_conn_free(c, "epoll");
		return false;
	}
	http_conn_done(c);
	if (c->close_after) {
		http_conn_free(c, NULL);
		return false;
	}
	/* A pipelined request already buffered has begun: its head deadline
	 * runs from now. Otherwise the connection idles until the next. */
	c->head_open = c->in_len > 0;
	if (http_conn_deadline(c, c->head_open ? s->cfg.header_timeout_ms
					       : s->cfg.keepalive_timeout_ms)) {
		http_conn_free(c, "timer");
		return false;
	}
	return true;
}

/* The clean path of a request's target into clean, or an error status. */
static int http_conn_clean(const struct http_request *req, char *clean, size_t cap)
{
	char decoded[FSROOT_PATH_MAX];
	if (!req->path)
		return 400;
	int r = http_path_decode(req->path, req->path_len, decoded, sizeof decoded);
	if (r < 0)
		return r == -EACCES ? 403 : r == -ENAMETOOLONG ? 414 : 400;
	if (fsroot_clean_path(decoded, (size_t)r, clean, cap) < 0)
		return 404;
	return 0;
}

/* A POST where the server takes reports (cfg.post): its body must come
 * with a Content-Length of at most HTTP_POST_MAX and be read in full
 * before the hook sees it. Returns the bytes of in[] consumed (head and
 * body), or 0 while the body is still on its way. */
static size_t http_conn_post(struct http_conn *c, const struct http_request *req, size_t head)
{
	struct http_server *s = c->srv;
	bool minor0 = req->version_minor == 0;
	char clean[FSROOT_PATH_MAX];
	int status;
	c->close_after = true; /* one report per connection */
	if (!req->has_content_length || req->transfer_encoding)
		status = req->transfer_encoding ? 501 : 411;
	else if (req->content_length > HTTP_POST_MAX)
		status = 413;
	else if (c->in_len - head < req->content_length && !c->peer_eof)
		return 0;
	else if (c->in_len - head < req->content_length)
		status = 400; /* the client closed mid-body */
	else
		status = http_conn_clean(req, clean, sizeof clean);
	c->t_start_us = sys_clock_us(CLOCK_MONOTONIC);
	log_sanitize(c->method, sizeof c->method, req->method_str, req->method_len);
	if (req->path)
		log_sanitize(c->path, sizeof c->path, req->path, req->path_len);
	if (!status)
		status =
		    s->cfg.post(s->cfg.post_arg, clean, c->in + head, (size_t)req->content_length,
				(const struct sockaddr *)&c->peer);
	if (status == 204) {
		struct http_response resp = {.status = 204};
		http_conn_head(c, &resp, false, minor0);
	} else {
		http_conn_error(c, status, false, minor0, 0);
	}
	size_t body = (size_t)req->content_length;
	return status == 411 || status == 413 || status == 501 || c->in_len - head < body
		   ? c->in_len
		   : head + body;
}

/* Parses and answers a buffered request head. Returns true when it did
 * something (a request or an error was answered). */
static bool http_conn_parse(struct http_conn *c)
{
	struct http_request req;
	int r = http_request_parse(c->in, c->in_len, &req);
	if (r > 0 && req.method == HTTP_METHOD_POST && c->srv->cfg.post) {
		size_t used = http_conn_post(c, &req, (size_t)r);
		if (!used)
			return false;
		c->in_len -= used;
		memmove(c->in, c->in + used, c->in_len);
		return true;
	}
	if (r > 0) {
		http_conn_handle(c, &req);
		/* req points into in[]: only now drop the head. */
		c->in_len -= (size_t)r;
		memmove(c->in, c->in + r, c->in_len);
		return true;
	}
	if (r < 0) {
		c->t_start_us = sys_clock_us(CLOCK_MONOTONIC);
		snprintf(c->method, sizeof c->method, "-");
		snprintf(c->path, sizeof c->path, "-");
		http_conn_error(c, r == -EMSGSIZE ? 431 : 400, false, false, 0);
		c->in_len = 0;
		return true;
	}
	/* GRUB's http module ends a Range request with one CRLF too many:
	 * blank lines between requests are no request (and no half-sent one
	 * when the client then closes). They do not move the head deadline. */
	size_t k = 0;
	while (k < c->in_len && (c->in[k] == '\r' || c->in[k] == '\n'))
		k++;
	if (k == c->in_len)
		c->in_len = 0;
	return false;
}

/* Reads more of a request. Returns true when bytes or EOF arrived. */
static bool http_conn_read(struct http_conn *c)
{
	struct http_server *s = c->srv;
	for (;;) {
		ssize_t n = recv(c->w.fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
		if (n > 0) {
			if (!c->head_open) {
				/* The head's deadline is absolute from its first
				 * byte: a client trickling bytes never moves it. */
				c->head_open = true;
				if (http_conn_deadline(c, s->cfg.header_timeout_ms)) {
					http_conn_free(c, "timer");
					return false;
				}
			}
			c->in_len += (size_t)n;
			return true;
		}
		if (n == 0) {
			c->peer_eof = true;
			return true;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			http_conn_free(c, strerror(errno));
		else if (http_conn_want(c, EPOLLIN))
			http_conn_free(c, "epoll");
		return false;
	}
}

/* The per-connection state machine: at most HTTP_TURN_REQUESTS requests and
 * HTTP_TURN_BYTES body bytes a turn, then the connection yields. */
static void http_conn_drive(struct http_conn *c)
{
	unsigned requests = 0;
	c->turn_bytes = 0;
	for (;;) {
		if (requests >= HTTP_TURN_REQUESTS || c->turn_bytes >= HTTP_TURN_BYTES) {
			loop_again(c->srv->l, &c->w);
			return;
		}
		if (c->state == HTTP_CONN_SEND) {
			if (!http_conn_drive_send(c))
				return;
			continue;
		}
		if (c->in_len > 0 && http_conn_parse(c)) {
			requests++;
			continue;
		}
		if (c->peer_eof) {
			http_conn_free(c, c->in_len ? "eof mid-request" : NULL);
			return;
		}
		if (sizeof c->in == c->in_len) {
			/* Cannot happen: a full buffer parses as 431. */
			http_conn_free(c, "buffer full");
			return;
		}
		if (!http_conn_read(c))
			return;
	}
}

/* ---- accepting ---- */

/* Refuses a connection it will not serve with 503 (the socket is new: its
 * send buffer has room for the few bytes) and a rate-limited log line. */
static void http_refuse(struct http_server *s, int fd, const struct sockaddr_storage *ss,
			const char *reason)
{
	char head[256];
	struct wbuf w;
	struct http_response resp = {
	    .status = 503,
	    .content_type = "text/plain",
	    .content_length = 4,
	    .date = http_server_date(s),
	    .retry_after = 2,
	};
	wbuf_init(&w, head, sizeof head);
	if (http_response_head(&w, &resp) == 0 && wbuf_str(&w, "503\n") == 0)
		(void)!send(fd, head, w.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
	uint64_t now = loop_now_ms(s->l);
	s->refused++;
	if (s->refused_logged_ms && now - s->refused_logged_ms < 1000)
		return;
	char peer[INET6_ADDRSTRLEN + 8];
	http_peer_format(ss, peer, sizeof peer);
	log_warn("http.refuse client=%s reason=%s status=503 active=%zu max_conns=%u "
		 "max_per_client=%u refused=%llu",
		 peer, reason, s->active, s->cfg.max_conns, s->cfg.max_conns_per_peer,
		 (unsigned long long)s->refused);
	s->refused_logged_ms = now ? now : 1;
}

static void http_on_accept_timer(struct loop *l, struct loop_timer *t)
{
	struct http_server *s = t->arg;
	for (size_t i = 0; i < s->n_lw; i++)
		if (loop_mod(l, &s->lw[i], EPOLLIN))
			log_err("http.accept_resume error=\"%s\"", strerror(errno));
}

/* Takes a new connection in. Returns 0, or -errno when refused. */
static int http_conn_new(struct http_server *s, int fd, const struct sockaddr_storage *ss)
{
	struct loop *l = s->l;
	struct peer_key key;
	if (s->active >= s->cfg.max_conns) {
		http_refuse(s, fd, ss, "max_conns");
		return -EMFILE;
	}
	if (peer_key_from_sa(&key, (const struct sockaddr *)ss) ||
	    peer_count_get(&s->peers, &key) >= s->cfg.max_conns_per_peer ||
	    peer_count_inc(&s->peers, &key) < 0) {
		http_refuse(s, fd, ss, "max_per_client");
		return -EUSERS;
	}
	struct http_conn *c = malloc(sizeof *c);
	if (!c) {
		peer_count_dec(&s->peers, &key);
		close(fd);
		log_warn("http.accept error=\"out of memory\"");
		return -ENOMEM;
	}
	/* Everything but the receive buffer, which need not be zeroed. */
	memset(c, 0, offsetof(struct http_conn, in));
	c->srv = s;
	c->file_fd = -1;
	c->peer = *ss;
	c->key = key;
	http_peer_format(ss, c->peer_str, sizeof c->peer_str);
	const struct xfer_observer *o = s->cfg.obs;
	char mac[18];
	if (o && o->mac_of && o->mac_of(o->arg, (const struct sockaddr *)ss, mac))
		snprintf(c->mac, sizeof c->mac, " mac=%s", mac);
	int one = 1;
	/* Heads and small bodies go out at once; coalescing is done
	 * deliberately with MSG_MORE (see http_conn_send). */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->w.fd = fd;
	c->w.cb = http_conn_on_io;
	c->w.arg = c;
	loop_timer_init(&c->timer, http_conn_on_timer, c);
	/* The first request's head deadline runs from the accept. */
	c->head_open = true;
	if (loop_add(l, &c->w, EPOLLIN) || loop_timer_arm(l, &c->timer, s->cfg.header_timeout_ms)) {
		loop_del(l, &c->w);
		loop_timer_cancel(l, &c->timer);
		peer_count_dec(&s->peers, &key);
		close(fd);
		free(c);
		return -ENOMEM;
	}
	c->events = EPOLLIN;
	c->deadline_ms = loop_now_ms(l) + s->cfg.header_timeout_ms;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->active++;
	log_debug("http.accept client=%s active=%zu", c->peer_str, s->active);
	return 0;
}

static void http_on_accept(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct http_server *s = w->arg;
	(void)events;
	for (int i = 0; i < HTTP_ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(w->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* Out of fds or memory: the listener stays readable,
			 * so stop watching it for a moment instead of spinning. */
			if (log_budget_take(&s->lb, loop_now_ms(l), "http"))
				log_warn("http.accept error=\"%s\" active=%zu", strerror(errno),
					 s->active);
			if (loop_mod(l, w, 0) == 0)
				loop_timer_arm(l, &s->accept_timer, HTTP_ACCEPT_PAUSE_MS);
			return;
		}
		http_peer_normalize(&ss);
		http_conn_new(s, fd, &ss);
	}
}

/* ---- server ---- */

/* The address to bind: cfg.bind_addr, or the IPv6 wildcard (which takes
 * IPv4 too). Returns the family, or -EINVAL. */
static int http_bind_addr(const struct http_server *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	memset(ss, 0, sizeof *ss);
	if (!s->cfg.bind_addr) {
		ss->ss_family = AF_INET6;
		*sl = sizeof(struct sockaddr_in6);
		return AF_INET6;
	}
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai = NULL;
	if (getaddrinfo(s->cfg.bind_addr, NULL, &hints, &ai) || !ai)
		return -EINVAL;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sl = ai->ai_addrlen;
	freeaddrinfo(ai);
	return ss->ss_family;
}

/* Opens one listener (on device dev when not NULL) into s->lw[s->n_lw]. */
static int http_listen(struct http_server *s, const char *dev)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1, zero = 0;
	uint16_t port = s->cfg.any_port ? 0 : s->cfg.port;
	if (s->n_lw > 0 && s->port)
		port = s->port; /* the other listeners share the first's port */
	int family = http_bind_addr(s, &ss, &sl);
	if (family < 0)
		return family;
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 && family == AF_INET6 && !s->cfg.bind_addr && errno == EAFNOSUPPORT) {
		/* Kernel without IPv6: the IPv4 wildcard then. */
		family = AF_INET;
		memset(&ss, 0, sizeof ss);
		ss.ss_family = AF_INET;
		sl = sizeof(struct sockaddr_in);
		fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		return -errno;
	if (family == AF_INET6) {
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		/* The wildcard listener takes IPv4 too; a literal v6
		 * address means only that address. */
		int v6only = s->cfg.bind_addr ? 1 : 0;
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only ? &one : &zero, sizeof one);
	} else {
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* One listener per chosen interface: Linux lets sockets bound to
	 * different devices share a port, and the kernel itself refuses
	 * connections that arrive on any other interface. */
	if ((dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev) + 1)) ||
	    bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 1024)) {
		int err = -errno;
		close(fd);
		return err;
	}
	sl = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		s->port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						   : ((struct sockaddr_in *)&ss)->sin_port);
	s->lw[s->n_lw] = (struct loop_watch){.fd = fd, .cb = http_on_accept, .arg = s};
	if (loop_add(s->l, &s->lw[s->n_lw], EPOLLIN)) {
		int err = -errno;
		close(fd);
		return err;
	}
	s->n_lw++;
	return 0;
}

static void http_config_defaults(struct http_config *c)
{
	if (!c->port)
		c->port = HTTP_DEFAULT_PORT;
	if (!c->max_conns)
		c->max_conns = HTTP_DEFAULT_MAX_CONNS;
	if (!c->max_conns_per_peer)
		c->max_conns_per_peer = HTTP_DEFAULT_PER_PEER;
	if (!c->idle_timeout_ms)
		c->idle_timeout_ms = HTTP_DEFAULT_IDLE_MS;
	if (!c->keepalive_timeout_ms)
		c->keepalive_timeout_ms = HTTP_DEFAULT_KEEPALIVE_MS;
	if (!c->header_timeout_ms)
		c->header_timeout_ms = HTTP_DEFAULT_HEADER_MS;
	if (c->n_ifaces > HTTP_MAX_LISTENERS)
		c->n_ifaces = HTTP_MAX_LISTENERS;
}

int http_server_start(struct http_server **out, struct loop *l, const struct http_config *cfg)
{
	struct sigaction sa = {.sa_handler = SIG_IGN};
	struct http_server *s = calloc(1, sizeof *s);
	int r = 0;
	if (!s)
		return -ENOMEM;
	s->l = l;
	s->cfg = *cfg;
	http_config_defaults(&s->cfg);
	s->lb.per_s = HTTP_LOG_PER_S;
	/* sendfile(2) cannot be told MSG_NOSIGNAL. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	loop_timer_init(&s->accept_timer, http_on_accept_timer, s);
	/* Each connection is one client's: max_conns distinct addresses. */
	r = peer_count_init(&s->peers, s->cfg.max_conns, (uint64_t)(uintptr_t)s ^ loop_clock_ms());
	for (size_t i = 0; !r && i < (s->cfg.n_ifaces ? s->cfg.n_ifaces : 1); i++)
		r = http_listen(s, s->cfg.n_ifaces ? s->cfg.ifaces[i] : NULL);
	if (r) {
		http_server_stop(s);
		return r;
	}
	for (size_t i = 0; i < s->cfg.n_ifaces; i++)
		log_info("http.listen iface=%s port=%u", s->cfg.ifaces[i], s->port);
	log_info("http.listen addr=%s port=%u max_conns=%u max_per_client=%u",
		 cfg->bind_addr	   ? cfg->bind_addr
		 : s->cfg.n_ifaces ? "chosen-interfaces"
				   : "any",
		 s->port, s->cfg.max_conns, s->cfg.max_conns_per_peer);
	*out = s;
	return 0;
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	while (s->conns)
		http_conn_free(s->conns, "server stopping");
	loop_timer_cancel(s->l, &s->accept_timer);
	for (size_t i = 0; i < s->n_lw; i++) {
		loop_del(s->l, &s->lw[i]);
		close(s->lw[i].fd);
	}
	peer_count_free(&s->peers);
	free(s);
}

size_t http_server_active(const struct http_server *s)
{
	return s->active;
}

uint16_t http_server_port(const struct http_server *s)
{
	return s->port;
}
