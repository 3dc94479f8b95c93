/* http: the HTTP/1.1 file server of `lifeboat serve`.
 *
 * GET and HEAD of files beneath the served root (fsroot) and of in-memory
 * files a lookup hook generates (an iPXE script). One Range, keep-alive,
 * pipelining, sendfile(2) from the page cache on non-blocking sockets, all in
 * the caller's event loop: every connection is one malloc'd struct with its
 * own loop_watch and loop_timer, and no other allocation happens per request.
 *
 * http_server_start() ignores SIGPIPE process-wide: sendfile(2) has no
 * MSG_NOSIGNAL, and a client closing mid-transfer must not kill the server. */
#ifndef LIFEBOAT_NETBOOT_HTTP_H
#define LIFEBOAT_NETBOOT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/loop.h"
#include "netboot/bootfiles.h"
#include "netboot/xfer.h"

/* Fills *f with the file to send for clean_path ("ipxe/boot.ipxe", fsroot
 * clean) and returns 1, or returns -errno to refuse (-ENOENT 404, -EACCES
 * 403, anything else 500). serve's resolver is bootfiles_resolve. */
typedef int (*http_lookup_fn)(void *arg, const char *clean_path, const struct sockaddr *peer,
			      struct bootfile *f);

/* A POST to clean_path with its body (at most HTTP_POST_MAX bytes, read in
 * full): returns the status to answer (204 taken, 404 no such path, 429
 * too many). peer: the client. */
#define HTTP_POST_MAX 512
typedef int (*http_post_fn)(void *arg, const char *clean_path, const char *body, size_t len,
			    const struct sockaddr *peer);

struct http_config {
	uint16_t port;		       /* 0 = default 80 */
	bool any_port;		       /* bind port 0 (tests); see http_server_port() */
	const char *bind_addr;	       /* NULL = any (v4+v6); else a numeric IPv4/IPv6 */
	unsigned max_conns;	       /* default 1024 */
	unsigned max_conns_per_peer;   /* connections one client address may hold; default 32 */
	unsigned idle_timeout_ms;      /* a stalled send; default 30000 */
	unsigned keepalive_timeout_ms; /* idle between requests; default 15000 */
	/* A request head must be complete within this of its first byte (the
	 * first request: of the connection's accept); blank lines and partial
	 * heads never extend it. Default 10000. */
	unsigned header_timeout_ms;
	/* Listen only on these interfaces (one SO_BINDTODEVICE listener each;
	 * connections arriving elsewhere are refused by the kernel). None:
	 * the wildcard listener. */
	const char *const *ifaces;
	size_t n_ifaces;
	http_lookup_fn lookup;
	void *lookup_arg;
	http_post_fn post; /* NULL: every POST is 405 */
	void *post_arg;
	const struct xfer_observer *obs; /* NULL: nobody listens */
};

struct http_server;

/* Binds, listens and registers with l. Returns 0 or -errno (-EADDRINUSE,
 * -EACCES for port 80 without privilege, -EINVAL for a bad bind_addr). */
int http_server_start(struct http_server **out, struct loop *l, const struct http_config *cfg);
/* Closes the listeners and every connection (releasing vfiles, logging
 * transfers cut short as http.abort) and frees s. Call it after loop_run()
 * returns or from a timer callback, not from an fd or signal callback: those
 * run inside an epoll batch that may still hold events for the connections
 * this frees (the loop forbids freeing another object's watch there). For
 * SIGTERM: loop_stop() in the signal callback, http_server_stop() after. */
void http_server_stop(struct http_server *s);
/* Open client connections. */
size_t http_server_active(const struct http_server *s);
/* The bound TCP port (useful with any_port). */
uint16_t http_server_port(const struct http_server *s);

#endif
