/* clients: one record per client machine (MAC), fed by DHCPv4, DHCPv6, TFTP
 * and HTTP through serve's hooks: when it was first seen, what it is, its
 * addresses, each stage with its time, the files it fetched and the last
 * error. Transfers name the MAC by the address the DHCP stage saw. A fixed
 * table allocated once (when full, the least recently seen of a few records
 * looked at in turn is reused): nothing is allocated per packet; lookups by
 * MAC and address go through hash chains. Readers: the logs (timeline, stall causes),
 * status_render (table, JSON, metrics, HTML). */
#ifndef LIFEBOAT_NETBOOT_CLIENTS_H
#define LIFEBOAT_NETBOOT_CLIENTS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/loop.h"
#include "netboot/counters.h"
#include "netboot/xfer.h"

#define CLIENTS_MAX 1024 /* ~1.6 KiB each, allocated once */
#define CLIENT_FILES 8	 /* the most recent files per client */
#define CLIENT_NAME_MAX 96
#define CLIENT_REPORT_MAX 192

enum client_stage {
	CLIENT_SEEN,	/* a DHCP packet we did not answer */
	CLIENT_OFFER,	/* proxy offer (udp/67) or DHCPv6 advertise */
	CLIENT_BINL,	/* answered on udp/4011 (or DHCPv6 reply) */
	CLIENT_FILE,	/* fetching a file */
	CLIENT_HANDOFF, /* the last file of its plan is done */
	CLIENT_STAGES
};

enum client_proto { CLIENT_TFTP, CLIENT_HTTP };

struct client_file {
	char name[CLIENT_NAME_MAX];
	enum client_proto proto;
	uint64_t bytes, size;
	uint64_t start_ms, end_ms; /* end 0: in flight */
	int result;		   /* 0 in flight or done, -errno failed */
};

struct client_rec {
	bool used;
	uint8_t mac[6];
	char mac_str[18];
	uint64_t first_ms, last_ms;
	char arch[24]; /* as classified, e.g. "efi64" */
	bool has_ip4, has_ip6;
	uint8_t ip4[4];
	struct in6_addr ip6;
	enum client_stage stage;
	uint64_t stage_ms[CLIENT_STAGES];	/* first time each stage was reached */
	struct client_file files[CLIENT_FILES]; /* ring, next at n_files % CLIENT_FILES */
	unsigned n_files;
	char last_error[CLIENT_NAME_MAX];
	uint64_t boot_ms;		/* first packet of the current boot */
	uint64_t progress_ms;		/* last DHCP answer or transfer progress */
	bool timeline_said;		/* the hand-off timeline was logged for this boot */
	char cause[CLIENT_NAME_MAX];	/* why it stopped (timeline.h rules), "" while fine */
	char report[CLIENT_REPORT_MAX]; /* what the client said of itself (rescue phone-home) */
	uint64_t report_ms;
};

#define CLIENTS_HASH 1024     /* buckets per index, a power of two */
#define CLIENTS_EVICT_SCAN 64 /* records looked at to pick one to reuse */
#define CLIENTS_NONE 0xffff
enum clients_idx { CLIENTS_IDX_MAC, CLIENTS_IDX_IP4, CLIENTS_IDX_IP6, CLIENTS_IDXS };

struct clients {
	struct client_rec v[CLIENTS_MAX];
	size_t n_used; /* v[0..n_used) are in use */
	size_t hand;   /* where the next eviction looks first */
	/* hash chains of record numbers (CLIENTS_NONE ends one), per key:
	 * lookups by MAC and address touch a few records, not the table */
	struct {
		uint16_t head[CLIENTS_HASH];
		uint16_t next[CLIENTS_MAX];
	} idx[CLIENTS_IDXS];
	uint64_t evicted;
	struct counters ctr;
	/* Kernel mode: the served name (suffix) of the last file of the plan,
	 * whose end hands the client to its kernel; NULL: the name rules of
	 * timeline.h decide. Set by serve. */
	const char *final_file;
	/* Called when a record reaches CLIENT_HANDOFF (its timeline is
	 * ready); set by serve's status wiring, may be NULL. */
	void (*on_handoff)(void *arg, struct client_rec *r);
	void *hook_arg;
	struct loop *l; /* the clock of clients_observe()'s events */
};

void clients_init(struct clients *c);
/* The record of mac, made (or an old one reused) when new. Never NULL. */
struct client_rec *clients_touch(struct clients *c, const uint8_t mac[6], uint64_t now_ms);
struct client_rec *clients_find_mac(struct clients *c, const uint8_t mac[6]);
/* The record whose DHCP stage saw this address (IPv4, v4-mapped or IPv6),
 * or NULL. */
struct client_rec *clients_find_addr(struct clients *c, const struct sockaddr *sa);

void clients_set_ip4(struct clients *c, struct client_rec *r, const uint8_t ip[4]);
void clients_set_ip6(struct clients *c, struct client_rec *r, const struct in6_addr *ip);
void clients_set_arch(struct client_rec *r, const char *arch);
/* Records reaching stage s (stages only move forward, except that a new
 * DHCP round after the hand-off starts a new boot). */
void clients_stage(struct client_rec *r, enum client_stage s, uint64_t now_ms);
/* A transfer of name started (size: 0 unknown) / ended (result 0 or
 * -errno, why: short words for last_error). */
struct client_file *clients_file_start(struct client_rec *r, enum client_proto p, const char *name,
				       uint64_t size, uint64_t now_ms);
void clients_file_end(struct client_rec *r, enum client_proto p, const char *name, uint64_t bytes,
		      int result, const char *why, uint64_t now_ms);
void clients_error(struct client_rec *r, const char *why);
/* r reached CLIENT_HANDOFF: counted, and c->on_handoff told. */
void clients_handoff(struct clients *c, struct client_rec *r, uint64_t now_ms);
/* Bytes so far of the newest in-flight file of that name. */
void clients_file_progress(struct client_rec *r, const char *name, uint64_t bytes, uint64_t now_ms);
/* The newest file entry (in flight or not), or NULL. */
const struct client_file *clients_current_file(const struct client_rec *r);
/* Records in use. */
size_t clients_count(const struct clients *c);
/* A client reported on itself (e.g. the rescue system's phone-home POST):
 * stored on the record of the address it came from. Returns that record, or
 * NULL when no DHCP stage saw the address. */
struct client_rec *clients_report(struct clients *c, const struct sockaddr *from, const char *text,
				  uint64_t now_ms);
const char *client_stage_name(enum client_stage s);

/* What one DHCP packet told about a client. */
struct client_note {
	uint8_t mac[6];
	bool valid;
	bool known_only;	 /* only update a client on record (another server's reply) */
	bool v6;		 /* from the DHCPv6 server */
	char arch[24];		 /* as classified, "" when not */
	enum client_stage stage; /* CLIENT_SEEN, CLIENT_OFFER or CLIENT_BINL */
	bool has_ip4, has_ip6;
	uint8_t ip4[4];
	struct in6_addr ip6;
};
void clients_note(struct clients *c, const struct client_note *n, uint64_t now_ms);
/* The same, as a hook for the DHCP servers (arg: struct clients). */
void clients_note_hook(void *arg, const struct client_note *n);

/* Fills *obs so the transports' events update c (times from l's clock) and
 * transfers learn their client's MAC. */
void clients_observe(struct clients *c, struct loop *l, struct xfer_observer *obs);

#endif
