/* tftp: the read-only TFTP server of `lifeboat serve`.
 *
 * One listening socket (AF_INET6 dual-stack when bind_addr is NULL, else one
 * socket of the literal's family) on the configured port. Each read request
 * gets its own transfer: a UDP socket bound to the local address the request
 * came to (learnt through IP_PKTINFO / IPV6_RECVPKTINFO) and connected to the
 * client, its own loop_watch and loop_timer, and one buffer of at least
 * blksize * windowsize bytes (16 KiB or more: it reads ahead for lockstep
 * clients) filled with one pread and sent from with one sendmmsg per window.
 * With xfer_sockets, transfers share a few sockets instead (batched sends
 * and receives across transfers); with single_port, the listening socket. Options: blksize (capped
 * by max_blksize and the route MTU), tsize, timeout, windowsize (RFC 2347/2348/2349/7440). Write
 * requests are refused. netascii is served as octet, without conversion. */
#ifndef LIFEBOAT_NETBOOT_TFTP_H
#define LIFEBOAT_NETBOOT_TFTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/loop.h"
#include "netboot/bootfiles.h"
#include "netboot/xfer.h"

/* Fills *f with the file to send for clean_path (fsroot-clean) and returns
 * 1, or returns -errno to refuse (-ENOENT: error 1 "file not found",
 * anything else: error 2). serve's resolver is bootfiles_resolve. */
typedef int (*tftp_lookup_fn)(void *arg, const char *clean_path, const struct sockaddr *peer,
			      struct bootfile *f);

/* What a finished or failed transfer reports to on_done. */
struct tftp_xfer_report {
	const struct sockaddr *peer;
	const char *path; /* cleaned path */
	uint64_t bytes;	  /* bytes acknowledged by the client */
	uint64_t msecs;
	unsigned blksize, windowsize;
	bool ok;
	bool size_probe;      /* client aborted after learning tsize: normal */
	const char *reason;   /* NULL when ok */
	unsigned rtt_samples; /* round trips measured (Karn: never of a resent block) */
	unsigned srtt_ms;     /* smoothed round trip, when rtt_samples > 0 */
	unsigned timeouts;    /* retransmission timeouts that fired */
};

struct tftp_config {
	uint16_t port;		 /* 0 = 69 */
	bool ephemeral_port;	 /* bind port 0 instead (tests); see tftp_server_port */
	const char *bind_addr;	 /* NULL = any (v4+v6); else an IP literal */
	unsigned max_blksize;	 /* cap; 0 = 1468; the route MTU caps it further */
	unsigned max_windowsize; /* cap; 0 = 64 */
	/* Retransmission: the timeout adapts to the measured round trip
	 * (RFC 6298 SRTT/RTTVAR, Karn's rule) between min_timeout_ms and
	 * timeout_ms, doubling on each timeout; timeout_ms is also the value
	 * before the first measurement. A client's RFC 2349 timeout option
	 * replaces both: a fixed interval, as it asked. */
	unsigned timeout_ms;	 /* 0 = 1000 */
	unsigned min_timeout_ms; /* 0 = 5; >= timeout_ms: a fixed timeout */
	unsigned retries;	 /* 0 = 5 timeouts at the full timeout_ms, then give up */
	unsigned max_transfers;	 /* 0 = 1024; over it: no reply (the client repeats) */
	/* Per client address: more concurrent transfers get error 0. */
	unsigned max_per_client; /* 0 = 32 */
	/* Bytes all transfers' buffers may take; when short, windowsize and
	 * blksize are negotiated down (RFC 7440/2348), at the end no reply
	 * (as when busy). One transfer never takes more than 1 MiB. */
	size_t mem_budget; /* 0 = 64 MiB */
	/* No progress (no new block acknowledged) for this long: give up,
	 * whatever the timeout and retries say. */
	unsigned max_stall_ms; /* 0 = 20000 */
	/* Requests answered per second per client address (burst: twice
	 * that) and in all; the rest are dropped (the client repeats). */
	unsigned rate_per_client; /* 0 = 32 */
	unsigned rate_global;	  /* 0 = 500 */
	/* Every reply leaves from the listening socket (port 69), transfers
	 * told apart by the client's address:port (NAT, containers,
	 * firewalls that only pass udp/69), instead of one socket per transfer
	 * with a fresh port (RFC 1350's TID). */
	bool single_port;
	/* Transfers share this many sockets, each on its own ephemeral port
	 * (given out in turn, so a client's next transfer gets another one),
	 * told apart by the client's address:port: per loop turn one
	 * recvmmsg reads many transfers' ACKs and one sendmmsg sends their
	 * DATA. 0 = one connected socket per transfer. Ignored with
	 * single_port. At most TFTP_MAX_XFER_SOCKETS. */
	unsigned xfer_sockets;
	/* NULL = accept all; else requests from interfaces it refuses are dropped */
	bool (*accept_ifindex)(void *arg, int ifindex);
	void *accept_arg;
	tftp_lookup_fn lookup;
	void *lookup_arg;
	/* Optional: called once per finished/failed transfer, after its log
	 * line. serve sets none yet; the unit tests read how a transfer ended. */
	void (*on_done)(void *arg, const struct tftp_xfer_report *rep);
	void *on_done_arg;
	const struct xfer_observer *obs; /* NULL: nobody listens (see xfer.h) */
};

#define TFTP_MAX_XFER_SOCKETS 64

struct tftp_server;

/* Opens and binds the listening socket (port 69 needs root or
 * CAP_NET_BIND_SERVICE) and registers it on l. Returns 0 or -errno
 * (-EADDRINUSE, -EACCES, -EINVAL for a bad bind_addr, -ENOMEM). */
int tftp_server_start(struct tftp_server **out, struct loop *l, const struct tftp_config *cfg);
/* Closes every socket and file, frees every transfer and s itself. */
void tftp_server_stop(struct tftp_server *s);
/* The most file descriptors the server can hold open at once with cfg:
 * the listening socket, per transfer its socket and its file, one
 * transient socket (a refusal, a route MTU lookup) and slack. serve.c
 * sizes RLIMIT_NOFILE with it. */
size_t tftp_fds_needed(const struct tftp_config *cfg);
/* Transfers in progress. */
size_t tftp_server_active(const struct tftp_server *s);
/* Requests refused by the rate limits since start-up. */
uint64_t tftp_server_ratelimited(const struct tftp_server *s);
/* The port the listening socket is bound to (useful with ephemeral_port). */
uint16_t tftp_server_port(const struct tftp_server *s);

#endif
