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

#include "core/log.h"
#include "core/sys.h"
#include "netboot/grub.h"
#include "netboot/fdlimit.h"
#include "netboot/http.h"
#include "netboot/rpi.h"
#include "netboot/serve_files.h"
#include "netboot/serve_grub.h"
#include "netboot/tftp.h"

static int serve_tftp_lookup(void *arg, const char *clean, const struct sockaddr *peer,
			     struct bootfile *out)
{
	struct serve_files *f = arg;
	return bootfiles_resolve(&f->files, BOOTFILES_TFTP, clean, peer, out);
}

static int serve_http_lookup(void *arg, const char *clean, const struct sockaddr *peer,
			     struct bootfile *out)
{
	struct serve_files *f = arg;
	return bootfiles_resolve(&f->files, BOOTFILES_HTTP, clean, peer, out);
}

static bool serve_accept_ifindex(void *arg, int ifindex)
{
	struct serve_files *f = arg;
	bool rescanned;
	return iface_for_packet(f->ifs, ifindex, &rescanned) != NULL;
}

static int serve_menu_resolve(const void *arg, const struct bootplan *plan, const char *clean,
			      struct bootfile *out)
{
	return netmenu_resolve(arg, plan, clean, out);
}

static void serve_menu_rescue_done(void *arg, int fd, uint64_t size)
{
	struct serve_files *f = arg;
	netmenu_rescue_ready(&f->menu, fd, size);
}

/* The menu's lifeboat rescue entry: --rescue's files with --iso/--entry,
 * else this host's kernel (none: no entry) and an image built in the
 * background. Fills mc; a build starts only after netmenu_open. */
static void serve_menu_rescue(struct serve_files *f, const struct serve_opts *o,
			      struct netmenu_config *mc)
{
	if (o->menu_rescue) {
		if (!o->menu_rescue_kernel &&
		    serve_rescue_host_kernel(f->rescue_kernel, sizeof f->rescue_kernel) == 0)
			mc->rescue_kernel = f->rescue_kernel;
		else
			mc->rescue_kernel = o->menu_rescue_kernel;
		if (!mc->rescue_kernel)
			log_warn("serve.warn menu=rescue reason=\"--rescue: no kernel "
				 "/boot/vmlinuz-RELEASE or /vmlinuz on this host: no rescue entry "
				 "(pass --kernel FILE)\"");
		mc->rescue_file = o->menu_rescue_file;
		mc->rescue_cmdline = o->menu_rescue_cmdline;
		return;
	}
	if (o->no_auto_entries)
		return;
	if (serve_rescue_host_kernel(f->rescue_kernel, sizeof f->rescue_kernel)) {
		log_info("serve.menu rescue=off reason=\"no kernel /boot/vmlinuz-RELEASE or "
			 "/vmlinuz on this host (a container?): no lifeboat rescue entry; "
			 "--rescue --kernel FILE gives one\"");
		return;
	}
	mc->rescue_kernel = f->rescue_kernel;
}

/* Boot menu mode: the ISOs and entries, opened before the privilege drop. */
static int serve_menu_start(struct serve_files *f, const struct serve_opts *o)
{
	struct netmenu_config mc = {
	    .isos = o->isos,
	    .n_isos = o->n_isos,
	    .iso_dirs = o->iso_dirs,
	    .n_iso_dirs = o->n_iso_dirs,
	    .entries = o->entries,
	    .n_entries = o->n_entries,
	    .di_root = o->no_auto_entries ? NULL : NETMENU_DI_ROOT,
	    .timeout_s = o->boot_menu_timeout,
	    .iso_cmdline = o->iso_cmdline,
	};
	if (!o->plan.netmenu)
		return 0;
	serve_menu_rescue(f, o, &mc);
	int r = netmenu_open(&f->menu, &mc);
	if (r)
		return r;
	if (mc.rescue_kernel && !mc.rescue_file) {
		f->rescue_job.done = serve_menu_rescue_done;
		f->rescue_job.arg = f;
		r = serve_rescue_build_start(&f->rescue_job, f->l, mc.rescue_kernel);
		if (r)
			log_warn("serve.warn menu=rescue reason=\"cannot start lifeboat mkrescue: "
				 "%s: no rescue entry\"",
				 strerror(-r));
	}
	f->files.menu = serve_menu_resolve;
	f->files.menu_arg = &f->menu;
	log_info("serve.menu entries=%zu isos=%zu timeout=%u default=local", f->menu.n_items,
		 f->menu.n_isos, mc.timeout_s);
	for (size_t i = 0; i < f->menu.n_items; i++)
		log_info("serve.menu entry=%s label=\"%s\"", f->menu.items[i].id,
			 f->menu.items[i].label);
	return 0;
}

