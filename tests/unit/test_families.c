/* Client families on captured or documented packets: UEFI HTTP boot (a real
 * OVMF HttpBootDxe DISCOVER) and Raspberry Pi (DISCOVERs built from the
 * Raspberry Pi documentation's network boot captures). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/bootplan.h"
#include "netboot/dhcp4_server.h"
#include "netboot/dhcp4_wire.h"
#include "netboot/pxe.h"
#include "netboot/rpi.h"
#include "testutil.h"

static const struct iface lan = { .index = 3, .name = "lan0", .has_ip4 = true, .ip4 = { 192, 0, 2, 2 } };

static void kernel_plan(struct bootplan *p)
{
	memset(p, 0, sizeof *p);
	p->http = p->tftp = true;
	p->http_port = 80;
	p->ipxe_dir = "/usr/lib/ipxe";
	p->kernel = "/boot/vmlinuz";
}

/* OVMF 2022.11 with its PXE stack off (tests/vectors/capture.sh httpboot):
 * HTTPClient:Arch:00016:UNDI:003000, option 93 = 16, NII 1.3.0. */
static void test_httpboot_real_discover(void **state)
{
	(void)state;
	size_t n, len;
	unsigned char *p = tu_read_vector("dhcp4/edk2-ovmf-httpboot-discover.bin", &n);
	struct dhcp4_msg m;
	struct pxe_client c;
	assert_int_equal(dhcp4_parse(p, n, &m), 0);
	assert_int_equal(m.msg_type, DHCP4_DISCOVER);
	assert_int_equal(pxe_classify(&m, &c), 0);
	assert_true(c.http);
	assert_int_equal(c.arch, 16);
	assert_string_equal(c.ai->key, "efi64-http");
	assert_int_equal(pxe_choose_shape(&c), PXE_SHAPE_HTTP);

	struct bootplan plan;
	kernel_plan(&plan);
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(68) };
	uint8_t out[1024];
	struct dhcp4_answer a;
	dhcp4_answer(&plan, &lan, false, &src, p, n, out, sizeof out, &a);
	assert_true(a.len > 0);
	assert_true(a.broadcast);
	struct dhcp4_msg r;
	assert_int_equal(dhcp4_parse(out, a.len, &r), 0);
	assert_int_equal(r.msg_type, DHCP4_OFFER);
	assert_memory_equal(r.yiaddr, "\0\0\0\0", 4);
	/* EDK2 takes a proxy URL only with an IP literal */
	assert_string_equal((char *)r.file, "http://192.0.2.2/lifeboat/ipxe/snponly.efi");
	const uint8_t *v = dhcp4_opt(&r, 67, &len);
	assert_int_equal(len, strlen("http://192.0.2.2/lifeboat/ipxe/snponly.efi"));
	v = dhcp4_opt(&r, 60, &len);
	assert_int_equal(len, 10);
	assert_memory_equal(v, "HTTPClient", 10);
	assert_null(dhcp4_opt(&r, 43, &len)); /* no PXE vendor options */
	assert_null(dhcp4_opt(&r, 66, &len)); /* no TFTP server name */
	v = dhcp4_opt(&r, 97, &len);
	assert_int_equal(len, 17); /* the client's GUID echoed */

	/* ROOT mode: an efi64 file is handed out as an HTTP URL; a port too */
	const char *err;
	memset(&plan, 0, sizeof plan);
	plan.http = plan.tftp = true;
	plan.http_port = 8080;
	assert_int_equal(bootplan_add_boot(&plan, "efi64=EFI/boot/bootx64.efi", &err), 0);
	dhcp4_answer(&plan, &lan, false, &src, p, n, out, sizeof out, &a);
	assert_int_equal(dhcp4_parse(out, a.len, &r), 0);
	assert_string_equal((char *)r.file, "http://192.0.2.2:8080/EFI/boot/bootx64.efi");
	/* HTTP off: the HTTP boot client is not answered */
	plan.http = false;
	dhcp4_answer(&plan, &lan, false, &src, p, n, out, sizeof out, &a);
	assert_int_equal(a.len, 0);
	free(p);
}

/* Option 43 of the proxy reply in the Raspberry Pi documentation's capture
 * (boot-net.adoc): 6.1.3.10.4.0.80.88.69.9.20.0.0.17."Raspberry Pi Boot".255 */
static const uint8_t rpi_doc_43[] = {
	6, 1, 3, 10, 4, 0, 'P', 'X', 'E', 9, 20, 0, 0, 17, 'R', 'a', 's', 'p', 'b', 'e', 'r',
	'r', 'y', ' ', 'P', 'i', ' ', 'B', 'o', 'o', 't', 255,
};

