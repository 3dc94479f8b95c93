/* lifeboat probe's pure parts: the packets each client kind sends (as
 * lifeboat's own classifier sees them), the frame and reply parsers with
 * malformed vectors, the HTTP head and target parsers, and the explanation
 * rules, table-driven over made-up reports. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/dhcp4_wire.h"
#include "netboot/probe_explain.h"
#include "netboot/probe_print.h"
#include "netboot/probe_report.h"
#include "netboot/probe_wire.h"
#include "netboot/pxe.h"
#include "testutil.h"

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
#define BASE 0x5a5a5a00u

static void test_kinds_parse(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int r;
		unsigned mask;
	} t[] = {
	    {"all", 0, PROBE_ALL_KINDS},
	    {"bios", 0, 1u << PROBE_BIOS},
	    {"bios,efi64", 0, 1u << PROBE_BIOS | 1u << PROBE_EFI64},
	    {"efi-http,uboot,all", 0, PROBE_ALL_KINDS},
	    {"rpi,", 0, 1u << PROBE_RPI},
	    {"", -EINVAL, 0},
	    {"bios,,efi64", -EINVAL, 0},
	    {"BIOS", -EINVAL, 0},
	    {"efi", -EINVAL, 0},
	    {"bios,nonsense", -EINVAL, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		unsigned m;
		char bad[32];
		int r = probe_kinds_parse(t[i].in, &m, bad, sizeof bad);
		if (r != t[i].r || (!r && m != t[i].mask))
			fail_msg("'%s': r=%d mask=%x", t[i].in, r, m);
	}
}

/* Each kind's DISCOVER is what lifeboat's classifier takes for that firmware. */
static void test_discover_classified(void **state)
{
	(void)state;
	static const struct {
		enum probe_kind k;
		uint16_t arch;
		bool http, ipxe, rpi, uboot;
	} t[] = {
	    {PROBE_BIOS, 0, false, false, false, false},
	    {PROBE_EFI64, 7, false, false, false, false},
	    {PROBE_EFI_HTTP, 16, true, false, false, false},
	    {PROBE_IPXE, 0, false, true, false, false},
	    {PROBE_ARM64, 11, false, false, false, false},
	    {PROBE_RPI, 0, false, false, true, false},
	    {PROBE_UBOOT, 22, false, false, false, true},
	};
	static struct dhcp4_msg m;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint8_t buf[600];
		struct wbuf w;
		struct pxe_client c;
		wbuf_init(&w, buf, sizeof buf);
		assert_int_equal(probe_build_discover(&w, t[i].k, probe_xid(BASE, t[i].k), MAC), 0);
		assert_int_equal(dhcp4_parse(buf, w.len, &m), 0);
		assert_int_equal(m.msg_type, DHCP4_DISCOVER);
		assert_int_equal(m.flags, 0x8000);
		assert_int_equal(m.xid & 0xff, t[i].k);
		assert_memory_equal(m.chaddr, MAC, 6);
		if (pxe_classify(&m, &c))
			fail_msg("kind %s not a netboot client", probe_kind_info(t[i].k)->name);
		if (c.arch != t[i].arch || c.http != t[i].http || c.ipxe != t[i].ipxe ||
		    c.rpi != t[i].rpi || c.uboot != t[i].uboot)
			fail_msg("kind %s: arch %u http %d ipxe %d rpi %d uboot %d",
				 probe_kind_info(t[i].k)->name, c.arch, c.http, c.ipxe, c.rpi, c.uboot);
		/* never a lease request */
		assert_null(dhcp4_opt(&m, DHCP4_OPT_REQ_IP, &(size_t){0}));
	}
	assert_int_equal(probe_build_discover(&(struct wbuf){0}, PROBE_NKINDS, 0, MAC), -EINVAL);
}

/* Options 60, 93, 94 (and 77, and 97's Pi 4 head) byte for byte as the
 * real firmware sent them in the lab (tests/vectors/dhcp4/). */
