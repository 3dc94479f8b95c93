/* http_wire: request-head parser, path decoding, Range resolution and the
 * response-head builder; no sockets, no policy. */
#include "netboot/http_wire.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- character classes (RFC 9110 5.6.2, 5.5) ---- */

static bool http_is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool http_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool http_is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Case-insensitive comparison of n bytes against a NUL-terminated literal. */
static bool http_token_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

/* Parses decimal digits s[0..n) saturating at UINT64_MAX (an overflowing
 * Range bound is still a bound: huge first = unsatisfiable, huge last =
 * to the end). Returns false when n == 0 or a non-digit is present. */
static bool http_parse_u64_sat(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!http_is_digit((unsigned char)s[i]))
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			v = UINT64_MAX;
		else
			v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* ---- lines ---- */

/* Takes the next line from r: *line, *n exclude the LF and a CR before it.
 * Returns 1 with a line, 0 when no LF is left (incomplete), -EBADMSG for a
 * CR that does not end the line or a NUL. */
static int http_next_line(struct rbuf *r, const char **line, size_t *n)
{
	size_t left = rbuf_left(r);
	if (left == 0)
		return 0;
	const char *start = (const char *)r->p + r->off;
	const char *lf = memchr(start, '\n', left);
	const uint8_t *p;
	if (!lf)
		return 0;
	size_t len = (size_t)(lf - start);
	if (rbuf_ptr(r, len + 1, &p))
		return -EBADMSG;
	if (len > 0 && start[len - 1] == '\r')
		len--;
	/* A CR elsewhere would let a front end and us disagree on where a
	 * line ends (request smuggling); NUL is never valid. */
	if (memchr(start, '\r', len) || memchr(start, '\0', len))
		return -EBADMSG;
	*line = start;
	*n = len;
	return 1;
}

/* ---- request line ---- */

static int http_parse_version(const char *s, size_t n, struct http_request *req)
{
	if (n != 8 || memcmp(s, "HTTP/", 5) != 0 || !http_is_digit((unsigned char)s[5]) ||
	    s[6] != '.' || !http_is_digit((unsigned char)s[7]))
		return -EBADMSG;
	req->version_major = (unsigned)(s[5] - '0');
	req->version_minor = (unsigned)(s[7] - '0');
	return 0;
}

/* Points req->path at the path of target t[0..n): origin-form "/p?q",
 * absolute-form "http://host/p?q" (RFC 9112 3.2.2: a server MUST accept it),
 * "*" or another form leave path NULL. */
static int http_parse_target(const char *t, size_t n, struct http_request *req)
{
	static const char root[] = "/";
	size_t start;
	req->path = NULL;
	req->path_len = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c <= 0x20 || c == 0x7f)
			return -EBADMSG;
	}
	if (n > 0 && t[0] == '/') {
		start = 0;
	} else if ((n >= 7 && strncasecmp(t, "http://", 7) == 0) ||
		   (n >= 8 && strncasecmp(t, "https://", 8) == 0)) {
		start = t[4] == ':' ? 7 : 8;
		while (start < n && t[start] != '/' && t[start] != '?' && t[start] != '#')
			start++;
		if (start == n || t[start] != '/') {
			req->path = root;
			req->path_len = 1;
			return 0;
		}
	} else {
		return 0;
	}
	size_t end = start;
	while (end < n && t[end] != '?' && t[end] != '#')
		end++;
	req->path = t + start;
	req->path_len = end - start;
	return 0;
}

static int http_parse_request_line(const char *s, size_t n, struct http_request *req)
{
	size_t i = 0, j;
	while (i < n && http_is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i == n || s[i] != ' ')
		return -EBADMSG;
	req->method_str = s;
	req->method_len = i;
	/* Methods are case-sensitive (RFC 9110 9.1): "get" is not GET. */
	if (i == 3 && memcmp(s, "GET", 3) == 0)
		req->method = HTTP_METHOD_GET;
	else if (i == 4 && memcmp(s, "HEAD", 4) == 0)
		req->method = HTTP_METHOD_HEAD;
	else if (i == 4 && memcmp(s, "POST", 4) == 0)
		req->method = HTTP_METHOD_POST;
	else
		req->method = HTTP_METHOD_OTHER;
	j = ++i;
	while (j < n && s[j] != ' ')
		j++;
	if (j == i || j == n)
		return -EBADMSG; /* no target, or HTTP/0.9 (no version) */
	if (http_parse_target(s + i, j - i, req))
		return -EBADMSG;
	return http_parse_version(s + j + 1, n - j - 1, req);
}

