/* leasefile: the DHCPv4 lease an old system's client holds, from its lease
 * file (pure, through core/buf, fuzzed): systemd-networkd's
 * /run/systemd/netif/leases/IFINDEX (KEY=VALUE lines) and ISC dhclient's
 * /var/lib/dhcp/dhclient*.leases (lease { ... } blocks, the last one for an
 * interface is the current one). The takeover RAM system renews that lease
 * itself (rescue/netup, rescue/dhcp4c) so the address stays. */
#ifndef LIFEBOAT_RESCUE_LEASEFILE_H
#define LIFEBOAT_RESCUE_LEASEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEASE4_MAX_DNS 3

struct lease4 {
	char ifname[16]; /* dhclient's interface "..."; "" for networkd (file name) */
	uint8_t addr[4], mask[4], router[4], server[4];
	bool has_mask, has_router, has_server;
	uint8_t dns[LEASE4_MAX_DNS][4];
	uint8_t n_dns;
	uint32_t lease_s; /* 0: not given */
	int64_t expire;	  /* Unix time the lease ends (dhclient), 0: not given */
};

/* systemd-networkd's lease file. 0 when it names an address, -ENOENT when
 * not, -EBADMSG for NUL bytes. */
int leasefile_networkd(const void *text, size_t len, struct lease4 *l);

/* dhclient's leases file: the last complete block for ifname (any
 * interface when ifname is NULL or ""). 0, -ENOENT (none), -EBADMSG. */
int leasefile_dhclient(const void *text, size_t len, const char *ifname, struct lease4 *l);

/* "a.b.c.d" (exactly, n bytes) into out; 0 or -EINVAL. */
int leasefile_ip(const char *s, size_t n, uint8_t out[4]);

/* Days since 1970-01-01 of a proleptic Gregorian date (pure timegm). */
int64_t leasefile_days(int y, int m, int d);

#endif
