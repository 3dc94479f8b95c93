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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_httpboot_real_discover),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
