/* rtnl: the few rtnetlink requests an init needs to configure IPv4 on an
 * interface: link up and MTU, an address with its lease lifetime, a
 * default route. Synchronous request/ACK on one NETLINK_ROUTE socket. */
#ifndef LIFEBOAT_RESCUE_RTNL_H
#define LIFEBOAT_RESCUE_RTNL_H

#include <stdbool.h>
#include <stdint.h>

/* A netlink socket, or -errno. */
int rtnl_open(void);
/* Sets the link up (and its MTU when mtu is not 0). 0 or -errno. */
int rtnl_link_up(int fd, int ifindex, unsigned mtu);
/* Adds (replaces) or deletes addr/prefix with broadcast; valid_s is the
 * lifetime (0xffffffff: forever), so the kernel drops an address whose
 * lease ran out even if we cannot. 0 or -errno. */
int rtnl_addr(int fd, bool add, int ifindex, const uint8_t addr[4], uint8_t prefix,
	      uint32_t valid_s);
/* Adds (replaces) or deletes the default route via gw on ifindex with
 * metric: one per interface, so two interfaces' routes coexist and the
 * lower metric is used. */
int rtnl_default_route(int fd, bool add, int ifindex, const uint8_t gw[4], uint32_t metric);

#endif
