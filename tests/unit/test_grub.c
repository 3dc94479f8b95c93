/* serve --grub: core names and prefixes, grub-mkimage's argv, the served
 * names (with malformed ones), kernel mode's grub.cfg, and what bootplan
 * hands each client family when --grub is on. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/bootplan.h"
#include "netboot/config.h"
#include "netboot/grub.h"
#include "netboot/serve.h"

static const uint8_t ip[4] = { 192, 0, 2, 2 };

static void test_names_and_prefix(void **state)
{
	(void)state;
	char b[64];
	assert_int_equal(grub_prefix(b, sizeof b, ip, true, 80), 21);
	assert_string_equal(b, "(http,192.0.2.2)/grub");
	grub_prefix(b, sizeof b, ip, true, 8080);
	assert_string_equal(b, "(http,192.0.2.2:8080)/grub");
	/* TFTP: no port (GRUB only reaches 69) */
	grub_prefix(b, sizeof b, ip, false, 8080);
	assert_string_equal(b, "(tftp,192.0.2.2)/grub");
	assert_int_equal(grub_prefix(b, 10, ip, true, 80), -ENAMETOOLONG);

	grub_core_name(b, sizeof b, GRUB_BIOS, ip);
	assert_string_equal(b, "lifeboat/grub/192.0.2.2/core.0");
	grub_core_name(b, sizeof b, GRUB_EFI64, ip);
	assert_string_equal(b, "lifeboat/grub/192.0.2.2/core.efi");
	grub_core_name(b, sizeof b, GRUB_ARM64, ip);
	assert_string_equal(b, "lifeboat/grub/192.0.2.2/coreaa64.efi");
	assert_int_equal(grub_core_name(b, 20, GRUB_BIOS, ip), -ENAMETOOLONG);
	assert_int_equal(grub_core_name(b, sizeof b, GRUB_N_TARGETS, ip), -ENAMETOOLONG);

	assert_int_equal(grub_target_for_key("bios"), GRUB_BIOS);
	assert_int_equal(grub_target_for_key("efi64"), GRUB_EFI64);
	assert_int_equal(grub_target_for_key("arm64"), GRUB_ARM64);
	assert_int_equal(grub_target_for_key("arm32"), -1);
	assert_int_equal(grub_target_for_key(NULL), -1);
	assert_string_equal(grub_target_info(GRUB_BIOS)->package, "grub-pc-bin");
	assert_string_equal(grub_target_info(GRUB_EFI64)->package, "grub-efi-amd64-bin");
	assert_string_equal(grub_target_info(GRUB_ARM64)->package, "grub-efi-arm64-bin");
	assert_string_equal(grub_target_info(GRUB_ARM64)->format, "arm64-efi");
	for (int t = 0; t < GRUB_N_TARGETS; t++)
		assert_int_equal(grub_target_for_key(grub_target_info(t)->key), t);
	assert_null(grub_target_info(GRUB_N_TARGETS));
}

/* What kernel mode boots with GRUB by default, per host: an arm64 host's
 * ARM64 UEFI clients when there is no arm64 iPXE and GRUB can be built;
 * never on x86_64 (Debian's ipxe covers x86), never with --grub given. */
