/* bootfiles: the ordered table of sources behind every served path. */
#include "netboot/bootfiles.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "netboot/grub.h"
#include "netboot/pxe.h"
#include "netboot/rpi.h"

/* One resolution: the request, and the boot plan's answer computed once
 * for the rows that share it. */
struct bootfiles_call {
	const char *clean;
	const struct sockaddr *peer;
	enum bootfiles_proto proto;
	int plan_r; /* bootplan_lookup's result, 1 when not asked yet */
	struct bootplan_file pf;
	char text[4096];
};

/* ---- host files ---- */

void bootfiles_host_close(struct bootfiles_hostfiles *h)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].fd >= 0)
			close(h->v[i].fd);
	free(h->v);
	memset(h, 0, sizeof *h);
}

static int bootfiles_host_add(struct bootfiles_hostfiles *h, const char *path, bool must)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->v[i].path, path))
			return 0;
	/* an image serve made in a memfd (serve_rescue) is dup'ed: once
	 * sandboxed, /proc/self/fd cannot be opened again on reload */
	int fd = strncmp(path, "/proc/self/fd/", 14) ? open(path, O_RDONLY | O_CLOEXEC)
						     : fcntl(atoi(path + 14), F_DUPFD_CLOEXEC, 3);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		int e = fd < 0 ? errno : EINVAL;
		if (fd >= 0)
			close(fd);
		if (must)
			log_err("serve.error file=%s reason=\"%s\"", path, strerror(e));
		return must ? -e : 0;
	}
	struct bootfiles_hostfile *v = realloc(h->v, (h->n + 1) * sizeof *v);
	if (!v) {
		close(fd);
		return -ENOMEM;
	}
	h->v = v;
	snprintf(v[h->n].path, sizeof v[h->n].path, "%s", path);
	v[h->n].fd = fd;
	v[h->n].size = (uint64_t)st.st_size;
	h->n++;
	return 0;
}

int bootfiles_host_open(struct bootfiles_hostfiles *h, const struct bootplan *p)
{
	size_t n;
	const struct pxe_arch *t = pxe_arch_table(&n);
	char path[512];
	memset(h, 0, sizeof *h);
	if (p->kernel) {
		int r = bootfiles_host_add(h, p->kernel, true);
		for (size_t i = 0; !r && i < p->n_initrd; i++)
			r = bootfiles_host_add(h, p->initrd[i], true);
		if (!r && p->rescue && p->rescue_image)
			r = bootfiles_host_add(h, p->rescue_image, true);
		if (r) {
			bootfiles_host_close(h);
			return r;
		}
	}
	if (p->grub_signed) {
		snprintf(path, sizeof path, "%s/%s", p->grub_dir, GRUB_SIGNED_SUBPATH);
		bootfiles_host_add(h, GRUB_SHIM_PATH, false);
		bootfiles_host_add(h, path, false);
	}
	for (size_t i = 0; p->ipxe_dir && i < n; i++) {
		if (!t[i].ipxe)
			continue;
		snprintf(path, sizeof path, "%s/%s", p->ipxe_dir, t[i].ipxe);
		bootfiles_host_add(h, path, false);
	}
	if (p->ipxe_dir && p->ipxe6) {
		snprintf(path, sizeof path, "%s/%s", p->ipxe_dir, p->ipxe6);
		bootfiles_host_add(h, path, false);
	}
	return 0;
}

const struct bootfiles_grub_image *bootfiles_grub_find(const struct bootfiles_grub *g, int target,
						       const uint8_t ip[4])
{
	for (size_t i = 0; i < g->n; i++)
		if ((target < 0 || g->v[i].target == target) && !memcmp(g->v[i].ip, ip, 4))
			return &g->v[i];
	return NULL;
}

/* ---- file objects ---- */

/* A descriptor handed over to the transport (it closes it). */
static int bootfile_owned_fd(struct bootfile *f, int fd, uint64_t size)
{
	f->has_fd = f->give_fd = true;
	f->fd = fd;
	f->len = (size_t)size;
	return 1;
}

/* A descriptor kept by the resolver (the transport dups it). */
static int bootfile_kept_fd(struct bootfile *f, int fd, uint64_t size)
{
	f->has_fd = true;
	f->fd = fd;
	f->len = (size_t)size;
	return 1;
}

