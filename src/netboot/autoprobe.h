/* autoprobe: the I/O of `serve --mode auto` (automode.h decides). One
 * packet socket per served IPv4 interface, on the event loop, never
 * blocking it: DHCPDISCOVERs out (probe_wire's, broadcast flag set; never
 * a REQUEST, so no lease is ever taken), and every DHCP reply to udp/68 on
 * the link in (a filter in the kernel passes only those), so an address
 * offered by another server to anyone turns addressing off at once. The
 * decision per interface is handed to set_addressing (the DHCPv4 server's
 * per-interface switch) and logged. */
#ifndef LIFEBOAT_NETBOOT_AUTOPROBE_H
#define LIFEBOAT_NETBOOT_AUTOPROBE_H

#include <stdbool.h>

#include "core/loop.h"
#include "netboot/automode.h"
#include "netboot/iface.h"

struct autoprobe_config {
	const struct iface_set *ifs;
	struct auto_timing timing;
	void (*set_addressing)(void *arg, int ifindex, bool on);
	void *arg;
};

struct autoprobe;
/* Reads which interface addresses came from DHCP (rtnetlink), opens the
 * packet sockets (CAP_NET_RAW: before the privilege drop), sends the first
 * DISCOVERs. Addressing stays off until an interface's window ends in
 * silence. 0 or -errno. */
int autoprobe_start(struct autoprobe **out, struct loop *l, const struct autoprobe_config *cfg);
void autoprobe_stop(struct autoprobe *p);

#endif
