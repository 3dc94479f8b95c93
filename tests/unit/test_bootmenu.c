/* bootmenu + netmenu: the menu scripts for BIOS iPXE, UEFI iPXE and GRUB;
 * --entry parsing (malformed vectors); netmenu serving an ISO built here
 * with xorriso (files at their offset, the whole image, the menu with a
 * --host pick); bootplan's boot menu row. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "netboot/bootmenu.h"
#include "netboot/bootplan.h"
#include "netboot/netmenu.h"
#include "netboot/serve_opts.h"

static const struct bootmenu_item items[] = {
    {"e0",
     "Debian live (x)",
     "/lifeboat/iso/x/live/vmlinuz",
     {"/lifeboat/iso/x/live/initrd.img"},
     1,
     "boot=live fetch=http://192.0.2.1/lifeboat/iso/x/live/filesystem.squashfs",
     NULL,
     NULL},
    {"e1",
     "Mine",
     "/lifeboat/entry/1/0/k",
     {"/lifeboat/entry/1/1/a", "/lifeboat/entry/1/2/b"},
     2,
     "console=ttyS0 x='y'",
     NULL,
     NULL},
};

static void test_ipxe_bios_efi(void **state)
{
	(void)state;
	char buf[8192];
	struct bootmenu m = {"192.0.2.1", NULL, 7, items, 2, -1};
	assert_true(bootmenu_ipxe(&m, BOOTMENU_BIOS, buf, sizeof buf) > 0);
	assert_non_null(strstr(buf, "#!ipxe\n"));
	assert_non_null(strstr(buf, "menu lifeboat boot menu (server 192.0.2.1)\n"));
	assert_non_null(strstr(buf, "${netX/mac}, firmware ${platform}"));
	assert_non_null(strstr(buf, "item local Boot from local disk (default in 7 s)\n"));
	assert_non_null(strstr(buf, "item e0 Debian live (x)\nitem e1 Mine\n"));
	assert_non_null(
	    strstr(buf, "choose --timeout 7000 --default local target || goto local\n"));
	assert_non_null(strstr(buf, ":local\n"));
	assert_non_null(strstr(buf, "sanboot --no-describe --drive 0x80"));
	assert_non_null(
	    strstr(buf, "kernel http://192.0.2.1/lifeboat/entry/1/0/k initrd=a initrd=b "
			"console=ttyS0 x='y'\ninitrd http://192.0.2.1/lifeboat/entry/1/1/a\n"
			"initrd http://192.0.2.1/lifeboat/entry/1/2/b\nboot || goto menu\n"));
	assert_null(strstr(buf, "goto e0\n:menu")); /* no pick: the menu first */
	assert_true(bootmenu_ipxe(&m, BOOTMENU_EFI, buf, sizeof buf) > 0);
	assert_null(strstr(buf, "sanboot"));
	assert_non_null(strstr(buf, ":local\necho lifeboat: booting from local disk\nexit 1\n"));
	m.pick = 1;
	assert_true(bootmenu_ipxe(&m, BOOTMENU_EFI, buf, sizeof buf) > 0);
	assert_non_null(strstr(buf, "goto e1\n:menu\n"));
	assert_int_equal(bootmenu_ipxe(&m, BOOTMENU_EFI, buf, 200), -ENOBUFS);
	assert_true(bootmenu_ipxe_dispatch(buf, sizeof buf) > 0);
	assert_non_null(strstr(buf, "chain ${platform}-${netX/mac:hexhyp}.ipxe\n"));
}

