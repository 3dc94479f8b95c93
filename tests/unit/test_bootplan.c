/* Boot decisions per client family, the generated iPXE script, the
 * reserved lifeboat/ names, and serve's command line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/bootplan.h"
#include "netboot/grub.h"
#include "netboot/serve.h"

static const uint8_t ip[4] = { 192, 0, 2, 2 };

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

static void kernel_plan(struct bootplan *p)
{
	memset(p, 0, sizeof *p);
	p->http = p->tftp = true;
	p->http_port = 80;
	p->ipxe_dir = "/usr/lib/ipxe";
	p->kernel = "/srv/k/vmlinuz-6.1";
	p->initrd[0] = "/srv/k/initrd.gz";
	p->initrd[1] = "/srv/k/extra.cpio";
	p->n_initrd = 2;
	p->cmdline = "console=ttyS0 quiet";
}

struct choose_case {
	const char *name;
	uint16_t arch;
	bool ipxe, http;
	int want_rc;
	const char *want_file;
};

static void run_cases(const struct bootplan *p, const struct choose_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct pxe_client c = client(cases[i].arch, cases[i].ipxe, cases[i].http);
		struct boot_choice bc;
		int r = bootplan_choose(p, &c, ip, &bc);
		if (r != cases[i].want_rc)
			fail_msg("%s: rc %d want %d (%s)", cases[i].name, r, cases[i].want_rc, bc.why);
		if (r == 0 && strcmp(bc.file, cases[i].want_file))
			fail_msg("%s: file %s want %s", cases[i].name, bc.file, cases[i].want_file);
	}
}

static void test_kernel_mode_choices(void **state)
{
	(void)state;
	struct bootplan p;
	kernel_plan(&p);
	static const struct choose_case cases[] = {
		{ "BIOS PXE ROM chain-loads undionly", 0, false, false, 0, "lifeboat/ipxe/undionly.kpxe" },
		{ "UEFI PXE chain-loads snponly", 7, false, false, 0, "lifeboat/ipxe/snponly.efi" },
		{ "arch 9 is x64 UEFI too", 9, false, false, 0, "lifeboat/ipxe/snponly.efi" },
		{ "iPXE gets the script URL", 0, true, false, 0, "http://192.0.2.2/lifeboat/boot.ipxe" },
		{ "UEFI iPXE gets the script URL", 7, true, false, 0, "http://192.0.2.2/lifeboat/boot.ipxe" },
		{ "HTTP boot client gets snponly over HTTP", 16, false, true, 0, "http://192.0.2.2/lifeboat/ipxe/snponly.efi" },
		{ "x86 UEFI 32: no iPXE image", 6, false, false, -ENOENT, NULL },
		{ "U-Boot: siaddr only, pxe get finds pxelinux.cfg/default", 22, false, false, 0, "" },
		{ "U-Boot arm32 too", 21, false, false, 0, "" },
		{ "ARM64 UEFI chain-loads the arm64 iPXE", 11, false, false, 0, "lifeboat/ipxe/arm64-efi/snponly.efi" },
	};
	run_cases(&p, cases, sizeof cases / sizeof cases[0]);
	p.http_port = 8080;
	struct pxe_client c = client(0, true, false);
	struct boot_choice bc;
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "http://192.0.2.2:8080/lifeboat/boot.ipxe");
}

/* Kernel mode when --ipxe-dir lacks an image (Debian's ipxe has no arm64
 * build): those clients are not answered, others are; a --boot entry for
 * the architecture still wins. U-Boot needs no iPXE but needs TFTP. */
