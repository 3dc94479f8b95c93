/* serve_files: TFTP and HTTP wiring. Both servers resolve client paths the
 * same way: names under "lifeboat/" come from the boot plan (iPXE images,
 * the kernel and initrds named on the command line, the generated script),
 * everything else from ROOT. Host files are opened once, before privileges
 * are dropped, and handed to the servers as file descriptors (they dup them
 * per transfer), so a kernel readable only by root still boots. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netinet/in.h>

#include "netboot/grub.h"
#include "netboot/fdlimit.h"
#include "netboot/http.h"
#include "netboot/rpi.h"
#include "netboot/serve.h"
#include "netboot/tftp.h"

static void serve_hostfiles_close(struct serve_hostfiles *h)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].fd >= 0)
			close(h->v[i].fd);
	free(h->v);
	memset(h, 0, sizeof *h);
}

static int serve_hostfiles_add(struct serve_hostfiles *h, const char *path, bool must)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->v[i].path, path))
			return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		int e = fd < 0 ? errno : EINVAL;
		if (fd >= 0)
			close(fd);
		if (must)
			log_err("serve.error file=%s reason=\"%s\"", path, strerror(e));
		return must ? -e : 0;
	}
	struct serve_hostfile *v = realloc(h->v, (h->n + 1) * sizeof *v);
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

/* Opens every file outside ROOT the plan can hand out. */
static int serve_hostfiles_open(struct serve_hostfiles *h, const struct bootplan *p)
{
	size_t n;
	const struct pxe_arch *t = pxe_arch_table(&n);
	memset(h, 0, sizeof *h);
	if (p->kernel) {
		int r = serve_hostfiles_add(h, p->kernel, true);
		for (size_t i = 0; !r && i < p->n_initrd; i++)
			r = serve_hostfiles_add(h, p->initrd[i], true);
		if (r) {
			serve_hostfiles_close(h);
			return r;
		}
	}
	if (p->grub_signed) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", p->grub_dir, GRUB_SIGNED_SUBPATH);
		serve_hostfiles_add(h, GRUB_SHIM_PATH, false);
		serve_hostfiles_add(h, path, false);
	}
	for (size_t i = 0; p->ipxe_dir && i < n; i++) {
		char path[512];
		if (!t[i].ipxe)
			continue;
		snprintf(path, sizeof path, "%s/%s", p->ipxe_dir, t[i].ipxe);
		serve_hostfiles_add(h, path, false);
	}
	if (p->ipxe_dir && p->ipxe6) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", p->ipxe_dir, p->ipxe6);
		serve_hostfiles_add(h, path, false);
	}
	return 0;
}

static const struct serve_hostfile *serve_hostfile_find(const struct serve_hostfiles *h,
							const char *path)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->v[i].path, path))
			return &h->v[i];
	return NULL;
}

/* --grub names: a core image (fd kept by st->grub) or a file beneath a
 * module tree, opened now (*owned: the caller closes it once the server
 * has its dup). */
static int serve_lookup_grub(struct serve_state *st, const struct bootplan_file *f, int *fd,
			     uint64_t *size, bool *owned)
{
	if (f->grub_core) {
		const struct serve_grub_image *g =
		    serve_grub_find(&st->grub, f->grub_core - 1, f->grub_ip);
		if (!g) {
			log_warn("serve.warn grub_ip=%u.%u.%u.%u reason=\"no GRUB core built for "
				 "this address (it appeared after start-up: restart lifeboat)\"",
				 f->grub_ip[0], f->grub_ip[1], f->grub_ip[2], f->grub_ip[3]);
			return -ENOENT;
		}
		*fd = g->fd;
		*size = g->size;
		return 1;
	}
	struct stat sb;
	const struct fsroot *tree = &st->grub.tree[f->grub_tree - 1];
	int gfd = tree->dirfd < 0 ? -ENOENT : fsroot_open(tree, f->grub_rel, &sb);
	if (gfd < 0)
		return gfd == -ENOTDIR ? -ENOENT : gfd;
	*fd = gfd;
	*size = (uint64_t)sb.st_size;
	*owned = true;
	return 1;
}

/* The client's IPv4 address (plain or v4-mapped), or NULL. */
static const uint8_t *serve_peer_ip4(const struct sockaddr *peer)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (peer && peer->sa_family == AF_INET)
		return (const uint8_t *)&((const struct sockaddr_in *)peer)->sin_addr;
	if (peer && peer->sa_family == AF_INET6) {
		const uint8_t *a = ((const struct sockaddr_in6 *)peer)->sin6_addr.s6_addr;
		return memcmp(a, mapped, 12) ? NULL : a + 12;
	}
	return NULL;
}

/* Root mode's grub.cfg search (grub_cfg_search) in ROOT: the first that
 * exists, opened (*owned). */