static void test_grub(void **state)
{
	(void)state;
	char buf[8192];
	struct bootmenu m = {"192.0.2.1", NULL, 5, items, 2, -1};
	struct bootmenu_pick picks[] = {{"52:54:00:12:34:56", 0}, {"52:54:00:12:34:57", 9}};
	assert_true(bootmenu_grub(&m, picks, 2, buf, sizeof buf) > 0);
	assert_non_null(strstr(buf, "set timeout=5\nset default=local\n"));
	assert_non_null(strstr(buf, "if [ \"$net_default_mac\" = \"52:54:00:12:34:56\" ]; then set "
				    "default=e0; set timeout=0; fi\n"));
	assert_null(strstr(buf, "34:57")); /* a pick of no item is dropped */
	assert_non_null(strstr(buf, "menuentry 'Boot from local disk' --id local {\n"));
	assert_non_null(
	    strstr(buf, "search --no-floppy --file --set=lb_esp /EFI/BOOT/BOOTX64.EFI"));
	assert_non_null(strstr(buf, "chainloader ($lb_esp)/EFI/BOOT/BOOTX64.EFI\n"));
	assert_non_null(strstr(buf, "chainloader +1"));
	assert_non_null(strstr(buf, "menuentry 'Mine' --id e1 {\n"));
	assert_non_null(strstr(buf, "linux /lifeboat/entry/1/0/k \"console=ttyS0\" \"x='y'\"\n"
				    "\tinitrd /lifeboat/entry/1/1/a /lifeboat/entry/1/2/b\n}\n"));
	assert_int_equal(bootmenu_grub(&m, picks, 2, buf, 100), -ENOBUFS);
	/* the server from GRUB's $prefix, expanded in the URLs only */
	const struct bootmenu_item gi[] = {
	    {"e0", "Live", "/k", {"/i"}, 1, "fetch=http://${lb_server}/x a=$HOME\"q", NULL, NULL}};
	struct bootmenu g = {BOOTMENU_GRUB_SERVER, NULL, 5, gi, 1, 0};
	assert_true(bootmenu_grub(&g, NULL, 0, buf, sizeof buf) > 0);
	assert_non_null(
	    strstr(buf, "regexp --set=2:lb_server '^\\((http|tftp),([^)]*)\\)' \"$prefix\"\n"));
	assert_non_null(strstr(buf, "set default=e0\nset timeout=0\n"));
	assert_non_null(
	    strstr(buf, "linux /k \"fetch=http://${lb_server}/x\" \"a=\\$HOME\\\"q\"\n"));

	/* the whole-ISO fallback: loopback over HTTP in GRUB, sanboot in iPXE */
	const struct bootmenu_item wi[] = {
	    {"e0", "Tool (whole ISO)", NULL, {NULL}, 0, "", NULL, "/lifeboat/iso/tool.iso"},
	    {"e1", "CD", NULL, {NULL}, 0, "", "/lifeboat/iso/cd.iso", NULL}};
	struct bootmenu w = {BOOTMENU_GRUB_SERVER, NULL, 5, wi, 2, 0};
	assert_true(bootmenu_grub(&w, NULL, 0, buf, sizeof buf) > 0);
	assert_non_null(strstr(buf, "set default=e0\nset timeout=0\n"));
	assert_non_null(strstr(
	    buf, "menuentry 'Tool (whole ISO)' --id e0 {\n"
		 "\techo 'lifeboat: booting the whole ISO (loopback over HTTP)'\n"
		 "\tinsmod http\n\tinsmod loopback\n\tinsmod iso9660\n\tinsmod udf\n"
		 "\tset iso_path='/lifeboat/iso/tool.iso'\n\texport iso_path\n"
		 "\tloopback lb_iso \"(http,${lb_server})${iso_path}\"\n\tset root=(lb_iso)\n"
		 "\tif [ -f /boot/grub/loopback.cfg ]; then\n"
		 "\t\tconfigfile /boot/grub/loopback.cfg\n\telse\n"));
	assert_null(strstr(buf, "--id e1")); /* sanboot only: not in GRUB */
	assert_int_equal(bootmenu_grub(&w, NULL, 0, buf, 700), -ENOBUFS);
	w.server = "192.0.2.1";
	assert_true(bootmenu_ipxe(&w, BOOTMENU_BIOS, buf, sizeof buf) > 0);
	assert_null(strstr(buf, "item e0")); /* loopback only: not in iPXE */
	assert_null(strstr(buf, "goto e0"));
	assert_non_null(strstr(buf, "item e1 CD\n"));
	assert_non_null(strstr(buf, "sanboot --no-describe http://192.0.2.1/lifeboat/iso/cd.iso"));
	w.pick = 1;
	assert_true(bootmenu_grub(&w, NULL, 0, buf, sizeof buf) > 0);
	assert_null(strstr(buf, "set default=e1")); /* a pick GRUB cannot boot: the menu */
}