/* The client's IPv4 address (plain or v4-mapped), or NULL. */
static const uint8_t *bootfiles_peer_ip4(const struct sockaddr *peer)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (peer && peer->sa_family == AF_INET)
		return (const uint8_t *)&((const struct sockaddr_in *)(const void *)peer)->sin_addr;
	if (peer && peer->sa_family == AF_INET6) {
		const uint8_t *a =
		    ((const struct sockaddr_in6 *)(const void *)peer)->sin6_addr.s6_addr;
		return memcmp(a, mapped, 12) ? NULL : a + 12;
	}
	return NULL;
}

static void bootfiles_plan_lookup(const struct bootfiles *b, struct bootfiles_call *c)
{
	if (c->plan_r == 1)
		c->plan_r = bootplan_lookup(b->plan, c->clean, c->text, sizeof c->text, &c->pf);
}

/* ---- the rows ---- */

/* Generated files and files outside ROOT named by the plan. */
static int bootfiles_row_plan(const struct bootfiles *b, struct bootfiles_call *c,
			      struct bootfile *f)
{
	bool reserved = !strncmp(c->clean, BOOTPLAN_PREFIX, sizeof BOOTPLAN_PREFIX - 1);
	if (!reserved && b->root && !strcmp(c->clean, BOOTPLAN_PXELINUX_CFG)) {
		/* kernel mode's pxelinux.cfg/default only when ROOT has none */
		struct stat sb;
		int rfd = fsroot_open(b->root, c->clean, &sb);
		if (rfd >= 0) {
			close(rfd);
			return 0;
		}
	}
	bootfiles_plan_lookup(b, c);
	if (c->plan_r < 0)
		return reserved ? -ENOENT : 0;
	if (c->pf.grub_core || c->pf.grub_tree || c->pf.grub_client_cfg)
		return 0; /* the grub row's */
	if (c->pf.host_path) {
		for (size_t i = 0; i < b->host.n; i++)
			if (!strcmp(b->host.v[i].path, c->pf.host_path))
				return bootfile_kept_fd(f, b->host.v[i].fd, b->host.v[i].size);
		return -ENOENT;
	}
	/* generated text: a copy per transfer, freed when it is done */
	char *text = malloc(c->pf.text_len ? c->pf.text_len : 1);
	if (!text)
		return -ENOMEM;
	memcpy(text, c->pf.text, c->pf.text_len);
	f->data = text;
	f->len = c->pf.text_len;
	f->content_type = "text/plain";
	f->release = free;
	f->cookie = text;
	return 1;
}

/* Root mode's grub.cfg search (grub_cfg_search) in ROOT: the first that
 * exists. */
static int bootfiles_grub_cfg(const struct bootfiles *b, struct bootfiles_call *c,
			      struct bootfile *f)
{
	char names[GRUB_SEARCH_MAX][GRUB_SEARCH_NAME];
	const uint8_t *ip = bootfiles_peer_ip4(c->peer);
	size_t n =
	    grub_cfg_search(c->pf.grub_has_mac ? c->pf.grub_mac : NULL, ip, names, GRUB_SEARCH_MAX);
	for (size_t i = 0; b->root && i < n; i++) {
		struct stat sb;
		int cfd = fsroot_open(b->root, names[i], &sb);
		if (cfd < 0)
			continue;
		log_info("serve.grub cfg=%s reason=\"first of GRUB's search order in ROOT\"",
			 names[i]);
		return bootfile_owned_fd(f, cfd, (uint64_t)sb.st_size);
	}
	log_warn("serve.warn reason=\"--grub: no grub/grub.cfg (nor a per-client one) under ROOT: "
		 "GRUB stops at its prompt\"");
	return -ENOENT;
}

/* --grub: a core image built for the address the client reached, a file
 * beneath a module tree, or the per-client grub.cfg. */
static int bootfiles_row_grub(const struct bootfiles *b, struct bootfiles_call *c,
			      struct bootfile *f)
{
	bootfiles_plan_lookup(b, c);
	if (c->plan_r < 0)
		return 0;
	const struct bootplan_file *pf = &c->pf;
	if (pf->grub_client_cfg)
		return bootfiles_grub_cfg(b, c, f);
	if (pf->grub_core) {
		const struct bootfiles_grub_image *g =
		    bootfiles_grub_find(&b->grub, pf->grub_core - 1, pf->grub_ip);
		if (!g) {
			log_warn("serve.warn grub_ip=%u.%u.%u.%u reason=\"no GRUB core built for "
				 "this address (it appeared after start-up: restart lifeboat)\"",
				 pf->grub_ip[0], pf->grub_ip[1], pf->grub_ip[2], pf->grub_ip[3]);
			return -ENOENT;
		}
		return bootfile_kept_fd(f, g->fd, g->size);
	}
	if (!pf->grub_tree)
		return 0;
	struct stat sb;
	const struct fsroot *tree = &b->grub.tree[pf->grub_tree - 1];
	int gfd = tree->dirfd < 0 ? -ENOENT : fsroot_open(tree, pf->grub_rel, &sb);
	if (gfd < 0)
		return gfd == -ENOTDIR ? -ENOENT : gfd;
	return bootfile_owned_fd(f, gfd, (uint64_t)sb.st_size);
}

