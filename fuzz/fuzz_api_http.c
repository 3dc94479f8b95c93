/* libFuzzer: api_http_parse on arbitrary responses (--api's HTTP/1.1
 * answer), whole and cut at every length the first byte picks; a complete
 * response's body lies inside the buffer. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/api_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *data, size_t size, bool eof)
{
	uint8_t *buf = malloc(size ? size : 1);
	size_t n = size;
	struct api_http h;
	memcpy(buf, data, size);
	int r = api_http_parse(buf, &n, eof, &h);
	if (r == 0) {
		if (n > size || h.status < 200 || h.status > 599)
			abort();
		if (h.body && (h.body < buf || h.body + h.body_len > buf + n))
			abort();
	} else if (r != -EAGAIN && r != -EBADMSG) {
		abort();
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, false);
	one(data, size, true);
	if (size > 1)
		one(data + 1, (size_t)data[0] % size, false);
	return 0;
}