static void test_host_default(void **state)
{
	(void)state;
	const unsigned A = 1u << GRUB_ARM64, X = 1u << GRUB_EFI64, B = 1u << GRUB_BIOS;
	const unsigned all = A | X | B;
	struct {
		const char *name, *machine;
		bool kernel, grub, http, mkimage;
		unsigned ipxe, trees, want;
	} t[] = {
		{ "arm64 host: its GRUB for arm64 clients", "aarch64", true, false, true, true, X | B, all, A },
		{ "arm64 host, uname says arm64", "arm64", true, false, true, true, 0, A, A },
		{ "arm64 host with an arm64 iPXE: iPXE", "aarch64", true, false, true, true, all, all, 0 },
		{ "arm64 host without grub-efi-arm64-bin", "aarch64", true, false, true, true, 0, X | B, 0 },
		{ "arm64 host without grub-mkimage", "aarch64", true, false, true, false, 0, all, 0 },
		{ "arm64 host, --grub given: all of --grub", "aarch64", true, true, true, true, 0, all, 0 },
		{ "arm64 host, root mode", "aarch64", false, false, true, true, 0, all, 0 },
		{ "arm64 host, --no-http", "aarch64", true, false, false, true, 0, all, 0 },
		{ "x86_64 host: iPXE, GRUB only with --grub", "x86_64", true, false, true, true, 0, all, 0 },
		{ "x86_64 host without any iPXE", "x86_64", true, false, true, true, 0, all, 0 },
		{ "armv7 host", "armv7l", true, false, true, true, 0, all, 0 },
		{ "riscv64 host", "riscv64", true, false, true, true, 0, all, 0 },
		{ "empty machine", "", true, false, true, true, 0, all, 0 },
		{ "no machine", NULL, true, false, true, true, 0, all, 0 },
		{ "aarch64_be is not ours", "aarch64_be", true, false, true, true, 0, all, 0 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct grub_auto_facts f = { .machine = t[i].machine, .kernel_mode = t[i].kernel,
					     .grub_opt = t[i].grub, .http = t[i].http,
					     .mkimage = t[i].mkimage, .ipxe = t[i].ipxe,
					     .trees = t[i].trees };
		unsigned got = grub_auto_targets(&f);
		if (got != t[i].want)
			fail_msg("%s: targets %#x want %#x", t[i].name, got, t[i].want);
	}
	assert_int_equal(grub_host_target("aarch64"), GRUB_ARM64);
	assert_int_equal(grub_host_target("x86_64"), -1);
	assert_int_equal(grub_host_target(NULL), -1);
}

static int argv_has(const char **argv, int argc, const char *a, const char *b)
{
	for (int i = 0; i + (b ? 1 : 0) < argc; i++)
		if (!strcmp(argv[i], a) && (!b || !strcmp(argv[i + 1], b)))
			return 1;
	return 0;
}

static void test_mkimage_argv(void **state)
{
	(void)state;
	char dir[128];
	const char *argv[GRUB_ARGV_MAX];
	int n = grub_mkimage_argv("/usr/bin/grub-mkimage", "/usr/lib/grub", GRUB_BIOS,
				  "(http,192.0.2.2)/grub", "/proc/self/fd/3", dir, sizeof dir, argv,
				  GRUB_ARGV_MAX);
	assert_true(n > 9);
	assert_null(argv[n]);
	assert_string_equal(argv[0], "/usr/bin/grub-mkimage");
	assert_true(argv_has(argv, n, "-d", "/usr/lib/grub/i386-pc"));
	assert_true(argv_has(argv, n, "-O", "i386-pc-pxe"));
	assert_true(argv_has(argv, n, "-o", "/proc/self/fd/3"));
	assert_true(argv_has(argv, n, "-p", "(http,192.0.2.2)/grub"));
	/* the network path to the prefix is built in */
	assert_true(argv_has(argv, n, "pxe", NULL) && argv_has(argv, n, "http", NULL));
	assert_true(argv_has(argv, n, "tftp", NULL) && argv_has(argv, n, "normal", NULL));
	assert_false(argv_has(argv, n, "efinet", NULL));

	n = grub_mkimage_argv("grub-mkimage", "/opt/g", GRUB_EFI64, "(tftp,192.0.2.2)/grub", "o", dir,
			      sizeof dir, argv, GRUB_ARGV_MAX);
	assert_true(n > 9);
	assert_true(argv_has(argv, n, "-d", "/opt/g/x86_64-efi"));
	assert_true(argv_has(argv, n, "-O", "x86_64-efi"));
	assert_true(argv_has(argv, n, "efinet", NULL));
	assert_false(argv_has(argv, n, "pxe", NULL));

	assert_int_equal(grub_mkimage_argv("m", "/usr/lib/grub", GRUB_BIOS, "p", "o", dir, sizeof dir,
					   argv, 12),
			 -E2BIG);
	assert_int_equal(grub_mkimage_argv("m", "/usr/lib/grub", GRUB_BIOS, "p", "o", dir, 8, argv,
					   GRUB_ARGV_MAX),
			 -ENAMETOOLONG);
	assert_int_equal(grub_mkimage_argv("m", "/d", GRUB_N_TARGETS, "p", "o", dir, sizeof dir,
					   argv, GRUB_ARGV_MAX),
			 -E2BIG);
}

static void test_parse_name(void **state)
{
	(void)state;
	static const struct {
		const char *path;
		int rc;
		enum grub_name_kind kind;
		int target;
		const char *rel;
	} cases[] = {
		{ "lifeboat/grub/192.0.2.2/core.0", 0, GRUB_NAME_CORE, GRUB_BIOS, NULL },
		{ "lifeboat/grub/10.0.0.255/core.efi", 0, GRUB_NAME_CORE, GRUB_EFI64, NULL },
		{ "lifeboat/grub/0.0.0.0/core.0", 0, GRUB_NAME_CORE, GRUB_BIOS, NULL },
		{ "grub/i386-pc/normal.mod", 0, GRUB_NAME_MODULE, GRUB_BIOS, "normal.mod" },
		{ "grub/x86_64-efi/fonts/x.pf2", 0, GRUB_NAME_MODULE, GRUB_EFI64, "fonts/x.pf2" },
		{ "grub/grub.cfg", 0, GRUB_NAME_CFG, 0, NULL },
		/* not ours: ROOT serves them */
		{ "grub/grub.cfg-01-52-54-00-12-34-56", 0, GRUB_NAME_NONE, 0, NULL },
		{ "grub/C0000202", 0, GRUB_NAME_NONE, 0, NULL },
		{ "grub/i386-pc", 0, GRUB_NAME_NONE, 0, NULL },
		{ "grub/i386-pc/", 0, GRUB_NAME_NONE, 0, NULL },
		{ "grub/i386-pcx/normal.mod", 0, GRUB_NAME_NONE, 0, NULL },
		{ "grub/arm64-efi/normal.mod", 0, GRUB_NAME_MODULE, GRUB_ARM64, "normal.mod" },
		{ "lifeboat/grub/192.0.2.2/coreaa64.efi", 0, GRUB_NAME_CORE, GRUB_ARM64, NULL },
		{ "grub/arm64-efi", 0, GRUB_NAME_NONE, 0, NULL },
		{ "grub/arm64-efix/normal.mod", 0, GRUB_NAME_NONE, 0, NULL },
		{ "lifeboat/grub/192.0.2.2/coreaa64.efi.x", -ENOENT, 0, 0, NULL },
		{ "lifeboat/grub/192.0.2.2/core.efiaa64", -ENOENT, 0, 0, NULL },
		{ "pxelinux.0", 0, GRUB_NAME_NONE, 0, NULL },
		{ "lifeboat/boot.ipxe", 0, GRUB_NAME_NONE, 0, NULL },
		/* malformed core names: no such file */
		{ "lifeboat/grub/192.0.2.2/core.img", -ENOENT, 0, 0, NULL },
		{ "lifeboat/grub/192.0.2/core.0", -ENOENT, 0, 0, NULL },
		{ "lifeboat/grub/192.0.2.256/core.0", -ENOENT, 0, 0, NULL },
		{ "lifeboat/grub/192.0.2.2.1/core.0", -ENOENT, 0, 0, NULL },
		{ "lifeboat/grub/192..2.2/core.0", -ENOENT, 0, 0, NULL },
		{ "lifeboat/grub/1920.0.2.2/core.0", -ENOENT, 0, 0, NULL },
		{ "lifeboat/grub/+1.0.2.2/core.0", -ENOENT, 0, 0, NULL },
		{ "lifeboat/grub/192.0.2.02/core.0", -ENOENT, 0, 0, NULL },
		{ "lifeboat/grub/09.0.0.255/core.efi", -ENOENT, 0, 0, NULL },
		{ "lifeboat/grub/core.0", -ENOENT, 0, 0, NULL },
		{ "lifeboat/grub/", -ENOENT, 0, 0, NULL },
		{ "lifeboat/grub/192.0.2.2/core.0/x", -ENOENT, 0, 0, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct grub_name g;
		int r = grub_parse_name(cases[i].path, &g);
		if (r != cases[i].rc)
			fail_msg("%s: rc %d want %d", cases[i].path, r, cases[i].rc);
		if (r)
			continue;
		if (g.kind != cases[i].kind)
			fail_msg("%s: kind %d want %d", cases[i].path, g.kind, cases[i].kind);
		if (g.kind != GRUB_NAME_NONE && g.kind != GRUB_NAME_CFG && (int)g.target != cases[i].target)
			fail_msg("%s: target %d", cases[i].path, g.target);
		if (cases[i].rel && (!g.rel || strcmp(g.rel, cases[i].rel)))
			fail_msg("%s: rel %s", cases[i].path, g.rel ? g.rel : "(null)");
	}
	struct grub_name g;
	grub_parse_name("lifeboat/grub/10.0.0.255/core.efi", &g);
	assert_memory_equal(g.ip, "\x0a\x00\x00\xff", 4);
}

static void test_cfg_kernel(void **state)
{
	(void)state;
	char b[1024];
	const char *initrd[] = { "/srv/k/initrd.gz", "extra.cpio" };
	int n = grub_cfg_kernel(b, sizeof b, "/srv/k/vmlinuz-6.1", initrd, 2,
				"console=ttyS0  quiet x='a b' $y;z");
	assert_int_equal(n, (int)strlen(b));
	assert_string_equal(b, "# generated by lifeboat serve --grub\n"
			       "echo 'lifeboat: booting vmlinuz-6.1'\n"
			       "linux '/lifeboat/kernel/vmlinuz-6.1' 'console=ttyS0' 'quiet' "
			       "'x='\\''a' 'b'\\''' '$y;z'\n"
			       "initrd '/lifeboat/initrd/0/initrd.gz' '/lifeboat/initrd/1/extra.cpio'\n"
			       "boot\n");
	/* no initrd, no cmdline */
	n = grub_cfg_kernel(b, sizeof b, "bzImage", NULL, 0, NULL);
	assert_true(n > 0);
	assert_null(strstr(b, "initrd"));
	assert_non_null(strstr(b, "\nlinux '/lifeboat/kernel/bzImage'\nboot\n"));
	/* every short buffer is refused, never overrun */
	char small[200];
	for (size_t cap = 0; cap < 170; cap++) {
		memset(small, 'Z', sizeof small);
		n = grub_cfg_kernel(small, cap, "/srv/k/vmlinuz-6.1", initrd, 2, "console=ttyS0 quiet");
		if (n >= 0)
			fail_msg("cap %zu: %d", cap, n);
		for (size_t k = cap; k < sizeof small; k++)
			if (small[k] != 'Z')
				fail_msg("cap %zu: wrote byte %zu", cap, k);
	}
	assert_int_equal(grub_cfg_kernel(b, sizeof b, NULL, NULL, 0, NULL), -ENOBUFS);
}

static void test_cfg_search(void **state)
{
	(void)state;
	char names[GRUB_SEARCH_MAX][GRUB_SEARCH_NAME];
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0x0c, 0xff };
	static const uint8_t cip[4] = { 192, 0, 2, 130 };
	/* GRUB's own TFTP search order (grub_net_search_config_file) */
	static const char *const want[] = {
		"grub/grub.cfg-01-52-54-00-ab-0c-ff", "grub/grub.cfg-C0000282", "grub/grub.cfg-C000028",
		"grub/grub.cfg-C00002", "grub/grub.cfg-C0000", "grub/grub.cfg-C000", "grub/grub.cfg-C00",
		"grub/grub.cfg-C0", "grub/grub.cfg-C", "grub/grub.cfg",
	};
	size_t n = grub_cfg_search(mac, cip, names, GRUB_SEARCH_MAX);
	assert_int_equal(n, 10);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(names[i], want[i]);
	n = grub_cfg_search(NULL, NULL, names, GRUB_SEARCH_MAX);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "grub/grub.cfg");
	n = grub_cfg_search(mac, NULL, names, GRUB_SEARCH_MAX);
	assert_int_equal(n, 2);
	n = grub_cfg_search(mac, cip, names, 3);
	assert_int_equal(n, 3);
	assert_string_equal(names[2], "grub/grub.cfg-C000028");

	char b[600];
	int k = grub_cfg_root(b, sizeof b);
	assert_true(k > 0);
	assert_non_null(strstr(b, "\"$net_default_mac\"\n"));
	assert_non_null(strstr(b, "\nconfigfile \"/lifeboat/grub/cfg/01-$lb_1-$lb_2-$lb_3-$lb_4-$lb_5-$lb_6\"\n"));
	assert_int_equal(grub_cfg_root(b, 100), -ENOBUFS);

	struct grub_name g;
	assert_int_equal(grub_parse_name("lifeboat/grub/cfg/01-52-54-00-AB-0c-ff", &g), 0);
	assert_int_equal(g.kind, GRUB_NAME_CLIENT_CFG);
	assert_true(g.has_mac);
	assert_memory_equal(g.mac, mac, 6);
	static const char *const nomac[] = {
		"lifeboat/grub/cfg/01------", "lifeboat/grub/cfg/01-52-54-00-ab-0c",
		"lifeboat/grub/cfg/01-52-54-00-ab-0c-ff-00", "lifeboat/grub/cfg/02-52-54-00-ab-0c-ff",
		"lifeboat/grub/cfg/01-52:54:00:ab:0c:ff", "lifeboat/grub/cfg/01-5g-54-00-ab-0c-ff",
		"lifeboat/grub/cfg/",
	};
	for (size_t i = 0; i < sizeof nomac / sizeof nomac[0]; i++) {
		assert_int_equal(grub_parse_name(nomac[i], &g), 0);
		assert_int_equal(g.kind, GRUB_NAME_CLIENT_CFG);
		if (g.has_mac)
			fail_msg("%s: has a MAC", nomac[i]);
	}
}