/* ---- header fields ---- */

/* Calls cb for each non-empty element of a comma-separated list. */
static int http_list_each(const char *v, size_t n, int (*cb)(const char *, size_t, void *),
			  void *arg)
{
	size_t i = 0;
	while (i <= n) {
		size_t j = i;
		while (j < n && v[j] != ',')
			j++;
		size_t a = i, b = j;
		while (a < b && http_is_ows((unsigned char)v[a]))
			a++;
		while (b > a && http_is_ows((unsigned char)v[b - 1]))
			b--;
		if (b > a) {
			int r = cb(v + a, b - a, arg);
			if (r)
				return r;
		}
		i = j + 1;
	}
	return 0;
}

struct http_conn_flags {
	bool close, keep_alive;
};

static int http_connection_token(const char *t, size_t n, void *arg)
{
	struct http_conn_flags *f = arg;
	if (http_token_eq(t, n, "close"))
		f->close = true;
	else if (http_token_eq(t, n, "keep-alive"))
		f->keep_alive = true;
	return 0;
}

struct http_range_acc {
	unsigned count;
	struct http_range first;
};

/* One byte-range-spec: "a-b", "a-" or "-n". -EBADMSG makes the whole
 * Range field invalid, and an invalid Range is ignored (RFC 9110 14.2). */
static int http_range_spec(const char *s, size_t n, void *arg)
{
	struct http_range_acc *acc = arg;
	struct http_range r = {.kind = HTTP_RANGE_ONE};
	const char *dash = memchr(s, '-', n);
	if (!dash)
		return -EBADMSG;
	size_t a = (size_t)(dash - s), b = n - a - 1;
	if (a == 0) {
		r.suffix = true;
		if (!http_parse_u64_sat(dash + 1, b, &r.last))
			return -EBADMSG;
	} else {
		if (!http_parse_u64_sat(s, a, &r.first))
			return -EBADMSG;
		if (b == 0) {
			r.open_end = true;
		} else {
			if (!http_parse_u64_sat(dash + 1, b, &r.last))
				return -EBADMSG;
			/* "5-2": last < first is invalid syntax, not 416. */
			if (r.last < r.first)
				return -EBADMSG;
		}
	}
	if (acc->count++ == 0)
		acc->first = r;
	return 0;
}

static void http_parse_range(const char *v, size_t n, struct http_range *out)
{
	struct http_range_acc acc = {0};
	memset(out, 0, sizeof *out);
	if (n < 6 || strncasecmp(v, "bytes=", 6) != 0)
		return; /* another unit: ignore */
	if (http_list_each(v + 6, n - 6, http_range_spec, &acc))
		return;
	if (acc.count == 1)
		*out = acc.first;
	else if (acc.count > 1)
		out->kind = HTTP_RANGE_MANY;
}

struct http_head_state {
	struct http_conn_flags conn;
	bool seen_range, seen_if_range, seen_length;
};

static int http_parse_field(const char *s, size_t n, struct http_request *req,
			    struct http_head_state *st)
{
	size_t i = 0;
	while (i < n && http_is_tchar((unsigned char)s[i]))
		i++;
	/* No name, no colon, or whitespace before the colon (RFC 9112 5.1:
	 * MUST reject with 400). */
	if (i == 0 || i == n || s[i] != ':')
		return -EBADMSG;
	const char *name = s;
	size_t nlen = i;
	size_t a = i + 1, b = n;
	while (a < b && http_is_ows((unsigned char)s[a]))
		a++;
	while (b > a && http_is_ows((unsigned char)s[b - 1]))
		b--;
	for (size_t k = a; k < b; k++) {
		unsigned char c = (unsigned char)s[k];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return -EBADMSG;
	}
	const char *v = s + a;
	size_t vlen = b - a;

