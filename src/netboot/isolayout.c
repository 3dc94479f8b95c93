/* isolayout: the table of ISO layouts lifeboat boots over the network. */
#include "netboot/isolayout.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

/* Tried in order: the more specific row first (an installer before the
 * live image of the same family). Command lines: see doc/iso.md. */
static const struct isolayout isolayout_rows[] = {
    {"debian-live",
     "Debian live",
     {"live/filesystem.squashfs"},
     "live/vmlinuz|live/vmlinuz-*",
     {"live/initrd.img|live/initrd.img-*"},
     "boot=live components fetch={dir}/live/filesystem.squashfs"},
    {"debian-installer",
     "Debian installer",
     {"install.amd/vmlinuz"},
     "install.amd/vmlinuz",
     {"install.amd/initrd.gz"},
     ""},
    {"ubuntu-casper",
     "Ubuntu live (casper)",
     {"casper"},
     "casper/vmlinuz|casper/vmlinuz*",
     {"casper/initrd|casper/initrd.lz|casper/initrd.gz|casper/initrd*"},
     "boot=casper ip=dhcp url={iso} cloud-config-url=/dev/null"},
    {"redhat-installer",
     "Fedora/RHEL/Alma/Rocky installer",
     {"images/pxeboot/vmlinuz", "images/install.img"},
     "images/pxeboot/vmlinuz",
     {"images/pxeboot/initrd.img"},
     "inst.repo={dir} ip=dhcp"},
    {"redhat-live",
     "Fedora live",
     {"images/pxeboot/vmlinuz", "LiveOS/squashfs.img"},
     "images/pxeboot/vmlinuz",
     {"images/pxeboot/initrd.img"},
     "root=live:{dir}/LiveOS/squashfs.img rd.live.image ip=dhcp"},
    {"arch",
     "Arch Linux",
     {"arch/boot/x86_64/vmlinuz-linux"},
     "arch/boot/x86_64/vmlinuz-linux",
     {"?arch/boot/intel-ucode.img", "?arch/boot/amd-ucode.img",
      "arch/boot/x86_64/initramfs-linux.img"},
     "archisobasedir=arch archiso_http_srv={dir}/ ip=dhcp"},
    {"alpine",
     "Alpine Linux",
     {"boot/vmlinuz-lts", "boot/modloop-lts", "apks"},
     "boot/vmlinuz-lts",
     {"boot/initramfs-lts"},
     "ip=dhcp alpine_repo={dir}/apks modloop={dir}/boot/modloop-lts"},
    {"alpine-virt",
     "Alpine Linux (virt)",
     {"boot/vmlinuz-virt", "boot/modloop-virt", "apks"},
     "boot/vmlinuz-virt",
     {"boot/initramfs-virt"},
     "ip=dhcp alpine_repo={dir}/apks modloop={dir}/boot/modloop-virt"},
};

const struct isolayout *isolayout_table(size_t *n)
{
	*n = sizeof isolayout_rows / sizeof isolayout_rows[0];
	return isolayout_rows;
}

/* The first alternative of spec ('|'-separated) that exists. */
static int isolayout_pick(isolayout_find_fn find, void *arg, const char *spec, char *out,
			  size_t cap)
{
	char alt[ISOLAYOUT_PATH];
	if (*spec == '?')
		spec++;
	while (*spec) {
		const char *bar = strchr(spec, '|');
		size_t n = bar ? (size_t)(bar - spec) : strlen(spec);
		if (n < sizeof alt) {
			memcpy(alt, spec, n);
			alt[n] = 0;
			if (find(arg, alt, out, cap) == 1)
				return 1;
		}
		spec += n + (bar ? 1 : 0);
	}
	return 0;
}

/* Whether row l matches, filling *out. */
static int isolayout_try(const struct isolayout *l, isolayout_find_fn find, void *arg,
			 struct isolayout_found *out)
{
	char tmp[ISOLAYOUT_PATH];
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < 3 && l->need[i]; i++)
		if (find(arg, l->need[i], tmp, sizeof tmp) != 1)
			return 0;
	if (!isolayout_pick(find, arg, l->kernel, out->kernel, sizeof out->kernel))
		return 0;
	for (size_t i = 0; i < ISOLAYOUT_MAX_INITRD && l->initrd[i]; i++) {
		char *dst = out->initrd[out->n_initrd];
		if (isolayout_pick(find, arg, l->initrd[i], dst, ISOLAYOUT_PATH))
			out->n_initrd++;
		else if (l->initrd[i][0] != '?')
			return 0;
	}
	out->layout = l;
	return 1;
}

int isolayout_detect(isolayout_find_fn find, void *arg, struct isolayout_found *out)
{
	size_t n;
	const struct isolayout *t = isolayout_table(&n);
	for (size_t i = 0; i < n; i++)
		if (isolayout_try(&t[i], find, arg, out))
			return 1;
	memset(out, 0, sizeof *out);
	return 0;
}

int isolayout_known(char *buf, size_t cap)
{
	size_t n, o = 0;
	const struct isolayout *t = isolayout_table(&n);
	if (cap)
		buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = t[i].kernel;
		const char *bar = strchr(k, '|');
		int kl = bar ? (int)(bar - k) : (int)strlen(k);
		if (buf_appendf(buf, cap, &o, "%s%s (%.*s)", i ? ", " : "", t[i].name, kl, k))
			return -ENOBUFS;
	}
	return (int)o;
}

int isolayout_cmdline(const char *tmpl, const char *dir_url, const char *iso_url, char *buf,
		      size_t cap)
{
	size_t o = 0;
	if (!cap)
		return -ENOBUFS;
	buf[0] = 0;
	while (*tmpl) {
		const char *rep = NULL;
		size_t skip = 1;
		if (!strncmp(tmpl, "{dir}", 5))
			rep = dir_url, skip = 5;
		else if (!strncmp(tmpl, "{iso}", 5))
			rep = iso_url, skip = 5;
		int r = rep ? buf_appendf(buf, cap, &o, "%s", rep)
			    : buf_appendf(buf, cap, &o, "%c", *tmpl);
		if (r)
			return -ENOBUFS;
		tmpl += skip;
	}
	return (int)o;
}
