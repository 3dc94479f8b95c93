/* netmenu: ISOs and entries of the boot menu, and the names that serve them. */
#include "netboot/netmenu.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "netboot/grub.h"

#define NETMENU_TEXT_MAX 65536

/* ---- --entry ---- */

static const char *netmenu_base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Copies s[0..n) into dst[cap]: 0, or -EINVAL when it does not fit. */
static int netmenu_copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -EINVAL;
	memcpy(dst, s, n);
	dst[n] = 0;
	return 0;
}

int netmenu_parse_entry(const char *spec, struct netmenu_spec *out, const char **why)
{
	const char *eq = strchr(spec, '=');
	memset(out, 0, sizeof *out);
	*why = "expected LABEL=kernel:FILE[,initrd:FILE]...[,cmdline:STR]";
	if (!eq || eq == spec ||
	    netmenu_copy(out->label, sizeof out->label, spec, (size_t)(eq - spec)))
		return -EINVAL;
	const char *p = eq + 1;
	/* cmdline: is last and may hold commas */
	const char *cl = strstr(p, "cmdline:");
	const char *end = cl ? cl : p + strlen(p);
	if (cl && (cl != p && cl[-1] != ','))
		return -EINVAL;
	if (cl && netmenu_copy(out->cmdline, sizeof out->cmdline, cl + 8, strlen(cl + 8)))
		return -EINVAL;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = comma ? (size_t)(comma - p) : (size_t)(end - p);
		if (n > 7 && !strncmp(p, "kernel:", 7)) {
			if (*out->kernel ||
			    netmenu_copy(out->kernel, sizeof out->kernel, p + 7, n - 7))
				return -EINVAL;
		} else if (n > 7 && !strncmp(p, "initrd:", 7)) {
			if (out->n_initrd == BOOTMENU_MAX_INITRD) {
				*why = "too many initrd: in --entry";
				return -EINVAL;
			}
			if (netmenu_copy(out->initrd[out->n_initrd++], sizeof out->initrd[0], p + 7,
					 n - 7))
				return -EINVAL;
		} else if (n) {
			return -EINVAL;
		}
		p += n + (comma ? 1 : 0);
	}
	if (!*out->kernel) {
		*why = "--entry needs kernel:FILE";
		return -EINVAL;
	}
	return 0;
}

/* ---- ISOs ---- */

struct netmenu_prefix {
	const char *prefix;
	size_t n;
	char *out;
	size_t cap;
	bool found;
};

static int netmenu_prefix_visit(void *arg, const struct iso_entry *e)
{
	struct netmenu_prefix *p = arg;
	if (strncmp(e->name, p->prefix, p->n) || (!e->dir && e->size == 0))
		return 0;
	size_t o = strlen(p->out);
	snprintf(p->out + o, p->cap - o, "%s", e->name);
	p->found = true;
	return 1;
}

int netmenu_iso_find(void *arg, const char *pattern, char *out, size_t cap)
{
	const struct iso_image *img = arg;
	struct iso_entry e;
	const char *why;
	size_t n = strlen(pattern);
	if (!n || n >= cap)
		return 0;
	if (pattern[n - 1] != '*') {
		/* a Rock Ridge symlink is an empty file: not a kernel */
		if (iso_lookup(img, pattern, &e, &why) != 1 || (!e.dir && e.size == 0))
			return 0;
		snprintf(out, cap, "%s", pattern);
		return 1;
	}
	const char *slash = strrchr(pattern, '/');
	size_t dl = slash ? (size_t)(slash - pattern) : 0;
	char dir[ISO_PATH_MAX];
	snprintf(dir, sizeof dir, "%.*s", (int)dl, pattern);
	if (iso_lookup(img, dir, &e, &why) != 1 || !e.dir)
		return 0;
	snprintf(out, cap, "%s%s", dir, dl ? "/" : "");
	struct netmenu_prefix p = {slash ? slash + 1 : pattern, 0, out, cap, false};
	p.n = strlen(p.prefix) - 1;
	iso_list(img, &e, 4096, netmenu_prefix_visit, &p, &why);
	return p.found;
}

struct netmenu_top {
	char *buf;
	size_t cap, o;
};

