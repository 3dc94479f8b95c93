/* libFuzzer: httpget_parse_head on arbitrary response heads and
 * httpget_parse_url on arbitrary URLs (the --image http:// client). A head
 * that parses has a sane status, a length within the input and a
 * NUL-terminated Location; a URL that parses has a path starting with '/'. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/httpget.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpget_head h;
	int rc = httpget_parse_head(data, size, &h);
	if (!rc) {
		if (h.status < 100 || h.status > 999 || !h.head_len || h.head_len > size ||
		    h.head_len > HTTPGET_HEAD_MAX || strlen(h.location) >= sizeof h.location)
			abort();
	} else if (rc == -11 /* -EAGAIN */ && size >= HTTPGET_HEAD_MAX) {
		abort();
	}
	char url[1200];
	size_t n = size < sizeof url - 1 ? size : sizeof url - 1;
	memcpy(url, data, n);
	url[n] = 0;
	struct httpget_url u;
	if (!httpget_parse_url(url, &u)) {
		if (u.path[0] != '/' || !u.host[0] || !u.port)
			abort();
		char req[1400];
		if (httpget_request(req, sizeof req, &u) < 0)
			abort();
	}
	return 0;
}
