/* libFuzzer target for http_wire: the request parser, path decoding plus
 * cleaning, range resolution and the response builder, with invariants
 * checked on every input (abort() on a violation). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "netboot/fsroot.h"
#include "netboot/http_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_range(const struct http_range *rg, uint64_t fsize)
{
	uint64_t off = 0, len = 0;
	int st = http_range_resolve(rg, fsize, &off, &len);
	if (st == 200 && (off != 0 || len != fsize))
		abort();
	if (st == 206 && (len == 0 || off >= fsize || len > fsize - off))
		abort();
	if (st != 200 && st != 206 && st != 416)
		abort();
	if (st == 416 && rg->kind != HTTP_RANGE_ONE)
		abort();
	/* Build the head we would send; it must fit or be refused cleanly. */
	char out[600];
	struct wbuf w;
	struct http_response resp = {
	    .status = st,
	    .content_type = "application/octet-stream",
	    .content_length = len,
	    .range_first = off,
	    .range_last = off + len - 1,
	    .total = fsize,
	    .last_modified = (time_t)(fsize & 0xffffffff),
	    .keep_alive = fsize & 1,
	    .accept_ranges = true,
	};
	wbuf_init(&w, out, sizeof out);
	if (http_response_head(&w, &resp) || w.len > sizeof out)
		abort();
	wbuf_init(&w, out, (size_t)(fsize % 64));
	if (http_response_head(&w, &resp) != -ENOBUFS || w.len > fsize % 64)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req;
	int r = http_request_parse(data, size, &req);
	if (r == 0 || r == -EBADMSG || r == -EMSGSIZE)
		return 0;
	if (r < 0 || (size_t)r > size || r > HTTP_HEADER_MAX)
		abort();
	/* A head delimits itself: parsing exactly its bytes gives the same. */
	struct http_request again;
	if (http_request_parse(data, (size_t)r, &again) != r || again.method != req.method ||
	    again.path_len != req.path_len || again.keep_alive != req.keep_alive)
		abort();
	if (req.path && req.path_len > 1 &&
	    ((const uint8_t *)req.path < data ||
	     (const uint8_t *)req.path + req.path_len > data + r))
		abort();
	if (req.path) {
		char dec[FSROOT_PATH_MAX], clean[FSROOT_PATH_MAX];
		int n = http_path_decode(req.path, req.path_len, dec, sizeof dec);
		if (n >= 0) {
			if ((size_t)n > req.path_len || dec[n] != 0 || memchr(dec, 0, (size_t)n))
				abort();
			int c = fsroot_clean_path(dec, (size_t)n, clean, sizeof clean);
			if (c > 0) {
				/* Clean paths are relative and no component is "..". */
				if (clean[0] == '/')
					abort();
				const char *p = clean;
				while (p) {
					const char *sl = strchr(p, '/');
					size_t l = sl ? (size_t)(sl - p) : strlen(p);
					if (l == 2 && p[0] == '.' && p[1] == '.')
						abort();
					p = sl ? sl + 1 : NULL;
				}
			}
		} else if (n != -EBADMSG && n != -EACCES && n != -ENAMETOOLONG) {
			abort();
		}
	}
	static const uint64_t sizes[] = {0, 1, 10, 1000, UINT64_MAX};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		check_range(&req.range, sizes[i]);
	check_range(&req.range, size);
	return 0;
}
