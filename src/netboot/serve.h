/* serve: options and state of `lifeboat serve`, shared between serve.c
 * (command line, checks, DHCP), serve_files.c (TFTP + HTTP wiring and the
 * generated files) and serve_grub.c (--grub cores and module trees). */
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
#include "netboot/iface.h"
#include "netboot/serve_grub.h"
#include "netboot/xfer.h"

struct serve_opts {
	const char *root;
	const char *ifaces[16];
	size_t n_ifaces;
	struct bootplan plan;
	uint16_t tftp_port, dhcp_port, binl_port;
	bool dhcp;
	unsigned max_transfers;
	uint32_t dhcp_rate;
	enum log_level log_level;
	enum log_format log_format;
	const char *user;	 /* drop root to this user after binding */
	const char *config;	 /* --config FILE */
	struct config_argv *cfg; /* the loaded file; strings above point into it */
	char **cfg_argv;
	bool no_sandbox;
	bool require_sandbox;
	unsigned max_per_client;   /* --max-per-client: TFTP transfers and HTTP connections */
	unsigned tftp_rate;	   /* --tftp-rate: new transfers/s per client address, 0 = no limit */
	unsigned tftp_rate_total;  /* --tftp-rate-total: new transfers/s overall, 0 = no limit */  /* --require-sandbox: less than full confinement is an error */
	bool tftp_single_port; /* --tftp-single-port */
	bool help;
	bool dhcp6;			/* DHCPv6 on udp/547 + 4011 (--no-dhcp6) */
	struct dhcp6_range dhcp6_range; /* --dhcp6-range: stateful mode */
	char auto_specs[16][128]; /* --boot entries found in ROOT */
	size_t n_auto;
};

struct dhcp4_server;
struct tftp_server;
struct http_server;

struct serve_state {
	struct loop loop;
	struct fsroot root;
	struct iface_set ifs;
	struct dhcp4_server *dhcp;
	struct dhcp6_server *dhcp6;
	struct tftp_server *tftp;
	struct http_server *http;
	struct bootfiles files; /* what every served path means */
	struct clients *clients;	/* one record per client machine */
	struct xfer_observer xfer_obs; /* TFTP/HTTP -> clients */
	const struct serve_opts *opts; /* replaced on SIGHUP */
	int argc;
	char **argv;
	char ifname_buf[16][IF_NAMESIZE];
	const char *ifnames[16];
};

struct opts_cmd;
/* serve_opts.c: the option table (core/opts.h), for generators. */
const struct opts_cmd *serve_options(void);

/* Parses serve's arguments (argv[0] is "serve"). 0 or -EINVAL with a
 * message on err. Pure apart from getopt's globals. Defined by the table in
 * serve_opts.c. */
int serve_parse_args(int argc, char **argv, struct serve_opts *o, FILE *err);

/* What a --config file may say about a long option name: CONFIG_OPT_FLAG
 * (no value), CONFIG_OPT_VALUE, or CONFIG_OPT_UNKNOWN (config.h). Derived
 * from the option table, so every flag is a flag in the file too. */
int serve_option_kind(const char *name);

/* The i-th long option's name, NULL past the end; the --help text. */
const char *serve_option_name(size_t i);
void serve_usage(FILE *f);

/* serve_parse_args, plus --config: the file's options come first, the
 * command line's after them. Free with serve_opts_free(). */
int serve_load_opts(int argc, char **argv, struct serve_opts *o, FILE *err);
void serve_opts_free(struct serve_opts *o);
/* SIGHUP: applies the table's reload policy to the new options n against
 * the running o (running values kept where the services hold them, notes
 * logged). 0, or -EPERM (logged) when the reload must be refused. */
int serve_opts_reload(const struct serve_opts *o, struct serve_opts *n);

/* serve_files.c: start/stop TFTP and HTTP per the options. */
int serve_files_start(struct serve_state *st, const struct serve_opts *o);
void serve_files_stop(struct serve_state *st);
/* New options after SIGHUP: reopens the host files of n's plan. 0 or
 * -errno (then nothing changed). */
int serve_files_reload(struct serve_state *st, const struct serve_opts *n);

/* Logs who holds a port we could not bind and what to do. */
void serve_explain_bind(const char *proto, uint16_t port, int err, const char *what);

#endif