static const struct entry_vec {
	const char *spec;
	int r;
	const char *label, *kernel, *initrd0, *cmdline;
	size_t n_initrd;
} entry_vecs[] = {
    {"Mine=kernel:/k,initrd:/a,initrd:/b,cmdline:console=ttyS0 a=b,c", 0, "Mine", "/k", "/a",
     "console=ttyS0 a=b,c", 2},
    {"Two words=kernel:/boot/vmlinuz", 0, "Two words", "/boot/vmlinuz", "", "", 0},
    {"X=cmdline:quiet,kernel:/k", -EINVAL, NULL, NULL, NULL, NULL, 0}, /* cmdline: is last */
    {"=kernel:/k", -EINVAL, NULL, NULL, NULL, NULL, 0},
    {"X", -EINVAL, NULL, NULL, NULL, NULL, 0},
    {"X=initrd:/a", -EINVAL, NULL, NULL, NULL, NULL, 0},
    {"X=kernel:/k,kernel:/j", -EINVAL, NULL, NULL, NULL, NULL, 0},
    {"X=kernel:/k,bogus:/j", -EINVAL, NULL, NULL, NULL, NULL, 0},
    {"X=kernel:/k,initrd:1,initrd:2,initrd:3,initrd:4,initrd:5", -EINVAL, NULL, NULL, NULL, NULL,
     0},
    {"X=kernel:", -EINVAL, NULL, NULL, NULL, NULL, 0},
};

static void test_parse_entry(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof entry_vecs / sizeof entry_vecs[0]; i++) {
		const struct entry_vec *v = &entry_vecs[i];
		struct netmenu_spec s;
		const char *why = NULL;
		int r = netmenu_parse_entry(v->spec, &s, &why);
		if (r != v->r)
			fail_msg("%s: %d", v->spec, r);
		if (r) {
			assert_non_null(why);
			continue;
		}
		assert_string_equal(s.label, v->label);
		assert_string_equal(s.kernel, v->kernel);
		assert_int_equal(s.n_initrd, v->n_initrd);
		if (v->n_initrd)
			assert_string_equal(s.initrd[0], v->initrd0);
		assert_string_equal(s.cmdline, v->cmdline);
	}
}

