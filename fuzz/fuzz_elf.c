/* libFuzzer: elf_read_deps on arbitrary bytes; results must be NUL-terminated
 * and within limits. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct elf_deps d; /* large: keep it off the stack */
	if (elf_read_deps(data, size, &d))
		return 0;
	if (d.n_needed > ELF_MAX_NEEDED || memchr(d.interp, 0, sizeof d.interp) == NULL ||
	    memchr(d.runpath, 0, sizeof d.runpath) == NULL)
		abort();
	for (size_t i = 0; i < d.n_needed; i++)
		if (!memchr(d.needed[i], 0, sizeof d.needed[i]))
			abort();
	return 0;
}