static void test_discover_like_captures(void **state)
{
	(void)state;
	static const struct {
		enum probe_kind k;
		const char *vec;
	} t[] = {
	    {PROBE_EFI64, "dhcp4/edk2-ovmf-virtio-discover.bin"},
	    {PROBE_EFI_HTTP, "dhcp4/edk2-ovmf-httpboot-discover.bin"},
	    {PROBE_ARM64, "dhcp4/edk2-aavmf-virtio-discover.bin"},
	    {PROBE_IPXE, "dhcp4/ipxe-seabios-e1000-discover.bin"},
	    {PROBE_BIOS, "dhcp4/rpi3-doc-discover.bin"}, /* a PXE 2.1 BIOS ROM's 60/93/94 */
	    {PROBE_RPI, "dhcp4/rpi4-doc-discover.bin"},
	    {PROBE_UBOOT, "dhcp4/uboot-qemu-arm64-discover.bin"},
	};
	static const uint8_t codes[] = {60, 93, 94, 77};
	static struct dhcp4_msg real, ours;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		size_t len;
		uint8_t buf[600];
		struct wbuf w;
		unsigned char *v = tu_read_vector(t[i].vec, &len);
		assert_int_equal(dhcp4_parse(v, len, &real), 0);
		wbuf_init(&w, buf, sizeof buf);
		assert_int_equal(probe_build_discover(&w, t[i].k, BASE, MAC), 0);
		assert_int_equal(dhcp4_parse(buf, w.len, &ours), 0);
		for (size_t c = 0; c < sizeof codes; c++) {
			size_t a, b;
			const uint8_t *pa = dhcp4_opt(&real, codes[c], &a);
			const uint8_t *pb = dhcp4_opt(&ours, codes[c], &b);
			if (a != b || (a && memcmp(pa, pb, a)))
				fail_msg("%s: option %u differs from %s", probe_kind_info(t[i].k)->name,
					 codes[c], t[i].vec);
		}
		if (t[i].k == PROBE_RPI) {
			size_t a, b;
			const uint8_t *pa = dhcp4_opt(&real, 97, &a), *pb = dhcp4_opt(&ours, 97, &b);
			assert_int_equal(a, b);
			assert_memory_equal(pa, pb, 9); /* type, "RPi4", board revision */
		}
		free(v);
	}
}

static void test_binl_request(void **state)
{
	(void)state;
	static struct dhcp4_msg m;
	uint8_t buf[600], ip[4] = {192, 0, 2, 50};
	uint16_t type, layer;
	struct wbuf w;
	wbuf_init(&w, buf, sizeof buf);
	assert_int_equal(probe_build_binl(&w, PROBE_BIOS, BASE, MAC, ip, 0x8000), 0);
	assert_int_equal(dhcp4_parse(buf, w.len, &m), 0);
	assert_int_equal(m.msg_type, DHCP4_REQUEST);
	assert_memory_equal(m.ciaddr, ip, 4);
	assert_int_equal(pxe_boot_item(&m, &type, &layer), 0);
	assert_int_equal(type, 0x8000);
	/* the smallest buffer refuses, writing nothing past it */
	wbuf_init(&w, buf, 100);
	assert_int_equal(probe_build_binl(&w, PROBE_EFI64, BASE, MAC, ip, 0), -ENOBUFS);
}

static void test_udp4_frames(void **state)
{
	(void)state;
	uint8_t frame[700], pl[5] = "hello", src[4] = {0}, dst[4] = {255, 255, 255, 255}, got[4];
	const uint8_t *p;
	size_t n;
	uint16_t sport;
	struct wbuf w;
	wbuf_init(&w, frame, sizeof frame);
	assert_int_equal(probe_build_udp4(&w, src, 67, dst, 68, pl, sizeof pl), 0);
	assert_int_equal(w.len, 28 + sizeof pl);
	assert_int_equal(probe_parse_udp4(frame, w.len, 68, &p, &n, got, &sport), 0);
	assert_int_equal(n, sizeof pl);
	assert_memory_equal(p, pl, n);
	assert_int_equal(sport, 67);
	assert_int_equal(probe_parse_udp4(frame, w.len, 69, &p, &n, got, &sport), -ENOENT);

	static const struct {
		const char *what;
		size_t off;
		uint8_t val;
		size_t len; /* 0 = whole frame */
		int r;
	} bad[] = {
	    {"truncated header", 0, 0x45, 10, -EBADMSG},
	    {"version 6", 0, 0x65, 0, -EBADMSG},
	    {"ihl 4", 0, 0x44, 0, -EBADMSG},
	    {"ihl past the end", 0, 0x4f, 0, -EBADMSG},
	    {"total length past the frame", 2, 0x7f, 0, -EBADMSG},
	    {"fragment", 6, 0x20, 0, -ENOENT},
	    {"TCP", 9, 6, 0, -ENOENT},
	    {"udp length past total", 24, 0x7f, 0, -EBADMSG},
	    {"udp length 7", 25, 7, 0, -EBADMSG},
	    {"udp cut short", 0, 0x45, 25, -EBADMSG},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t f[700];
		memcpy(f, frame, w.len);
		f[bad[i].off] = bad[i].val;
		if (bad[i].off == 24)
			f[25] = 0;
		int r = probe_parse_udp4(f, bad[i].len ? bad[i].len : w.len, 68, &p, &n, got, &sport);
		if (r != bad[i].r)
			fail_msg("%s: %d, want %d", bad[i].what, r, bad[i].r);
	}
}

