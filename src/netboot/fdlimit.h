/* fdlimit: the file descriptors serve needs for its configured limits.
 * At start-up (as root, before the privilege drop) RLIMIT_NOFILE is raised
 * to what max transfers and connections need; when the system will not
 * give that much, the caps shrink so the server never runs out mid-flight
 * and HTTP can never take the descriptors TFTP and DHCP need. */
#ifndef LIFEBOAT_NETBOOT_FDLIMIT_H
#define LIFEBOAT_NETBOOT_FDLIMIT_H

#include <stdbool.h>
#include <stdint.h>

/* Descriptors kept for everything else: listeners, DHCP sockets, epoll,
 * signalfd, log, config and GRUB trees, reload. */
#define FDLIMIT_RESERVE 64u
/* A TFTP transfer holds its socket and its file; an HTTP connection its
 * socket and the file it sends. */
#define FDLIMIT_PER_TRANSFER 2u

struct fdlimit_plan {
	uint64_t soft, hard; /* the limit to set */
	unsigned tftp_max;   /* caps that fit in it */
	unsigned http_max;
	bool shrunk; /* the caps had to be lowered */
};

/* Pure: given the current limits, the largest hard limit the process may
 * set (cur hard, or nr_open when privileged) and the wanted caps, decides
 * the limit and the caps. TFTP (what firmware fetches first) keeps up to
 * half of what is short, HTTP takes what is left, each at least 1. */
void fdlimit_compute(uint64_t soft, uint64_t hard, uint64_t max_hard, unsigned tftp_want,
		     unsigned http_want, struct fdlimit_plan *p);
/* Reads the limits, computes and sets them. *tftp_max and *http_max are
 * in/out. Returns 0 or -errno (the caps are still made to fit). */
int fdlimit_apply(unsigned *tftp_max, unsigned *http_max, struct fdlimit_plan *p);

#endif
