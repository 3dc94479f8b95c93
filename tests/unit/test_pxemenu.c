/* PXE boot menus (--menu): option 43 encoding (PXE spec 2.1 sub-options 6,
 * 8, 9, 10), the 255-byte limit, and the boot server answer on 4011 to a
 * request carrying 43.71 (boot item type, layer), on a real iPXE capture. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "netboot/bootplan.h"
#include "netboot/dhcp4_server.h"
#include "netboot/dhcp4_wire.h"
#include "netboot/pxe.h"
#include "netboot/serve.h"
#include "testutil.h"

static const struct iface lan = { .index = 3, .name = "lan0", .has_ip4 = true, .ip4 = { 192, 0, 2, 2 } };

static void plan_init(struct bootplan *p)
{
	memset(p, 0, sizeof *p);
	p->http = p->tftp = true;
	p->http_port = 80;
}

static void test_encode_exact_bytes(void **state)
{
	(void)state;
	static const uint8_t ip[4] = { 192, 0, 2, 2 };
	struct pxe_menu m = {
		.n = 3,
		.type = { 0x8080, 0x8181, 0 },
		.label = { "Rescue", "Install", "Disk" },
		.prompt = "F8",
		.timeout = 5,
	};
	static const uint8_t want[] = {
		6, 1, 3,					 /* no bcast/mcast discovery */
		8, 14, 0x80, 0x80, 1, 192, 0, 2, 2, 0x81, 0x81, 1, 192, 0, 2, 2, /* servers */
		9, 26, 0x80, 0x80, 6, 'R', 'e', 's', 'c', 'u', 'e', 0x81, 0x81, 7, 'I', 'n', 's', 't',
		'a', 'l', 'l', 0, 0, 4, 'D', 'i', 's', 'k', /* menu */
		10, 3, 5, 'F', '8',				 /* prompt */
		255,
	};
	uint8_t out[300];
	int n = pxe_menu_encode(out, sizeof out, &m, ip);
	assert_int_equal(n, sizeof want);
	assert_memory_equal(out, want, sizeof want);
	/* too small a buffer: refused, never truncated */
	assert_int_equal(pxe_menu_encode(out, sizeof want - 1, &m, ip), -ENOBUFS);
	/* an empty menu is a caller bug */
	m.n = 0;
	assert_int_equal(pxe_menu_encode(out, sizeof out, &m, ip), -EINVAL);
}

static void test_add_menu_parsing(void **state)
{
	(void)state;
	struct bootplan p;
	const char *err;
	plan_init(&p);
	assert_int_equal(bootplan_add_menu(&p, "Rescue system=bios:rescue/pxelinux.0", &err), 0);
	assert_int_equal(bootplan_add_menu(&p, "Boot from disk=bios:local", &err), 0);
	assert_int_equal(bootplan_add_menu(&p, "UEFI shell=efi64:shell.efi", &err), 0);
	assert_int_equal(p.n_menu, 3);
	assert_string_equal(p.menu[0].label, "Rescue system");
	assert_string_equal(p.menu[0].key, "bios");
	assert_string_equal(p.menu[0].file, "rescue/pxelinux.0");
	assert_int_equal(p.menu[0].type, 0x8080);
	assert_null(p.menu[1].file);
	assert_int_equal(p.menu[1].type, 0);
	assert_int_equal(p.menu[2].type, 0x8282); /* both bytes equal: byte order proof */
	assert_ptr_equal(bootplan_menu_by_type(&p, 0x8282), &p.menu[2]);
	assert_null(bootplan_menu_by_type(&p, 0));
	assert_null(bootplan_menu_by_type(&p, 0x8383));

	static const char *const bad[] = {
		"no equals sign", "=bios:x", "Label=", "Label=bios", "Label=bios:", "Label=:x",
		"Label=sparc:x", "Label=efi64-http:x", "Label=rpi:start4.elf",
		"Tab\there=bios:x",
		"A label that is much too long for a firmware menu line, really far too long=bios:x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err = NULL;
		if (bootplan_add_menu(&p, bad[i], &err) != -EINVAL || !err)
			fail_msg("accepted bad --menu '%s'", bad[i]);
	}
	assert_int_equal(p.n_menu, 3);
	for (size_t i = p.n_menu; i < BOOTPLAN_MAX_MENU; i++)
		assert_int_equal(bootplan_add_menu(&p, "x=bios:x", &err), 0);
	assert_int_equal(bootplan_add_menu(&p, "x=bios:x", &err), -E2BIG);
}