/* A reply to kind k: yiaddr (NULL = proxy), file, option 43 bytes. */
static size_t make_reply(uint8_t *buf, size_t cap, enum probe_kind k, const char *yiaddr,
			 const char *file, const uint8_t *o43, size_t n43)
{
	struct dhcp4_hdr h = {.op = DHCP4_BOOTREPLY, .xid = probe_xid(BASE, k), .hlen = 6,
			      .file = file};
	struct wbuf w;
	memcpy(h.chaddr, MAC, 6);
	if (yiaddr)
		inet_pton(AF_INET, yiaddr, h.yiaddr);
	inet_pton(AF_INET, "192.0.2.2", h.siaddr);
	wbuf_init(&w, buf, cap);
	dhcp4_build_header(&w, &h);
	dhcp4_build_opt_u8(&w, DHCP4_OPT_MSG_TYPE, DHCP4_OFFER);
	dhcp4_build_opt(&w, DHCP4_OPT_SERVER_ID, (uint8_t[]){192, 0, 2, 2}, 4);
	dhcp4_build_opt(&w, DHCP4_OPT_VENDOR_CLASS, "PXEClient", 9);
	if (o43)
		dhcp4_build_opt(&w, DHCP4_OPT_VENDOR, o43, n43);
	dhcp4_build_end(&w);
	assert_false(w.err);
	return w.len;
}

static void test_parse_v4(void **state)
{
	(void)state;
	/* dnsmasq's proxy menu from the lab, PXE10, the Pi's menu */
	static const uint8_t dnsmasq43[] = {0x06, 0x01, 0x03, 0x0a, 0x04, 0x00, 0x50, 0x58, 0x45,
					    0x08, 0x07, 0x80, 0x00, 0x01, 0xc0, 0x00, 0x02, 0x03,
					    0x09, 0x0e, 0x80, 0x00, 0x0b, 'O',	'h',  'e',  'r',
					    ' ',  'p',	'r',  'o',  'x',  'y',	0xff};
	static const uint8_t pxe10[] = {0x06, 0x01, 0x08, 0xff};
	static const uint8_t rpi43[] = {0x06, 0x01, 0x03, 0x0a, 0x04, 0x00, 'P', 'X', 'E', 0x09,
					0x14, 0x00, 0x00, 0x11, 'R', 'a', 's', 'p', 'b', 'e',
					'r',  'r',  'y',  ' ',	'P', 'i', ' ', 'B', 'o', 'o',
					't',  0xff};
	static const uint8_t bad43[] = {0x06, 0x05, 0x08};
	uint8_t buf[600], src[4] = {192, 0, 2, 2};
	struct probe_answer a;
	size_t n = make_reply(buf, sizeof buf, PROBE_BIOS, NULL, "", dnsmasq43, sizeof dnsmasq43);
	uint16_t item;
	assert_int_equal(probe_parse_v4(buf, n, BASE, MAC, src, &a), 0);
	assert_true(a.menu && !a.disc_skip && !a.has_addr && a.menu_item == 0x8000);
	assert_true(probe_wants_binl(&a, &item));
	assert_int_equal(item, 0x8000);
	n = make_reply(buf, sizeof buf, PROBE_BIOS, NULL, "undionly.kpxe", pxe10, sizeof pxe10);
	assert_int_equal(probe_parse_v4(buf, n, BASE, MAC, src, &a), 0);
	assert_true(a.disc_skip && !a.menu && !probe_wants_binl(&a, &item));
	assert_string_equal(probe_boot_name(&a), "undionly.kpxe");
	n = make_reply(buf, sizeof buf, PROBE_RPI, NULL, "bootcode.bin", rpi43, sizeof rpi43);
	assert_int_equal(probe_parse_v4(buf, n, BASE, MAC, src, &a), 0);
	assert_true(a.rpi_menu && a.kind == PROBE_RPI);
	n = make_reply(buf, sizeof buf, PROBE_EFI64, NULL, "x.efi", NULL, 0);
	assert_int_equal(probe_parse_v4(buf, n, BASE, MAC, src, &a), 0);
	assert_true(probe_wants_binl(&a, &item)); /* BINL: no option 43 */
	n = make_reply(buf, sizeof buf, PROBE_EFI64, "192.0.2.150", "", NULL, 0);
	assert_int_equal(probe_parse_v4(buf, n, BASE, MAC, src, &a), 0);
	assert_true(a.has_addr && !probe_wants_binl(&a, &item));

	/* not ours, and malformed */
	n = make_reply(buf, sizeof buf, PROBE_BIOS, NULL, "", pxe10, sizeof pxe10);
	assert_int_equal(probe_parse_v4(buf, n, BASE + 0x100, MAC, src, &a), -ENOENT);
	assert_int_equal(probe_parse_v4(buf, n, BASE, (uint8_t[6]){1}, src, &a), -ENOENT);
	buf[0] = DHCP4_BOOTREQUEST;
	assert_int_equal(probe_parse_v4(buf, n, BASE, MAC, src, &a), -ENOENT);
	buf[0] = DHCP4_BOOTREPLY;
	buf[7] = PROBE_NKINDS; /* xid's kind byte out of range */
	assert_int_equal(probe_parse_v4(buf, n, BASE, MAC, src, &a), -ENOENT);
	assert_int_equal(probe_parse_v4(buf, 100, BASE, MAC, src, &a), -EBADMSG);
	n = make_reply(buf, sizeof buf, PROBE_BIOS, NULL, "", bad43, sizeof bad43);
	assert_int_equal(probe_parse_v4(buf, n, BASE, MAC, src, &a), -EBADMSG);
}

