/* status: the live status of a running `lifeboat serve`: a Unix socket
 * that `lifeboat status` asks (root only), the optional --status HTTP
 * listener (/status.json, /metrics, / as HTML), the table drawn above the
 * scrolling log on a terminal, SIGUSR1's dump to the log, and the sweep
 * that logs each client's timeline at its hand-off or the cause when it
 * stops. Readers of the client records (clients.h); the rendering is
 * status_render's. Sockets are opened before the privilege drop; the
 * connections are few, non-blocking and bounded in bytes and time. */
#ifndef LIFEBOAT_NETBOOT_STATUS_H
#define LIFEBOAT_NETBOOT_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/loop.h"
#include "netboot/clients.h"
#include "netboot/status_render.h"
#include "netboot/timeline.h"

#define STATUS_SOCKET_DEFAULT "/run/lifeboat/serve.sock"
#define STATUS_CONNS 8		  /* socket and HTTP connections at once, together */
#define STATUS_OUT_MAX (2u << 20) /* bytes of one answer: 1024 clients in JSON */

struct status_cfg {
	struct loop *l;
	struct clients *c;
	const char *socket_path; /* NULL or "": no socket */
	const char *http_addr;	 /* --status ADDR:PORT, NULL: none */
	bool live;		 /* draw the table on a terminal (unless --no-status) */
	int tty_fd;		 /* where the log goes (2) */
	/* fills what the records do not hold (services' counters) */
	void (*extra)(void *arg, struct status_extra *x);
	void *extra_arg;
	struct timeline_cfg tl; /* when a quiet client is handed off or stopped */
};

struct status_srv;

/* Opens the socket and listener (as root, before the drop), arms the
 * sweep and the terminal. 0, or -errno (logged) when --status cannot be
 * bound; a socket path that cannot be used is a warning only. */
int status_start(struct status_srv **out, const struct status_cfg *cfg);
void status_stop(struct status_srv *s);
/* SIGUSR1: the table and the counters into the log. */
void status_dump(struct status_srv *s);
/* SIGWINCH: the table follows the terminal's new size. */
void status_resize(struct status_srv *s);

/* `lifeboat status`'s request over the socket: "table WIDTH", "json" or
 * "metrics", one line. Parses it; 0 or -EBADMSG. */
enum status_req { STATUS_REQ_TABLE, STATUS_REQ_JSON, STATUS_REQ_METRICS };
int status_parse_request(const char *line, size_t n, enum status_req *req, unsigned *width);

#endif
