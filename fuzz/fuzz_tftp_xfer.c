/* libFuzzer target: one TFTP transfer's state machine (tftp_xfer_state)
 * driven by a sequence of events from the input: datagrams from the client
 * (ACKs, ERRORs, repeated RRQs, junk; parsed with tftp_wire as the server
 * does), a batch boundary, the clock moving, the timer firing, a partial
 * send. Checks the invariants the server relies on: the window never
 * leaves 1..last, a transfer ends within the stall bound of its last
 * progress, and a client that never answers gets at most 1 + resends
 * windows.
 *
 * Input: byte 0: window (1..64), byte 1: last block - 1 (small files and a
 * rollover-sized one), byte 2: flags (oack, client timeout); then events:
 * one tag byte, and for datagrams a length byte and that many bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/tftp_wire.h"
#include "netboot/tftp_xfer_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct tftp_xs xs;
	uint64_t now;
	unsigned windows_unconfirmed; /* windows sent before the client answered */
	unsigned timer_unconfirmed;   /* of them, resent by the timer */
	bool ended;
};

static void check(const struct tftp_xs *xs)
{
	if (xs->acked > xs->high || xs->high > xs->last || xs->acked > xs->last)
		abort();
	if (xs->win_end > xs->last || (xs->win_end && xs->win_end - xs->acked > xs->window))
		abort();
	if (xs->next_send > xs->win_end + 1 && xs->win_end)
		abort();
}

/* Carries out a decision as the server would (send the whole window). */
static void apply(struct fz *f, enum tftp_xs_do d)
{
	struct tftp_xs *xs = &f->xs;
	switch (d) {
	case TFTP_XS_SEND:
		if (xs->next_send < 1 || xs->next_send > xs->win_end)
			abort(); /* something to send, inside the file */
		if (!xs->confirmed)
			f->windows_unconfirmed++;
		tftp_xs_sent(xs, xs->next_send, (unsigned)(xs->win_end - xs->next_send + 1),
			     f->now);
		tftp_xs_arm(xs, f->now);
		break;
	case TFTP_XS_SEND_OACK:
		if (!xs->oack_wait)
			abort();
		if (!xs->confirmed)
			f->windows_unconfirmed++;
		tftp_xs_oack_sent(xs, true, f->now);
		tftp_xs_arm(xs, f->now);
		break;
	case TFTP_XS_DONE:
		if (xs->acked != xs->last)
			abort();
		f->ended = true;
		break;
	case TFTP_XS_GIVE_UP:
		f->ended = true;
		break;
	case TFTP_XS_NOTHING:
		break;
	}
	check(xs);
}

/* One datagram from the client: noted in rx; an ERROR ends the transfer,
 * an RRQ is a repeated request. */
static void datagram(struct fz *f, const uint8_t *p, size_t n, struct tftp_rx *rx)
{
	uint16_t op, block;
	struct tftp_error e;
	struct tftp_request req;
	if (tftp_parse_opcode(p, n, &op))
		return;
	if (op == TFTP_ACK && !tftp_parse_ack(p, n, &block))
		tftp_xs_ack(&f->xs, block, rx);
	else if (op == TFTP_ERROR && !tftp_parse_error(p, n, &e))
		f->ended = true;
	else if (op == TFTP_RRQ && !tftp_parse_request(p, n, &req))
		apply(f, tftp_xs_rerequest(&f->xs));
}

/* The timer fired: a source that never answered gets at most
 * lim->unconfirmed_resends resends from it (repeated RRQs aside: each of
 * those answers one datagram of the client's). */
static void timer_fire(struct fz *f, const struct tftp_xs_limits *lim)
{
	enum tftp_xs_do d = tftp_xs_timeout(&f->xs, f->now);
	if (!f->xs.confirmed && (d == TFTP_XS_SEND || d == TFTP_XS_SEND_OACK) &&
	    ++f->timer_unconfirmed > lim->unconfirmed_resends)
		abort();
	apply(f, d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tftp_xs_limits lim = {
	    .retries = 5, .unconfirmed_resends = 1, .max_stall_ms = 20000};
	struct fz f = {0};
	struct tftp_rx rx = {0};
	if (size < 3)
		return 0;
	unsigned window = data[0] % 64 + 1;
	uint64_t last = data[1] == 255 ? 70000 : (uint64_t)data[1] + 1;
	bool oack = data[2] & 1;
	uint32_t rto_min = data[2] & 2 ? 5000 : 20, rto_max = data[2] & 2 ? 5000 : 1000;
	tftp_xs_init(&f.xs, &lim, last, window, oack, rto_min, rto_max, 0);
	if (oack) {
		tftp_xs_oack_sent(&f.xs, false, 0);
		tftp_xs_arm(&f.xs, 0);
		f.windows_unconfirmed++;
	} else {
		tftp_xs_window(&f.xs);
		apply(&f, TFTP_XS_SEND);
	}
	size_t i = 3;
	while (!f.ended && i < size) {
		uint8_t tag = data[i++];
		switch (tag % 5) {
		case 0: { /* a datagram */
			size_t n = i < size ? data[i++] : 0;
			if (n > size - i)
				n = size - i;
			datagram(&f, data + i, n, &rx);
			i += n;
			break;
		}
		case 1: { /* an ACK by number, the common case made cheap */
			uint16_t b = (uint16_t)(f.xs.acked + (tag >> 3));
			tftp_xs_ack(&f.xs, b, &rx);
			break;
		}
		case 2: /* end of a receive batch: act once */
			apply(&f, tftp_xs_act(&f.xs, &rx, f.now));
			memset(&rx, 0, sizeof rx);
			break;
		case 3: /* the clock moves, never past the deadline: the loop
			 * fires the timer then */
			f.now += (uint64_t)(tag >> 3) * 37;
			if (f.now > f.xs.deadline_ms)
				f.now = f.xs.deadline_ms;
			break;
		case 4: /* the timer fires when due */
			if (f.now < f.xs.deadline_ms)
				f.now = f.xs.deadline_ms;
			if (f.now >= f.xs.progress_ms + lim.max_stall_ms + rto_max)
				abort(); /* the stall bound was missed */
			timer_fire(&f, &lim);
			break;
		}
	}
	/* whatever happened, timeouts alone end it within bounded time */
	for (int k = 0; !f.ended && k < 10000; k++) {
		if (f.now < f.xs.deadline_ms)
			f.now = f.xs.deadline_ms;
		timer_fire(&f, &lim);
	}
	if (!f.ended || f.now > f.xs.progress_ms + lim.max_stall_ms + rto_max)
		abort();
	return 0;
}
