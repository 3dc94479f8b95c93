/* sys: syscall wrappers and small system queries shared by both halves:
 * the one openat2 shim, the one capability check, the one clock. */
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

/* openat2(2) (musl's headers lack it; the kernel ABI is stable). resolve
 * is a mask of SYS_RESOLVE_*. Returns an fd or -errno (-ENOSYS on kernels
 * before 5.6: callers fall back to walking the path themselves). */
#define SYS_RESOLVE_NO_XDEV 0x01
#define SYS_RESOLVE_NO_MAGICLINKS 0x02
#define SYS_RESOLVE_NO_SYMLINKS 0x04
#define SYS_RESOLVE_BENEATH 0x08
#define SYS_RESOLVE_IN_ROOT 0x10
int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);

/* A fresh reading of clock clk (CLOCK_MONOTONIC, CLOCK_BOOTTIME, ...) in
 * milliseconds / microseconds. */
uint64_t sys_clock_ms(int clk);
uint64_t sys_clock_us(int clk);

/* The first line of the small file DIR/NAME (a sysfs attribute) into
 * out[cap], without its newline: the bytes read (0 for an empty file), or
 * -errno (-ENAMETOOLONG when the path does not fit). */
int sys_read_line(const char *dir, const char *name, char *out, size_t cap);

struct utsname;
/* uname(2) of this host, asked once and kept: later callers (a reload
 * under the seccomp filter, which does not allow uname) get the same
 * answer. NULL when uname failed. */
const struct utsname *sys_uname(void);

#endif