static void sh(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

/* netmenu over an ISO in the Alpine layout, built here. */
static void test_netmenu_iso(void **state)
{
	(void)state;
	char dir[] = "/tmp/lb-menu-XXXXXX", cmd[1024], iso[64], buf[64];
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof cmd,
		 "cd %s && mkdir -p t/boot t/apks && printf K > t/boot/vmlinuz-lts && printf I > "
		 "t/boot/initramfs-lts && printf M > t/boot/modloop-lts && xorriso -as mkisofs -R "
		 "-o 'alpine std.iso' t 2>/dev/null && mkdir bad && printf x > bad/README && "
		 "xorriso -as mkisofs -R -o bad.iso bad 2>/dev/null",
		 dir);
	sh(cmd);
	snprintf(iso, sizeof iso, "%s/alpine std.iso", dir);
	const char *isos[] = {iso};
	struct netmenu_config cfg = {
	    .isos = isos, .n_isos = 1, .timeout_s = 3, .iso_cmdline = "console=ttyS0"};
	struct netmenu m;
	assert_int_equal(netmenu_open(&m, &cfg), 0);
	assert_int_equal(m.n_isos, 1);
	assert_string_equal(m.isos[0].name, "alpine_std");
	struct bootplan p;
	const char *why;
	memset(&p, 0, sizeof p);
	assert_int_equal(bootplan_add_host(&p, "52:54:00:12:34:56=entry:alpine_std", &why), 0);

	struct bootfile f;
	memset(&f, 0, sizeof f);
	assert_int_equal(netmenu_resolve(&m, &p, "lifeboat/iso/alpine_std/boot/modloop-lts", &f),
			 1);
	assert_true(f.has_fd && !f.give_fd && f.len == 1 && f.base % 2048 == 0 && f.base > 0);
	assert_int_equal(pread(f.fd, buf, 1, (off_t)f.base), 1);
	assert_int_equal(buf[0], 'M');
	memset(&f, 0, sizeof f);
	assert_int_equal(netmenu_resolve(&m, &p, "lifeboat/iso/alpine_std.iso", &f), 1);
	assert_int_equal(f.base, 0);
	assert_int_equal(f.len, m.isos[0].img.size);
	assert_int_equal(netmenu_resolve(&m, &p, "lifeboat/iso/alpine_std/boot", &f), -EISDIR);
	assert_int_equal(netmenu_resolve(&m, &p, "lifeboat/iso/alpine_std/nope", &f), -ENOENT);
	assert_int_equal(netmenu_resolve(&m, &p, "lifeboat/iso/other/boot/x", &f), -ENOENT);
	assert_int_equal(netmenu_resolve(&m, &p, "lifeboat/boot.ipxe", &f), 0); /* plan's */
	assert_int_equal(netmenu_resolve(&m, &p, "pxelinux.0", &f), 0);
	assert_int_equal(netmenu_resolve(&m, &p, "lifeboat/menu/evil host/menu.ipxe", &f), -ENOENT);
	memset(&f, 0, sizeof f);
	assert_int_equal(netmenu_resolve(&m, &p, "lifeboat/menu/[2001:db8::2]/menu.ipxe", &f), 1);
	f.release(f.cookie);

	memset(&f, 0, sizeof f);
	assert_int_equal(
	    netmenu_resolve(&m, &p, "lifeboat/menu/192.0.2.1:8080/efi-52-54-00-12-34-56.ipxe", &f),
	    1);
	char *text = strndup(f.data, f.len);
	f.release(f.cookie);
	assert_non_null(strstr(text, "goto e0\n")); /* picked by the --host rule */
	assert_non_null(strstr(text,
			       "kernel http://192.0.2.1:8080/lifeboat/iso/alpine_std/boot/"
			       "vmlinuz-lts initrd=initramfs-lts ip=dhcp "
			       "alpine_repo=http://192.0.2.1:8080/lifeboat/iso/alpine_std/apks "
			       "modloop=http://192.0.2.1:8080/lifeboat/iso/alpine_std/boot/"
			       "modloop-lts console=ttyS0\n"));
	free(text);
	memset(&f, 0, sizeof f);
	assert_int_equal(
	    netmenu_resolve(&m, &p, "lifeboat/menu/192.0.2.1/pcbios-52-54-00-12-34-57.ipxe", &f),
	    1);
	text = strndup(f.data, f.len);
	f.release(f.cookie);
	assert_null(strstr(text, "goto e0\n:menu")); /* another machine: the menu */
	assert_non_null(strstr(text, "sanboot"));
	free(text);
	assert_int_equal(
	    netmenu_resolve(&m, &p, "lifeboat/menu/192.0.2.1/arm-52-54-00-12-34-57.ipxe", &f),
	    -ENOENT);
	/* --grub: the per-MAC grub.cfg that grub_cfg_root's configfile names */
	p.grub = true;
	memset(&f, 0, sizeof f);
	assert_int_equal(netmenu_resolve(&m, &p, "lifeboat/grub/cfg/01-52-54-00-12-34-56", &f), 1);
	text = strndup(f.data, f.len);
	f.release(f.cookie);
	assert_non_null(strstr(text, "set default=e0\nset timeout=0\n"));
	assert_non_null(strstr(text,
			       "linux /lifeboat/iso/alpine_std/boot/vmlinuz-lts \"ip=dhcp\" "
			       "\"alpine_repo=http://${lb_server}/lifeboat/iso/alpine_std/apks\""));
	assert_non_null(strstr(text, "\tinitrd /lifeboat/iso/alpine_std/boot/initramfs-lts\n"));
	free(text);
	netmenu_close(&m);

	/* an ISO of no known layout: an error (--iso), skipped (--iso-dir) */
	snprintf(iso, sizeof iso, "%s/bad.iso", dir);
	assert_int_equal(netmenu_open(&m, &cfg), -ENOENT);
	const char *dirs[] = {dir};
	struct netmenu_config dc = {.iso_dirs = dirs, .n_iso_dirs = 1};
	assert_int_equal(netmenu_open(&m, &dc), 0);
	assert_int_equal(m.n_isos, 1); /* the Alpine one */
	netmenu_close(&m);

	/* no known layout but El Torito bootable: the whole image, sanboot */
	snprintf(
	    cmd, sizeof cmd,
	    "cd %s && mkdir et && printf x > et/README && head -c 2048 /dev/zero > et/boot.img "
	    "&& xorriso -as mkisofs -R -b boot.img -no-emul-boot -boot-load-size 4 -o et.iso "
	    "et 2>/dev/null",
	    dir);
	sh(cmd);
	snprintf(iso, sizeof iso, "%s/et.iso", dir);
	assert_int_equal(netmenu_open(&m, &cfg), 0);
	assert_true(m.isos[0].img.el_torito);
	assert_string_equal(m.items[0].label, "et (whole ISO, sanboot)");
	memset(&f, 0, sizeof f);
	assert_int_equal(
	    netmenu_resolve(&m, &p, "lifeboat/menu/192.0.2.1/pcbios-52-54-00-12-34-57.ipxe", &f),
	    1);
	text = strndup(f.data, f.len);
	f.release(f.cookie);
	assert_non_null(strstr(text,
			       ":e0\necho lifeboat: booting et (whole ISO, sanboot)\n"
			       "sanboot --no-describe http://192.0.2.1/lifeboat/iso/et.iso || "
			       "goto menu\n"));
	free(text);
	memset(&f, 0, sizeof f);
	assert_int_equal(netmenu_resolve(&m, &p, "lifeboat/grub/cfg/01-52-54-00-12-34-57", &f), 1);
	text = strndup(f.data, f.len);
	f.release(f.cookie);
	assert_null(strstr(text, "--id e0")); /* not in GRUB menus */
	free(text);
	netmenu_close(&m);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	sh(cmd);
}

