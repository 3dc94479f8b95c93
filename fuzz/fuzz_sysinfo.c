/* libFuzzer: sysinfo_probe on arbitrary device heads (a rescue system
 * reads the superblocks of whatever disks the broken machine has). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rescue/sysinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sysinfo_fs fs;
	/* Signatures live up to 68 KiB in: spread small inputs over that
	 * range too, so the fuzzer reaches the far ones. */
	static uint8_t img[SYSINFO_PROBE_LEN];
	memset(img, 0, sizeof img);
	memcpy(img, data, size < sizeof img ? size : sizeof img);
	if (size > 2 && size < 4096) {
		size_t off = ((size_t)data[0] << 8 | data[1]) * 16 % (sizeof img - size);
		memcpy(img + off, data + 2, size - 2);
	}
	int rc = sysinfo_probe(data, size, &fs);
	rc |= sysinfo_probe(img, sizeof img, &fs);
	if (strlen(fs.type) >= sizeof fs.type || strlen(fs.label) >= sizeof fs.label)
		abort();
	return rc & 0;
}
