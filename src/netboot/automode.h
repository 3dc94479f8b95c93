/* automode: `serve --mode auto`, the decision per interface, pure (the
 * caller passes the time and the packets; autoprobe does the I/O).
 *
 *   PROBING  start-up window (default 10 s): a DISCOVER every second
 *            (probe_wire), never a REQUEST. Any OFFER with an address
 *            from a server that is not us -> PROXY at once. Silence for
 *            the whole window -> FULL.
 *   FULL     lifeboat hands out addresses here. A DISCOVER every
 *            interval (default 30 s), and every reply to udp/68 seen on
 *            the link is looked at: an address offered by anyone else ->
 *            PROXY at once.
 *   PROXY    another DHCP server serves this LAN: lifeboat only adds the
 *            boot answers. Final until restart: a router that misses one
 *            probe must not make lifeboat start handing out addresses
 *            beside it.
 *
 * Never FULL on an interface whose own IPv4 address came from DHCP (a DHCP
 * server is there, even if it is quiet now). The rule: the kernel holds a
 * DHCP client's address with a finite valid lifetime (systemd-networkd,
 * NetworkManager, dhcpcd and Debian's dhclient-script all set one); a
 * static address is permanent (IFA_F_PERMANENT). auto_nl_dynamic reads
 * that from an RTM_GETADDR dump. A DHCP client that installs its address
 * as permanent (busybox udhcpc's sample script) is not recognised; its
 * server then answers the probes all the same. */
#ifndef LIFEBOAT_NETBOOT_AUTOMODE_H
#define LIFEBOAT_NETBOOT_AUTOMODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum auto_state { AUTO_PROBING, AUTO_FULL, AUTO_PROXY };

struct auto_timing {
	uint64_t window_ms;   /* start-up probe window */
	uint64_t retry_ms;    /* DISCOVERs within the window this far apart */
	uint64_t interval_ms; /* FULL: re-probe period (--probe-interval) */
};

/* 10 s, 1 s, 30 s. The window outlasts the slowest first answer seen:
 * dnsmasq (most home routers) pings an address for 3 s before it offers
 * it; RFC 2131 clients wait 4 s before their first retransmission. */
extern const struct auto_timing auto_timing_default;

/* Why an interface is where it is, for the log. */
enum auto_reason {
	AUTO_R_NONE,
	AUTO_R_SILENT,	 /* no DHCP server answered within the window */
	AUTO_R_OFFER,	 /* another server offered an address */
	AUTO_R_OWN_DHCP, /* our own address came from DHCP */
};

struct auto_if {
	struct auto_timing t;
	enum auto_state state;
	enum auto_reason reason;
	bool own_dhcp;
	uint64_t window_end, deadline;
	uint32_t probes;   /* DISCOVERs sent */
	uint8_t server[4]; /* AUTO_R_OFFER: who offered */
};

enum auto_action {
	AUTO_NONE,
	AUTO_SEND_DISCOVER,
	AUTO_GO_FULL,  /* turn addressing on (log once) */
	AUTO_GO_PROXY, /* turn addressing off at once (log once) */
};

/* Starts probing at now. own_dhcp: the interface's address came from DHCP
 * (auto_nl_dynamic). Returns AUTO_SEND_DISCOVER. */
enum auto_action auto_start(struct auto_if *a, const struct auto_timing *t, uint64_t now,
			    bool own_dhcp);
/* When auto_due wants to be called (ms); UINT64_MAX: never (PROXY). */
uint64_t auto_deadline(const struct auto_if *a);
/* Called at or after the deadline: the window's decision, or a probe due. */
enum auto_action auto_due(struct auto_if *a, uint64_t now);
/* Another server offered an address (auto_reply_other said so):
 * AUTO_GO_PROXY when that changes the state, else AUTO_NONE. */
enum auto_action auto_offer(struct auto_if *a, const uint8_t server[4]);
const char *auto_state_name(enum auto_state s);
const char *auto_reason_text(enum auto_reason r);

/* A DHCPv4 message p[n] heard on udp/68: 1 when it is a server's OFFER or
 * ACK with an address (yiaddr not 0) from a server that is none of ours
 * (ours[n_ours], 4 bytes each; option 54, else the packet's source src),
 * *server set; 0 when not (a proxy's offer, a request, ours); -EBADMSG. */
int auto_reply_other(const void *p, size_t n, const uint8_t src[4], const uint8_t *ours,
		     size_t n_ours, uint8_t server[4]);

/* One chunk of an RTM_GETADDR dump (netlink messages, host byte order):
 * sets *dynamic when interface ifindex has an IPv4 address that is not
 * permanent (a DHCP client's, see above), *done at NLMSG_DONE. 0, or
 * -EBADMSG (malformed), or -EIO (NLMSG_ERROR). */
int auto_nl_dynamic(const void *p, size_t n, int ifindex, bool *dynamic, bool *done);

#endif
