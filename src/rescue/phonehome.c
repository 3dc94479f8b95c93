/* phonehome: a tiny HTTP/1.0 POST client for the rescue's reports. */
#include "rescue/phonehome.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/sys.h"

int phonehome_parse_url(const char *url, struct phonehome_url *u)
{
	memset(u, 0, sizeof *u);
	if (strncmp(url, "http://", 7))
		return -EINVAL;
	const char *h = url + 7, *e;
	size_t hn;
	if (*h == '[') {
		e = strchr(h, ']');
		if (!e)
			return -EINVAL;
		h++;
		hn = (size_t)(e - h);
		e++;
	} else {
		hn = strcspn(h, ":/");
		e = h + hn;
	}
	if (!hn || hn >= sizeof u->host)
		return -EINVAL;
	for (size_t i = 0; i < hn; i++) /* a name or an address literal, nothing else */
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:",
			    h[i]))
			return -EINVAL;
	memcpy(u->host, h, hn);
	u->port = 80;
	if (*e == ':') {
		char *end;
		long p = strtol(e + 1, &end, 10);
		if (end == e + 1 || p < 1 || p > 65535 || (*end && *end != '/'))
			return -EINVAL;
		u->port = (uint16_t)p;
		e = end;
	} else if (*e && *e != '/') {
		return -EINVAL;
	}
	size_t bn = strlen(e);
	while (bn && e[bn - 1] == '/')
		bn--;
	if (bn + sizeof PHONEHOME_PATH > sizeof u->path || strpbrk(e, " \t\r\n"))
		return -EINVAL;
	memcpy(u->path, e, bn);
	memcpy(u->path + bn, PHONEHOME_PATH, sizeof PHONEHOME_PATH);
	return 0;
}

int phonehome_request(char *out, size_t cap, const struct phonehome_url *u, const char *body)
{
	size_t o = 0;
	bool v6 = strchr(u->host, ':') != NULL;
	int e = buf_appendf(out, cap, &o,
			    "POST %s HTTP/1.0\r\nHost: %s%s%s:%u\r\nUser-Agent: lifeboat-rescue\r\n"
			    "Content-Type: text/plain\r\nContent-Length: %zu\r\n"
			    "Connection: close\r\n\r\n%s",
			    u->path, v6 ? "[" : "", u->host, v6 ? "]" : "", u->port, strlen(body),
			    body);
	return e ? e : (int)o;
}

int phonehome_status(const char *resp, size_t n)
{
	struct rbuf r;
	const uint8_t *p;
	rbuf_init(&r, resp, n);
	if (rbuf_ptr(&r, 12, &p) || memcmp(p, "HTTP/1.", 7) || (p[7] != '0' && p[7] != '1') ||
	    p[8] != ' ')
		return -EBADMSG;
	int code = 0;
	for (int i = 9; i < 12; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -EBADMSG;
		code = code * 10 + (p[i] - '0');
	}
	uint8_t next;
	if (!rbuf_u8(&r, &next) && next != ' ' && next != '\r' && next != '\n')
		return -EBADMSG;
	return code >= 100 ? code : -EBADMSG;
}

/* Copies s into out at *o, cleaned, stopping at PHONEHOME_LINE_MAX. */
static void put_clean(char *out, size_t *o, const char *s)
{
	for (; *s && *o < PHONEHOME_LINE_MAX; s++) {
		unsigned char c = (unsigned char)*s;
		out[(*o)++] = c < 0x20 || c > 0x7e ? '?' : (char)c;
	}
	out[*o] = 0;
}

void phonehome_line_up(char *out, const char *ip, const char *fp, const char *type)
{
	size_t o = 0;
	put_clean(out, &o, "up, ssh at ");
	put_clean(out, &o, ip);
	put_clean(out, &o, ", ");
	put_clean(out, &o, fp && fp[0] ? fp : "no host key");
	if (type && type[0]) {
		put_clean(out, &o, " (");
		put_clean(out, &o, type);
		put_clean(out, &o, ")");
	}
}

void phonehome_line_cmd(char *out, int status, const char *cmd)
{
	char head[32];
	size_t o = 0;
	snprintf(head, sizeof head, "cmd exit %d: ", status);
	put_clean(out, &o, head);
	put_clean(out, &o, cmd);
}

/* Waits for fd to be ready for ev until deadline; 0 or -ETIMEDOUT. */
static int wait_fd(int fd, short ev, uint64_t deadline)
{
	for (;;) {
		uint64_t now = sys_clock_ms(CLOCK_MONOTONIC);
		if (now >= deadline)
			return -ETIMEDOUT;
		struct pollfd p = {fd, ev, 0};
		int n = poll(&p, 1, (int)(deadline - now));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int connect_to(const struct phonehome_url *u, uint64_t deadline)
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

/* One POST: 0 for a 2xx answer, else -errno / -EPROTO. */
static int post_once(const struct phonehome_url *u, const char *req, size_t len, int timeout_ms)
{
	uint64_t deadline = sys_clock_ms(CLOCK_MONOTONIC) + (uint64_t)timeout_ms;
	int fd = connect_to(u, deadline), rc = 0;
	if (fd < 0)
		return fd;
	for (size_t o = 0; !rc && o < len;) {
		ssize_t w = send(fd, req + o, len - o, MSG_NOSIGNAL);
		if (w > 0)
			o += (size_t)w;
		else if (w < 0 && errno == EAGAIN)
			rc = wait_fd(fd, POLLOUT, deadline);
		else
			rc = w < 0 ? -errno : -EPIPE;
	}
	char resp[256];
	size_t got = 0;
	while (!rc && got < 12) {
		ssize_t r = recv(fd, resp + got, sizeof resp - got, 0);
		if (r > 0)
			got += (size_t)r;
		else if (r < 0 && errno == EAGAIN)
			rc = wait_fd(fd, POLLIN, deadline);
		else
			rc = r < 0 ? -errno : -ECONNRESET;
	}
	close(fd);
	if (rc)
		return rc;
	int code = phonehome_status(resp, got);
	return code >= 200 && code < 300 ? 0 : -EPROTO;
}

int phonehome_post(const char *url, const char *line, int tries, int timeout_ms)
{
	struct phonehome_url u;
	char req[1024];
	if (phonehome_parse_url(url, &u))
		return -EINVAL;
	int len = phonehome_request(req, sizeof req, &u, line);
	if (len < 0)
		return len;
	int rc = -EINVAL;
	for (int i = 0; i < tries; i++) {
		rc = post_once(&u, req, (size_t)len, timeout_ms);
		if (!rc)
			return 0;
		log_warn("phonehome.failed url=%s try=%d error=\"%s\"", url, i + 1,
			 rc == -EPROTO ? "non-2xx answer" : strerror(-rc));
		if (i + 1 < tries)
			sleep(1u << (i < 4 ? i : 4));
	}
	return rc;
}
