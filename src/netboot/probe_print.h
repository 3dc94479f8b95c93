/* probe_print: a finished probe report as the one table people read
 * (servers, offers per client kind, boot files, verdicts, explanations) or
 * as one JSON object (--json). Pure apart from writing to f; every string
 * that came from the network is sanitised (text) or escaped (JSON). */
#ifndef LIFEBOAT_NETBOOT_PROBE_PRINT_H
#define LIFEBOAT_NETBOOT_PROBE_PRINT_H

#include <stdio.h>

#include "netboot/probe_explain.h"
#include "netboot/probe_report.h"

void probe_print_text(FILE *f, const struct probe_report *r, const struct probe_finding *fs,
		      size_t n_fs, bool ok);
void probe_print_json(FILE *f, const struct probe_report *r, const struct probe_finding *fs,
		      size_t n_fs, bool ok);

/* s as a JSON string (quotes included), bytes >= 0x80 as \u00XX. */
void probe_json_str(FILE *f, const char *s);

#endif