int serve_files_start(struct serve_files *f, const struct serve_opts *o)
{
	for (size_t t = 0; t < sizeof f->files.grub.tree / sizeof f->files.grub.tree[0]; t++)
		f->files.grub.tree[t].dirfd = -1; /* nothing open yet, for serve_files_stop */
	f->rescue_job.mfd = f->rescue_job.w.fd = -1;
	f->files.plan = &o->plan;
	f->files.root = o->root ? f->root : NULL;
	int r = bootfiles_host_open(&f->files.host, &o->plan);
	if (r)
		return r;
	r = serve_menu_start(f, o);
	if (r)
		return r;
	r = serve_grub_start(&f->files.grub, &o->plan, f->ifs, o->tftp_port);
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
	for (size_t i = 0; i < f->ifs->n; i++)
		if (f->ifs->v[i].mtu > mtu)
			mtu = f->ifs->v[i].mtu;
	if (o->plan.tftp) {
		struct tftp_config tc = {
		    .port = o->tftp_port,
		    .max_blksize = mtu > 32 ? mtu - 32 : 1468,
		    .max_transfers = tftp_max,
		    .max_per_client = o->max_per_client,
		    .obs = f->obs,
		    /* 0 = no limit; the transport's 0 means its default */
		    .rate_per_client = o->tftp_rate ? o->tftp_rate : 1000000,
		    .rate_global = o->tftp_rate_total ? o->tftp_rate_total : 1000000,
		    .single_port = o->tftp_single_port,
		    .xfer_sockets = o->tftp_sockets,
		    .accept_ifindex = serve_accept_ifindex,
		    .accept_arg = f,
		    .lookup = serve_tftp_lookup,
		    .lookup_arg = f,
		};
		r = tftp_server_start(&f->tftp, f->l, &tc);
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
		    .ifaces = f->ifnames,
		    .n_ifaces = f->ifs->n_want,
		    .obs = f->obs,
		    .lookup = serve_http_lookup,
		    .lookup_arg = f,
		    .post = f->report ? report_post : NULL,
		    .post_arg = f->report,
		};
		r = http_server_start(&f->http, f->l, &hc);
		if (r) {
			serve_explain_bind("tcp", o->plan.http_port, r, "http");
			return r;
		}
	}
	return 0;
}

void serve_files_stop(struct serve_files *f)
{
	if (f->tftp)
		tftp_server_stop(f->tftp);
	if (f->http)
		http_server_stop(f->http);
	f->tftp = NULL;
	f->http = NULL;
	bootfiles_host_close(&f->files.host);
	serve_grub_stop(&f->files.grub);
	f->files.menu = NULL;
	serve_rescue_build_stop(&f->rescue_job, f->l);
	netmenu_close(&f->menu);
}

int serve_files_reload(struct serve_files *f, const struct serve_opts *n)
{
	struct bootfiles_hostfiles h;
	int r = bootfiles_host_open(&h, &n->plan);
	if (r)
		return r;
	/* transfers in flight hold their own dups of the old descriptors */
	bootfiles_host_close(&f->files.host);
	f->files.host = h;
	f->files.plan = &n->plan;
	f->files.root = n->root ? f->root : NULL; /* serve's ROOT is replaced in place */
	return 0;
}

/* Says who holds a port we could not bind, and what to do about it. */
void serve_explain_bind(const char *proto, uint16_t port, int err, const char *what)
{
	if (err == -EADDRINUSE) {
		char comm[64] = "";
		int pid = sys_port_owner(proto, port, comm, sizeof comm);
		if (pid > 0)
			log_err("serve.error port=%s/%u reason=\"in use by %s (pid %d): stop it, "
				"or use --no-%s / another port\"",
				proto, port, comm, pid, what);
		else
			log_err("serve.error port=%s/%u reason=\"in use by another process (a "
				"DHCP/TFTP/HTTP server such as dnsmasq, isc-dhcp-server, kea, "
				"tftpd-hpa, nginx): stop it, or use --no-%s / another port\"",
				proto, port, what);
	} else if (err == -EACCES || err == -EPERM) {
		log_err("serve.error port=%s/%u reason=\"permission denied: run as root or grant "
			"CAP_NET_BIND_SERVICE (missing capability)\"",
			proto, port);
	} else {
		log_err("serve.error port=%s/%u reason=\"%s\"", proto, port, strerror(-err));
	}
}
