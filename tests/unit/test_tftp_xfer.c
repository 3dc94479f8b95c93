/* tftp_xfer_state: one transfer's decisions with a fake clock (no sockets):
 * window advance, duplicate ACKs, the stall bound, giving up on sources
 * that never answer, and the tail-loss probe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "netboot/tftp_xfer_state.h"

static const struct tftp_xs_limits lim = {
    .retries = 5, .unconfirmed_resends = 1, .max_stall_ms = 20000};

/* Runs timeouts until the transfer gives up, counting what it resends;
 * returns the time of the give-up. */
static uint64_t run_to_give_up(struct tftp_xs *xs, uint64_t now, unsigned *resends)
{
	*resends = 0;
	for (int i = 0; i < 1000; i++) {
		tftp_xs_arm(xs, now);
		now = xs->deadline_ms;
		enum tftp_xs_do d = tftp_xs_timeout(xs, now);
		if (d == TFTP_XS_GIVE_UP)
			return now;
		assert_true(d == TFTP_XS_SEND || d == TFTP_XS_SEND_OACK);
		if (d == TFTP_XS_SEND)
			tftp_xs_sent(xs, xs->next_send, (unsigned)(xs->win_end - xs->next_send + 1),
				     now);
		(*resends)++;
	}
	fail_msg("never gave up");
	return 0;
}

/* A client that answers: ACKs move the window, the last ACK ends it. */
static void test_lockstep_done(void **state)
{
	(void)state;
	struct tftp_xs xs;
	tftp_xs_init(&xs, &lim, 3, 1, false, 20, 1000, 0);
	tftp_xs_window(&xs);
	for (uint16_t b = 1; b <= 3; b++) {
		assert_int_equal(xs.next_send, b);
		assert_int_equal(xs.win_end, b);
		tftp_xs_sent(&xs, b, 1, b * 10);
		struct tftp_rx rx = {0};
		tftp_xs_ack(&xs, b, &rx);
		tftp_xs_ack(&xs, b, &rx); /* a duplicate in the same batch: one action */
		enum tftp_xs_do d = tftp_xs_act(&xs, &rx, b * 10 + 1);
		assert_int_equal(d, b == 3 ? TFTP_XS_DONE : TFTP_XS_SEND);
		assert_true(xs.confirmed);
	}
	assert_int_equal(xs.rto.samples, 3);
}

/* Sorcerer's Apprentice: a duplicate ACK, an old one or one for a block
 * never sent asks for nothing in lockstep. */
static void test_duplicates_ignored(void **state)
{
	(void)state;
	struct tftp_xs xs;
	tftp_xs_init(&xs, &lim, 10, 1, false, 20, 1000, 0);
	tftp_xs_window(&xs);
	tftp_xs_sent(&xs, 1, 1, 0);
	struct tftp_rx rx = {0};
	tftp_xs_ack(&xs, 1, &rx);
	assert_int_equal(tftp_xs_act(&xs, &rx, 1), TFTP_XS_SEND);
	tftp_xs_sent(&xs, 2, 1, 1);
	static const uint16_t junk[] = {1, 0, 9, 65535};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		struct tftp_rx r2 = {0};
		tftp_xs_ack(&xs, junk[i], &r2);
		assert_int_equal(tftp_xs_act(&xs, &r2, 2), TFTP_XS_NOTHING);
	}
	assert_int_equal(xs.acked, 1);
}

/* A source that never answers (maybe spoofed): the first reply and one
 * resend, then the transfer gives up after two timeouts (~2 s), never the
 * 6 x 1 s of the retries. */
static void test_unconfirmed_minimum(void **state)
{
	(void)state;
	struct tftp_xs xs;
	unsigned resends;
	tftp_xs_init(&xs, &lim, 100, 1, false, 20, 1000, 0);
	tftp_xs_window(&xs);
	tftp_xs_sent(&xs, 1, 1, 0);
	uint64_t end = run_to_give_up(&xs, 0, &resends);
	assert_int_equal(resends, 1);
	assert_int_equal(end, 2000);
	assert_false(xs.confirmed);
	/* an OACK that is never acknowledged: the same */
	tftp_xs_init(&xs, &lim, 100, 8, true, 20, 1000, 0);
	tftp_xs_oack_sent(&xs, false, 0);
	end = run_to_give_up(&xs, 0, &resends);
	assert_int_equal(resends, 1);
	assert_int_equal(end, 2000);
}

/* A client's 5 s timeout (the cap) with 5 retries would be 30 s of silence;
 * the stall bound ends it at 20 s after the last progress. */