static struct pxe_client client(uint16_t arch, bool ipxe, bool http)
{
	struct pxe_client c;
	memset(&c, 0, sizeof c);
	c.arch = arch;
	c.ai = pxe_arch_by_code(arch);
	c.ipxe = ipxe;
	c.http = http;
	return c;
}

static void grub_plan(struct bootplan *p, bool kernel)
{
	memset(p, 0, sizeof *p);
	p->http = p->tftp = true;
	p->http_port = 80;
	p->ipxe_dir = "/usr/lib/ipxe";
	p->grub = true;
	p->grub_dir = "/usr/lib/grub";
	p->grub_targets = 1u << GRUB_BIOS | 1u << GRUB_EFI64 | 1u << GRUB_ARM64;
	if (kernel) {
		p->kernel = "/srv/k/vmlinuz";
		p->initrd[0] = "/srv/k/initrd.gz";
		p->n_initrd = 1;
		p->cmdline = "console=ttyS0";
	}
}

static void test_choose(void **state)
{
	(void)state;
	struct bootplan p;
	struct {
		const char *name;
		bool kernel;
		uint16_t arch;
		bool ipxe, http;
		int rc;
		const char *file;
	} cases[] = {
		{ "BIOS PXE ROM", true, 0, false, false, 0, "lifeboat/grub/192.0.2.2/core.0" },
		{ "iPXE ROM gets GRUB, not the script", true, 0, true, false, 0, "lifeboat/grub/192.0.2.2/core.0" },
		{ "UEFI arch 7", true, 7, false, false, 0, "lifeboat/grub/192.0.2.2/core.efi" },
		{ "UEFI arch 9", true, 9, false, false, 0, "lifeboat/grub/192.0.2.2/core.efi" },
		{ "UEFI iPXE", true, 7, true, false, 0, "lifeboat/grub/192.0.2.2/core.efi" },
		{ "UEFI HTTP boot: URL of the EFI core", true, 16, false, true, 0,
		  "http://192.0.2.2/lifeboat/grub/192.0.2.2/core.efi" },
		/* arm64 UEFI (AAVMF, arch 11) gets the arm64-efi core */
		{ "arm64 kernel mode", true, 11, false, false, 0, "lifeboat/grub/192.0.2.2/coreaa64.efi" },
		{ "arm64 iPXE kernel mode", true, 11, true, false, 0, "lifeboat/grub/192.0.2.2/coreaa64.efi" },
		{ "arm64 UEFI HTTP boot", true, 19, false, true, 0,
		  "http://192.0.2.2/lifeboat/grub/192.0.2.2/coreaa64.efi" },
		{ "root mode BIOS", false, 0, false, false, 0, "lifeboat/grub/192.0.2.2/core.0" },
		{ "root mode arm64", false, 11, false, false, 0, "lifeboat/grub/192.0.2.2/coreaa64.efi" },
		{ "root mode arm32: nothing", false, 10, false, false, -ENOENT, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		grub_plan(&p, cases[i].kernel);
		struct pxe_client c = client(cases[i].arch, cases[i].ipxe, cases[i].http);
		struct boot_choice bc;
		int r = bootplan_choose(&p, &c, ip, &bc);
		if (r != cases[i].rc)
			fail_msg("%s: rc %d want %d (%s)", cases[i].name, r, cases[i].rc, bc.why);
		if (r == 0 && strcmp(bc.file, cases[i].file))
			fail_msg("%s: file %s want %s", cases[i].name, bc.file, cases[i].file);
	}

	/* --boot overrides GRUB for its architecture only */
	const char *err;
	struct boot_choice bc;
	grub_plan(&p, true);
	assert_int_equal(bootplan_add_boot(&p, "bios=pxelinux.0", &err), 0);
	struct pxe_client c = client(0, false, false);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "pxelinux.0");
	c = client(7, false, false);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "lifeboat/grub/192.0.2.2/core.efi");
	/* ... and --boot ipxe= still wins for iPXE clients */
	assert_int_equal(bootplan_add_boot(&p, "ipxe=menu.ipxe", &err), 0);
	c = client(7, true, false);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "http://192.0.2.2/menu.ipxe");

	/* a target that cannot be built: that family falls back to iPXE */
	grub_plan(&p, true);
	p.grub_targets = 1u << GRUB_BIOS;
	c = client(7, false, false);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "lifeboat/ipxe/snponly.efi");
	c = client(11, false, false);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "lifeboat/ipxe/arm64-efi/snponly.efi");
	/* an arm64 host's default (grub_auto_targets): only arm64 gets GRUB,
	 * x86 clients keep kernel mode's iPXE */
	grub_plan(&p, true);
	p.grub_auto = p.grub_targets = 1u << GRUB_ARM64;
	c = client(11, false, false);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "lifeboat/grub/192.0.2.2/coreaa64.efi");
	c = client(0, false, false);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "lifeboat/ipxe/undionly.kpxe");
	c = client(7, false, false);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "lifeboat/ipxe/snponly.efi");
	/* TFTP off: PXE clients cannot load the core */
	grub_plan(&p, true);
	p.tftp = false;
	c = client(0, false, false);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), -ENOENT);
	/* --grub off: unchanged behaviour */
	grub_plan(&p, true);
	p.grub = false;
	c = client(0, true, false);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "http://192.0.2.2/lifeboat/boot.ipxe");
}

