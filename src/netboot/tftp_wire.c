/* tftp_wire: TFTP packet parsers and builders; option values checked
 * against the ranges the RFCs allow (pure, fuzzed). */
#include "netboot/tftp_wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int tftp_parse_opcode(const void *p, size_t n, uint16_t *op)
{
	struct rbuf r;
	rbuf_init(&r, p, n);
	return rbuf_be16(&r, op);
}

/* Case-insensitive compare of a counted string with a C string (RFC 1350
 * modes and RFC 2347 option names are case-insensitive). */
static bool tftp_name_is(const char *s, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(s, want, n) == 0;
}

/* Decimal digits only, no sign, no spaces; refuses empty or > max. */
static bool tftp_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* Reads a decimal that may exceed the range; saturates at cap so blksize
 * 70000 can be clamped rather than refused. */
static bool tftp_parse_uint_clamp(const char *s, size_t n, uint64_t cap, uint64_t *out)
{
	uint64_t v;
	if (tftp_parse_uint(s, n, UINT64_MAX, &v)) {
		*out = v > cap ? cap : v;
		return true;
	}
	/* all digits but beyond 64 bits: clamp as well */
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	*out = cap;
	return true;
}

enum tftp_optid { OPT_BLKSIZE, OPT_TSIZE, OPT_TIMEOUT, OPT_WINDOWSIZE, OPT_N };

/* The options we understand; each row says how to read and check its value. */
static const struct {
	const char *name;
	uint64_t min, max;
	bool clamp; /* above max: clamp (server may answer less) instead of ignore */
} tftp_options[OPT_N] = {
    [OPT_BLKSIZE] = {"blksize", TFTP_BLKSIZE_MIN, TFTP_BLKSIZE_MAX, true},  /* RFC 2348 */
    [OPT_TSIZE] = {"tsize", 0, UINT64_MAX, false},			    /* RFC 2349 */
    [OPT_TIMEOUT] = {"timeout", TFTP_TIMEOUT_MIN, TFTP_TIMEOUT_MAX, false}, /* RFC 2349 */
    [OPT_WINDOWSIZE] = {"windowsize", 1, TFTP_WINDOW_MAX, true},	    /* RFC 7440 */
};

static void tftp_apply_option(struct tftp_request *req, enum tftp_optid id, uint64_t v)
{
	switch (id) {
	case OPT_BLKSIZE:
		req->has_blksize = true;
		req->blksize = (uint32_t)v;
		break;
	case OPT_TSIZE:
		req->has_tsize = true;
		req->tsize = v;
		break;
	case OPT_TIMEOUT:
		req->has_timeout = true;
		req->timeout_s = (uint32_t)v;
		break;
	case OPT_WINDOWSIZE:
		req->has_windowsize = true;
		req->windowsize = (uint32_t)v;
		break;
	case OPT_N:
		break;
	}
}

/* Parses option pairs until the end of r into req. */
static int tftp_parse_options(struct rbuf *r, struct tftp_request *req)
{
	bool seen[OPT_N] = {false};
	while (rbuf_left(r) > 0) {
		const char *name, *value;
		size_t name_len, value_len;
		if (rbuf_cstr(r, &name, &name_len))
			return -EBADMSG;
		if (name_len == 0) {
			/* Padding: only NULs may follow an empty name. */
			const uint8_t *rest;
			size_t left = rbuf_left(r);
			if (rbuf_ptr(r, left, &rest))
				return -EBADMSG;
			for (size_t i = 0; i < left; i++)
				if (rest[i])
					return -EBADMSG;
			break;
		}
		if (rbuf_cstr(r, &value, &value_len))
			return -EBADMSG; /* option without a value */
		if (req->n_opts == TFTP_MAX_OPTIONS)
			return -EBADMSG;
		req->opts[req->n_opts++] = (struct tftp_opt){name, name_len, value, value_len};
		for (int id = 0; id < OPT_N; id++) {
			if (!tftp_name_is(name, name_len, tftp_options[id].name))
				continue;
			/* A client that says blksize twice is confused; which
			 * one it meant is unknowable, so refuse. */
			if (seen[id])
				return -EBADMSG;
			seen[id] = true;
			uint64_t v;
			bool ok =
			    tftp_options[id].clamp
				? tftp_parse_uint_clamp(value, value_len, tftp_options[id].max, &v)
				: tftp_parse_uint(value, value_len, tftp_options[id].max, &v);
			if (ok && v >= tftp_options[id].min)
				tftp_apply_option(req, (enum tftp_optid)id, v);
			break;
		}
	}
	return 0;
}

int tftp_parse_request(const void *p, size_t n, struct tftp_request *req)
{
	struct rbuf r;
	const char *mode;
	size_t mode_len;
	memset(req, 0, sizeof *req);
	rbuf_init(&r, p, n);
	if (rbuf_be16(&r, &req->opcode))
		return -EBADMSG;
	if (req->opcode != TFTP_RRQ && req->opcode != TFTP_WRQ)
		return -EBADMSG;
	if (rbuf_cstr(&r, &req->filename, &req->filename_len))
		return -EBADMSG;
	if (rbuf_cstr(&r, &mode, &mode_len))
		return -EBADMSG;
	if (tftp_name_is(mode, mode_len, "octet"))
		req->mode = TFTP_MODE_OCTET;
	else if (tftp_name_is(mode, mode_len, "netascii"))
		req->mode = TFTP_MODE_NETASCII;
	else
		return -EBADMSG; /* "mail" and inventions */
	return tftp_parse_options(&r, req);
}