static void test_255_byte_limit(void **state)
{
	(void)state;
	struct bootplan p;
	const char *err;
	char msg[256], spec[96];
	plan_init(&p);
	/* 6 bios items with 40-char labels: 3 + 2+42 + 2+6*43 + ... > 255 */
	for (int i = 0; i < 6; i++) {
		snprintf(spec, sizeof spec, "%d%s=bios:f%d", i,
			 "234567890123456789012345678901234567890", i);
		assert_int_equal(bootplan_add_menu(&p, spec, &err), 0);
	}
	assert_int_equal(bootplan_menu_check(&p, msg, sizeof msg), -E2BIG);
	assert_non_null(strstr(msg, "bios menu needs"));
	assert_non_null(strstr(msg, "255"));
	/* four of them fit: 3 + (2+28) + (2+4*43) + (2+1+26) + 1 = 237 */
	p.n_menu = 4;
	assert_int_equal(bootplan_menu_check(&p, msg, sizeof msg), 0);
	/* the prompt counts too */
	p.menu_prompt = "Press F8 now to choose what this machine boots";
	assert_int_equal(bootplan_menu_check(&p, msg, sizeof msg), -E2BIG);
	/* each architecture's menu is its own option: spread out, they fit */
	p.menu_prompt = NULL;
	p.n_menu = 0;
	for (int i = 0; i < 6; i++) {
		snprintf(spec, sizeof spec, "%d%s=%s:f%d", i,
			 "234567890123456789012345678901234567890", i < 3 ? "bios" : "efi64", i);
		assert_int_equal(bootplan_add_menu(&p, spec, &err), 0);
	}
	assert_int_equal(bootplan_menu_check(&p, msg, sizeof msg), 0);
}

/* The SeaBIOS + iPXE ROM DISCOVER captured in the lab, as a REQUEST to 4011
 * from its leased address, with option 43.71 = type, layer 0 (how iPXE's
 * pxebs asks: dhcp_pxebs_tx). */
static size_t mk_pxebs_request(unsigned char *p, size_t n, const uint8_t *o43, size_t o43len)
{
	assert_int_equal(p[n - 1], 255);
	p[242] = DHCP4_REQUEST;
	memcpy(p + 12, "\xc0\x00\x02\x65", 4); /* ciaddr 192.0.2.101 */
	n--;
	p[n++] = 43;
	p[n++] = (uint8_t)o43len;
	memcpy(p + n, o43, o43len);
	n += o43len;
	p[n++] = 255;
	return n;
}

