/* httpget: URL and response head (pure, through core/buf) and the
 * blocking GET client for --image http://... */
#include "rescue/httpget.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/sys.h"

int httpget_parse_url(const char *url, struct httpget_url *u)
{
	memset(u, 0, sizeof *u);
	if (strncasecmp(url, "http://", 7))
		return -EINVAL;
	const char *h = url + 7, *e;
	size_t hn;
	if (*h == '[') {
		if (!(e = strchr(h, ']')))
			return -EINVAL;
		h++;
		hn = (size_t)(e - h);
		e++;
	} else {
		hn = strcspn(h, ":/?");
		e = h + hn;
	}
	if (!hn || hn >= sizeof u->host)
		return -EINVAL;
	for (size_t i = 0; i < hn; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:",
			    h[i]))
			return -EINVAL;
	memcpy(u->host, h, hn);
	u->port = 80;
	if (*e == ':') {
		long p = 0;
		const char *d = e + 1;
		for (; *d >= '0' && *d <= '9' && p <= 65535; d++)
			p = p * 10 + (*d - '0');
		if (d == e + 1 || p < 1 || p > 65535 || (*d && *d != '/' && *d != '?'))
			return -EINVAL;
		u->port = (uint16_t)p;
		e = d;
	} else if (*e && *e != '/' && *e != '?') {
		return -EINVAL;
	}
	size_t pn = strlen(e);
	if (pn + 2 > sizeof u->path)
		return -EINVAL;
	for (size_t i = 0; i < pn; i++)
		if ((unsigned char)e[i] <= 0x20 || (unsigned char)e[i] >= 0x7f || e[i] == '#')
			return -EINVAL;
	snprintf(u->path, sizeof u->path, "%s%s", *e == '/' ? "" : "/", e);
	return 0;
}

int httpget_request(char *out, size_t cap, const struct httpget_url *u)
{
	size_t o = 0;
	bool v6 = strchr(u->host, ':') != NULL;
	int e = buf_appendf(out, cap, &o,
			    "GET %s HTTP/1.1\r\nHost: %s%s%s:%u\r\nUser-Agent: lifeboat-image\r\n"
			    "Accept-Encoding: identity\r\nConnection: close\r\n\r\n",
			    u->path, v6 ? "[" : "", u->host, v6 ? "]" : "", u->port);
	return e ? e : (int)o;
}

/* The next line of r without its CR LF (or LF). -EBADMSG if none is left. */
static int next_line(struct rbuf *r, const uint8_t **line, size_t *len)
{
	const uint8_t *start = r->p + r->off, *nl;
	size_t left = rbuf_left(r);
	if (!left || !(nl = memchr(start, '\n', left)))
		return -EBADMSG;
	size_t n = (size_t)(nl - start);
	if (rbuf_skip(r, n + 1))
		return -EBADMSG;
	if (n && start[n - 1] == '\r')
		n--;
	*line = start;
	*len = n;
	return 0;
}

static bool name_is(const uint8_t *p, size_t n, const char *name)
{
	return n == strlen(name) && !strncasecmp((const char *)p, name, n);
}

static int parse_status(const uint8_t *l, size_t n, struct httpget_head *h)
{
	if (n < 12 || memcmp(l, "HTTP/1.", 7) || (l[7] != '0' && l[7] != '1') || l[8] != ' ')
		return -EBADMSG;
	h->status = 0;
	for (int i = 9; i < 12; i++) {
		if (l[i] < '0' || l[i] > '9')
			return -EBADMSG;
		h->status = h->status * 10 + (l[i] - '0');
	}
	if (h->status < 100 || (n > 12 && l[12] != ' '))
		return -EBADMSG;
	return 0;
}

/* One "Name: value" line into h. */
static int parse_field(const uint8_t *l, size_t n, struct httpget_head *h)
{
	const uint8_t *colon = memchr(l, ':', n);
	if (!colon || colon == l)
		return -EBADMSG;
	size_t nn = (size_t)(colon - l);
	for (size_t i = 0; i < nn; i++)
		if (l[i] <= 0x20 || l[i] >= 0x7f || strchr("\"(),/;<=>?@[\\]{}", l[i]))
			return -EBADMSG; /* not a token (also: obs-fold, a space before ':') */
	const uint8_t *v = colon + 1, *end = l + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	size_t vn = (size_t)(end - v);
	if (name_is(l, nn, "Content-Length")) {
		int64_t len = 0;
		if (!vn || vn > 18)
			return -EBADMSG;
		for (size_t i = 0; i < vn; i++) {
			if (v[i] < '0' || v[i] > '9')
				return -EBADMSG;
			len = len * 10 + (v[i] - '0');
		}
		if (h->length >= 0 && h->length != len)
			return -EBADMSG;
		h->length = len;
	} else if (name_is(l, nn, "Transfer-Encoding")) {
		if (!name_is(v, vn, "identity"))
			h->chunked = 1;
	} else if (name_is(l, nn, "Location") && vn < sizeof h->location) {
		memcpy(h->location, v, vn);
		h->location[vn] = 0;
	}
	return 0;
}