	if (http_token_eq(name, nlen, "Connection")) {
		http_list_each(v, vlen, http_connection_token, &st->conn);
	} else if (http_token_eq(name, nlen, "Range")) {
		if (st->seen_range)
			req->range.kind = HTTP_RANGE_NONE; /* two Range fields: ignore both */
		else
			http_parse_range(v, vlen, &req->range);
		st->seen_range = true;
	} else if (http_token_eq(name, nlen, "If-Range")) {
		st->seen_if_range = true;
	} else if (http_token_eq(name, nlen, "Transfer-Encoding")) {
		req->transfer_encoding = true;
	} else if (http_token_eq(name, nlen, "Content-Length")) {
		uint64_t cl;
		/* Saturation would hide a bogus length: refuse 20+ digits. */
		if (vlen > 19 || !http_parse_u64_sat(v, vlen, &cl))
			return -EBADMSG;
		if (st->seen_length && cl != req->content_length)
			return -EBADMSG;
		req->content_length = cl;
		req->has_content_length = true;
		st->seen_length = true;
	}
	return 0;
}

int http_request_parse(const void *buf, size_t len, struct http_request *req)
{
	struct rbuf r;
	struct http_head_state st = {0};
	const char *line;
	size_t n;
	int rc;
	bool have_request_line = false;

	memset(req, 0, sizeof *req);
	if (len > HTTP_HEADER_MAX)
		len = HTTP_HEADER_MAX;
	rbuf_init(&r, buf, len);
	for (;;) {
		rc = http_next_line(&r, &line, &n);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return len >= HTTP_HEADER_MAX ? -EMSGSIZE : 0;
		if (!have_request_line) {
			/* RFC 9112 2.2: ignore empty lines before the request
			 * line (left over after a body some clients count wrong). */
			if (n == 0)
				continue;
			rc = http_parse_request_line(line, n, req);
			if (rc)
				return rc;
			have_request_line = true;
			continue;
		}
		if (n == 0)
			break;
		/* obs-fold: a continuation line; RFC 9112 5.2 lets us reject. */
		if (http_is_ows((unsigned char)line[0]))
			return -EBADMSG;
		rc = http_parse_field(line, n, req, &st);
		if (rc)
			return rc;
	}
	/* If-Range asks for the range only if the file is unchanged; we do
	 * not compare validators, so the whole file is always the safe answer. */
	if (st.seen_if_range)
		req->range.kind = HTTP_RANGE_NONE;
	if (req->version_major == 1 && req->version_minor >= 1)
		req->keep_alive = !st.conn.close;
	else
		req->keep_alive = st.conn.keep_alive && !st.conn.close;
	return (int)r.off;
}

/* ---- paths ---- */

static int http_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int http_path_decode(const char *in, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '%') {
			if (n - i < 3)
				return -EBADMSG;
			int hi = http_hexval((unsigned char)in[i + 1]);
			int lo = http_hexval((unsigned char)in[i + 2]);
			if (hi < 0 || lo < 0)
				return -EBADMSG;
			c = (unsigned char)(hi << 4 | lo);
			if (c == 0)
				return -EBADMSG;
			if (c == '/' || c == '\\')
				return -EACCES;
			i += 2;
		} else if (c == 0) {
			return -EBADMSG;
		}
		if (o + 1 >= cap)
			return -ENAMETOOLONG;
		out[o++] = (char)c;
	}
	if (cap == 0)
		return -ENAMETOOLONG;
	out[o] = 0;
	return (int)o;
}

/* ---- ranges ---- */

