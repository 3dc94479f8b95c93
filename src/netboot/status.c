/* status: socket, HTTP listener, terminal table, SIGUSR1 dump and the
 * timeline sweep of `lifeboat serve`; see status.h. */
#include "netboot/status.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "netboot/http_wire.h"

#define STATUS_HEAD_ROOM 1024	  /* an HTTP head goes before the body */
#define STATUS_IO_TIMEOUT_MS 5000 /* a connection's whole life */
#define STATUS_DRAW_MS 500	  /* terminal redraws: twice a second */
#define STATUS_SWEEP_MS 1000
#define STATUS_TTY_MAX (64u << 10)

struct status_conn {
	struct status_srv *s;
	struct loop_watch w;
	struct loop_timer t;
	bool used, http, writing;
	char in[HTTP_HEADER_MAX];
	size_t in_len;
	char *out; /* this slot's part of s->bufs */
	size_t out_off, out_end;
};

struct status_srv {
	struct status_cfg cfg;
	int unix_fd, http_fd;
	struct loop_watch unix_w, http_w;
	uid_t allowed_uid;
	struct status_conn conns[STATUS_CONNS];
	size_t n_conns;
	char *bufs; /* STATUS_CONNS answers, allocated once */
	struct loop_timer sweep, draw;
	bool tty;
	unsigned rows, cols, table_h;
	char *tty_buf;
	char *dump_buf; /* SIGUSR1's table */
	uint64_t start_ms;
};

/* ---- requests ---- */

int status_parse_request(const char *line, size_t n, enum status_req *req, unsigned *width)
{
	char w[16];
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	*width = 0;
	if (n == 4 && !memcmp(line, "json", 4)) {
		*req = STATUS_REQ_JSON;
		return 0;
	}
	if (n == 7 && !memcmp(line, "metrics", 7)) {
		*req = STATUS_REQ_METRICS;
		return 0;
	}
	if (n < 5 || memcmp(line, "table", 5))
		return -EBADMSG;
	*req = STATUS_REQ_TABLE;
	if (n == 5)
		return 0;
	if (line[5] != ' ' || n - 6 == 0 || n - 6 >= sizeof w)
		return -EBADMSG;
	memcpy(w, line + 6, n - 6);
	w[n - 6] = 0;
	char *end;
	unsigned long v = strtoul(w, &end, 10);
	if (*end || w[0] < '0' || w[0] > '9' || v > 1000)
		return -EBADMSG;
	*width = (unsigned)v;
	return 0;
}

/* ---- rendering ---- */

static void status_view_of(struct status_srv *s, struct status_extra *x, struct status_view *v)
{
	memset(x, 0, sizeof *x);
	if (s->cfg.extra)
		s->cfg.extra(s->cfg.extra_arg, x);
	x->status_conns = s->n_conns;
	x->log_suppressed = log_suppressed_total();
	x->version = LIFEBOAT_VERSION;
	x->revision = LIFEBOAT_GITREV;
	uint64_t now = loop_now_ms(s->cfg.l);
	x->uptime_ms = now - s->start_ms;
	*v = (struct status_view){.c = s->cfg.c, .x = x, .now_ms = now, .width = 132};
}

/* Renders the answer to req into out (cap bytes). Returns its length, 0
 * when it did not fit (never a cut JSON document). */
static size_t status_render_req(struct status_srv *s, enum status_req req, unsigned width,
				char *out, size_t cap)
{
	struct status_extra x;
	struct status_view v;
	struct status_out o;
	status_view_of(s, &x, &v);
	status_out_init(&o, out, cap);
	if (width)
		v.width = width;
	if (req == STATUS_REQ_JSON)
		status_json(&v, &o);
	else if (req == STATUS_REQ_METRICS)
		status_metrics(&v, &o);
	else
		status_table(&v, &o);
	return o.full ? 0 : o.len;
}

/* ---- connections ---- */

static void status_conn_close(struct status_conn *c)
{
	struct status_srv *s = c->s;
	loop_del(s->cfg.l, &c->w);
	loop_timer_cancel(s->cfg.l, &c->t);
	close(c->w.fd);
	c->used = false;
	s->n_conns--;
}

/* Sends what is left; closes when all went or the peer is gone. */
static void status_conn_flush(struct status_conn *c)
{
	while (c->out_off < c->out_end) {
		ssize_t n = send(c->w.fd, c->out + c->out_off, c->out_end - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!c->writing && loop_mod(c->s->cfg.l, &c->w, EPOLLOUT) == 0) {
				c->writing = true;
				return;
			}
			if (c->writing)
				return;
		}
		if (n <= 0)
			break;
		c->out_off += (size_t)n;
	}
	status_conn_close(c);
}