static void test_http_head(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int r, status;
		long long size;
	} t[] = {
	    {"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-65535/200000\r\n"
	     "Content-Length: 65536\r\n\r\nBODY",
	     0, 206, 200000},
	    {"HTTP/1.1 200 OK\r\ncontent-length: 18\r\n\r\n#!ipxe", 0, 200, 18},
	    {"HTTP/1.0 404 Not Found\r\nContent-Length: 9\r\n\r\n", 0, 404, -1},
	    {"HTTP/1.1 200 OK\r\n\r\n", 0, 200, -1},
	    {"HTTP/1.1 206 Partial\r\nContent-Range: bytes 0-1/*\r\n\r\n", 0, 206, -1},
	    {"HTTP/1.1 200 OK\r\nContent-Len", -EAGAIN, 0, 0},
	    {"HTTP/1.1 2", -EAGAIN, 0, 0},
	    {"SSH-2.0-OpenSSH\r\n\r\n", -EBADMSG, 0, 0},
	    {"HTTP/1.1 2x6 Odd\r\n\r\n", -EBADMSG, 0, 0},
	    {"HTTP/2 200\r\n\r\n", -EBADMSG, 0, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		int status = 0;
		long long size = 0;
		size_t body;
		int r = probe_parse_http_head(t[i].in, strlen(t[i].in), &status, &size, &body);
		if (r != t[i].r || (!r && (status != t[i].status || size != t[i].size)))
			fail_msg("case %zu: r=%d status=%d size=%lld", i, r, status, size);
	}
}

static void test_targets(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int r;
		bool http;
		const char *host;
		uint16_t port;
		const char *path;
	} t[] = {
	    {"pxelinux.0", 0, false, "", 69, "pxelinux.0"},
	    {"http://192.0.2.2/boot.ipxe", 0, true, "192.0.2.2", 80, "/boot.ipxe"},
	    {"http://192.0.2.2:8080/a/b", 0, true, "192.0.2.2", 8080, "/a/b"},
	    {"tftp://192.0.2.2/x.efi", 0, false, "192.0.2.2", 69, "x.efi"},
	    {"tftp://[2001:db8:1::2]/x.efi", 0, false, "2001:db8:1::2", 69, "x.efi"},
	    {"http://[2001:db8::2]:81/x", 0, true, "2001:db8::2", 81, "/x"},
	    {"http://boot.example/x", -EINVAL, false, "", 0, ""},
	    {"https://192.0.2.2/x", -EINVAL, false, "", 0, ""},
	    {"http://192.0.2.2", -EINVAL, false, "", 0, ""},
	    {"http://[2001:db8::2/x", -EINVAL, false, "", 0, ""},
	    {"http://192.0.2.2:0/x", -EINVAL, false, "", 0, ""},
	    {"http://192.0.2.2:99999/x", -EINVAL, false, "", 0, ""},
	    {"http://192.0.2.2/a b", -EINVAL, false, "", 0, ""},
	    {"http://192.0.2.2/a\r\nX: y", -EINVAL, false, "", 0, ""},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		bool http;
		char host[48];
		uint16_t port;
		const char *path = "";
		int r = probe_parse_target(t[i].in, &http, host, sizeof host, &port, &path);
		if (r != t[i].r ||
		    (!r && (http != t[i].http || strcmp(host, t[i].host) || port != t[i].port ||
			    strcmp(path, t[i].path))))
			fail_msg("'%s': r=%d http=%d host=%s port=%u path=%s", t[i].in, r, http, host,
				 port, path);
	}
}

