/* peer_count against a plain array model: random inc/dec over few keys in
 * a small table (many collisions, many backward shifts), and the cap. */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/peer_count.h"

static struct peer_key key_of(unsigned i)
{
	struct peer_key k;
	memset(&k, 0, sizeof k);
	k.a[15] = (uint8_t)i;
	k.a[14] = (uint8_t)(i >> 8);
	return k;
}

static void test_model(void **state)
{
	(void)state;
	enum { KEYS = 24 };
	struct peer_count t;
	uint32_t model[KEYS] = {0};
	assert_int_equal(peer_count_init(&t, KEYS, 12345), 0);
	srand(7);
	for (int step = 0; step < 200000; step++) {
		unsigned i = (unsigned)rand() % KEYS;
		struct peer_key k = key_of(i);
		if (rand() % 2) {
			assert_int_equal(peer_count_inc(&t, &k), (long)++model[i]);
		} else {
			peer_count_dec(&t, &k);
			if (model[i])
				model[i]--;
		}
		if (step % 97 == 0)
			for (unsigned j = 0; j < KEYS; j++) {
				struct peer_key kj = key_of(j);
				assert_int_equal(peer_count_get(&t, &kj), model[j]);
			}
	}
	peer_count_free(&t);
}

static void test_full_and_families(void **state)
{
	(void)state;
	struct peer_count t;
	assert_int_equal(peer_count_init(&t, 4, 1), 0);
	/* Capacity is rounded up; fill until refused, then one leaves. */
	long r = 0;
	unsigned n = 0;
	for (; n < 1000; n++) {
		struct peer_key k = key_of(n);
		r = peer_count_inc(&t, &k);
		if (r < 0)
			break;
	}
	assert_int_equal(r, -ENOSPC);
	assert_true(n >= 4);
	struct peer_key k0 = key_of(0), kn = key_of(n);
	assert_int_equal(peer_count_inc(&t, &k0), 2); /* known keys still count */
	peer_count_dec(&t, &k0);
	peer_count_dec(&t, &k0);
	assert_int_equal(peer_count_inc(&t, &kn), 1);

	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0xc0000201)};
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
	s6.sin6_addr.s6_addr[10] = s6.sin6_addr.s6_addr[11] = 0xff;
	memcpy(&s6.sin6_addr.s6_addr[12], &s4.sin_addr, 4);
	struct peer_key a, b;
	assert_int_equal(peer_key_from_sa(&a, (struct sockaddr *)&s4), 0);
	assert_int_equal(peer_key_from_sa(&b, (struct sockaddr *)&s6), 0);
	assert_memory_equal(&a, &b, sizeof a);
	struct sockaddr bad = {.sa_family = AF_UNIX};
	assert_int_equal(peer_key_from_sa(&a, &bad), -EAFNOSUPPORT);
	peer_count_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_full_and_families),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
