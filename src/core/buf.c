/* buf: the read and write cursors of buf.h; each getter and putter checks
 * the length before touching memory, so no caller can overrun a packet. */
#include "core/buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void rbuf_init(struct rbuf *r, const void *p, size_t len)
{
	r->p = p;
	r->len = p ? len : 0;
	r->off = 0;
	r->err = false;
}

size_t rbuf_left(const struct rbuf *r)
{
	return r->len - r->off;
}

/* Fails (and stays failed) when fewer than n bytes remain. */
static int rbuf_need(struct rbuf *r, size_t n)
{
	if (r->err || n > rbuf_left(r)) {
		r->err = true;
		return -EBADMSG;
	}
	return 0;
}

int rbuf_u8(struct rbuf *r, uint8_t *v)
{
	if (rbuf_need(r, 1))
		return -EBADMSG;
	*v = r->p[r->off++];
	return 0;
}

int rbuf_be16(struct rbuf *r, uint16_t *v)
{
	if (rbuf_need(r, 2))
		return -EBADMSG;
	*v = (uint16_t)(r->p[r->off] << 8 | r->p[r->off + 1]);
	r->off += 2;
	return 0;
}

int rbuf_be32(struct rbuf *r, uint32_t *v)
{
	if (rbuf_need(r, 4))
		return -EBADMSG;
	const uint8_t *q = r->p + r->off;
	*v = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
	r->off += 4;
	return 0;
}

int rbuf_bytes(struct rbuf *r, void *dst, size_t n)
{
	if (rbuf_need(r, n))
		return -EBADMSG;
	if (n)
		memcpy(dst, r->p + r->off, n);
	r->off += n;
	return 0;
}

int rbuf_skip(struct rbuf *r, size_t n)
{
	if (rbuf_need(r, n))
		return -EBADMSG;
	r->off += n;
	return 0;
}

int rbuf_ptr(struct rbuf *r, size_t n, const uint8_t **out)
{
	if (rbuf_need(r, n))
		return -EBADMSG;
	*out = r->p + r->off;
	r->off += n;
	return 0;
}

int rbuf_sub(struct rbuf *r, size_t n, struct rbuf *sub)
{
	const uint8_t *q;
	if (rbuf_ptr(r, n, &q))
		return -EBADMSG;
	rbuf_init(sub, q, n);
	return 0;
}

int rbuf_cstr(struct rbuf *r, const char **s, size_t *n)
{
	if (r->err)
		return -EBADMSG;
	const uint8_t *start = r->p + r->off;
	const uint8_t *nul = memchr(start, 0, rbuf_left(r));
	if (!nul) {
		r->err = true;
		return -EBADMSG;
	}
	*s = (const char *)start;
	*n = (size_t)(nul - start);
	r->off += *n + 1;
	return 0;
}

void wbuf_init(struct wbuf *w, void *p, size_t cap)
{
	w->p = p;
	w->cap = p ? cap : 0;
	w->len = 0;
	w->err = false;
}

size_t wbuf_room(const struct wbuf *w)
{
	return w->cap - w->len;
}

static int wbuf_need(struct wbuf *w, size_t n)
{
	if (w->err || n > wbuf_room(w)) {
		w->err = true;
		return -ENOBUFS;
	}
	return 0;
}

int wbuf_u8(struct wbuf *w, uint8_t v)
{
	if (wbuf_need(w, 1))
		return -ENOBUFS;
	w->p[w->len++] = v;
	return 0;
}

int wbuf_be16(struct wbuf *w, uint16_t v)
{
	if (wbuf_need(w, 2))
		return -ENOBUFS;
	w->p[w->len++] = (uint8_t)(v >> 8);
	w->p[w->len++] = (uint8_t)v;
	return 0;
}

int wbuf_be32(struct wbuf *w, uint32_t v)
{
	if (wbuf_need(w, 4))
		return -ENOBUFS;
	for (int shift = 24; shift >= 0; shift -= 8)
		w->p[w->len++] = (uint8_t)(v >> shift);
	return 0;
}

int wbuf_bytes(struct wbuf *w, const void *src, size_t n)
{
	if (wbuf_need(w, n))
		return -ENOBUFS;
	if (n)
		memcpy(w->p + w->len, src, n);
	w->len += n;
	return 0;
}

int wbuf_zero(struct wbuf *w, size_t n)
{
	if (wbuf_need(w, n))
		return -ENOBUFS;
	memset(w->p + w->len, 0, n);
	w->len += n;
	return 0;
}

int wbuf_str(struct wbuf *w, const char *s)
{
	return wbuf_bytes(w, s, strlen(s));
}

int wbuf_reserve(struct wbuf *w, size_t n, uint8_t **out)
{
	if (wbuf_need(w, n))
		return -ENOBUFS;
	*out = w->p + w->len;
	memset(*out, 0, n);
	w->len += n;
	return 0;
}

int buf_appendf(char *buf, size_t cap, size_t *o, const char *fmt, ...)
{
	va_list ap;
	if (*o >= cap)
		return -ENOBUFS;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *o, cap - *o, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *o) {
		buf[*o] = 0;
		return -ENOBUFS;
	}
	*o += (size_t)n;
	return 0;
}