static void test_kernel_mode_missing_ipxe_and_uboot(void **state)
{
	(void)state;
	struct bootplan p;
	const char *err;
	size_t n;
	const struct pxe_arch *t = pxe_arch_table(&n);
	kernel_plan(&p);
	for (size_t i = 0; i < n; i++)
		if (t[i].ipxe && !strncmp(t[i].ipxe, "arm64-efi/", 10))
			p.ipxe_missing |= 1u << i;
	assert_int_equal(pxe_arch_index(pxe_arch_by_code(11)) >= 0, 1);
	assert_int_equal(pxe_arch_index(pxe_arch_by_key("other")), -1);
	static const struct choose_case cases[] = {
		{ "arm64 UEFI: image missing", 11, false, false, -ENOENT, NULL },
		{ "arm64 HTTP boot: image missing", 19, false, true, -ENOENT, NULL },
		{ "x64 UEFI unaffected", 7, false, false, 0, "lifeboat/ipxe/snponly.efi" },
		{ "arm64 iPXE still gets the script", 11, true, false, 0, "http://192.0.2.2/lifeboat/boot.ipxe" },
	};
	run_cases(&p, cases, sizeof cases / sizeof cases[0]);
	assert_int_equal(bootplan_add_boot(&p, "arm64=grubaa64.efi", &err), 0);
	struct pxe_client c = client(11, false, false);
	struct boot_choice bc;
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "grubaa64.efi");
	/* a U-Boot client recognised by its vendor class, arch unknown */
	c = client(22, false, false);
	c.ai = pxe_arch_by_key("other");
	c.uboot = true;
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "");
	p.tftp = false;
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), -ENOENT);
}

/* The config U-Boot's `pxe get` finds in kernel mode, and where. */
static void test_uboot_pxelinux_cfg(void **state)
{
	(void)state;
	struct bootplan p;
	char buf[1024];
	struct bootplan_file f;
	kernel_plan(&p);
	int n = bootplan_pxelinux_cfg(&p, buf, sizeof buf);
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	assert_non_null(strstr(buf, "\ndefault lifeboat\nlabel lifeboat\n"
				    "  kernel lifeboat/kernel/vmlinuz-6.1\n"
				    "  initrd lifeboat/initrd/0/initrd.gz\n"
				    "  append console=ttyS0 quiet\n"));
	assert_null(strstr(buf, "extra.cpio")); /* U-Boot's pxe takes one initrd */
	for (size_t cap = 0; cap < (size_t)n; cap += 13)
		assert_int_equal(bootplan_pxelinux_cfg(&p, buf, cap), -ENOBUFS);
	/* no initrd, no command line: neither line */
	p.n_initrd = 0;
	p.cmdline = "";
	n = bootplan_pxelinux_cfg(&p, buf, sizeof buf);
	assert_true(n > 0);
	assert_null(strstr(buf, "initrd"));
	assert_null(strstr(buf, "append"));
	kernel_plan(&p);
	assert_int_equal(bootplan_lookup(&p, "pxelinux.cfg/default", buf, sizeof buf, &f), 0);
	assert_null(f.host_path);
	assert_memory_equal(f.text, "# generated by lifeboat", 23);
	/* U-Boot's other lookup names are not generated: ROOT answers them */
	static const char *const others[] = {
		"pxelinux.cfg/01-52-54-00-12-34-56", "pxelinux.cfg/C0000265", "pxelinux.cfg/C",
		"pxelinux.cfg/default-arm", "pxelinux.cfg/default-arm-virt", "pxelinux.cfg/defaultx",
		"pxelinux.cfg/default/", "lifeboat/pxelinux.cfg/default",
	};
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
		if (bootplan_lookup(&p, others[i], buf, sizeof buf, &f) != -ENOENT)
			fail_msg("%s: generated", others[i]);
	/* root mode: ROOT's own pxelinux.cfg/default only */
	p.kernel = NULL;
	assert_int_equal(bootplan_lookup(&p, "pxelinux.cfg/default", buf, sizeof buf, &f), -ENOENT);
	assert_int_equal(bootplan_pxelinux_cfg(&p, buf, sizeof buf), -ENOBUFS);
}