static void test_menu_offer_and_4011_answer(void **state)
{
	(void)state;
	struct bootplan p;
	const char *err;
	plan_init(&p);
	assert_int_equal(bootplan_add_menu(&p, "Rescue=bios:rescue.0", &err), 0);
	assert_int_equal(bootplan_add_menu(&p, "Installer=bios:pxelinux.0", &err), 0);
	assert_int_equal(bootplan_add_menu(&p, "Local disk=bios:local", &err), 0);
	assert_int_equal(bootplan_add_menu(&p, "Shell=efi64:shell.efi", &err), 0);
	p.menu_prompt = "Menu: F8";
	p.menu_timeout = 3;
	p.menu_timeout_set = true;

	size_t n;
	unsigned char *pkt = tu_read_vector("dhcp4/ipxe-seabios-e1000-discover.bin", &n);
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(68) };
	uint8_t out[1024];
	struct dhcp4_answer a;
	struct dhcp4_msg m;
	size_t len;
	dhcp4_answer(&p, &lan, false, &src, pkt, n, out, sizeof out, &a);
	assert_true(a.len > 0);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_int_equal(m.msg_type, DHCP4_OFFER);
	assert_memory_equal(m.yiaddr, "\0\0\0\0", 4);
	assert_int_equal(m.file[0], 0); /* no file: the menu decides */
	assert_null(dhcp4_opt(&m, 67, &len));
	static const uint8_t want43[] = {
		6, 1, 3,
		8, 14, 0x80, 0x80, 1, 192, 0, 2, 2, 0x81, 0x81, 1, 192, 0, 2, 2,
		9, 3 + 6 + 3 + 9 + 3 + 10,
		0x80, 0x80, 6, 'R', 'e', 's', 'c', 'u', 'e',
		0x81, 0x81, 9, 'I', 'n', 's', 't', 'a', 'l', 'l', 'e', 'r',
		0, 0, 10, 'L', 'o', 'c', 'a', 'l', ' ', 'd', 'i', 's', 'k',
		10, 9, 3, 'M', 'e', 'n', 'u', ':', ' ', 'F', '8',
		255,
	};
	const uint8_t *v = dhcp4_opt(&m, 43, &len);
	assert_int_equal(len, sizeof want43);
	assert_memory_equal(v, want43, sizeof want43);
	v = dhcp4_opt(&m, 60, &len);
	assert_memory_equal(v, "PXEClient", 9);
	assert_non_null(strstr(a.log, "shape=menu"));

	/* The client picked "Installer" (type 0x8181) and asks us on 4011. */
	static const uint8_t pick[] = { 71, 4, 0x81, 0x81, 0, 0, 255 };
	unsigned char *req = tu_read_vector("dhcp4/ipxe-seabios-e1000-discover.bin", &n);
	size_t rn = mk_pxebs_request(req, n, pick, sizeof pick);
	src.sin_addr.s_addr = htonl(0xc0000265);
	dhcp4_answer(&p, &lan, true, &src, req, rn, out, sizeof out, &a);
	assert_true(a.len > 0);
	assert_false(a.broadcast);
	assert_int_equal(a.dst.sin_addr.s_addr, htonl(0xc0000265));
	assert_int_equal(ntohs(a.dst.sin_port), 68);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_int_equal(m.msg_type, DHCP4_ACK);
	assert_string_equal((char *)m.file, "pxelinux.0");
	assert_memory_equal(m.siaddr, lan.ip4, 4);
	assert_memory_equal(m.ciaddr, "\xc0\x00\x02\x65", 4);
	v = dhcp4_opt(&m, 43, &len);
	assert_int_equal(len, 7);
	assert_memory_equal(v, "\x47\x04\x81\x81\x00\x00\xff", 7); /* 43.71 echoed */
	v = dhcp4_opt(&m, 54, &len);
	assert_memory_equal(v, lan.ip4, 4);
	assert_non_null(strstr(a.log, "shape=item"));

	/* iPXE's ProxyDHCPREQUEST to 4011 (no 43.71) gets the menu again in
	 * its ACK: iPXE keeps only the ACK's options */
	memcpy(req, pkt, n);
	req[242] = DHCP4_REQUEST;
	memcpy(req + 12, "\xc0\x00\x02\x65", 4);
	dhcp4_answer(&p, &lan, true, &src, req, n, out, sizeof out, &a);
	assert_true(a.len > 0);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_int_equal(m.msg_type, DHCP4_ACK);
	v = dhcp4_opt(&m, 43, &len);
	assert_int_equal(len, sizeof want43);
	assert_memory_equal(v, want43, sizeof want43);
	assert_int_equal(m.file[0], 0);

	/* The first item, with a layer number: echoed as sent. */
	static const uint8_t pick0[] = { 71, 4, 0x80, 0x80, 0, 2, 255 };
	memcpy(req, pkt, n);
	rn = mk_pxebs_request(req, n, pick0, sizeof pick0);
	dhcp4_answer(&p, &lan, true, &src, req, rn, out, sizeof out, &a);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_string_equal((char *)m.file, "rescue.0");
	v = dhcp4_opt(&m, 43, &len);
	assert_memory_equal(v, "\x47\x04\x80\x80\x00\x02\xff", 7);

	/* A type no item has: silence, with the reason logged. */
	static const uint8_t unknown[] = { 71, 4, 0x90, 0x90, 0, 0, 255 };
	memcpy(req, pkt, n);
	rn = mk_pxebs_request(req, n, unknown, sizeof unknown);
	dhcp4_answer(&p, &lan, true, &src, req, rn, out, sizeof out, &a);
	assert_int_equal(a.len, 0);
	assert_non_null(strstr(a.log, "item=0x9090"));

	/* Malformed 43.71 (3 bytes), or a sub-option running past 43: silence. */
	static const uint8_t bad71[] = { 71, 3, 0x81, 0x81, 0, 255 };
	static const uint8_t overrun[] = { 71, 9, 0x81, 0x81, 0, 0 };
	const uint8_t *bads[] = { bad71, overrun };
	size_t badn[] = { sizeof bad71, sizeof overrun };
	for (int i = 0; i < 2; i++) {
		memcpy(req, pkt, n);
		rn = mk_pxebs_request(req, n, bads[i], badn[i]);
		dhcp4_answer(&p, &lan, true, &src, req, rn, out, sizeof out, &a);
		assert_int_equal(a.len, 0);
		assert_non_null(strstr(a.log, "dhcp.malformed"));
	}

	/* With kernel mode, an iPXE client gets its script, not the menu. */
	p.kernel = "/boot/vmlinuz";
	p.ipxe_dir = "/usr/lib/ipxe";
	dhcp4_answer(&p, &lan, false, &src, pkt, n, out, sizeof out, &a);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_string_equal((char *)m.file, "http://192.0.2.2/lifeboat/boot.ipxe");
	v = dhcp4_opt(&m, 43, &len);
	assert_memory_equal(v, "\x06\x01\x08\xff", 4);
	p.kernel = NULL;

	/* An ignored machine gets no item answer either. */
	assert_int_equal(bootplan_add_host(&p, "52:54:00:00:00:*=ignore", &err), 0);
	memcpy(req, pkt, n);
	rn = mk_pxebs_request(req, n, pick, sizeof pick);
	dhcp4_answer(&p, &lan, true, &src, req, rn, out, sizeof out, &a);
	assert_int_equal(a.len, 0);
	p.n_hosts = 0;

	/* A --host rule for this machine wins over the menu. */
	assert_int_equal(bootplan_add_host(&p, "52:54:00:00:00:01=special.0", &err), 0);
	dhcp4_answer(&p, &lan, false, &src, pkt, n, out, sizeof out, &a);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_string_equal((char *)m.file, "special.0");
	free(req);
	free(pkt);
}

