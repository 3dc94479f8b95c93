/* grub: the pure part of --grub: targets, grub-mkimage's argv, the names
 * GRUB asks for, and the grub.cfg written for kernel mode. */
#include "core/buf.h"
#include "netboot/grub.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Built in: what a core needs to reach its prefix over the network and run
 * a config; everything else GRUB loads from the prefix on demand
 * (command.lst). grub-mkimage adds their dependencies (moddep.lst). */
static const char *const grub_mods_bios[] = {"pxe",	   "tftp", "http", "net",    "normal",
					     "linux",	   "boot", "echo", "serial", "terminal",
					     "configfile", "test", NULL};
static const char *const grub_mods_efi64[] = {"efinet",	    "tftp", "http", "net",    "normal",
					      "linux",	    "boot", "echo", "serial", "terminal",
					      "configfile", "test", NULL};

static const struct grub_target_info grub_targets[GRUB_N_TARGETS] = {
    [GRUB_BIOS] = {"i386-pc", "i386-pc-pxe", "core.0", "grub-pc-bin", grub_mods_bios, "bios"},
    [GRUB_EFI64] = {"x86_64-efi", "x86_64-efi", "core.efi", "grub-efi-amd64-bin", grub_mods_efi64,
		    "efi64"},
    /* the EFI module set is the same on arm64 (efinet, ...) */
    [GRUB_ARM64] = {"arm64-efi", "arm64-efi", "coreaa64.efi", "grub-efi-arm64-bin", grub_mods_efi64,
		    "arm64"},
};

const struct grub_target_info *grub_target_info(enum grub_target t)
{
	return (unsigned)t < GRUB_N_TARGETS ? &grub_targets[t] : NULL;
}

int grub_target_for_key(const char *key)
{
	if (!key)
		return -1;
	if (!strcmp(key, "bios"))
		return GRUB_BIOS;
	if (!strcmp(key, "efi64"))
		return GRUB_EFI64;
	if (!strcmp(key, "arm64"))
		return GRUB_ARM64;
	return -1;
}

int grub_host_target(const char *machine)
{
	if (machine && (!strcmp(machine, "aarch64") || !strcmp(machine, "arm64")))
		return GRUB_ARM64;
	return -1;
}

unsigned grub_auto_targets(const struct grub_auto_facts *f)
{
	int t = grub_host_target(f->machine);
	if (t < 0 || !f->kernel_mode || f->grub_opt || !f->http || !f->mkimage)
		return 0;
	unsigned bit = 1u << t;
	return (f->trees & bit) && !(f->ipxe & bit) ? bit : 0;
}

int grub_prefix(char *buf, size_t cap, const uint8_t ip[4], bool use_http, uint16_t port)
{
	char portbuf[8] = "";
	if (use_http && port != 80)
		snprintf(portbuf, sizeof portbuf, ":%u", port);
	int n = snprintf(buf, cap, "(%s,%u.%u.%u.%u%s)/" GRUB_PREFIX_PATH,
			 use_http ? "http" : "tftp", ip[0], ip[1], ip[2], ip[3], portbuf);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : n;
}

int grub_core_name(char *buf, size_t cap, enum grub_target t, const uint8_t ip[4])
{
	const struct grub_target_info *ti = grub_target_info(t);
	if (!ti)
		return -ENAMETOOLONG;
	int n = snprintf(buf, cap, GRUB_CORE_DIR "%u.%u.%u.%u/%s", ip[0], ip[1], ip[2], ip[3],
			 ti->image);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : n;
}

int grub_mkimage_argv(const char *mkimage, const char *grub_dir, enum grub_target t,
		      const char *prefix, const char *out, char *dirbuf, size_t dircap,
		      const char **argv, size_t max)
{
	const struct grub_target_info *ti = grub_target_info(t);
	size_t n = 0;
	if (!ti || max < 10)
		return -E2BIG;
	int k = snprintf(dirbuf, dircap, "%s/%s", grub_dir, ti->platform);
	if (k < 0 || (size_t)k >= dircap)
		return -ENAMETOOLONG;
	const char *fixed[] = {mkimage, "-d", dirbuf, "-O", ti->format, "-o", out, "-p", prefix};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		argv[n++] = fixed[i];
	for (const char *const *m = ti->modules; *m; m++) {
		if (n + 2 > max)
			return -E2BIG;
		argv[n++] = *m;
	}
	argv[n] = NULL;
	return (int)n;
}