static const struct {
	const char *path, *type;
	int what; /* enum status_req, or -1: the HTML page */
} status_pages[] = {
    {"/", "text/html; charset=utf-8", -1},
    {"/index.html", "text/html; charset=utf-8", -1},
    {"/status.json", "application/json", STATUS_REQ_JSON},
    {"/metrics", "text/plain; version=0.0.4; charset=utf-8", STATUS_REQ_METRICS},
};

/* The HTTP answer to one parsed request, into c->out. */
static void status_http_answer(struct status_conn *c, const struct http_request *req, int err)
{
	struct http_response resp = {.status = err == -EMSGSIZE ? 431 : 400};
	char *body = c->out + STATUS_HEAD_ROOM;
	size_t blen = 0, cap = STATUS_OUT_MAX - STATUS_HEAD_ROOM;
	if (!err && req->method == HTTP_METHOD_OTHER) {
		resp.status = 405;
		resp.allow = true;
	} else if (!err) {
		resp.status = 404;
		for (size_t i = 0; i < sizeof status_pages / sizeof status_pages[0]; i++) {
			if (!req->path || strlen(status_pages[i].path) != req->path_len ||
			    memcmp(req->path, status_pages[i].path, req->path_len))
				continue;
			resp.status = 200;
			resp.content_type = status_pages[i].type;
			if (status_pages[i].what >= 0) {
				blen = status_render_req(
				    c->s, (enum status_req)status_pages[i].what, 0, body, cap);
			} else {
				struct status_extra x;
				struct status_view v;
				struct status_out o;
				status_view_of(c->s, &x, &v);
				status_out_init(&o, body, cap);
				status_html(&v, 2, &o);
				blen = o.full ? 0 : o.len;
			}
			if (!blen) /* did not fit its buffer */
				resp.status = 500;
		}
	}
	resp.content_length = blen;
	uint8_t head[STATUS_HEAD_ROOM];
	struct wbuf w;
	wbuf_init(&w, head, sizeof head);
	if (http_response_head(&w, &resp)) {
		status_conn_close(c);
		return;
	}
	if (!err && req->method == HTTP_METHOD_HEAD)
		blen = 0;
	c->out_off = STATUS_HEAD_ROOM - w.len;
	memcpy(c->out + c->out_off, head, w.len);
	c->out_end = STATUS_HEAD_ROOM + blen;
	status_conn_flush(c);
}

/* What has arrived so far: answered once a request is complete. */
static void status_conn_input(struct status_conn *c)
{
	if (c->http) {
		struct http_request req;
		int r = http_request_parse(c->in, c->in_len, &req);
		if (r == 0 && c->in_len < sizeof c->in)
			return;
		status_http_answer(c, &req, r > 0 ? 0 : r == 0 ? -EMSGSIZE : r);
		return;
	}
	char *nl = memchr(c->in, '\n', c->in_len);
	if (!nl && c->in_len < 64)
		return;
	enum status_req req;
	unsigned width;
	if (!nl || status_parse_request(c->in, (size_t)(nl - c->in), &req, &width)) {
		status_conn_close(c);
		return;
	}
	c->out_off = 0;
	c->out_end = status_render_req(c->s, req, width, c->out, STATUS_OUT_MAX);
	status_conn_flush(c);
}

static void status_conn_on_io(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct status_conn *c = w->arg;
	(void)l;
	(void)events;
	if (c->writing) {
		status_conn_flush(c);
		return;
	}
	ssize_t n = recv(w->fd, c->in + c->in_len, sizeof c->in - c->in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		status_conn_close(c);
		return;
	}
	c->in_len += (size_t)n;
	status_conn_input(c);
}

static void status_conn_on_timeout(struct loop *l, struct loop_timer *t)
{
	(void)l;
	status_conn_close(t->arg);
}

/* Whether the peer of a Unix connection may see the status: root, or
 * the user serve was started as. */
static bool status_peer_ok(const struct status_srv *s, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof cr;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) || len != sizeof cr)
		return false;
	return cr.uid == 0 || cr.uid == s->allowed_uid;
}

