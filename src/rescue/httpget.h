/* httpget: a small blocking HTTP/1.1 GET client for `takeover --image
 * http://...` (run in a child of PID 1, never in a serve loop). The URL
 * and the response head are parsed by pure functions through core/buf
 * (unit-tested, fuzzed: fuzz/fuzz_httpget.c); httpget_open() connects,
 * sends the request and leaves the socket at the start of the body.
 * Bodies must be sized by Content-Length or end with the connection;
 * chunked transfer coding is refused (-ENOTSUP). */
#ifndef LIFEBOAT_RESCUE_HTTPGET_H
#define LIFEBOAT_RESCUE_HTTPGET_H

#include <stddef.h>
#include <stdint.h>

#define HTTPGET_HEAD_MAX 8192
#define HTTPGET_STALL_S 60 /* a body read that waits longer fails */

struct httpget_url {
	char host[128];
	uint16_t port;
	char path[1024]; /* with the query, "/" when empty */
};

/* "http://HOST[:PORT][/PATH]" (IPv6 literals in brackets). 0 or -EINVAL. */
int httpget_parse_url(const char *url, struct httpget_url *u);

/* The request text. Its length, or -ENOBUFS. */
int httpget_request(char *out, size_t cap, const struct httpget_url *u);

struct httpget_head {
	int status;	    /* 100..999 */
	int64_t length;	    /* Content-Length, -1 when absent */
	int chunked;	    /* Transfer-Encoding other than identity */
	size_t head_len;    /* bytes of the head with its blank line */
	char location[256]; /* Location of a redirect, "" if none */
};

/* Parses the head at the start of p[0..n): 0 when it is complete (head_len
 * set), -EAGAIN when more bytes are needed (n < HTTPGET_HEAD_MAX), -EBADMSG
 * when it is malformed or longer than HTTPGET_HEAD_MAX. */
int httpget_parse_head(const uint8_t *p, size_t n, struct httpget_head *h);

/* Connects to url (timeout_ms for connect and head), sends the GET and
 * reads the head: a 200 answer with an acceptable body gives the socket
 * (blocking, positioned after the bytes already read), *h, and those
 * first body bytes in pre[0..*npre) (pre holds HTTPGET_HEAD_MAX). Else
 * -errno (-EPROTO for another status: h->status tells which; -ENOTSUP
 * for chunked). */
int httpget_open(const char *url, int timeout_ms, struct httpget_head *h, uint8_t *pre,
		 size_t *npre);

#endif
