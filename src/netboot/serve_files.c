/* serve_files: starts TFTP and HTTP and points both at the one resolver
 * (bootfiles), whose host files and GRUB images are opened here, before
 * privileges are dropped, so a kernel readable only by root still boots. */
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

static int serve_tftp_lookup(void *arg, const char *clean, const struct sockaddr *peer,
			     struct bootfile *f)
{
	struct serve_state *st = arg;
	return bootfiles_resolve(&st->files, BOOTFILES_TFTP, clean, peer, f);
}

static int serve_http_lookup(void *arg, const char *clean, const struct sockaddr *peer,
			     struct bootfile *f)
{
	struct serve_state *st = arg;
	return bootfiles_resolve(&st->files, BOOTFILES_HTTP, clean, peer, f);
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
	st->files.plan = &o->plan;
	st->files.root = o->root ? &st->root : NULL;
	int r = bootfiles_host_open(&st->files.host, &o->plan);
	if (r)
		return r;
	r = serve_grub_start(&st->files.grub, &o->plan, &st->ifs, o->tftp_port);
	if (r)
		return r;
	/* Enough descriptors for the caps (or caps that fit), before the
	 * privilege drop takes the right to raise the limit away. */
	unsigned tftp_max = o->max_transfers, http_max = o->plan.http ? o->max_transfers : 0;
	struct fdlimit_plan fp;
	r = fdlimit_apply(&tftp_max, &http_max, &fp);
	if (fp.shrunk || r)
		log_warn(
		    "serve.fds limit=%llu tftp_max=%u http_max=%u reason=\"RLIMIT_NOFILE too low "
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
		    .port = o->tftp_port,
		    .max_blksize = mtu > 32 ? mtu - 32 : 1468,
		    .max_transfers = tftp_max,
		    .max_per_client = o->max_per_client,
		    .obs = &st->xfer_obs,
		    /* 0 = no limit; the transport's 0 means its default */
		    .rate_per_client = o->tftp_rate ? o->tftp_rate : 1000000,
		    .rate_global = o->tftp_rate_total ? o->tftp_rate_total : 1000000,
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
		    .port = o->plan.http_port,
		    .max_conns = http_max,
		    .max_conns_per_peer = o->max_per_client,
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
	bootfiles_host_close(&st->files.host);
	serve_grub_stop(&st->files.grub);
}

int serve_files_reload(struct serve_state *st, const struct serve_opts *n)
{
	struct bootfiles_hostfiles h;
	int r = bootfiles_host_open(&h, &n->plan);
	if (r)
		return r;
	/* transfers in flight hold their own dups of the old descriptors */
	bootfiles_host_close(&st->files.host);
	st->files.host = h;
	st->files.plan = &n->plan;
	st->files.root = n->root ? &st->root : NULL; /* st->root is replaced in place */
	return 0;
}