static void status_accept(struct status_srv *s, int lfd, bool http)
{
	for (int k = 0; k < STATUS_CONNS; k++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (!http && !status_peer_ok(s, fd)) {
			log_warn("status.refused reason=\"peer is not root\"");
			close(fd);
			continue;
		}
		struct status_conn *c = NULL;
		for (size_t i = 0; i < STATUS_CONNS && !c; i++)
			if (!s->conns[i].used)
				c = &s->conns[i];
		if (!c) { /* all busy: the client asks again */
			close(fd);
			continue;
		}
		c->used = true;
		c->http = http;
		c->writing = false;
		c->in_len = c->out_off = c->out_end = 0;
		c->w.fd = fd;
		c->w.cb = status_conn_on_io;
		c->w.arg = c;
		loop_timer_init(&c->t, status_conn_on_timeout, c);
		if (loop_add(s->cfg.l, &c->w, EPOLLIN)) {
			close(fd);
			c->used = false;
			continue;
		}
		s->n_conns++;
		loop_timer_arm(s->cfg.l, &c->t, STATUS_IO_TIMEOUT_MS);
	}
}

static void status_on_unix(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct status_srv *s = w->arg;
	(void)l;
	(void)events;
	status_accept(s, w->fd, false);
}

static void status_on_http(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct status_srv *s = w->arg;
	(void)l;
	(void)events;
	status_accept(s, w->fd, true);
}

/* ---- sockets ---- */

/* The Unix socket at path, in a 0700 directory, itself 0600. A live one
 * (another serve) is left alone. Returns the listening fd or -errno. */
static int status_unix_open(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path)
		return -ENAMETOOLONG;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	char dir[sizeof sa.sun_path];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		close(fd);
		return -EADDRINUSE;
	}
	close(fd);
	unlink(path); /* a stale socket of a serve that is gone */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	mode_t old = umask(077);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (r || chmod(path, 0600) || listen(fd, STATUS_CONNS)) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* --status ADDR:PORT ("192.0.2.2:9100", "[2001:db8::2]:9100"). */
static int status_http_open(const char *spec)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	char host[64];
	const char *colon = strrchr(spec, ':');
	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof host)
		return -EINVAL;
	snprintf(host, sizeof host, "%.*s", (int)(colon - spec), spec);
	char *end;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (*end || !colon[1] || port == 0 || port > 65535)
		return -EINVAL;
	size_t hl = strlen(host);
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		host[hl - 1] = 0;
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return -EINVAL;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		len = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -EINVAL;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		len = sizeof *s4;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, STATUS_CONNS)) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* ---- the sweep: hand-offs and stops ---- */

static void status_on_handoff(void *arg, struct client_rec *r)
{
	char tl[1024];
	(void)arg;
	timeline_format(r, tl, sizeof tl);
	r->timeline_said = true;
	uint64_t ms = r->stage_ms[CLIENT_HANDOFF] - r->boot_ms;
	log_info("client.boot mac=%s arch=%s result=handoff secs=%llu.%llu timeline=\"%s\"",
		 r->mac_str, r->arch[0] ? r->arch : "-", (unsigned long long)(ms / 1000),
		 (unsigned long long)(ms % 1000 / 100), tl);
}

static void status_stopped(struct status_srv *s, struct client_rec *r, uint64_t now)
{
	struct timeline_facts f;
	char tl[1024];
	timeline_facts(r, now, &f);
	const struct timeline_rule *rule = timeline_cause(&f);
	timeline_cause_words(rule, &f, r->cause, sizeof r->cause);
	s->cfg.c->ctr.stalls++;
	timeline_format(r, tl, sizeof tl);
	log_warn("client.stopped mac=%s arch=%s stage=%s cause=%s reason=\"%s\" timeline=\"%s\"",
		 r->mac_str, r->arch[0] ? r->arch : "-", client_stage_name(r->stage), rule->id,
		 r->cause, tl[0] ? tl : "-");
}

static void status_on_sweep(struct loop *l, struct loop_timer *t)
{
	struct status_srv *s = t->arg;
	uint64_t now = loop_now_ms(l);
	uint64_t quiet = s->cfg.tl.handoff_quiet_ms ? s->cfg.tl.handoff_quiet_ms : 3000;
	for (size_t i = 0; i < CLIENTS_MAX; i++) {
		struct client_rec *r = &s->cfg.c->v[i];
		if (!r->used || r->stage == CLIENT_HANDOFF || r->cause[0] ||
		    now - r->progress_ms < quiet)
			continue;
		enum timeline_verdict v = timeline_judge(r, now, &s->cfg.tl);
		if (v == TL_HANDOFF)
			clients_handoff(s->cfg.c, r, r->progress_ms);
		else if (v == TL_STALLED)
			status_stopped(s, r, now);
	}
	loop_timer_arm(l, t, STATUS_SWEEP_MS);
}