static void rpi_plan(struct bootplan *p)
{
	const char *err;
	memset(p, 0, sizeof *p);
	p->http = p->tftp = true;
	p->http_port = 80;
	assert_int_equal(bootplan_add_boot(p, "rpi=bootcode.bin", &err), 0);
	assert_int_equal(bootplan_add_boot(p, "bios=pxelinux.0", &err), 0);
}

/* answers vector `name` (with chaddr replaced by mac when not NULL) */
static void rpi_answer(const struct bootplan *plan, const char *name, const uint8_t *mac,
		       const char *uuid_prefix, struct dhcp4_msg *r, struct dhcp4_answer *a,
		       uint8_t *out, size_t cap, struct pxe_client *c)
{
	size_t n;
	unsigned char *p = tu_read_vector(name, &n);
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(68) };
	struct dhcp4_msg m;
	if (mac)
		memcpy(p + 28, mac, 6);
	if (uuid_prefix) {
		/* option 97 is the last before 60 (32 bytes) and END: its data
		 * starts 17 + 34 + 1 bytes before the end; byte 0 is the type */
		memcpy(p + n - 1 - 34 - 16, uuid_prefix, 4);
	}
	assert_int_equal(dhcp4_parse(p, n, &m), 0);
	assert_int_equal(pxe_classify(&m, c), 0);
	dhcp4_answer(plan, &lan, false, &src, p, n, out, cap, a);
	assert_true(a->len > 0);
	assert_int_equal(dhcp4_parse(out, a->len, r), 0);
	free(p);
}

static void test_rpi3_doc_discover(void **state)
{
	(void)state;
	struct bootplan plan;
	struct dhcp4_msg r;
	struct dhcp4_answer a;
	struct pxe_client c;
	uint8_t out[1024];
	size_t len;
	rpi_plan(&plan);
	rpi_answer(&plan, "dhcp4/rpi3-doc-discover.bin", NULL, NULL, &r, &a, out, sizeof out, &c);
	assert_true(c.rpi);
	assert_int_equal(c.arch, 0); /* the Pi says x86 BIOS ... */
	assert_string_equal(c.ai->key, "rpi"); /* ... and is recognised by its OUI */
	assert_int_equal(pxe_choose_shape(&c), PXE_SHAPE_RPI);
	assert_int_equal(r.msg_type, DHCP4_OFFER);
	assert_int_equal(r.xid, 0x26f30339);
	assert_memory_equal(r.chaddr, "\xb8\x27\xeb\x28\xf6\x6d", 6);
	assert_memory_equal(r.yiaddr, "\0\0\0\0", 4);
	assert_memory_equal(r.siaddr, lan.ip4, 4); /* the Pi's TFTP server */
	const uint8_t *v = dhcp4_opt(&r, 43, &len);
	assert_int_equal(len, sizeof rpi_doc_43);
	assert_memory_equal(v, rpi_doc_43, sizeof rpi_doc_43);
	v = dhcp4_opt(&r, 60, &len);
	assert_int_equal(len, 9);
	assert_memory_equal(v, "PXEClient", 9);
	v = dhcp4_opt(&r, 97, &len);
	assert_int_equal(len, 17);
	assert_int_equal(v[0], 0);
	assert_int_equal(v[1], 68);
	assert_int_equal(v[16], 68);
	assert_string_equal((char *)r.file, "bootcode.bin");
	assert_non_null(strstr(a.log, "arch=0(rpi) fw=rpi shape=rpi"));
	/* a --menu for bios is not shown to a Pi: it gets its own menu */
	const char *err;
	assert_int_equal(bootplan_add_menu(&plan, "Rescue=bios:pxelinux.0", &err), 0);
	rpi_answer(&plan, "dhcp4/rpi3-doc-discover.bin", NULL, NULL, &r, &a, out, sizeof out, &c);
	v = dhcp4_opt(&r, 43, &len);
	assert_memory_equal(v, rpi_doc_43, sizeof rpi_doc_43);
}

