/* tftp_xfer_state: window, ACK, resend and give-up decisions of one TFTP
 * transfer (pure; see the header and doc/tftp.md). */
#include "netboot/tftp_xfer_state.h"

#include <string.h>

void tftp_xs_init(struct tftp_xs *xs, const struct tftp_xs_limits *lim, uint64_t last,
		  unsigned window, bool oack, uint32_t rto_min_ms, uint32_t rto_max_ms,
		  uint64_t now_ms)
{
	memset(xs, 0, sizeof *xs);
	xs->lim = *lim;
	if (!xs->lim.max_stall_ms) /* no bound: far enough never to overflow */
		xs->lim.max_stall_ms = UINT64_MAX / 4;
	xs->last = last ? last : 1;
	xs->window = window ? window : 1;
	xs->oack_wait = oack;
	xs->fast_resent = UINT64_MAX;
	xs->probed = UINT64_MAX;
	xs->progress_ms = now_ms;
	xs->deadline_ms = now_ms;
	tftp_rto_init(&xs->rto, rto_min_ms, rto_max_ms);
}

void tftp_xs_ack(const struct tftp_xs *xs, uint16_t block, struct tftp_rx *rx)
{
	rx->any = true;
	if (xs->oack_wait) {
		rx->oack_acked |= block == 0;
		return;
	}
	/* Maps the 16-bit ACK to an absolute block: 0 for a duplicate, an
	 * old block or a block never sent. */
	uint16_t delta = (uint16_t)(block - (uint16_t)xs->acked);
	if (delta != 0 && delta <= xs->high - xs->acked && xs->acked + delta > rx->best)
		rx->best = xs->acked + delta;
	/* The same ACK again while more was sent: an RFC 7440 client saying
	 * a block of the window got lost. */
	rx->repeated |= block == (uint16_t)xs->acked && xs->high > xs->acked;
}

void tftp_xs_window(struct tftp_xs *xs)
{
	xs->next_send = xs->acked + 1;
	xs->win_end = xs->acked + xs->window;
	if (xs->win_end > xs->last)
		xs->win_end = xs->last;
}

static void tftp_xs_rtt(struct tftp_xs *xs, uint64_t now_ms)
{
	uint64_t d = now_ms > xs->timed_at_ms ? now_ms - xs->timed_at_ms : 0;
	tftp_rto_sample(&xs->rto, d * 1000);
	xs->timing = false;
}

enum tftp_xs_do tftp_xs_act(struct tftp_xs *xs, const struct tftp_rx *rx, uint64_t now_ms)
{
	if (rx->any)
		xs->confirmed = true;
	if (rx->oack_acked && xs->oack_wait) {
		if (xs->timing && xs->timed_block == 0)
			tftp_xs_rtt(xs, now_ms);
		xs->oack_wait = false;
		xs->tries = 0;
		xs->progress_ms = now_ms;
		tftp_xs_window(xs);
		return TFTP_XS_SEND;
	}
	if (rx->best > xs->acked && rx->best <= xs->high) {
		if (xs->timing && rx->best >= xs->timed_block)
			tftp_xs_rtt(xs, now_ms);
		xs->acked = rx->best;
		xs->tries = 0;
		xs->progress_ms = now_ms;
		if (xs->acked >= xs->last)
			return TFTP_XS_DONE;
		tftp_xs_window(xs);
		return TFTP_XS_SEND;
	}
	/* Windowed transfers resend at once on a repeated ACK instead of
	 * waiting for the timer, but only once per acknowledged block, so
	 * duplicates can never feed a Sorcerer's Apprentice storm. Lockstep
	 * transfers keep to the timer (RFC 1350). */
	if (rx->repeated && !xs->oack_wait && xs->window > 1 && xs->fast_resent != xs->acked) {
		xs->fast_resent = xs->acked;
		tftp_xs_window(xs);
		return TFTP_XS_SEND;
	}
	return TFTP_XS_NOTHING;
}

enum tftp_xs_do tftp_xs_timeout(struct tftp_xs *xs, uint64_t now_ms)
{
	/* However the RTO and the retries add up (a client's timeout option,
	 * backoff), a transfer that makes no progress ends here. */
	if (now_ms >= xs->progress_ms + xs->lim.max_stall_ms)
		return TFTP_XS_GIVE_UP;
	/* Timeouts shorter than the full one are the adaptive part: they do
	 * not count toward giving up. */
	bool full = tftp_rto_at_max(&xs->rto);
	xs->timeouts++;
	if (!xs->confirmed) {
		/* Never answered: maybe a spoofed source. The minimum, then
		 * stop (a real client repeats its RRQ, which is answered). */
		if (xs->resends >= xs->lim.unconfirmed_resends)
			return TFTP_XS_GIVE_UP;
		xs->resends++;
	} else if (full && ++xs->tries > xs->lim.retries) {
		return TFTP_XS_GIVE_UP;
	}
	tftp_rto_backoff(&xs->rto);
	xs->timing = false;
	if (xs->oack_wait)
		return TFTP_XS_SEND_OACK;
	if (xs->window > 1 && xs->next_send > xs->win_end && xs->probed != xs->acked) {
		/* Tail loss probe (as TCP's, RFC 8985): the first timeout on a
		 * window resends only its last block. A lost tail block (which
		 * no later block reveals) or a lost ACK is repaired by one
		 * datagram. */
		xs->probed = xs->acked;
		xs->next_send = xs->win_end;
		return TFTP_XS_SEND;
	}
	tftp_xs_window(xs); /* resend from the first unacked block */
	return TFTP_XS_SEND;
}

enum tftp_xs_do tftp_xs_rerequest(struct tftp_xs *xs)
{
	if (xs->oack_wait)
		return TFTP_XS_SEND_OACK;
	if (xs->acked == 0) {
		xs->timing = false;
		tftp_xs_window(xs);
		return TFTP_XS_SEND;
	}
	return TFTP_XS_NOTHING;
}

void tftp_xs_sent(struct tftp_xs *xs, uint64_t first, unsigned sent, uint64_t now_ms)
{
	if (!sent)
		return;
	uint64_t top = first + sent - 1;
	/* Karn: an ACK of a block sent twice says nothing about the round trip */
	if (xs->timing && xs->timed_block >= first && xs->timed_block <= top)
		xs->timing = false;
	if (top > xs->high) {
		if (!xs->timing) {
			xs->timing = true;
			xs->timed_block = top;
			xs->timed_at_ms = now_ms;
		}
		xs->high = top;
	}
	xs->next_send = first + sent;
}

void tftp_xs_oack_sent(struct tftp_xs *xs, bool resend, uint64_t now_ms)
{
	/* the OACK is timed as "block 0" */
	xs->timing = !resend;
	xs->timed_block = 0;
	xs->timed_at_ms = now_ms;
}

void tftp_xs_arm(struct tftp_xs *xs, uint64_t now_ms)
{
	uint64_t d = now_ms + tftp_rto_ms(&xs->rto);
	uint64_t stall = xs->progress_ms + xs->lim.max_stall_ms;
	xs->deadline_ms = d < stall ? d : (stall > now_ms ? stall : now_ms);
}
