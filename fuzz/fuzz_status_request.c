/* libFuzzer target for the status socket's request line
 * (status_parse_request): never reads past n, and what it accepts is one
 * of the three requests with a width of at most 1000. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1); /* no NUL: the parser must not need one */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	enum status_req req;
	unsigned width;
	if (status_parse_request(copy, size, &req, &width) == 0 &&
	    ((unsigned)req > STATUS_REQ_METRICS || width > 1000))
		abort();
	free(copy);
	return 0;
}
