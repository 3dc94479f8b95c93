/* xfer: what the file transports (TFTP, HTTP) tell the wiring about each
 * transfer, without knowing who listens: serve feeds the client records
 * (clients.h) from it, and names each transfer's client by MAC. */
#ifndef LIFEBOAT_NETBOOT_XFER_H
#define LIFEBOAT_NETBOOT_XFER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

enum xfer_proto { XFER_TFTP, XFER_HTTP };
/* PROGRESS: bytes so far of a transfer in flight, at most a few times a
 * second per transfer (for the live status). */
enum xfer_kind { XFER_START, XFER_DONE, XFER_FAIL, XFER_PROGRESS };
#define XFER_PROGRESS_MS 250 /* at most one PROGRESS per transfer this often */

struct xfer_event {
	enum xfer_kind kind;
	enum xfer_proto proto;
	const struct sockaddr *peer;
	const char *file;   /* the name as the client asked (sanitised) */
	uint64_t size;	    /* 0: unknown */
	uint64_t bytes;	    /* DONE/FAIL/PROGRESS: bytes delivered */
	const char *reason; /* FAIL: short words */
	int err;	    /* FAIL: -errno-like cause, else 0 */
};

struct xfer_observer {
	void (*event)(void *arg, const struct xfer_event *ev);
	/* Writes the MAC of the machine that holds peer's address, as the
	 * DHCP stage saw it ("52:54:00:12:34:56"), into out[18]; false when
	 * unknown. */
	bool (*mac_of)(void *arg, const struct sockaddr *peer, char out[18]);
	void *arg;
};

#endif
