/* bootreport: the start-up block's decision per client family, table-driven
 * over plans: kernel mode (x86 and arm64 kernels, arm64 iPXE missing), a
 * ROOT with only a BIOS file, root mode with menus and --host rules. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/bootreport.h"
#include "netboot/pxe.h"

struct want {
	bool served, asked;
	const char *rule; /* NULL: no row decided */
	const char *file; /* "" when none */
	const char *why_has;
	const char *missing;
	const char *package;
};

static void base(struct bootplan *p)
{
	memset(p, 0, sizeof *p);
	p->http = p->tftp = true;
	p->http_port = 80;
	p->ipxe_dir = "/usr/lib/ipxe";
}

/* Debian's ipxe package: no arm64 image (arch 11 and 19 rows) */
static void arm64_missing(struct bootplan *p)
{
	size_t n;
	const struct pxe_arch *t = pxe_arch_table(&n);
	for (size_t i = 0; i < n; i++)
		if (t[i].ipxe && !strncmp(t[i].ipxe, "arm64-efi/", 10))
			p->ipxe_missing |= 1u << i;
}

static void check(const char *plan_name, const struct bootplan *p, enum kimage_arch karch,
		  const struct want w[BOOTREPORT_N])
{
	struct bootreport_line l[BOOTREPORT_N];
	bootreport_build(p, karch, "192.0.2.2", l);
	for (size_t f = 0; f < BOOTREPORT_N; f++) {
		const char *rule = l[f].rule ? l[f].rule : "(none)";
		const char *wrule = w[f].rule ? w[f].rule : "(none)";
		if (l[f].served != w[f].served || l[f].asked != w[f].asked || strcmp(rule, wrule) ||
		    strcmp(l[f].file, w[f].file) ||
		    (w[f].why_has && !strstr(l[f].why, w[f].why_has)) ||
		    strcmp(l[f].missing, w[f].missing ? w[f].missing : "") ||
		    (w[f].package ? !l[f].package || strcmp(l[f].package, w[f].package)
				  : l[f].package != NULL))
			fail_msg("%s / %s: served=%d asked=%d rule=%s file=%s why=%s missing=%s pkg=%s",
				 plan_name, l[f].family, l[f].served, l[f].asked, rule, l[f].file,
				 l[f].why, l[f].missing, l[f].package ? l[f].package : "-");
	}
}

static void test_kernel_x86(void **state)
{
	(void)state;
	struct bootplan p;
	base(&p);
	p.kernel = "/boot/vmlinuz";
	arm64_missing(&p);
	static const struct want w[BOOTREPORT_N] = {
		[BOOTREPORT_BIOS] = { true, true, "kernel", "lifeboat/ipxe/undionly.kpxe", NULL, NULL, NULL },
		[BOOTREPORT_EFI64] = { true, true, "kernel", "lifeboat/ipxe/snponly.efi", NULL, NULL, NULL },
		[BOOTREPORT_EFI_HTTP] = { true, true, "kernel", "http://192.0.2.2/lifeboat/ipxe/snponly.efi", NULL, NULL, NULL },
		/* the amd64 user's ARM64 line: not asked for, so no warning */
		[BOOTREPORT_ARM64] = { false, false, "kernel", "", "x86 kernel", "/usr/lib/ipxe/arm64-efi/snponly.efi", NULL },
		[BOOTREPORT_IPXE] = { true, true, "ipxe-script", "http://192.0.2.2/lifeboat/boot.ipxe", NULL, NULL, NULL },
		[BOOTREPORT_RPI] = { false, false, "kernel", "", "no iPXE image", NULL, NULL },
		[BOOTREPORT_UBOOT] = { false, false, "kernel", "", "x86 kernel", NULL, NULL },
	};
	check("kernel x86", &p, KIMAGE_ARCH_X86, w);
}

static void test_kernel_arm64(void **state)
{
	(void)state;
	struct bootplan p;
	base(&p);
	p.kernel = "/boot/vmlinuz-arm64";
	p.http_port = 8080;
	arm64_missing(&p);
	static const struct want w[BOOTREPORT_N] = {
		[BOOTREPORT_BIOS] = { false, false, "kernel", "", "an arm64 kernel", NULL, NULL },
		[BOOTREPORT_EFI64] = { false, false, "kernel", "", NULL, NULL, NULL },
		[BOOTREPORT_EFI_HTTP] = { false, false, "kernel", "", NULL, NULL, NULL },
		/* asked (an arm64 kernel) and the image is missing: a warning naming it */
		[BOOTREPORT_ARM64] = { false, true, "kernel", "", "no iPXE image", "/usr/lib/ipxe/arm64-efi/snponly.efi", NULL },
		[BOOTREPORT_IPXE] = { true, true, "ipxe-script", "http://192.0.2.2:8080/lifeboat/boot.ipxe", NULL, NULL, NULL },
		[BOOTREPORT_RPI] = { false, false, "kernel", "", NULL, NULL, NULL },
		[BOOTREPORT_UBOOT] = { true, true, "kernel", "", "pxe get", NULL, NULL },
	};
	check("kernel arm64", &p, KIMAGE_ARCH_ARM64, w);
}

