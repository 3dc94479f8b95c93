/* phonehome: URL parsing, the request text, response status lines
 * (malformed ones refused), and the report lines (cut, cleaned). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rescue/phonehome.h"

static void test_url(void **state)
{
	(void)state;
	static const struct {
		const char *url;
		int rc;
		const char *host;
		unsigned port;
		const char *path;
	} v[] = {
	    {"http://192.0.2.2:8080", 0, "192.0.2.2", 8080, "/lifeboat/report"},
	    {"http://192.0.2.2", 0, "192.0.2.2", 80, "/lifeboat/report"},
	    {"http://laptop.lan/", 0, "laptop.lan", 80, "/lifeboat/report"},
	    {"http://192.0.2.2:81/base//", 0, "192.0.2.2", 81, "/base/lifeboat/report"},
	    {"http://[2001:db8::2]:8080", 0, "2001:db8::2", 8080, "/lifeboat/report"},
	    {"https://192.0.2.2", -EINVAL, "", 0, ""},
	    {"http://", -EINVAL, "", 0, ""},
	    {"http://h:0", -EINVAL, "", 0, ""},
	    {"http://h:65536", -EINVAL, "", 0, ""},
	    {"http://h:80x", -EINVAL, "", 0, ""},
	    {"http://h:", -EINVAL, "", 0, ""},
	    {"http://[2001:db8::2", -EINVAL, "", 0, ""},
	    {"http://h/a b", -EINVAL, "", 0, ""},
	    {"http://h?x", -EINVAL, "", 0, ""},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct phonehome_url u;
		int rc = phonehome_parse_url(v[i].url, &u);
		if (rc != v[i].rc)
			fail_msg("%s: rc %d", v[i].url, rc);
		if (rc)
			continue;
		assert_string_equal(u.host, v[i].host);
		assert_int_equal(u.port, v[i].port);
		assert_string_equal(u.path, v[i].path);
	}
}

static void test_request(void **state)
{
	(void)state;
	struct phonehome_url u;
	char req[512];
	assert_int_equal(phonehome_parse_url("http://[2001:db8::2]:8080", &u), 0);
	int n = phonehome_request(req, sizeof req, &u, "up, ssh at 192.0.2.150");
	assert_true(n > 0);
	assert_string_equal(req, "POST /lifeboat/report HTTP/1.0\r\nHost: [2001:db8::2]:8080\r\n"
				 "User-Agent: lifeboat-rescue\r\nContent-Type: text/plain\r\n"
				 "Content-Length: 22\r\nConnection: close\r\n\r\n"
				 "up, ssh at 192.0.2.150");
	assert_int_equal(phonehome_request(req, 40, &u, "x"), -ENOBUFS);
}

static void test_status(void **state)
{
	(void)state;
	static const struct {
		const char *r;
		int code;
	} v[] = {
	    {"HTTP/1.0 200 OK\r\n", 200},
	    {"HTTP/1.1 204\r\n", 204},
	    {"HTTP/1.1 404 Not Found", 404},
	    {"HTTP/1.0 200", 200},
	    {"HTTP/2.0 200 OK", -EBADMSG},
	    {"HTTP/1.0 20", -EBADMSG},
	    {"HTTP/1.0 2x0 OK", -EBADMSG},
	    {"HTTP/1.0 2000 OK", -EBADMSG},
	    {"HTTP/1.0 099 OK", -EBADMSG},
	    {"SSH-2.0-dropbear", -EBADMSG},
	    {"", -EBADMSG},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (phonehome_status(v[i].r, strlen(v[i].r)) != v[i].code)
			fail_msg("%s", v[i].r);
}

static void test_lines(void **state)
{
	(void)state;
	char l[PHONEHOME_LINE_MAX + 1];
	phonehome_line_up(l, "192.0.2.150", "SHA256:abc", "ed25519");
	assert_string_equal(l, "up, ssh at 192.0.2.150, SHA256:abc (ed25519)");
	phonehome_line_up(l, "192.0.2.150", "", NULL);
	assert_string_equal(l, "up, ssh at 192.0.2.150, no host key");
	phonehome_line_cmd(l, 4, "e2fsck -f -n /dev/vda\necho \x1b[2J\xc3\xa9");
	assert_string_equal(l, "cmd exit 4: e2fsck -f -n /dev/vda?echo ?[2J??");
	char longcmd[400];
	memset(longcmd, 'x', sizeof longcmd - 1);
	longcmd[sizeof longcmd - 1] = 0;
	phonehome_line_cmd(l, 0, longcmd);
	assert_int_equal(strlen(l), PHONEHOME_LINE_MAX);
	assert_memory_equal(l, "cmd exit 0: xxx", 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url),
	    cmocka_unit_test(test_request),
	    cmocka_unit_test(test_status),
	    cmocka_unit_test(test_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