static void test_uefi_menu_and_no_menu_for_others(void **state)
{
	(void)state;
	struct bootplan p;
	const char *err;
	plan_init(&p);
	assert_int_equal(bootplan_add_menu(&p, "Rescue=bios:rescue.0", &err), 0);
	assert_int_equal(bootplan_add_boot(&p, "efi64=grubx64.efi", &err), 0);
	size_t n;
	unsigned char *pkt = tu_read_vector("dhcp4/edk2-ovmf-virtio-discover.bin", &n);
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(68) };
	uint8_t out[1024];
	struct dhcp4_answer a;
	struct dhcp4_msg m;
	size_t len;
	/* EDK2 (efi64) has no menu item: the usual BINL offer */
	dhcp4_answer(&p, &lan, false, &src, pkt, n, out, sizeof out, &a);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	assert_null(dhcp4_opt(&m, 43, &len));
	assert_string_equal((char *)m.file, "grubx64.efi");
	/* with an efi64 item, EDK2 gets the menu (it does boot server discovery) */
	assert_int_equal(bootplan_add_menu(&p, "GRUB=efi64:grubx64.efi", &err), 0);
	dhcp4_answer(&p, &lan, false, &src, pkt, n, out, sizeof out, &a);
	assert_int_equal(dhcp4_parse(out, a.len, &m), 0);
	const uint8_t *v = dhcp4_opt(&m, 43, &len);
	assert_non_null(v);
	assert_memory_equal(v, "\x06\x01\x03\x08\x07\x81\x81\x01\xc0\x00\x02\x02\x09\x07\x81\x81\x04GRUB", 21);
	/* the default prompt and timeout */
	assert_memory_equal(v + 21, "\x0a\x1b\x0a" "Press F8 for the boot menu\xff", 30);
	free(pkt);
}