static int serve_lookup_grub_cfg(struct serve_state *st, const struct bootplan_file *f,
				 const struct sockaddr *peer, int *fd, uint64_t *size, bool *owned)
{
	char names[GRUB_SEARCH_MAX][GRUB_SEARCH_NAME];
	const uint8_t *ip = serve_peer_ip4(peer);
	size_t n =
	    grub_cfg_search(f->grub_has_mac ? f->grub_mac : NULL, ip, names, GRUB_SEARCH_MAX);
	for (size_t i = 0; st->opts->root && i < n; i++) {
		struct stat sb;
		int cfd = fsroot_open(&st->root, names[i], &sb);
		if (cfd < 0)
			continue;
		log_info("serve.grub cfg=%s reason=\"first of GRUB's search order in ROOT\"",
			 names[i]);
		*fd = cfd;
		*size = (uint64_t)sb.st_size;
		*owned = true;
		return 1;
	}
	log_warn("serve.warn reason=\"--grub: no grub/grub.cfg (nor a per-client one) under ROOT: "
		 "GRUB stops at its prompt\"");
	return -ENOENT;
}

static void serve_close_cookie(void *cookie)
{
	close((int)(intptr_t)cookie);
}

/* The shared part of both lookup hooks. 1: fd or text set; 0: not ours,
 * look in ROOT; -ENOENT: a reserved name that names nothing. */
static int serve_lookup(struct serve_state *st, const char *clean, const struct sockaddr *peer,
			int *fd, uint64_t *size, char **text, size_t *text_len, bool *owned)
{
	char buf[4096];
	struct bootplan_file f;
	*fd = -1;
	*text = NULL;
	*owned = false;
	bool reserved = !strncmp(clean, BOOTPLAN_PREFIX, sizeof BOOTPLAN_PREFIX - 1);
	if (!reserved && st->opts->root && !strcmp(clean, BOOTPLAN_PXELINUX_CFG)) {
		/* kernel mode's pxelinux.cfg/default only when ROOT has none */
		struct stat sb;
		int rfd = fsroot_open(&st->root, clean, &sb);
		if (rfd >= 0) {
			close(rfd);
			return 0;
		}
	}
	int r = bootplan_lookup(&st->opts->plan, clean, buf, sizeof buf, &f);
	if (r < 0)
		return reserved ? -ENOENT : 0;
	if (f.grub_core || f.grub_tree)
		return serve_lookup_grub(st, &f, fd, size, owned);
	if (f.grub_client_cfg)
		return serve_lookup_grub_cfg(st, &f, peer, fd, size, owned);
	if (f.host_path) {
		const struct serve_hostfile *h = serve_hostfile_find(&st->hostfiles, f.host_path);
		if (!h)
			return -ENOENT;
		*fd = h->fd;
		*size = h->size;
		return 1;
	}
	/* generated text: a copy per transfer, freed when it is done */
	*text = malloc(f.text_len ? f.text_len : 1);
	if (!*text)
		return -ENOMEM;
	memcpy(*text, f.text, f.text_len);
	*text_len = f.text_len;
	return 1;
}

/* Raspberry Pi device folders (rpi.h): "<serial>/F" or "<mac>/F" that does
 * not exist under ROOT is served from ROOT/F. 1 and *vf set, or 0 (look the
 * name up as it is: it exists, or it gets "not found"). */
static int serve_rpi_overlay(struct serve_state *st, const char *clean, const struct sockaddr *peer,
			     struct tftp_vfile *vf)
{
	size_t pl = st->opts->root ? rpi_tftp_prefix(clean) : 0;
	struct stat sb;
	if (!pl)
		return 0;
	int fd = fsroot_open(&st->root, clean, &sb);
	if (fd >= 0) {
		close(fd); /* the device's own file wins */
		return 0;
	}
	fd = fsroot_open(&st->root, clean + pl, &sb);
	if (fd < 0)
		return 0;
	char ip[INET6_ADDRSTRLEN] = "?";
	if (peer->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)peer)->sin6_addr,
			  ip, sizeof ip);
	else if (peer->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)peer)->sin_addr, ip,
			  sizeof ip);
	log_info("tftp.rpi-root client=%s file=%s served=%s reason=\"no %.*s folder entry: "
		 "the root's file\"",
		 ip, clean, clean + pl, (int)pl - 1, clean);
	memset(vf, 0, sizeof *vf);
	vf->has_fd = true;
	vf->fd = fd;
	vf->len = (size_t)sb.st_size;
	vf->release = serve_close_cookie;
	vf->cookie = (void *)(intptr_t)fd;
	return 1;
}

static int serve_tftp_lookup(void *arg, const char *clean, const struct sockaddr *peer,
			     struct tftp_vfile *vf)
{
	int fd;
	uint64_t size;
	char *text;
	size_t tl;
	bool owned;
	int r = serve_lookup(arg, clean, peer, &fd, &size, &text, &tl, &owned);
	if (r == 0)
		return serve_rpi_overlay(arg, clean, peer, vf);
	if (r < 0)
		return r;
	memset(vf, 0, sizeof *vf);
	if (text) {
		vf->data = text;
		vf->len = tl;
		vf->release = free;
		vf->cookie = text;
	} else {
		vf->has_fd = true;
		vf->fd = fd;
		vf->len = (size_t)size;
		if (owned) {
			vf->release = serve_close_cookie;
			vf->cookie = (void *)(intptr_t)fd;
		}
	}
	return 1;
}

