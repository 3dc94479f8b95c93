#include "netboot/bootplan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static bool is_url(const char *f)
{
	return !strncmp(f, "http://", 7) || !strncmp(f, "https://", 8);
}

static bool key_is_known(const char *key)
{
	return pxe_arch_by_key(key) || !strcmp(key, "ipxe");
}

int bootplan_add_boot(struct bootplan *p, const char *spec, const char **err)
{
	const char *eq = strchr(spec, '=');
	char key[32];
	if (!eq || eq == spec || !eq[1]) {
		*err = "expected ARCH=FILE";
		return -EINVAL;
	}
	size_t kn = (size_t)(eq - spec);
	if (kn >= sizeof key) {
		*err = "unknown architecture";
		return -EINVAL;
	}
	memcpy(key, spec, kn);
	key[kn] = 0;
	if (!key_is_known(key)) {
		*err = "unknown architecture (see 'lifeboat serve --help' for the list)";
		return -EINVAL;
	}
	for (size_t i = 0; i < p->n_boot; i++) {
		if (!strcmp(p->boot[i].key, key)) {
			p->boot[i].file = eq + 1;
			return 0;
		}
	}
	if (p->n_boot == BOOTPLAN_MAX_BOOT) {
		*err = "too many --boot entries";
		return -E2BIG;
	}
	/* The key must outlive spec's copy: point into spec itself. */
	const struct pxe_arch *a = pxe_arch_by_key(key);
	p->boot[p->n_boot].key = a ? a->key : "ipxe";
	p->boot[p->n_boot].file = eq + 1;
	p->n_boot++;
	return 0;
}

static int parse_mac_pattern(const char *s, size_t n, uint8_t mac[6], uint8_t mask[6])
{
	size_t i = 0, octet = 0;
	memset(mac, 0, 6);
	memset(mask, 0, 6);
	while (octet < 6) {
		if (i < n && s[i] == '*') {
			i++;
			/* a trailing '*' covers every remaining octet */
			if (i == n) {
				return 0;
			}
		} else {
			unsigned v = 0;
			size_t d = 0;
			for (; d < 2 && i < n; d++, i++) {
				char ch = s[i];
				unsigned x = ch >= '0' && ch <= '9'   ? (unsigned)(ch - '0')
					     : ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10)
					     : ch >= 'A' && ch <= 'F' ? (unsigned)(ch - 'A' + 10)
								      : 16u;
				if (x == 16)
					break;
				v = v * 16 + x;
			}
			if (d == 0)
				return -EINVAL;
			mac[octet] = (uint8_t)v;
			mask[octet] = 0xff;
		}
		octet++;
		if (octet == 6)
			break;
		if (i >= n || (s[i] != ':' && s[i] != '-'))
			return -EINVAL;
		i++;
	}
	return i == n ? 0 : -EINVAL;
}

int bootplan_add_host(struct bootplan *p, const char *spec, const char **err)
{
	const char *eq = strchr(spec, '=');
	struct bootplan_host h;
	memset(&h, 0, sizeof h);
	if (!eq || !eq[1] || parse_mac_pattern(spec, (size_t)(eq - spec), h.mac, h.mask)) {
		*err = "expected MAC=ignore, MAC=FILE or MAC=ARCH:FILE (MAC octets may be '*')";
		return -EINVAL;
	}
	const char *act = eq + 1;
	const char *colon = strchr(act, ':');
	if (!strcmp(act, "ignore")) {
		h.ignore = true;
	} else if (colon && strncmp(act, "http:", 5) && strncmp(act, "https:", 6)) {
		char key[32];
		size_t kn = (size_t)(colon - act);
		if (kn == 0 || kn >= sizeof key || !colon[1]) {
			*err = "expected MAC=ARCH:FILE";
			return -EINVAL;
		}
		memcpy(key, act, kn);
		key[kn] = 0;
		const struct pxe_arch *a = pxe_arch_by_key(key);
		if (!a && strcmp(key, "ipxe")) {
			*err = "unknown architecture in --host";
			return -EINVAL;
		}
		h.key = a ? a->key : "ipxe";
		h.file = colon + 1;
	} else {
		h.file = act;
	}
	if (p->n_hosts == BOOTPLAN_MAX_HOSTS) {
		*err = "too many --host rules";
		return -E2BIG;
	}
	p->hosts[p->n_hosts++] = h;
	return 0;
}

