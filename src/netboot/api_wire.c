/* api_wire: --api's URL, request, HTTP/1.1 response and JSON answer
 * (pixiecore's /v1/boot/<mac> shape), all bounded, through core/buf. */
#include "netboot/api_wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define API_HEAD_MAX 8192 /* status line and headers */

/* Characters a request line or a Host header may carry from --api. */
static bool url_char_ok(char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '\\';
}

static int parse_hostport(const char *s, size_t n, struct api_url *u)
{
	const char *colon = NULL;
	size_t hn = n;
	u->port = 80;
	u->v6 = n && s[0] == '[';
	if (u->v6) {
		const char *rb = memchr(s, ']', n);
		if (!rb || rb == s + 1)
			return -EINVAL;
		hn = (size_t)(rb - s) - 1;
		s++;
		if (rb + 1 < s - 1 + n) {
			if (rb[1] != ':')
				return -EINVAL;
			colon = rb + 1;
		}
	} else {
		colon = memchr(s, ':', n);
		if (colon)
			hn = (size_t)(colon - s);
	}
	if (!hn || hn >= sizeof u->host)
		return -EINVAL;
	memcpy(u->host, s, hn);
	u->host[hn] = 0;
	if (colon) {
		const char *end = u->v6 ? s - 1 + n : s + n;
		unsigned long v = 0;
		const char *d = colon + 1;
		if (d == end)
			return -EINVAL;
		for (; d < end; d++) {
			if (*d < '0' || *d > '9' ||
			    (v = v * 10 + (unsigned long)(*d - '0')) > 65535)
				return -EINVAL;
		}
		if (!v)
			return -EINVAL;
		u->port = (uint16_t)v;
	}
	return 0;
}

int api_url_parse(const char *url, struct api_url *u)
{
	memset(u, 0, sizeof *u);
	if (!strncmp(url, "https://", 8))
		return -EPROTONOSUPPORT;
	if (strncmp(url, "http://", 7))
		return -EINVAL;
	const char *h = url + 7;
	for (const char *c = h; *c; c++)
		if (!url_char_ok(*c) || *c == '?' || *c == '#')
			return -EINVAL;
	const char *slash = strchr(h, '/');
	size_t hn = slash ? (size_t)(slash - h) : strlen(h);
	if (parse_hostport(h, hn, u))
		return -EINVAL;
	if (slash) {
		size_t bn = strlen(slash);
		while (bn && slash[bn - 1] == '/')
			bn--;
		if (bn >= sizeof u->base)
			return -EINVAL;
		memcpy(u->base, slash, bn);
		u->base[bn] = 0;
	}
	return 0;
}

int api_request(char *out, size_t cap, const struct api_url *u, const uint8_t mac[6])
{
	size_t o = 0;
	if (!cap)
		return -ENOBUFS;
	out[0] = 0;
	if (buf_appendf(out, cap, &o, "GET %s/v1/boot/%02x:%02x:%02x:%02x:%02x:%02x HTTP/1.1\r\n",
			u->base, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]) ||
	    buf_appendf(out, cap, &o, "Host: %s%s%s", u->v6 ? "[" : "", u->host,
			u->v6 ? "]" : "") ||
	    (u->port != 80 && buf_appendf(out, cap, &o, ":%u", u->port)) ||
	    buf_appendf(out, cap, &o,
			"\r\nUser-Agent: lifeboat\r\nAccept: application/json\r\n"
			"Connection: close\r\n\r\n"))
		return -ENOBUFS;
	return (int)o;
}

/* ---- HTTP/1.1 response ---- */

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Reads one line ending in CRLF (or LF) from r: *s and *len without the
 * line end. -EAGAIN when no line end is left. */
