/* rpi: recognises the Raspberry Pi bootloader's per-device TFTP folders and
 * files too big for its TFTP client. */
#include "netboot/rpi.h"

#include <string.h>

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

size_t rpi_tftp_prefix(const char *clean)
{
	size_t i = 0;
	while (i < 8 && is_hex(clean[i]))
		i++;
	if (i == 8 && clean[8] == '/' && clean[9])
		return 9; /* serial number: "9ffefdef/" */
	/* MAC address with dashes: "dc-a6-32-01-36-c2/" */
	for (i = 0; i < 17; i++) {
		bool dash = i % 3 == 2;
		if (dash ? clean[i] != '-' : !is_hex(clean[i]))
			return 0;
	}
	return clean[17] == '/' && clean[18] ? 18 : 0;
}

bool rpi_tftp_too_big(uint64_t size, unsigned blksize)
{
	/* the last block is size / blksize + 1 (it may be empty) */
	return blksize && size / blksize + 1 > 65535;
}