/* --- the explanation rules, over made-up reports --- */

struct tans {
	enum probe_kind k;
	const char *src;
	const char *yiaddr; /* NULL: a proxy offer */
	const char *file;
	bool pxe10, rpi_menu, binl;
	const char *siaddr;
};

struct tcase {
	const char *name;
	unsigned asked;
	bool no_ip, v6;
	struct tans ans[6];
	bool binl_sent;
	enum probe_fetch_result fetch; /* every planned fetch ends so */
	size_t dropped;
	const char *rules[4];
	bool ok;
	enum probe_why why; /* of the first asked kind */
};

#define B (1u << PROBE_BIOS)
#define R "192.0.2.1"
#define L "192.0.2.2"
#define X "192.0.2.3"

static const struct tcase cases[] = {
    {"nothing answers", B, .rules = {"no-dhcp-server"}, .why = PROBE_WHY_NO_ANSWER},
    {"router only", B, .ans = {{PROBE_BIOS, R, "192.0.2.150", ""}}, .rules = {"no-boot-offer"},
     .why = PROBE_WHY_NO_BOOT},
    {"router + lifeboat",
     B,
     .ans = {{PROBE_BIOS, R, "192.0.2.150", ""}, {PROBE_BIOS, L, NULL, "undionly.kpxe", true}},
     .fetch = PROBE_FETCH_OK,
     .ok = true},
    {"proxy alone",
     B,
     .ans = {{PROBE_BIOS, L, NULL, "undionly.kpxe", true}},
     .fetch = PROBE_FETCH_OK,
     .rules = {"no-address"},
     .why = PROBE_WHY_NO_ADDRESS},
    {"two proxies",
     B,
     .ans = {{PROBE_BIOS, R, "192.0.2.150", ""},
	     {PROBE_BIOS, L, NULL, "undionly.kpxe", true},
	     {PROBE_BIOS, X, NULL, "pxelinux.0", true}},
     .fetch = PROBE_FETCH_OK,
     .rules = {"two-proxies"},
     .ok = true},
    {"two proxies, two kinds, other files: one sentence each",
     B | 1u << PROBE_IPXE,
     .ans = {{PROBE_BIOS, R, "192.0.2.150", ""},
	     {PROBE_IPXE, R, "192.0.2.150", ""},
	     {PROBE_BIOS, L, NULL, "undionly.kpxe", true},
	     {PROBE_BIOS, X, NULL, "pxelinux.0", true},
	     {PROBE_IPXE, L, NULL, "http://192.0.2.2/boot.ipxe", true},
	     {PROBE_IPXE, X, NULL, "pxelinux.0", true}},
     .fetch = PROBE_FETCH_OK,
     .rules = {"two-proxies", "two-proxies"},
     .ok = true},
    {"router sets file beside a proxy",
     B,
     .ans = {{PROBE_BIOS, R, "192.0.2.150", "pxelinux.0"}, {PROBE_BIOS, L, NULL, "undionly.kpxe", true}},
     .fetch = PROBE_FETCH_OK,
     .rules = {"router-sets-boot"},
     .ok = true},
    {"router is the boot server", B, .ans = {{PROBE_BIOS, R, "192.0.2.150", "pxelinux.0"}},
     .fetch = PROBE_FETCH_OK, .rules = {"router-sets-boot"}, .ok = true},
    {"router file beside a proxy: iPXE takes the router's",
     1u << PROBE_IPXE,
     .ans = {{PROBE_IPXE, R, "192.0.2.150", "router.kpxe"},
	     {PROBE_IPXE, L, NULL, "http://192.0.2.2/lifeboat/boot.ipxe", true}},
     .fetch = PROBE_FETCH_OK,
     .rules = {"router-sets-boot"},
     .ok = true},
    {"router file beside a proxy: EDK2 takes the proxy's",
     1u << PROBE_EFI64,
     .ans = {{PROBE_EFI64, R, "192.0.2.150", "router.efi"},
	     {PROBE_EFI64, L, NULL, ""},
	     {PROBE_EFI64, L, NULL, "snponly.efi", .binl = true}},
     .binl_sent = true,
     .fetch = PROBE_FETCH_OK,
     .rules = {"proxy-beats-router"},
     .ok = true},
    {"router file beside a proxy: bios, efi64 and ipxe, two sentences",
     B | 1u << PROBE_EFI64 | 1u << PROBE_IPXE,
     .ans = {{PROBE_BIOS, R, "192.0.2.150", "router.kpxe"},
	     {PROBE_EFI64, R, "192.0.2.150", "router.kpxe"},
	     {PROBE_IPXE, R, "192.0.2.150", "router.kpxe"},
	     {PROBE_BIOS, L, NULL, "undionly.kpxe", true},
	     {PROBE_EFI64, L, NULL, "snponly.efi", true},
	     {PROBE_IPXE, L, NULL, "http://192.0.2.2/lifeboat/boot.ipxe", true}},
     .fetch = PROBE_FETCH_OK,
     .rules = {"router-sets-boot", "proxy-beats-router"},
     .ok = true},
    {"file missing",
     B,
     .ans = {{PROBE_BIOS, R, "192.0.2.150", ""}, {PROBE_BIOS, L, NULL, "nosuch.0", true}},
     .fetch = PROBE_FETCH_NOT_FOUND,
     .rules = {"file-missing"},
     .why = PROBE_WHY_FETCH},
    {"tftp silent",
     B,
     .ans = {{PROBE_BIOS, R, "192.0.2.150", ""}, {PROBE_BIOS, L, NULL, "undionly.kpxe", true}},
     .fetch = PROBE_FETCH_SILENT,
     .rules = {"tftp-blocked"},
     .why = PROBE_WHY_FETCH},
    {"tftp refused",
     B,
     .ans = {{PROBE_BIOS, R, "192.0.2.150", ""}, {PROBE_BIOS, L, NULL, "undionly.kpxe", true}},
     .fetch = PROBE_FETCH_REFUSED,
     .rules = {"tftp-blocked"},
     .why = PROBE_WHY_FETCH},
    {"4011 silent",
     1u << PROBE_EFI64,
     .ans = {{PROBE_EFI64, R, "192.0.2.150", ""}, {PROBE_EFI64, L, NULL, "snponly.efi"}},
     .binl_sent = true,
     .fetch = PROBE_FETCH_OK,
     .rules = {"binl-silent"},
     .why = PROBE_WHY_BINL},
    {"4011 answered",
     1u << PROBE_EFI64,
     .ans = {{PROBE_EFI64, R, "192.0.2.150", ""},
	     {PROBE_EFI64, L, NULL, ""},
	     {PROBE_EFI64, L, NULL, "snponly.efi", .binl = true}},
     .binl_sent = true,
     .fetch = PROBE_FETCH_OK,
     .ok = true},
    {"4011 not sent: no address here",
     1u << PROBE_EFI64,
     .no_ip = true,
     .ans = {{PROBE_EFI64, R, "192.0.2.150", ""}, {PROBE_EFI64, L, NULL, "snponly.efi"}},
     .rules = {"binl-unchecked", "files-unchecked"},
     .why = PROBE_WHY_BINL},
    {"uboot and a proxy",
     1u << PROBE_UBOOT,
     .ans = {{PROBE_UBOOT, R, "192.0.2.150", ""}, {PROBE_UBOOT, L, NULL, "boot.scr", true}},
     .fetch = PROBE_FETCH_OK,
     .rules = {"uboot-proxy"},
     .why = PROBE_WHY_UBOOT},
    {"pi without its menu",
     1u << PROBE_RPI,
     .ans = {{PROBE_RPI, R, "192.0.2.150", ""}, {PROBE_RPI, L, NULL, "bootcode.bin", true}},
     .fetch = PROBE_FETCH_OK,
     .rules = {"rpi-menu"},
     .why = PROBE_WHY_RPI_MENU},
    {"pi with its menu",
     1u << PROBE_RPI,
     .ans = {{PROBE_RPI, R, "192.0.2.150", ""}, {PROBE_RPI, L, NULL, "bootcode.bin", .rpi_menu = true}},
     .fetch = PROBE_FETCH_OK,
     .ok = true},
    {"http boot offered a tftp path",
     1u << PROBE_EFI_HTTP,
     .ans = {{PROBE_EFI_HTTP, R, "192.0.2.150", ""}, {PROBE_EFI_HTTP, L, NULL, "snponly.efi", true}},
     .fetch = PROBE_FETCH_OK,
     .rules = {"http-no-url"},
     .why = PROBE_WHY_NO_URL},
    {"http boot by URL",
     1u << PROBE_EFI_HTTP,
     .ans = {{PROBE_EFI_HTTP, R, "192.0.2.150", ""},
	     {PROBE_EFI_HTTP, L, NULL, "http://192.0.2.2/snponly.efi", true}},
     .fetch = PROBE_FETCH_OK,
     .ok = true},
    {"a host name in the URL",
     1u << PROBE_EFI_HTTP,
     .ans = {{PROBE_EFI_HTTP, R, "192.0.2.150", ""},
	     {PROBE_EFI_HTTP, L, NULL, "http://boot.example/x.efi", true}},
     .rules = {"bad-target"},
     .why = PROBE_WHY_FETCH},
    {"no dhcpv6 answer",
     B,
     .v6 = true,
     .ans = {{PROBE_BIOS, R, "192.0.2.150", ""}, {PROBE_BIOS, L, NULL, "undionly.kpxe", true}},
     .fetch = PROBE_FETCH_OK,
     .rules = {"no-dhcp6"},
     .ok = true},
    {"malformed answers",
     B,
     .ans = {{PROBE_BIOS, R, "192.0.2.150", ""}, {PROBE_BIOS, L, NULL, "undionly.kpxe", true}},
     .fetch = PROBE_FETCH_OK,
     .dropped = 3,
     .rules = {"malformed"},
     .ok = true},
};

