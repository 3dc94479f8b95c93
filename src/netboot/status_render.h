/* status_render: the client records (clients.h) and counters (counters.h)
 * as a fixed-width table (terminal, `lifeboat status`, SIGUSR1), JSON
 * (/status.json, `lifeboat status --json`), the Prometheus text exposition
 * (/metrics) and a self-contained HTML page that reloads itself (/). Pure:
 * everything it shows comes in through struct status_view; output goes
 * into a caller's buffer, cut (and marked full) when it does not fit. */
#ifndef LIFEBOAT_NETBOOT_STATUS_RENDER_H
#define LIFEBOAT_NETBOOT_STATUS_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netboot/clients.h"

/* What the record and counters do not hold: read from the services when
 * a page is made. */
struct status_extra {
	uint64_t dhcp_received[CTR_DHCPS]; /* datagrams */
	uint64_t ratelimited[3];	   /* dhcp4, dhcp6, tftp: replies refused */
	uint64_t log_suppressed;	   /* lines over the log budgets */
	uint64_t tftp_active, http_active; /* transfers, connections */
	uint64_t status_conns;		   /* status socket + HTTP connections */
	uint64_t uptime_ms;
	const char *version, *revision;
};

#define STATUS_MIN_WIDTH 102

struct status_view {
	const struct clients *c;
	const struct status_extra *x;
	uint64_t now_ms;
	unsigned width;	    /* table: characters per line (at least STATUS_MIN_WIDTH) */
	unsigned max_rows;  /* table/HTML: most recent clients shown; 0 = all */
	uint64_t recent_ms; /* table/HTML: only clients seen this recently; 0 = all */
};

struct status_out {
	char *p;
	size_t cap, len;
	bool full; /* something did not fit */
};
void status_out_init(struct status_out *o, char *p, size_t cap);

/* The table: a summary line, a header, one row per client, newest first.
 * No line is longer than v->width; long names are cut with "...". */
void status_table(const struct status_view *v, struct status_out *o);
void status_json(const struct status_view *v, struct status_out *o);
void status_metrics(const struct status_view *v, struct status_out *o);
/* refresh_s: the page reloads itself this often (meta refresh). */
void status_html(const struct status_view *v, unsigned refresh_s, struct status_out *o);

/* One client as the table shows it (exposed for tests). */
struct status_row {
	const char *mac, *arch;
	char ip[46];
	const char *stage; /* "seen", "offer", "4011", "tftp", "http", "kernel" */
	const char *file;  /* "" when none */
	uint64_t bytes, size;
	int pct;	     /* -1 when the size is unknown */
	uint64_t rate_bps;   /* bytes per second of the current file */
	uint64_t elapsed_ms; /* first packet of this boot to now (or to its hand-off) */
	const char *note;    /* last error, else the stall cause, else the report */
};
void status_row_of(const struct client_rec *r, uint64_t now_ms, struct status_row *row);

#endif