static int netmenu_top_visit(void *arg, const struct iso_entry *e)
{
	struct netmenu_top *t = arg;
	return buf_appendf(t->buf, t->cap, &t->o, "%s%s%s", t->o ? " " : "", e->name,
			   e->dir ? "/" : "") != 0;
}

/* The error for an ISO of no known layout: what we know, what it has. */
static void netmenu_unknown(const struct netmenu_iso *iso, bool fatal)
{
	if (iso->img.el_torito || iso->loopback_cfg) {
		log_warn("serve.warn iso=%s reason=\"no known layout, but %s: its entry boots the "
			 "whole image (%s%s%s; the booted system must find its files itself, "
			 "which many cannot)\"",
			 iso->path,
			 iso->img.el_torito ? "El Torito bootable" : "with /boot/grub/loopback.cfg",
			 iso->img.el_torito ? "iPXE sanboot: a CD-ROM over HTTP" : "",
			 iso->img.el_torito && iso->loopback_cfg ? "; " : "",
			 iso->loopback_cfg ? "--grub: loopback over HTTP and its loopback.cfg"
					   : "; not in GRUB menus");
		return;
	}
	char known[1024], top[1024] = "";
	struct netmenu_top t = {top, sizeof top, 0};
	struct iso_entry root;
	const char *why;
	isolayout_known(known, sizeof known);
	if (iso_lookup(&iso->img, "", &root, &why) == 1)
		iso_list(&iso->img, &root, 64, netmenu_top_visit, &t, &why);
	log_msg(fatal ? LOG_LVL_ERR : LOG_LVL_WARN,
		"serve.%s iso=%s reason=\"no known layout: lifeboat knows %s; "
		"this ISO's top level has: %s\"",
		fatal ? "error" : "warn", iso->path, known, top);
}

/* URL-safe name from the file name, unique among the ISOs opened. */
static void netmenu_iso_name(struct netmenu *m, const char *path, char *out, size_t cap)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	if (n > 4 && !strcasecmp(b + n - 4, ".iso"))
		n -= 4;
	if (n > cap - 8)
		n = cap - 8;
	for (size_t i = 0; i < n; i++) {
		char c = b[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_' || (c == '.' && i);
		out[i] = ok ? c : '_';
	}
	out[n] = 0;
	for (unsigned k = 2; k < 1000; k++) {
		bool dup = false;
		for (size_t i = 0; i < m->n_isos; i++)
			dup |= !strcmp(m->isos[i].name, out);
		if (!dup)
			return;
		snprintf(out + n, cap - n, "-%u", k);
	}
}

static int netmenu_add_item(struct netmenu *m, struct netmenu_item **out)
{
	if (m->n_items == NETMENU_MAX_ITEMS) {
		log_err("serve.error reason=\"more than %d boot menu entries\"", NETMENU_MAX_ITEMS);
		return -E2BIG;
	}
	struct netmenu_item *it = &m->items[m->n_items];
	memset(it, 0, sizeof *it);
	for (size_t i = 0; i < 1 + BOOTMENU_MAX_INITRD; i++)
		it->fd[i] = -1;
	snprintf(it->id, sizeof it->id, "e%zu", m->n_items);
	it->iso = -1;
	*out = it;
	return 0;
}