static void build(const struct tcase *c, struct probe_report *r)
{
	probe_report_init(r, c->asked, c->v6);
	snprintf(r->ifname, sizeof r->ifname, "eth0");
	r->has_ip = !c->no_ip;
	inet_pton(AF_INET, "192.0.2.50", r->ip);
	for (size_t i = 0; i < 6 && c->ans[i].src; i++) {
		const struct tans *t = &c->ans[i];
		struct probe_answer a = {.kind = t->k, .type = t->binl ? DHCP4_ACK : DHCP4_OFFER,
					 .binl = t->binl};
		inet_pton(AF_INET, t->src, a.src);
		inet_pton(AF_INET, t->src, a.server_id);
		a.has_server_id = true;
		inet_pton(AF_INET, t->siaddr ? t->siaddr : t->src, a.siaddr);
		if (t->yiaddr) {
			inet_pton(AF_INET, t->yiaddr, a.yiaddr);
			a.has_addr = true;
		}
		snprintf(a.file, sizeof a.file, "%s", t->file);
		a.has_43 = t->pxe10 || t->rpi_menu;
		a.disc_skip = t->pxe10;
		a.rpi_menu = a.menu = t->rpi_menu;
		assert_true(probe_report_add(r, &a) >= 0);
	}
	for (int k = 0; k < PROBE_NKINDS; k++)
		r->binl_sent[k] = c->binl_sent;
	r->dropped = c->dropped;
	probe_report_plan(r);
	for (size_t i = 0; i < r->n_fetch; i++)
		if (r->fetch[i].result == PROBE_FETCH_PENDING) {
			r->fetch[i].result = c->fetch;
			r->fetch[i].code = c->fetch == PROBE_FETCH_NOT_FOUND ? 1 : 0;
		}
}

