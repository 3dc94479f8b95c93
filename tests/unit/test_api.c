/* api_wire and api: --api's URL, request, HTTP response and JSON answer
 * (with malformed vectors), the command line's {{ URL }}, bootplan's api
 * row and script, and the client on a real loop against a local server:
 * a miss stays silent until the answer, dedup per MAC, at most
 * API_INFLIGHT connections, a capped queue, a timeout, a 404. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/loop.h"
#include "netboot/api.h"
#include "netboot/api_wire.h"
#include "netboot/bootplan.h"
#include "netboot/serve_opts.h"

static void test_url(void **state)
{
	(void)state;
	static const struct {
		const char *url;
		int rc;
		const char *host;
		unsigned port;
		const char *base;
	} v[] = {
	    {"http://192.0.2.1:8080/inventory/", 0, "192.0.2.1", 8080, "/inventory"},
	    {"http://192.0.2.1", 0, "192.0.2.1", 80, ""},
	    {"http://inv.example/", 0, "inv.example", 80, ""},
	    {"http://[2001:db8::1]:81/a/b", 0, "2001:db8::1", 81, "/a/b"},
	    {"http://[2001:db8::1]", 0, "2001:db8::1", 80, ""},
	    {"https://192.0.2.1", -EPROTONOSUPPORT, "", 0, ""},
	    {"ftp://192.0.2.1", -EINVAL, "", 0, ""},
	    {"http://", -EINVAL, "", 0, ""},
	    {"http://h:0", -EINVAL, "", 0, ""},
	    {"http://h:65536", -EINVAL, "", 0, ""},
	    {"http://h:8x", -EINVAL, "", 0, ""},
	    {"http://h:", -EINVAL, "", 0, ""},
	    {"http://[2001:db8::1", -EINVAL, "", 0, ""},
	    {"http://[]:80", -EINVAL, "", 0, ""},
	    {"http://[::1]x", -EINVAL, "", 0, ""},
	    {"http://h/a b", -EINVAL, "", 0, ""},
	    {"http://h/a?x=1", -EINVAL, "", 0, ""},
	    {"http://h/\"", -EINVAL, "", 0, ""},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct api_url u;
		int rc = api_url_parse(v[i].url, &u);
		if (rc != v[i].rc)
			fail_msg("%s: rc %d", v[i].url, rc);
		if (rc)
			continue;
		assert_string_equal(u.host, v[i].host);
		assert_int_equal(u.port, v[i].port);
		assert_string_equal(u.base, v[i].base);
	}
}

static void test_request(void **state)
{
	(void)state;
	struct api_url u;
	char req[512];
	static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0x01};
	assert_int_equal(api_url_parse("http://[2001:db8::1]:8080/inv/", &u), 0);
	int n = api_request(req, sizeof req, &u, mac);
	assert_true(n > 0);
	assert_string_equal(req, "GET /inv/v1/boot/52:54:00:ab:cd:01 HTTP/1.1\r\n"
				 "Host: [2001:db8::1]:8080\r\nUser-Agent: lifeboat\r\n"
				 "Accept: application/json\r\nConnection: close\r\n\r\n");
	assert_int_equal(api_url_parse("http://192.0.2.1", &u), 0);
	n = api_request(req, sizeof req, &u, mac);
	assert_true(n > 0);
	assert_non_null(strstr(req, "GET /v1/boot/52:54:00:ab:cd:01 HTTP/1.1\r\nHost: 192.0.2.1\r\n"));
	assert_int_equal(api_request(req, 40, &u, mac), -ENOBUFS);
}

static void test_http(void **state)
{
	(void)state;
	static const struct {
		const char *resp;
		bool eof;
		int rc;
		int status;
		const char *body;
	} v[] = {
	    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", false, 0, 200, "{}"},
	    {"HTTP/1.0 200 OK\r\ncontent-length:2\r\n\r\n{}xx", false, 0, 200, "{}"},
	    {"HTTP/1.1 200 OK\nContent-Length: 2\n\n{}", false, 0, 200, "{}"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{}", false, -EAGAIN, 0, ""},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{}", true, -EBADMSG, 0, ""},
	    {"HTTP/1.1 200 OK\r\nContent-Len", false, -EAGAIN, 0, ""},
	    {"HTTP/1.1 200 OK\r\nContent-Len", true, -EBADMSG, 0, ""},
	    {"HTTP/1.1 200 OK\r\n\r\n{\"a\":1}", false, -EAGAIN, 0, ""},
	    {"HTTP/1.1 200 OK\r\n\r\n{\"a\":1}", true, 0, 200, "{\"a\":1}"},
	    {"HTTP/1.1 404 Not Found\r\n\r\n", false, 0, 404, ""},
	    {"HTTP/1.1 404\r\nContent-Length: 999\r\n\r\n", false, 0, 404, ""},
	    {"HTTP/1.1 500 Oops\r\n\r\n", false, 0, 500, ""},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", false, 0,
	     200, "{}"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n1;x=y\r\n{\r\n1\r\n}\r\n0\r\n"
	     "T: v\r\n\r\n",
	     false, 0, 200, "{}"},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n", false, -EAGAIN, 0,
	     ""},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n", true, -EBADMSG, 0,
	     ""},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false, -EBADMSG, 0, ""},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}xx0\r\n\r\n", false,
	     -EBADMSG, 0, ""},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffff\r\n", false, -EBADMSG,
	     0, ""},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false, -EBADMSG, 0, ""},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}", false, -EBADMSG,
	     0, ""},
	    {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false, -EBADMSG, 0, ""},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n", false, -EBADMSG, 0, ""},
	    {"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", false, -EBADMSG, 0, ""},
	    {"HTTP/1.1 100 Continue\r\n\r\n", false, -EBADMSG, 0, ""},
	    {"HTTP/2 200\r\n\r\n", false, -EBADMSG, 0, ""},
	    {"HTTP/1.1 2000 OK\r\n\r\n", false, -EBADMSG, 0, ""},
	    {"HTTP/1.1 20 OK\r\n\r\n", false, -EBADMSG, 0, ""},
	    {"HTTP/1.1 099 x\r\n\r\n", false, -EBADMSG, 0, ""},
	    {"ICY 200 OK\r\n\r\n", false, -EBADMSG, 0, ""},
	    {"", true, -EBADMSG, 0, ""},
	    {"", false, -EAGAIN, 0, ""},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		uint8_t buf[512];
		size_t n = strlen(v[i].resp);
		struct api_http h;
		memcpy(buf, v[i].resp, n);
		int rc = api_http_parse(buf, &n, v[i].eof, &h);
		if (rc != v[i].rc)
			fail_msg("vector %zu: rc %d, want %d", i, rc, v[i].rc);
		if (rc)
			continue;
		assert_int_equal(h.status, v[i].status);
		assert_int_equal(h.body_len, strlen(v[i].body));
		assert_memory_equal(h.body ? (const void *)h.body : "", v[i].body, h.body_len);
	}
	/* a head that never ends is refused once it passes 8 KiB */
	static uint8_t big[9000];
	memcpy(big, "HTTP/1.1 200 OK\r\n", 17);
	memset(big + 17, 'x', sizeof big - 17);
	size_t n = sizeof big;
	struct api_http h;
	assert_int_equal(api_http_parse(big, &n, false, &h), -EBADMSG);
}

