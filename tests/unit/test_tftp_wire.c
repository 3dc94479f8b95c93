#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/buf.h"
#include "netboot/tftp_wire.h"

/* A packet written as a C string literal (embedded NULs), without the
 * compiler's final NUL. */
#define PKT(lit) (const uint8_t *)(lit), (sizeof(lit) - 1)

struct req_case {
	const char *name;
	const uint8_t *pkt;
	size_t len;
	int rc;
	/* expected on success */
	uint16_t opcode;
	const char *filename;
	enum tftp_mode mode;
	unsigned n_opts;
	int blksize;	 /* -1: absent */
	long long tsize; /* -1: absent */
	int timeout;	 /* -1: absent */
	int window;	 /* -1: absent */
};

static const struct req_case req_cases[] = {
	/* Real clients, bytes as their sources build them. */
	/* iPXE src/net/udp/tftp.c tftp_send_rrq(): "%s%coctet" then
	 * "blksize%c%d%ctsize%c0" with TFTP_MAX_BLKSIZE 1432. */
	{ "ipxe-autoexec", PKT("\0\1autoexec.ipxe\0octet\0blksize\0" "1432\0tsize\0" "0\0"), 0,
	  TFTP_RRQ, "autoexec.ipxe", TFTP_MODE_OCTET, 2, 1432, 0, -1, -1 },
	/* EDK2 NetworkPkg Mtftp4 via PxeBcTftpGetFileSize(): tsize first,
	 * then blksize and (since 2020) windowsize. */
	{ "edk2-getsize", PKT("\0\1grubx64.efi\0octet\0tsize\0" "0\0blksize\0" "1468\0windowsize\0" "4\0"), 0,
	  TFTP_RRQ, "grubx64.efi", TFTP_MODE_OCTET, 3, 1468, 0, -1, 4 },
	/* U-Boot net/tftp.c tftp_send(): timeout, blksize, tsize, windowsize */
	{ "u-boot", PKT("\0\1pxelinux.cfg/default-arm\0octet\0timeout\0" "5\0blksize\0" "1468\0tsize\0" "0\0windowsize\0" "1\0"), 0,
	  TFTP_RRQ, "pxelinux.cfg/default-arm", TFTP_MODE_OCTET, 4, 1468, 0, 5, 1 },
	/* tftp-hpa and old PXE ROMs: plain RFC 1350 */
	{ "rfc1350-plain", PKT("\0\1pxelinux.0\0octet\0"), 0, TFTP_RRQ, "pxelinux.0",
	  TFTP_MODE_OCTET, 0, -1, -1, -1, -1 },
	{ "netascii-upper", PKT("\0\1a\0NetASCII\0"), 0, TFTP_RRQ, "a", TFTP_MODE_NETASCII, 0, -1,
	  -1, -1, -1 },
	{ "option-names-case", PKT("\0\1a\0OCTET\0BlkSize\0" "1024\0TSIZE\0" "0\0"), 0, TFTP_RRQ, "a",
	  TFTP_MODE_OCTET, 2, 1024, 0, -1, -1 },
	{ "wrq", PKT("\0\2up.bin\0octet\0"), 0, TFTP_WRQ, "up.bin", TFTP_MODE_OCTET, 0, -1, -1, -1,
	  -1 },
	{ "windows-backslash", PKT("\0\1boot\\x64\\wdsnbp.com\0octet\0"), 0, TFTP_RRQ,
	  "boot\\x64\\wdsnbp.com", TFTP_MODE_OCTET, 0, -1, -1, -1, -1 },
	{ "unknown-option-kept", PKT("\0\1a\0octet\0multicast\0\0"), 0, TFTP_RRQ, "a", TFTP_MODE_OCTET,
	  1, -1, -1, -1, -1 },
	{ "trailing-nul-padding", PKT("\0\1a\0octet\0blksize\0" "512\0\0\0\0"), 0, TFTP_RRQ, "a",
	  TFTP_MODE_OCTET, 1, 512, -1, -1, -1 },
	{ "empty-filename", PKT("\0\1\0octet\0"), 0, TFTP_RRQ, "", TFTP_MODE_OCTET, 0, -1, -1, -1,
	  -1 },
	/* Values: a bad value is ignored (RFC 2347), blksize/windowsize
	 * above the RFC maximum are clamped. */
	{ "blksize-7-ignored", PKT("\0\1a\0octet\0blksize\0" "7\0"), 0, TFTP_RRQ, "a",
	  TFTP_MODE_OCTET, 1, -1, -1, -1, -1 },
	{ "blksize-8-min", PKT("\0\1a\0octet\0blksize\0" "8\0"), 0, TFTP_RRQ, "a", TFTP_MODE_OCTET,
	  1, 8, -1, -1, -1 },
	{ "blksize-70000-clamped", PKT("\0\1a\0octet\0blksize\0" "70000\0"), 0, TFTP_RRQ, "a",
	  TFTP_MODE_OCTET, 1, 65464, -1, -1, -1 },
	{ "blksize-65464", PKT("\0\1a\0octet\0blksize\0" "65464\0"), 0, TFTP_RRQ, "a",
	  TFTP_MODE_OCTET, 1, 65464, -1, -1, -1 },
	{ "blksize-huge-clamped", PKT("\0\1a\0octet\0blksize\0" "99999999999999999999999\0"), 0,
	  TFTP_RRQ, "a", TFTP_MODE_OCTET, 1, 65464, -1, -1, -1 },
	{ "blksize-text-ignored", PKT("\0\1a\0octet\0blksize\0" "1k\0"), 0, TFTP_RRQ, "a",
	  TFTP_MODE_OCTET, 1, -1, -1, -1, -1 },
	{ "blksize-negative-ignored", PKT("\0\1a\0octet\0blksize\0-512\0"), 0, TFTP_RRQ, "a",
	  TFTP_MODE_OCTET, 1, -1, -1, -1, -1 },
	{ "blksize-empty-ignored", PKT("\0\1a\0octet\0blksize\0\0"), 0, TFTP_RRQ, "a",
	  TFTP_MODE_OCTET, 1, -1, -1, -1, -1 },
	{ "tsize-max-u64", PKT("\0\1a\0octet\0tsize\0" "18446744073709551615\0"), 0, TFTP_RRQ, "a",
	  TFTP_MODE_OCTET, 1, -1, 0, -1, -1 },
	{ "tsize-overflow-ignored", PKT("\0\1a\0octet\0tsize\0" "18446744073709551616\0"), 0,
	  TFTP_RRQ, "a", TFTP_MODE_OCTET, 1, -1, -1, -1, -1 },
	{ "timeout-0-ignored", PKT("\0\1a\0octet\0timeout\0" "0\0"), 0, TFTP_RRQ, "a",
	  TFTP_MODE_OCTET, 1, -1, -1, -1, -1 },
	{ "timeout-255", PKT("\0\1a\0octet\0timeout\0" "255\0"), 0, TFTP_RRQ, "a", TFTP_MODE_OCTET,
	  1, -1, -1, 255, -1 },
	{ "timeout-256-ignored", PKT("\0\1a\0octet\0timeout\0" "256\0"), 0, TFTP_RRQ, "a",
	  TFTP_MODE_OCTET, 1, -1, -1, -1, -1 },
	{ "windowsize-0-ignored", PKT("\0\1a\0octet\0windowsize\0" "0\0"), 0, TFTP_RRQ, "a",
	  TFTP_MODE_OCTET, 1, -1, -1, -1, -1 },
	{ "windowsize-70000-clamped", PKT("\0\1a\0octet\0windowsize\0" "70000\0"), 0, TFTP_RRQ,
	  "a", TFTP_MODE_OCTET, 1, -1, -1, -1, 65535 },
	/* Malformed: all refused. */
	{ "empty", PKT(""), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "one-byte", PKT("\0"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "opcode-only", PKT("\0\1"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "filename-no-nul", PKT("\0\1file"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "mode-missing", PKT("\0\1file\0"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "mode-no-nul", PKT("\0\1file\0octet"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "mode-empty", PKT("\0\1file\0\0"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "mode-mail", PKT("\0\1file\0mail\0"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "mode-octets", PKT("\0\1file\0octets\0"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "opcode-data", PKT("\0\3file\0octet\0"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "opcode-0", PKT("\0\0file\0octet\0"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "opcode-7", PKT("\0\7file\0octet\0"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "opcode-256-rrq", PKT("\1\1file\0octet\0"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "option-without-value", PKT("\0\1a\0octet\0blksize\0"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "option-value-no-nul", PKT("\0\1a\0octet\0blksize\0" "1432"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "option-name-no-nul", PKT("\0\1a\0octet\0blksize"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "padding-then-garbage", PKT("\0\1a\0octet\0\0x\0y\0"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "duplicate-blksize", PKT("\0\1a\0octet\0blksize\0" "512\0blksize\0" "1024\0"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "duplicate-tsize-case", PKT("\0\1a\0octet\0tsize\0" "0\0TSize\0" "0\0"), -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
	{ "17-options", PKT("\0\1a\0octet\0"
			     "a\0" "1\0b\0" "1\0c\0" "1\0d\0" "1\0e\0" "1\0f\0" "1\0g\0" "1\0h\0" "1\0"
			     "i\0" "1\0j\0" "1\0k\0" "1\0l\0" "1\0m\0" "1\0n\0" "1\0o\0" "1\0p\0" "1\0"
			     "q\0" "1\0"),
	  -EBADMSG, 0, NULL, 0, 0, 0, 0, 0, 0 },
};

static void test_parse_request_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof req_cases / sizeof req_cases[0]; i++) {
		const struct req_case *c = &req_cases[i];
		struct tftp_request r;
		int rc = tftp_parse_request(c->pkt, c->len, &r);
/* names the failing row */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg("case %s: %s", c->name, #cond);                                  \
	} while (0)
		CHECK(rc == c->rc);
		if (rc)
			continue;
		CHECK(r.opcode == c->opcode);
		CHECK(r.filename_len == strlen(c->filename));
		CHECK(!memcmp(r.filename, c->filename, r.filename_len));
		CHECK(r.mode == c->mode);
		CHECK(r.n_opts == c->n_opts);
		CHECK(r.has_blksize == (c->blksize >= 0));
		CHECK(c->blksize < 0 || r.blksize == (uint32_t)c->blksize);
		CHECK(r.has_tsize == (c->tsize >= 0));
		CHECK(c->tsize < 0 || !strcmp(c->name, "tsize-max-u64") ||
		      r.tsize == (uint64_t)c->tsize);
		CHECK(r.has_timeout == (c->timeout >= 0));
		CHECK(c->timeout < 0 || r.timeout_s == (uint32_t)c->timeout);
		CHECK(r.has_windowsize == (c->window >= 0));
		CHECK(c->window < 0 || r.windowsize == (uint32_t)c->window);
#undef CHECK
	}
}

static void test_parse_request_max_tsize(void **state)
{
	(void)state;
	struct tftp_request r;
	assert_int_equal(tftp_parse_request(PKT("\0\1a\0octet\0tsize\0" "18446744073709551615\0"), &r), 0);
	assert_true(r.has_tsize);
	assert_true(r.tsize == UINT64_MAX);
}

/* Exactly 16 options parse, and every option is kept in order. */
static void test_parse_request_16_options(void **state)
{
	(void)state;
	struct tftp_request r;
	assert_int_equal(tftp_parse_request(PKT("\0\1a\0octet\0"
					 "a\0" "1\0b\0" "1\0c\0" "1\0d\0" "1\0e\0" "1\0f\0" "1\0g\0" "1\0h\0" "1\0"
					 "i\0" "1\0j\0" "1\0k\0" "1\0l\0" "1\0m\0" "1\0n\0" "1\0o\0" "1\0"
					 "blksize\0" "1400\0"),
					    &r),
			 0);
	assert_int_equal(r.n_opts, 16);
	assert_memory_equal(r.opts[0].name, "a", 1);
	assert_int_equal(r.opts[15].name_len, 7);
	assert_int_equal(r.opts[15].value_len, 4);
	assert_true(r.has_blksize);
	assert_int_equal(r.blksize, 1400);
}

static void test_parse_ack_error_data(void **state)
{
	(void)state;
	uint16_t b;
	struct tftp_error e;
	const uint8_t *d;
	size_t n;

	assert_int_equal(tftp_parse_ack(PKT("\0\4\xff\xff"), &b), 0);
	assert_int_equal(b, 65535);
	assert_int_equal(tftp_parse_ack(PKT("\0\4\0\0"), &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(tftp_parse_ack(PKT("\0\4\0"), &b), -EBADMSG);
	assert_int_equal(tftp_parse_ack(PKT("\0\3\0\1"), &b), -EBADMSG);
	assert_int_equal(tftp_parse_ack(PKT(""), &b), -EBADMSG);

	/* EDK2 aborting a size probe */
	assert_int_equal(tftp_parse_error(PKT("\0\5\0\10User aborted\0"), &e), 0);
	assert_int_equal(e.code, 8);
	assert_int_equal(e.msg_len, 12);
	assert_memory_equal(e.msg, "User aborted", 12);
	/* message without NUL: take what is there */
	assert_int_equal(tftp_parse_error(PKT("\0\5\0\0abc"), &e), 0);
	assert_int_equal(e.code, 0);
	assert_int_equal(e.msg_len, 3);
	assert_int_equal(tftp_parse_error(PKT("\0\5\0\1"), &e), 0);
	assert_int_equal(e.msg_len, 0);
	assert_int_equal(tftp_parse_error(PKT("\0\5\0"), &e), -EBADMSG);
	assert_int_equal(tftp_parse_error(PKT("\0\4\0\1"), &e), -EBADMSG);

	assert_int_equal(tftp_parse_data(PKT("\0\3\0\7hello"), &b, &d, &n), 0);
	assert_int_equal(b, 7);
	assert_int_equal(n, 5);
	assert_memory_equal(d, "hello", 5);
	assert_int_equal(tftp_parse_data(PKT("\0\3\0\7"), &b, &d, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(tftp_parse_data(PKT("\0\3\0"), &b, &d, &n), -EBADMSG);
	assert_int_equal(tftp_parse_data(PKT("\0\4\0\1x"), &b, &d, &n), -EBADMSG);
}

static void test_build_packets(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(tftp_build_data(&w, 0xfffe, "xyz", 3), 0);
	assert_int_equal(w.len, 7);
	assert_memory_equal(buf, "\0\3\xff\xfexyz", 7);

	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(tftp_build_error(&w, TFTP_ENOTFOUND, NULL), 0);
	assert_int_equal(w.len, 4 + sizeof "File not found");
	assert_memory_equal(buf, "\0\5\0\1File not found\0", w.len);

	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(tftp_build_ack(&w, 258), 0);
	assert_memory_equal(buf, "\0\4\1\2", 4);

	struct tftp_oack o = { .has_blksize = true, .blksize = 1432, .has_tsize = true,
			       .tsize = 33554944, .has_windowsize = true, .windowsize = 8 };
	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(tftp_build_oack(&w, &o), 0);
	static const char want[] = "\0\6blksize\0" "1432\0tsize\0" "33554944\0windowsize\0" "8\0";
	assert_int_equal(w.len, sizeof want - 1);
	assert_memory_equal(buf, want, w.len);

	/* the OACK parses back to what was built */
	struct tftp_request back;
	assert_int_equal(tftp_parse_oack(buf, w.len, &back), 0);
	assert_true(back.has_blksize && back.blksize == 1432);
	assert_true(back.has_tsize && back.tsize == 33554944);
	assert_true(back.has_windowsize && back.windowsize == 8);
	assert_false(back.has_timeout);
}

/* Builders refuse to overflow and write nothing partial into the packet. */
static void test_build_overflow(void **state)
{
	(void)state;
	uint8_t buf[16];
	struct wbuf w;

	wbuf_init(&w, buf, 3);
	assert_int_equal(tftp_build_data_hdr(&w, 1), -ENOBUFS);
	assert_int_equal(w.len, 0);
	wbuf_init(&w, buf, 6);
	assert_int_equal(tftp_build_data(&w, 1, "abc", 3), -ENOBUFS);
	assert_int_equal(w.len, 0);
	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(tftp_build_error(&w, 0, "a message that is too long"), -ENOBUFS);
	assert_int_equal(w.len, 0);
	struct tftp_oack o = { .has_blksize = true, .blksize = 1432, .has_tsize = true,
			       .tsize = 1 };
	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(tftp_build_oack(&w, &o), -ENOBUFS);
	assert_int_equal(w.len, 0);
	const char *names[] = { "blksize" }, *values[] = { "1432" };
	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(tftp_build_request(&w, TFTP_RRQ, "file", "octet", names, values, 1),
			 -ENOBUFS);
	assert_int_equal(w.len, 0);
}

static void test_build_request_roundtrip(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct wbuf w;
	struct tftp_request r;
	const char *names[] = { "blksize", "tsize", "windowsize", "timeout" };
	const char *values[] = { "1432", "0", "8", "3" };
	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(tftp_build_request(&w, TFTP_RRQ, "dir/f", "octet", names, values, 4), 0);
	assert_int_equal(tftp_parse_request(buf, w.len, &r), 0);
	assert_int_equal(r.filename_len, 5);
	assert_true(r.has_blksize && r.blksize == 1432);
	assert_true(r.has_tsize && r.tsize == 0);
	assert_true(r.has_windowsize && r.windowsize == 8);
	assert_true(r.has_timeout && r.timeout_s == 3);
}

static void test_blksize_for_mtu(void **state)
{
	(void)state;
	assert_int_equal(tftp_blksize_for_mtu(1500, false), 1468);
	assert_int_equal(tftp_blksize_for_mtu(1500, true), 1448);
	assert_int_equal(tftp_blksize_for_mtu(9000, false), 8968);
	assert_int_equal(tftp_blksize_for_mtu(65536, false), 65464);
	assert_int_equal(tftp_blksize_for_mtu(65536, true), 65464);
	assert_int_equal(tftp_blksize_for_mtu(10, false), 8);
	assert_int_equal(tftp_blksize_for_mtu(0, true), 8);
	assert_string_equal(tftp_errcode_str(1), "File not found");
	assert_string_equal(tftp_errcode_str(99), "Unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_request_table),
		cmocka_unit_test(test_parse_request_max_tsize),
		cmocka_unit_test(test_parse_request_16_options),
		cmocka_unit_test(test_parse_ack_error_data),
		cmocka_unit_test(test_build_packets),
		cmocka_unit_test(test_build_overflow),
		cmocka_unit_test(test_build_request_roundtrip),
		cmocka_unit_test(test_blksize_for_mtu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
