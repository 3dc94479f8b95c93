/* DHCPv4 wire format, PXE client classification and proxy answers. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/dhcp4_server.h"
#include "netboot/dhcp4_wire.h"
#include "netboot/pxe.h"
#include "testutil.h"

/* Builds a DISCOVER from chaddr + raw option bytes (without END). */
static size_t mk_request(uint8_t *p, size_t cap, uint8_t type_unused, const uint8_t mac[6],
			 const void *opts, size_t olen)
{
	(void)type_unused;
	memset(p, 0, cap);
	p[0] = 1, p[1] = 1, p[2] = 6;
	p[4] = 0xde, p[5] = 0xad, p[6] = 0xbe, p[7] = 0xef;
	memcpy(p + 28, mac, 6);
	p[236] = 0x63, p[237] = 0x82, p[238] = 0x53, p[239] = 0x63;
	memcpy(p + 240, opts, olen);
	p[240 + olen] = 255;
	return 241 + olen;
}

static const uint8_t mac1[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

#define PXE60 60, 32, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', ':', 'A', 'r', 'c', 'h', ':', \
	      '0', '0', '0', '0', '0', ':', 'U', 'N', 'D', 'I', ':', '0', '0', '2', '0', '0', '1'

static void test_parse_real_ipxe_discover(void **state)
{
	(void)state;
	size_t n;
	unsigned char *p = tu_read_vector("dhcp4/ipxe-seabios-e1000-discover.bin", &n);
	struct dhcp4_msg m;
	struct pxe_client c;
	assert_int_equal(dhcp4_parse(p, n, &m), 0);
	assert_int_equal(m.msg_type, DHCP4_DISCOVER);
	assert_int_equal(pxe_classify(&m, &c), 0);
	assert_int_equal(c.arch, 0);
	assert_string_equal(c.ai->key, "bios");
	assert_true(c.ipxe);
	assert_false(c.http);
	assert_true(c.has_uuid);
	assert_int_equal(pxe_choose_shape(&c), PXE_SHAPE_PXE10);
	free(p);
}

static void test_parse_real_edk2_discover(void **state)
{
	(void)state;
	size_t n;
	unsigned char *p = tu_read_vector("dhcp4/edk2-ovmf-virtio-discover.bin", &n);
	struct dhcp4_msg m;
	struct pxe_client c;
	assert_int_equal(dhcp4_parse(p, n, &m), 0);
	assert_int_equal(pxe_classify(&m, &c), 0);
	assert_int_equal(c.arch, 7);
	assert_string_equal(c.ai->key, "efi64");
	assert_false(c.ipxe);
	assert_true(c.has_nii);
	assert_int_equal(c.nii[0], 1);
	assert_int_equal(c.nii[1], 3);
	assert_int_equal(pxe_choose_shape(&c), PXE_SHAPE_BINL);
	free(p);
}

struct bad_case {
	const char *name;
	uint8_t opts[64];
	size_t olen;
	int truncate_to; /* >0: cut the packet here */
	int want_parse;
	int want_classify;
};

/* Malformed or foreign requests: parse errors, or classified as "not ours". */
static void test_malformed_vectors(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "no vendor class: ordinary client", { 53, 1, 1 }, 3, 0, 0, -ENOENT },
		{ "MSFT vendor class", { 53, 1, 1, 60, 8, 'M', 'S', 'F', 'T', ' ', '5', '.', '0' }, 13, 0, 0, -ENOENT },
		{ "PXEClien (short prefix)", { 53, 1, 1, 60, 8, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n' }, 13, 0, 0, -ENOENT },
		{ "option runs past end", { 53, 1, 1, 60, 40, 'P', 'X', 'E' }, 8, 0, -EBADMSG, 0 },
		{ "length byte missing", { 53, 1, 1, 60 }, 4, 0, -EBADMSG, 0 },
		{ "msg type wrong length", { 53, 2, 1, 1 }, 4, 0, -EBADMSG, 0 },
		{ "msg type out of range", { 53, 1, 99 }, 3, 0, -EBADMSG, 0 },
		{ "overload bad value", { 52, 1, 7 }, 3, 0, -EBADMSG, 0 },
		{ "arch odd length", { 53, 1, 1, PXE60, 93, 3, 0, 0, 0 }, 42, 0, 0, -EBADMSG },
		{ "uuid wrong length", { 53, 1, 1, PXE60, 97, 5, 0, 1, 2, 3, 4 }, 44, 0, 0, -EBADMSG },
		{ "truncated header", { 53, 1, 1 }, 3, 100, -EBADMSG, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t pkt[600];
		struct dhcp4_msg m;
		struct pxe_client c;
		size_t n = mk_request(pkt, sizeof pkt, 1, mac1, cases[i].opts, cases[i].olen);
		/* "option runs past end" and friends need the END byte gone */
		if (cases[i].want_parse == -EBADMSG && cases[i].olen && cases[i].opts[0] == 53 &&
		    cases[i].opts[1] == 1 && cases[i].opts[2] == 1)
			n--;
		if (cases[i].truncate_to)
			n = (size_t)cases[i].truncate_to;
		int r = dhcp4_parse(pkt, n, &m);
		if (r != cases[i].want_parse)
			fail_msg("%s: parse %d, want %d", cases[i].name, r, cases[i].want_parse);
		if (r == 0 && pxe_classify(&m, &c) != cases[i].want_classify)
			fail_msg("%s: classify wrong", cases[i].name);
	}
}

static void test_rfc3396_concatenation_and_overload(void **state)
{
	(void)state;
	uint8_t pkt[600];
	/* option 60 split in two instances, plus overload into the file field */
	static const uint8_t opts[] = { 53, 1, 1, 60, 4, 'P', 'X', 'E', 'C', 60, 5, 'l', 'i', 'e', 'n', 't', 52, 1, 1 };
	size_t n = mk_request(pkt, sizeof pkt, 1, mac1, opts, sizeof opts);
	/* file field (offset 108) carries option 93 = 7 */
	pkt[108] = 93, pkt[109] = 2, pkt[110] = 0, pkt[111] = 7, pkt[112] = 255;
	struct dhcp4_msg m;
	struct pxe_client c;
	size_t len;
	assert_int_equal(dhcp4_parse(pkt, n, &m), 0);
	const uint8_t *v = dhcp4_opt(&m, 60, &len);
	assert_int_equal(len, 9);
	assert_memory_equal(v, "PXEClient", 9);
	assert_int_equal(pxe_classify(&m, &c), 0);
	assert_int_equal(c.arch, 7);
}

static void test_classify_variants(void **state)
{
	(void)state;
	struct {
		const char *name;
		uint8_t mac[6];
		uint8_t opts[80];
		size_t olen;
		const char *key;
		bool ipxe, http;
		enum pxe_shape shape;
	} cases[] = {
		{ "HTTPClient arch 16", { 2, 0, 0, 0, 0, 1 },
		  { 53, 1, 1, 60, 10, 'H', 'T', 'T', 'P', 'C', 'l', 'i', 'e', 'n', 't', 93, 2, 0, 16 }, 19,
		  "efi64-http", false, true, PXE_SHAPE_HTTP },
		{ "RFC 3004 counted user class iPXE", { 2, 0, 0, 0, 0, 2 },
		  { 53, 1, 1, 60, 9, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', 93, 2, 0, 7, 77, 5, 4, 'i', 'P', 'X', 'E' }, 25,
		  "efi64", true, false, PXE_SHAPE_PXE10 },
		{ "option 175 means iPXE", { 2, 0, 0, 0, 0, 3 },
		  { 53, 1, 1, 60, 9, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', 93, 2, 0, 0, 175, 3, 0xb1, 1, 1 }, 23,
		  "bios", true, false, PXE_SHAPE_PXE10 },
		{ "Raspberry Pi 4 by OUI sends arch 0", { 0xdc, 0xa6, 0x32, 1, 2, 3 },
		  { 53, 1, 1, PXE60, 93, 2, 0, 0 }, 41, "rpi", false, false, PXE_SHAPE_RPI },
		{ "no option 93: arch from vendor class", { 2, 0, 0, 0, 0, 4 },
		  { 53, 1, 1, 60, 32, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', ':', 'A', 'r', 'c', 'h', ':', '0', '0', '0', '1', '1', ':', 'U', 'N', 'D', 'I', ':', '0', '0', '3', '0', '1', '6' }, 37,
		  "arm64", false, false, PXE_SHAPE_BINL },
		{ "U-Boot arm64", { 2, 0, 0, 0, 0, 5 },
		  { 53, 1, 1, 60, 9, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', 93, 2, 0, 22 }, 18,
		  "uboot-arm64", false, false, PXE_SHAPE_PXE10 },
		{ "U-Boot vendor class with option 93", { 2, 0, 0, 0, 0, 7 },
		  { 53, 1, 1, 60, 12, 'U', '-', 'B', 'o', 'o', 't', '.', 'a', 'r', 'm', 'v', '8', 93, 2, 0, 22 }, 21,
		  "uboot-arm64", false, false, PXE_SHAPE_PXE10 },
		{ "U-Boot.armv8 without option 93", { 2, 0, 0, 0, 0, 8 },
		  { 53, 1, 1, 60, 12, 'U', '-', 'B', 'o', 'o', 't', '.', 'a', 'r', 'm', 'v', '8' }, 17,
		  "uboot-arm64", false, false, PXE_SHAPE_PXE10 },
		{ "U-Boot.armv7 without option 93", { 2, 0, 0, 0, 0, 9 },
		  { 53, 1, 1, 60, 12, 'U', '-', 'B', 'o', 'o', 't', '.', 'a', 'r', 'm', 'v', '7' }, 17,
		  "uboot-arm32", false, false, PXE_SHAPE_PXE10 },
		{ "U-Boot.riscv without option 93", { 2, 0, 0, 0, 0, 10 },
		  { 53, 1, 1, 60, 12, 'U', '-', 'B', 'o', 'o', 't', '.', 'r', 'i', 's', 'c', 'v' }, 17,
		  "other", false, false, PXE_SHAPE_PXE10 },
		{ "unknown arch 200", { 2, 0, 0, 0, 0, 6 },
		  { 53, 1, 1, 60, 9, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', 93, 2, 0, 200 }, 18,
		  "other", false, false, PXE_SHAPE_PXE10 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t pkt[600];
		struct dhcp4_msg m;
		struct pxe_client c;
		size_t n = mk_request(pkt, sizeof pkt, 1, cases[i].mac, cases[i].opts, cases[i].olen);
		assert_int_equal(dhcp4_parse(pkt, n, &m), 0);
		if (pxe_classify(&m, &c))
			fail_msg("%s: not classified", cases[i].name);
		if (strcmp(c.ai->key, cases[i].key) || c.ipxe != cases[i].ipxe ||
		    c.http != cases[i].http || pxe_choose_shape(&c) != cases[i].shape)
			fail_msg("%s: got key=%s ipxe=%d http=%d shape=%d", cases[i].name, c.ai->key,
				 c.ipxe, c.http, pxe_choose_shape(&c));
	}
}

static void test_builder_refuses_overflow(void **state)
{
	(void)state;
	uint8_t small[250];
	struct wbuf w;
	struct dhcp4_hdr h = { .op = 2, .hlen = 6, .file = "x" };
	wbuf_init(&w, small, sizeof small);
	assert_int_equal(dhcp4_build_header(&w, &h), 0);
	size_t before = w.len;
	uint8_t big[300] = { 0 };
	assert_int_equal(dhcp4_build_opt(&w, 43, big, sizeof big), -ENOBUFS);
	assert_int_equal(w.len, before);
	/* long option split into two instances (RFC 3396) */
	uint8_t roomy[1024];
	wbuf_init(&w, roomy, sizeof roomy);
	assert_int_equal(dhcp4_build_opt(&w, 43, big, sizeof big), 0);
	assert_int_equal(w.len, 2 + 255 + 2 + 45);
	assert_int_equal(roomy[1], 255);
	assert_int_equal(roomy[257], 43);
	assert_int_equal(roomy[258], 45);
	/* 128-byte file does not fit the fixed field */
	char longfile[200];
	memset(longfile, 'a', sizeof longfile - 1);
	longfile[sizeof longfile - 1] = 0;
	h.file = longfile;
	wbuf_init(&w, roomy, sizeof roomy);
	assert_int_equal(dhcp4_build_header(&w, &h), -ENOBUFS);
}

/* The whole answer path on real captures: offer shape, fields, destination. */
static void setup_plan(struct bootplan *p)
{
	const char *err;
	memset(p, 0, sizeof *p);
	p->http = p->tftp = true;
	p->http_port = 80;
	p->ipxe_dir = "/usr/lib/ipxe";
	p->kernel = "/boot/vmlinuz";
	p->initrd[0] = "/boot/initrd.gz";
	p->n_initrd = 1;
	assert_int_equal(bootplan_add_boot(p, "arm64=arm/boot.efi", &err), 0);
}

static const struct iface lan = { .index = 3, .name = "lan0", .has_ip4 = true, .ip4 = { 192, 0, 2, 2 }, .mask4 = { 255, 255, 255, 0 } };

static void test_answer_ipxe_gets_script_url(void **state)
{
	(void)state;
	struct bootplan plan;
	setup_plan(&plan);
	size_t n;
	unsigned char *p = tu_read_vector("dhcp4/ipxe-seabios-e1000-discover.bin", &n);
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(68) };
	uint8_t out[1024];
	struct dhcp4_answer a;
	dhcp4_answer(&plan, &lan, false, &src, p, n, out, sizeof out, &a);
	assert_true(a.len >= DHCP4_MIN_REPLY);
	assert_true(a.broadcast);
	assert_int_equal(ntohs(a.dst.sin_port), 68);
	struct dhcp4_msg m;
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_int_equal(m.op, 2);
	assert_int_equal(m.msg_type, DHCP4_OFFER);
	assert_memory_equal(m.yiaddr, "\0\0\0\0", 4); /* a proxy never assigns */
	assert_memory_equal(m.siaddr, lan.ip4, 4);
	assert_memory_equal(m.chaddr, p + 28, 16);
	assert_int_equal(m.xid, (uint32_t)(p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7]));
	assert_string_equal((char *)m.file, "http://192.0.2.2/lifeboat/boot.ipxe");
	size_t len;
	const uint8_t *v = dhcp4_opt(&m, 60, &len);
	assert_int_equal(len, 9);
	assert_memory_equal(v, "PXEClient", 9);
	v = dhcp4_opt(&m, 43, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(v, "\x06\x01\x08\xff", 4);
	v = dhcp4_opt(&m, 54, &len);
	assert_memory_equal(v, lan.ip4, 4);
	v = dhcp4_opt(&m, 97, &len);
	assert_int_equal(len, 17);
	free(p);
}

static void test_answer_edk2_binl_then_4011(void **state)
{
	(void)state;
	struct bootplan plan;
	setup_plan(&plan);
	size_t n;
	unsigned char *p = tu_read_vector("dhcp4/edk2-ovmf-virtio-discover.bin", &n);
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(68) };
	uint8_t out[1024];
	struct dhcp4_answer a;
	struct dhcp4_msg m;
	size_t len;
	dhcp4_answer(&plan, &lan, false, &src, p, n, out, sizeof out, &a);
	assert_true(a.len > 0);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_null(dhcp4_opt(&m, 43, &len)); /* BINL shape: no option 43 */
	assert_string_equal((char *)m.file, "lifeboat/ipxe/snponly.efi");
	assert_string_equal((char *)m.sname, "192.0.2.2");
	/* the client record's note: offered, its arch, no address yet */
	assert_true(a.note.valid);
	assert_false(a.note.known_only);
	assert_int_equal(a.note.stage, CLIENT_OFFER);
	assert_string_equal(a.note.arch, "efi64");
	assert_false(a.note.has_ip4);

	/* The same client then asks on 4011 with a REQUEST from its new address. */
	p[242] = DHCP4_REQUEST;
	memcpy(p + 12, "\xc0\x00\x02\x65", 4); /* ciaddr 192.0.2.101 */
	src.sin_addr.s_addr = htonl(0xc0000265);
	src.sin_port = htons(4011);
	dhcp4_answer(&plan, &lan, true, &src, p, n, out, sizeof out, &a);
	assert_true(a.len > 0);
	assert_false(a.broadcast);
	assert_int_equal(a.dst.sin_addr.s_addr, htonl(0xc0000265));
	assert_int_equal(ntohs(a.dst.sin_port), 4011);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_int_equal(m.msg_type, DHCP4_ACK);
	/* the note names the address a transfer will come from */
	assert_int_equal(a.note.stage, CLIENT_BINL);
	assert_true(a.note.has_ip4);
	assert_memory_equal(a.note.ip4, "\xc0\x00\x02\x65", 4);
	assert_memory_equal(a.note.mac, a.mac, 6);
	/* The LAN's server's reply to it (BOOTREPLY, yiaddr): noted for a
	 * client on record only. */
	{
		uint8_t r[512];
		memcpy(r, p, n < sizeof r ? n : sizeof r);
		r[0] = DHCP4_BOOTREPLY;
		memset(r + 12, 0, 4);
		memcpy(r + 16, "\xc0\x00\x02\x66", 4); /* yiaddr 192.0.2.102 */
		struct dhcp4_answer b;
		dhcp4_answer(&plan, &lan, false, &src, r, n < sizeof r ? n : sizeof r, out,
			     sizeof out, &b);
		assert_int_equal(b.len, 0);
		assert_true(b.note.valid && b.note.known_only && b.note.has_ip4);
		assert_memory_equal(b.note.ip4, "\xc0\x00\x02\x66", 4);
	}
	/* 4011 requests from addresses a client cannot have: no reply (0.0.0.0
	 * was answered by broadcast before) */
	static const uint32_t bad_src[] = { 0, 0xffffffff, 0x7f000001, 0xe0000001, 0xc00002ff, 0xc0000202 };
	for (size_t k = 0; k < sizeof bad_src / sizeof bad_src[0]; k++) {
		struct sockaddr_in bad = src;
		bad.sin_addr.s_addr = htonl(bad_src[k]);
		struct dhcp4_answer b;
		dhcp4_answer(&plan, &lan, true, &bad, p, n, out, sizeof out, &b);
		assert_int_equal(b.len, 0);
		assert_false(b.broadcast);
		assert_non_null(strstr(b.log, "dhcp.drop"));
	}
	dhcp4_answer(&plan, &lan, true, &src, p, n, out, sizeof out, &a);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_string_equal((char *)m.file, "lifeboat/ipxe/snponly.efi");
	assert_memory_equal(m.yiaddr, "\0\0\0\0", 4);

	/* options 209/210 only when configured */
	assert_null(dhcp4_opt(&m, 209, &len));
	plan.pxelinux_config = "pxelinux.cfg/rescue";
	plan.pxelinux_prefix = "boot/";
	dhcp4_answer(&plan, &lan, true, &src, p, n, out, sizeof out, &a);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	const uint8_t *v = dhcp4_opt(&m, 209, &len);
	assert_int_equal(len, strlen("pxelinux.cfg/rescue"));
	assert_memory_equal(v, "pxelinux.cfg/rescue", len);
	v = dhcp4_opt(&m, 210, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(v, "boot/", 5);

	/* A DISCOVER on 4011 or a REQUEST on 67 gets nothing. */
	dhcp4_answer(&plan, &lan, false, &src, p, n, out, sizeof out, &a);
	assert_int_equal(a.len, 0);
	free(p);
}

/* Debian's u-boot-qemu (qemu_arm64) captured: its own `dhcp` says
 * U-Boot.armv8 + arch 22; its distro EFI boot says PXEClient arch 11. */
static void test_answer_uboot_real(void **state)
{
	(void)state;
	struct bootplan plan;
	setup_plan(&plan);
	size_t n, len;
	unsigned char *p = tu_read_vector("dhcp4/uboot-qemu-arm64-discover.bin", &n);
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(68) };
	uint8_t out[1024];
	struct dhcp4_answer a;
	struct dhcp4_msg m;
	struct pxe_client c;
	assert_int_equal(dhcp4_parse(p, n, &m), 0);
	assert_int_equal(pxe_classify(&m, &c), 0);
	assert_true(c.uboot);
	assert_int_equal(c.arch, 22);
	assert_string_equal(c.vclass, "U-Boot.armv8");
	/* kernel mode: an offer carrying only our address (siaddr, 54) */
	dhcp4_answer(&plan, &lan, false, &src, p, n, out, sizeof out, &a);
	assert_true(a.len > 0);
	assert_non_null(strstr(a.log, "fw=uboot"));
	assert_non_null(strstr(a.log, "file=- "));
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_int_equal(m.msg_type, DHCP4_OFFER);
	assert_memory_equal(m.yiaddr, "\0\0\0\0", 4);
	assert_memory_equal(m.siaddr, lan.ip4, 4);
	assert_int_equal(m.file[0], 0);
	assert_null(dhcp4_opt(&m, 67, &len));
	assert_null(dhcp4_opt(&m, 66, &len));
	/* a configured U-Boot file is offered as it is */
	const char *err;
	assert_int_equal(bootplan_add_boot(&plan, "uboot-arm64=boot.scr.uimg", &err), 0);
	dhcp4_answer(&plan, &lan, false, &src, p, n, out, sizeof out, &a);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_string_equal((char *)m.file, "boot.scr.uimg");
	free(p);

	p = tu_read_vector("dhcp4/uboot-qemu-arm64-efi-discover.bin", &n);
	assert_int_equal(dhcp4_parse(p, n, &m), 0);
	assert_int_equal(pxe_classify(&m, &c), 0);
	assert_false(c.uboot);
	assert_int_equal(c.arch, 11);
	dhcp4_answer(&plan, &lan, false, &src, p, n, out, sizeof out, &a);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_string_equal((char *)m.file, "arm/boot.efi");
	assert_null(dhcp4_opt(&m, 43, &len)); /* BINL, as for any UEFI PXE */
	free(p);
}

/* AAVMF (EDK2 for arm64) captured: PXE arch 11, then HTTP boot arch 19. */
static void test_answer_aavmf_real(void **state)
{
	(void)state;
	struct bootplan plan;
	setup_plan(&plan);
	size_t n, hn, len;
	unsigned char *p = tu_read_vector("dhcp4/edk2-aavmf-virtio-discover.bin", &n);
	unsigned char *h = tu_read_vector("dhcp4/edk2-aavmf-virtio-http-discover.bin", &hn);
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(68) };
	uint8_t out[1024];
	struct dhcp4_answer a;
	struct dhcp4_msg m;
	/* --boot arm64: BINL offer, then the 4011 ACK, with the file */
	dhcp4_answer(&plan, &lan, false, &src, p, n, out, sizeof out, &a);
	assert_true(a.len > 0);
	assert_non_null(strstr(a.log, "arch=11(arm64) fw=uefi shape=binl file=arm/boot.efi "));
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_null(dhcp4_opt(&m, 43, &len));
	assert_string_equal((char *)m.file, "arm/boot.efi");
	/* arch 19 with no arm64-http entry: the arm64 file over HTTP */
	dhcp4_answer(&plan, &lan, false, &src, h, hn, out, sizeof out, &a);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_string_equal((char *)m.file, "http://192.0.2.2/arm/boot.efi");
	const uint8_t *v = dhcp4_opt(&m, 60, &len);
	assert_int_equal(len, 10);
	assert_memory_equal(v, "HTTPClient", 10);
	/* kernel mode alone, arm64 iPXE absent (Debian): silent, with the reason */
	setup_plan(&plan);
	plan.n_boot = 0;
	plan.ipxe_missing = 1u << pxe_arch_index(pxe_arch_by_code(11)) |
			    1u << pxe_arch_index(pxe_arch_by_code(19));
	dhcp4_answer(&plan, &lan, false, &src, p, n, out, sizeof out, &a);
	assert_int_equal(a.len, 0);
	assert_non_null(strstr(a.log, "dhcp.noboot"));
	assert_non_null(strstr(a.log, "no iPXE image for this architecture"));
	dhcp4_answer(&plan, &lan, false, &src, h, hn, out, sizeof out, &a);
	assert_int_equal(a.len, 0);
	/* ... and present: the arm64 snponly.efi */
	plan.ipxe_missing = 0;
	dhcp4_answer(&plan, &lan, false, &src, p, n, out, sizeof out, &a);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_string_equal((char *)m.file, "lifeboat/ipxe/arm64-efi/snponly.efi");
	free(p);
	free(h);
}

static void test_answer_silent_for_ordinary_and_garbage(void **state)
{
	(void)state;
	struct bootplan plan;
	setup_plan(&plan);
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(68) };
	uint8_t pkt[600], out[1024];
	struct dhcp4_answer a;
	static const uint8_t opts[] = { 53, 1, 1, 60, 12, 'u', 'd', 'h', 'c', 'p', ' ', '1', '.', '3', '6', '.', '1' };
	size_t n = mk_request(pkt, sizeof pkt, 1, mac1, opts, sizeof opts);
	dhcp4_answer(&plan, &lan, false, &src, pkt, n, out, sizeof out, &a);
	assert_int_equal(a.len, 0);
	assert_true(a.log_quiet);
	/* "U-Boo" is not U-Boot; "u-boot" (another case) is not either */
	static const uint8_t near[][8] = { { 53, 1, 1, 60, 5, 'U', '-', 'B' }, { 53, 1, 1, 60, 6, 'u', '-', 'b' } };
	static const uint8_t near_tail[][4] = { { 'o', 'o' }, { 'o', 'o', 't' } };
	for (size_t k = 0; k < 2; k++) {
		uint8_t o[16];
		memcpy(o, near[k], 8);
		memcpy(o + 8, near_tail[k], 2 + k);
		n = mk_request(pkt, sizeof pkt, 1, mac1, o, 10 + k);
		dhcp4_answer(&plan, &lan, false, &src, pkt, n, out, sizeof out, &a);
		assert_int_equal(a.len, 0);
	}
	for (size_t cut = 0; cut < n; cut += 7) {
		dhcp4_answer(&plan, &lan, false, &src, pkt, cut, out, sizeof out, &a);
		assert_int_equal(a.len, 0);
	}
	/* relayed DISCOVER goes back to the relay on port 67 */
	size_t vn;
	unsigned char *p = tu_read_vector("dhcp4/ipxe-seabios-e1000-discover.bin", &vn);
	memcpy(p + 24, "\xc6\x33\x64\x01", 4); /* giaddr 198.51.100.1 */
	dhcp4_answer(&plan, &lan, false, &src, p, vn, out, sizeof out, &a);
	assert_true(a.len > 0);
	assert_false(a.broadcast);
	assert_int_equal(a.dst.sin_addr.s_addr, htonl(0xc6336401));
	assert_int_equal(ntohs(a.dst.sin_port), 67);
	/* a giaddr no relay could have: silent, with a debug line */
	static const char *const bad_giaddr[] = { "\xff\xff\xff\xff", "\x7f\x00\x00\x01", "\xe0\x00\x00\x01",
						  "\xc0\x00\x02\xff", "\xc0\x00\x02\x02", "\xa9\xfe\x01\x01" };
	for (size_t k = 0; k < sizeof bad_giaddr / sizeof bad_giaddr[0]; k++) {
		memcpy(p + 24, bad_giaddr[k], 4);
		dhcp4_answer(&plan, &lan, false, &src, p, vn, out, sizeof out, &a);
		assert_int_equal(a.len, 0);
		assert_true(a.log_quiet);
		assert_non_null(strstr(a.log, "dhcp.drop"));
	}
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_real_ipxe_discover),
		cmocka_unit_test(test_parse_real_edk2_discover),
		cmocka_unit_test(test_malformed_vectors),
		cmocka_unit_test(test_rfc3396_concatenation_and_overload),
		cmocka_unit_test(test_classify_variants),
		cmocka_unit_test(test_builder_refuses_overflow),
		cmocka_unit_test(test_answer_ipxe_gets_script_url),
		cmocka_unit_test(test_answer_edk2_binl_then_4011),
		cmocka_unit_test(test_answer_uboot_real),
		cmocka_unit_test(test_answer_aavmf_real),
		cmocka_unit_test(test_answer_silent_for_ordinary_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