/* Raspberry Pi device folders (rpi.h): "<serial>/F" or "<mac>/F" that does
 * not exist under ROOT is served from ROOT/F. */
static int bootfiles_row_rpi(const struct bootfiles *b, struct bootfiles_call *c,
			     struct bootfile *f)
{
	size_t pl = b->root ? rpi_tftp_prefix(c->clean) : 0;
	struct stat sb;
	if (!pl)
		return 0;
	int fd = fsroot_open(b->root, c->clean, &sb);
	if (fd >= 0) {
		close(fd); /* the device's own file wins: the root row serves it */
		return 0;
	}
	fd = fsroot_open(b->root, c->clean + pl, &sb);
	if (fd < 0)
		return 0;
	char ip[INET6_ADDRSTRLEN] = "?";
	if (c->peer->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)(const void *)c->peer)->sin6_addr, ip,
			  sizeof ip);
	else if (c->peer->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)c->peer)->sin_addr,
			  ip, sizeof ip);
	log_info("tftp.rpi-root client=%s file=%s served=%s reason=\"no %.*s folder entry: "
		 "the root's file\"",
		 ip, c->clean, c->clean + pl, (int)pl - 1, c->clean);
	return bootfile_owned_fd(f, fd, (uint64_t)sb.st_size);
}

/* The boot menu: its scripts, ISO contents, --entry files (netmenu.h). */
static int bootfiles_row_menu(const struct bootfiles *b, struct bootfiles_call *c,
			      struct bootfile *f)
{
	return b->menu ? b->menu(b->menu_arg, b->plan, c->clean, f) : 0;
}

/* Everything else: beneath ROOT, or nothing. */
static int bootfiles_row_root(const struct bootfiles *b, struct bootfiles_call *c,
			      struct bootfile *f)
{
	struct stat sb;
	if (!b->root)
		return -ENOENT;
	int fd = fsroot_open(b->root, c->clean, &sb);
	if (fd < 0)
		return fd;
	bootfile_owned_fd(f, fd, (uint64_t)sb.st_size);
	f->mtime = sb.st_mtim.tv_sec;
	return 1;
}

/* The sources, in order. To add one (ISO contents, a remote URL): write a
 * row function that returns 1 with *f filled when it has the name, 0 to
 * let the next row look, -errno to refuse, and add it here. */
static const struct bootfiles_row {
	const char *name;
	unsigned protos; /* mask of enum bootfiles_proto */
	int (*resolve)(const struct bootfiles *b, struct bootfiles_call *c, struct bootfile *f);
} bootfiles_rows[] = {
    {"menu", BOOTFILES_TFTP | BOOTFILES_HTTP, bootfiles_row_menu},
    {"plan", BOOTFILES_TFTP | BOOTFILES_HTTP, bootfiles_row_plan},
    {"grub", BOOTFILES_TFTP | BOOTFILES_HTTP, bootfiles_row_grub},
    {"rpi", BOOTFILES_TFTP, bootfiles_row_rpi},
    {"root", BOOTFILES_TFTP | BOOTFILES_HTTP, bootfiles_row_root},
};

int bootfiles_resolve(const struct bootfiles *b, enum bootfiles_proto proto, const char *clean,
		      const struct sockaddr *peer, struct bootfile *f)
{
	struct bootfiles_call c = {.clean = clean, .peer = peer, .proto = proto, .plan_r = 1};
	/* plan_r 1: bootplan_lookup not asked yet (it returns 0 or -errno). */
	for (size_t i = 0; i < sizeof bootfiles_rows / sizeof bootfiles_rows[0]; i++) {
		const struct bootfiles_row *row = &bootfiles_rows[i];
		if (!(row->protos & proto))
			continue;
		memset(f, 0, sizeof *f);
		f->fd = -1;
		int r = row->resolve(b, &c, f);
		if (r) {
			f->source = row->name;
			return r < 0 ? r : 1;
		}
	}
	return -ENOENT;
}
