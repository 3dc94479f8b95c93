/* serve_clients: keeps the client records (clients.h) and feeds them from
 * the transports' events; transfers learn the client's MAC here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/serve.h"

static void serve_clients_event(void *arg, const struct xfer_event *ev)
{
	struct serve_state *st = arg;
	struct client_rec *r = clients_find_addr(st->clients, ev->peer);
	uint64_t now = loop_now_ms(&st->loop);
	if (!r)
		return; /* no DHCP stage seen: a curl, or a client of another server */
	r->last_ms = now;
	enum client_proto p = ev->proto == XFER_TFTP ? CLIENT_TFTP : CLIENT_HTTP;
	switch (ev->kind) {
	case XFER_START:
		clients_file_start(r, p, ev->file, ev->size, now);
		break;
	case XFER_DONE:
		clients_file_end(r, ev->file, ev->bytes, 0, NULL, now);
		break;
	case XFER_FAIL:
		clients_file_end(r, ev->file, ev->bytes, ev->err ? ev->err : -EIO, ev->reason,
				 now);
		break;
	}
}

static bool serve_clients_mac_of(void *arg, const struct sockaddr *peer, char out[18])
{
	struct serve_state *st = arg;
	const struct client_rec *r = clients_find_addr(st->clients, peer);
	if (!r)
		return false;
	memcpy(out, r->mac_str, 18);
	return true;
}

int serve_clients_start(struct serve_state *st)
{
	st->clients = malloc(sizeof *st->clients);
	if (!st->clients)
		return -ENOMEM;
	clients_init(st->clients);
	st->xfer_obs = (struct xfer_observer){
	    .event = serve_clients_event,
	    .mac_of = serve_clients_mac_of,
	    .arg = st,
	};
	return 0;
}

void serve_clients_stop(struct serve_state *st)
{
	free(st->clients);
	st->clients = NULL;
}
