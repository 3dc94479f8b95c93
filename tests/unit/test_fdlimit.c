/* fdlimit_compute: the limit grows to what the caps need, never shrinks,
 * and when it cannot grow enough the caps shrink to fit (TFTP first). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "netboot/fdlimit.h"

struct fd_case {
	uint64_t soft, hard, max_hard;
	unsigned tftp, http;
	uint64_t want_soft, want_hard;
	unsigned want_tftp, want_http;
	int shrunk;
};

static void test_compute(void **state)
{
	(void)state;
	static const struct fd_case cases[] = {
	    /* Debian's default 1024/524288, root: raised to exactly the need. */
	    {1024, 524288, 1048576, 1024, 1024, 64 + 4096, 524288, 1024, 1024, 0},
	    /* already enough: untouched */
	    {100000, 100000, 100000, 1024, 1024, 100000, 100000, 1024, 1024, 0},
	    /* hard limit 1024, not privileged: caps shrink, TFTP keeps half */
	    {1024, 1024, 1024, 1024, 1024, 1024, 1024, 240, 240, 1},
	    /* hard too low but privileged: hard raised */
	    {1024, 1024, 1048576, 1024, 1024, 4160, 4160, 1024, 1024, 0},
	    /* small TFTP want leaves the rest to HTTP */
	    {1024, 1024, 1024, 16, 1024, 1024, 1024, 16, 464, 1},
	    /* absurdly low limit: at least one of each */
	    {10, 10, 10, 1024, 1024, 10, 10, 1, 1, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct fd_case *c = &cases[i];
		struct fdlimit_plan p;
		fdlimit_compute(c->soft, c->hard, c->max_hard, c->tftp, c->http, &p);
		assert_int_equal(p.soft, c->want_soft);
		assert_int_equal(p.hard, c->want_hard);
		assert_int_equal(p.tftp_max, c->want_tftp);
		assert_int_equal(p.http_max, c->want_http);
		assert_int_equal(p.shrunk, c->shrunk);
		assert_true(p.soft <= p.hard);
		if (!p.shrunk)
			assert_true(p.soft >= 64 + 2ull * (p.tftp_max + p.http_max));
		else
			assert_true(p.soft >= 2ull * (p.tftp_max + p.http_max) ||
				    p.soft < 64 + 4);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compute),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