/* A dotted quad as grub_core_name writes it. 0 or -EINVAL. */
static int parse_ip4(const char *s, size_t len, uint8_t ip[4])
{
	unsigned part = 0, v = 0, digits = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (digits == 0 || v > 255 || part > 3)
				return -EINVAL;
			ip[part++] = (uint8_t)v;
			v = digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9' && digits < 3 && !(digits == 1 && v == 0)) {
			/* canonical only ("02" refused): one name per core image */
			v = v * 10 + (unsigned)(s[i] - '0');
			digits++;
		} else {
			return -EINVAL;
		}
	}
	return part == 4 ? 0 : -EINVAL;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* "01-aa-bb-cc-dd-ee-ff" as GRUB names an Ethernet client. */
static bool parse_mac01(const char *s, uint8_t mac[6])
{
	if (strncmp(s, "01-", 3) || strlen(s) != 3 + 17)
		return false;
	s += 3;
	for (int i = 0; i < 6; i++, s += 3) {
		int hi = hexval(s[0]), lo = hexval(s[1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[2] != '-'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

int grub_parse_name(const char *clean, struct grub_name *out)
{
	static const char core[] = GRUB_CORE_DIR;
	static const char pfx[] = GRUB_PREFIX_PATH "/";
	static const char ccfg[] = GRUB_CORE_DIR "cfg/";
	memset(out, 0, sizeof *out);
	out->kind = GRUB_NAME_NONE;
	if (!strncmp(clean, ccfg, sizeof ccfg - 1)) {
		/* a GRUB without a MAC asks for "01------": search by IP alone */
		out->kind = GRUB_NAME_CLIENT_CFG;
		out->has_mac = parse_mac01(clean + sizeof ccfg - 1, out->mac);
		return 0;
	}
	/* shim asks for grubx64.efi in the directory of the BOOTP file field;
	 * a DHCP server that names shim in option 67 only (dnsmasq) leaves
	 * that empty, and shim asks for "grubx64.efi" at the top */
	if (!strcmp(clean, GRUB_SHIM_NAME) || !strcmp(clean, GRUB_SIGNED_NAME) ||
	    !strcmp(clean, "grubx64.efi")) {
		out->kind = strcmp(clean, GRUB_SHIM_NAME) ? GRUB_NAME_SIGNED : GRUB_NAME_SHIM;
		out->target = GRUB_EFI64;
		return 0;
	}
	if (!strncmp(clean, core, sizeof core - 1)) {
		const char *ipstr = clean + sizeof core - 1;
		const char *slash = strchr(ipstr, '/');
		if (!slash || parse_ip4(ipstr, (size_t)(slash - ipstr), out->ip))
			return -ENOENT;
		for (int t = 0; t < GRUB_N_TARGETS; t++) {
			if (!strcmp(slash + 1, grub_targets[t].image)) {
				out->kind = GRUB_NAME_CORE;
				out->target = (enum grub_target)t;
				return 0;
			}
		}
		return -ENOENT;
	}
	if (strncmp(clean, pfx, sizeof pfx - 1))
		return 0;
	const char *rest = clean + sizeof pfx - 1;
	if (!strcmp(rest, "grub.cfg")) {
		out->kind = GRUB_NAME_CFG;
		return 0;
	}
	for (int t = 0; t < GRUB_N_TARGETS; t++) {
		size_t pl = strlen(grub_targets[t].platform);
		if (!strncmp(rest, grub_targets[t].platform, pl) && rest[pl] == '/' &&
		    rest[pl + 1]) {
			out->kind = GRUB_NAME_MODULE;
			out->target = (enum grub_target)t;
			out->rel = rest + pl + 1;
			return 0;
		}
	}
	return 0;
}

static const char *grub_base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Appends s single-quoted for GRUB's shell: a quote inside becomes '\''. */
static int put_quoted(char *buf, size_t cap, size_t *o, const char *s, size_t len)
{
	if (*o + 2 >= cap)
		return -ENOBUFS;
	buf[(*o)++] = '\'';
	for (size_t i = 0; i < len; i++) {
		const char *piece = s[i] == '\'' ? "'\\''" : NULL;
		size_t pn = piece ? 4 : 1;
		if (*o + pn + 2 >= cap)
			return -ENOBUFS;
		if (piece)
			memcpy(buf + *o, piece, pn);
		else
			buf[*o] = s[i];
		*o += pn;
	}
	buf[(*o)++] = '\'';
	buf[*o] = 0;
	return 0;
}

int grub_cfg_kernel(char *buf, size_t cap, const char *kernel, const char *const *initrd,
		    size_t n_initrd, const char *cmdline)
{
	size_t o = 0;
	int n;
	char path[600];
	if (!kernel || cap == 0)
		return -ENOBUFS;
	if (buf_appendf(buf, cap, &o, "# generated by lifeboat serve --grub\n") ||
	    buf_appendf(buf, cap, &o, "echo "))
		return -ENOBUFS;
	/* a long name is cut in the message only */
	snprintf(path, sizeof path, "lifeboat: booting %s", grub_base(kernel));
	if (put_quoted(buf, cap, &o, path, strlen(path)))
		return -ENOBUFS;
	/* The prefix names the device ($root is set from it), so absolute
	 * paths come from the same server and port GRUB's modules came from. */
	if (buf_appendf(buf, cap, &o, "\nlinux "))
		return -ENOBUFS;
	n = snprintf(path, sizeof path, "/lifeboat/kernel/%s", grub_base(kernel));
	if (n < 0 || (size_t)n >= sizeof path || put_quoted(buf, cap, &o, path, strlen(path)))
		return -ENOBUFS;
	/* GRUB hands the words to the kernel joined by spaces: one quoted
	 * word per command-line word keeps '$', ';' and quotes literal. */
	for (const char *c = cmdline ? cmdline : ""; *c;) {
		while (*c == ' ' || *c == '\t')
			c++;
		size_t wl = strcspn(c, " \t");
		if (!wl)
			break;
		if (buf_appendf(buf, cap, &o, " ") || put_quoted(buf, cap, &o, c, wl))
			return -ENOBUFS;
		c += wl;
	}
	if (buf_appendf(buf, cap, &o, "\n"))
		return -ENOBUFS;
	if (n_initrd) {
		if (buf_appendf(buf, cap, &o, "initrd"))
			return -ENOBUFS;
		for (size_t i = 0; i < n_initrd; i++) {
			n = snprintf(path, sizeof path, "/lifeboat/initrd/%zu/%s", i,
				     grub_base(initrd[i]));
			if (n < 0 || (size_t)n >= sizeof path || buf_appendf(buf, cap, &o, " ") ||
			    put_quoted(buf, cap, &o, path, strlen(path)))
				return -ENOBUFS;
		}
		if (buf_appendf(buf, cap, &o, "\n"))
			return -ENOBUFS;
	}
	if (buf_appendf(buf, cap, &o, "boot\n"))
		return -ENOBUFS;
	return (int)o;
}

int grub_cfg_root(char *buf, size_t cap)
{
	/* net_default_mac is "52:54:00:12:34:56": regexp splits it, and the
	 * name carries it with dashes, as GRUB's own search writes it. */
	int n = snprintf(
	    buf, cap,
	    "# generated by lifeboat serve --grub: GRUB searches grub.cfg-01-<mac>,\n"
	    "# grub.cfg-<HEX IP> and grub.cfg itself only over TFTP; lifeboat does it\n"
	    "# in ROOT/grub/ for this client\n"
	    "regexp --set=1:lb_1 --set=2:lb_2 --set=3:lb_3 --set=4:lb_4 --set=5:lb_5 "
	    "--set=6:lb_6 '^([0-9a-f]+):([0-9a-f]+):([0-9a-f]+):([0-9a-f]+):([0-9a-f]+):"
	    "([0-9a-f]+)$' \"$net_default_mac\"\n"
	    "configfile \"/" GRUB_CORE_DIR "cfg/01-$lb_1-$lb_2-$lb_3-$lb_4-$lb_5-$lb_6\"\n");
	return n < 0 || (size_t)n >= cap ? -ENOBUFS : n;
}

size_t grub_cfg_search(const uint8_t *mac, const uint8_t *ip, char names[][GRUB_SEARCH_NAME],
		       size_t max)
{
	size_t n = 0;
	if (mac && n < max)
		snprintf(names[n++], GRUB_SEARCH_NAME,
			 GRUB_PREFIX_PATH "/grub.cfg-01-%02x-%02x-%02x-%02x-%02x-%02x", mac[0],
			 mac[1], mac[2], mac[3], mac[4], mac[5]);
	if (ip) {
		char hex[9];
		snprintf(hex, sizeof hex, "%02X%02X%02X%02X", ip[0], ip[1], ip[2], ip[3]);
		for (size_t len = 8; len > 0 && n < max; len--)
			snprintf(names[n++], GRUB_SEARCH_NAME, GRUB_PREFIX_PATH "/grub.cfg-%.*s",
				 (int)len, hex);
	}
	if (n < max)
		snprintf(names[n++], GRUB_SEARCH_NAME, GRUB_PREFIX_PATH "/grub.cfg");
	return n;
}
