/* libFuzzer: api_json_boot on arbitrary bodies (--api's JSON answer); an
 * accepted answer has a kernel, NUL-terminated fields within their sizes,
 * at most API_MAX_INITRD initrds, and a command line that expands. */
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/api_wire.h"
#include "netboot/bootplan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct api_boot b;
	static char script[4096];
	const char *why;
	if (api_json_boot(data, size, &b, &why))
		return 0;
	if (!b.kernel[0] || b.n_initrd > API_MAX_INITRD ||
	    strnlen(b.kernel, sizeof b.kernel) == sizeof b.kernel ||
	    strnlen(b.cmdline, sizeof b.cmdline) == sizeof b.cmdline ||
	    strnlen(b.message, sizeof b.message) == sizeof b.message)
		abort();
	for (size_t i = 0; i < b.n_initrd; i++)
		if (!b.initrd[i][0] || strnlen(b.initrd[i], API_NAME_MAX) == API_NAME_MAX)
			abort();
	int n = bootplan_api_script(&b, "192.0.2.2", 80, script, sizeof script);
	if (n == -EBADMSG || n == -EINVAL)
		abort();
	if (n > 0 && (strlen(script) != (size_t)n || strncmp(script, "#!ipxe\n", 7)))
		abort();
	return 0;
}