static int netmenu_add_iso(struct netmenu *m, const char *path, bool fatal)
{
	struct stat st;
	const char *why = NULL;
	if (m->n_isos == NETMENU_MAX_ISOS) {
		log_err("serve.error iso=%s reason=\"more than %d ISOs\"", path, NETMENU_MAX_ISOS);
		return -E2BIG;
	}
	struct netmenu_iso *iso = &m->isos[m->n_isos];
	memset(iso, 0, sizeof *iso);
	snprintf(iso->path, sizeof iso->path, "%s", path);
	iso->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (iso->fd < 0 || fstat(iso->fd, &st) || !S_ISREG(st.st_mode)) {
		int e = iso->fd < 0 ? errno : EINVAL;
		log_err("serve.error iso=%s reason=\"%s\"", path, strerror(e));
		if (iso->fd >= 0)
			close(iso->fd);
		return fatal ? -e : 0;
	}
	int r = iso_open(&iso->img, iso_pread, &iso->fd, (uint64_t)st.st_size, &why);
	if (r == 0 && isolayout_detect(netmenu_iso_find, &iso->img, &iso->found) != 1) {
		char tmp[ISOLAYOUT_PATH];
		iso->loopback_cfg =
		    netmenu_iso_find(&iso->img, "boot/grub/loopback.cfg", tmp, sizeof tmp) == 1;
		netmenu_unknown(iso, fatal);
		/* the whole image: El Torito (sanboot), loopback.cfg (GRUB) */
		r = iso->img.el_torito || iso->loopback_cfg ? 0 : -ENOENT;
	} else if (r) {
		log_msg(fatal ? LOG_LVL_ERR : LOG_LVL_WARN,
			"serve.%s iso=%s reason=\"not a readable ISO 9660 "
			"image: %s\"",
			fatal ? "error" : "warn", path, why ? why : strerror(-r));
	}
	if (r) {
		close(iso->fd);
		return fatal ? r : 0;
	}
	iso->img.arg = &iso->fd; /* the struct is in its final place */
	netmenu_iso_name(m, path, iso->name, sizeof iso->name);
	struct netmenu_item *it;
	r = netmenu_add_item(m, &it);
	if (r) {
		close(iso->fd);
		return r;
	}
	it->iso = (int)m->n_isos++;
	m->n_items++;
	if (!iso->found.layout) {
		bool et = iso->img.el_torito, lc = iso->loopback_cfg;
		snprintf(it->label, sizeof it->label, "%.60s (whole ISO, %s%s%s)", iso->name,
			 et ? "sanboot" : "", et && lc ? ", " : "", lc ? "loopback.cfg" : "");
		log_info("serve.iso iso=%s name=%s layout=%s%s%s", path, iso->name,
			 et ? "sanboot" : "", et && lc ? "," : "", lc ? "loopback" : "");
		return 0;
	}
	snprintf(it->label, sizeof it->label, "%s (%s)", iso->found.layout->label, iso->name);
	log_info("serve.iso iso=%s name=%s layout=%s kernel=%s initrds=%zu", path, iso->name,
		 iso->found.layout->name, iso->found.kernel, iso->found.n_initrd);
	return 0;
}

static int netmenu_iso_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return d->d_name[0] != '.' && n > 4 && !strcasecmp(d->d_name + n - 4, ".iso");
}

static int netmenu_add_dir(struct netmenu *m, const char *dir)
{
	struct dirent **v;
	int n = scandir(dir, &v, netmenu_iso_filter, alphasort);
	int r = 0;
	if (n < 0) {
		log_err("serve.error iso_dir=%s reason=\"%s\"", dir, strerror(errno));
		return -errno;
	}
	for (int i = 0; i < n; i++) {
		char p[512];
		snprintf(p, sizeof p, "%s/%s", dir, v[i]->d_name);
		if (!r)
			r = netmenu_add_iso(m, p, false);
		free(v[i]);
	}
	free(v);
	return r;
}

/* ---- host files (--entry, the Debian installer) ---- */