/* The menu text netmenu serves for name (NULL when it serves none). */
static char *menu_text(const struct netmenu *m, const struct bootplan *p, const char *name)
{
	struct bootfile f;
	memset(&f, 0, sizeof f);
	if (netmenu_resolve(m, p, name, &f) != 1)
		return NULL;
	char *t = strndup(f.data, f.len);
	f.release(f.cookie);
	return t;
}

/* The lifeboat rescue entry: its files, lifeboat.home, hidden while its
 * image is built, picked by entry:rescue and MAC=rescue; an ISO of no known
 * layout with /boot/grub/loopback.cfg: a GRUB whole-ISO entry only. */
static void test_netmenu_rescue_loopback(void **state)
{
	(void)state;
	char dir[] = "/tmp/lb-menu-XXXXXX", cmd[1024], k[64], img[64], iso[64];
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof cmd,
		 "cd %s && printf KERNEL > vmlinuz-6.1 && printf IMAGE > r.img && mkdir -p "
		 "t/boot/grub && printf 'linux /k' > t/boot/grub/loopback.cfg && xorriso -as "
		 "mkisofs -R -o tool.iso t 2>/dev/null",
		 dir);
	sh(cmd);
	snprintf(k, sizeof k, "%s/vmlinuz-6.1", dir);
	snprintf(img, sizeof img, "%s/r.img", dir);
	snprintf(iso, sizeof iso, "%s/tool.iso", dir);
	const char *isos[] = {iso};
	struct netmenu_config cfg = {.isos = isos,
				     .n_isos = 1,
				     .timeout_s = 3,
				     .rescue_kernel = k,
				     .rescue_file = img,
				     .rescue_cmdline = "lifeboat.cmd=blkid"};
	struct netmenu m;
	struct bootplan p;
	const char *why;
	memset(&p, 0, sizeof p);
	assert_int_equal(bootplan_add_host(&p, "52:54:00:12:34:56=entry:rescue", &why), 0);
	assert_int_equal(bootplan_add_host(&p, "52:54:00:12:34:58=entry:tool", &why), 0);
	assert_int_equal(netmenu_open(&m, &cfg), 0);
	assert_int_equal(m.n_items, 2);
	assert_string_equal(m.items[0].id, NETMENU_RESCUE_ID);
	assert_string_equal(m.items[0].label, "lifeboat rescue (r.img)");
	assert_string_equal(m.items[1].label, "tool (whole ISO, loopback.cfg)");
	char *t = menu_text(&m, &p, "lifeboat/menu/192.0.2.1/pcbios-52-54-00-12-34-56.ipxe");
	assert_non_null(t);
	assert_non_null(strstr(t, "goto rescue\n"));
	assert_non_null(strstr(t, "kernel http://192.0.2.1/lifeboat/entry/0/0/vmlinuz-6.1 "
				  "initrd=rescue.img lifeboat.home=http://192.0.2.1 console=tty0 "
				  "console=ttyS0,115200 lifeboat.cmd=blkid\n"
				  "initrd http://192.0.2.1/lifeboat/entry/0/1/rescue.img\n"));
	assert_null(strstr(t, "item e1")); /* loopback.cfg only: GRUB's */
	free(t);
	struct bootfile f;
	char buf[16] = "";
	memset(&f, 0, sizeof f);
	assert_int_equal(netmenu_resolve(&m, &p, "lifeboat/entry/0/1/rescue.img", &f), 1);
	assert_int_equal(f.len, 5);
	assert_int_equal(pread(f.fd, buf, 5, 0), 5);
	assert_string_equal(buf, "IMAGE");
	p.grub = true;
	t = menu_text(&m, &p, "lifeboat/grub/cfg/01-52-54-00-12-34-58");
	assert_non_null(t);
	assert_non_null(strstr(t, "set default=e1\nset timeout=0\n"));
	assert_non_null(strstr(t, "set iso_path='/lifeboat/iso/tool.iso'\n"));
	assert_non_null(strstr(t, "\"lifeboat.home=http://${lb_server}\""));
	free(t);
	p.grub = false;
	netmenu_close(&m);

	/* built in the background: hidden (and not served) until ready */
	cfg.rescue_file = NULL;
	cfg.n_isos = 0;
	assert_int_equal(netmenu_open(&m, &cfg), 0);
	t = menu_text(&m, &p, "lifeboat/menu/192.0.2.1/efi-52-54-00-12-34-56.ipxe");
	assert_null(strstr(t, "rescue"));
	free(t);
	assert_int_equal(netmenu_resolve(&m, &p, "lifeboat/entry/0/1/rescue.img", &f), -ENOENT);
	netmenu_rescue_ready(&m, -1, 0); /* failed: stays hidden */
	t = menu_text(&m, &p, "lifeboat/menu/192.0.2.1/efi-52-54-00-12-34-56.ipxe");
	assert_null(strstr(t, "rescue"));
	free(t);
	netmenu_rescue_ready(&m, open(img, O_RDONLY), 5);
	memset(&p, 0, sizeof p);
	p.rescue = true; /* MAC=rescue is parsed only with --rescue */
	assert_int_equal(bootplan_add_host(&p, "52:54:00:12:34:57=rescue", &why), 0);
	t = menu_text(&m, &p, "lifeboat/menu/192.0.2.1/efi-52-54-00-12-34-57.ipxe");
	assert_non_null(strstr(t, "goto rescue\n"));
	free(t);
	memset(&f, 0, sizeof f);
	assert_int_equal(netmenu_resolve(&m, &p, "lifeboat/entry/0/1/rescue.img", &f), 1);
	assert_int_equal(f.len, 5);
	netmenu_close(&m);

	/* a kernel that is not there: an error */
	snprintf(k, sizeof k, "%s/nope", dir);
	assert_int_equal(netmenu_open(&m, &cfg), -ENOENT);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	sh(cmd);
}

