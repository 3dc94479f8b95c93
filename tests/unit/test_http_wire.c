#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/fsroot.h"
#include "netboot/http_wire.h"

/* The tables leave trailing fields out where they do not matter (zero). */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* want: WHOLE = the parse returns the length of the whole input (one complete
 * head), HEAD_OF(n) = it returns n, else 0 / -EBADMSG / -EMSGSIZE. */
#define WHOLE 1000000

struct parse_case {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	int want;
	enum http_method method;
	const char *path; /* NULL: req.path must be NULL */
	unsigned major, minor;
	bool keep_alive;
	bool te;
	uint64_t content_length;
};

static const struct parse_case parse_cases[] = {
	{ "get 1.1", "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", 0, WHOLE, HTTP_METHOD_GET, "/a", 1, 1,
	  true },
	{ "head 1.0 closes", "HEAD /b.efi HTTP/1.0\r\n\r\n", 0, WHOLE, HTTP_METHOD_HEAD, "/b.efi", 1,
	  0, false },
	{ "1.0 keep-alive asked", "GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 0, WHOLE,
	  HTTP_METHOD_GET, "/a", 1, 0, true },
	{ "1.1 close", "GET /a HTTP/1.1\r\nConnection: close\r\n\r\n", 0, WHOLE, HTTP_METHOD_GET,
	  "/a", 1, 1, false },
	{ "1.1 close in a list", "GET /a HTTP/1.1\r\nConnection: TE, close\r\n\r\n", 0, WHOLE,
	  HTTP_METHOD_GET, "/a", 1, 1, false },
	{ "1.0 keep-alive then close", "GET /a HTTP/1.0\r\nConnection: keep-alive,close\r\n\r\n", 0,
	  WHOLE, HTTP_METHOD_GET, "/a", 1, 0, false },
	{ "absolute-form", "GET http://192.0.2.2/boot/x.efi?x=1 HTTP/1.1\r\n\r\n", 0, WHOLE,
	  HTTP_METHOD_GET, "/boot/x.efi", 1, 1, true },
	{ "absolute-form upper scheme", "GET HTTP://h:8080/y HTTP/1.1\r\n\r\n", 0, WHOLE,
	  HTTP_METHOD_GET, "/y", 1, 1, true },
	{ "absolute-form no path", "GET http://host HTTP/1.1\r\n\r\n", 0, WHOLE, HTTP_METHOD_GET,
	  "/", 1, 1, true },
	{ "https absolute", "GET https://h/z HTTP/1.1\r\n\r\n", 0, WHOLE, HTTP_METHOD_GET, "/z", 1,
	  1, true },
	{ "other scheme", "GET ftp://h/z HTTP/1.1\r\n\r\n", 0, WHOLE, HTTP_METHOD_GET, NULL, 1, 1,
	  true },
	{ "query and fragment stripped", "GET /a?b=c#d HTTP/1.1\r\n\r\n", 0, WHOLE,
	  HTTP_METHOD_GET, "/a", 1, 1, true },
	{ "percent left encoded", "GET /%2e%2e/x HTTP/1.1\r\n\r\n", 0, WHOLE, HTTP_METHOD_GET,
	  "/%2e%2e/x", 1, 1, true },
	{ "bare LF lines", "GET /a HTTP/1.1\nHost: x\n\n", 0, WHOLE, HTTP_METHOD_GET, "/a", 1, 1,
	  true },
	{ "leading empty lines", "\r\n\r\nGET /a HTTP/1.1\r\n\r\n", 0, WHOLE, HTTP_METHOD_GET, "/a",
	  1, 1, true },
	{ "POST with body", "POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 0, 39,
	  HTTP_METHOD_POST, "/x", 1, 1, true, false, 5 },
	{ "lower-case get is another method", "get /a HTTP/1.1\r\n\r\n", 0, WHOLE,
	  HTTP_METHOD_OTHER, "/a", 1, 1, true },
	{ "asterisk", "OPTIONS * HTTP/1.1\r\n\r\n", 0, WHOLE, HTTP_METHOD_OTHER, NULL, 1, 1, true },
	{ "HTTP/2.0 parses (505 later)", "GET /a HTTP/2.0\r\n\r\n", 0, WHOLE, HTTP_METHOD_GET, "/a",
	  2, 0, false },
	{ "HTTP/1.2 acts as 1.1", "GET /a HTTP/1.2\r\n\r\n", 0, WHOLE, HTTP_METHOD_GET, "/a", 1, 2,
	  true },
	{ "transfer-encoding flagged", "GET /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 0,
	  WHOLE, HTTP_METHOD_GET, "/a", 1, 1, true, true },
	{ "OWS and tabs in value", "GET /a HTTP/1.1\r\nConnection:\t close \t\r\n\r\n", 0, WHOLE,
	  HTTP_METHOD_GET, "/a", 1, 1, false },
	{ "obs-text in value", "GET /a HTTP/1.1\r\nX-Y: caf\xc3\xa9\r\n\r\n", 0, WHOLE,
	  HTTP_METHOD_GET, "/a", 1, 1, true },
	{ "empty value", "GET /a HTTP/1.1\r\nX-Y:\r\n\r\n", 0, WHOLE, HTTP_METHOD_GET, "/a", 1, 1,
	  true },
	{ "same content-length twice", "GET /a HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
	  0, WHOLE, HTTP_METHOD_GET, "/a", 1, 1, true },
	{ "pipelined: first head only", "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n", 0, 19,
	  HTTP_METHOD_GET, "/1", 1, 1, true },
	/* incomplete */
	{ "empty", "", 0, 0 },
	{ "no CRLF at all", "GET / HTTP/1.1", 0, 0 },
	{ "no blank line", "GET / HTTP/1.1\r\nHost: x\r\n", 0, 0 },
	{ "half a CRLF", "GET / HTTP/1.1\r\n\r", 0, 0 },
	/* malformed */
	{ "header without colon", "GET /a HTTP/1.1\r\nHost x\r\n\r\n", 0, -EBADMSG },
	{ "space before colon", "GET /a HTTP/1.1\r\nHost : x\r\n\r\n", 0, -EBADMSG },
	{ "empty field name", "GET /a HTTP/1.1\r\n: x\r\n\r\n", 0, -EBADMSG },
	{ "obs-fold", "GET /a HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 0, -EBADMSG },
	{ "bad method char", "G@T /a HTTP/1.1\r\n\r\n", 0, -EBADMSG },
	{ "leading space", " GET /a HTTP/1.1\r\n\r\n", 0, -EBADMSG },
	{ "double space", "GET  /a HTTP/1.1\r\n\r\n", 0, -EBADMSG },
	{ "HTTP/0.9 form", "GET /a\r\n\r\n", 0, -EBADMSG },
	{ "trailing junk", "GET /a HTTP/1.1 x\r\n\r\n", 0, -EBADMSG },
	{ "two-digit minor", "GET /a HTTP/1.10\r\n\r\n", 0, -EBADMSG },
	{ "version letters", "GET /a HTTP/x.y\r\n\r\n", 0, -EBADMSG },
	{ "lower-case http", "GET /a http/1.1\r\n\r\n", 0, -EBADMSG },
	{ "NUL in target", "GET /a\0b HTTP/1.1\r\n\r\n", 21, -EBADMSG },
	{ "NUL in header", "GET /a HTTP/1.1\r\nX: \0\r\n\r\n", 25, -EBADMSG },
	{ "bare CR", "GET /a\rb HTTP/1.1\r\n\r\n", 0, -EBADMSG },
	{ "control byte in target", "GET /a\x01 HTTP/1.1\r\n\r\n", 0, -EBADMSG },
	{ "control byte in value", "GET /a HTTP/1.1\r\nX: a\x01z\r\n\r\n", 0, -EBADMSG },
	{ "DEL in value", "GET /a HTTP/1.1\r\nX: a\x7fz\r\n\r\n", 0, -EBADMSG },
	{ "content-length letters", "GET /a HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 0, -EBADMSG },
	{ "content-length conflict", "GET /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
	  0, -EBADMSG },
	{ "content-length overflow",
	  "GET /a HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 0, -EBADMSG },
	{ "content-length list", "GET /a HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n", 0, -EBADMSG },
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *tc = &parse_cases[i];
		size_t len = tc->len ? tc->len : strlen(tc->in);
		struct http_request req;
		int want = tc->want == WHOLE ? (int)len : tc->want;
		int r = http_request_parse(tc->in, len, &req);
		if (r != want)
			fail_msg("%s: got %d want %d", tc->name, r, want);
		if (r <= 0)
			continue;
		if (req.method != tc->method)
			fail_msg("%s: method %d", tc->name, req.method);
		if (!tc->path) {
			if (req.path)
				fail_msg("%s: path should be NULL", tc->name);
		} else if (!req.path || req.path_len != strlen(tc->path) ||
			   memcmp(req.path, tc->path, req.path_len) != 0) {
			fail_msg("%s: path '%.*s'", tc->name, (int)req.path_len,
				 req.path ? req.path : "");
		}
		if (req.version_major != tc->major || req.version_minor != tc->minor)
			fail_msg("%s: version %u.%u", tc->name, req.version_major,
				 req.version_minor);
		if (tc->major == 1 && req.keep_alive != tc->keep_alive)
			fail_msg("%s: keep_alive %d", tc->name, req.keep_alive);
		if (req.transfer_encoding != tc->te)
			fail_msg("%s: te %d", tc->name, req.transfer_encoding);
		if (req.content_length != tc->content_length)
			fail_msg("%s: content_length %llu", tc->name,
				 (unsigned long long)req.content_length);
	}
}

/* A head of exactly HTTP_HEADER_MAX bytes is accepted; one byte more, or
 * no end in sight after HTTP_HEADER_MAX bytes, is -EMSGSIZE (431). */
static void test_parse_size_limit(void **state)
{
	(void)state;
	char *buf = malloc(HTTP_HEADER_MAX + 100);
	struct http_request req;
	const char *pre = "GET /a HTTP/1.1\r\nX: ";
	size_t pl = strlen(pre);
	assert_non_null(buf);
	for (int extra = 0; extra <= 1; extra++) {
		size_t total = HTTP_HEADER_MAX + (size_t)extra;
		memcpy(buf, pre, pl);
		memset(buf + pl, 'v', total - pl - 4);
		memcpy(buf + total - 4, "\r\n\r\n", 4);
		int r = http_request_parse(buf, total, &req);
		assert_int_equal(r, extra ? -EMSGSIZE : (int)HTTP_HEADER_MAX);
	}
	/* One overlong line without any LF. */
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', HTTP_HEADER_MAX - 5);
	assert_int_equal(http_request_parse(buf, HTTP_HEADER_MAX - 1, &req), 0);
	assert_int_equal(http_request_parse(buf, HTTP_HEADER_MAX, &req), -EMSGSIZE);
	/* Many short header lines adding up past the limit. */
	size_t o = 0;
	o += (size_t)sprintf(buf, "GET /a HTTP/1.1\r\n");
	while (o + 8 <= HTTP_HEADER_MAX + 50)
		o += (size_t)sprintf(buf + o, "A: b\r\n");
	assert_int_equal(http_request_parse(buf, o, &req), -EMSGSIZE);
	free(buf);
}

struct range_case {
	const char *name;
	const char *fields; /* header lines after the request line */
	enum http_range_kind kind;
	bool suffix, open_end;
	uint64_t first, last;
	/* resolved against a 10-byte file */
	int status10;
	uint64_t off10, len10;
};

static const struct range_case range_cases[] = {
	{ "none", "", HTTP_RANGE_NONE, false, false, 0, 0, 200, 0, 10 },
	{ "a-b", "Range: bytes=2-5\r\n", HTTP_RANGE_ONE, false, false, 2, 5, 206, 2, 4 },
	{ "a-b past end", "Range: bytes=0-99\r\n", HTTP_RANGE_ONE, false, false, 0, 99, 206, 0, 10 },
	{ "first byte", "Range: bytes=0-0\r\n", HTTP_RANGE_ONE, false, false, 0, 0, 206, 0, 1 },
	{ "last byte", "Range: bytes=9-9\r\n", HTTP_RANGE_ONE, false, false, 9, 9, 206, 9, 1 },
	{ "a-", "Range: bytes=7-\r\n", HTTP_RANGE_ONE, false, true, 7, 0, 206, 7, 3 },
	{ "a- at size", "Range: bytes=10-\r\n", HTTP_RANGE_ONE, false, true, 10, 0, 416 },
	{ "-n", "Range: bytes=-3\r\n", HTTP_RANGE_ONE, true, false, 0, 3, 206, 7, 3 },
	{ "-n longer than file", "Range: bytes=-20\r\n", HTTP_RANGE_ONE, true, false, 0, 20, 206, 0,
	  10 },
	{ "-0", "Range: bytes=-0\r\n", HTTP_RANGE_ONE, true, false, 0, 0, 416 },
	{ "5-2 invalid, ignored", "Range: bytes=5-2\r\n", HTTP_RANGE_NONE, false, false, 0, 0, 200,
	  0, 10 },
	{ "abc", "Range: bytes=abc\r\n", HTTP_RANGE_NONE, false, false, 0, 0, 200, 0, 10 },
	{ "empty set", "Range: bytes=\r\n", HTTP_RANGE_NONE, false, false, 0, 0, 200, 0, 10 },
	{ "lone dash", "Range: bytes=-\r\n", HTTP_RANGE_NONE, false, false, 0, 0, 200, 0, 10 },
	{ "two dashes", "Range: bytes=1-2-3\r\n", HTTP_RANGE_NONE, false, false, 0, 0, 200, 0, 10 },
	{ "negative-looking", "Range: bytes=--1\r\n", HTTP_RANGE_NONE, false, false, 0, 0, 200, 0,
	  10 },
	{ "other unit", "Range: items=0-1\r\n", HTTP_RANGE_NONE, false, false, 0, 0, 200, 0, 10 },
	{ "unit case", "Range: BYTES=1-1\r\n", HTTP_RANGE_ONE, false, false, 1, 1, 206, 1, 1 },
	{ "two ranges: whole file", "Range: bytes=0-1,5-6\r\n", HTTP_RANGE_MANY, false, false, 0, 0,
	  200, 0, 10 },
	{ "list with OWS and empty element", "Range: bytes=0-1 , \r\n", HTTP_RANGE_ONE, false, false,
	  0, 1, 206, 0, 2 },
	{ "one bad among many", "Range: bytes=0-1,x\r\n", HTTP_RANGE_NONE, false, false, 0, 0, 200,
	  0, 10 },
	{ "overflowing first", "Range: bytes=99999999999999999999999-\r\n", HTTP_RANGE_ONE, false,
	  true, UINT64_MAX, 0, 416 },
	{ "overflowing last", "Range: bytes=3-99999999999999999999999\r\n", HTTP_RANGE_ONE, false,
	  false, 3, UINT64_MAX, 206, 3, 7 },
	{ "overflowing suffix", "Range: bytes=-99999999999999999999999\r\n", HTTP_RANGE_ONE, true,
	  false, 0, UINT64_MAX, 206, 0, 10 },
	{ "max u64", "Range: bytes=18446744073709551615-\r\n", HTTP_RANGE_ONE, false, true,
	  UINT64_MAX, 0, 416 },
	{ "two Range fields ignored", "Range: bytes=0-1\r\nRange: bytes=2-3\r\n", HTTP_RANGE_NONE,
	  false, false, 0, 0, 200, 0, 10 },
	{ "If-Range: whole file", "Range: bytes=0-1\r\nIf-Range: \"x\"\r\n", HTTP_RANGE_NONE, false,
	  false, 0, 0, 200, 0, 10 },
};

static void test_range_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(range_cases); i++) {
		const struct range_case *tc = &range_cases[i];
		char buf[512];
		struct http_request req;
		int n = snprintf(buf, sizeof buf, "GET /f HTTP/1.1\r\n%s\r\n", tc->fields);
		int r = http_request_parse(buf, (size_t)n, &req);
		if (r != n)
			fail_msg("%s: parse %d", tc->name, r);
		const struct http_range *g = &req.range;
		if (g->kind != tc->kind)
			fail_msg("%s: kind %d", tc->name, g->kind);
		if (g->kind == HTTP_RANGE_ONE &&
		    (g->suffix != tc->suffix || g->open_end != tc->open_end ||
		     (!g->suffix && g->first != tc->first) ||
		     (!g->open_end && g->last != tc->last)))
			fail_msg("%s: range %d %d %llu %llu", tc->name, g->suffix, g->open_end,
				 (unsigned long long)g->first, (unsigned long long)g->last);
		uint64_t off = 12345, len = 12345;
		int st = http_range_resolve(g, 10, &off, &len);
		if (st != tc->status10)
			fail_msg("%s: status %d", tc->name, st);
		if (st != 416 && (off != tc->off10 || len != tc->len10))
			fail_msg("%s: off %llu len %llu", tc->name, (unsigned long long)off,
				 (unsigned long long)len);
	}
}

