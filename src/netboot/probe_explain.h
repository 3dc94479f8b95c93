/* probe_explain: the probe's explanation rules, a table of checks over a
 * finished probe_report, each putting what it sees into words: no DHCP
 * server, only proxies, no boot offer, two proxies for one kind, a router
 * that sets next-server/file itself (and which firmware still takes the
 * proxy's, doc/coexist.md), a missing file, TFTP blocked, a
 * silent udp/4011 server, and the firmware quirks (U-Boot, Pi, HTTP boot).
 * Pure: unit-tested with table-driven reports. */
#ifndef LIFEBOAT_NETBOOT_PROBE_EXPLAIN_H
#define LIFEBOAT_NETBOOT_PROBE_EXPLAIN_H

#include <stddef.h>

#include "netboot/probe_report.h"

enum probe_severity { PROBE_SEV_INFO, PROBE_SEV_WARN, PROBE_SEV_ERROR };

/* One sentence a rule says. */
struct probe_finding {
	const char *rule; /* stable id ("two-proxies"), for --json and tests */
	enum probe_severity sev;
	unsigned kinds; /* the kinds it is about (1u << kind) */
	char text[360];
};

/* Runs every rule, in table order, over a finished report (after
 * probe_report_finish); writes up to cap findings to out and returns how
 * many the rules made (more than cap when cut). */
size_t probe_explain(const struct probe_report *r, struct probe_finding *out, size_t cap);

const char *probe_severity_name(enum probe_severity s);

#endif