/* ---- the terminal ---- */

/* Draws the table in the top rows, outside the log's scroll region, in one
 * write: cursor saved, each line cut to the width, cursor restored. */
static void status_draw(struct status_srv *s)
{
	struct status_extra x;
	struct status_view v;
	struct status_out o;
	char *table = s->tty_buf + STATUS_TTY_MAX / 2;
	status_view_of(s, &x, &v);
	v.width = s->cols;
	v.max_rows = s->table_h - 2;
	v.recent_ms = 3600 * 1000;
	status_out_init(&o, table, STATUS_TTY_MAX / 2);
	status_table(&v, &o);
	size_t n = 0, cap = STATUS_TTY_MAX / 2;
	char *p = s->tty_buf, *line = table;
	n += (size_t)snprintf(p + n, cap - n, "\0337");
	for (unsigned row = 1; row <= s->table_h && n + s->cols + 32 < cap; row++) {
		char *nl = line ? strchr(line, '\n') : NULL;
		size_t len = nl ? (size_t)(nl - line) : 0;
		if (len >= s->cols)
			len = s->cols - 1;
		n += (size_t)snprintf(p + n, cap - n, "\033[%u;1H%s%.*s\033[0m\033[K", row,
				      row == 2 ? "\033[7m" : "", (int)len, nl ? line : "");
		line = nl ? nl + 1 : NULL;
	}
	n += (size_t)snprintf(p + n, cap - n, "\0338");
	ssize_t w = write(s->cfg.tty_fd, p, n);
	(void)w;
}

static void status_on_draw(struct loop *l, struct loop_timer *t)
{
	struct status_srv *s = t->arg;
	status_draw(s);
	loop_timer_arm(l, t, STATUS_DRAW_MS);
}

/* The terminal's size: the table's rows at the top, the log's scroll
 * region below them. false when it is too small for a table. */
static bool status_tty_size(struct status_srv *s)
{
	struct winsize ws;
	if (ioctl(s->cfg.tty_fd, TIOCGWINSZ, &ws) || ws.ws_row < 16 || ws.ws_col < 40)
		return false;
	s->rows = ws.ws_row;
	s->cols = ws.ws_col;
	s->table_h = s->rows / 3 < 12 ? s->rows / 3 : 12;
	dprintf(s->cfg.tty_fd, "\033[%u;%ur\033[%u;1H", s->table_h + 1, s->rows, s->rows);
	return true;
}

/* On a terminal of enough rows: a scroll region below the table's rows,
 * so the log scrolls beneath it. */
static void status_tty_start(struct status_srv *s)
{
	if (!s->cfg.live || !isatty(s->cfg.tty_fd))
		return;
	s->tty_buf = malloc(STATUS_TTY_MAX);
	if (!s->tty_buf)
		return;
	dprintf(s->cfg.tty_fd, "\033[2J");
	if (!status_tty_size(s))
		return;
	s->tty = true;
	status_draw(s);
	loop_timer_arm(s->cfg.l, &s->draw, STATUS_DRAW_MS);
}

void status_resize(struct status_srv *s)
{
	if (!s || !s->tty)
		return;
	if (!status_tty_size(s)) { /* too small now: plain log lines */
		loop_timer_cancel(s->cfg.l, &s->draw);
		dprintf(s->cfg.tty_fd, "\033[r");
		s->tty = false;
		return;
	}
	status_draw(s);
}

/* ---- SIGUSR1 ---- */

#define STATUS_DUMP_MAX (256u << 10)

void status_dump(struct status_srv *s)
{
	char *buf = s ? s->dump_buf : NULL;
	if (!buf)
		return;
	status_render_req(s, STATUS_REQ_TABLE, 160, buf, STATUS_DUMP_MAX);
	for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = 0;
		for (char *q = line; q < nl; q++) /* one logfmt value: no '"' in it */
			if (*q == '"' || *q == '\\')
				*q = '\'';
		log_info("status.table row=\"%s\"", line);
	}
	const struct counters *k = &s->cfg.c->ctr;
	struct status_extra x;
	struct status_view v;
	status_view_of(s, &x, &v);
	uint64_t offers = 0, answers = 0;
	for (int d = 0; d < CTR_DHCPS; d++)
		for (size_t a = 0; a < COUNTERS_LABELS; a++) {
			offers += k->replies[d][CTR_OFFER][a];
			answers += k->replies[d][CTR_ANSWER][a];
		}
	log_info("status.counters clients=%zu offers=%llu answers=%llu tftp_started=%llu "
		 "tftp_done=%llu http_started=%llu http_done=%llu tftp_bytes=%llu "
		 "http_bytes=%llu handoffs=%llu stopped=%llu ratelimited=%llu log_suppressed=%llu",
		 clients_count(s->cfg.c), (unsigned long long)offers, (unsigned long long)answers,
		 (unsigned long long)k->started[CTR_TFTP], (unsigned long long)k->done[CTR_TFTP],
		 (unsigned long long)k->started[CTR_HTTP], (unsigned long long)k->done[CTR_HTTP],
		 (unsigned long long)k->bytes[CTR_TFTP], (unsigned long long)k->bytes[CTR_HTTP],
		 (unsigned long long)k->handoffs, (unsigned long long)k->stalls,
		 (unsigned long long)(x.ratelimited[0] + x.ratelimited[1] + x.ratelimited[2]),
		 (unsigned long long)x.log_suppressed);
}

