/* tftp: the read-only TFTP server of `lifeboat serve`.
 *
 * One listening socket (AF_INET6 dual-stack when bind_addr is NULL, else one
 * socket of the literal's family) on the configured port. Each read request
 * gets its own transfer: a UDP socket bound to the local address the request
 * came to (learnt through IP_PKTINFO / IPV6_RECVPKTINFO) and connected to the
 * client, its own loop_watch and loop_timer, and one buffer of
 * blksize * windowsize bytes filled with one pread per window and sent with
 * one sendmmsg. Options: blksize (capped by max_blksize and the route MTU),
 * tsize, timeout, windowsize (RFC 2347/2348/2349/7440). Write requests are
 * refused. netascii is served as octet, without conversion. */
#ifndef LIFEBOAT_NETBOOT_TFTP_H
#define LIFEBOAT_NETBOOT_TFTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/loop.h"
#include "netboot/fsroot.h"

/* A file served from memory. release (may be NULL) is called with cookie
 * once the transfer no longer needs data. */
struct tftp_vfile {
	const void *data;
	size_t len;
	void (*release)(void *cookie);
	void *cookie;
	/* has_fd: serve len bytes of the open file fd instead of data (a file
	 * outside the root opened before privileges were dropped); the server
	 * dup()s it per transfer and never closes the caller's fd. */
	bool has_fd;
	int fd;
};

/* Optional hook: serve.c uses it for generated files (pxelinux cfg, iPXE
 * scripts). Return 1 and fill *vf to serve memory, 0 to fall through to the
 * filesystem, -errno to refuse (-ENOENT: error 1, anything else: error 2). */
typedef int (*tftp_lookup_fn)(void *arg, const char *clean_path, const struct sockaddr *peer,
			      struct tftp_vfile *vf);

/* What a finished or failed transfer reports (for status/metrics). */
struct tftp_xfer_report {
	const struct sockaddr *peer;
	const char *path; /* cleaned path */
	uint64_t bytes;	  /* bytes acknowledged by the client */
	uint64_t msecs;
	unsigned blksize, windowsize;
	bool ok;
	bool size_probe;    /* client aborted after learning tsize: normal */
	const char *reason; /* NULL when ok */
};

struct tftp_config {
	const struct fsroot *root; /* files come from here; NULL = only lookup */
	uint16_t port;		   /* 0 = 69 */
	bool ephemeral_port;	   /* bind port 0 instead (tests); see tftp_server_port */
	const char *bind_addr;	   /* NULL = any (v4+v6); else an IP literal */
	unsigned max_blksize;	   /* cap; 0 = 1468; the route MTU caps it further */
	unsigned max_windowsize;   /* cap; 0 = 64 */
	unsigned timeout_ms;	   /* 0 = 1000; a client's timeout option overrides */
	unsigned retries;	   /* 0 = 5 resends of one window, then give up */
	unsigned max_transfers;	   /* 0 = 1024; over it: error 0 "server busy" */
	/* NULL = accept all; else requests from interfaces it refuses are dropped */
	bool (*accept_ifindex)(void *arg, int ifindex);
	void *accept_arg;
	tftp_lookup_fn lookup;
	void *lookup_arg;
	/* Optional: called once per finished/failed transfer. */
	void (*on_done)(void *arg, const struct tftp_xfer_report *rep);
	void *on_done_arg;
};

struct tftp_server;

/* Opens and binds the listening socket (port 69 needs root or
 * CAP_NET_BIND_SERVICE) and registers it on l. Returns 0 or -errno
 * (-EADDRINUSE, -EACCES, -EINVAL for a bad bind_addr, -ENOMEM). */
int tftp_server_start(struct tftp_server **out, struct loop *l, const struct tftp_config *cfg);
/* Closes every socket and file, frees every transfer and s itself. */
void tftp_server_stop(struct tftp_server *s);
/* Transfers in progress. */
size_t tftp_server_active(const struct tftp_server *s);
/* The port the listening socket is bound to (useful with ephemeral_port). */
uint16_t tftp_server_port(const struct tftp_server *s);

#endif