/* bootplan: in boot menu mode a PXE client chain-loads iPXE, an iPXE
 * client gets the menu script with our address in its path. */
static void test_bootplan_menu_rows(void **state)
{
	(void)state;
	struct bootplan p;
	struct boot_choice out;
	const char *why;
	memset(&p, 0, sizeof p);
	p.netmenu = p.http = p.tftp = true;
	p.http_port = 80;
	p.ipxe_dir = "/usr/lib/ipxe";
	assert_int_equal(bootplan_add_host(&p, "52:54:00:12:34:56=entry:Debian live (x)", &why), 0);
	assert_int_equal(bootplan_add_host(&p, "52:54:00:12:34:56=entry:", &why), -EINVAL);
	size_t n;
	const struct pxe_arch *t = pxe_arch_table(&n);
	const struct pxe_arch *bios = NULL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].key, "bios"))
			bios = &t[i];
	assert_non_null(bios);
	struct pxe_client c = {.ai = bios, .mac = {0x52, 0x54, 0, 0x12, 0x34, 0x56}};
	const uint8_t ip[4] = {192, 0, 2, 1};
	assert_int_equal(bootplan_choose(&p, &c, ip, &out), 0);
	assert_string_equal(out.file, "lifeboat/ipxe/undionly.kpxe");
	c.ipxe = true;
	assert_int_equal(bootplan_choose(&p, &c, ip, &out), 0);
	assert_string_equal(out.file, "http://192.0.2.1/lifeboat/menu/192.0.2.1/menu.ipxe");
	p.http_port = 8080;
	assert_int_equal(bootplan_choose(&p, &c, ip, &out), 0);
	assert_string_equal(out.file,
			    "http://192.0.2.1:8080/lifeboat/menu/192.0.2.1:8080/menu.ipxe");
	/* DHCPv6: the address as a URL host */
	assert_int_equal(bootplan_choose_host(&p, &c, "[2001:db8::2]", &out), 0);
	assert_string_equal(out.file,
			    "http://[2001:db8::2]:8080/lifeboat/menu/[2001:db8::2]:8080/menu.ipxe");
}

