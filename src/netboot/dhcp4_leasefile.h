/* dhcp4_leasefile: the DHCPv4 lease database on disk. A text file, one
 * record a line:
 *
 *   lifeboat-dhcp4-leases 1              first line: format and version
 *   52:54:00:12:34:56 192.0.2.150 1733250000    MAC, address, expiry (Unix s)
 *   - 192.0.2.151 1733250000                    declined/conflicting address
 *
 * Parsed through core/buf (fuzz/fuzz_leasefile.c). Written whole each time:
 * temporary file, fsync, rename over the old one, fsync of the directory,
 * so a crash leaves either the old or the new file, never a torn one. */
#ifndef LIFEBOAT_NETBOOT_DHCP4_LEASEFILE_H
#define LIFEBOAT_NETBOOT_DHCP4_LEASEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP4_LEASEFILE_MAGIC "lifeboat-dhcp4-leases 1"
#define DHCP4_LEASEFILE_MAX (4u << 20) /* bytes read at most */

struct dhcp4_lease_rec {
	bool declined; /* no MAC: blocked address */
	uint8_t mac[6];
	uint8_t ip[4];
	int64_t expires;
};

/* Calls fn for each well-formed record of the file's bytes p[n]. A bad
 * line is skipped and counted in *bad (a hand edit must not lose the other
 * leases). Returns the number of records, or -EBADMSG when the first line
 * is not the magic (not a lease file: the caller refuses to overwrite it). */
int dhcp4_leasefile_parse(const void *p, size_t n, size_t *bad,
			  void (*fn)(void *arg, const struct dhcp4_lease_rec *r), void *arg);
/* One record as a line ("...\n") into buf; its length or -ENOBUFS. */
int dhcp4_leasefile_line(const struct dhcp4_lease_rec *r, char *buf, size_t cap);

/* The whole file: reads path (dirfd-relative when dirfd >= 0) into a new
 * buffer (*out, free()) of *n bytes. 0, -ENOENT, -EFBIG, -errno. */
int dhcp4_leasefile_read(int dirfd, const char *name, char **out, size_t *n);
/* Replaces name in directory dirfd with data[n]: name.tmp written, fsynced,
 * renamed over name, directory fsynced. 0 or -errno (name untouched). */
int dhcp4_leasefile_write(int dirfd, const char *name, const void *data, size_t n);

#endif