static void test_range_empty_file(void **state)
{
	(void)state;
	uint64_t off, len;
	struct http_range none = { .kind = HTTP_RANGE_NONE };
	struct http_range from0 = { .kind = HTTP_RANGE_ONE, .open_end = true };
	struct http_range suffix = { .kind = HTTP_RANGE_ONE, .suffix = true, .last = 5 };
	assert_int_equal(http_range_resolve(&none, 0, &off, &len), 200);
	assert_int_equal(len, 0);
	assert_int_equal(http_range_resolve(&from0, 0, &off, &len), 416);
	assert_int_equal(http_range_resolve(&suffix, 0, &off, &len), 416);
}

struct decode_case {
	const char *in;
	int want; /* >= 0: length of out */
	const char *out;
	int clean; /* fsroot_clean_path of the result: 1 ok, 0 refused */
};

static const struct decode_case decode_cases[] = {
	{ "/a%20b", 4, "/a b", 1 },
	{ "/plain/x.efi", 12, "/plain/x.efi", 1 },
	{ "/%2e%2e/etc/passwd", 14, "/../etc/passwd", 0 },
	{ "/%2E%2E", 3, "/..", 0 },
	{ "/x/.%2e/y", 7, "/x/../y", 0 },
	{ "/%252e%252e/x", 9, "/%2e%2e/x", 1 }, /* decoded once: a literal name */
	{ "/a+b", 4, "/a+b", 1 },
	{ "/%41%62", 3, "/Ab", 1 },
	{ "/%00", -EBADMSG },
	{ "/a%00b", -EBADMSG },
	{ "/%2f..%2fetc", -EACCES },
	{ "/a%2Fb", -EACCES },
	{ "/a%5cb", -EACCES },
	{ "/%zz", -EBADMSG },
	{ "/%4", -EBADMSG },
	{ "/%", -EBADMSG },
	{ "/%%41", -EBADMSG },
	{ "/%01", 2, "/\x01", 0 }, /* control bytes: the cleaner refuses */
};