static int netmenu_open_host(const char *path, int *fd, uint64_t *size)
{
	struct stat st;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0 || fstat(*fd, &st) || !S_ISREG(st.st_mode)) {
		int e = *fd < 0 ? errno : EINVAL;
		log_err("serve.error file=%s reason=\"%s\"", path, strerror(e));
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -e;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

static int netmenu_add_spec(struct netmenu *m, const struct netmenu_spec *s)
{
	struct netmenu_item *it;
	int r = netmenu_add_item(m, &it);
	if (r)
		return r;
	it->spec = *s;
	snprintf(it->label, sizeof it->label, "%s", s->label);
	r = netmenu_open_host(s->kernel, &it->fd[0], &it->size[0]);
	for (size_t i = 0; !r && i < s->n_initrd; i++)
		r = netmenu_open_host(s->initrd[i], &it->fd[1 + i], &it->size[1 + i]);
	m->n_items++; /* closed by netmenu_close even when one failed */
	return r;
}

/* debian-installer-N-netboot-amd64 (Debian packages): the newest present. */
static int netmenu_add_di(struct netmenu *m, const char *root)
{
	for (int v = 14; v >= 10; v--) {
		struct netmenu_spec s;
		memset(&s, 0, sizeof s);
		snprintf(s.kernel, sizeof s.kernel,
			 "%s/images/%d/amd64/text/debian-installer/amd64/linux", root, v);
		snprintf(s.initrd[0], sizeof s.initrd[0],
			 "%s/images/%d/amd64/text/debian-installer/amd64/initrd.gz", root, v);
		if (access(s.kernel, R_OK) || access(s.initrd[0], R_OK))
			continue;
		s.n_initrd = 1;
		snprintf(s.label, sizeof s.label,
			 "Debian %d installer (debian-installer-%d-netboot)", v, v);
		return netmenu_add_spec(m, &s);
	}
	return 0;
}

/* The lifeboat rescue: the kernel and the image (or a pending build). */
static int netmenu_add_rescue(struct netmenu *m, const struct netmenu_config *cfg)
{
	struct netmenu_item *it;
	int r = netmenu_add_item(m, &it);
	if (r)
		return r;
	m->n_items++; /* closed by netmenu_close even when one failed */
	snprintf(it->id, sizeof it->id, NETMENU_RESCUE_ID);
	snprintf(it->label, sizeof it->label, "lifeboat rescue (%s%s)",
		 cfg->rescue_file ? "" : "built from this host, kernel ",
		 netmenu_base_name(cfg->rescue_file ? cfg->rescue_file : cfg->rescue_kernel));
	it->rescue = true;
	it->spec.n_initrd = 1;
	if (netmenu_copy(it->spec.kernel, sizeof it->spec.kernel, cfg->rescue_kernel,
			 strlen(cfg->rescue_kernel)))
		return -EINVAL;
	snprintf(it->spec.initrd[0], sizeof it->spec.initrd[0], "rescue.img");
	if (cfg->rescue_cmdline)
		snprintf(it->spec.cmdline, sizeof it->spec.cmdline, "%s", cfg->rescue_cmdline);
	r = netmenu_open_host(cfg->rescue_kernel, &it->fd[0], &it->size[0]);
	if (!r && cfg->rescue_file)
		r = netmenu_open_host(cfg->rescue_file, &it->fd[1], &it->size[1]);
	it->pending = !cfg->rescue_file;
	return r;
}

void netmenu_rescue_ready(struct netmenu *m, int fd, uint64_t size)
{
	for (size_t i = 0; i < m->n_items; i++) {
		struct netmenu_item *it = &m->items[i];
		if (!it->rescue || !it->pending)
			continue;
		if (fd < 0)
			return; /* stays pending: never shown */
		it->fd[1] = fd;
		it->size[1] = size;
		it->pending = false;
		return;
	}
	if (fd >= 0)
		close(fd);
}

int netmenu_open(struct netmenu *m, const struct netmenu_config *cfg)
{
	int r = 0;
	memset(m, 0, sizeof *m);
	m->timeout_s = cfg->timeout_s;
	if (cfg->iso_cmdline && netmenu_copy(m->iso_cmdline, sizeof m->iso_cmdline,
					     cfg->iso_cmdline, strlen(cfg->iso_cmdline))) {
		log_err("serve.error reason=\"--iso-cmdline is longer than %zu bytes\"",
			sizeof m->iso_cmdline - 1);
		return -EINVAL;
	}
	m->isos = calloc(NETMENU_MAX_ISOS, sizeof *m->isos);
	m->items = calloc(NETMENU_MAX_ITEMS, sizeof *m->items);
	if (!m->isos || !m->items)
		r = -ENOMEM;
	if (!r && cfg->rescue_kernel)
		r = netmenu_add_rescue(m, cfg);
	if (!r && cfg->di_root)
		r = netmenu_add_di(m, cfg->di_root);
	for (size_t i = 0; !r && i < cfg->n_entries; i++) {
		struct netmenu_spec s;
		const char *why;
		r = netmenu_parse_entry(cfg->entries[i], &s, &why);
		if (r)
			log_err("serve.error entry=\"%s\" reason=\"%s\"", cfg->entries[i], why);
		else
			r = netmenu_add_spec(m, &s);
	}
	for (size_t i = 0; !r && i < cfg->n_isos; i++)
		r = netmenu_add_iso(m, cfg->isos[i], true);
	for (size_t i = 0; !r && i < cfg->n_iso_dirs; i++)
		r = netmenu_add_dir(m, cfg->iso_dirs[i]);
	if (r)
		netmenu_close(m);
	return r;
}

void netmenu_close(struct netmenu *m)
{
	for (size_t i = 0; m->isos && i < m->n_isos; i++)
		close(m->isos[i].fd);
	for (size_t i = 0; m->items && i < m->n_items; i++)
		for (size_t k = 0; k < 1 + BOOTMENU_MAX_INITRD; k++)
			if (m->items[i].fd[k] >= 0)
				close(m->items[i].fd[k]);
	free(m->isos);
	free(m->items);
	memset(m, 0, sizeof *m);
}

/* ---- served names ---- */

/* Scratch for one menu script: the items with their paths and command lines. */
struct netmenu_scratch {
	struct bootmenu_item items[NETMENU_MAX_ITEMS];
	char path[NETMENU_MAX_ITEMS][1 + BOOTMENU_MAX_INITRD][640];
	char cmd[NETMENU_MAX_ITEMS][1024];
};

/* Item i as the menu shows it in slot j, its URLs on server. */
static void netmenu_item_view(const struct netmenu *m, size_t i, size_t j, const char *server,
			      struct netmenu_scratch *s)
{
	const struct netmenu_item *it = &m->items[i];
	struct bootmenu_item *b = &s->items[j];
	char(*path)[640] = s->path[j];
	char *cmd = s->cmd[j];
	size_t cmdcap = sizeof s->cmd[j];
	b->id = it->id;
	b->label = it->label;
	if (it->iso >= 0 && !m->isos[it->iso].found.layout) {
		const struct netmenu_iso *iso = &m->isos[it->iso];
		snprintf(path[0], sizeof path[0], "/lifeboat/iso/%s.iso", iso->name);
		b->sanboot = iso->img.el_torito ? path[0] : NULL;
		b->loopback = iso->loopback_cfg ? path[0] : NULL;
		cmd[0] = 0;
		b->cmdline = cmd;
		return;
	}
	if (it->iso >= 0) {
		const struct netmenu_iso *iso = &m->isos[it->iso];
		char dir[256], whole[256];
		snprintf(path[0], sizeof path[0], "/lifeboat/iso/%s/%s", iso->name,
			 iso->found.kernel);
		for (size_t k = 0; k < iso->found.n_initrd; k++)
			snprintf(path[1 + k], sizeof path[0], "/lifeboat/iso/%s/%s", iso->name,
				 iso->found.initrd[k]);
		b->n_initrd = iso->found.n_initrd;
		snprintf(dir, sizeof dir, "http://%s/lifeboat/iso/%s", server, iso->name);
		snprintf(whole, sizeof whole, "http://%s/lifeboat/iso/%s.iso", server, iso->name);
		if (isolayout_cmdline(iso->found.layout->cmdline, dir, whole, cmd, cmdcap) < 0)
			cmd[0] = 0;
		size_t cl = strlen(cmd);
		if (*m->iso_cmdline)
			snprintf(cmd + cl, cmdcap - cl, "%s%s", cl ? " " : "", m->iso_cmdline);
	} else {
		snprintf(path[0], sizeof path[0], "/lifeboat/entry/%zu/0/%s", i,
			 netmenu_base_name(it->spec.kernel));
		for (size_t k = 0; k < it->spec.n_initrd; k++)
			snprintf(path[1 + k], sizeof path[0], "/lifeboat/entry/%zu/%zu/%s", i,
				 k + 1, netmenu_base_name(it->spec.initrd[k]));
		b->n_initrd = it->spec.n_initrd;
		/* the rescue phones home here (kernel mode's rescue script) */
		if (it->rescue)
			snprintf(cmd, cmdcap,
				 "lifeboat.home=http://%s console=tty0 console=ttyS0,115200%s%s",
				 server, *it->spec.cmdline ? " " : "", it->spec.cmdline);
		else
			snprintf(cmd, cmdcap, "%s", it->spec.cmdline);
	}
	b->kernel = path[0];
	for (size_t k = 0; k < b->n_initrd; k++)
		b->initrd[k] = path[1 + k];
	b->cmdline = cmd;
}

/* The items shown (built) into s, pick mapped to its slot: their count. */
static size_t netmenu_views(const struct netmenu *m, const char *server, int pick,
			    struct netmenu_scratch *s, int *slot_pick)
{
	size_t n = 0;
	*slot_pick = -1;
	for (size_t i = 0; i < m->n_items; i++) {
		if (m->items[i].pending)
			continue;
		if ((int)i == pick)
			*slot_pick = (int)n;
		netmenu_item_view(m, i, n++, server, s);
	}
	return n;
}

/* The item a --host MAC=entry:NAME rule picks (NAME: label, id or ISO
 * name), or -1. */
static int netmenu_pick(const struct netmenu *m, const struct bootplan *p, const uint8_t mac[6])
{
	const struct bootplan_host *h = bootplan_host_for(p, mac);
	if (!h || (!h->rescue && (!h->file || strncmp(h->file, "entry:", 6))))
		return -1;
	const char *want = h->rescue ? NETMENU_RESCUE_ID : h->file + 6;
	for (size_t i = 0; i < m->n_items; i++) {
		const struct netmenu_item *it = &m->items[i];
		if (!strcmp(it->label, want) || !strcmp(it->id, want) ||
		    (it->iso >= 0 && !strcmp(m->isos[it->iso].name, want))) {
			if (it->pending)
				log_warn("serve.warn entry=\"%s\" reason=\"the rescue image is "
					 "still being built: the menu is shown\"",
					 want);
			return it->pending ? -1 : (int)i;
		}
	}
	log_warn("serve.warn entry=\"%s\" reason=\"--host rule names no menu entry: the menu "
		 "is shown\"",
		 want);
	return -1;
}

static int netmenu_text(struct bootfile *f, char *text, int n)
{
	if (n < 0) {
		free(text);
		return -ENOENT;
	}
	f->data = text;
	f->len = (size_t)n;
	f->content_type = "text/plain";
	f->release = free;
	f->cookie = text;
	return 1;
}

/* "pcbios-52-54-00-12-34-56.ipxe" or "efi-...": the firmware and MAC. */
static int netmenu_parse_client(const char *name, enum bootmenu_fw *fw, uint8_t mac[6])
{
	const char *dash = strchr(name, '-');
	unsigned v[6];
	int used = 0;
	if (!dash)
		return -ENOENT;
	if (!strncmp(name, "efi-", 4))
		*fw = BOOTMENU_EFI;
	else if (!strncmp(name, "pcbios-", 7))
		*fw = BOOTMENU_BIOS;
	else
		return -ENOENT;
	if (sscanf(dash + 1, "%2x-%2x-%2x-%2x-%2x-%2x.ipxe%n", &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5], &used) != 6 ||
	    dash[1 + used] != 0)
		return -ENOENT;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static int netmenu_menu(const struct netmenu *m, const struct bootplan *p, const char *rest,
			struct bootfile *f)
{
	const char *slash = strchr(rest, '/');
	char server[80];
	if (!slash || (size_t)(slash - rest) >= sizeof server || slash == rest)
		return -ENOENT;
	snprintf(server, sizeof server, "%.*s", (int)(slash - rest), rest);
	if (strspn(server, "0123456789abcdefABCDEF.:[]") != strlen(server))
		return -ENOENT;
	char *text = malloc(NETMENU_TEXT_MAX);
	if (!text)
		return -ENOMEM;
	if (!strcmp(slash + 1, "menu.ipxe"))
		return netmenu_text(f, text, bootmenu_ipxe_dispatch(text, NETMENU_TEXT_MAX));
	enum bootmenu_fw fw;
	uint8_t mac[6];
	struct netmenu_scratch *s = calloc(1, sizeof *s);
	if (!s || netmenu_parse_client(slash + 1, &fw, mac)) {
		free(s);
		free(text);
		return s ? -ENOENT : -ENOMEM;
	}
	struct bootmenu bm = {.server = server, .timeout_s = m->timeout_s, .items = s->items};
	bm.n = netmenu_views(m, server, netmenu_pick(m, p, mac), s, &bm.pick);
	int n = bootmenu_ipxe(&bm, fw, text, NETMENU_TEXT_MAX);
	free(s);
	return netmenu_text(f, text, n);
}

/* --grub: the menu as grub.cfg, asked for by name with the client's MAC
 * (grub_cfg_root's configfile), so --host rules pick per MAC. */
static int netmenu_grub_cfg(const struct netmenu *m, const struct bootplan *p,
			    const struct grub_name *g, struct bootfile *f)
{
	char *text = malloc(NETMENU_TEXT_MAX);
	struct netmenu_scratch *s = calloc(1, sizeof *s);
	if (!text || !s) {
		free(text);
		free(s);
		return -ENOMEM;
	}
	struct bootmenu bm = {
	    .server = BOOTMENU_GRUB_SERVER, .timeout_s = m->timeout_s, .items = s->items};
	bm.n = netmenu_views(m, BOOTMENU_GRUB_SERVER, g->has_mac ? netmenu_pick(m, p, g->mac) : -1,
			     s, &bm.pick);
	int n = bootmenu_grub(&bm, NULL, 0, text, NETMENU_TEXT_MAX);
	free(s);
	return netmenu_text(f, text, n);
}

static int netmenu_iso_file(const struct netmenu *m, const char *rest, struct bootfile *f)
{
	const char *slash = strchr(rest, '/');
	size_t nl = slash ? (size_t)(slash - rest) : strlen(rest);
	bool whole = !slash && nl > 4 && !strcmp(rest + nl - 4, ".iso");
	if (whole)
		nl -= 4;
	for (size_t i = 0; i < m->n_isos; i++) {
		const struct netmenu_iso *iso = &m->isos[i];
		if (strlen(iso->name) != nl || strncmp(iso->name, rest, nl))
			continue;
		struct iso_entry e = {.size = iso->img.size};
		const char *why = NULL;
		if (!whole) {
			int r = slash ? iso_lookup(&iso->img, slash + 1, &e, &why) : 0;
			if (r < 0)
				log_warn("serve.warn iso=%s file=%s reason=\"%s\"", iso->path,
					 slash + 1, why ? why : strerror(-r));
			if (r != 1)
				return r < 0 ? -EIO : -ENOENT;
			if (e.dir)
				return -EISDIR;
		}
		f->has_fd = true;
		f->fd = iso->fd; /* kept: the transport dups it */
		f->base = e.offset;
		f->len = (size_t)e.size;
		return 1;
	}
	return -ENOENT;
}

static int netmenu_entry_file(const struct netmenu *m, const char *rest, struct bootfile *f)
{
	unsigned k, i;
	int used = 0;
	if (sscanf(rest, "%u/%u/%n", &k, &i, &used) != 2 || !used || k >= m->n_items ||
	    i > BOOTMENU_MAX_INITRD)
		return -ENOENT;
	const struct netmenu_item *it = &m->items[k];
	if (it->iso >= 0 || (i > 0 && i > it->spec.n_initrd) || it->fd[i] < 0)
		return -ENOENT;
	const char *want = i ? it->spec.initrd[i - 1] : it->spec.kernel;
	if (strcmp(rest + used, netmenu_base_name(want)))
		return -ENOENT;
	f->has_fd = true;
	f->fd = it->fd[i];
	f->len = (size_t)it->size[i];
	return 1;
}

int netmenu_resolve(const struct netmenu *m, const struct bootplan *p, const char *clean,
		    struct bootfile *f)
{
	static const char prefix[] = BOOTPLAN_PREFIX;
	if (!m || strncmp(clean, prefix, sizeof prefix - 1))
		return 0;
	const char *rest = clean + sizeof prefix - 1;
	struct grub_name g;
	if (p->grub && grub_parse_name(clean, &g) == 0 && g.kind == GRUB_NAME_CLIENT_CFG)
		return netmenu_grub_cfg(m, p, &g, f);
	if (!strncmp(rest, "menu/", 5))
		return netmenu_menu(m, p, rest + 5, f);
	if (!strncmp(rest, "iso/", 4))
		return netmenu_iso_file(m, rest + 4, f);
	if (!strncmp(rest, "entry/", 6))
		return netmenu_entry_file(m, rest + 6, f);
	return 0;
}