int http_range_resolve(const struct http_range *r, uint64_t size, uint64_t *off, uint64_t *len)
{
	if (r->kind != HTTP_RANGE_ONE) {
		*off = 0;
		*len = size;
		return 200;
	}
	if (r->suffix) {
		/* "-0" selects nothing; an empty file has no last bytes. */
		if (r->last == 0 || size == 0)
			return 416;
		*len = r->last < size ? r->last : size;
		*off = size - *len;
		return 206;
	}
	if (r->first >= size)
		return 416;
	uint64_t last = (r->open_end || r->last >= size) ? size - 1 : r->last;
	*off = r->first;
	*len = last - r->first + 1;
	return 206;
}

/* ---- content types ---- */

static const struct {
	const char *ext;
	const char *type;
} http_types[] = {
    {"efi", "application/octet-stream"},
    {"kpxe", "application/octet-stream"},
    {"0", "application/octet-stream"},
    {"bin", "application/octet-stream"},
    {"ipxe", "text/plain"},
    {"cfg", "text/plain"},
    {"txt", "text/plain"},
    {"lst", "text/plain"}, /* GRUB's command.lst, fs.lst... */
};

const char *http_content_type(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	if (dot) {
		for (size_t i = 0; i < sizeof http_types / sizeof http_types[0]; i++)
			if (strcasecmp(dot + 1, http_types[i].ext) == 0)
				return http_types[i].type;
	}
	return "application/octet-stream";
}

/* ---- responses ---- */

static const struct {
	int status;
	const char *reason;
} http_reasons[] = {
    {200, "OK"},
    {204, "No Content"},
    {206, "Partial Content"},
    {400, "Bad Request"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {408, "Request Timeout"},
    {411, "Length Required"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {416, "Range Not Satisfiable"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {503, "Service Unavailable"},
    {505, "HTTP Version Not Supported"},
};

const char *http_reason(int status)
{
	for (size_t i = 0; i < sizeof http_reasons / sizeof http_reasons[0]; i++)
		if (http_reasons[i].status == status)
			return http_reasons[i].reason;
	return "Unknown";
}

int http_format_date(time_t t, char *out)
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
		return -EINVAL;
	int n = snprintf(out, HTTP_DATE_LEN + 1, "%s, %02d %s %04d %02d:%02d:%02d GMT",
			 days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
			 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n == HTTP_DATE_LEN ? 0 : -EINVAL;
}

__attribute__((format(printf, 2, 3))) static int http_put(struct wbuf *w, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		w->err = true;
		return -ENOBUFS;
	}
	return wbuf_bytes(w, tmp, (size_t)n);
}

int http_response_head(struct wbuf *w, const struct http_response *resp)
{
	char date[HTTP_DATE_LEN + 1];
	http_put(w, "HTTP/1.1 %d %s\r\nServer: lifeboat\r\n", resp->status,
		 http_reason(resp->status));
	if (resp->date)
		http_put(w, "Date: %s\r\n", resp->date);
	if (resp->content_type)
		http_put(w, "Content-Type: %s\r\n", resp->content_type);
	http_put(w, "Content-Length: %llu\r\n", (unsigned long long)resp->content_length);
	if (resp->last_modified && http_format_date(resp->last_modified, date) == 0)
		http_put(w, "Last-Modified: %s\r\n", date);
	if (resp->status == 206)
		http_put(w, "Content-Range: bytes %llu-%llu/%llu\r\n",
			 (unsigned long long)resp->range_first,
			 (unsigned long long)resp->range_last, (unsigned long long)resp->total);
	else if (resp->status == 416)
		http_put(w, "Content-Range: bytes */%llu\r\n", (unsigned long long)resp->total);
	if (resp->accept_ranges)
		http_put(w, "Accept-Ranges: bytes\r\n");
	if (resp->allow)
		http_put(w, "Allow: GET, HEAD\r\n");
	if (resp->retry_after)
		http_put(w, "Retry-After: %u\r\n", resp->retry_after);
	if (!resp->keep_alive)
		http_put(w, "Connection: close\r\n");
	else if (resp->announce_keep_alive)
		http_put(w, "Connection: keep-alive\r\n");
	wbuf_str(w, "\r\n");
	return w->err ? -ENOBUFS : 0;
}