/* The boot menu's options from a --config file: one line per --iso,
 * --iso-dir and --entry, the command line's after the file's. */
static void test_config_file(void **state)
{
	(void)state;
	char path[] = "/tmp/lbmenucfgXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text =
	    "iso /srv/a.iso\niso-dir /srv/isos\n"
	    "entry Rescue kernel=kernel:/k,initrd:/i,cmdline:console=ttyS0 x=1,2\n"
	    "boot-menu-timeout 5\nno-auto-entries\nhost 52:54:00:12:34:56=entry:Rescue "
	    "kernel\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct serve_opts *o = calloc(1, sizeof *o);
	FILE *devnull = fopen("/dev/null", "w");
	const char *argv[] = {"serve", "--config", path, "--iso", "/srv/b.iso"};
	assert_int_equal(serve_load_opts(5, (char **)argv, o, devnull), 0);
	assert_int_equal(o->n_isos, 2);
	assert_string_equal(o->isos[0], "/srv/a.iso");
	assert_string_equal(o->isos[1], "/srv/b.iso");
	assert_int_equal(o->n_iso_dirs, 1);
	assert_int_equal(o->n_entries, 1);
	assert_int_equal(o->boot_menu_timeout, 5);
	assert_true(o->no_auto_entries);
	struct netmenu_spec sp;
	const char *why;
	assert_int_equal(netmenu_parse_entry(o->entries[0], &sp, &why), 0);
	assert_string_equal(sp.label, "Rescue kernel");
	assert_string_equal(sp.cmdline, "console=ttyS0 x=1,2");
	assert_string_equal(o->plan.hosts[0].file, "entry:Rescue kernel");
	serve_opts_free(o);
	fclose(devnull);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipxe_bios_efi),
	    cmocka_unit_test(test_grub),
	    cmocka_unit_test(test_parse_entry),
	    cmocka_unit_test(test_netmenu_iso),
	    cmocka_unit_test(test_bootplan_menu_rows),
	    cmocka_unit_test(test_config_file),
	    cmocka_unit_test(test_netmenu_rescue_loopback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