static void test_root_mode_choices(void **state)
{
	(void)state;
	struct bootplan p;
	const char *err;
	memset(&p, 0, sizeof p);
	p.http = p.tftp = true;
	p.http_port = 80;
	assert_int_equal(bootplan_add_boot(&p, "bios=pxelinux.0", &err), 0);
	assert_int_equal(bootplan_add_boot(&p, "efi64=grub/grubx64.efi", &err), 0);
	assert_int_equal(bootplan_add_boot(&p, "arm64-http=http://198.51.100.9/a.efi", &err), 0);
	assert_int_equal(bootplan_add_boot(&p, "uboot-arm64=http://198.51.100.9/u.img", &err), 0);
	static const struct choose_case cases[] = {
		{ "BIOS gets pxelinux over TFTP", 0, false, false, 0, "pxelinux.0" },
		{ "iPXE BIOS gets the same first stage", 0, true, false, 0, "pxelinux.0" },
		{ "UEFI gets grub", 7, false, false, 0, "grub/grubx64.efi" },
		{ "HTTP x64 falls back to efi64 over HTTP", 16, false, true, 0, "http://192.0.2.2/grub/grubx64.efi" },
		{ "HTTP arm64 gets the URL as given", 19, false, true, 0, "http://198.51.100.9/a.efi" },
		{ "TFTP-only client cannot use a URL", 22, false, false, -ENOENT, NULL },
		{ "nothing for arm32", 10, false, false, -ENOENT, NULL },
	};
	run_cases(&p, cases, sizeof cases / sizeof cases[0]);
	/* an iPXE image handed to iPXE would loop */
	assert_int_equal(bootplan_add_boot(&p, "bios=undionly.kpxe", &err), 0);
	struct pxe_client c = client(0, true, false);
	struct boot_choice bc;
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), -ELOOP);
	assert_int_equal(bootplan_add_boot(&p, "ipxe=menu.ipxe", &err), 0);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "http://192.0.2.2/menu.ipxe");
	c = client(0, false, false);
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	assert_string_equal(bc.file, "undionly.kpxe");
	/* TFTP off: TFTP clients get nothing */
	p.tftp = false;
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), -ENOENT);
}

