/* serve_opts: the options of `lifeboat serve` (struct serve_opts) and their
 * one table (serve_opts.c, core/opts.h): command line, --config file,
 * --help, SIGHUP reload policy, and later man page and completion. */
#ifndef LIFEBOAT_NETBOOT_SERVE_OPTS_H
#define LIFEBOAT_NETBOOT_SERVE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/log.h"
#include "netboot/bootplan.h"
#include "netboot/config.h"
#include "netboot/dhcp4_full.h"
#include "netboot/dhcp6_server.h"
#include "netboot/netmenu.h"

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
	bool require_sandbox;	 /* --require-sandbox: less than full confinement is an error */
	unsigned max_per_client; /* --max-per-client: TFTP transfers and HTTP connections */
	unsigned tftp_rate;	 /* --tftp-rate: new transfers/s per client address, 0 = no limit */
	unsigned tftp_rate_total; /* --tftp-rate-total: new transfers/s overall, 0 = no limit */
	bool tftp_single_port;	  /* --tftp-single-port */
	unsigned tftp_sockets;	  /* --tftp-sockets */
	bool help;
	bool dhcp6;			/* DHCPv6 on udp/547 + 4011 (--no-dhcp6) */
	struct dhcp6_range dhcp6_range; /* --dhcp6-range: stateful mode */
	bool ra;			/* router advertisements where no router is (--no-ra) */
	bool router6;			/* --router6: our RAs make us the default router */
	struct dhcp4_full_config dhcp4; /* --mode dhcp and its options */
	unsigned probe_interval;	/* --mode auto: --probe-interval, seconds */
	unsigned probe_window;		/* --mode auto: --probe-window, seconds */
	char auto_specs[16][128];	/* --boot entries found in ROOT */
	const char *status_http;	/* --status ADDR:PORT: /status.json, /metrics, / */
	const char *status_socket;	/* --status-socket PATH ("" = none) */
	bool no_status;			/* --no-status: no live table on the terminal */
	size_t n_auto;
	char rescue_kernel[512]; /* --rescue without --kernel: this host's */
	char rescue_image[32];	 /* "/proc/self/fd/N": the image built at start-up */
	/* boot menu mode (netmenu.h) */
	const char *isos[NETMENU_MAX_ISOS]; /* --iso */
	size_t n_isos;
	const char *iso_dirs[8]; /* --iso-dir */
	size_t n_iso_dirs;
	const char *entries[16]; /* --entry */
	size_t n_entries;
	bool no_auto_entries;	    /* --no-auto-entries: no host installer entry */
	const char *iso_cmdline;    /* --iso-cmdline: added to every ISO entry's */
	unsigned boot_menu_timeout; /* --boot-menu-timeout: seconds, then local disk */
	/* the menu's lifeboat rescue entry: --rescue/--rescue-file/--kernel/
	 * --cmdline moved here by serve_check when --iso, --iso-dir or --entry
	 * make a menu; else this host's kernel and a background build */
	bool menu_rescue;
	const char *menu_rescue_kernel, *menu_rescue_file, *menu_rescue_cmdline;
};

struct opts_cmd;
/* The option table (core/opts.h), for generators. */
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

#endif