static void test_signed(void **state)
{
	(void)state;
	struct bootplan p;
	struct bootplan_file f;
	struct boot_choice bc;
	char buf[512];
	grub_plan(&p, true);
	p.grub_signed = true;
	/* efi64 gets shim (even without the x86_64-efi tree); BIOS keeps the core */
	p.grub_targets = 1u << GRUB_BIOS;
	struct pxe_client c = client(7, false, false);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "lifeboat/grub/shimx64.efi");
	c = client(16, false, true);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "http://192.0.2.2/lifeboat/grub/shimx64.efi");
	c = client(0, false, false);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "lifeboat/grub/192.0.2.2/core.0");
	/* shim loads grubx64.efi from its own directory */
	assert_int_equal(bootplan_lookup(&p, "lifeboat/grub/shimx64.efi", buf, sizeof buf, &f), 0);
	assert_string_equal(f.host_path, "/usr/lib/shim/shimx64.efi.signed");
	assert_int_equal(bootplan_lookup(&p, "lifeboat/grub/grubx64.efi", buf, sizeof buf, &f), 0);
	assert_string_equal(f.host_path, "/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed");
	assert_int_equal(bootplan_lookup(&p, "grubx64.efi", buf, sizeof buf, &f), 0);
	assert_string_equal(f.host_path, "/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed");
	assert_int_equal(bootplan_lookup(&p, "lifeboat/grub/mmx64.efi", buf, sizeof buf, &f), -ENOENT);
	assert_int_equal(bootplan_lookup(&p, "lifeboat/grub/grubx64.efi", buf, 20, &f), -ENOENT);
	/* without --grub-signed these names do not exist */
	p.grub_signed = false;
	assert_int_equal(bootplan_lookup(&p, "lifeboat/grub/shimx64.efi", buf, sizeof buf, &f), -ENOENT);
	assert_int_equal(bootplan_lookup(&p, "lifeboat/grub/grubx64.efi", buf, sizeof buf, &f), -ENOENT);
	/* ROOT's own grubx64.efi is not ours then */
	assert_int_equal(bootplan_lookup(&p, "grubx64.efi", buf, sizeof buf, &f), -ENOENT);
	c = client(7, false, false);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "lifeboat/ipxe/snponly.efi");

	static struct serve_opts o;
	FILE *devnull = fopen("/dev/null", "w");
	const char *a[] = { "serve", "--grub-signed", "--kernel", "k" };
	assert_int_equal(serve_parse_args(4, (char **)a, &o, devnull), 0);
	assert_true(o.plan.grub && o.plan.grub_signed);
	fclose(devnull);
}