static void test_add_boot_errors(void **state)
{
	(void)state;
	struct bootplan p;
	const char *err;
	memset(&p, 0, sizeof p);
	static const char *const bad[] = { "bios", "=x", "bios=", "mips=foo", "x" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(bootplan_add_boot(&p, bad[i], &err), -EINVAL);
	/* the same key again replaces the earlier entry */
	for (int i = 0; i < BOOTPLAN_MAX_BOOT + 1; i++)
		assert_int_equal(bootplan_add_boot(&p, i % 2 ? "bios=a" : "bios=b", &err), 0);
	assert_int_equal(p.n_boot, 1);
	assert_string_equal(bootplan_file_for(&p, "bios"), "b");
}

static void test_script_and_lookup(void **state)
{
	(void)state;
	struct bootplan p;
	char buf[2048];
	struct bootplan_file f;
	kernel_plan(&p);
	int n = bootplan_ipxe_script(&p, buf, sizeof buf);
	assert_true(n > 0);
	assert_non_null(strstr(buf, "#!ipxe\n"));
	assert_non_null(strstr(buf, "\nkernel kernel/vmlinuz-6.1 initrd=initrd.gz initrd=extra.cpio console=ttyS0 quiet\n"));
	assert_non_null(strstr(buf, "\ninitrd initrd/0/initrd.gz\ninitrd initrd/1/extra.cpio\nboot\n"));
	assert_int_equal(bootplan_ipxe_script(&p, buf, 40), -ENOBUFS);

	struct {
		const char *path;
		int rc;
		const char *host;
	} cases[] = {
		{ "lifeboat/kernel/vmlinuz-6.1", 0, "/srv/k/vmlinuz-6.1" },
		{ "lifeboat/initrd/0/initrd.gz", 0, "/srv/k/initrd.gz" },
		{ "lifeboat/initrd/1/extra.cpio", 0, "/srv/k/extra.cpio" },
		{ "lifeboat/initrd/2/extra.cpio", -ENOENT, NULL },
		{ "lifeboat/initrd/1/initrd.gz", -ENOENT, NULL },
		{ "lifeboat/initrd/+1/extra.cpio", -ENOENT, NULL },
		{ "lifeboat/initrd/ 1/extra.cpio", -ENOENT, NULL },
		{ "lifeboat/ipxe/undionly.kpxe", 0, "/usr/lib/ipxe/undionly.kpxe" },
		{ "lifeboat/ipxe/../../etc/passwd", -ENOENT, NULL },
		{ "lifeboat/ipxe/ipxe.lkrn", -ENOENT, NULL },
		{ "lifeboat/kernel/other", -ENOENT, NULL },
		{ "pxelinux.0", -ENOENT, NULL },
		{ "lifeboat", -ENOENT, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int r = bootplan_lookup(&p, cases[i].path, buf, sizeof buf, &f);
		if (r != cases[i].rc)
			fail_msg("%s: rc %d want %d", cases[i].path, r, cases[i].rc);
		if (r == 0 && strcmp(f.host_path, cases[i].host))
			fail_msg("%s: %s", cases[i].path, f.host_path);
	}
	assert_int_equal(bootplan_lookup(&p, "lifeboat/boot.ipxe", buf, sizeof buf, &f), 0);
	assert_null(f.host_path);
	assert_true(f.text_len > 10);
	assert_memory_equal(f.text, "#!ipxe", 6);
	/* root mode: no kernel files, no script */
	p.kernel = NULL;
	assert_int_equal(bootplan_lookup(&p, "lifeboat/boot.ipxe", buf, sizeof buf, &f), -ENOENT);
}

static void test_host_rules(void **state)
{
	(void)state;
	struct bootplan p;
	const char *err;
	kernel_plan(&p);
	assert_int_equal(bootplan_add_host(&p, "b8:27:eb:*=ignore", &err), 0);
	assert_int_equal(bootplan_add_host(&p, "52:54:00:*:*:*=special.0", &err), 0);
	assert_int_equal(bootplan_add_host(&p, "52-54-00-AA-BB-CC=efi64:uefi/only.efi", &err), 0);
	static const char *const bad[] = { "52:54:00=ignore", "zz:54:00:*=x", "52:54:00:12:34:56:78=x",
					   "52:54:00:*=", "=ignore", "52:54:00:*=mips:x", "52:54:00:*" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (bootplan_add_host(&p, bad[i], &err) != -EINVAL)
			fail_msg("accepted %s", bad[i]);

	struct {
		uint8_t mac[6];
		uint16_t arch;
		bool ipxe;
		int rc;
		const char *file;
	} cases[] = {
		{ { 0xb8, 0x27, 0xeb, 1, 2, 3 }, 0, false, -EPERM, NULL },
		{ { 0x52, 0x54, 0, 1, 2, 3 }, 0, false, 0, "special.0" },
		{ { 0x52, 0x54, 0, 1, 2, 3 }, 7, false, 0, "special.0" },
		/* exact rule wins over the wildcard; its arch filter then applies */
		{ { 0x52, 0x54, 0, 0xaa, 0xbb, 0xcc }, 7, false, 0, "uefi/only.efi" },
		{ { 0x52, 0x54, 0, 0xaa, 0xbb, 0xcc }, 0, false, 0, "lifeboat/ipxe/undionly.kpxe" },
		{ { 0x52, 0x54, 0, 0xaa, 0xbb, 0xcc }, 0, true, 0, "http://192.0.2.2/lifeboat/boot.ipxe" },
		{ { 0x02, 0, 0, 0, 0, 1 }, 0, false, 0, "lifeboat/ipxe/undionly.kpxe" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pxe_client c = client(cases[i].arch, cases[i].ipxe, false);
		struct boot_choice bc;
		memcpy(c.mac, cases[i].mac, 6);
		int r = bootplan_choose(&p, &c, ip, &bc);
		if (r != cases[i].rc || (r == 0 && strcmp(bc.file, cases[i].file)))
			fail_msg("case %zu: rc %d file %s (%s)", i, r, bc.file, bc.why);
	}
}

static int parse(struct serve_opts *o, int argc, const char **argv)
{
	FILE *devnull = fopen("/dev/null", "w");
	int r = serve_parse_args(argc, (char **)argv, o, devnull);
	fclose(devnull);
	return r;
}

static void test_serve_args(void **state)
{
	(void)state;
	static struct serve_opts o;
	const char *ok[] = { "serve", "/srv/boot", "-i", "eth0", "-i", "eth1", "--boot", "bios=pxelinux.0",
			     "--http-port", "8080", "--no-tftp", "--log-format", "json", "-v" };
	assert_int_equal(parse(&o, 14, ok), 0);
	assert_string_equal(o.root, "/srv/boot");
	assert_int_equal(o.n_ifaces, 2);
	assert_int_equal(o.plan.http_port, 8080);
	assert_false(o.plan.tftp);
	assert_true(o.plan.http);
	assert_int_equal(o.log_format, LOG_FMT_JSON);
	assert_string_equal(bootplan_file_for(&o.plan, "bios"), "pxelinux.0");

	const char *k[] = { "serve", "--kernel", "k", "--initrd", "a", "--initrd", "b", "--cmdline", "x y" };
	assert_int_equal(parse(&o, 9, k), 0);
	assert_int_equal(o.plan.n_initrd, 2);
	assert_string_equal(o.plan.cmdline, "x y");
	assert_null(o.root);

	/* every long option of the usage text is accepted */
	const char *all[] = { "serve", "--no-sandbox", "--tftp-single-port", "--pxelinux-config", "a.cfg", "--pxelinux-prefix", "p/",
			      "--dhcp-rate", "5", "--host", "02:00:00:00:00:01=ignore", "--user", "lb",
			      "--max-transfers", "7", "--tftp-port", "6969", "--dhcp-port", "6767",
			      "--binl-port", "4012", "--no-dhcp", "--no-http", "--ipxe-dir", "/x", "-q" };
	assert_int_equal(parse(&o, sizeof all / sizeof all[0], all), 0);
	assert_true(o.no_sandbox);
	assert_true(o.tftp_single_port);
	assert_string_equal(o.plan.pxelinux_config, "a.cfg");
	assert_string_equal(o.plan.pxelinux_prefix, "p/");
	assert_int_equal(o.dhcp_rate, 5);
	assert_int_equal(o.plan.n_hosts, 1);
	assert_string_equal(o.user, "lb");
	assert_int_equal(o.max_transfers, 7);
	assert_int_equal(o.tftp_port, 6969);
	assert_int_equal(o.dhcp_port, 6767);
	assert_int_equal(o.binl_port, 4012);
	assert_false(o.dhcp);
	assert_false(o.plan.http);
	assert_string_equal(o.plan.ipxe_dir, "/x");
	assert_int_equal(o.log_level, LOG_LVL_WARN);

	const char *bad[][4] = {
		{ "serve", "--http-port", "0", NULL },     { "serve", "--http-port", "65536", NULL },
		{ "serve", "--tftp-port", "x", NULL },     { "serve", "--initrd", "a", NULL },
		{ "serve", "--bogus", NULL, NULL },        { "serve", "a", "b", NULL },
		{ "serve", "--log-format", "xml", NULL },  { "serve", "--boot", "nope=1", NULL },
		{ "serve", "--max-transfers", "0", NULL }, { "serve", "--kernel", NULL, NULL },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int argc = 0;
		while (argc < 4 && bad[i][argc])
			argc++;
		if (parse(&o, argc, bad[i]) != -EINVAL)
			fail_msg("case %zu accepted", i);
	}
}

/* One case per strategy row of bootplan.c's table and per branch of the
 * one delivery tail: which row decided (boot_choice.rule), the file, and
 * why when nothing is served. */
struct row_case {
	const char *name;
	bool kernel, grub, http, tftp;
	const char *boot[3]; /* --boot specs */
	const char *host;    /* --host spec */
	uint16_t arch;
	bool ipxe, chttp;
	const char *ip; /* our address as URL host text; NULL = 192.0.2.2 */
	int rc;
	const char *file; /* rc 0 */
	const char *rule;
	const char *why; /* substring of bc.why */
};

static void row_plan(struct bootplan *p, const struct row_case *k)
{
	const char *err;
	kernel_plan(p);
	p->kernel = k->kernel ? p->kernel : NULL;
	p->grub = k->grub;
	p->grub_targets = k->grub ? 1u << GRUB_BIOS : 0;
	p->http = k->http;
	p->tftp = k->tftp;
	for (size_t i = 0; i < 3 && k->boot[i]; i++)
		assert_int_equal(bootplan_add_boot(p, k->boot[i], &err), 0);
	if (k->host)
		assert_int_equal(bootplan_add_host(p, k->host, &err), 0);
}

static void test_strategy_rows(void **state)
{
	(void)state;
	static const struct row_case cases[] = {
	    {"host: ignore", .http = 1, .tftp = 1, .host = "52:54:00:*=ignore", .rc = -EPERM,
	     .rule = "host", .why = "ignored"},
	    {"host: file over TFTP", .http = 1, .tftp = 1, .boot = {"bios=pxelinux.0"},
	     .host = "52:54:00:00:00:01=special.0", .rc = 0, .file = "special.0", .rule = "host",
	     .why = "host rule"},
	    {"host: URL to a TFTP-only client", .http = 1, .tftp = 1,
	     .host = "52:54:00:00:00:01=http://198.51.100.9/x", .rc = -ENOENT, .rule = "host",
	     .why = "TFTP only"},
	    {"host: other arch key passes on", .http = 1, .tftp = 1, .boot = {"bios=pxelinux.0"},
	     .host = "52:54:00:00:00:01=efi64:x.efi", .rc = 0, .file = "pxelinux.0",
	     .rule = "arch-file"},
	    {"host: HTTP sibling's key matches", .http = 1, .tftp = 1,
	     .host = "52:54:00:00:00:01=efi64:x.efi", .arch = 16, .chttp = 1, .rc = 0,
	     .file = "http://192.0.2.2/x.efi", .rule = "host"},
	    {"host: iPXE image to iPXE passes on", .kernel = 1, .http = 1, .tftp = 1,
	     .host = "52:54:00:00:00:01=undionly.kpxe", .ipxe = 1, .rc = 0,
	     .file = "http://192.0.2.2/lifeboat/boot.ipxe", .rule = "ipxe-script"},
	    {"ipxe-script: entry by URL", .http = 1, .tftp = 1, .boot = {"ipxe=s.ipxe"}, .ipxe = 1,
	     .rc = 0, .file = "http://192.0.2.2/s.ipxe", .rule = "ipxe-script", .why = "ipxe entry"},
	    {"ipxe-script: entry by path, HTTP off", .tftp = 1, .boot = {"ipxe=s.ipxe"}, .ipxe = 1,
	     .rc = 0, .file = "s.ipxe", .rule = "ipxe-script"},
	    {"ipxe-script: entry as a URL", .tftp = 1, .boot = {"ipxe=http://198.51.100.9/s"},
	     .ipxe = 1, .rc = 0, .file = "http://198.51.100.9/s", .rule = "ipxe-script"},
	    {"ipxe-script: kernel mode, HTTP off", .kernel = 1, .tftp = 1, .ipxe = 1, .rc = -ENOENT,
	     .rule = "ipxe-script", .why = "HTTP is disabled"},
	    {"ipxe-script: IPv6 host text", .kernel = 1, .http = 1, .tftp = 1, .ipxe = 1,
	     .ip = "[2001:db8::2]", .rc = 0, .file = "http://[2001:db8::2]/lifeboat/boot.ipxe",
	     .rule = "ipxe-script"},
	    {"arch-file: TFTP path", .http = 1, .tftp = 1, .boot = {"bios=pxelinux.0"}, .rc = 0,
	     .file = "pxelinux.0", .rule = "arch-file", .why = "arch entry"},
	    {"arch-file: HTTP sibling falls back", .http = 1, .tftp = 1, .boot = {"efi64=g.efi"},
	     .arch = 16, .chttp = 1, .rc = 0, .file = "http://192.0.2.2/g.efi", .rule = "arch-file"},
	    {"arch-file: HTTP client, HTTP off", .tftp = 1, .boot = {"efi64=g.efi"}, .arch = 16,
	     .chttp = 1, .rc = -ENOENT, .rule = "arch-file", .why = "HTTP boot client but HTTP"},
	    {"arch-file: TFTP off", .http = 1, .boot = {"bios=pxelinux.0"}, .rc = -ENOENT,
	     .rule = "arch-file", .why = "TFTP is disabled"},
	    {"arch-file: iPXE image to iPXE loops", .http = 1, .tftp = 1,
	     .boot = {"bios=undionly.kpxe"}, .ipxe = 1, .rc = -ELOOP, .rule = "arch-file",
	     .why = "already iPXE"},
	    {"arch-file: wins over kernel mode", .kernel = 1, .http = 1, .tftp = 1,
	     .boot = {"bios=pxelinux.0"}, .rc = 0, .file = "pxelinux.0", .rule = "arch-file"},
	    {"grub: core over TFTP", .grub = 1, .http = 1, .tftp = 1, .rc = 0,
	     .file = "lifeboat/grub/192.0.2.2/core.0", .rule = "grub", .why = "grub core"},
	    {"grub: TFTP off", .grub = 1, .http = 1, .rc = -ENOENT, .rule = "grub",
	     .why = "load GRUB over TFTP"},
	    {"grub: IPv6 goes on to kernel mode", .kernel = 1, .grub = 1, .http = 1, .tftp = 1,
	     .ip = "[2001:db8::2]", .rc = 0, .file = "lifeboat/ipxe/undionly.kpxe",
	     .rule = "kernel"},
	    {"kernel: chain-load iPXE", .kernel = 1, .http = 1, .tftp = 1, .rc = 0,
	     .file = "lifeboat/ipxe/undionly.kpxe", .rule = "kernel", .why = "chain-load iPXE"},
	    {"kernel: HTTP boot client by URL", .kernel = 1, .http = 1, .tftp = 1, .arch = 16,
	     .chttp = 1, .rc = 0, .file = "http://192.0.2.2/lifeboat/ipxe/snponly.efi",
	     .rule = "kernel"},
	    {"kernel: TFTP off", .kernel = 1, .http = 1, .rc = -ENOENT, .rule = "kernel",
	     .why = "load iPXE over TFTP"},
	    {"kernel: U-Boot, siaddr only", .kernel = 1, .http = 1, .tftp = 1, .arch = 22, .rc = 0,
	     .file = "", .rule = "kernel", .why = "pxe get"},
	    {"kernel: U-Boot, TFTP off", .kernel = 1, .http = 1, .arch = 22, .rc = -ENOENT,
	     .rule = "kernel", .why = "U-Boot loads the kernel"},
	    {"kernel: iPXE that GRUB would take, over IPv6", .kernel = 1, .tftp = 1, .ipxe = 1, .grub = 1,
	     .ip = "[2001:db8::2]", .rc = -ELOOP, .rule = "kernel", .why = "already iPXE"},
	    {"none: nothing configured", .http = 1, .tftp = 1, .rc = -ENOENT, .rule = NULL,
	     .why = "no boot file"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct row_case *k = &cases[i];
		struct bootplan p;
		struct boot_choice bc;
		row_plan(&p, k);
		struct pxe_client c = client(k->arch, k->ipxe, k->chttp);
		memcpy(c.mac, "\x52\x54\x00\x00\x00\x01", 6);
		int r = bootplan_choose_host(&p, &c, k->ip ? k->ip : "192.0.2.2", &bc);
		if (r != k->rc)
			fail_msg("%s: rc %d want %d (%s)", k->name, r, k->rc, bc.why);
		if (r == 0 && strcmp(bc.file, k->file))
			fail_msg("%s: file %s want %s", k->name, bc.file, k->file);
		if ((bc.rule == NULL) != (k->rule == NULL) ||
		    (k->rule && strcmp(bc.rule, k->rule)))
			fail_msg("%s: rule %s want %s", k->name, bc.rule ? bc.rule : "(none)",
				 k->rule ? k->rule : "(none)");
		if (k->why && !strstr(bc.why, k->why))
			fail_msg("%s: why '%s' want '%s'", k->name, bc.why, k->why);
	}

	/* the menu's 4011 answer goes through the same delivery */
	struct bootplan p;
	const char *err;
	struct boot_choice bc;
	kernel_plan(&p);
	p.kernel = NULL;
	assert_int_equal(bootplan_add_menu(&p, "Rescue=efi64:r.efi", &err), 0);
	struct pxe_client c = client(7, false, false);
	assert_int_equal(bootplan_choose_item(&p, &c, &p.menu[0], ip, &bc), 0);
	assert_string_equal(bc.file, "r.efi");
	assert_string_equal(bc.rule, "menu");
	assert_string_equal(bc.why, "menu item");
	p.tftp = false;
	assert_int_equal(bootplan_choose_item(&p, &c, &p.menu[0], ip, &bc), -ENOENT);
	assert_string_equal(bc.why, "TFTP is disabled");
}

/* --rescue: iPXE clients get a script named after the address they
 * reached, whose command line sends the rescue's reports back there; the
 * image and kernel resolve, other names do not; MAC=rescue rules limit it
 * to those machines. */
static void test_rescue_plan(void **state)
{
	(void)state;
	struct bootplan p;
	kernel_plan(&p);
	p.rescue = true;
	p.rescue_image = "/proc/self/fd/7";
	p.cmdline = "lifeboat.cmd=blkid";
	static const struct choose_case cases[] = {
		{ "BIOS PXE ROM chain-loads undionly", 0, false, false, 0, "lifeboat/ipxe/undionly.kpxe" },
		{ "iPXE gets the per-address script", 0, true, false, 0, "http://192.0.2.2/lifeboat/rescue/192.0.2.2/boot.ipxe" },
		{ "UEFI iPXE too", 7, true, false, 0, "http://192.0.2.2/lifeboat/rescue/192.0.2.2/boot.ipxe" },
	};
	run_cases(&p, cases, sizeof cases / sizeof cases[0]);
	struct pxe_client c = client(7, true, false);
	struct boot_choice bc;
	assert_int_equal(bootplan_choose_host(&p, &c, "[2001:db8::2]", &bc), 0);
	assert_string_equal(bc.file, "http://[2001:db8::2]/lifeboat/rescue/2001:db8::2/boot.ipxe");

	char buf[1024];
	struct bootplan_file f;
	memset(&f, 0, sizeof f);
	assert_int_equal(bootplan_lookup(&p, "lifeboat/rescue/192.0.2.2/boot.ipxe", buf, sizeof buf, &f), 0);
	assert_non_null(strstr(f.text, "kernel /lifeboat/kernel/vmlinuz-6.1 initrd=rescue.img "
				       "lifeboat.home=http://192.0.2.2:80 console=tty0 "
				       "console=ttyS0,115200 lifeboat.cmd=blkid\n"));
	assert_non_null(strstr(f.text, "\ninitrd /lifeboat/rescue.img\nboot\n"));
	memset(&f, 0, sizeof f);
	assert_int_equal(bootplan_lookup(&p, "lifeboat/rescue/2001:db8::2/boot.ipxe", buf, sizeof buf, &f), 0);
	assert_non_null(strstr(f.text, "lifeboat.home=http://[2001:db8::2]:80 "));
	static const char *const bad[] = {
		"lifeboat/rescue/not-an-address/boot.ipxe", "lifeboat/rescue//boot.ipxe",
		"lifeboat/rescue/192.0.2.2/other", "lifeboat/rescue/192.0.2.2\"/boot.ipxe",
		"lifeboat/boot.ipxe", "lifeboat/initrd/0/rescue.img",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (bootplan_lookup(&p, bad[i], buf, sizeof buf, &f) != -ENOENT)
			fail_msg("%s resolves", bad[i]);
	memset(&f, 0, sizeof f);
	assert_int_equal(bootplan_lookup(&p, "lifeboat/rescue.img", buf, sizeof buf, &f), 0);
	assert_string_equal(f.host_path, "/proc/self/fd/7");
	memset(&f, 0, sizeof f);
	assert_int_equal(bootplan_lookup(&p, "lifeboat/kernel/vmlinuz-6.1", buf, sizeof buf, &f), 0);
	assert_string_equal(f.host_path, "/srv/k/vmlinuz-6.1");
	assert_int_equal(bootplan_rescue_script(&p, "192.0.2.2", buf, 64), -ENOBUFS);
	assert_int_equal(bootplan_rescue_script(&p, "x", buf, sizeof buf), -EINVAL);

	/* MAC=rescue: only that machine */
	const char *err;
	assert_int_equal(bootplan_add_host(&p, "52:54:00:00:00:01=rescue", &err), 0);
	c = client(0, true, false);
	c.mac[0] = 0x52, c.mac[1] = 0x54, c.mac[5] = 1;
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), 0);
	c.mac[5] = 2;
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), -ENOENT);
	c.ipxe = false;
	assert_int_equal(bootplan_choose(&p, &c, ip, &bc), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_mode_choices),
		cmocka_unit_test(test_kernel_mode_missing_ipxe_and_uboot),
		cmocka_unit_test(test_uboot_pxelinux_cfg),
		cmocka_unit_test(test_root_mode_choices),
		cmocka_unit_test(test_add_boot_errors),
		cmocka_unit_test(test_script_and_lookup),
		cmocka_unit_test(test_serve_args),
		cmocka_unit_test(test_host_rules),
		cmocka_unit_test(test_strategy_rows),
		cmocka_unit_test(test_rescue_plan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