static int read_line(struct rbuf *r, const uint8_t **s, size_t *len)
{
	size_t n = 0;
	uint8_t c;
	struct rbuf t = *r;
	while (rbuf_u8(&t, &c) == 0) {
		if (c == '\n') {
			rbuf_ptr(r, n + 1, s);
			*len = n && (*s)[n - 1] == '\r' ? n - 1 : n;
			return 0;
		}
		n++;
	}
	return -EAGAIN;
}

/* Case-insensitive "name:" prefix of a header line; the value, spaces
 * trimmed, in *v and *vn. */
static bool header_is(const uint8_t *s, size_t n, const char *name, const uint8_t **v, size_t *vn)
{
	size_t k = strlen(name);
	if (n <= k || s[k] != ':')
		return false;
	for (size_t i = 0; i < k; i++)
		if (lower(s[i]) != name[i])
			return false;
	size_t a = k + 1, b = n;
	while (a < b && (s[a] == ' ' || s[a] == '\t'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	*v = s + a;
	*vn = b - a;
	return true;
}

static int parse_status(const uint8_t *s, size_t n)
{
	/* "HTTP/1.x NNN[ reason]" */
	if (n < 12 || memcmp(s, "HTTP/1.", 7) || (s[7] != '0' && s[7] != '1') || s[8] != ' ')
		return -EBADMSG;
	int v = 0;
	for (int i = 9; i < 12; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EBADMSG;
		v = v * 10 + (s[i] - '0');
	}
	if (n > 12 && s[12] != ' ')
		return -EBADMSG;
	return v >= 100 && v <= 599 ? v : -EBADMSG;
}

/* The head: status, Content-Length (-1 when none), chunked. */
struct api_head {
	int status;
	long long clen;
	bool chunked;
};

static int parse_head_line(const uint8_t *s, size_t n, struct api_head *hd)
{
	const uint8_t *v;
	size_t vn;
	if (header_is(s, n, "content-length", &v, &vn)) {
		long long x = 0;
		if (!vn || hd->clen >= 0)
			return -EBADMSG; /* empty or repeated: ambiguous */
		for (size_t i = 0; i < vn; i++) {
			if (v[i] < '0' || v[i] > '9' ||
			    (x = x * 10 + (v[i] - '0')) > API_JSON_MAX * 4)
				return -EBADMSG;
		}
		hd->clen = x;
	} else if (header_is(s, n, "transfer-encoding", &v, &vn)) {
		if (vn != 7 || lower(v[0]) != 'c' || memcmp(v + 1, "hunked", 6))
			return -EBADMSG; /* only chunked is understood */
		hd->chunked = true;
	}
	return 0;
}

/* Hex digits of a chunk size line (extensions after ';' ignored). */
static int chunk_size(const uint8_t *s, size_t n, size_t *out)
{
	size_t v = 0, i = 0;
	for (; i < n && s[i] != ';'; i++) {
		int c = lower(s[i]), d = c >= '0' && c <= '9'	? c - '0'
					 : c >= 'a' && c <= 'f' ? c - 'a' + 10
								: -1;
		if (d < 0 || v > API_JSON_MAX * 4)
			return -EBADMSG;
		v = v * 16 + (size_t)d;
	}
	if (!i)
		return -EBADMSG;
	*out = v;
	return 0;
}

/* Walks a chunked body from r; with out, copies the data to out (which
 * never runs ahead of r). 0 complete (*len bytes), -EAGAIN, -EBADMSG. */
static int dechunk(struct rbuf *r, uint8_t *out, size_t *len)
{
	*len = 0;
	for (;;) {
		const uint8_t *s, *d;
		size_t n, sz;
		int e = read_line(r, &s, &n);
		if (e)
			return e;
		if (chunk_size(s, n, &sz))
			return -EBADMSG;
		if (sz == 0)
			break;
		if (*len + sz > API_JSON_MAX * 4)
			return -EBADMSG;
		if (rbuf_ptr(r, sz, &d))
			return -EAGAIN;
		if (out)
			memmove(out + *len, d, sz);
		*len += sz;
		if ((e = read_line(r, &s, &n)))
			return e;
		if (n)
			return -EBADMSG;
	}
	for (;;) { /* trailers, then the empty line */
		const uint8_t *s;
		size_t n;
		int e = read_line(r, &s, &n);
		if (e)
			return e;
		if (!n)
			return 0;
	}
}

static int parse_head(struct rbuf *r, bool eof, struct api_head *hd)
{
	const uint8_t *s;
	size_t n;
	int e = read_line(r, &s, &n);
	if (e)
		return e;
	if ((hd->status = parse_status(s, n)) < 0)
		return -EBADMSG;
	for (;;) {
		if ((e = read_line(r, &s, &n)))
			return r->len > API_HEAD_MAX || eof ? -EBADMSG : e;
		if (r->off > API_HEAD_MAX)
			return -EBADMSG;
		if (!n)
			return 0;
		if (parse_head_line(s, n, hd))
			return -EBADMSG;
	}
}

int api_http_parse(uint8_t *buf, size_t *n, bool eof, struct api_http *h)
{
	struct rbuf r;
	struct api_head hd = {.clen = -1};
	memset(h, 0, sizeof *h);
	rbuf_init(&r, buf, *n);
	int e = parse_head(&r, eof, &hd);
	if (e == -EAGAIN && (eof || *n > API_HEAD_MAX))
		return -EBADMSG;
	if (e)
		return e;
	h->status = hd.status;
	if (hd.status < 200)
		return -EBADMSG; /* 1xx: we never send Expect */
	if (hd.status != 200)
		return 0; /* only a 200's body is read */
	size_t body_off = r.off;
	if (hd.chunked) {
		struct rbuf t = r;
		size_t len;
		e = dechunk(&t, NULL, &len);
		if (e)
			return e == -EAGAIN && eof ? -EBADMSG : e;
		t = r;
		dechunk(&t, buf + body_off, &len);
		*n = body_off + len;
		h->body = buf + body_off;
		h->body_len = len;
		return 0;
	}
	size_t left = rbuf_left(&r);
	if (hd.clen >= 0) {
		if (left < (size_t)hd.clen)
			return eof ? -EBADMSG : -EAGAIN;
		left = (size_t)hd.clen;
	} else if (!eof) {
		return -EAGAIN; /* the body ends when the server closes */
	}
	rbuf_ptr(&r, left, &h->body);
	h->body_len = left;
	return 0;
}

/* ---- JSON ---- */

static int peek(const struct rbuf *r)
{
	struct rbuf t = *r;
	uint8_t c;
	return rbuf_u8(&t, &c) ? -1 : c;
}

static void skip_ws(struct rbuf *r)
{
	int c;
	while ((c = peek(r)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		rbuf_skip(r, 1);
}

static int expect(struct rbuf *r, char want)
{
	uint8_t c;
	skip_ws(r);
	return rbuf_u8(r, &c) || c != (uint8_t)want ? -EBADMSG : 0;
}

static int hex4(struct rbuf *r, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		uint8_t c;
		if (rbuf_u8(r, &c))
			return -EBADMSG;
		int l = lower(c), d = l >= '0' && l <= '9'   ? l - '0'
				      : l >= 'a' && l <= 'f' ? l - 'a' + 10
							     : -1;
		if (d < 0)
			return -EBADMSG;
		*v = *v * 16 + (unsigned)d;
	}
	return 0;
}

/* One \u escape (a surrogate pair counts as one) as UTF-8 into u8. */
static int unicode_escape(struct rbuf *r, uint8_t u8[4], size_t *n)
{
	unsigned cp, lo;
	if (hex4(r, &cp))
		return -EBADMSG;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return -EBADMSG;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		uint8_t a, b;
		if (rbuf_u8(r, &a) || rbuf_u8(r, &b) || a != '\\' || b != 'u' || hex4(r, &lo) ||
		    lo < 0xdc00 || lo > 0xdfff)
			return -EBADMSG;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (!cp)
		return -EBADMSG; /* a NUL would cut the C string */
	if (cp < 0x80) {
		u8[0] = (uint8_t)cp, *n = 1;
	} else if (cp < 0x800) {
		u8[0] = (uint8_t)(0xc0 | cp >> 6), u8[1] = (uint8_t)(0x80 | (cp & 0x3f)), *n = 2;
	} else if (cp < 0x10000) {
		u8[0] = (uint8_t)(0xe0 | cp >> 12), u8[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		u8[2] = (uint8_t)(0x80 | (cp & 0x3f)), *n = 3;
	} else {
		u8[0] = (uint8_t)(0xf0 | cp >> 18), u8[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		u8[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)), u8[3] = (uint8_t)(0x80 | (cp & 0x3f));
		*n = 4;
	}
	return 0;
}

/* A string after its opening quote, into out[cap] (NUL-terminated) or
 * nowhere (out NULL). -EBADMSG, -E2BIG. */
static int json_string(struct rbuf *r, char *out, size_t cap)
{
	size_t o = 0;
	for (;;) {
		uint8_t c, u8[4];
		size_t k = 1;
		if (rbuf_u8(r, &c) || c < 0x20)
			return -EBADMSG;
		if (c == '"')
			break;
		u8[0] = c;
		if (c == '\\') {
			if (rbuf_u8(r, &c))
				return -EBADMSG;
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			const char *f = c ? strchr(from, c) : NULL;
			if (f)
				u8[0] = (uint8_t)to[f - from];
			else if (c != 'u' || unicode_escape(r, u8, &k))
				return -EBADMSG;
		}
		if (out && o + k >= cap)
			return -E2BIG;
		if (out)
			memcpy(out + o, u8, k);
		o += k;
	}
	if (out)
		out[o] = 0;
	return 0;
}

static int skip_value(struct rbuf *r, int depth);

static int skip_literal(struct rbuf *r, const char *lit)
{
	for (; *lit; lit++) {
		uint8_t c;
		if (rbuf_u8(r, &c) || c != (uint8_t)*lit)
			return -EBADMSG;
	}
	return 0;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int skip_number(struct rbuf *r)
{
	int c = peek(r);
	size_t digits = 0;
	if (c == '-')
		rbuf_skip(r, 1);
	while (is_digit(peek(r)))
		rbuf_skip(r, 1), digits++;
	if (!digits)
		return -EBADMSG;
	if (peek(r) == '.') {
		rbuf_skip(r, 1);
		if (!is_digit(peek(r)))
			return -EBADMSG;
		while (is_digit(peek(r)))
			rbuf_skip(r, 1);
	}
	if (peek(r) == 'e' || peek(r) == 'E') {
		rbuf_skip(r, 1);
		if (peek(r) == '+' || peek(r) == '-')
			rbuf_skip(r, 1);
		if (!is_digit(peek(r)))
			return -EBADMSG;
		while (is_digit(peek(r)))
			rbuf_skip(r, 1);
	}
	return 0;
}

/* An array or object's members, the opening bracket read. */
static int skip_container(struct rbuf *r, int depth, bool object)
{
	char close = object ? '}' : ']';
	skip_ws(r);
	if (peek(r) == close)
		return rbuf_skip(r, 1);
	for (;;) {
		if (object && (expect(r, '"') || json_string(r, NULL, 0) || expect(r, ':')))
			return -EBADMSG;
		int e = skip_value(r, depth + 1);
		if (e)
			return e;
		skip_ws(r);
		uint8_t c;
		if (rbuf_u8(r, &c))
			return -EBADMSG;
		if (c == (uint8_t)close)
			return 0;
		if (c != ',')
			return -EBADMSG;
	}
}

static int skip_value(struct rbuf *r, int depth)
{
	if (depth > API_JSON_DEPTH)
		return -E2BIG;
	skip_ws(r);
	int c = peek(r);
	if (c == '"' || c == '{' || c == '[')
		rbuf_skip(r, 1);
	switch (c) {
	case '"':
		return json_string(r, NULL, 0);
	case '{':
		return skip_container(r, depth, true);
	case '[':
		return skip_container(r, depth, false);
	case 't':
		return skip_literal(r, "true");
	case 'f':
		return skip_literal(r, "false");
	case 'n':
		return skip_literal(r, "null");
	default:
		return skip_number(r);
	}
}

/* A string value (or null: *present false) into out[cap]. */
static int json_string_value(struct rbuf *r, char *out, size_t cap, bool *present)
{
	skip_ws(r);
	*present = peek(r) != 'n';
	if (!*present) {
		out[0] = 0;
		return skip_literal(r, "null");
	}
	if (expect(r, '"'))
		return -EBADMSG;
	return json_string(r, out, cap);
}

static int json_initrds(struct rbuf *r, struct api_boot *b)
{
	bool present;
	b->n_initrd = 0;
	skip_ws(r);
	if (peek(r) == 'n')
		return skip_literal(r, "null");
	if (expect(r, '['))
		return -EBADMSG;
	skip_ws(r);
	if (peek(r) == ']')
		return rbuf_skip(r, 1);
	for (;;) {
		if (b->n_initrd == API_MAX_INITRD)
			return -E2BIG;
		int e = json_string_value(r, b->initrd[b->n_initrd], API_NAME_MAX, &present);
		if (e)
			return e;
		if (!present)
			return -EBADMSG;
		b->n_initrd++;
		uint8_t c;
		skip_ws(r);
		if (rbuf_u8(r, &c))
			return -EBADMSG;
		if (c == ']')
			return 0;
		if (c != ',')
			return -EBADMSG;
	}
}

/* One member's value by its key. */
static int json_member(struct rbuf *r, const char *key, struct api_boot *b, const char **why)
{
	bool present;
	int e;
	if (!strcmp(key, "kernel"))
		e = json_string_value(r, b->kernel, sizeof b->kernel, &present),
		*why = "kernel: not a string, or too long";
	else if (!strcmp(key, "initrd"))
		e = json_initrds(r, b), *why = "initrd: not a list of strings, or too long";
	else if (!strcmp(key, "message"))
		e = json_string_value(r, b->message, sizeof b->message, &present),
		*why = "message: not a string, or too long";
	else if (!strcmp(key, "cmdline")) {
		skip_ws(r);
		*why = "cmdline (a string; the deprecated object form is not supported)";
		if (peek(r) == '{')
			return -EBADMSG;
		e = json_string_value(r, b->cmdline, sizeof b->cmdline, &present);
	} else
		e = skip_value(r, 1), *why = "a value is no JSON";
	return e;
}

bool api_name_is_url(const char *name)
{
	return !strncmp(name, "http://", 7) || !strncmp(name, "https://", 8);
}

/* A kernel/initrd name an iPXE script line carries safely: printable
 * ASCII, no space, quote, backslash or '$' (iPXE expands ${...}); a URL,
 * or a path with no ".." segment and no other scheme. */
static bool name_ok(const char *s)
{
	if (!*s)
		return false;
	for (const char *c = s; *c; c++)
		if (*c <= 0x20 || *c >= 0x7f || *c == '"' || *c == '\\' || *c == '$' || *c == '\'')
			return false;
	if (api_name_is_url(s))
		return true;
	if (strstr(s, "://") || strchr(s, '?') || strchr(s, '#'))
		return false;
	for (const char *p = s; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += n;
	}
	return true;
}

/* {{ URL "NAME" }} at s (which starts with "{{"): NAME into name[cap],
 * its length in *used. -EBADMSG for any other template. */
static int template_at(const char *s, char *name, size_t cap, size_t *used)
{
	const char *p = s + 2;
	while (*p == ' ')
		p++;
	if (strncmp(p, "URL", 3) || p[3] != ' ')
		return -EBADMSG;
	p += 3;
	while (*p == ' ')
		p++;
	if (*p++ != '"')
		return -EBADMSG;
	const char *q = strchr(p, '"');
	if (!q || (size_t)(q - p) >= cap)
		return -EBADMSG;
	memcpy(name, p, (size_t)(q - p));
	name[q - p] = 0;
	p = q + 1;
	while (*p == ' ')
		p++;
	if (strncmp(p, "}}", 2) || !name_ok(name))
		return -EBADMSG;
	*used = (size_t)(p + 2 - s);
	return 0;
}

int api_cmdline_expand(const char *cmdline, const char *host, char *out, size_t cap)
{
	size_t o = 0;
	if (!cap)
		return -ENOBUFS;
	out[0] = 0;
	for (const char *s = cmdline; *s;) {
		const char *t = strstr(s, "{{");
		size_t lit = t ? (size_t)(t - s) : strlen(s), used;
		char name[API_NAME_MAX];
		if (buf_appendf(out, cap, &o, "%.*s", (int)lit, s))
			return -ENOBUFS;
		if (!t)
			break;
		if (template_at(t, name, sizeof name, &used))
			return -EBADMSG;
		const char *path = name;
		while (*path == '/')
			path++;
		if (api_name_is_url(name) ? buf_appendf(out, cap, &o, "%s", name)
					  : buf_appendf(out, cap, &o, "http://%s/%s", host, path))
			return -ENOBUFS;
		s = t + used;
	}
	return (int)o;
}

static int boot_check(const struct api_boot *b, const char **why)
{
	char tmp[API_CMDLINE_MAX * 2];
	if (!b->kernel[0]) {
		*why = "no kernel";
		return -EBADMSG;
	}
	if (!name_ok(b->kernel)) {
		*why = "kernel is no http(s):// URL or safe path";
		return -EBADMSG;
	}
	for (size_t i = 0; i < b->n_initrd; i++) {
		if (!name_ok(b->initrd[i])) {
			*why = "an initrd is no http(s):// URL or safe path";
			return -EBADMSG;
		}
	}
	for (const char *c = b->cmdline; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			*why = "control character in cmdline";
			return -EBADMSG;
		}
	}
	if (api_cmdline_expand(b->cmdline, "h", tmp, sizeof tmp) == -EBADMSG) {
		*why = "cmdline template other than {{ URL \\\"NAME\\\" }}";
		return -EBADMSG;
	}
	return 0;
}

int api_json_boot(const uint8_t *p, size_t n, struct api_boot *b, const char **why)
{
	struct rbuf r;
	char key[32];
	memset(b, 0, sizeof *b);
	*why = "not a JSON object";
	if (n > API_JSON_MAX) {
		*why = "answer too long";
		return -E2BIG;
	}
	rbuf_init(&r, p, n);
	if (expect(&r, '{'))
		return -EBADMSG;
	skip_ws(&r);
	if (peek(&r) == '}') {
		rbuf_skip(&r, 1);
	} else {
		for (;;) {
			int e = expect(&r, '"');
			struct rbuf t = r;
			if (!e && json_string(&t, key, sizeof key) == -E2BIG) {
				key[0] = 0; /* a long key is none of ours */
				e = json_string(&r, NULL, 0);
			} else if (!e) {
				e = json_string(&r, key, sizeof key);
			}
			if (e || expect(&r, ':'))
				return -EBADMSG;
			if ((e = json_member(&r, key, b, why)))
				return e;
			uint8_t c;
			skip_ws(&r);
			if (rbuf_u8(&r, &c))
				return -EBADMSG;
			if (c == '}')
				break;
			if (c != ',')
				return -EBADMSG;
		}
	}
	skip_ws(&r);
	if (rbuf_left(&r)) {
		*why = "data after the JSON object";
		return -EBADMSG;
	}
	return boot_check(b, why);
}
