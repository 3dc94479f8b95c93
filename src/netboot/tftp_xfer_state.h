/* tftp_xfer_state: the decisions of one TFTP read transfer, pure (no sockets,
 * no clock reads: the caller passes now_ms): which ACK moves the window, what
 * to send next, when to resend and when to give up. tftp.c does the I/O;
 * tests/unit/test_tftp_xfer.c and fuzz/fuzz_tftp_xfer.c drive it with a fake
 * clock.
 *
 * Blocks are counted from 1 in 64 bits; only the wire sees index & 0xffff.
 *
 *   tftp_xs_init(&xs, &lim, last, window, oack, rto_min, rto_max, now);
 *   (send OACK or tftp_xs_window + put next_send..win_end on the wire,
 *    tftp_xs_sent per datagram batch, then tftp_xs_arm)
 *   ACK arrives:  tftp_xs_ack(&xs, block, &rx) ... tftp_xs_act(&xs, &rx, now)
 *   timer fires:  tftp_xs_timeout(&xs, now) */
#ifndef LIFEBOAT_NETBOOT_TFTP_XFER_STATE_H
#define LIFEBOAT_NETBOOT_TFTP_XFER_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "netboot/tftp_rto.h"

/* When a transfer gives up (see doc/tftp.md "Giving up"). */
struct tftp_xs_limits {
	unsigned retries;	      /* timeouts at the full RTO, once confirmed */
	unsigned unconfirmed_resends; /* timer resends before the client ever answered */
	uint64_t max_stall_ms;	      /* no progress for this long: give up, whatever the RTO */
};

/* What one receive batch told a transfer; acted on once per batch. */
struct tftp_rx {
	uint64_t best;	 /* highest new block acknowledged */
	bool oack_acked; /* ACK 0 while waiting for it */
	bool repeated;	 /* the current ACK again: a loss report (RFC 7440) */
	bool any;	 /* some ACK of this transfer arrived */
};

enum tftp_xs_do {
	TFTP_XS_NOTHING,
	TFTP_XS_SEND,	   /* put blocks next_send .. win_end on the wire, then arm */
	TFTP_XS_SEND_OACK, /* (re)send the OACK, then arm */
	TFTP_XS_DONE,	   /* the last block is acknowledged */
	TFTP_XS_GIVE_UP,   /* timed out: end the transfer */
};

struct tftp_xs {
	struct tftp_xs_limits lim;
	uint64_t last;	      /* index of the final (short, maybe empty) block */
	uint64_t acked;	      /* highest block the client acknowledged */
	uint64_t next_send;   /* next block to put on the wire */
	uint64_t win_end;     /* last block of the current window */
	uint64_t high;	      /* highest block ever sent */
	uint64_t fast_resent; /* acked value a repeated ACK already resent for */
	uint64_t probed;      /* acked value a timeout already probed the tail for */
	unsigned window;
	bool oack_wait; /* OACK sent, waiting for ACK 0 */
	/* The client answered (an ACK of this transfer): before that the
	 * source may be spoofed, so it gets the minimum (lim.unconfirmed_resends)
	 * and no ERROR when given up. */
	bool confirmed;
	unsigned tries;	   /* full-RTO timeouts since the last progress */
	unsigned timeouts; /* every timeout that fired */
	unsigned resends;  /* timer resends while unconfirmed */
	/* adaptive retransmission: one block (or the OACK: block 0) at a time
	 * is timed; Karn: resending it cancels the measurement */
	struct tftp_rto rto;
	bool timing;
	uint64_t timed_block, timed_at_ms;
	uint64_t progress_ms; /* start, or when the client last acknowledged something new */
	uint64_t deadline_ms; /* when the next timeout is due (tftp_xs_arm) */
};

/* A transfer of blocks 1..last, window blocks at a time; oack: an OACK is
 * sent first and ACK 0 awaited. RTO in [rto_min_ms, rto_max_ms]. */
void tftp_xs_init(struct tftp_xs *xs, const struct tftp_xs_limits *lim, uint64_t last,
		  unsigned window, bool oack, uint32_t rto_min_ms, uint32_t rto_max_ms,
		  uint64_t now_ms);
/* Notes one ACK (its 16-bit block) in rx; duplicates and ACKs of blocks
 * never sent are ignored (Sorcerer's Apprentice). */
void tftp_xs_ack(const struct tftp_xs *xs, uint16_t block, struct tftp_rx *rx);
/* Acts once on a batch: SEND (window set), DONE or NOTHING. */
enum tftp_xs_do tftp_xs_act(struct tftp_xs *xs, const struct tftp_rx *rx, uint64_t now_ms);
/* The retransmission timer fired at now_ms >= deadline_ms: GIVE_UP, or what
 * to resend (SEND with next_send..win_end set, or SEND_OACK). */
enum tftp_xs_do tftp_xs_timeout(struct tftp_xs *xs, uint64_t now_ms);
/* The client repeated its request (our first reply was lost): SEND,
 * SEND_OACK, or NOTHING once it has acknowledged data (a stale RRQ). */
enum tftp_xs_do tftp_xs_rerequest(struct tftp_xs *xs);
/* Starts the window after acked (go-back-N). */
void tftp_xs_window(struct tftp_xs *xs);
/* Blocks first .. first+sent-1 went out at now_ms. */
void tftp_xs_sent(struct tftp_xs *xs, uint64_t first, unsigned sent, uint64_t now_ms);
/* The OACK went out at now_ms (resend: not timed, Karn). */
void tftp_xs_oack_sent(struct tftp_xs *xs, bool resend, uint64_t now_ms);
/* Sets deadline_ms: one RTO from now, never past the stall bound. */
void tftp_xs_arm(struct tftp_xs *xs, uint64_t now_ms);

#endif
