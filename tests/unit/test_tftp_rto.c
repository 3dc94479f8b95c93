/* tftp_rto: the RFC 6298 estimator, clamps and backoff, with synthetic
 * round trips (no clock, no network). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "netboot/tftp_rto.h"

static void test_before_first_sample(void **state)
{
	(void)state;
	struct tftp_rto r;
	tftp_rto_init(&r, 20, 1000);
	/* no measurement yet: the configured timeout, and it is the full one */
	assert_int_equal(tftp_rto_ms(&r), 1000);
	assert_true(tftp_rto_at_max(&r));
	tftp_rto_backoff(&r);
	assert_int_equal(tftp_rto_ms(&r), 1000); /* never above max */
	assert_int_equal(r.samples, 0);
}

static void test_first_sample_and_floor(void **state)
{
	(void)state;
	struct tftp_rto r;
	tftp_rto_init(&r, 20, 1000);
	/* RFC 6298 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR = 3R */
	tftp_rto_sample(&r, 100000); /* 100 ms */
	assert_int_equal(r.srtt_us, 100000);
	assert_int_equal(r.rttvar_us, 50000);
	assert_int_equal(tftp_rto_ms(&r), 300);
	assert_false(tftp_rto_at_max(&r));
	/* a 1 ms LAN: 3 ms, raised to the 20 ms floor */
	tftp_rto_init(&r, 20, 1000);
	tftp_rto_sample(&r, 1000);
	assert_int_equal(tftp_rto_ms(&r), 20);
	/* a slow link: capped at max */
	tftp_rto_init(&r, 20, 1000);
	tftp_rto_sample(&r, 900000);
	assert_int_equal(tftp_rto_ms(&r), 1000);
	assert_true(tftp_rto_at_max(&r));
	/* a zero round trip: SRTT 0 + G (1 ms), still the floor */
	tftp_rto_init(&r, 5, 1000);
	tftp_rto_sample(&r, 0);
	assert_int_equal(tftp_rto_ms(&r), 5);
}

static void test_smoothing(void **state)
{
	(void)state;
	struct tftp_rto r;
	tftp_rto_init(&r, 1, 60000);
	tftp_rto_sample(&r, 80000);
	/* RFC 6298 2.3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'| (SRTT before
	 * its update), SRTT = 7/8 SRTT + 1/8 R' */
	tftp_rto_sample(&r, 160000);
	assert_int_equal(r.rttvar_us, 30000 + 20000);
	assert_int_equal(r.srtt_us, 70000 + 20000);
	assert_int_equal(tftp_rto_ms(&r), 90 + 200);
	/* steady round trips pull RTTVAR down and RTO toward SRTT */
	for (int i = 0; i < 100; i++)
		tftp_rto_sample(&r, 10000);
	assert_in_range(r.srtt_us, 9900, 10100);
	assert_in_range(tftp_rto_ms(&r), 11, 12);
	assert_int_equal(r.samples, 102);
}

static void test_backoff(void **state)
{
	(void)state;
	struct tftp_rto r;
	tftp_rto_init(&r, 25, 1000);
	tftp_rto_sample(&r, 2000);
	assert_int_equal(tftp_rto_ms(&r), 25);
	const unsigned want[] = {50, 100, 200, 400, 800, 1000, 1000, 1000};
	for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
		tftp_rto_backoff(&r);
		assert_int_equal(tftp_rto_ms(&r), want[i]);
		assert_int_equal(tftp_rto_at_max(&r), want[i] == 1000);
	}
	/* backing off many times never overflows */
	for (int i = 0; i < 100; i++)
		tftp_rto_backoff(&r);
	assert_int_equal(tftp_rto_ms(&r), 1000);
	/* RFC 6298 5.7: a valid sample ends the backoff */
	tftp_rto_sample(&r, 2000);
	assert_int_equal(tftp_rto_ms(&r), 25);
}

static void test_fixed(void **state)
{
	(void)state;
	struct tftp_rto r;
	/* a client's RFC 2349 timeout: min == max, nothing moves it */
	tftp_rto_init(&r, 3000, 3000);
	assert_int_equal(tftp_rto_ms(&r), 3000);
	tftp_rto_sample(&r, 500);
	assert_int_equal(tftp_rto_ms(&r), 3000);
	tftp_rto_backoff(&r);
	assert_int_equal(tftp_rto_ms(&r), 3000);
	assert_true(tftp_rto_at_max(&r));
	/* nonsense bounds are made sane */
	tftp_rto_init(&r, 0, 0);
	assert_int_equal(tftp_rto_ms(&r), 1);
	tftp_rto_init(&r, 500, 100);
	assert_int_equal(tftp_rto_ms(&r), 500);
	/* an absurd sample is capped, not wrapped */
	tftp_rto_init(&r, 20, 1000);
	tftp_rto_sample(&r, UINT64_MAX);
	assert_int_equal(tftp_rto_ms(&r), 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_first_sample),
		cmocka_unit_test(test_first_sample_and_floor),
		cmocka_unit_test(test_smoothing),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_fixed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