/* ---- start, stop ---- */

static int status_listen(struct status_srv *s)
{
	const struct status_cfg *cfg = &s->cfg;
	if (cfg->socket_path && *cfg->socket_path) {
		int fd = status_unix_open(cfg->socket_path);
		if (fd < 0)
			log_warn("serve.warn socket=%s reason=\"status socket off: %s\"",
				 cfg->socket_path,
				 fd == -EADDRINUSE ? "another serve answers there" : strerror(-fd));
		s->unix_fd = fd;
	}
	if (cfg->http_addr) {
		int fd = status_http_open(cfg->http_addr);
		if (fd < 0) {
			log_err("serve.error status=%s reason=\"cannot listen: %s\"",
				cfg->http_addr, strerror(-fd));
			return fd;
		}
		s->http_fd = fd;
	}
	s->unix_w = (struct loop_watch){.fd = s->unix_fd, .cb = status_on_unix, .arg = s};
	s->http_w = (struct loop_watch){.fd = s->http_fd, .cb = status_on_http, .arg = s};
	if ((s->unix_fd >= 0 && loop_add(cfg->l, &s->unix_w, EPOLLIN)) ||
	    (s->http_fd >= 0 && loop_add(cfg->l, &s->http_w, EPOLLIN)))
		return -errno;
	return 0;
}

int status_start(struct status_srv **out, const struct status_cfg *cfg)
{
	struct status_srv *s = calloc(1, sizeof *s);
	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	s->unix_fd = s->http_fd = -1;
	s->allowed_uid = getuid();
	s->start_ms = loop_now_ms(cfg->l);
	loop_timer_init(&s->sweep, status_on_sweep, s);
	loop_timer_init(&s->draw, status_on_draw, s);
	s->bufs = malloc((size_t)STATUS_CONNS * STATUS_OUT_MAX);
	s->dump_buf = malloc(STATUS_DUMP_MAX);
	if (!s->bufs || !s->dump_buf) {
		free(s->bufs);
		free(s->dump_buf);
		free(s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < STATUS_CONNS; i++) {
		s->conns[i].s = s;
		s->conns[i].out = s->bufs + i * STATUS_OUT_MAX;
	}
	*out = s;
	int r = status_listen(s);
	if (r)
		return r;
	cfg->c->on_handoff = status_on_handoff;
	cfg->c->hook_arg = s;
	loop_timer_arm(cfg->l, &s->sweep, STATUS_SWEEP_MS);
	status_tty_start(s);
	if (s->unix_fd >= 0)
		log_info("serve.status socket=%s http=%s live=%s", cfg->socket_path,
			 cfg->http_addr ? cfg->http_addr : "off", s->tty ? "on" : "off");
	/* they point into options a reload frees: used only up to here */
	s->cfg.socket_path = s->cfg.http_addr = NULL;
	return 0;
}

void status_stop(struct status_srv *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < STATUS_CONNS; i++)
		if (s->conns[i].used)
			status_conn_close(&s->conns[i]);
	if (s->unix_fd >= 0) {
		loop_del(s->cfg.l, &s->unix_w);
		close(s->unix_fd);
	}
	if (s->http_fd >= 0) {
		loop_del(s->cfg.l, &s->http_w);
		close(s->http_fd);
	}
	loop_timer_cancel(s->cfg.l, &s->sweep);
	loop_timer_cancel(s->cfg.l, &s->draw);
	if (s->tty) {
		dprintf(s->cfg.tty_fd, "\033[r\033[%u;1H\n", s->rows);
	}
	s->cfg.c->on_handoff = NULL;
	free(s->tty_buf);
	free(s->dump_buf);
	free(s->bufs);
	free(s);
}
