/* isolayout: each known layout recognised from a file list, with its
 * kernel, initrds and command line; unknown ISOs and near misses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "netboot/isolayout.h"

/* A fake ISO: NULL-terminated list of paths (directories too). */
static int fake_find(void *arg, const char *pat, char *out, size_t cap)
{
	const char *const *files = arg;
	size_t n = strlen(pat);
	bool prefix = n && pat[n - 1] == '*';
	for (size_t i = 0; files[i]; i++) {
		const char *f = files[i];
		if (prefix ? (!strncmp(f, pat, n - 1) && !strchr(f + n - 1, '/')) : !strcmp(f, pat)) {
			snprintf(out, cap, "%s", f);
			return 1;
		}
	}
	return 0;
}

#define F(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct vec {
	const char *what;
	const char *const *files;
	const char *layout; /* NULL: unknown */
	const char *kernel;
	const char *initrd[3];
} vecs[] = {
    {"debian live", F("live", "live/vmlinuz", "live/initrd.img", "live/filesystem.squashfs"),
     "debian-live", "live/vmlinuz", {"live/initrd.img"}},
    {"debian live, versioned names only",
     F("live/vmlinuz-6.1.0-18-amd64", "live/initrd.img-6.1.0-18-amd64", "live/filesystem.squashfs"),
     "debian-live", "live/vmlinuz-6.1.0-18-amd64", {"live/initrd.img-6.1.0-18-amd64"}},
    {"debian live without squashfs", F("live/vmlinuz", "live/initrd.img"), NULL, NULL, {NULL}},
    {"debian installer", F("install.amd/vmlinuz", "install.amd/initrd.gz", "pool"),
     "debian-installer", "install.amd/vmlinuz", {"install.amd/initrd.gz"}},
    {"ubuntu casper", F("casper", "casper/vmlinuz", "casper/initrd", "casper/filesystem.squashfs"),
     "ubuntu-casper", "casper/vmlinuz", {"casper/initrd"}},
    {"ubuntu casper, initrd.lz", F("casper", "casper/vmlinuz", "casper/initrd.lz"),
     "ubuntu-casper", "casper/vmlinuz", {"casper/initrd.lz"}},
    {"fedora installer",
     F("images/pxeboot/vmlinuz", "images/pxeboot/initrd.img", "images/install.img",
       "LiveOS/squashfs.img"),
     "redhat-installer", "images/pxeboot/vmlinuz", {"images/pxeboot/initrd.img"}},
    {"fedora live", F("images/pxeboot/vmlinuz", "images/pxeboot/initrd.img", "LiveOS/squashfs.img"),
     "redhat-live", "images/pxeboot/vmlinuz", {"images/pxeboot/initrd.img"}},
    {"fedora without initrd", F("images/pxeboot/vmlinuz", "images/install.img"), NULL, NULL,
     {NULL}},
    {"arch with microcode",
     F("arch/boot/x86_64/vmlinuz-linux", "arch/boot/x86_64/initramfs-linux.img",
       "arch/boot/intel-ucode.img", "arch/boot/amd-ucode.img"),
     "arch", "arch/boot/x86_64/vmlinuz-linux",
     {"arch/boot/intel-ucode.img", "arch/boot/amd-ucode.img", "arch/boot/x86_64/initramfs-linux.img"}},
    {"arch without microcode",
     F("arch/boot/x86_64/vmlinuz-linux", "arch/boot/x86_64/initramfs-linux.img"), "arch",
     "arch/boot/x86_64/vmlinuz-linux", {"arch/boot/x86_64/initramfs-linux.img"}},
    {"alpine lts",
     F("boot/vmlinuz-lts", "boot/initramfs-lts", "boot/modloop-lts", "apks"), "alpine",
     "boot/vmlinuz-lts", {"boot/initramfs-lts"}},
    {"alpine virt",
     F("boot/vmlinuz-virt", "boot/initramfs-virt", "boot/modloop-virt", "apks"), "alpine-virt",
     "boot/vmlinuz-virt", {"boot/initramfs-virt"}},
    {"alpine without apks", F("boot/vmlinuz-lts", "boot/initramfs-lts", "boot/modloop-lts"), NULL,
     NULL, {NULL}},
    {"windows", F("sources/boot.wim", "bootmgr", "efi"), NULL, NULL, {NULL}},
    {"empty", F("x"), NULL, NULL, {NULL}},
};

static void test_detect(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		const struct vec *v = &vecs[i];
		struct isolayout_found f;
		int r = isolayout_detect(fake_find, (void *)v->files, &f);
		if (!v->layout) {
			if (r != 0)
				fail_msg("%s: matched %s", v->what, f.layout->name);
			continue;
		}
		if (r != 1)
			fail_msg("%s: no match", v->what);
		assert_string_equal(f.layout->name, v->layout);
		assert_string_equal(f.kernel, v->kernel);
		size_t n = 0;
		while (n < 3 && v->initrd[n])
			n++;
		assert_int_equal(f.n_initrd, n);
		for (size_t k = 0; k < n; k++)
			assert_string_equal(f.initrd[k], v->initrd[k]);
	}
}

static void test_cmdline(void **state)
{
	(void)state;
	char buf[512];
	size_t n;
	const struct isolayout *t = isolayout_table(&n);
	const char *dir = "http://192.0.2.1/lifeboat/iso/x", *iso = "http://192.0.2.1/lifeboat/iso/x.iso";
	int r = isolayout_cmdline(t[0].cmdline, dir, iso, buf, sizeof buf);
	assert_int_equal(r, (int)strlen(buf));
	assert_string_equal(buf, "boot=live components fetch=http://192.0.2.1/lifeboat/iso/x/live/filesystem.squashfs");
	assert_true(isolayout_cmdline("url={iso} {dir}/apks {x}", dir, iso, buf, sizeof buf) > 0);
	assert_string_equal(buf, "url=http://192.0.2.1/lifeboat/iso/x.iso http://192.0.2.1/lifeboat/iso/x/apks {x}");
	assert_int_equal(isolayout_cmdline("url={iso}", dir, iso, buf, 10), -ENOBUFS);
	for (size_t i = 0; i < n; i++) /* every row fits a usual URL */
		assert_true(isolayout_cmdline(t[i].cmdline, dir, iso, buf, sizeof buf) >= 0);
}

static void test_known(void **state)
{
	(void)state;
	char buf[1024];
	assert_true(isolayout_known(buf, sizeof buf) > 0);
	assert_non_null(strstr(buf, "debian-live (live/vmlinuz)"));
	assert_non_null(strstr(buf, "alpine (boot/vmlinuz-lts)"));
	assert_int_equal(isolayout_known(buf, 20), -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_detect),
	    cmocka_unit_test(test_cmdline),
	    cmocka_unit_test(test_known),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