/* Who boots what when the router names a file beside the proxy: iPXE the
 * router's, EDK2 and a BIOS PXE ROM the proxy's; each finding names its
 * kinds (doc/coexist.md). */
static void test_router_file_vs_proxy(void **state)
{
	(void)state;
	static struct probe_report r;
	struct probe_finding fs[16];
	const struct tcase *c = NULL;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (strstr(cases[i].name, "two sentences"))
			c = &cases[i];
	assert_non_null(c);
	build(c, &r);
	assert_true(probe_report_finish(&r));
	const struct probe_answer *b;
	b = &r.ans[r.kind[PROBE_IPXE].boot];
	assert_string_equal(probe_boot_name(b), "router.kpxe");
	assert_true(b->has_addr);
	b = &r.ans[r.kind[PROBE_EFI64].boot];
	assert_string_equal(probe_boot_name(b), "snponly.efi");
	b = &r.ans[r.kind[PROBE_BIOS].boot];
	assert_string_equal(probe_boot_name(b), "undionly.kpxe");
	size_t n = probe_explain(&r, fs, 16);
	assert_int_equal(n, 2);
	assert_string_equal(fs[0].rule, "router-sets-boot");
	assert_int_equal(fs[0].sev, PROBE_SEV_WARN);
	assert_int_equal(fs[0].kinds, B | 1u << PROBE_IPXE);
	assert_non_null(strstr(fs[0].text, "192.0.2.1"));
	assert_non_null(strstr(fs[0].text, "router.kpxe"));
	assert_non_null(strstr(fs[0].text, "cannot win"));
	assert_string_equal(fs[1].rule, "proxy-beats-router");
	assert_int_equal(fs[1].sev, PROBE_SEV_INFO);
	assert_int_equal(fs[1].kinds, 1u << PROBE_EFI64);
	assert_non_null(strstr(fs[1].text, "EDK2 prefers the proxy"));
	/* neither sentence was cut */
	assert_true(strlen(fs[0].text) < sizeof fs[0].text - 1);
	assert_true(strlen(fs[1].text) < sizeof fs[1].text - 1);
}

