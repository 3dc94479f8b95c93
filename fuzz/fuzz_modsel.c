/* libFuzzer: modsel on arbitrary module list, modules.dep and
 * modules.alias texts (split at the first two NUL bytes) and a modalias;
 * every wanted index stays in the list. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/modsel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *z1 = memchr(p, 0, size);
	const char *z2 = z1 ? memchr(z1 + 1, 0, size - (size_t)(z1 + 1 - p)) : NULL;
	if (!z2)
		return 0;
	size_t alen = size - (size_t)(z2 + 1 - p);
	char *alias = malloc(alen + 1);
	if (!alias)
		return 0;
	memcpy(alias, z2 + 1, alen);
	alias[alen] = 0;
	struct modsel s;
	if (!modsel_init(&s, p, (size_t)(z1 - p)) &&
	    !modsel_deps(&s, z1 + 1, (size_t)(z2 - z1 - 1)) && !modsel_aliases(&s, alias, alen)) {
		modsel_want_families(&s);
		modsel_match(&s, "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00");
		modsel_match(&s, "virtio:d00000001v00001AF4");
		for (size_t i = 0; i < s.n_deps; i++)
			if (s.deps[i] >= s.n)
				abort();
	}
	modsel_free(&s);
	free(alias);
	return 0;
}
