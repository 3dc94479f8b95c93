/* bootplan: what each client boots (a table of strategies, one delivery
 * tail) and the reserved "lifeboat/" names those choices point at. */
#include "core/buf.h"
#include "netboot/bootplan.h"
#include "netboot/grub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
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
		*err = "expected MAC=ignore, MAC=rescue, MAC=FILE or MAC=ARCH:FILE (MAC octets may "
		       "be '*')";
		return -EINVAL;
	}
	const char *act = eq + 1;
	const char *colon = strchr(act, ':');
	if (!strcmp(act, "ignore")) {
		h.ignore = true;
	} else if (!strcmp(act, "rescue")) {
		h.rescue = true;
	} else if (!strncmp(act, "entry:", 6) && act[6]) {
		h.file = act; /* the boot menu's (netmenu_pick) */
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

/* host: "192.0.2.2" or a bracketed IPv6 literal "[2001:db8::2]" */
static int put_url(char *out, size_t cap, const char *host, uint16_t port, const char *path)
{
	int n;
	if (port == 80)
		n = snprintf(out, cap, "http://%s/%s", host, path);
	else
		n = snprintf(out, cap, "http://%s:%u/%s", host, port, path);
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

/* 1 + the GRUB target this client boots with --grub, or 0. */
static int grub_for(const struct bootplan *p, const struct pxe_arch *ai)
{
	if (!p->grub)
		return 0;
	int t = grub_target_for_key(ai->key);
	if (t < 0 && ai->fallback)
		t = grub_target_for_key(ai->fallback);
	if (t == GRUB_EFI64 && p->grub_signed)
		return t + 1;
	return t >= 0 && (p->grub_targets & (1u << t)) ? t + 1 : 0;
}

/* A configured file for the client's architecture, then its fallback. */
static const char *file_for_arch(const struct bootplan *p, const struct pxe_arch *ai)
{
	const char *f = bootplan_file_for(p, ai->key);
	if (!f && ai->fallback)
		f = bootplan_file_for(p, ai->fallback);
	return f;
}

/* How a chosen file reaches the client. */
enum boot_via {
	BOOT_VIA_CLIENT,     /* an HTTP boot client by URL, the others by TFTP path */
	BOOT_VIA_HTTP_IF_ON, /* iPXE speaks both: by URL when HTTP is on, else by path */
	BOOT_VIA_HTTP,	     /* by URL only: needs HTTP */
	BOOT_VIA_SIADDR,     /* no file, siaddr only (U-Boot fetches its own): needs TFTP */
};

/* What a row picked and how to deliver it. */
struct boot_target {
	const char *file; /* a path under ROOT or one we generate, or a URL */
	char gen[96];	  /* storage for a generated path */
	enum boot_via via;
	/* the user named it: an iPXE image is refused to an iPXE client, a
	 * URL to a client that boots over TFTP only */
	bool configured;
	const char *why;     /* for the log */
	const char *no_http; /* why, when HTTP is needed but disabled */
	const char *no_tftp; /* why, when TFTP is needed but disabled */
};

/* A row that does not apply to this client: the next one is asked. */
#define BOOT_PASS 1

/* The one delivery tail: URL or TFTP path for t, into out. 0 or -errno
 * with out->why saying why. */
static int deliver(const struct bootplan *p, const struct pxe_client *c, const char *ip,
		   const struct boot_target *t, struct boot_choice *out)
{
	const char *f = t->file;
	bool by_url;
	out->why = t->why;
	if (t->configured && c->ipxe && is_ipxe_image(f)) {
		out->why = "client is already iPXE: set --boot ipxe=SCRIPT";
		return -ELOOP;
	}
	if (t->via == BOOT_VIA_SIADDR) {
		if (p->tftp)
			return 0;
		out->why = t->no_tftp;
		return -ENOENT;
	}
	if (f && is_url(f)) {
		if (t->configured && !c->http && !c->ipxe) {
			out->why = "URL configured but client boots over TFTP only";
			return -ENOENT;
		}
		return put_path(out->file, sizeof out->file, f);
	}
	by_url = t->via == BOOT_VIA_HTTP || (t->via == BOOT_VIA_HTTP_IF_ON && p->http) ||
		 (t->via == BOOT_VIA_CLIENT && c->http);
	if (by_url && !p->http) {
		out->why = t->no_http ? t->no_http : "HTTP is disabled";
		return -ENOENT;
	}
	if (by_url)
		return put_url(out->file, sizeof out->file, ip, p->http_port, f);
	if (t->via == BOOT_VIA_CLIENT && !p->tftp) {
		out->why = t->no_tftp ? t->no_tftp : "TFTP is disabled";
		return -ENOENT;
	}
	return put_path(out->file, sizeof out->file, f);
}

/* A configured file f (--boot, --host, --menu), delivered the usual way. */
static void target_configured(struct boot_target *t, const char *f, const char *why)
{
	t->file = f;
	t->via = BOOT_VIA_CLIENT;
	t->configured = true;
	t->why = why;
	t->no_http = "HTTP boot client but HTTP is disabled";
}

/* --host: an ignored machine gets nothing; a matching rule names the file
 * (for one arch key, its HTTP sibling's fallback, or "ipxe" for an iPXE
 * client). A rule naming an iPXE image lets an iPXE client go on. */
static int row_host(const struct bootplan *p, const struct pxe_client *c, const char *ip,
		    struct boot_target *t)
{
	const struct pxe_arch *ai = c->ai;
	const struct bootplan_host *h = bootplan_host_for(p, c->mac);
	(void)ip;
	if (!h)
		return BOOT_PASS;
	if (h->ignore) {
		t->why = "ignored by a --host rule";
		return -EPERM;
	}
	if (h->rescue)
		return BOOT_PASS; /* the kernel-mode rows boot it (rescue_refuses) */
	if (!strncmp(h->file, "entry:", 6))
		return BOOT_PASS; /* the boot menu script picks the entry */
	if (h->key && strcmp(h->key, c->ipxe ? "ipxe" : ai->key) &&
	    !(ai->fallback && !strcmp(h->key, ai->fallback)))
		return BOOT_PASS;
	if (c->ipxe && is_ipxe_image(h->file))
		return BOOT_PASS;
	target_configured(t, h->file, "host rule");
	return 0;
}

/* --rescue with MAC=rescue rules boots only those machines: why another
 * one is not answered, or NULL. */
static const char *rescue_refuses(const struct bootplan *p, const struct pxe_client *c)
{
	bool any = false;
	if (!p->rescue)
		return NULL;
	for (size_t i = 0; i < p->n_hosts; i++)
		any |= p->hosts[i].rescue;
	const struct bootplan_host *h = any ? bootplan_host_for(p, c->mac) : NULL;
	return any && !(h && h->rescue) ? "--rescue boots only the --host MAC=rescue machines"
					: NULL;
}

/* An iPXE client: a configured iPXE script (--boot ipxe=), else kernel
 * mode's generated one (unless --grub boots this architecture). */
static int row_ipxe_script(const struct bootplan *p, const struct pxe_client *c, const char *ip,
			   struct boot_target *t)
{
	const char *f = c->ipxe ? bootplan_file_for(p, "ipxe") : NULL;
	(void)ip;
	if (!c->ipxe)
		return BOOT_PASS;
	if (f) {
		t->file = f;
		t->via = BOOT_VIA_HTTP_IF_ON;
		t->why = "ipxe entry";
		return 0;
	}
	if (p->netmenu && !p->kernel && !grub_for(p, c->ai)) {
		/* the server's address in the path: the menu's command lines
		 * name it in the URLs the booted system fetches */
		if (p->http_port == 80)
			snprintf(t->gen, sizeof t->gen, BOOTPLAN_PREFIX "menu/%s/menu.ipxe", ip);
		else
			snprintf(t->gen, sizeof t->gen, BOOTPLAN_PREFIX "menu/%s:%u/menu.ipxe", ip,
				 p->http_port);
		t->file = t->gen;
		t->via = BOOT_VIA_HTTP;
		t->why = "boot menu";
		return 0;
	}
	if (!p->kernel || grub_for(p, c->ai))
		return BOOT_PASS;
	if (p->rescue && rescue_refuses(p, c)) {
		t->why = rescue_refuses(p, c);
		return -ENOENT;
	}
	if (p->rescue) {
		/* the script names the address the client reached: lifeboat.home */
		size_t n = strlen(ip);
		bool br = n > 2 && ip[0] == '[' && ip[n - 1] == ']';
		int k = snprintf(t->gen, sizeof t->gen, BOOTPLAN_PREFIX "rescue/%.*s/boot.ipxe",
				 (int)(br ? n - 2 : n), br ? ip + 1 : ip);
		if (k < 0 || (size_t)k >= sizeof t->gen)
			return -ENAMETOOLONG;
		t->file = t->gen;
		t->via = BOOT_VIA_HTTP;
		t->why = "rescue script";
		return 0;
	}
	t->file = BOOTPLAN_PREFIX "boot.ipxe";
	t->via = BOOT_VIA_HTTP;
	t->why = "kernel mode script";
	return 0;
}

/* --boot KEY=FILE for the client's architecture, then its fallback key
 * (an HTTP boot client takes its PXE sibling's file: efi64-http -> efi64). */
static int row_arch_file(const struct bootplan *p, const struct pxe_client *c, const char *ip,
			 struct boot_target *t)
{
	const char *f = file_for_arch(p, c->ai);
	(void)ip;
	if (!f)
		return BOOT_PASS;
	target_configured(t, f, "arch entry");
	return 0;
}

/* --grub: the GRUB core built for this architecture and address (iPXE
 * clients too: they run it as a PXE NBP or an EFI image). The cores are
 * built per IPv4 address: IPv6 clients go on to kernel mode. */
static int row_grub(const struct bootplan *p, const struct pxe_client *c, const char *ip,
		    struct boot_target *t)
{
	uint8_t ip4[4];
	int g = grub_for(p, c->ai);
	if (!g || inet_pton(AF_INET, ip, ip4) != 1)
		return BOOT_PASS;
	bool shim = g - 1 == GRUB_EFI64 && p->grub_signed;
	if (shim)
		snprintf(t->gen, sizeof t->gen, "%s", GRUB_SHIM_NAME);
	else if (grub_core_name(t->gen, sizeof t->gen, (enum grub_target)(g - 1), ip4) < 0)
		return -ENAMETOOLONG;
	t->file = t->gen;
	t->via = BOOT_VIA_CLIENT;
	t->why = shim ? "signed shim + grub" : "grub core";
	t->no_tftp = "TFTP is disabled: PXE clients load GRUB over TFTP";
	return 0;
}

/* Chain-load the iPXE image of the client's architecture (kernel mode,
 * --api). mode names the row in the reasons. */
static int chain_ipxe(const struct bootplan *p, const struct pxe_client *c, struct boot_target *t,
		      const char *mode)
{
	const struct pxe_arch *ai = c->ai;
	int idx = pxe_arch_index(ai);
	bool api = !strcmp(mode, "api");
	if (ai->ipxe && idx >= 0 && idx < 32 && (p->ipxe_missing >> idx) & 1) {
		t->why = api ? "api: no iPXE image for this architecture in --ipxe-dir"
			     : "kernel mode: no iPXE image for this architecture in --ipxe-dir";
		return -ENOENT;
	}
	if (!ai->ipxe) {
		t->why = api ? "api: no iPXE image for this architecture"
			     : "kernel mode has no iPXE image for this architecture";
		return -ENOENT;
	}
	if (c->ipxe) {
		t->why = "client is already iPXE but HTTP is disabled";
		return -ELOOP;
	}
	snprintf(t->gen, sizeof t->gen, BOOTPLAN_PREFIX "ipxe/%s", ai->ipxe);
	t->file = t->gen;
	t->via = BOOT_VIA_CLIENT;
	t->why = api ? "api: chain-load iPXE" : "kernel mode: chain-load iPXE";
	t->no_tftp = "TFTP is disabled: PXE clients load iPXE over TFTP";
	return 0;
}

/* Kernel mode: chain-load iPXE built for this architecture (whose script
 * row_ipxe_script then hands out), or for U-Boot no file at all. */
static int row_kernel(const struct bootplan *p, const struct pxe_client *c, const char *ip,
		      struct boot_target *t)
{
	const struct pxe_arch *ai = c->ai;
	(void)ip;
	if (!p->kernel && !p->netmenu)
		return BOOT_PASS;
	if (rescue_refuses(p, c)) {
		t->why = rescue_refuses(p, c);
		return -ENOENT;
	}
	if (p->kernel && (c->uboot || ai->fw == PXE_FW_UBOOT)) {
		/* a U-Boot that takes proxy offers (CONFIG_SERVERIP_FROM_PROXYDHCP)
		 * learns serverip from siaddr; `pxe get` then finds
		 * BOOTPLAN_PXELINUX_CFG */
		t->via = BOOT_VIA_SIADDR;
		t->why = "kernel mode: U-Boot runs pxe get";
		t->no_tftp = "TFTP is disabled: U-Boot loads the kernel over TFTP";
		return 0;
	}
	return chain_ipxe(p, c, t, "kernel mode");
}

/* --api: the inventory's answer for this MAC, from the cache (api.h). A
 * firmware client chain-loads iPXE, iPXE fetches the script generated from
 * the answer; a miss, a 404 or a failing API: no offer. */
static int row_api(const struct bootplan *p, const struct pxe_client *c, const char *ip,
		   struct boot_target *t)
{
	static const uint8_t zero[6];
	const struct api_boot *b;
	const char *why = "api";
	if (!p->api_url)
		return BOOT_PASS;
	if (!p->api || !memcmp(c->mac, zero, 6)) {
		t->why = "api: decided per machine by the API";
		return -ENOENT;
	}
	if (p->api->decide(p->api->arg, c->mac, &b, &why)) {
		/* a decision, not a fault: info-level per packet; a failing
		 * API has its own rate-limited api.fail warning */
		t->why = why;
		return -EPERM;
	}
	if (c->uboot || c->ai->fw == PXE_FW_UBOOT || c->ai->fw == PXE_FW_RPI) {
		t->why = "api: boots through iPXE, which this firmware does not run";
		return -ENOENT;
	}
	if (!c->ipxe)
		return chain_ipxe(p, c, t, "api");
	size_t n = strlen(ip);
	bool br = n > 2 && ip[0] == '[' && ip[n - 1] == ']';
	const uint8_t *m = c->mac;
	int k = snprintf(
	    t->gen, sizeof t->gen, BOOTPLAN_PREFIX "api/%.*s/%02x%02x%02x%02x%02x%02x/boot.ipxe",
	    (int)(br ? n - 2 : n), br ? ip + 1 : ip, m[0], m[1], m[2], m[3], m[4], m[5]);
	if (k < 0 || (size_t)k >= sizeof t->gen)
		return -ENAMETOOLONG;
	t->file = t->gen;
	t->via = BOOT_VIA_HTTP;
	t->why = "api: iPXE script";
	return 0;
}

/* One boot strategy. choose() returns 0 with *t filled (deliver() turns it
 * into the answer), BOOT_PASS when it has nothing for this client, or a
 * final -errno with t->why set (-EPERM ignore, -ENOENT stay silent, -ELOOP,
 * -ENAMETOOLONG).
 *
 * The rows are tried in order; the first that does not pass decides. To
 * add a strategy (a menu default, an ISO, a decision from an API): write
 * one row_NAME() that looks at p and c, fills t->file (a configured name
 * with target_configured(), or a generated one in t->gen), t->via and
 * t->why, and insert { "NAME", row_NAME } where it ranks: --host rules
 * stay first, the kernel-mode catch-all last. Delivery (URL or TFTP path,
 * HTTP/TFTP off, the iPXE loop guard) is deliver()'s alone. */
struct boot_row {
	const char *name; /* reported in boot_choice.rule */
	int (*choose)(const struct bootplan *p, const struct pxe_client *c, const char *ip,
		      struct boot_target *t);
};

static const struct boot_row boot_rows[] = {
    {"host", row_host},		      /* --host MAC=... */
    {"api", row_api},		      /* --api URL: the inventory decides, per MAC */
    {"ipxe-script", row_ipxe_script}, /* iPXE: --boot ipxe=, kernel mode's script */
    {"arch-file", row_arch_file},     /* --boot KEY=FILE */
    {"grub", row_grub},		      /* --grub */
    {"kernel", row_kernel},	      /* --kernel: chain-load iPXE, U-Boot pxe get */
};

int bootplan_choose(const struct bootplan *p, const struct pxe_client *c, const uint8_t ip4[4],
		    struct boot_choice *out)
{
	char ip[16];
	snprintf(ip, sizeof ip, "%u.%u.%u.%u", ip4[0], ip4[1], ip4[2], ip4[3]);
	return bootplan_choose_host(p, c, ip, out);
}

int bootplan_choose_host(const struct bootplan *p, const struct pxe_client *c, const char *ip,
			 struct boot_choice *out)
{
	out->file[0] = 0;
	out->why = "";
	out->rule = NULL;
	for (size_t i = 0; i < sizeof boot_rows / sizeof boot_rows[0]; i++) {
		struct boot_target t = {.why = ""};
		int r = boot_rows[i].choose(p, c, ip, &t);
		if (r == BOOT_PASS)
			continue;
		out->rule = boot_rows[i].name;
		if (r < 0) {
			out->why = t.why;
			return r;
		}
		return deliver(p, c, ip, &t, out);
	}
	out->why = "no boot file for this architecture";
	return -ENOENT;
}

int bootplan_ipxe_script(const struct bootplan *p, char *buf, size_t cap)
{
	size_t o = 0;
	if (!p->kernel || cap == 0)
		return -ENOBUFS;
	if (buf_appendf(buf, cap, &o, "#!ipxe\n# generated by lifeboat serve\n") ||
	    buf_appendf(buf, cap, &o, "echo lifeboat: booting %s\n", base_name(p->kernel)) ||
	    buf_appendf(buf, cap, &o, "kernel kernel/%s", base_name(p->kernel)))
		return -ENOBUFS;
	/* UEFI: Debian's iPXE hands initrds to the kernel's EFI stub only by
	 * name, so name each one on the command line (see netboot notes). */
	for (size_t i = 0; i < p->n_initrd; i++)
		if (buf_appendf(buf, cap, &o, " initrd=%s", base_name(p->initrd[i])))
			return -ENOBUFS;
	if (p->cmdline && *p->cmdline && buf_appendf(buf, cap, &o, " %s", p->cmdline))
		return -ENOBUFS;
	if (buf_appendf(buf, cap, &o, "\n"))
		return -ENOBUFS;
	for (size_t i = 0; i < p->n_initrd; i++)
		if (buf_appendf(buf, cap, &o, "initrd initrd/%zu/%s\n", i, base_name(p->initrd[i])))
			return -ENOBUFS;
	if (buf_appendf(buf, cap, &o, "boot\n"))
		return -ENOBUFS;
	return (int)o;
}

int bootplan_pxelinux_cfg(const struct bootplan *p, char *buf, size_t cap)
{
	size_t o = 0;
	if (!p->kernel || cap == 0)
		return -ENOBUFS;
	/* Names are relative: U-Boot prefixes them with the directory of its
	 * "bootfile" (none unless the user set one), like this file's own. */
	if (buf_appendf(buf, cap, &o,
			"# generated by lifeboat serve (kernel mode) for U-Boot's pxe command\n") ||
	    buf_appendf(buf, cap, &o, "default lifeboat\nlabel lifeboat\n") ||
	    buf_appendf(buf, cap, &o, "  kernel " BOOTPLAN_PREFIX "kernel/%s\n",
			base_name(p->kernel)))
		return -ENOBUFS;
	/* U-Boot's pxe takes one initrd; serve warns at start-up when there are more */
	if (p->n_initrd && buf_appendf(buf, cap, &o, "  initrd " BOOTPLAN_PREFIX "initrd/0/%s\n",
				       base_name(p->initrd[0])))
		return -ENOBUFS;
	if (p->cmdline && *p->cmdline && buf_appendf(buf, cap, &o, "  append %s\n", p->cmdline))
		return -ENOBUFS;
	return (int)o;
}

/* The --grub names (cores, module trees, shim, grub.cfg): 0 or -ENOENT
 * like bootplan_lookup, BOOT_PASS for a name that is not GRUB's. */
static int lookup_grub(const struct bootplan *p, const char *clean, char *buf, size_t cap,
		       struct bootplan_file *out)
{
	struct grub_name g;
	if (grub_parse_name(clean, &g))
		return -ENOENT;
	if (g.kind == GRUB_NAME_CORE) {
		if (!(p->grub_targets & (1u << g.target)))
			return -ENOENT;
		out->grub_core = (int)g.target + 1;
		memcpy(out->grub_ip, g.ip, 4);
		return 0;
	}
	if (g.kind == GRUB_NAME_MODULE) {
		if (!(p->grub_targets & (1u << g.target)))
			return -ENOENT;
		out->grub_tree = (int)g.target + 1;
		out->grub_rel = g.rel;
		return 0;
	}
	if (g.kind == GRUB_NAME_SHIM || g.kind == GRUB_NAME_SIGNED) {
		int n = g.kind == GRUB_NAME_SHIM
			    ? snprintf(buf, cap, "%s", GRUB_SHIM_PATH)
			    : snprintf(buf, cap, "%s/%s", p->grub_dir, GRUB_SIGNED_SUBPATH);
		if (!p->grub_signed || n < 0 || (size_t)n >= cap)
			return -ENOENT;
		out->host_path = buf;
		return 0;
	}
	if (g.kind == GRUB_NAME_CLIENT_CFG && !p->kernel) {
		out->grub_client_cfg = true;
		out->grub_has_mac = g.has_mac;
		memcpy(out->grub_mac, g.mac, 6);
		return 0;
	}
	if (g.kind == GRUB_NAME_CFG) {
		int n = p->kernel ? grub_cfg_kernel(buf, cap, p->kernel, p->initrd, p->n_initrd,
						    p->cmdline)
				  : grub_cfg_root(buf, cap);
		if (n < 0)
			return -ENOENT;
		out->text = buf;
		out->text_len = (size_t)n;
		return 0;
	}
	return BOOT_PASS;
}

int bootplan_rescue_script(const struct bootplan *p, const char *host, char *buf, size_t cap)
{
	uint8_t a[16];
	size_t o = 0;
	bool v6 = inet_pton(AF_INET6, host, a) == 1;
	if (!v6 && inet_pton(AF_INET, host, a) != 1)
		return -EINVAL;
	if (!p->kernel || cap == 0)
		return -ENOBUFS;
	buf[0] = 0;
	/* absolute paths: the script's own URL is rescue/HOST/boot.ipxe */
	if (buf_appendf(buf, cap, &o, "#!ipxe\necho lifeboat: booting the rescue system\n") ||
	    buf_appendf(buf, cap, &o, "kernel /" BOOTPLAN_PREFIX "kernel/%s",
			base_name(p->kernel)) ||
	    buf_appendf(buf, cap, &o, " initrd=" BOOTPLAN_RESCUE_IMAGE) ||
	    buf_appendf(buf, cap, &o, " lifeboat.home=http://%s%s%s:%u", v6 ? "[" : "", host,
			v6 ? "]" : "", p->http_port) ||
	    buf_appendf(buf, cap, &o, " console=tty0 console=ttyS0,115200") ||
	    (p->cmdline && *p->cmdline && buf_appendf(buf, cap, &o, " %s", p->cmdline)) ||
	    buf_appendf(buf, cap, &o,
			"\ninitrd /" BOOTPLAN_PREFIX BOOTPLAN_RESCUE_IMAGE "\nboot\n"))
		return -ENOBUFS;
	return (int)o;
}

/* --rescue's names: the script per server address, the image, the kernel. */
static int lookup_rescue(const struct bootplan *p, const char *rest, char *buf, size_t cap,
			 struct bootplan_file *out)
{
	if (!strcmp(rest, BOOTPLAN_RESCUE_IMAGE) && p->rescue_image) {
		out->host_path = p->rescue_image;
		return 0;
	}
	if (!strncmp(rest, "kernel/", 7) && !strcmp(rest + 7, base_name(p->kernel))) {
		out->host_path = p->kernel;
		return 0;
	}
	char host[INET6_ADDRSTRLEN];
	const char *slash = strncmp(rest, "rescue/", 7) ? NULL : strchr(rest + 7, '/');
	size_t n = slash ? (size_t)(slash - (rest + 7)) : 0;
	if (!slash || !n || n >= sizeof host || strcmp(slash, "/boot.ipxe"))
		return -ENOENT;
	memcpy(host, rest + 7, n);
	host[n] = 0;
	int k = bootplan_rescue_script(p, host, buf, cap);
	if (k < 0)
		return -ENOENT;
	out->text = buf;
	out->text_len = (size_t)k;
	return 0;
}

/* A URL for name: itself when it is one, else beneath our HTTP root. */
static int api_name_url(char *buf, size_t cap, size_t *o, const char *hostport, const char *name)
{
	if (api_name_is_url(name))
		return buf_appendf(buf, cap, o, "%s", name);
	while (*name == '/')
		name++;
	return buf_appendf(buf, cap, o, "http://%s/%s", hostport, name);
}

/* The image name iPXE gives a fetched file: its URL's last segment. */
static void api_image_name(const char *name, char *out, size_t cap)
{
	const char *b = base_name(name);
	size_t n = strcspn(b, "?#");
	snprintf(out, cap, "%.*s", (int)n, b);
}

int bootplan_api_script(const struct api_boot *b, const char *host, uint16_t port, char *buf,
			size_t cap)
{
	uint8_t a[16];
	char hp[INET6_ADDRSTRLEN + 10], cmd[API_CMDLINE_MAX * 2], msg[API_MESSAGE_MAX], nm[96];
	size_t o = 0;
	bool v6 = inet_pton(AF_INET6, host, a) == 1;
	if (!v6 && inet_pton(AF_INET, host, a) != 1)
		return -EINVAL;
	if (!cap)
		return -ENOBUFS;
	buf[0] = 0;
	snprintf(hp, sizeof hp, "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
	int n = api_cmdline_expand(b->cmdline, hp, cmd, sizeof cmd);
	if (n < 0)
		return -ENOBUFS;
	/* iPXE's echo expands ${...}; keep the message printable and inert */
	size_t k = 0;
	for (; b->message[k] && k + 1 < sizeof msg; k++) {
		char ch = b->message[k];
		msg[k] = ch < 0x20 || ch > 0x7e || ch == '$' ? '?' : ch;
	}
	msg[k] = 0;
	if (buf_appendf(buf, cap, &o, "#!ipxe\n# generated by lifeboat serve from --api\n") ||
	    (k && buf_appendf(buf, cap, &o, "echo %s\n", msg)) ||
	    buf_appendf(buf, cap, &o, "echo lifeboat: booting %s\nkernel ", base_name(b->kernel)) ||
	    api_name_url(buf, cap, &o, hp, b->kernel))
		return -ENOBUFS;
	/* UEFI: Debian's iPXE hands initrds to the EFI stub by name only */
	for (size_t i = 0; i < b->n_initrd; i++) {
		api_image_name(b->initrd[i], nm, sizeof nm);
		if (buf_appendf(buf, cap, &o, " initrd=%s", nm))
			return -ENOBUFS;
	}
	if ((n && buf_appendf(buf, cap, &o, " %s", cmd)) || buf_appendf(buf, cap, &o, "\n"))
		return -ENOBUFS;
	for (size_t i = 0; i < b->n_initrd; i++)
		if (buf_appendf(buf, cap, &o, "initrd ") ||
		    api_name_url(buf, cap, &o, hp, b->initrd[i]) || buf_appendf(buf, cap, &o, "\n"))
			return -ENOBUFS;
	if (buf_appendf(buf, cap, &o, "boot\n"))
		return -ENOBUFS;
	return (int)o;
}

/* --api's scripts: "HOST/MACHEX/boot.ipxe" (after "lifeboat/api/"), from
 * the machine's last answer. */
static int lookup_api(const struct bootplan *p, const char *rest, char *buf, size_t cap,
		      struct bootplan_file *out)
{
	char host[INET6_ADDRSTRLEN];
	uint8_t mac[6];
	const char *slash = strchr(rest, '/');
	size_t n = slash ? (size_t)(slash - rest) : 0;
	if (!p->api || !slash || !n || n >= sizeof host || strlen(slash + 1) != 12 + 10 ||
	    strcmp(slash + 13, "/boot.ipxe"))
		return -ENOENT;
	memcpy(host, rest, n);
	host[n] = 0;
	for (int i = 0; i < 6; i++) {
		unsigned v;
		char hx[3] = {slash[1 + 2 * i], slash[2 + 2 * i], 0};
		if (!((hx[0] >= '0' && hx[0] <= '9') || (hx[0] >= 'a' && hx[0] <= 'f')) ||
		    !((hx[1] >= '0' && hx[1] <= '9') || (hx[1] >= 'a' && hx[1] <= 'f')) ||
		    sscanf(hx, "%2x", &v) != 1)
			return -ENOENT;
		mac[i] = (uint8_t)v;
	}
	const struct api_boot *b = p->api->latest(p->api->arg, mac);
	int k = b ? bootplan_api_script(b, host, p->http_port, buf, cap) : -ENOENT;
	if (k < 0)
		return -ENOENT;
	out->text = buf;
	out->text_len = (size_t)k;
	return 0;
}

int bootplan_lookup(const struct bootplan *p, const char *clean, char *buf, size_t cap,
		    struct bootplan_file *out)
{
	static const char prefix[] = BOOTPLAN_PREFIX;
	size_t pn = sizeof prefix - 1;
	memset(out, 0, sizeof *out);
	if (p->grub) {
		int r = lookup_grub(p, clean, buf, cap, out);
		if (r != BOOT_PASS)
			return r;
	}
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
		/* Only the images named in the arch table (and ipxe6), never a
		 * free path. */
		size_t n;
		const struct pxe_arch *t = pxe_arch_table(&n);
		if (!p->ipxe_dir)
			return -ENOENT;
		for (size_t i = 0; i <= n; i++) {
			const char *img = i < n ? t[i].ipxe : p->ipxe6;
			if (img && !strcmp(rest + 5, img)) {
				int k = snprintf(buf, cap, "%s/%s", p->ipxe_dir, img);
				if (k < 0 || (size_t)k >= cap)
					return -ENOENT;
				out->host_path = buf;
				return 0;
			}
		}
		return -ENOENT;
	}
	if (p->api_url && !strncmp(rest, "api/", 4))
		return lookup_api(p, rest + 4, buf, cap, out);
	if (!p->kernel)
		return -ENOENT;
	if (p->rescue)
		return lookup_rescue(p, rest, buf, cap, out);
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

int bootplan_add_menu(struct bootplan *p, const char *spec, const char **err)
{
	const char *eq = strchr(spec, '=');
	struct bootplan_menu_item it;
	memset(&it, 0, sizeof it);
	if (!eq || eq == spec || !eq[1]) {
		*err = "expected LABEL=ARCH:FILE or LABEL=ARCH:local";
		return -EINVAL;
	}
	size_t ln = (size_t)(eq - spec);
	if (ln >= sizeof it.label) {
		*err = "label longer than 63 characters";
		return -EINVAL;
	}
	for (size_t i = 0; i < ln; i++) {
		if ((unsigned char)spec[i] < 0x20 || (unsigned char)spec[i] > 0x7e) {
			*err = "label must be printable ASCII (firmware menus show nothing else)";
			return -EINVAL;
		}
	}
	memcpy(it.label, spec, ln);
	const char *act = eq + 1;
	const char *colon = strchr(act, ':');
	char key[32];
	size_t kn = colon ? (size_t)(colon - act) : 0;
	if (!colon || kn == 0 || kn >= sizeof key || !colon[1]) {
		*err = "expected LABEL=ARCH:FILE or LABEL=ARCH:local";
		return -EINVAL;
	}
	memcpy(key, act, kn);
	key[kn] = 0;
	const struct pxe_arch *a = pxe_arch_by_key(key);
	if (!a || a->http || a->fw == PXE_FW_RPI) {
		*err = "unknown architecture, or one whose firmware shows no PXE menu "
		       "(HTTP boot, rpi)";
		return -EINVAL;
	}
	it.key = a->key;
	it.file = strcmp(colon + 1, "local") ? colon + 1 : NULL;
	if (p->n_menu == BOOTPLAN_MAX_MENU) {
		*err = "too many --menu items (16 at most)";
		return -E2BIG;
	}
	/* Boot server types are 16-bit numbers sent big-endian; iPXE reads
	 * the menu's types little-endian but the boot server list and 43.71
	 * big-endian, so a type whose two bytes are equal (0x8080, 0x8181,
	 * ...: vendor range 0x8000-0xfffe) reads the same either way. */
	it.type = it.file ? (uint16_t)(0x8080 + 0x0101 * p->n_menu) : 0;
	p->menu[p->n_menu++] = it;
	return 0;
}

size_t bootplan_menu_for(const struct bootplan *p, const struct pxe_client *c,
			 const struct bootplan_menu_item **items, size_t max)
{
	size_t n = 0;
	if (!p->n_menu || c->http || c->ai->fw == PXE_FW_RPI || bootplan_host_for(p, c->mac))
		return 0;
	/* iPXE shows PXE menus too, but an iPXE that lifeboat chain-loaded
	 * (kernel mode, --boot ipxe) must get its script, not the menu again */
	if (c->ipxe && (p->kernel || bootplan_file_for(p, "ipxe")))
		return 0;
	for (size_t i = 0; i < p->n_menu && n < max; i++)
		if (!strcmp(p->menu[i].key, c->ai->key))
			items[n++] = &p->menu[i];
	return n;
}

const struct bootplan_menu_item *bootplan_menu_by_type(const struct bootplan *p, uint16_t type)
{
	for (size_t i = 0; type && i < p->n_menu; i++)
		if (p->menu[i].type == type)
			return &p->menu[i];
	return NULL;
}

const char *bootplan_menu_prompt(const struct bootplan *p)
{
	return p->menu_prompt ? p->menu_prompt : "Press F8 for the boot menu";
}

uint8_t bootplan_menu_timeout(const struct bootplan *p)
{
	return p->menu_timeout_set ? p->menu_timeout : BOOTPLAN_MENU_TIMEOUT_DEFAULT;
}

int bootplan_menu_check(const struct bootplan *p, char *err, size_t cap)
{
	for (size_t k = 0; k < p->n_menu; k++) {
		const char *key = p->menu[k].key;
		bool seen = false;
		for (size_t j = 0; j < k; j++)
			seen = seen || !strcmp(p->menu[j].key, key);
		if (seen)
			continue; /* this architecture's menu was checked already */
		struct pxe_menu m = {.prompt = bootplan_menu_prompt(p),
				     .timeout = bootplan_menu_timeout(p)};
		for (size_t i = 0; i < p->n_menu; i++) {
			if (strcmp(p->menu[i].key, key))
				continue;
			m.type[m.n] = p->menu[i].type;
			m.label[m.n++] = p->menu[i].label;
		}
		uint8_t v[512];
		static const uint8_t ip[4];
		int len = pxe_menu_encode(v, sizeof v, &m, ip);
		if (len < 0 || len > 255) {
			size_t need = 3 + 2 + 2 + 1 + 2 + strlen(m.prompt) + 1;
			for (size_t i = 0; i < m.n; i++)
				need += (m.type[i] ? 7 : 0) + 3 + strlen(m.label[i]);
			snprintf(
			    err, cap,
			    "the %s menu needs %zu bytes of DHCP option 43, more than the 255 "
			    "one option holds: use fewer or shorter --menu labels or a shorter "
			    "--menu-prompt",
			    key, need);
			return -E2BIG;
		}
	}
	return 0;
}

int bootplan_choose_item(const struct bootplan *p, const struct pxe_client *c,
			 const struct bootplan_menu_item *it, const uint8_t ip[4],
			 struct boot_choice *out)
{
	const struct bootplan_host *h = bootplan_host_for(p, c->mac);
	out->file[0] = 0;
	out->why = "menu item";
	out->rule = "menu";
	if (h && h->ignore) {
		out->why = "ignored by a --host rule";
		return -EPERM;
	}
	if (!it->file) {
		out->why = "local boot item: the client boots from disk, nothing to serve";
		return -ENOENT;
	}
	char host[16];
	struct boot_target t = {.why = ""};
	snprintf(host, sizeof host, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
	target_configured(&t, it->file, "menu item");
	return deliver(p, c, host, &t, out);
}
