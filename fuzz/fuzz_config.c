/* libFuzzer: the serve config file parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int known(const char *n)
{
	if (!strcmp(n, "no-http"))
		return CONFIG_OPT_FLAG;
	return !strcmp(n, "boot") || !strcmp(n, "interface") ? CONFIG_OPT_VALUE : CONFIG_OPT_UNKNOWN;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_argv c;
	char *t = malloc(size + 1);
	if (!t)
		return 0;
	memcpy(t, data, size);
	t[size] = 0;
	FILE *devnull = fopen("/dev/null", "w");
	if (config_parse("fuzz", t, size, known, &c, devnull) == 0) {
		for (int i = 0; i < c.argc; i++)
			if (!c.argv[i])
				__builtin_trap();
	}
	config_argv_free(&c);
	fclose(devnull);
	return 0;
}
