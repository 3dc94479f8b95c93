/* probe_fetch: reads the first blocks of every boot file a probe saw
 * offered, all at once: TFTP (RRQ with tsize and blksize, ACKs, then an
 * ERROR 0 to stop) and HTTP (a GET with a Range header). Fills each
 * fetch's result, size and speed. */
#ifndef LIFEBOAT_NETBOOT_PROBE_FETCH_H
#define LIFEBOAT_NETBOOT_PROBE_FETCH_H

#include "netboot/probe_report.h"

/* How much of each file is read: enough for a speed, not the whole file. */
#define PROBE_FETCH_BYTES (64u * 1024)

/* Fetches every PENDING entry of r->fetch in parallel, within budget_ms,
 * over interface ifindex (blksize from its mtu). */
void probe_fetch_all(struct probe_report *r, int ifindex, unsigned mtu, unsigned budget_ms);

#endif
