/* report: the phone-home text is one printable line, bounded; the log
 * quotes survive; a sink with no clients still answers. */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/report.h"

struct text_case {
	const char *name, *in;
	size_t len; /* 0: strlen */
	int rc;
	const char *out;
};

static void test_clean_text(void **state)
{
	(void)state;
	static char long_ok[REPORT_TEXT_MAX + 2], too_long[REPORT_TEXT_MAX + 2];
	memset(long_ok, 'x', REPORT_TEXT_MAX);
	long_ok[REPORT_TEXT_MAX] = '\n';
	memset(too_long, 'x', REPORT_TEXT_MAX + 1);
	const struct text_case cases[] = {
	    {"up line", "up, ssh at 192.0.2.57, SHA256:abc (ed25519)\n", 0, 0,
	     "up, ssh at 192.0.2.57, SHA256:abc (ed25519)"},
	    {"crlf", "cmd exit 0: e2fsck -f -n /dev/vda\r\n", 0, 0, "cmd exit 0: e2fsck -f -n /dev/vda"},
	    {"no newline", "x", 0, 0, "x"},
	    {"quotes", "say \"hi\" \\o/", 0, 0, "say 'hi' 'o/"},
	    {"192 bytes", long_ok, 0, 0, NULL},
	    {"193 bytes", too_long, 0, -EMSGSIZE, NULL},
	    {"empty", "", 0, -EBADMSG, NULL},
	    {"only newline", "\n", 0, -EBADMSG, NULL},
	    {"two lines", "a\nb", 0, -EBADMSG, NULL},
	    {"tab", "a\tb", 0, -EBADMSG, NULL},
	    {"escape", "a\x1b[31mred", 0, -EBADMSG, NULL},
	    {"utf-8", "caf\xc3\xa9", 0, -EBADMSG, NULL},
	    {"NUL inside", "a\0b", 3, -EBADMSG, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[REPORT_TEXT_MAX + 1];
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		int rc = report_clean_text(cases[i].in, len, out, sizeof out);
		if (rc != cases[i].rc)
			fail_msg("%s: %d want %d", cases[i].name, rc, cases[i].rc);
		if (!rc && cases[i].out && strcmp(out, cases[i].out))
			fail_msg("%s: '%s'", cases[i].name, out);
	}
}

static void test_post_paths(void **state)
{
	(void)state;
	struct report_sink r;
	report_init(&r, NULL, NULL);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0xc0000239)};
	const struct sockaddr *sa = (const struct sockaddr *)&a;
	assert_int_equal(report_post(&r, "lifeboat/other", "x", 1, sa), 404);
	assert_int_equal(report_post(&r, "lifeboat/report", "up\n", 3, sa), 204);
	assert_int_equal(report_post(&r, "lifeboat/report", "a\x01", 2, sa), 400);
	char big[300];
	memset(big, 'y', sizeof big);
	assert_int_equal(report_post(&r, "lifeboat/report", big, sizeof big, sa), 413);
	/* each POST takes a token, good or bad: the fourth is the last of the
	 * burst (time stands still without a loop), the fifth is refused */
	assert_int_equal(report_post(&r, "lifeboat/report", "up", 2, sa), 204);
	assert_int_equal(report_post(&r, "lifeboat/report", "up", 2, sa), 429);
	/* another address has its own bucket */
	a.sin_addr.s_addr = htonl(0xc000023a);
	assert_int_equal(report_post(&r, "lifeboat/report", "up", 2, sa), 204);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean_text),
	    cmocka_unit_test(test_post_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
