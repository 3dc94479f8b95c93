/* serve_files: starts and stops `lifeboat serve`'s TFTP and HTTP servers
 * and points both at the one served-file resolver (bootfiles), whose host
 * files and GRUB images it opens before privileges are dropped. */
#ifndef LIFEBOAT_NETBOOT_SERVE_FILES_H
#define LIFEBOAT_NETBOOT_SERVE_FILES_H

#include <stdint.h>

#include "core/loop.h"
#include "netboot/bootfiles.h"
#include "netboot/fsroot.h"
#include "netboot/iface.h"
#include "netboot/report.h"
#include "netboot/netmenu.h"
#include "netboot/serve_opts.h"
#include "netboot/serve_rescue.h"
#include "netboot/xfer.h"

struct tftp_server;
struct http_server;

struct serve_files {
	struct bootfiles files; /* what every served path means */
	struct tftp_server *tftp;
	struct http_server *http;
	struct netmenu menu;		    /* boot menu mode's ISOs and entries */
	struct serve_rescue_job rescue_job; /* the menu's rescue image being built */
	char rescue_kernel[512];	    /* the menu's rescue entry: this host's kernel */
	/* Set by the caller before serve_files_start. */
	struct loop *l;
	struct fsroot *root; /* serve's ROOT, replaced in place on reload */
	struct iface_set *ifs;
	const char *const *ifnames; /* -i names (ifs->n_want of them) */
	const struct xfer_observer *obs;
	struct report_sink *report; /* --rescue: takes POSTs of phone-home reports; or NULL */
};

/* Starts TFTP and HTTP per the options (RLIMIT_NOFILE sized for their
 * caps first). 0 or -errno (logged). */
int serve_files_start(struct serve_files *f, const struct serve_opts *o);
void serve_files_stop(struct serve_files *f);
/* New options after SIGHUP: reopens the host files of n's plan. 0 or
 * -errno (then nothing changed). */
int serve_files_reload(struct serve_files *f, const struct serve_opts *n);

/* Logs who holds a port we could not bind and what to do. */
void serve_explain_bind(const char *proto, uint16_t port, int err, const char *what);

#endif
