/* pxe_wire: option 43 sub-options and 43.71, option 77 (RFC 3004 user
 * class), option 97, and the option 43 builders, table-driven with
 * malformed vectors; builders refuse a short buffer without writing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/dhcp4_wire.h"
#include "netboot/pxe_wire.h"

#define B(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static void test_boot_item_table(void **state)
{
	(void)state;
	const struct {
		const char *name;
		const uint8_t *p;
		size_t n;
		int want;
		uint16_t type, layer;
	} cases[] = {
	    {"iPXE pxebs capture", B(71, 4, 0x81, 0x81, 0, 0, 255), 0, 0x8181, 0},
	    {"layer echoed", B(71, 4, 0x80, 0x80, 0, 2, 255), 0, 0x8080, 2},
	    {"no END", B(71, 4, 0x12, 0x34, 0x56, 0x78), 0, 0x1234, 0x5678},
	    {"pads first", B(0, 0, 71, 4, 0x81, 0x81, 0, 1), 0, 0x8181, 1},
	    {"after other sub-options", B(6, 1, 3, 71, 4, 0x81, 0x81, 0, 0, 255), 0, 0x8181, 0},
	    {"zero-length sub-option before", B(60, 0, 71, 4, 0, 1, 0, 0), 0, 1, 0},
	    {"first 43.71 wins", B(71, 4, 0, 1, 0, 0, 71, 3, 1, 2, 3), 0, 1, 0},
	    {"empty payload", NULL, 0, -ENOENT, 0, 0},
	    {"END only", B(255), -ENOENT, 0, 0},
	    {"pads only", B(0, 0, 0), -ENOENT, 0, 0},
	    {"43.71 after END is not read", B(255, 71, 4, 0x81, 0x81, 0, 0), -ENOENT, 0, 0},
	    {"other sub-options only", B(6, 1, 8, 255), -ENOENT, 0, 0},
	    {"43.71 of 3 bytes", B(71, 3, 0x81, 0x81, 0, 255), -EBADMSG, 0, 0},
	    {"43.71 of 5 bytes", B(71, 5, 0x81, 0x81, 0, 0, 0, 255), -EBADMSG, 0, 0},
	    {"zero-length 43.71", B(71, 0, 255), -EBADMSG, 0, 0},
	    {"43.71 runs past the payload", B(71, 9, 0x81, 0x81, 0, 0), -EBADMSG, 0, 0},
	    {"truncated: code without length", B(71), -EBADMSG, 0, 0},
	    {"truncated sub-option before 43.71", B(6, 5, 1, 71, 4), -EBADMSG, 0, 0},
	    {"overlong 43.8 before 43.71", B(8, 200, 0x80, 0x80, 1, 192, 0, 2, 2), -EBADMSG, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint16_t type = 0xdead, layer = 0xbeef;
		int r = pxe_wire_boot_item(cases[i].p, cases[i].n, &type, &layer);
		if (r != cases[i].want)
			fail_msg("%s: rc %d want %d", cases[i].name, r, cases[i].want);
		if (r == 0 && (type != cases[i].type || layer != cases[i].layer))
			fail_msg("%s: %#x/%u want %#x/%u", cases[i].name, type, layer,
				 cases[i].type, cases[i].layer);
	}
}

/* The iterator itself: PADs skipped, values carved exactly. */
static void test_sub_next(void **state)
{
	(void)state;
	static const uint8_t p[] = {0, 6, 1, 3, 9, 0, 10, 2, 'h', 'i', 255, 6, 1, 8};
	struct rbuf r, v;
	uint8_t code;
	rbuf_init(&r, p, sizeof p);
	assert_int_equal(pxe_wire_sub_next(&r, &code, &v), 1);
	assert_int_equal(code, 6);
	assert_int_equal(v.len, 1);
	assert_int_equal(v.p[0], 3);
	assert_int_equal(pxe_wire_sub_next(&r, &code, &v), 1);
	assert_int_equal(code, 9);
	assert_int_equal(v.len, 0);
	assert_int_equal(pxe_wire_sub_next(&r, &code, &v), 1);
	assert_int_equal(code, 10);
	assert_memory_equal(v.p, "hi", 2);
	assert_int_equal(pxe_wire_sub_next(&r, &code, &v), 0); /* END: the rest is not read */
}