static int json(const char *s, struct api_boot *b)
{
	const char *why;
	return api_json_boot((const uint8_t *)s, strlen(s), b, &why);
}

static void test_json_good(void **state)
{
	(void)state;
	static struct api_boot b;
	assert_int_equal(json("{\"kernel\":\"http://h/k\",\"initrd\":[\"i0\",\"/d/i1\"],"
			      "\"cmdline\":\"a=1 b\",\"message\":\"hi\"}",
			      &b),
			 0);
	assert_string_equal(b.kernel, "http://h/k");
	assert_int_equal(b.n_initrd, 2);
	assert_string_equal(b.initrd[0], "i0");
	assert_string_equal(b.initrd[1], "/d/i1");
	assert_string_equal(b.cmdline, "a=1 b");
	assert_string_equal(b.message, "hi");
	/* whitespace, unknown members of every kind, null, escapes */
	assert_int_equal(json(" \n{ \"x\" : {\"y\": [1, -2.5e+3, true, false, null, \"s\\\"\"]},"
			      "\"kernel\" : \"k\\/v\" , \"initrd\": null, \"cmdline\": "
			      "\"\\u00e9 \\ud83d\\ude00 \\t\", \"message\": null,"
			      "\"ipxe-script\": \"#!ipxe\", \"a-very-long-key-nobody-uses-at-all-x\": 0"
			      "}\r\n",
			      &b),
			 -EBADMSG); /* \t is a control character in cmdline */
	assert_int_equal(json("{\"x\":{\"y\":[1,-2.5e+3,true,false,null,\"s\\\"\"]},\"kernel\":"
			      "\"k\\/v\",\"initrd\":null,\"cmdline\":\"\\u00e9 \\ud83d\\ude00\","
			      "\"a-very-long-key-nobody-uses-at-all-x\":0,\"message\":null}",
			      &b),
			 0);
	assert_string_equal(b.kernel, "k/v");
	assert_int_equal(b.n_initrd, 0);
	assert_string_equal(b.cmdline, "\xc3\xa9 \xf0\x9f\x98\x80");
	assert_string_equal(b.message, "");
	assert_int_equal(json("{\"kernel\":\"k\",\"initrd\":[],\"cmdline\":"
			      "\"c={{ URL \\\"/cfg\\\" }} d={{URL \\\"http://x/y\\\"}}\"}",
			      &b),
			 0);
	assert_int_equal(b.n_initrd, 0);
}

