/* libFuzzer: kmod_modinfo_firmware on arbitrary bytes (the .ko files of a
 * --from root); every value it hands out lies inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "rescue/kmod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct span {
	const uint8_t *p;
	size_t n;
};

static int check(void *ctx, const char *fw, size_t n)
{
	const struct span *s = ctx;
	const uint8_t *f = (const uint8_t *)fw;
	if (f < s->p || f + n > s->p + s->n || f[n] != 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct span s = {data, size};
	(void)kmod_modinfo_firmware(data, size, check, &s);
	return 0;
}
