/* serve_files: TFTP and HTTP wiring. Both servers resolve client paths the
 * same way: names under "lifeboat/" come from the boot plan (iPXE images,
 * the kernel and initrds named on the command line, the generated script),
 * everything else from ROOT. Host files are opened once, before privileges
 * are dropped, and handed to the servers as file descriptors (they dup them
 * per transfer), so a kernel readable only by root still boots. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netboot/http.h"
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
	for (size_t i = 0; p->ipxe_dir && i < n; i++) {
		char path[512];
		if (!t[i].ipxe)
			continue;
		snprintf(path, sizeof path, "%s/%s", p->ipxe_dir, t[i].ipxe);
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

/* The shared part of both lookup hooks. 1: fd or text set; 0: not ours,
 * look in ROOT; -ENOENT: a reserved name that names nothing. */
static int serve_lookup(struct serve_state *st, const char *clean, int *fd, uint64_t *size,
			char **text, size_t *text_len)
{
	char buf[4096];
	struct bootplan_file f;
	*fd = -1;
	*text = NULL;
	int r = bootplan_lookup(&st->opts->plan, clean, buf, sizeof buf, &f);
	if (r < 0)
		return strncmp(clean, BOOTPLAN_PREFIX, sizeof BOOTPLAN_PREFIX - 1) ? 0 : -ENOENT;
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

static int serve_tftp_lookup(void *arg, const char *clean, const struct sockaddr *peer,
			     struct tftp_vfile *vf)
{
	int fd;
	uint64_t size;
	char *text;
	size_t tl;
	(void)peer;
	int r = serve_lookup(arg, clean, &fd, &size, &text, &tl);
	if (r <= 0)
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
	(void)peer;
	int r = serve_lookup(arg, clean, &fd, &size, &text, &tl);
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
	unsigned mtu = 0;
	for (size_t i = 0; i < st->ifs.n; i++)
		if (st->ifs.v[i].mtu > mtu)
			mtu = st->ifs.v[i].mtu;
	if (o->plan.tftp) {
		struct tftp_config tc = {
		    .root = o->root ? &st->root : NULL,
		    .port = o->tftp_port,
		    .max_blksize = mtu > 32 ? mtu - 32 : 1468,
		    .max_transfers = o->max_transfers,
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
		    .max_conns = o->max_transfers,
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