static void test_rpi4_doc_discover(void **state)
{
	(void)state;
	struct bootplan plan;
	struct dhcp4_msg r;
	struct dhcp4_answer a;
	struct pxe_client c;
	uint8_t out[1024];
	size_t len;
	rpi_plan(&plan);
	rpi_answer(&plan, "dhcp4/rpi4-doc-discover.bin", NULL, NULL, &r, &a, out, sizeof out, &c);
	assert_true(c.rpi);
	assert_string_equal(c.ai->key, "rpi");
	assert_memory_equal(c.uuid + 1, "RPi4", 4);
	const uint8_t *v = dhcp4_opt(&r, 43, &len);
	assert_int_equal(len, sizeof rpi_doc_43);
	assert_memory_equal(v, rpi_doc_43, sizeof rpi_doc_43);
	v = dhcp4_opt(&r, 97, &len);
	assert_int_equal(len, 17);
	assert_memory_equal(v, c.uuid, 17);

	/* every Raspberry Pi OUI */
	static const uint8_t ouis[][3] = {
		{ 0xb8, 0x27, 0xeb }, { 0xdc, 0xa6, 0x32 }, { 0xe4, 0x5f, 0x01 },
		{ 0x28, 0xcd, 0xc1 }, { 0xd8, 0x3a, 0xdd }, { 0x2c, 0xcf, 0x67 },
	};
	for (size_t i = 0; i < sizeof ouis / sizeof ouis[0]; i++) {
		uint8_t mac[6] = { ouis[i][0], ouis[i][1], ouis[i][2], 1, 2, 3 };
		rpi_answer(&plan, "dhcp4/rpi3-doc-discover.bin", mac, NULL, &r, &a, out, sizeof out, &c);
		if (!c.rpi || strcmp(c.ai->key, "rpi"))
			fail_msg("OUI %02x:%02x:%02x not recognised", mac[0], mac[1], mac[2]);
	}
	/* MAC_ADDRESS override (any MAC): recognised by option 97 "RPi4"/"RPi5" */
	static const uint8_t other[6] = { 0x52, 0x54, 0, 0xaa, 0xbb, 0xcc };
	rpi_answer(&plan, "dhcp4/rpi4-doc-discover.bin", other, NULL, &r, &a, out, sizeof out, &c);
	assert_true(c.rpi);
	v = dhcp4_opt(&r, 43, &len);
	assert_memory_equal(v, rpi_doc_43, sizeof rpi_doc_43);
	rpi_answer(&plan, "dhcp4/rpi4-doc-discover.bin", other, "RPi5", &r, &a, out, sizeof out, &c);
	assert_true(c.rpi);
	assert_string_equal(c.ai->key, "rpi");
	/* DHCP_OPTION97=0 and a foreign MAC: an x86 BIOS client as far as we can tell */
	rpi_answer(&plan, "dhcp4/rpi4-doc-discover.bin", other, "\x44\x44\x44\x44", &r, &a, out,
		   sizeof out, &c);
	assert_false(c.rpi);
	assert_string_equal(c.ai->key, "bios");
	assert_string_equal((char *)r.file, "pxelinux.0");
	v = dhcp4_opt(&r, 43, &len);
	assert_memory_equal(v, "\x06\x01\x08\xff", 4);
	/* nothing configured for rpi: the Pi is not answered */
	memset(&plan, 0, sizeof plan);
	plan.tftp = true;
	size_t n;
	unsigned char *p = tu_read_vector("dhcp4/rpi4-doc-discover.bin", &n);
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(68) };
	dhcp4_answer(&plan, &lan, false, &src, p, n, out, sizeof out, &a);
	assert_int_equal(a.len, 0);
	assert_non_null(strstr(a.log, "dhcp.noboot"));
	free(p);
}

static void test_rpi_tftp_prefix(void **state)
{
	(void)state;
	static const struct {
		const char *path;
		size_t want;
	} cases[] = {
		{ "9ffefdef/start4.elf", 9 },
		{ "9FFEFDEF/start.elf", 9 },
		{ "dc-a6-32-01-36-c2/start4.elf", 18 },
		{ "DC-A6-32-01-36-C2/overlays/x.dtbo", 18 },
		{ "9ffefdef/", 0 },		/* nothing after the folder */
		{ "9ffefdef", 0 },
		{ "9ffefde/start4.elf", 0 },	/* 7 digits */
		{ "9ffefdef0/start4.elf", 0 },	/* 9 digits */
		{ "9ffefdeg/start4.elf", 0 },
		{ "dc:a6:32:01:36:c2/start4.elf", 0 }, /* colons are not the Pi's */
		{ "dc-a6-32-01-36/start4.elf", 0 },
		{ "dc-a6-32-01-36-c2-00/x", 0 },
		{ "pxelinux.cfg/C0000287", 0 },
		{ "start4.elf", 0 },
		{ "", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (rpi_tftp_prefix(cases[i].path) != cases[i].want)
			fail_msg("%s: %zu, want %zu", cases[i].path, rpi_tftp_prefix(cases[i].path),
				 cases[i].want);
	/* 65535 blocks is the most a client without rollover can fetch; the
	 * last block of a size that is a multiple of blksize is empty */
	assert_false(rpi_tftp_too_big(65535ull * 512 - 1, 512));
	assert_true(rpi_tftp_too_big(65535ull * 512, 512));
	assert_false(rpi_tftp_too_big(64ull * 1024 * 1024 - 1025, 1024));
	assert_true(rpi_tftp_too_big(64ull * 1024 * 1024, 1024));
	assert_false(rpi_tftp_too_big(0, 512));
	assert_false(rpi_tftp_too_big(1, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_httpboot_real_discover),
		cmocka_unit_test(test_rpi3_doc_discover),
		cmocka_unit_test(test_rpi4_doc_discover),
		cmocka_unit_test(test_rpi_tftp_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