static void test_stall_bound(void **state)
{
	(void)state;
	struct tftp_xs xs;
	unsigned resends;
	tftp_xs_init(&xs, &lim, 100, 1, true, 5000, 5000, 0);
	tftp_xs_oack_sent(&xs, false, 0);
	struct tftp_rx rx = {0};
	tftp_xs_ack(&xs, 0, &rx);
	assert_int_equal(tftp_xs_act(&xs, &rx, 100), TFTP_XS_SEND);
	tftp_xs_sent(&xs, 1, 1, 100);
	uint64_t end = run_to_give_up(&xs, 100, &resends);
	assert_int_equal(end, 100 + 20000);
	assert_int_equal(resends, 3); /* at 5.1, 10.1, 15.1 s */
	assert_true(xs.confirmed);
	/* progress restarts the bound: an ACK at 15 s keeps it going */
	tftp_xs_init(&xs, &lim, 100, 1, false, 5000, 5000, 0);
	tftp_xs_window(&xs);
	tftp_xs_sent(&xs, 1, 1, 0);
	struct tftp_rx r2 = {0};
	tftp_xs_ack(&xs, 1, &r2);
	assert_int_equal(tftp_xs_act(&xs, &r2, 15000), TFTP_XS_SEND);
	tftp_xs_sent(&xs, 2, 1, 15000);
	end = run_to_give_up(&xs, 15000, &resends);
	assert_int_equal(end, 35000);
}

/* Adaptive RTO with retries: only full-RTO timeouts count; a confirmed
 * transfer ends after `retries` of them (and never after more than the
 * stall bound). */
static void test_adaptive_retries(void **state)
{
	(void)state;
	struct tftp_xs xs;
	unsigned resends;
	tftp_xs_init(&xs, &lim, 100, 1, false, 20, 1000, 0);
	tftp_xs_window(&xs);
	tftp_xs_sent(&xs, 1, 1, 0);
	struct tftp_rx rx = {0};
	tftp_xs_ack(&xs, 1, &rx);
	assert_int_equal(tftp_xs_act(&xs, &rx, 1), TFTP_XS_SEND); /* 1 ms round trip */
	tftp_xs_sent(&xs, 2, 1, 1);
	uint64_t end = run_to_give_up(&xs, 1, &resends);
	/* 20, 40, ..., 640 ms (6 short), then 5 full 1 s resends, then give up */
	assert_true(resends >= 5 + 5);
	assert_true(end < 1 + 20000);
	assert_true(end > 5000);
}

/* Windowed: a repeated ACK resends at once, once per block; the first
 * timeout probes only the tail, the second goes back to the first
 * unacknowledged block. */
static void test_window_loss_and_probe(void **state)
{
	(void)state;
	struct tftp_xs xs;
	tftp_xs_init(&xs, &lim, 100, 8, false, 20, 1000, 0);
	tftp_xs_window(&xs);
	tftp_xs_sent(&xs, 1, 8, 0);
	struct tftp_rx rx = {0};
	tftp_xs_ack(&xs, 3, &rx); /* 4 was lost */
	assert_int_equal(tftp_xs_act(&xs, &rx, 1), TFTP_XS_SEND);
	assert_int_equal(xs.next_send, 4);
	assert_int_equal(xs.win_end, 11);
	tftp_xs_sent(&xs, 4, 8, 1);
	for (int i = 0; i < 3; i++) {
		struct tftp_rx r2 = {0};
		tftp_xs_ack(&xs, 3, &r2);
		assert_int_equal(tftp_xs_act(&xs, &r2, 2), i == 0 ? TFTP_XS_SEND : TFTP_XS_NOTHING);
		if (i == 0)
			tftp_xs_sent(&xs, 4, 8, 2);
	}
	assert_int_equal(tftp_xs_timeout(&xs, 1000), TFTP_XS_SEND);
	assert_int_equal(xs.next_send, 11); /* tail probe */
	tftp_xs_sent(&xs, 11, 1, 1000);
	assert_int_equal(tftp_xs_timeout(&xs, 2000), TFTP_XS_SEND);
	assert_int_equal(xs.next_send, 4); /* go-back-N */
	/* and a repeated RRQ after data was acknowledged is stale */
	assert_int_equal(tftp_xs_rerequest(&xs), TFTP_XS_NOTHING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lockstep_done),
	    cmocka_unit_test(test_duplicates_ignored),
	    cmocka_unit_test(test_unconfirmed_minimum),
	    cmocka_unit_test(test_stall_bound),
	    cmocka_unit_test(test_adaptive_retries),
	    cmocka_unit_test(test_window_loss_and_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