static void test_rules(void **state)
{
	(void)state;
	static struct probe_report r;
	struct probe_finding fs[16];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tcase *c = &cases[i];
		build(c, &r);
		bool ok = probe_report_finish(&r);
		size_t n = probe_explain(&r, fs, 16), want = 0;
		while (want < 4 && c->rules[want])
			want++;
		if (ok != c->ok)
			fail_msg("%s: ok=%d", c->name, ok);
		int k0 = __builtin_ctz(c->asked);
		if (r.kind[k0].why != c->why)
			fail_msg("%s: why %s", c->name, probe_why_text(r.kind[k0].why));
		if (n != want)
			fail_msg("%s: %zu findings (first: %s), want %zu", c->name, n,
				 n ? fs[0].rule : "-", want);
		for (size_t j = 0; j < n; j++) {
			if (strcmp(fs[j].rule, c->rules[j]))
				fail_msg("%s: finding %zu is %s, want %s", c->name, j, fs[j].rule,
					 c->rules[j]);
			if (!fs[j].text[0] || strchr(fs[j].text, '\n'))
				fail_msg("%s: bad text", c->name);
		}
	}
}

static void test_rule_texts(void **state)
{
	(void)state;
	static struct probe_report r;
	struct probe_finding fs[16];
	build(&cases[4], &r); /* two proxies */
	probe_report_finish(&r);
	assert_int_equal(probe_explain(&r, fs, 16), 1);
	assert_non_null(strstr(fs[0].text, "192.0.2.2 (undionly.kpxe) and 192.0.2.3 (pxelinux.0)"));
	assert_int_equal(fs[0].sev, PROBE_SEV_WARN);
	assert_string_equal(probe_role_name(r.srv[0].roles), "DHCP server");
	assert_string_equal(probe_role_name(r.srv[1].roles), "proxy");
	build(&cases[6], &r); /* router sets file beside a proxy */
	probe_report_finish(&r);
	assert_int_equal(probe_explain(&r, fs, 16), 1);
	assert_int_equal(fs[0].sev, PROBE_SEV_WARN);
	assert_string_equal(probe_role_name(r.srv[0].roles), "both");
	build(&cases[7], &r); /* the router alone: info, not a warning */
	probe_report_finish(&r);
	assert_int_equal(probe_explain(&r, fs, 16), 1);
	assert_int_equal(fs[0].sev, PROBE_SEV_INFO);
	/* a cap of 0 counts without writing */
	assert_int_equal(probe_explain(&r, NULL, 0), 1);
}

/* Hostile strings from a server: sanitised in the table, escaped in JSON. */
static void test_print_hostile(void **state)
{
	(void)state;
	static struct probe_report r;
	struct probe_finding fs[16];
	char *text = NULL;
	size_t len;
	build(&cases[8], &r); /* file missing */
	snprintf(r.ans[1].file, sizeof r.ans[1].file, "a\"b\\c\n\x1b[2Jd\xff");
	snprintf(r.fetch[0].path, sizeof r.fetch[0].path, "%s", r.ans[1].file);
	bool ok = probe_report_finish(&r);
	size_t n = probe_explain(&r, fs, 16);
	FILE *f = open_memstream(&text, &len);
	probe_print_text(f, &r, fs, n, ok);
	fclose(f);
	assert_null(strchr(text, '\x1b'));
	assert_non_null(strstr(text, "a\\x22b\\x5cc\\x0a\\x1b[2Jd\\xff"));
	free(text);
	f = open_memstream(&text, &len);
	probe_print_json(f, &r, fs, n, ok);
	fclose(f);
	assert_null(strchr(text, '\x1b'));
	assert_non_null(strstr(text, "\"a\\\"b\\\\c\\u000a\\u001b[2Jd\\u00ff\""));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kinds_parse),	 cmocka_unit_test(test_discover_classified),
	    cmocka_unit_test(test_discover_like_captures),
	    cmocka_unit_test(test_binl_request), cmocka_unit_test(test_udp4_frames),
	    cmocka_unit_test(test_parse_v4),	 cmocka_unit_test(test_http_head),
	    cmocka_unit_test(test_targets),	 cmocka_unit_test(test_rules),
	    cmocka_unit_test(test_rule_texts),	 cmocka_unit_test(test_print_hostile),
	    cmocka_unit_test(test_router_file_vs_proxy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
