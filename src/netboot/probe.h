/* probe: `lifeboat probe`, the socket driver around the pure probe
 * modules: it sends every asked client kind's DISCOVER at once on a packet
 * socket, collects every answer for one window (sending udp/4011 requests
 * and DHCPv6 Solicits on UDP sockets), then fetches the first blocks of
 * each offered boot file (probe_fetch), and prints the report. See
 * doc/probe.md for why a packet socket. */
#ifndef LIFEBOAT_NETBOOT_PROBE_H
#define LIFEBOAT_NETBOOT_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "netboot/probe_report.h"

struct probe_opts {
	const char *iface;
	const char *as; /* --as list */
	unsigned kinds; /* parsed --as */
	bool v6;
	bool json;
	const char *mac_str;
	uint8_t mac[6];
	bool has_mac;
	unsigned timeout_ms; /* the DHCP collection window */
	bool help;
};

struct opts_cmd;
/* The option table (core/opts.h), for generators. */
const struct opts_cmd *probe_options(void);

/* A whole probe on o's interface into r (answers, fetches, verdicts):
 * 0, or -errno with a message on stderr (no interface, no CAP_NET_RAW).
 * Blocks for about o->timeout_ms plus the fetches (at most 1.5 s). */
int probe_run(const struct probe_opts *o, struct probe_report *r);

#endif