int httpget_parse_head(const uint8_t *p, size_t n, struct httpget_head *h)
{
	struct rbuf r;
	const uint8_t *line;
	size_t len, lim = n < HTTPGET_HEAD_MAX ? n : HTTPGET_HEAD_MAX;
	memset(h, 0, sizeof *h);
	h->length = -1;
	/* The head ends with an empty line; until it is here, ask for more. */
	size_t end = 0;
	for (size_t i = 0; i < lim && !end; i++)
		if (p[i] == '\n' && ((i >= 1 && p[i - 1] == '\n') ||
				     (i >= 2 && p[i - 1] == '\r' && p[i - 2] == '\n')))
			end = i + 1;
	if (!end)
		return n >= HTTPGET_HEAD_MAX ? -EBADMSG : -EAGAIN;
	rbuf_init(&r, p, end);
	if (next_line(&r, &line, &len) || parse_status(line, len, h))
		return -EBADMSG;
	for (;;) {
		if (next_line(&r, &line, &len))
			return -EBADMSG;
		if (!len)
			break;
		if (parse_field(line, len, h))
			return -EBADMSG;
	}
	h->head_len = r.off;
	return 0;
}

static int wait_fd(int fd, short ev, uint64_t deadline)
{
	for (;;) {
		uint64_t now = sys_clock_ms(CLOCK_MONOTONIC);
		if (now >= deadline)
			return -ETIMEDOUT;
		struct pollfd pf = {fd, ev, 0};
		int k = poll(&pf, 1, (int)(deadline - now));
		if (k > 0)
			return 0;
		if (k < 0 && errno != EINTR)
			return -errno;
	}
}

static int connect_to(const struct httpget_url *u, uint64_t deadline)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *ai;
	char port[8];
	snprintf(port, sizeof port, "%u", u->port);
	if (getaddrinfo(u->host, port, &hints, &ai))
		return -EHOSTUNREACH;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int rc = fd < 0 ? -errno : 0;
	if (!rc && connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS)
		rc = -errno;
	freeaddrinfo(ai);
	if (!rc)
		rc = wait_fd(fd, POLLOUT, deadline);
	int err = 0;
	socklen_t el = sizeof err;
	if (!rc && !getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) && err)
		rc = -err;
	if (rc && fd >= 0)
		close(fd);
	return rc ? rc : fd;
}

/* Sends the request and reads the head into pre; returns its parse. */
static int exchange(int fd, const struct httpget_url *u, uint64_t deadline, struct httpget_head *h,
		    uint8_t *pre, size_t *got)
{
	char req[1400];
	int len = httpget_request(req, sizeof req, u), rc = len < 0 ? len : 0;
	for (size_t o = 0; !rc && o < (size_t)len;) {
		ssize_t w = send(fd, req + o, (size_t)len - o, MSG_NOSIGNAL);
		if (w > 0)
			o += (size_t)w;
		else if (w < 0 && errno == EAGAIN)
			rc = wait_fd(fd, POLLOUT, deadline);
		else
			rc = w < 0 ? -errno : -EPIPE;
	}
	*got = 0;
	while (!rc) {
		ssize_t r = recv(fd, pre + *got, HTTPGET_HEAD_MAX - *got, 0);
		if (r > 0) {
			*got += (size_t)r;
			if ((rc = httpget_parse_head(pre, *got, h)) != -EAGAIN)
				break;
			rc = 0;
		} else if (r < 0 && errno == EAGAIN) {
			rc = wait_fd(fd, POLLIN, deadline);
		} else {
			rc = r < 0 ? -errno : -ECONNRESET;
		}
	}
	return rc;
}

int httpget_open(const char *url, int timeout_ms, struct httpget_head *h, uint8_t *pre,
		 size_t *npre)
{
	struct httpget_url u;
	size_t got = 0;
	memset(h, 0, sizeof *h);
	if (httpget_parse_url(url, &u))
		return -EINVAL;
	uint64_t deadline = sys_clock_ms(CLOCK_MONOTONIC) + (uint64_t)timeout_ms;
	int fd = connect_to(&u, deadline);
	if (fd < 0)
		return fd;
	int rc = exchange(fd, &u, deadline, h, pre, &got);
	if (!rc && h->status != 200)
		rc = -EPROTO;
	if (!rc && h->chunked)
		rc = -ENOTSUP;
	if (rc) {
		close(fd);
		return rc;
	}
	*npre = got - h->head_len;
	memmove(pre, pre + h->head_len, *npre);
	/* The body is read with plain blocking reads from here; a server that
	 * stalls for HTTPGET_STALL_S fails the read (EAGAIN) instead of
	 * hanging the writer forever. */
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	struct timeval tv = {HTTPGET_STALL_S, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}