static int serve_http_lookup(void *arg, const char *clean, const struct sockaddr *peer,
			     struct http_vfile *vf)
{
	int fd;
	uint64_t size;
	char *text;
	size_t tl;
	bool owned;
	int r = serve_lookup(arg, clean, peer, &fd, &size, &text, &tl, &owned);
	if (r <= 0)
		return r;
	memset(vf, 0, sizeof *vf);
	if (text) {
		vf->data = text;
		vf->len = tl;
		vf->content_type = "text/plain";
		vf->release = free;
		vf->cookie = text;
	} else {
		vf->has_fd = true;
		vf->fd = fd;
		vf->len = (size_t)size;
		if (owned) {
			vf->release = serve_close_cookie;
			vf->cookie = (void *)(intptr_t)fd;
		}
	}
	return 1;
}

static bool serve_accept_ifindex(void *arg, int ifindex)
{
	struct serve_state *st = arg;
	if (iface_by_index(&st->ifs, ifindex))
		return true;
	if (st->ifs.n_want)
		return false;
	const char *missing;
	iface_scan(&st->ifs, &missing);
	return iface_by_index(&st->ifs, ifindex) != NULL;
}

int serve_files_start(struct serve_state *st, const struct serve_opts *o)
{
	int r = serve_hostfiles_open(&st->hostfiles, &o->plan);
	if (r)
		return r;
	r = serve_grub_start(&st->grub, &o->plan, &st->ifs, o->tftp_port);
	if (r)
		return r;
	/* Enough descriptors for the caps (or caps that fit), before the
	 * privilege drop takes the right to raise the limit away. */
	unsigned tftp_max = o->max_transfers, http_max = o->plan.http ? o->max_transfers : 0;
	struct fdlimit_plan fp;
	r = fdlimit_apply(&tftp_max, &http_max, &fp);
	if (fp.shrunk || r)
		log_warn("serve.fds limit=%llu tftp_max=%u http_max=%u reason=\"RLIMIT_NOFILE too low "
			 "for --max-transfers %u%s%s\"",
			 (unsigned long long)fp.soft, tftp_max, http_max, o->max_transfers,
			 r ? ": " : "", r ? strerror(-r) : "");
	else
		log_info("serve.fds limit=%llu tftp_max=%u http_max=%u",
			 (unsigned long long)fp.soft, tftp_max, http_max);
	unsigned mtu = 0;
	for (size_t i = 0; i < st->ifs.n; i++)
		if (st->ifs.v[i].mtu > mtu)
			mtu = st->ifs.v[i].mtu;
	if (o->plan.tftp) {
		struct tftp_config tc = {
		    .root = o->root ? &st->root : NULL,
		    .port = o->tftp_port,
		    .max_blksize = mtu > 32 ? mtu - 32 : 1468,
		    .max_transfers = tftp_max,
		    .single_port = o->tftp_single_port,
		    .accept_ifindex = serve_accept_ifindex,
		    .accept_arg = st,
		    .lookup = serve_tftp_lookup,
		    .lookup_arg = st,
		};
		r = tftp_server_start(&st->tftp, &st->loop, &tc);
		if (r) {
			serve_explain_bind("udp", o->tftp_port, r, "tftp");
			return r;
		}
	}
	if (o->plan.http) {
		struct http_config hc = {
		    .root = o->root ? &st->root : NULL,
		    .port = o->plan.http_port,
		    .max_conns = http_max,
		    .ifaces = st->ifnames,
		    .n_ifaces = st->ifs.n_want,
		    .obs = &st->xfer_obs,
		    .lookup = serve_http_lookup,
		    .lookup_arg = st,
		};
		r = http_server_start(&st->http, &st->loop, &hc);
		if (r) {
			serve_explain_bind("tcp", o->plan.http_port, r, "http");
			return r;
		}
	}
	return 0;
}

void serve_files_stop(struct serve_state *st)
{
	if (st->tftp)
		tftp_server_stop(st->tftp);
	if (st->http)
		http_server_stop(st->http);
	st->tftp = NULL;
	st->http = NULL;
	serve_hostfiles_close(&st->hostfiles);
	serve_grub_stop(&st->grub);
}

int serve_files_reload(struct serve_state *st, const struct serve_opts *n)
{
	struct serve_hostfiles h;
	int r = serve_hostfiles_open(&h, &n->plan);
	if (r)
		return r;
	/* transfers in flight hold their own dups of the old descriptors */
	serve_hostfiles_close(&st->hostfiles);
	st->hostfiles = h;
	return 0;
}
