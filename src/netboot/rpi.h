/* rpi: Raspberry Pi netboot policy that is not DHCP (pure).
 *
 * The Pi bootloader asks TFTP for files under a per-device folder: the
 * serial number (8 hex digits, e.g. "9ffefdef/start4.elf") or, with the Pi 4
 * EEPROM's TFTP_PREFIX=2, the MAC address with dashes
 * ("dc-a6-32-01-36-c2/start4.elf"). If start4.elf/start.elf is not found
 * there the Pi itself clears the prefix and asks for every file at the root.
 * lifeboat serves such a folder as an overlay on ROOT: ROOT/<prefix>/FILE
 * when it exists, else ROOT/FILE, so a per-Pi folder may hold only the
 * files that differ (config.txt, cmdline.txt) and an absent folder behaves
 * like the root. */
#ifndef LIFEBOAT_NETBOOT_RPI_H
#define LIFEBOAT_NETBOOT_RPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of a Pi device prefix at the start of a cleaned path, including
 * its '/': 9 for "<8 hex digits>/", 18 for "<mac with dashes>/", else 0
 * (also when nothing follows the '/'). Hex digits in lower or upper case. */
size_t rpi_tftp_prefix(const char *clean);

/* True when a file of size bytes needs more than 65535 TFTP blocks of
 * blksize bytes: block numbers then roll over, which the Raspberry Pi
 * bootloader (and some PXE ROMs) cannot follow. */
bool rpi_tftp_too_big(uint64_t size, unsigned blksize);

#endif