static void test_path_decode_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(decode_cases); i++) {
		const struct decode_case *tc = &decode_cases[i];
		char out[64], clean[64];
		int r = http_path_decode(tc->in, strlen(tc->in), out, sizeof out);
		if (r != tc->want)
			fail_msg("%s: got %d want %d", tc->in, r, tc->want);
		if (r < 0)
			continue;
		assert_string_equal(out, tc->out);
		int c = fsroot_clean_path(out, (size_t)r, clean, sizeof clean);
		if ((c > 0) != (tc->clean == 1))
			fail_msg("%s: clean %d", tc->in, c);
	}
}

static void test_path_decode_bounds(void **state)
{
	(void)state;
	char out[4];
	assert_int_equal(http_path_decode("/abc", 4, out, 4), -ENAMETOOLONG);
	assert_int_equal(http_path_decode("/ab", 3, out, 4), 3);
	assert_string_equal(out, "/ab");
	assert_int_equal(http_path_decode("%41%41%41", 9, out, 4), 3);
	assert_int_equal(http_path_decode("", 0, out, 0), -ENAMETOOLONG);
}

static void test_content_type(void **state)
{
	(void)state;
	static const char *const t[][2] = {
		{ "snponly.efi", "application/octet-stream" },
		{ "undionly.kpxe", "application/octet-stream" },
		{ "grub/i386-pc.0", "application/octet-stream" },
		{ "bootcode.bin", "application/octet-stream" },
		{ "boot.ipxe", "text/plain" },
		{ "BOOT.IPXE", "text/plain" },
		{ "pxelinux.cfg/default.cfg", "text/plain" },
		{ "grub/i386-pc/command.lst", "text/plain" },
		{ "linux", "application/octet-stream" },
		{ "dir.ipxe/linux", "application/octet-stream" },
		{ "initrd.gz", "application/octet-stream" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		assert_string_equal(http_content_type(t[i][0]), t[i][1]);
}

static void test_date(void **state)
{
	(void)state;
	char d[HTTP_DATE_LEN + 1];
	assert_int_equal(http_format_date(784111777, d), 0);
	assert_string_equal(d, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_int_equal(http_format_date(0, d), 0);
	assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 GMT");
}

static void test_response_head(void **state)
{
	(void)state;
	char buf[512];
	struct wbuf w;
	struct http_response r206 = {
		.status = 206,
		.content_type = "application/octet-stream",
		.content_length = 100,
		.range_first = 0,
		.range_last = 99,
		.total = 1000,
		.date = "Sun, 06 Nov 1994 08:49:37 GMT",
		.last_modified = 784111777,
		.keep_alive = true,
		.accept_ranges = true,
	};
	const char *want206 = "HTTP/1.1 206 Partial Content\r\n"
			      "Server: lifeboat\r\n"
			      "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
			      "Content-Type: application/octet-stream\r\n"
			      "Content-Length: 100\r\n"
			      "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
			      "Content-Range: bytes 0-99/1000\r\n"
			      "Accept-Ranges: bytes\r\n"
			      "\r\n";
	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(http_response_head(&w, &r206), 0);
	assert_int_equal(w.len, strlen(want206));
	assert_memory_equal(buf, want206, w.len);

	/* Every shorter buffer is refused, never overrun. */
	for (size_t cap = 0; cap < strlen(want206); cap++) {
		char small[512];
		memset(small, 'Z', sizeof small);
		wbuf_init(&w, small, cap);
		assert_int_equal(http_response_head(&w, &r206), -ENOBUFS);
		assert_true(w.len <= cap);
		assert_int_equal(small[cap], 'Z');
	}

	struct http_response r416 = { .status = 416, .total = 7, .keep_alive = false };
	const char *want416 = "HTTP/1.1 416 Range Not Satisfiable\r\n"
			      "Server: lifeboat\r\n"
			      "Content-Length: 0\r\n"
			      "Content-Range: bytes */7\r\n"
			      "Connection: close\r\n"
			      "\r\n";
	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(http_response_head(&w, &r416), 0);
	assert_int_equal(w.len, strlen(want416));
	assert_memory_equal(buf, want416, w.len);

	struct http_response r405 = { .status = 405, .content_length = 3, .allow = true,
				      .keep_alive = true, .announce_keep_alive = true };
	const char *want405 = "HTTP/1.1 405 Method Not Allowed\r\n"
			      "Server: lifeboat\r\n"
			      "Content-Length: 3\r\n"
			      "Allow: GET, HEAD\r\n"
			      "Connection: keep-alive\r\n"
			      "\r\n";
	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(http_response_head(&w, &r405), 0);
	assert_int_equal(w.len, strlen(want405));
	assert_memory_equal(buf, want405, w.len);
}

static void test_reason(void **state)
{
	(void)state;
	assert_string_equal(http_reason(404), "Not Found");
	assert_string_equal(http_reason(431), "Request Header Fields Too Large");
	assert_string_equal(http_reason(299), "Unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_size_limit),
		cmocka_unit_test(test_range_table),
		cmocka_unit_test(test_range_empty_file),
		cmocka_unit_test(test_path_decode_table),
		cmocka_unit_test(test_path_decode_bounds),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_response_head),
		cmocka_unit_test(test_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
