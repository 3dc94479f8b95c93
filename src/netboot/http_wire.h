/* http_wire: the bytes of HTTP/1.x, without sockets or policy.
 *
 * http_request_parse() reads one request head (request line + header fields
 * + blank line) out of a receive buffer and fills a struct http_request whose
 * string fields point into that buffer. It understands just what a static
 * file server needs: the method, the target's path, the version, Connection,
 * Range, If-Range, Transfer-Encoding and Content-Length. Everything else is
 * skipped after a syntax check.
 *
 * http_path_decode() percent-decodes a path (refusing NUL and encoded
 * separators), http_range_resolve() turns a parsed Range into what to send
 * for a file of a given size, and http_response_head() writes a status line
 * and header fields through a write cursor. All pure, all fuzzed. */
#ifndef LIFEBOAT_NETBOOT_HTTP_WIRE_H
#define LIFEBOAT_NETBOOT_HTTP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/buf.h"

/* Largest request head we accept; a longer one gets 431. */
#define HTTP_HEADER_MAX 8192

enum http_method {
	HTTP_METHOD_OTHER, /* syntactically valid, not served: 405 */
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
	HTTP_METHOD_POST, /* only where the server takes a report (http_config.post) */
};

enum http_range_kind {
	HTTP_RANGE_NONE, /* absent, unparseable, or not in bytes: send 200 */
	HTTP_RANGE_ONE,	 /* exactly one byte range */
	HTTP_RANGE_MANY, /* several ranges: we answer with the whole file, 200 */
};

struct http_range {
	enum http_range_kind kind;
	bool suffix;	/* "-n": the last n bytes (n in last) */
	bool open_end;	/* "a-": from first to the end */
	uint64_t first; /* saturates at UINT64_MAX on overflow */
	uint64_t last;
};

struct http_request {
	enum http_method method;
	const char *method_str; /* points into the buffer */
	size_t method_len;
	/* The path of the target (origin-form, or the path of an absolute-form
	 * URI), query and fragment stripped, still percent-encoded. NULL for
	 * the asterisk form or an absolute URI of another scheme. */
	const char *path;
	size_t path_len;
	unsigned version_major, version_minor;
	bool keep_alive;	 /* after applying the version default + Connection */
	bool transfer_encoding;	 /* a Transfer-Encoding field was sent (501) */
	uint64_t content_length; /* 0 when absent */
	bool has_content_length; /* a Content-Length field was sent */
	struct http_range range;
};

/* Parses the request head at the start of buf[0..len).
 * Returns the head's length (> 0, including the blank line) when complete;
 * 0 when more bytes are needed (only while len < HTTP_HEADER_MAX);
 * -EMSGSIZE when no complete head fits in HTTP_HEADER_MAX bytes (answer 431);
 * -EBADMSG when the head is malformed (answer 400). Lines may end in CRLF
 * or a bare LF; a bare CR, obs-fold, NUL or control byte is malformed. */
int http_request_parse(const void *buf, size_t len, struct http_request *req);

/* Percent-decodes n bytes of a request path into out (NUL-terminated).
 * Returns the decoded length, -EBADMSG for a malformed or NUL escape (%zz,
 * "%4", %00), -EACCES for an encoded separator (%2f, %5c: they would let a
 * client smuggle a component boundary past the path cleaner), -ENAMETOOLONG
 * when out (cap bytes) is too small. Decodes exactly once: "%252e" gives
 * "%2e", a literal name. */
int http_path_decode(const char *in, size_t n, char *out, size_t cap);

/* Decides what to send of a file of size bytes given the parsed range.
 * Returns 200 (whole file: *off = 0, *len = size), 206 (*off, *len: one
 * satisfiable range, clipped to the file) or 416 (unsatisfiable). */
int http_range_resolve(const struct http_range *r, uint64_t size, uint64_t *off, uint64_t *len);

/* The Content-Type for a path, by its extension (see the table in the .c). */
const char *http_content_type(const char *path);

/* The reason phrase for a status code ("Not Found"), "Unknown" if unknown. */
const char *http_reason(int status);

/* Formats t as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") into out,
 * which must hold HTTP_DATE_LEN + 1 bytes. Returns 0 or -EINVAL. */
#define HTTP_DATE_LEN 29
int http_format_date(time_t t, char *out);

struct http_response {
	int status;
	const char *content_type; /* NULL: no Content-Type field */
	uint64_t content_length;  /* length of the body this response carries */
	/* 206: Content-Range bytes first-last/total; 416: bytes / *total. */
	uint64_t range_first, range_last, total;
	const char *date;	  /* preformatted IMF-fixdate, NULL: none */
	time_t last_modified;	  /* 0: no Last-Modified */
	bool keep_alive;	  /* else "Connection: close" */
	bool announce_keep_alive; /* "Connection: keep-alive" (HTTP/1.0 clients) */
	bool allow;		  /* "Allow: GET, HEAD" (405) */
	bool accept_ranges;	  /* "Accept-Ranges: bytes" */
	unsigned retry_after;	  /* "Retry-After: N" seconds (503), 0: none */
};

/* Appends the status line and header fields (ending with the blank line)
 * to w. Field names use the canonical case with one space after the colon:
 * GRUB's http module compares "Content-Length: " byte for byte, and iPXE
 * splits fields on ": ". Returns 0 or -ENOBUFS (w is then incomplete). */
int http_response_head(struct wbuf *w, const struct http_response *resp);

#endif