static void test_json_bad(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int rc;
	} v[] = {
	    {"", -EBADMSG},
	    {"[]", -EBADMSG},
	    {"{}", -EBADMSG}, /* no kernel */
	    {"{\"initrd\":[\"i\"]}", -EBADMSG},
	    {"{\"kernel\":null}", -EBADMSG},
	    {"{\"kernel\":\"\"}", -EBADMSG},
	    {"{\"kernel\":1}", -EBADMSG},
	    {"{\"kernel\":\"k\"} x", -EBADMSG},
	    {"{\"kernel\":\"k\",}", -EBADMSG},
	    {"{\"kernel\":\"k\"", -EBADMSG},
	    {"{\"kernel\" \"k\"}", -EBADMSG},
	    {"{kernel:\"k\"}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"initrd\":\"i\"}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"initrd\":[1]}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"initrd\":[null]}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"initrd\":[\"a\",]}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"initrd\":[\"a\"}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"initrd\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]}",
	     -E2BIG},
	    {"{\"kernel\":\"k\",\"cmdline\":{\"a\":true}}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"cmdline\":\"a\\nb\"}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"cmdline\":\"{{ .Foo }}\"}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"cmdline\":\"{{ URL \\\"a b\\\" }}\"}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"cmdline\":\"{{ URL \\\"x\\\" \"}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"cmdline\":\"{{ URL \\\"../x\\\" }}\"}", -EBADMSG},
	    {"{\"kernel\":\"k b\"}", -EBADMSG},
	    {"{\"kernel\":\"file:///k\"}", -EBADMSG},
	    {"{\"kernel\":\"tftp://h/k\"}", -EBADMSG},
	    {"{\"kernel\":\"../etc/passwd\"}", -EBADMSG},
	    {"{\"kernel\":\"a/../../b\"}", -EBADMSG},
	    {"{\"kernel\":\"k?x\"}", -EBADMSG},
	    {"{\"kernel\":\"${root}\"}", -EBADMSG},
	    {"{\"kernel\":\"k\\u0000\"}", -EBADMSG},
	    {"{\"kernel\":\"k\\ud800\"}", -EBADMSG},
	    {"{\"kernel\":\"k\\udc00\"}", -EBADMSG},
	    {"{\"kernel\":\"k\\ud800\\u0041\"}", -EBADMSG},
	    {"{\"kernel\":\"k\\u12\"}", -EBADMSG},
	    {"{\"kernel\":\"k\\x\"}", -EBADMSG},
	    {"{\"kernel\":\"k\x01\"}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"x\":tru}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"x\":-}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"x\":1.}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"x\":1e}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"x\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", -E2BIG},
	    {"{\"kernel\":\"k\",\"x\":{\"a\" 1}}", -EBADMSG},
	    {"{\"kernel\":\"k\",\"x\":{1:1}}", -EBADMSG},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		static struct api_boot b;
		int rc = json(v[i].s, &b);
		if (rc != v[i].rc)
			fail_msg("%s: rc %d, want %d", v[i].s, rc, v[i].rc);
	}
	/* too long: a name, the message, the document */
	static char s[API_JSON_MAX + 64];
	static struct api_boot b;
	snprintf(s, sizeof s, "{\"kernel\":\"%0300d\"}", 0);
	assert_int_equal(json(s, &b), -E2BIG);
	snprintf(s, sizeof s, "{\"kernel\":\"k\",\"message\":\"%0200d\"}", 0);
	assert_int_equal(json(s, &b), -E2BIG);
	memset(s, ' ', sizeof s - 1);
	s[sizeof s - 1] = 0;
	memcpy(s, "{\"kernel\":\"k\"}", 14);
	assert_int_equal(json(s, &b), -E2BIG);
}

