/* netup: brings up the network of a rescue system on the one event loop:
 * lo, then every wired interface (found in /sys/class/net: Ethernet with a
 * device behind it, not wireless, not a bridge or other virtual link) with
 * a DHCPv4 client each (rescue/dhcp4c) renewing for as long as the loop
 * runs, or the static setup or none that ip= asks for. Interfaces that
 * appear later (slow drivers, USB) are picked up by a periodic rescan. */
#ifndef LIFEBOAT_RESCUE_NETUP_H
#define LIFEBOAT_RESCUE_NETUP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/loop.h"
#include "rescue/dhcp4c.h"
#include "rescue/kcmdline.h"

#define NETUP_MAX_IFS 16
#define NETUP_RESOLV "/etc/resolv.conf"

struct netup;

struct netup_if {
	char name[16];
	int ifindex;
	uint8_t mac[6];
	int fd; /* UDP 68 bound to this device; -1 when static */
	struct loop_watch w;
	struct loop_timer t;
	struct dhcp4c c;
	bool configured;     /* c.lease (or the static address) is on the interface */
	uint64_t started_ms; /* when the client was set up (carrier wait) */
	bool first_sent;     /* the first DISCOVER went out */
	struct netup *up;
};

/* Called when an interface got (up) or lost its address; the address is
 * i->c.lease.addr. */
typedef void (*netup_cb)(void *arg, struct netup_if *i, bool up);

struct netup {
	struct loop *l;
	int rtnl;
	struct kcmd_ip ip;
	char hostname[64];
	struct netup_if ifs[NETUP_MAX_IFS];
	unsigned n;
	struct loop_timer scan;
	unsigned scans;
	netup_cb cb;
	void *arg;
	const char *resolv; /* NETUP_RESOLV; tests point it elsewhere */
	const char *sysnet; /* "/sys/class/net" */
	/* A lease to take over instead of a DISCOVER (rescue/netkeep: the
	 * takeover RAM system), with ip.device naming its interface. */
	const struct dhcp4c_lease *adopt;
};

/* Starts: lo up, the first scan, DHCP or static per ip. u is zeroed by
 * the caller (resolv and sysnet may be set first: tests). 0 or -errno (no
 * netlink socket). */
int netup_start(struct netup *u, struct loop *l, const struct kcmd_ip *ip, netup_cb cb, void *arg);

/* Releases every lease and stops (before a reboot). */
void netup_stop(struct netup *u);

/* Whether /sys/class/net/NAME describes a wired interface we configure:
 * dir is that directory (pure on what it reads there). */
bool netup_is_wired(const char *dir);

/* Writes resolv.conf for a lease (tmp file + rename). 0 or -errno. */
int netup_write_resolv(const char *path, const struct dhcp4c_lease *l);

/* Text of resolv.conf for a lease; its length or -ENOBUFS. */
int netup_resolv_text(char *out, size_t cap, const struct dhcp4c_lease *l);

#endif