static void test_lookup(void **state)
{
	(void)state;
	struct bootplan p;
	struct bootplan_file f;
	char buf[1024];
	grub_plan(&p, true);
	assert_int_equal(bootplan_lookup(&p, "lifeboat/grub/192.0.2.2/core.0", buf, sizeof buf, &f), 0);
	assert_int_equal(f.grub_core, GRUB_BIOS + 1);
	assert_memory_equal(f.grub_ip, ip, 4);
	assert_null(f.host_path);
	assert_int_equal(bootplan_lookup(&p, "grub/x86_64-efi/http.mod", buf, sizeof buf, &f), 0);
	assert_int_equal(f.grub_tree, GRUB_EFI64 + 1);
	assert_string_equal(f.grub_rel, "http.mod");
	assert_int_equal(bootplan_lookup(&p, "grub/grub.cfg", buf, sizeof buf, &f), 0);
	assert_non_null(f.text);
	assert_non_null(strstr(f.text, "linux '/lifeboat/kernel/vmlinuz' 'console=ttyS0'\n"));
	/* kernel mode's other names still resolve */
	assert_int_equal(bootplan_lookup(&p, "lifeboat/kernel/vmlinuz", buf, sizeof buf, &f), 0);
	assert_string_equal(f.host_path, "/srv/k/vmlinuz");
	assert_int_equal(bootplan_lookup(&p, "lifeboat/grub/192.0.2.2/core.img", buf, sizeof buf, &f), -ENOENT);
	/* per-MAC configs come from ROOT (not ours) */
	assert_int_equal(bootplan_lookup(&p, "grub/grub.cfg-01-52-54-00-12-34-56", buf, sizeof buf, &f), -ENOENT);
	/* kernel mode: no per-client search */
	assert_int_equal(bootplan_lookup(&p, "lifeboat/grub/cfg/01-52-54-00-12-34-56", buf, sizeof buf, &f), -ENOENT);
	/* root mode: grub.cfg is the search wrapper, the search is ROOT's */
	grub_plan(&p, false);
	assert_int_equal(bootplan_lookup(&p, "grub/grub.cfg", buf, sizeof buf, &f), 0);
	assert_non_null(strstr(f.text, "configfile \"/lifeboat/grub/cfg/01-"));
	assert_int_equal(bootplan_lookup(&p, "lifeboat/grub/cfg/01-52-54-00-12-34-56", buf, sizeof buf, &f), 0);
	assert_true(f.grub_client_cfg);
	assert_true(f.grub_has_mac);
	assert_memory_equal(f.grub_mac, "\x52\x54\x00\x12\x34\x56", 6);
	/* a target that cannot be built serves nothing */
	p.grub_targets = 1u << GRUB_BIOS;
	assert_int_equal(bootplan_lookup(&p, "grub/x86_64-efi/http.mod", buf, sizeof buf, &f), -ENOENT);
	assert_int_equal(bootplan_lookup(&p, "lifeboat/grub/192.0.2.2/core.efi", buf, sizeof buf, &f), -ENOENT);
	/* --grub off: none of these names exist */
	grub_plan(&p, true);
	p.grub = false;
	assert_int_equal(bootplan_lookup(&p, "lifeboat/grub/192.0.2.2/core.0", buf, sizeof buf, &f), -ENOENT);
	assert_int_equal(bootplan_lookup(&p, "grub/i386-pc/normal.mod", buf, sizeof buf, &f), -ENOENT);
	assert_int_equal(bootplan_lookup(&p, "grub/grub.cfg", buf, sizeof buf, &f), -ENOENT);
}

