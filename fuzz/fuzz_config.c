/* libFuzzer: the serve config file parser, with the names and kinds of
 * serve's real option table. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/config.h"
#include "netboot/serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_argv c;
	char *t = malloc(size + 1);
	if (!t)
		return 0;
	memcpy(t, data, size);
	t[size] = 0;
	FILE *devnull = fopen("/dev/null", "w");
	if (config_parse("fuzz", t, size, serve_option_kind, &c, devnull) == 0) {
		for (int i = 0; i < c.argc; i++)
			if (!c.argv[i])
				__builtin_trap();
	}
	config_argv_free(&c);
	fclose(devnull);
	return 0;
}