int tftp_parse_oack(const void *p, size_t n, struct tftp_request *opts)
{
	struct rbuf r;
	memset(opts, 0, sizeof *opts);
	rbuf_init(&r, p, n);
	if (rbuf_be16(&r, &opts->opcode) || opts->opcode != TFTP_OACK)
		return -EBADMSG;
	return tftp_parse_options(&r, opts);
}

int tftp_parse_ack(const void *p, size_t n, uint16_t *block)
{
	struct rbuf r;
	uint16_t op;
	rbuf_init(&r, p, n);
	if (rbuf_be16(&r, &op) || op != TFTP_ACK)
		return -EBADMSG;
	return rbuf_be16(&r, block);
}

int tftp_parse_error(const void *p, size_t n, struct tftp_error *e)
{
	struct rbuf r;
	uint16_t op;
	memset(e, 0, sizeof *e);
	rbuf_init(&r, p, n);
	if (rbuf_be16(&r, &op) || op != TFTP_ERROR)
		return -EBADMSG;
	if (rbuf_be16(&r, &e->code))
		return -EBADMSG;
	size_t left = rbuf_left(&r);
	const uint8_t *msg;
	if (rbuf_ptr(&r, left, &msg))
		return -EBADMSG;
	const uint8_t *nul = memchr(msg, 0, left);
	e->msg = (const char *)msg;
	e->msg_len = nul ? (size_t)(nul - msg) : left;
	return 0;
}

int tftp_parse_data(const void *p, size_t n, uint16_t *block, const uint8_t **data, size_t *len)
{
	struct rbuf r;
	uint16_t op;
	rbuf_init(&r, p, n);
	if (rbuf_be16(&r, &op) || op != TFTP_DATA || rbuf_be16(&r, block))
		return -EBADMSG;
	*len = rbuf_left(&r);
	return rbuf_ptr(&r, *len, data);
}

int tftp_build_data_hdr(struct wbuf *w, uint16_t block)
{
	if (wbuf_room(w) < TFTP_HDR) {
		w->err = true;
		return -ENOBUFS;
	}
	wbuf_be16(w, TFTP_DATA);
	return wbuf_be16(w, block);
}

int tftp_build_data(struct wbuf *w, uint16_t block, const void *data, size_t len)
{
	if (wbuf_room(w) < TFTP_HDR + len) {
		w->err = true;
		return -ENOBUFS;
	}
	tftp_build_data_hdr(w, block);
	return wbuf_bytes(w, data, len);
}

int tftp_build_ack(struct wbuf *w, uint16_t block)
{
	if (wbuf_room(w) < TFTP_HDR) {
		w->err = true;
		return -ENOBUFS;
	}
	wbuf_be16(w, TFTP_ACK);
	return wbuf_be16(w, block);
}

/* Appends "s\0"; all or nothing. */
static int tftp_put_cstr(struct wbuf *w, const char *s)
{
	size_t n = strlen(s);
	if (wbuf_room(w) < n + 1) {
		w->err = true;
		return -ENOBUFS;
	}
	wbuf_bytes(w, s, n);
	return wbuf_u8(w, 0);
}

int tftp_build_error(struct wbuf *w, uint16_t code, const char *msg)
{
	if (!msg)
		msg = tftp_errcode_str(code);
	if (wbuf_room(w) < TFTP_HDR + strlen(msg) + 1) {
		w->err = true;
		return -ENOBUFS;
	}
	wbuf_be16(w, TFTP_ERROR);
	wbuf_be16(w, code);
	return tftp_put_cstr(w, msg);
}

static int tftp_put_opt(struct wbuf *w, const char *name, uint64_t v)
{
	char num[24];
	snprintf(num, sizeof num, "%llu", (unsigned long long)v);
	if (tftp_put_cstr(w, name))
		return -ENOBUFS;
	return tftp_put_cstr(w, num);
}

int tftp_build_oack(struct wbuf *w, const struct tftp_oack *o)
{
	size_t start = w->len;
	wbuf_be16(w, TFTP_OACK);
	if (o->has_blksize)
		tftp_put_opt(w, "blksize", o->blksize);
	if (o->has_tsize)
		tftp_put_opt(w, "tsize", o->tsize);
	if (o->has_timeout)
		tftp_put_opt(w, "timeout", o->timeout_s);
	if (o->has_windowsize)
		tftp_put_opt(w, "windowsize", o->windowsize);
	if (w->err) {
		w->len = start;
		return -ENOBUFS;
	}
	return 0;
}

int tftp_build_request(struct wbuf *w, uint16_t opcode, const char *filename, const char *mode,
		       const char *const *names, const char *const *values, size_t n)
{
	size_t start = w->len;
	wbuf_be16(w, opcode);
	tftp_put_cstr(w, filename);
	tftp_put_cstr(w, mode);
	for (size_t i = 0; i < n; i++) {
		tftp_put_cstr(w, names[i]);
		tftp_put_cstr(w, values[i]);
	}
	if (w->err) {
		w->len = start;
		return -ENOBUFS;
	}
	return 0;
}

unsigned tftp_blksize_for_mtu(unsigned mtu, bool is_ipv6)
{
	unsigned hdr = is_ipv6 ? 52 : 32;
	if (mtu < hdr + TFTP_BLKSIZE_MIN)
		return TFTP_BLKSIZE_MIN;
	unsigned b = mtu - hdr;
	return b > TFTP_BLKSIZE_MAX ? TFTP_BLKSIZE_MAX : b;
}

const char *tftp_errcode_str(uint16_t code)
{
	static const char *const names[] = {
	    "Undefined error",	   "File not found",	     "Access violation",
	    "Disk full",	   "Illegal TFTP operation", "Unknown transfer ID",
	    "File already exists", "No such user",	     "Option negotiation refused",
	};
	return code < sizeof names / sizeof names[0] ? names[code] : "Unknown error";
}