static void test_serve_args(void **state)
{
	(void)state;
	static struct serve_opts o;
	FILE *devnull = fopen("/dev/null", "w");
	const char *def[] = { "serve", "--kernel", "k" };
	assert_int_equal(serve_parse_args(3, (char **)def, &o, devnull), 0);
	assert_false(o.plan.grub);
	assert_string_equal(o.plan.grub_dir, "/usr/lib/grub");
	const char *a[] = { "serve", "--grub", "--grub-dir", "/opt/grub", "--kernel", "k" };
	assert_int_equal(serve_parse_args(6, (char **)a, &o, devnull), 0);
	assert_true(o.plan.grub);
	assert_string_equal(o.plan.grub_dir, "/opt/grub");
	/* in a --config file: flags without a value, grub-dir with one */
	assert_int_equal(serve_option_kind("grub"), CONFIG_OPT_FLAG);
	assert_int_equal(serve_option_kind("grub-signed"), CONFIG_OPT_FLAG);
	assert_int_equal(serve_option_kind("grub-dir"), CONFIG_OPT_VALUE);
	const char *bad[] = { "serve", "--grub-dir" };
	assert_int_equal(serve_parse_args(2, (char **)bad, &o, devnull), -EINVAL);
	const char *bad2[] = { "serve", "--grub=yes" };
	assert_int_equal(serve_parse_args(2, (char **)bad2, &o, devnull), -EINVAL);
	fclose(devnull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_prefix), cmocka_unit_test(test_mkimage_argv),
		cmocka_unit_test(test_host_default),
		cmocka_unit_test(test_parse_name),	 cmocka_unit_test(test_cfg_kernel),
		cmocka_unit_test(test_cfg_search),	 cmocka_unit_test(test_choose),		 cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_serve_args),	 cmocka_unit_test(test_signed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