static void test_kernel_bios_image_missing(void **state)
{
	(void)state;
	struct bootplan p;
	base(&p);
	p.kernel = "/boot/vmlinuz";
	p.ipxe_dir = "/srv/ipxe";
	p.ipxe_missing = 1u << 0; /* undionly.kpxe */
	static const struct want w[BOOTREPORT_N] = {
		[BOOTREPORT_BIOS] = { false, true, "kernel", "", "no iPXE image", "/srv/ipxe/undionly.kpxe", "ipxe" },
		[BOOTREPORT_EFI64] = { true, true, "kernel", "lifeboat/ipxe/snponly.efi", NULL, NULL, NULL },
		[BOOTREPORT_EFI_HTTP] = { true, true, "kernel", "http://192.0.2.2/lifeboat/ipxe/snponly.efi", NULL, NULL, NULL },
		[BOOTREPORT_ARM64] = { false, false, "kernel", "", "x86 kernel", NULL, NULL },
		[BOOTREPORT_IPXE] = { true, true, "ipxe-script", "http://192.0.2.2/lifeboat/boot.ipxe", NULL, NULL, NULL },
		[BOOTREPORT_RPI] = { false, false, "kernel", "", NULL, NULL, NULL },
		[BOOTREPORT_UBOOT] = { false, false, "kernel", "", "x86 kernel", NULL, NULL },
	};
	check("kernel, no undionly.kpxe", &p, KIMAGE_ARCH_X86, w);
}

static void test_root_bios_only(void **state)
{
	(void)state;
	struct bootplan p;
	const char *err;
	base(&p);
	assert_int_equal(bootplan_add_boot(&p, "bios=pxelinux.0", &err), 0);
	static const struct want w[BOOTREPORT_N] = {
		[BOOTREPORT_BIOS] = { true, true, "arch-file", "pxelinux.0", NULL, NULL, NULL },
		[BOOTREPORT_EFI64] = { false, false, NULL, "", "no boot file", NULL, NULL },
		[BOOTREPORT_EFI_HTTP] = { false, false, NULL, "", "no boot file", NULL, NULL },
		[BOOTREPORT_ARM64] = { false, false, NULL, "", "no boot file", NULL, NULL },
		/* an iPXE client on BIOS takes the BIOS file (it is no iPXE image) */
		[BOOTREPORT_IPXE] = { true, false, "arch-file", "pxelinux.0", NULL, NULL, NULL },
		[BOOTREPORT_RPI] = { false, false, NULL, "", "no boot file", NULL, NULL },
		[BOOTREPORT_UBOOT] = { false, false, NULL, "", "no boot file", NULL, NULL },
	};
	check("root bios only", &p, KIMAGE_ARCH_UNKNOWN, w);
}

static void test_root_mixed(void **state)
{
	(void)state;
	struct bootplan p;
	const char *err;
	base(&p);
	p.http = false;
	assert_int_equal(bootplan_add_boot(&p, "bios=undionly.kpxe", &err), 0);
	assert_int_equal(bootplan_add_boot(&p, "efi64=grubx64.efi", &err), 0);
	assert_int_equal(bootplan_add_boot(&p, "rpi=bootcode.bin", &err), 0);
	assert_int_equal(bootplan_add_menu(&p, "Rescue=arm64:grubaa64.efi", &err), 0);
	assert_int_equal(bootplan_add_host(&p, "52:54:00:*=uboot-arm64:boot.scr", &err), 0);
	static const struct want w[BOOTREPORT_N] = {
		[BOOTREPORT_BIOS] = { true, true, "arch-file", "undionly.kpxe", NULL, NULL, NULL },
		[BOOTREPORT_EFI64] = { true, true, "arch-file", "grubx64.efi", NULL, NULL, NULL },
		/* HTTP is off: the fallback file exists but cannot go by URL */
		[BOOTREPORT_EFI_HTTP] = { false, true, "arch-file", "", "HTTP", NULL, NULL },
		[BOOTREPORT_ARM64] = { true, true, "menu", "", NULL, NULL, NULL },
		/* undionly.kpxe to an iPXE client would loop */
		[BOOTREPORT_IPXE] = { false, false, "arch-file", "", "already iPXE", NULL, NULL },
		[BOOTREPORT_RPI] = { true, true, "arch-file", "bootcode.bin", NULL, NULL, NULL },
		/* asked through the --host rule, but no rule for other machines */
		[BOOTREPORT_UBOOT] = { false, true, NULL, "", "no boot file", NULL, NULL },
	};
	check("root mixed", &p, KIMAGE_ARCH_UNKNOWN, w);
}

static void test_packages(void **state)
{
	(void)state;
	assert_string_equal(bootreport_ipxe_package("undionly.kpxe"), "ipxe");
	assert_string_equal(bootreport_ipxe_package("snponly.efi"), "ipxe");
	assert_null(bootreport_ipxe_package("arm64-efi/snponly.efi"));
	assert_null(bootreport_ipxe_package(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_x86),
		cmocka_unit_test(test_kernel_arm64),
		cmocka_unit_test(test_kernel_bios_image_missing),
		cmocka_unit_test(test_root_bios_only),
		cmocka_unit_test(test_root_mixed),
		cmocka_unit_test(test_packages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
