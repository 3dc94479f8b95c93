#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/ratelimit.h"

static struct ratelimit rl;

static void test_per_client_burst_then_refill(void **state)
{
	(void)state;
	const uint8_t a[6] = { 2, 0, 0, 0, 0, 1 }, b[6] = { 2, 0, 0, 0, 0, 2 };
	ratelimit_init(&rl, 2, 4, 0, 0);
	for (int i = 0; i < 4; i++)
		assert_true(ratelimit_allow(&rl, a, 1000));
	assert_false(ratelimit_allow(&rl, a, 1000));
	assert_int_equal(rl.dropped, 1);
	/* another client is not affected */
	assert_true(ratelimit_allow(&rl, b, 1000));
	/* 2 tokens/s: after 499 ms still nothing, after 500 ms one */
	assert_false(ratelimit_allow(&rl, a, 1499));
	assert_true(ratelimit_allow(&rl, a, 1500 + 1));
	assert_false(ratelimit_allow(&rl, a, 1500 + 1));
	/* a long pause refills only up to the burst */
	for (int i = 0; i < 4; i++)
		assert_true(ratelimit_allow(&rl, a, 100000));
	assert_false(ratelimit_allow(&rl, a, 100000));
}

static void test_global_limit(void **state)
{
	(void)state;
	ratelimit_init(&rl, 0, 0, 100, 10);
	int ok = 0;
	for (int i = 0; i < 50; i++) {
		uint8_t k[6] = { 2, 0, 0, 0, 0, (uint8_t)i };
		ok += ratelimit_allow(&rl, k, 5000);
	}
	assert_int_equal(ok, 10);
	assert_int_equal(rl.dropped, 40);
	/* 100/s: 100 ms later, 10 more */
	ok = 0;
	for (int i = 0; i < 50; i++) {
		uint8_t k[6] = { 2, 0, 0, 0, 1, (uint8_t)i };
		ok += ratelimit_allow(&rl, k, 5100);
	}
	assert_int_equal(ok, 10);
}

/* Many more clients than slots: memory stays fixed, fresh clients pass. */
static void test_table_recycles(void **state)
{
	(void)state;
	ratelimit_init(&rl, 1, 1, 0, 0);
	for (uint32_t i = 0; i < 20000; i++) {
		uint8_t k[6] = { 2, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i, 9 };
		assert_true(ratelimit_allow(&rl, k, 1000 + i));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_client_burst_then_refill),
		cmocka_unit_test(test_global_limit),
		cmocka_unit_test(test_table_recycles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