static void test_expand(void **state)
{
	(void)state;
	char out[256];
	assert_int_equal(api_cmdline_expand("a {{ URL \"/c/f\" }} b={{URL \"https://x/y\"}}c",
					    "192.0.2.2:80", out, sizeof out),
			 (int)strlen("a http://192.0.2.2:80/c/f b=https://x/yc"));
	assert_string_equal(out, "a http://192.0.2.2:80/c/f b=https://x/yc");
	assert_int_equal(api_cmdline_expand("", "h", out, sizeof out), 0);
	assert_int_equal(api_cmdline_expand("{{ x }}", "h", out, sizeof out), -EBADMSG);
	assert_int_equal(api_cmdline_expand("{{ URL \"a\" }}", "h", out, 8), -ENOBUFS);
}

/* ---- bootplan's api row, with a fake client ---- */

struct fake_api {
	int rc;
	struct api_boot b;
	int asked;
};

static int fake_decide(void *arg, const uint8_t mac[6], const struct api_boot **b,
		       const char **why)
{
	struct fake_api *f = arg;
	(void)mac;
	f->asked++;
	*b = f->rc ? NULL : &f->b;
	*why = f->rc ? "api: fake says no" : "api";
	return f->rc;
}

static const struct api_boot *fake_latest(void *arg, const uint8_t mac[6])
{
	struct fake_api *f = arg;
	return mac[5] == 0x01 ? &f->b : NULL;
}

