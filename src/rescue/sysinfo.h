/* sysinfo: what a rescue system's admin asks first: the disks (size,
 * partitions, what is on each: filesystems, swap, LVM, MD, LUKS, read from
 * the superblocks here) and the interfaces' addresses. The signature
 * reader is pure and fed from files; rescue_status_print() walks
 * /sys/block and /dev. */
#ifndef LIFEBOAT_RESCUE_SYSINFO_H
#define LIFEBOAT_RESCUE_SYSINFO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Bytes from the start of a device that sysinfo_probe() wants: up to and
 * including the btrfs superblock at 64 KiB. */
#define SYSINFO_PROBE_LEN (64 * 1024 + 4096)

struct sysinfo_fs {
	char type[24];	/* "ext4", "xfs", "btrfs", "vfat", "swap", "LVM2_member",
			   "crypto_LUKS", "linux_raid_member", "ntfs", "iso9660",
			   "gpt", "dos"; "" when nothing is recognised */
	char label[64]; /* printable characters only, "" when none */
};

/* Recognises what the first n bytes of a device hold (n may be short:
 * signatures beyond it are not looked for). Returns 0 when something was
 * recognised, -ENOENT when not. */
int sysinfo_probe(const uint8_t *p, size_t n, struct sysinfo_fs *fs);

/* "512 B", "32.0 MiB", "1.8 TiB". */
void sysinfo_size(uint64_t bytes, char *out, size_t cap);

/* Disks, partitions, filesystems, then addresses, as text. Returns 0 or
 * -errno when /sys/block cannot be read. */
int rescue_status_print(FILE *f);

/* The same with other roots for /sys/block, /dev and /sys/class/net
 * (tests). */
int sysinfo_print(FILE *f, const char *sysblock, const char *dev, const char *sysnet);

#endif
