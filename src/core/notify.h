/* notify: the service manager's readiness protocol (sd_notify(3) without
 * libsystemd). When $NOTIFY_SOCKET names a socket (a path, or "@name" for
 * an abstract one), notify_open() connects a datagram socket to it once, at
 * start-up and before any sandbox, and the later messages are plain send()s
 * on that socket (allowed by serve's seccomp list, untouched by Landlock).
 * Without $NOTIFY_SOCKET every call does nothing.
 *
 * The connected socket is the one piece of process-wide state here, set by
 * notify_open() and only used afterwards (like core/log's configuration). */
#ifndef LIFEBOAT_CORE_NOTIFY_H
#define LIFEBOAT_CORE_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

/* $NOTIFY_SOCKET's value as an address: "/abs/path" or "@abstract". 0 and
 * *len set, or -EINVAL (empty, relative, too long). Pure. */
int notify_addr(const char *value, struct sockaddr_un *sa, socklen_t *len);

/* Connects to $NOTIFY_SOCKET and unsets it (children must not inherit it).
 * 1 when connected, 0 when the variable is unset, -errno on failure. */
int notify_open(void);

/* Whether notify_open() connected. */
int notify_enabled(void);

/* Sends one message ("READY=1\nSTATUS=..."); 0 or -errno; 0 when not
 * enabled. */
int notify_send(const char *msg);

/* The reload message: "RELOADING=1\nMONOTONIC_USEC=<now>" (+ "\nSTATUS=").
 * Formats into buf; returns its length, or 0 when cap is too small. Pure
 * (now_us is CLOCK_MONOTONIC in microseconds). */
size_t notify_reloading_msg(char *buf, size_t cap, uint64_t now_us, const char *status);

/* Sends the reload message with the current CLOCK_MONOTONIC. */
int notify_reloading(const char *status);

/* Closes the socket (tests). */
void notify_close(void);

#endif
