/* libFuzzer target: fsroot_clean_path() never yields a path that could
 * leave the root, and cleaning is idempotent. The first input byte picks
 * the output capacity so the length limit is exercised too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/fsroot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[FSROOT_PATH_MAX], again[FSROOT_PATH_MAX];
	if (size < 1)
		return 0;
	size_t cap = data[0] == 0 ? sizeof out : (size_t)data[0] % sizeof out;
	const char *in = (const char *)data + 1;
	size_t n = size - 1;
	int r = fsroot_clean_path(in, n, out, cap);
	if (r < 0)
		return 0;
	size_t len = (size_t)r;
	if (len == 0 || len >= cap || strlen(out) != len)
		abort();
	if (out[0] == '/' || out[len - 1] == '/' || strstr(out, "//") || strchr(out, '\\'))
		abort();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			abort();
	/* no "." or ".." component anywhere */
	const char *p = out;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t cl = slash ? (size_t)(slash - p) : strlen(p);
		if ((cl == 1 && p[0] == '.') || (cl == 2 && p[0] == '.' && p[1] == '.'))
			abort();
		if (!slash)
			break;
		p = slash + 1;
	}
	if (fsroot_clean_path(out, len, again, sizeof again) != r || strcmp(out, again))
		abort();
	return 0;
}
