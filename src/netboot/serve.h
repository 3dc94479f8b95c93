/* serve: the state of a running `lifeboat serve` and its entry point
 * (serve.c: checks, DHCP, privileges, the loop); options in serve_opts.h,
 * TFTP + HTTP in serve_files.h, --grub in serve_grub.h. */
#ifndef LIFEBOAT_NETBOOT_SERVE_H
#define LIFEBOAT_NETBOOT_SERVE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/log.h"
#include "core/loop.h"
#include "netboot/bootfiles.h"
#include "netboot/bootplan.h"
#include "netboot/clients.h"
#include "netboot/config.h"
#include "netboot/dhcp6_server.h"
#include "netboot/fsroot.h"
#include "netboot/autoprobe.h"
#include "netboot/iface.h"
#include "netboot/ra.h"
#include "netboot/serve_files.h"
#include "netboot/serve_grub.h"
#include "netboot/serve_opts.h"
#include "netboot/serve_rescue.h"
#include "netboot/report.h"
#include "netboot/xfer.h"

struct api;
struct dhcp4_server;
struct status_srv;

struct serve_state {
	struct loop loop;
	bool loop_ok; /* loop_init succeeded */
	struct fsroot root;
	struct iface_set ifs;
	struct dhcp4_server *dhcp;
	struct dhcp6_server *dhcp6;
	struct ra_server *ra;	       /* router advertisements (--dhcp6-range) */
	struct autoprobe *autoprobe;   /* --mode auto */
	struct serve_files sf;	       /* TFTP, HTTP and what they serve */
	struct clients *clients;       /* one record per client machine */
	struct xfer_observer xfer_obs; /* TFTP/HTTP -> clients */
	struct status_srv *status;     /* socket, --status, live table, timelines */
	char final_file[160];	       /* kernel mode: the plan's last file (clients.h) */
	const struct serve_opts *opts; /* replaced on SIGHUP */
	int argc;
	char **argv;
	int rescue_fd;		   /* --rescue: the image built at start-up, or -1 */
	struct report_sink report; /* --rescue: the phone-home POSTs */
	char ifname_buf[16][IF_NAMESIZE];
	const char *ifnames[16];
	char drop_user[64];	      /* who serves once root is dropped, for messages */
	struct api *api;	      /* --api: the inventory client, or NULL */
	struct bootplan_api api_hook; /* the plan's way to it */
};

#endif