const struct bootplan_host *bootplan_host_for(const struct bootplan *p, const uint8_t mac[6])
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < p->n_hosts; i++) {
			const struct bootplan_host *h = &p->hosts[i];
			bool exact = !memcmp(h->mask, "\xff\xff\xff\xff\xff\xff", 6);
			if (exact != (pass == 0))
				continue;
			size_t k = 0;
			while (k < 6 && (mac[k] & h->mask[k]) == h->mac[k])
				k++;
			if (k == 6)
				return h;
		}
	}
	return NULL;
}

const char *bootplan_file_for(const struct bootplan *p, const char *key)
{
	for (size_t i = 0; i < p->n_boot; i++)
		if (!strcmp(p->boot[i].key, key))
			return p->boot[i].file;
	return NULL;
}

static int put_url(char *out, size_t cap, const uint8_t ip[4], uint16_t port, const char *path)
{
	int n;
	if (port == 80)
		n = snprintf(out, cap, "http://%u.%u.%u.%u/%s", ip[0], ip[1], ip[2], ip[3], path);
	else
		n = snprintf(out, cap, "http://%u.%u.%u.%u:%u/%s", ip[0], ip[1], ip[2], ip[3], port,
			     path);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static int put_path(char *out, size_t cap, const char *path)
{
	int n = snprintf(out, cap, "%s", path);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* iPXE images by name: handing one to a client that already is iPXE would
 * make it load itself again, forever. */
static bool is_ipxe_image(const char *file)
{
	const char *b = base_name(file);
	return !strncmp(b, "undionly", 8) || !strncmp(b, "ipxe.", 5) || !strncmp(b, "snponly", 7) ||
	       !strncmp(b, "snp.efi", 7);
}

/* A configured file for the client's architecture, then its fallback. */
static const char *file_for_arch(const struct bootplan *p, const struct pxe_arch *ai)
{
	const char *f = bootplan_file_for(p, ai->key);
	if (!f && ai->fallback)
		f = bootplan_file_for(p, ai->fallback);
	return f;
}

int bootplan_choose(const struct bootplan *p, const struct pxe_client *c, const uint8_t ip[4],
		    struct boot_choice *out)
{
	const struct pxe_arch *ai = c->ai;
	const char *host_file = NULL;
	out->file[0] = 0;
	out->why = "";

	const struct bootplan_host *h = bootplan_host_for(p, c->mac);
	if (h && h->ignore) {
		out->why = "ignored by a --host rule";
		return -EPERM;
	}
	if (h && (!h->key || !strcmp(h->key, c->ipxe ? "ipxe" : ai->key) ||
		  (ai->fallback && !strcmp(h->key, ai->fallback))))
		host_file = h->file;
	if (host_file && c->ipxe && is_ipxe_image(host_file)) {
		/* the rule names an iPXE image: the iPXE client goes on below */
		host_file = NULL;
	}

	/* 1. An iPXE client: a configured iPXE script, or kernel mode's one. */
	if (c->ipxe && !host_file) {
		const char *f = bootplan_file_for(p, "ipxe");
		if (f) {
			out->why = "ipxe entry";
			if (is_url(f))
				return put_path(out->file, sizeof out->file, f);
			if (p->http)
				return put_url(out->file, sizeof out->file, ip, p->http_port, f);
			return put_path(out->file, sizeof out->file, f);
		}
		if (p->kernel) {
			out->why = "kernel mode script";
			if (!p->http) {
				out->why = "HTTP is disabled";
				return -ENOENT;
			}
			return put_url(out->file, sizeof out->file, ip, p->http_port,
				       BOOTPLAN_PREFIX "boot.ipxe");
		}
	}

	/* 2. The file a --host rule or this architecture names. */
	const char *f = host_file ? host_file : file_for_arch(p, ai);
	if (f) {
		out->why = host_file ? "host rule" : "arch entry";
		if (c->ipxe && is_ipxe_image(f)) {
			out->why = "client is already iPXE: set --boot ipxe=SCRIPT";
			return -ELOOP;
		}
		if (is_url(f)) {
			if (!c->http && !c->ipxe) {
				out->why = "URL configured but client boots over TFTP only";
				return -ENOENT;
			}
			return put_path(out->file, sizeof out->file, f);
		}
		if (c->http) {
			if (!p->http) {
				out->why = "HTTP boot client but HTTP is disabled";
				return -ENOENT;
			}
			return put_url(out->file, sizeof out->file, ip, p->http_port, f);
		}
		if (!p->tftp) {
			out->why = "TFTP is disabled";
			return -ENOENT;
		}
		return put_path(out->file, sizeof out->file, f);
	}

	/* 3. Kernel mode: chain-load iPXE built for this architecture. */
	if (p->kernel) {
		char path[96];
		if (c->uboot || ai->fw == PXE_FW_UBOOT) {
			/* no file: a U-Boot that takes proxy offers
			 * (CONFIG_SERVERIP_FROM_PROXYDHCP) learns serverip from
			 * siaddr; `pxe get` then finds BOOTPLAN_PXELINUX_CFG */
			out->why = "kernel mode: U-Boot runs pxe get";
			if (!p->tftp) {
				out->why = "TFTP is disabled: U-Boot loads the kernel over TFTP";
				return -ENOENT;
			}
			return 0;
		}
		int idx = pxe_arch_index(ai);
		if (ai->ipxe && idx >= 0 && idx < 32 && (p->ipxe_missing >> idx) & 1) {
			out->why = "kernel mode: no iPXE image for this architecture in --ipxe-dir";
			return -ENOENT;
		}
		if (!ai->ipxe) {
			out->why = "kernel mode has no iPXE image for this architecture";
			return -ENOENT;
		}
		if (c->ipxe) {
			out->why = "client is already iPXE but HTTP is disabled";
			return -ELOOP;
		}
		snprintf(path, sizeof path, BOOTPLAN_PREFIX "ipxe/%s", ai->ipxe);
		out->why = "kernel mode: chain-load iPXE";
		if (c->http) {
			if (!p->http) {
				out->why = "HTTP is disabled";
				return -ENOENT;
			}
			return put_url(out->file, sizeof out->file, ip, p->http_port, path);
		}
		if (!p->tftp) {
			out->why = "TFTP is disabled: PXE clients load iPXE over TFTP";
			return -ENOENT;
		}
		return put_path(out->file, sizeof out->file, path);
	}
	out->why = "no boot file for this architecture";
	return -ENOENT;
}

int bootplan_ipxe_script(const struct bootplan *p, char *buf, size_t cap)
{
	size_t o = 0;
	int n;
#define APPEND(...)                                          \
	do {                                                 \
		n = snprintf(buf + o, cap - o, __VA_ARGS__); \
		if (n < 0 || (size_t)n >= cap - o)           \
			return -ENOBUFS;                     \
		o += (size_t)n;                              \
	} while (0)
	if (!p->kernel || cap == 0)
		return -ENOBUFS;
	APPEND("#!ipxe\n# generated by lifeboat serve\n");
	APPEND("echo lifeboat: booting %s\n", base_name(p->kernel));
	APPEND("kernel kernel/%s", base_name(p->kernel));
	/* UEFI: Debian's iPXE hands initrds to the kernel's EFI stub only by
	 * name, so name each one on the command line (see netboot notes). */
	for (size_t i = 0; i < p->n_initrd; i++)
		APPEND(" initrd=%s", base_name(p->initrd[i]));
	if (p->cmdline && *p->cmdline)
		APPEND(" %s", p->cmdline);
	APPEND("\n");
	for (size_t i = 0; i < p->n_initrd; i++)
		APPEND("initrd initrd/%zu/%s\n", i, base_name(p->initrd[i]));
	APPEND("boot\n");
#undef APPEND
	return (int)o;
}

int bootplan_pxelinux_cfg(const struct bootplan *p, char *buf, size_t cap)
{
	size_t o = 0;
	int n;
#define APPEND(...)                                          \
	do {                                                 \
		n = snprintf(buf + o, cap - o, __VA_ARGS__); \
		if (n < 0 || (size_t)n >= cap - o)           \
			return -ENOBUFS;                     \
		o += (size_t)n;                              \
	} while (0)
	if (!p->kernel || cap == 0)
		return -ENOBUFS;
	/* Names are relative: U-Boot prefixes them with the directory of its
	 * "bootfile" (none unless the user set one), like this file's own. */
	APPEND("# generated by lifeboat serve (kernel mode) for U-Boot's pxe command\n");
	APPEND("default lifeboat\nlabel lifeboat\n");
	APPEND("  kernel " BOOTPLAN_PREFIX "kernel/%s\n", base_name(p->kernel));
	/* U-Boot's pxe takes one initrd; serve warns at start-up when there are more */
	if (p->n_initrd)
		APPEND("  initrd " BOOTPLAN_PREFIX "initrd/0/%s\n", base_name(p->initrd[0]));
	if (p->cmdline && *p->cmdline)
		APPEND("  append %s\n", p->cmdline);
#undef APPEND
	return (int)o;
}

int bootplan_lookup(const struct bootplan *p, const char *clean, char *buf, size_t cap,
		    struct bootplan_file *out)
{
	static const char prefix[] = BOOTPLAN_PREFIX;
	size_t pn = sizeof prefix - 1;
	memset(out, 0, sizeof *out);
	if (p->kernel && !strcmp(clean, BOOTPLAN_PXELINUX_CFG)) {
		int n = bootplan_pxelinux_cfg(p, buf, cap);
		if (n < 0)
			return -ENOENT;
		out->text = buf;
		out->text_len = (size_t)n;
		return 0;
	}
	if (strncmp(clean, prefix, pn))
		return -ENOENT;
	const char *rest = clean + pn;

	if (!strncmp(rest, "ipxe/", 5)) {
		/* Only the images named in the arch table, never a free path. */
		size_t n;
		const struct pxe_arch *t = pxe_arch_table(&n);
		if (!p->ipxe_dir)
			return -ENOENT;
		for (size_t i = 0; i < n; i++) {
			if (t[i].ipxe && !strcmp(rest + 5, t[i].ipxe)) {
				int k = snprintf(buf, cap, "%s/%s", p->ipxe_dir, t[i].ipxe);
				if (k < 0 || (size_t)k >= cap)
					return -ENOENT;
				out->host_path = buf;
				return 0;
			}
		}
		return -ENOENT;
	}
	if (!p->kernel)
		return -ENOENT;
	if (!strcmp(rest, "boot.ipxe")) {
		int n = bootplan_ipxe_script(p, buf, cap);
		if (n < 0)
			return -ENOENT;
		out->text = buf;
		out->text_len = (size_t)n;
		return 0;
	}
	if (!strncmp(rest, "kernel/", 7) && !strcmp(rest + 7, base_name(p->kernel))) {
		out->host_path = p->kernel;
		return 0;
	}
	if (!strncmp(rest, "initrd/", 7)) {
		unsigned idx;
		int used = 0;
		if (sscanf(rest + 7, "%u/%n", &idx, &used) == 1 && used > 0 && idx < p->n_initrd &&
		    rest[7] >= '0' && rest[7] <= '9' &&
		    !strcmp(rest + 7 + used, base_name(p->initrd[idx]))) {
			out->host_path = p->initrd[idx];
			return 0;
		}
	}
	return -ENOENT;
}
