#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/log.h"

static void test_rbuf_reads_in_order(void **state)
{
	(void)state;
	const uint8_t d[] = { 1, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 'h', 'i', 0 };
	struct rbuf r;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	const char *s;
	size_t n;
	rbuf_init(&r, d, sizeof d);
	assert_int_equal(rbuf_u8(&r, &u8), 0);
	assert_int_equal(u8, 1);
	assert_int_equal(rbuf_be16(&r, &u16), 0);
	assert_int_equal(u16, 0x1234);
	assert_int_equal(rbuf_be32(&r, &u32), 0);
	assert_int_equal(u32, 0xdeadbeef);
	assert_int_equal(rbuf_cstr(&r, &s, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(s, "hi", 2);
	assert_int_equal(rbuf_left(&r), 0);
	assert_false(r.err);
}

/* Every getter refuses to read past the end, and the error sticks. */
static void test_rbuf_refuses_overrun(void **state)
{
	(void)state;
	const uint8_t d[] = { 1, 2, 3 };
	struct rbuf r, sub;
	uint32_t u32;
	uint16_t u16;
	uint8_t out[8];
	const char *s;
	size_t n;
	rbuf_init(&r, d, sizeof d);
	assert_int_equal(rbuf_be32(&r, &u32), -EBADMSG);
	assert_true(r.err);
	/* sticky: even a read that would fit now fails */
	assert_int_equal(rbuf_u8(&r, out), -EBADMSG);

	rbuf_init(&r, d, sizeof d);
	assert_int_equal(rbuf_skip(&r, 2), 0);
	assert_int_equal(rbuf_be16(&r, &u16), -EBADMSG);
	rbuf_init(&r, d, sizeof d);
	assert_int_equal(rbuf_bytes(&r, out, 4), -EBADMSG);
	rbuf_init(&r, d, sizeof d);
	assert_int_equal(rbuf_sub(&r, 4, &sub), -EBADMSG);
	rbuf_init(&r, d, sizeof d);
	assert_int_equal(rbuf_cstr(&r, &s, &n), -EBADMSG); /* no NUL */
	rbuf_init(&r, d, sizeof d);
	assert_int_equal(rbuf_skip(&r, SIZE_MAX), -EBADMSG);
	rbuf_init(&r, NULL, 100);
	assert_int_equal(rbuf_left(&r), 0);
}

static void test_rbuf_sub_is_bounded(void **state)
{
	(void)state;
	const uint8_t d[] = { 9, 8, 7, 6 };
	struct rbuf r, sub;
	uint8_t v;
	uint16_t u16;
	rbuf_init(&r, d, sizeof d);
	assert_int_equal(rbuf_sub(&r, 1, &sub), 0);
	assert_int_equal(rbuf_be16(&sub, &u16), -EBADMSG);
	assert_false(r.err);
	assert_int_equal(rbuf_u8(&r, &v), 0);
	assert_int_equal(v, 8);
}

static void test_wbuf_refuses_overflow(void **state)
{
	(void)state;
	uint8_t b[6];
	uint8_t *res;
	struct wbuf w;
	memset(b, 0xaa, sizeof b);
	wbuf_init(&w, b, 5);
	assert_int_equal(wbuf_be32(&w, 0x01020304), 0);
	assert_int_equal(wbuf_be16(&w, 0x0506), -ENOBUFS);
	assert_int_equal(w.len, 4);
	assert_int_equal(b[4], 0xaa); /* nothing written on refusal */
	assert_true(w.err);
	assert_int_equal(wbuf_u8(&w, 1), -ENOBUFS); /* sticky */

	wbuf_init(&w, b, sizeof b);
	assert_int_equal(wbuf_str(&w, "abc"), 0);
	assert_int_equal(wbuf_reserve(&w, 2, &res), 0);
	assert_int_equal(res[0], 0);
	assert_int_equal(wbuf_zero(&w, 2), -ENOBUFS);
	assert_int_equal(wbuf_u8(&w, 7), -ENOBUFS);
}

struct json_case {
	const char *msg;
	const char *want;
};

static void test_log_json(void **state)
{
	(void)state;
	static const struct json_case cases[] = {
		{ "tftp.done file=linux bytes=1024 secs=0.50",
		  "{\"ts\":\"T\",\"level\":\"info\",\"event\":\"tftp.done\",\"file\":\"linux\",\"bytes\":1024,\"secs\":0.50}" },
		{ "dhcp.offer mac=52:54:00:12:34:56 why=\"has spaces\"",
		  "{\"ts\":\"T\",\"level\":\"info\",\"event\":\"dhcp.offer\",\"mac\":\"52:54:00:12:34:56\",\"why\":\"has spaces\"}" },
		{ "start plain words", "{\"ts\":\"T\",\"level\":\"info\",\"event\":\"start\",\"text\":\"plain words\"}" },
		{ "x v=007", "{\"ts\":\"T\",\"level\":\"info\",\"event\":\"x\",\"v\":\"007\"}" },
		{ "x q=\"unterminated", "{\"ts\":\"T\",\"level\":\"info\",\"event\":\"x\",\"q\":\"unterminated\"}" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[512];
		log_logfmt_to_json(out, sizeof out, "T", "info", cases[i].msg);
		assert_string_equal(out, cases[i].want);
	}
}

static void test_log_sanitize(void **state)
{
	(void)state;
	char out[32];
	assert_string_equal(log_sanitize(out, sizeof out, "a b\n\"=", 6), "a\\x20b\\x0a\\x22\\x3d");
	char big[200];
	memset(big, 'x', sizeof big);
	log_sanitize(out, sizeof out, big, sizeof big);
	assert_true(strlen(out) < sizeof out);
	assert_string_equal(out + strlen(out) - 3, "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rbuf_reads_in_order),
		cmocka_unit_test(test_rbuf_refuses_overrun),
		cmocka_unit_test(test_rbuf_sub_is_bounded),
		cmocka_unit_test(test_wbuf_refuses_overflow),
		cmocka_unit_test(test_log_json),
		cmocka_unit_test(test_log_sanitize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
