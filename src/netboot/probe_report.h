/* probe_report: what `lifeboat probe` makes of the answers it collected.
 * Pure: answers go in (probe_report_add), the boot targets to fetch come out
 * (probe_report_plan), fetch results go back in, and then each asked client
 * kind gets a verdict (probe_report_finish); probe_explain puts it into
 * words. The socket
 * driver (probe.c) and, later, serve's auto mode feed it. */
#ifndef LIFEBOAT_NETBOOT_PROBE_REPORT_H
#define LIFEBOAT_NETBOOT_PROBE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netboot/probe_wire.h"

#define PROBE_MAX_ANSWERS 64
#define PROBE_MAX_SERVERS 16
#define PROBE_MAX_FETCH 16

/* Server roles (bits). */
#define PROBE_ROLE_DHCP 1u  /* offers addresses */
#define PROBE_ROLE_PROXY 2u /* boot offers without an address (yiaddr 0) */
#define PROBE_ROLE_BOOT 4u  /* offers an address and a boot file itself */

struct probe_server {
	bool v6;
	uint8_t addr[16]; /* the answers' source (v4: 4 bytes) */
	uint8_t mac[6];
	bool has_mac;
	unsigned roles;
	unsigned kinds;	     /* kinds it answered */
	unsigned boot_kinds; /* kinds it offered a boot file to */
};

enum probe_fetch_result {
	PROBE_FETCH_PENDING, /* not tried (yet) */
	PROBE_FETCH_OK,
	PROBE_FETCH_NOT_FOUND, /* TFTP error 1, HTTP 404 */
	PROBE_FETCH_ERROR,     /* another TFTP error or HTTP status */
	PROBE_FETCH_SILENT,    /* no answer in time */
	PROBE_FETCH_REFUSED,   /* ICMP unreachable or TCP RST */
	PROBE_FETCH_NO_ADDR,   /* we have no address to fetch from */
	PROBE_FETCH_BAD_TARGET /* a host name, another scheme */
};

struct probe_fetch {
	bool http;
	bool v6;
	char host[48];
	uint16_t port;
	char path[PROBE_STR];
	unsigned kinds; /* kinds offered this file */
	enum probe_fetch_result result;
	long long size;	 /* whole size (tsize, Content-Range), -1 unknown */
	uint64_t bytes;	 /* bytes read (the first blocks) */
	unsigned ms;	 /* from request to the last byte read */
	int code;	 /* TFTP error code or HTTP status */
	char msg[96];	 /* TFTP error text (untrusted) */
	bool size_probe; /* TFTP: the server answered our tsize with an OACK */
};

/* Why a kind will not boot (PROBE_WHY_NONE: it boots). */
enum probe_why {
	PROBE_WHY_NONE,
	PROBE_WHY_NO_ANSWER,  /* nobody answered this kind */
	PROBE_WHY_NO_ADDRESS, /* boot offers, but no DHCP server gives an address */
	PROBE_WHY_NO_BOOT,    /* an address, but no boot file */
	PROBE_WHY_BINL,	      /* the offer needs udp/4011 and it stayed silent */
	PROBE_WHY_UBOOT,      /* U-Boot ignores proxy offers */
	PROBE_WHY_RPI_MENU,   /* Pi: offer without the "Raspberry Pi Boot" menu */
	PROBE_WHY_NO_URL,     /* HTTP boot: no URL offered */
	PROBE_WHY_FETCH,      /* the boot file could not be fetched */
	PROBE_WHY_UNCHECKED,  /* boot file offered but not fetched (no address) */
};

struct probe_kind_result {
	int boot;  /* answer the firmware boots from, -1 */
	int fetch; /* its file in fetch[], -1 */
	bool binl_needed, binl_sent, binl_answered;
	bool boots;
	enum probe_why why;
};

struct probe_report {
	char ifname[32];
	uint8_t mac[6];
	bool has_ip;
	uint8_t ip[4];
	unsigned asked; /* kinds, 1u << kind */
	bool v6;
	unsigned duration_ms;
	unsigned window_ms; /* how long DHCP answers were collected */
	struct probe_answer ans[PROBE_MAX_ANSWERS];
	size_t n_ans;
	size_t dropped; /* answers past the table or malformed */
	struct probe_server srv[PROBE_MAX_SERVERS];
	size_t n_srv;
	struct probe_fetch fetch[PROBE_MAX_FETCH];
	size_t n_fetch;
	bool binl_sent[PROBE_NKINDS];
	struct probe_kind_result kind[PROBE_NKINDS];
};

/* Resets r for a run asking the kinds in mask. */
void probe_report_init(struct probe_report *r, unsigned asked, bool v6);

/* Records one answer (a repeat of the same server/kind/type is ignored).
 * Returns the index of the answer, or -ENOSPC. */
int probe_report_add(struct probe_report *r, const struct probe_answer *a);

/* Whether answer a, a proxy offer, asks kind k to send its udp/4011
 * request (a BINL offer or a boot menu), and which boot item type. */
bool probe_wants_binl(const struct probe_answer *a, uint16_t *item_type);

/* The boot file name of answer a ("" when none): 67, else the file field,
 * else (DHCPv6) 59. */
const char *probe_boot_name(const struct probe_answer *a);

/* After collecting: chooses each kind's boot answer and lists every
 * distinct boot file offered to an asked kind in fetch[] (PENDING, or
 * NO_ADDR/BAD_TARGET when it cannot be fetched). */
void probe_report_plan(struct probe_report *r);

/* After fetching: each kind's verdict. Returns true when every asked kind
 * would boot. */
bool probe_report_finish(struct probe_report *r);

const char *probe_role_name(unsigned roles);
const char *probe_fetch_result_name(enum probe_fetch_result f);
const char *probe_why_text(enum probe_why w);

/* The kinds in mask as "bios, efi64" into buf. */
void probe_kinds_str(unsigned mask, char *buf, size_t cap);
/* An address of the report (v4 or v6) as text. */
void probe_addr_str(bool v6, const uint8_t *a, char *buf, size_t cap);

#endif
