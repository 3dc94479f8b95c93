/* netkeep: the takeover RAM system keeps the old system's DHCPv4 leases
 * (issue 16 §5), so a long fsck or image write over SSH does not lose the
 * machine when the lease runs out.
 *
 * Stage 0 copies the lease files of the old system's DHCP client into the
 * RAM root (netkeep_collect): systemd-networkd's
 * /run/systemd/netif/leases/IFINDEX (as NETKEEP_DIR/networkd/IFNAME) and
 * ISC dhclient's /var/lib/dhcp/dhclient*.leases files (as NETKEEP_DIR/dhclient/NAME).
 * PID 1, once the old userland (and with it that client) is stopped, starts
 * one child (netkeep_start) that runs rescue/netup on core/loop for each
 * interface whose leased address is still on it: dhcp4c_adopt takes the
 * lease over and renews it at once (unicast to the known server, else a
 * broadcast REQUEST for the same address), then at T1 as usual. */
#ifndef LIFEBOAT_RESCUE_NETKEEP_H
#define LIFEBOAT_RESCUE_NETKEEP_H

#include <sys/types.h>

#include "rescue/carry.h"

#define NETKEEP_DIR "/lifeboat/leases"

/* Stage 0: copies the lease files found into c's root. Returns how many. */
int netkeep_collect(struct carry *c);

/* PID 1: the leases beneath dir whose address is on its interface; forks
 * the keeper for them. Returns its pid, 0 when there is nothing to keep,
 * or -errno. The child never returns. */
pid_t netkeep_start(const char *dir);

#endif
