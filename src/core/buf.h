/* buf: the only code that touches raw packet bytes.
 *
 * A read cursor (struct rbuf) never reads past its end: every getter checks
 * the remaining length first and returns -EBADMSG (and sets a sticky error)
 * instead. A write cursor (struct wbuf) never writes past its capacity: every
 * putter returns -ENOBUFS before writing anything. Parsers and builders for
 * every protocol go through these two. */
#ifndef LIFEBOAT_CORE_BUF_H
#define LIFEBOAT_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err; /* sticky: set by the first failed read */
};

struct wbuf {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool err; /* sticky: set by the first refused write */
};

void rbuf_init(struct rbuf *r, const void *p, size_t len);
size_t rbuf_left(const struct rbuf *r);
/* Each returns 0, or -EBADMSG when fewer bytes remain than asked for. */
int rbuf_u8(struct rbuf *r, uint8_t *v);
int rbuf_be16(struct rbuf *r, uint16_t *v);
int rbuf_be32(struct rbuf *r, uint32_t *v);
int rbuf_bytes(struct rbuf *r, void *dst, size_t n);
int rbuf_skip(struct rbuf *r, size_t n);
/* Points *out at the next n bytes (no copy) and advances. */
int rbuf_ptr(struct rbuf *r, size_t n, const uint8_t **out);
/* Carves the next n bytes into their own cursor and advances past them. */
int rbuf_sub(struct rbuf *r, size_t n, struct rbuf *sub);
/* Reads up to and including the next NUL; *s points at the string, *n is
 * its length without the NUL. -EBADMSG when no NUL is left. */
int rbuf_cstr(struct rbuf *r, const char **s, size_t *n);

void wbuf_init(struct wbuf *w, void *p, size_t cap);
size_t wbuf_room(const struct wbuf *w);
/* Each returns 0, or -ENOBUFS (writing nothing) when out of room. */
int wbuf_u8(struct wbuf *w, uint8_t v);
int wbuf_be16(struct wbuf *w, uint16_t v);
int wbuf_be32(struct wbuf *w, uint32_t v);
int wbuf_bytes(struct wbuf *w, const void *src, size_t n);
int wbuf_zero(struct wbuf *w, size_t n);
int wbuf_str(struct wbuf *w, const char *s); /* without the NUL */
/* Reserves n bytes to be filled later; *out points at them. */
int wbuf_reserve(struct wbuf *w, size_t n, uint8_t **out);

/* Text: appends printf output at buf + *o (NUL-terminated); 0, or -ENOBUFS
 * when it does not fit (then *o is unchanged). For generated files. */
int buf_appendf(char *buf, size_t cap, size_t *o, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