static void test_bootplan_row(void **state)
{
	(void)state;
	static struct bootplan p;
	static struct fake_api f;
	struct bootplan_api hook = {.decide = fake_decide, .latest = fake_latest, .arg = &f};
	const char *err;
	struct boot_choice bc;
	struct pxe_client c = {.mac = {0x52, 0x54, 0, 0, 0, 0x01}};
	static const uint8_t ip[4] = {192, 0, 2, 2};
	memset(&p, 0, sizeof p);
	p.api_url = "http://192.0.2.1:8080";
	p.api = &hook;
	p.http = p.tftp = true;
	p.http_port = 80;
	p.ipxe_dir = "/usr/lib/ipxe";
	c.arch = 0;
	c.ai = pxe_arch_by_code(0);
	snprintf(f.b.kernel, sizeof f.b.kernel, "img/linux");
	snprintf(f.b.initrd[0], sizeof f.b.initrd[0], "http://192.0.2.1:8080/files/i.gz?v=2");
	f.b.n_initrd = 1;
	snprintf(f.b.cmdline, sizeof f.b.cmdline, "console=ttyS0 cfg={{ URL \"/cfg\" }}");
	snprintf(f.b.message, sizeof f.b.message, "rack 4 ${x}\x01");

	/* BIOS firmware: chain-load iPXE over TFTP */
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.rule, "api");
	assert_string_equal(bc.file, "lifeboat/ipxe/undionly.kpxe");
	/* x64 UEFI: its iPXE; U-Boot has none to run: silent */
	c.arch = 7;
	c.ai = pxe_arch_by_code(7);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "lifeboat/ipxe/snponly.efi");
	c.uboot = true;
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), -ENOENT);
	assert_string_equal(bc.rule, "api");
	c.uboot = false;
	c.arch = 0;
	c.ai = pxe_arch_by_code(0);
	/* iPXE: its script, by URL */
	c.ipxe = true;
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file,
			    "http://192.0.2.2/lifeboat/api/192.0.2.2/525400000001/boot.ipxe");
	/* the API says no: silent, and the row decides (no fallback) */
	f.rc = -ENOENT;
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), -EPERM);
	assert_string_equal(bc.rule, "api");
	assert_string_equal(bc.why, "api: fake says no");
	/* a --host ignore rule comes first; the API is not asked */
	int asked = f.asked;
	assert_int_equal(bootplan_add_host(&p, "52:54:00:00:00:01=ignore", &err), 0);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), -EPERM);
	assert_int_equal(f.asked, asked);
	p.n_hosts = 0;
	/* no MAC (the start-up report's made-up clients): never asked */
	memset(c.mac, 0, 6);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), -ENOENT);
	assert_int_equal(f.asked, asked);
	f.rc = 0;

	/* the script, from the latest answer */
	static char buf[4096];
	struct bootplan_file out;
	assert_int_equal(
	    bootplan_lookup(&p, "lifeboat/api/192.0.2.2/525400000001/boot.ipxe", buf, sizeof buf, &out),
	    0);
	assert_string_equal(out.text,
			    "#!ipxe\n# generated by lifeboat serve from --api\n"
			    "echo rack 4 ?{x}?\n"
			    "echo lifeboat: booting linux\n"
			    "kernel http://192.0.2.2:80/img/linux initrd=i.gz console=ttyS0 "
			    "cfg=http://192.0.2.2:80/cfg\n"
			    "initrd http://192.0.2.1:8080/files/i.gz?v=2\n"
			    "boot\n");
	static const char *const miss[] = {
	    "lifeboat/api/192.0.2.2/525400000002/boot.ipxe", /* no answer for it */
	    "lifeboat/api/192.0.2.2/52540000000/boot.ipxe",
	    "lifeboat/api/192.0.2.2/52540000000g/boot.ipxe",
	    "lifeboat/api/192.0.2.2/525400000001/boot.ipx",
	    "lifeboat/api/not-an-ip/525400000001/boot.ipxe",
	    "lifeboat/api//525400000001/boot.ipxe",
	    "lifeboat/api/525400000001",
	};
	for (size_t i = 0; i < sizeof miss / sizeof miss[0]; i++)
		if (bootplan_lookup(&p, miss[i], buf, sizeof buf, &out) != -ENOENT)
			fail_msg("%s resolved", miss[i]);
	/* IPv6: bracketed in the URLs */
	assert_true(bootplan_api_script(&f.b, "2001:db8::2", 8080, buf, sizeof buf) > 0);
	assert_non_null(strstr(buf, "kernel http://[2001:db8::2]:8080/img/linux "));
	assert_int_equal(bootplan_api_script(&f.b, "2001:db8::2", 8080, buf, 64), -ENOBUFS);
}

/* ---- the client on a real loop, a local server ---- */

struct srv {
	int lfd;
	uint16_t port;
	int conns[128];
	size_t n;
};

static void srv_open(struct srv *s)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	memset(s, 0, sizeof *s);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s->lfd, 128), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &al), 0);
	s->port = ntohs(a.sin_port);
}

static void srv_accept(struct srv *s)
{
	int fd;
	while (s->n < 128 && (fd = accept(s->lfd, NULL, NULL)) >= 0)
		s->conns[s->n++] = fd;
}

/* Reads connection i's request, answers with resp, closes it. */
static void srv_answer(struct srv *s, size_t i, const char *resp)
{
	char req[1024];
	ssize_t k = read(s->conns[i], req, sizeof req - 1);
	assert_true(k > 0);
	req[k] = 0;
	assert_non_null(strstr(req, "/v1/boot/"));
	assert_true(write(s->conns[i], resp, strlen(resp)) == (ssize_t)strlen(resp));
	close(s->conns[i]);
	s->conns[i] = -1;
}

static void spin(struct loop *l, int turns)
{
	for (int i = 0; i < turns; i++)
		loop_once(l, 5);
}

