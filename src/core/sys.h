/* sys: small system queries shared by the roles. */
#ifndef LIFEBOAT_CORE_SYS_H
#define LIFEBOAT_CORE_SYS_H

#include <stddef.h>
#include <stdint.h>

/* Finds a process holding a socket bound to local port (proto "udp" or
 * "tcp", IPv4 and IPv6) from /proc/net and /proc/PID/fd. Returns its pid
 * and fills comm, or -ENOENT. */
int sys_port_owner(const char *proto, uint16_t port, char *comm, size_t cap);

/* 1 when the effective capability set has cap (a CAP_* number), 0 when
 * not, -errno when /proc/self/status cannot be read. */
int sys_has_cap(int cap);

#endif