/* The flags through serve's option parser and the --config file. */
static void test_menu_flags_and_config(void **state)
{
	(void)state;
	char path[] = "/tmp/lbmenuXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "root /srv\nmenu Boot from disk=bios:local\nmenu Rescue=bios:r/pxelinux.0\n"
			   "menu-prompt Press F8 now\nmenu-timeout 5\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char errbuf[512];
	FILE *err = fmemopen(errbuf, sizeof errbuf, "w");
	struct serve_opts *o = calloc(1, sizeof *o);
	const char *argv1[] = { "serve", "--config", path, "--menu", "Installer=efi64:d-i/grubx64.efi" };
	assert_int_equal(serve_load_opts(5, (char **)argv1, o, err), 0);
	assert_int_equal(o->plan.n_menu, 3);
	assert_string_equal(o->plan.menu[0].label, "Boot from disk");
	assert_null(o->plan.menu[0].file);
	assert_string_equal(o->plan.menu[1].file, "r/pxelinux.0");
	assert_string_equal(o->plan.menu[2].key, "efi64");
	assert_string_equal(bootplan_menu_prompt(&o->plan), "Press F8 now");
	assert_int_equal(bootplan_menu_timeout(&o->plan), 5);
	serve_opts_free(o);
	unlink(path);

	static const struct {
		int argc;
		const char *argv[8];
		const char *want;
	} bad[] = {
		{ 3, { "serve", "--menu", "x" }, "--menu x: expected LABEL=ARCH:FILE" },
		{ 5, { "serve", "--menu", "a=bios:a", "--menu-timeout", "256" }, "expected 0-255" },
		{ 3, { "serve", "--menu-prompt", "hi" }, "need --menu" },
		{ 7, { "serve", "--menu", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=bios:a",
		       "--menu", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb=bios:b",
		       "--menu", "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc=bios:c" },
		  "" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rewind(err);
		memset(errbuf, 0, sizeof errbuf);
		o = calloc(1, sizeof *o);
		int r = serve_load_opts(bad[i].argc, (char **)bad[i].argv, o, err);
		fflush(err);
		if (i == 3) {
			/* exactly 255 bytes: fits; a fourth item tips it over */
			assert_int_equal(r, 0);
			serve_opts_free(o);
			continue;
		}
		if (r != -EINVAL || !strstr(errbuf, bad[i].want))
			fail_msg("case %zu: r=%d err='%s'", i, r, errbuf);
		serve_opts_free(o);
	}
	rewind(err);
	memset(errbuf, 0, sizeof errbuf);
	o = calloc(1, sizeof *o);
	const char *argv4[] = { "serve", "--menu", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=bios:a",
				"--menu", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb=bios:b",
				"--menu", "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc=bios:c",
				"--menu", "d=bios:d" };
	assert_int_equal(serve_load_opts(9, (char **)argv4, o, err), -EINVAL);
	fflush(err);
	assert_non_null(strstr(errbuf, "the bios menu needs 266 bytes of DHCP option 43, more than the 255"));
	serve_opts_free(o);
	fclose(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_exact_bytes),
		cmocka_unit_test(test_add_menu_parsing),
		cmocka_unit_test(test_255_byte_limit),
		cmocka_unit_test(test_menu_offer_and_4011_answer),
		cmocka_unit_test(test_uefi_menu_and_no_menu_for_others),
		cmocka_unit_test(test_menu_flags_and_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