static void test_client(void **state)
{
	(void)state;
	struct loop l;
	struct srv s;
	struct api *a;
	char err[128], url[64];
	const struct api_boot *b;
	const char *why;
	uint8_t mac[6] = {0x52, 0x54, 0, 0, 0, 1};
	srv_open(&s);
	snprintf(url, sizeof url, "http://127.0.0.1:%u/inv", s.port);
	struct api_cfg cfg = {.url = url, .ttl_s = 60, .timeout_ms = 300};
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(api_start(&a, &l, &cfg, err, sizeof err), 0);

	/* a miss: silent, one request however often the client asks */
	assert_int_equal(api_decide(a, mac, &b, &why), -EAGAIN);
	assert_int_equal(api_decide(a, mac, &b, &why), -EAGAIN);
	spin(&l, 5);
	srv_accept(&s);
	assert_int_equal(s.n, 1);
	assert_null(api_latest(a, mac));
	srv_answer(&s, 0,
		   "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n{\"kernel\":\"k/l\"}");
	spin(&l, 5);
	assert_int_equal(api_decide(a, mac, &b, &why), 0);
	assert_string_equal(b->kernel, "k/l");
	assert_non_null(api_latest(a, mac));

	/* 404 for another: not ours, cached */
	mac[5] = 2;
	assert_int_equal(api_decide(a, mac, &b, &why), -EAGAIN);
	spin(&l, 5);
	srv_accept(&s);
	assert_int_equal(s.n, 2);
	srv_answer(&s, 1, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	spin(&l, 5);
	assert_int_equal(api_decide(a, mac, &b, &why), -ENOENT);
	/* a bad JSON answer: a failure */
	mac[5] = 3;
	assert_int_equal(api_decide(a, mac, &b, &why), -EAGAIN);
	spin(&l, 5);
	srv_accept(&s);
	srv_answer(&s, 2, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
	spin(&l, 5);
	assert_int_equal(api_decide(a, mac, &b, &why), -EIO);

	/* many new machines: at most API_INFLIGHT connections, API_QUEUE
	 * waiting, the rest refused; a silent server times them out */
	size_t before = s.n;
	int busy = 0;
	for (int i = 0; i < API_INFLIGHT + API_QUEUE + 5; i++) {
		uint8_t m[6] = {0x52, 0x54, 1, 0, (uint8_t)(i >> 8), (uint8_t)i};
		busy += api_decide(a, m, &b, &why) == -EBUSY;
	}
	assert_int_equal(busy, 5);
	spin(&l, 5);
	srv_accept(&s);
	assert_int_equal(s.n - before, API_INFLIGHT);
	uint8_t m0[6] = {0x52, 0x54, 1, 0, 0, 0};
	uint64_t t0 = loop_clock_ms();
	while (api_decide(a, m0, &b, &why) == -EAGAIN && loop_clock_ms() - t0 < 3000)
		loop_once(&l, 50);
	assert_int_equal(api_decide(a, m0, &b, &why), -EIO);
	assert_true(loop_clock_ms() - t0 >= 250);
	struct api_stats st;
	api_get_stats(a, &st);
	assert_int_equal(st.boot, 1);
	assert_int_equal(st.notours, 1);
	assert_true(st.queue_full >= 5);

	api_stop(a);
	for (size_t i = 0; i < s.n; i++)
		if (s.conns[i] >= 0)
			close(s.conns[i]);
	close(s.lfd);
	loop_free(&l);
	/* https is refused with a reason */
	cfg.url = "https://192.0.2.1/";
	assert_int_equal(api_start(&a, &l, &cfg, err, sizeof err), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "TLS"));
}

static uint64_t fake_now;
static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

/* Accepts the next connection and answers it. */
static void srv_next(struct loop *l, struct srv *s, const char *resp)
{
	size_t n = s->n;
	for (int i = 0; i < 100 && s->n == n; i++) {
		loop_once(l, 5);
		srv_accept(s);
	}
	assert_int_equal(s->n, n + 1);
	srv_answer(s, n, resp);
	for (int i = 0; i < 5; i++)
		loop_once(l, 5);
}

/* The cache's clock: a 200 is used for --api-ttl, then asked again while
 * its script stays servable; a 404 replaces it; a failure is retried after
 * API_FAIL_TTL_MS and not before. */
static void test_ttl(void **state)
{
	(void)state;
	struct loop l;
	struct srv s;
	struct api *a;
	char err[128], url[64];
	const struct api_boot *b;
	const char *why;
	static const uint8_t mac[6] = {0x52, 0x54, 0, 0, 0, 9};
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n{\"kernel\":\"k/l\"}";
	srv_open(&s);
	snprintf(url, sizeof url, "http://127.0.0.1:%u", s.port);
	struct api_cfg cfg = {.url = url, .ttl_s = 60, .timeout_ms = 1000};
	assert_int_equal(loop_init(&l), 0);
	fake_now = 1000000;
	loop_set_clock(&l, fake_clock, NULL);
	assert_int_equal(api_start(&a, &l, &cfg, err, sizeof err), 0);
	assert_int_equal(api_decide(a, mac, &b, &why), -EAGAIN);
	srv_next(&l, &s, ok);
	assert_int_equal(api_decide(a, mac, &b, &why), 0);
	fake_now += 59000;
	loop_once(&l, 0);
	assert_int_equal(api_decide(a, mac, &b, &why), 0); /* still fresh */
	fake_now += 2000;
	loop_once(&l, 0);
	assert_int_equal(api_decide(a, mac, &b, &why), -EAGAIN); /* expired: asked again */
	assert_non_null(api_latest(a, mac));			  /* the script still served */
	srv_next(&l, &s, "HTTP/1.1 404 Not Found\r\n\r\n");
	assert_int_equal(api_decide(a, mac, &b, &why), -ENOENT);
	assert_null(api_latest(a, mac));
	fake_now += 61000;
	loop_once(&l, 0);
	assert_int_equal(api_decide(a, mac, &b, &why), -EAGAIN);
	srv_next(&l, &s, "HTTP/1.1 503 Busy\r\n\r\n");
	assert_int_equal(api_decide(a, mac, &b, &why), -EIO);
	fake_now += API_FAIL_TTL_MS - 1;
	loop_once(&l, 0);
	assert_int_equal(api_decide(a, mac, &b, &why), -EIO); /* not retried yet */
	fake_now += 2;
	loop_once(&l, 0);
	assert_int_equal(api_decide(a, mac, &b, &why), -EAGAIN);
	srv_next(&l, &s, ok);
	assert_int_equal(api_decide(a, mac, &b, &why), 0);
	struct api_stats st;
	api_get_stats(a, &st);
	assert_int_equal(st.requests, 4);
	api_stop(a);
	close(s.lfd);
	loop_free(&l);
}

/* --api and its companions are --config keys too; defaults; bounds. */
static void test_options(void **state)
{
	(void)state;
	char path[] = "/tmp/lbapiXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "api http://192.0.2.1:8080/inv\napi-ttl 30\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	FILE *devnull = fopen("/dev/null", "w");
	struct serve_opts *o = calloc(1, sizeof *o);
	const char *argv1[] = {"serve", "--config", path, "--api-timeout", "500"};
	assert_int_equal(serve_load_opts(5, (char **)argv1, o, devnull), 0);
	assert_string_equal(o->plan.api_url, "http://192.0.2.1:8080/inv");
	assert_int_equal(o->plan.api_ttl, 30);
	assert_int_equal(o->plan.api_timeout_ms, 500);
	serve_opts_free(o);
	o = calloc(1, sizeof *o);
	const char *argv2[] = {"serve", "--api", "http://h"};
	assert_int_equal(serve_load_opts(3, (char **)argv2, o, devnull), 0);
	assert_int_equal(o->plan.api_ttl, 60);
	assert_int_equal(o->plan.api_timeout_ms, 2000);
	serve_opts_free(o);
	o = calloc(1, sizeof *o);
	const char *argv3[] = {"serve", "--api", "http://h", "--api-ttl", "0"};
	assert_int_equal(serve_load_opts(5, (char **)argv3, o, devnull), -EINVAL);
	serve_opts_free(o);
	fclose(devnull);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url),		cmocka_unit_test(test_request),
	    cmocka_unit_test(test_http),	cmocka_unit_test(test_json_good),
	    cmocka_unit_test(test_json_bad),	cmocka_unit_test(test_expand),
	    cmocka_unit_test(test_bootplan_row), cmocka_unit_test(test_client),
	    cmocka_unit_test(test_options),	cmocka_unit_test(test_ttl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
