/* phonehome: the rescue system's report to the server that booted it: one
 * short text line POSTed to ${lifeboat.home}/lifeboat/report over plain
 * HTTP/1.0 ("up, ssh at IP, FP (type)", then "cmd exit N: CMD"). The
 * request/response text is pure and tested; phonehome_post() is the
 * blocking client with timeouts, run in a child of PID 1. */
#ifndef LIFEBOAT_RESCUE_PHONEHOME_H
#define LIFEBOAT_RESCUE_PHONEHOME_H

#include <stddef.h>
#include <stdint.h>

#define PHONEHOME_PATH "/lifeboat/report"
#define PHONEHOME_LINE_MAX 192 /* bytes of the body, without a newline */

struct phonehome_url {
	char host[128];
	uint16_t port;
	char path[256]; /* the base path + PHONEHOME_PATH */
};

/* Parses "http://HOST[:PORT][/BASE]" (IPv6 literal in brackets too).
 * 0 or -EINVAL (another scheme, bad port, too long). */
int phonehome_parse_url(const char *url, struct phonehome_url *u);

/* The whole request for body (already a safe line). Its length, or
 * -ENOBUFS. */
int phonehome_request(char *out, size_t cap, const struct phonehome_url *u, const char *body);

/* The status code of a response's first line ("HTTP/1.x NNN ..."), or
 * -EBADMSG. */
int phonehome_status(const char *resp, size_t n);

/* The report lines, cut to PHONEHOME_LINE_MAX bytes, control characters
 * and non-ASCII replaced by '?'. */
void phonehome_line_up(char *out, const char *ip, const char *fp, const char *type);
void phonehome_line_cmd(char *out, int status, const char *cmd);

/* POSTs line to url: tries times, pausing 1, 2, 4... s in between, each
 * try bounded by timeout_ms. 0 once a 2xx came back, else -errno of the
 * last try (-EPROTO for a non-2xx answer). Logs each failure. */
int phonehome_post(const char *url, const char *line, int tries, int timeout_ms);

#endif
