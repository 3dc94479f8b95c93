/* counters: what /metrics counts that the client records alone cannot say:
 * DHCP replies by protocol, type and architecture, transfers started, done
 * and failed (by reason), bytes by protocol, boots handed off or stalled.
 * Fed by clients.c from the DHCP notes and the transports' events, read by
 * status_render. Pure and fixed-size: label values beyond the table's room
 * are counted under "other". */
#ifndef LIFEBOAT_NETBOOT_COUNTERS_H
#define LIFEBOAT_NETBOOT_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netboot/xfer.h"

#define COUNTERS_LABELS 24 /* distinct archs / failure reasons kept apart */
#define COUNTERS_LABEL_MAX 24

enum counters_dhcp { CTR_DHCP4, CTR_DHCP6, CTR_DHCPS };
enum counters_reply { CTR_OFFER, CTR_ANSWER, CTR_REPLIES }; /* answer: 4011 ACK or v6 Reply */
enum counters_xproto { CTR_TFTP, CTR_HTTP, CTR_XPROTOS };

/* A small set of label values, interned: the last slot is "other". */
struct counters_labels {
	char v[COUNTERS_LABELS][COUNTERS_LABEL_MAX];
	size_t n;
};

struct counters {
	struct counters_labels arch, reason;
	uint64_t replies[CTR_DHCPS][CTR_REPLIES][COUNTERS_LABELS];
	uint64_t unanswered[CTR_DHCPS]; /* a client's packet we stayed silent to */
	uint64_t started[CTR_XPROTOS], done[CTR_XPROTOS];
	uint64_t failed[CTR_XPROTOS][COUNTERS_LABELS];
	uint64_t bytes[CTR_XPROTOS];
	uint64_t handoffs, stalls;
};

void counters_init(struct counters *c);
/* The slot of value in l, added when new ("other" once full). */
size_t counters_label(struct counters_labels *l, const char *value);
/* A DHCP note: answered (offer/answer) or not, by arch. */
void counters_dhcp(struct counters *c, enum counters_dhcp proto, int reply, const char *arch);
/* A transport event (xfer.h); reason of a failure from ev->reason. */
void counters_xfer(struct counters *c, const struct xfer_event *ev);

#endif