static void test_user_class_table(void **state)
{
	(void)state;
	const struct {
		const char *name;
		const uint8_t *p;
		size_t n;
		bool ipxe;
		int entries; /* pxe_wire_user_class_next: count, or -EBADMSG */
	} cases[] = {
	    {"iPXE's bare string (capture)", B('i', 'P', 'X', 'E'), true, -EBADMSG},
	    {"RFC 3004 list of one", B(4, 'i', 'P', 'X', 'E'), true, 1},
	    {"second entry", B(3, 'f', 'o', 'o', 4, 'i', 'P', 'X', 'E'), true, 2},
	    {"zero-length entry first", B(0, 4, 'i', 'P', 'X', 'E'), true, 2},
	    {"bad length after the match", B(4, 'i', 'P', 'X', 'E', 9, 'x'), true, -EBADMSG},
	    {"length past the end", B(9, 'i', 'P', 'X', 'E'), false, -EBADMSG},
	    {"length one short", B(3, 'i', 'P', 'X', 'E'), false, -EBADMSG},
	    {"truncated entry", B(4, 'i', 'P', 'X'), false, -EBADMSG},
	    {"bad length before iPXE", B(200, 4, 'i', 'P', 'X', 'E'), false, -EBADMSG},
	    {"zero-length entry only", B(0), false, 1},
	    {"longer name", B(5, 'i', 'P', 'X', 'E', '!'), false, 1},
	    {"bare string, other case", B('i', 'p', 'x', 'e'), false, -EBADMSG},
	    {"bare string with a suffix", B('i', 'P', 'X', 'E', '2'), false, -EBADMSG},
	    {"empty", NULL, 0, false, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (pxe_wire_user_class_has(cases[i].p, cases[i].n, "iPXE") != cases[i].ipxe)
			fail_msg("%s: iPXE %d", cases[i].name, !cases[i].ipxe);
		struct rbuf r;
		const uint8_t *s;
		size_t len;
		int k, n = 0;
		rbuf_init(&r, cases[i].p, cases[i].n);
		while ((k = pxe_wire_user_class_next(&r, &s, &len)) > 0) {
			assert_true(s + len <= cases[i].p + cases[i].n);
			n++;
		}
		if ((k < 0 ? k : n) != cases[i].entries)
			fail_msg("%s: entries %d want %d", cases[i].name, k < 0 ? k : n,
				 cases[i].entries);
	}
}

static void test_uuid(void **state)
{
	(void)state;
	static const uint8_t rpi4[17] = {0,    'R', 'P',  'i',	'4',  0x11, 0x31, 0xc0, 0,
					 0x32, 1,   0x36, 0xc2, 0xef, 0xfd, 0xfe, 0x9f};
	uint8_t u[17], bad[18] = {0};
	assert_int_equal(pxe_wire_uuid(rpi4, sizeof rpi4, u), 0);
	assert_memory_equal(u, rpi4, 17);
	assert_int_equal(pxe_wire_uuid(NULL, 0, u), -ENOENT);
	assert_int_equal(pxe_wire_uuid(rpi4, 0, u), -ENOENT); /* present but empty: ignored */
	assert_int_equal(pxe_wire_uuid(rpi4, 16, u), -EBADMSG);
	assert_int_equal(pxe_wire_uuid(bad, 18, u), -EBADMSG);
	assert_int_equal(pxe_wire_uuid(bad, 1, u), -EBADMSG);
	bad[0] = 1; /* a type other than 0 (GUID) */
	assert_int_equal(pxe_wire_uuid(bad, 17, u), -EBADMSG);
}

/* Each option 43 builder: exact bytes, and with one byte too little room
 * -ENOBUFS with nothing written. */
static void test_put_exact_and_refused(void **state)
{
	(void)state;
	static const uint8_t pxe10[] = {43, 4, 6, 1, 8, 255};
	static const uint8_t item[] = {43, 7, 71, 4, 0x81, 0x81, 0, 2, 255};
	static const uint8_t rpi[] = {43,  32,	6,   1,	  3,   10,  4,	 0,   'P', 'X', 'E', 9,
				      20,  0,	0,   17,  'R', 'a', 's', 'p', 'b', 'e', 'r', 'r',
				      'y', ' ', 'P', 'i', ' ', 'B', 'o', 'o', 't', 255};
	const struct {
		const uint8_t *want;
		size_t n;
	} cases[] = {{pxe10, sizeof pxe10}, {item, sizeof item}, {rpi, sizeof rpi}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t out[64];
		struct wbuf w;
		for (size_t room = cases[i].n - 1; room <= cases[i].n; room++) {
			memset(out, 0xaa, sizeof out);
			wbuf_init(&w, out, room);
			int r = i == 0	 ? pxe_wire_put_discovery(&w, PXE_DISC_SKIP)
				: i == 1 ? pxe_wire_put_item(&w, 0x8181, 2)
					 : pxe_wire_put_rpi(&w);
			if (room < cases[i].n) {
				assert_int_equal(r, -ENOBUFS);
				assert_int_equal(w.len, 0);
				assert_int_equal(out[0], 0xaa);
			} else {
				assert_int_equal(r, 0);
				assert_int_equal(w.len, cases[i].n);
				assert_memory_equal(out, cases[i].want, cases[i].n);
			}
		}
	}
}

/* Menus that do not fit one sub-option or one option are refused whole. */
static void test_menu_limits(void **state)
{
	(void)state;
	static const uint8_t ip[4] = {192, 0, 2, 2};
	char long_label[260], prompt[260];
	memset(long_label, 'x', sizeof long_label);
	long_label[252] = 0; /* 3 + 252 = 255: the most 43.9 holds */
	memset(prompt, 'p', sizeof prompt);
	prompt[254] = 0; /* 1 + 254 = 255: the most 43.10 holds */
	struct pxe_menu m = {.n = 1, .type = {0x8080}, .label = {long_label}};
	uint8_t out[600];
	struct wbuf w;
	assert_int_equal(pxe_menu_encode(out, sizeof out, &m, ip), 3 + 9 + 2 + 255 + 3 + 1);
	long_label[252] = 'x';
	long_label[253] = 0; /* overlong menu item */
	assert_int_equal(pxe_menu_encode(out, sizeof out, &m, ip), -ENOBUFS);
	m.label[0] = "ok";
	m.prompt = prompt;
	assert_true(pxe_menu_encode(out, sizeof out, &m, ip) > 0);
	prompt[254] = 'p';
	prompt[255] = 0; /* overlong prompt */
	assert_int_equal(pxe_menu_encode(out, sizeof out, &m, ip), -ENOBUFS);
	m.prompt = NULL;
	/* 16 items is the most; 0 or 17 is a caller bug */
	m.n = PXE_MENU_MAX + 1;
	assert_int_equal(pxe_menu_encode(out, sizeof out, &m, ip), -EINVAL);
	m.n = 0;
	assert_int_equal(pxe_menu_encode(out, sizeof out, &m, ip), -EINVAL);
	/* a menu whose sub-options fit but whose whole does not: encode says
	 * how long, the option builder refuses it and writes nothing */
	m.n = PXE_MENU_MAX;
	for (size_t i = 0; i < m.n; i++) {
		m.type[i] = (uint16_t)(0x8080 + 0x0101 * i);
		m.label[i] = "twelve chars";
	}
	int n = pxe_menu_encode(out, sizeof out, &m, ip);
	assert_true(n > 256);
	memset(out, 0xaa, sizeof out);
	assert_int_equal(pxe_menu_encode(out, (size_t)n - 1, &m, ip), -ENOBUFS);
	assert_int_equal(out[0], 0xaa); /* refused before writing */
	wbuf_init(&w, out, sizeof out);
	assert_int_equal(pxe_wire_put_menu(&w, &m, ip), -ENOBUFS);
	assert_int_equal(w.len, 0);
	assert_int_equal(out[0], 0xaa);
}

/* The whole reply parses back: header fields, the vendor class echoed,
 * 43 by shape, 66 only for TFTP, and refusals. */
static void test_build_reply(void **state)
{
	(void)state;
	struct dhcp4_msg req, m;
	memset(&req, 0, sizeof req);
	req.xid = 0x12345678;
	req.hlen = 6;
	memcpy(req.chaddr, "\x52\x54\x00\x00\x00\x01", 6);
	memcpy(req.ciaddr, "\xc0\x00\x02\x65", 4);
	static const uint8_t uuid[17] = {0, 1, 2, 3};
	struct pxe_reply r = {
	    .type = DHCP4_ACK,
	    .shape = PXE_SHAPE_ITEM,
	    .server_ip = {192, 0, 2, 2},
	    .file = "pxelinux.0",
	    .item_type = 0x8181,
	    .item_layer = 1,
	};
	uint8_t out[600];
	struct wbuf w;
	size_t len;
	uint16_t type, layer;
	wbuf_init(&w, out, sizeof out);
	assert_int_equal(pxe_wire_build_reply(&w, &req, &r, false, uuid), 0);
	assert_int_equal(dhcp4_parse(out, w.len, &m), 0);
	assert_int_equal(m.xid, 0x12345678);
	assert_memory_equal(m.yiaddr, "\0\0\0\0", 4);
	assert_memory_equal(m.ciaddr, req.ciaddr, 4); /* ACK on 4011 */
	assert_memory_equal(m.siaddr, r.server_ip, 4);
	assert_string_equal((char *)m.sname, "192.0.2.2");
	assert_string_equal((char *)m.file, "pxelinux.0");
	assert_memory_equal(dhcp4_opt(&m, 60, &len), "PXEClient", 9);
	assert_memory_equal(dhcp4_opt(&m, 97, &len), uuid, 17);
	assert_memory_equal(dhcp4_opt(&m, 66, &len), "192.0.2.2", 9);
	const uint8_t *v = dhcp4_opt(&m, 43, &len);
	assert_int_equal(pxe_wire_boot_item(v, len, &type, &layer), 0);
	assert_int_equal(type, 0x8181);
	assert_int_equal(layer, 1);

	/* HTTP boot offer: no 43, no 66, HTTPClient, no ciaddr, no 97 */
	r.type = DHCP4_OFFER;
	r.shape = PXE_SHAPE_HTTP;
	r.file = "http://192.0.2.2/x.efi";
	wbuf_init(&w, out, sizeof out);
	assert_int_equal(pxe_wire_build_reply(&w, &req, &r, true, NULL), 0);
	assert_int_equal(dhcp4_parse(out, w.len, &m), 0);
	assert_memory_equal(m.ciaddr, "\0\0\0\0", 4);
	assert_memory_equal(dhcp4_opt(&m, 60, &len), "HTTPClient", 10);
	assert_null(dhcp4_opt(&m, 43, &len));
	assert_null(dhcp4_opt(&m, 66, &len));
	assert_null(dhcp4_opt(&m, 97, &len));

	/* a menu shape without a menu, a file too long for the fixed field,
	 * a buffer too small: refused */
	r.shape = PXE_SHAPE_MENU;
	wbuf_init(&w, out, sizeof out);
	assert_int_equal(pxe_wire_build_reply(&w, &req, &r, false, NULL), -EINVAL);
	char longname[200];
	memset(longname, 'a', sizeof longname);
	longname[128] = 0;
	r.shape = PXE_SHAPE_PXE10;
	r.file = longname;
	wbuf_init(&w, out, sizeof out);
	assert_int_equal(pxe_wire_build_reply(&w, &req, &r, false, NULL), -EINVAL);
	r.file = "f";
	wbuf_init(&w, out, 250);
	assert_int_equal(pxe_wire_build_reply(&w, &req, &r, false, NULL), -ENOBUFS);
	wbuf_init(&w, out, 270); /* room for the header, not for every option */
	assert_int_equal(pxe_wire_build_reply(&w, &req, &r, false, uuid), -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_boot_item_table),	  cmocka_unit_test(test_sub_next),
	    cmocka_unit_test(test_user_class_table),	  cmocka_unit_test(test_uuid),
	    cmocka_unit_test(test_put_exact_and_refused), cmocka_unit_test(test_menu_limits),
	    cmocka_unit_test(test_build_reply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
