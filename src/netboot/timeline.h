/* timeline: the story of one client's boot, from its record (clients.h),
 * for the log. At the hand-off, one line: each stage and file with its
 * offset from the first packet, size and rate. When a client stops
 * mid-way, the likely cause in words, from a table of rules over facts
 * drawn from the record. Pure: the caller passes the time. */
#ifndef LIFEBOAT_NETBOOT_TIMELINE_H
#define LIFEBOAT_NETBOOT_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netboot/clients.h"

/* What a served name is, by its name alone. */
enum timeline_kind {
	TL_OTHER,
	TL_IPXE_IMAGE, /* undionly.kpxe, snponly.efi, ipxe.efi, ... */
	TL_SCRIPT,     /* an iPXE script (boot.ipxe, *.ipxe) */
	TL_KERNEL,
	TL_INITRD,
	TL_LOADER, /* pxelinux.0, grub cores, shim, bootx64.efi */
	TL_CONFIG, /* pxelinux.cfg/..., grub.cfg */
};
enum timeline_kind timeline_file_kind(const char *name);

/* How long a client may be quiet before it counts as handed off (after a
 * kernel and its initrd) or stopped. */
struct timeline_cfg {
	uint64_t handoff_quiet_ms; /* 0: 3 s */
	uint64_t stall_ms;	   /* 0: 30 s */
};

/* What the record says about the current boot, for the rules. */
struct timeline_facts {
	enum client_stage stage;
	bool efi;	  /* the arch is a UEFI one */
	bool answered;	  /* an offer or 4011 answer was sent */
	bool binl;	  /* came to 4011 (or DHCPv6 reply) */
	unsigned n_files; /* file entries of this boot */
	unsigned script_asks;
	unsigned max_same_ipxe; /* the most times one iPXE image was fetched whole */
	bool kernel_done, initrd_done;
	const struct client_file *inflight; /* newest in flight, or NULL */
	const struct client_file *last;	    /* newest entry of this boot, or NULL */
	uint64_t quiet_ms;		    /* since the last progress */
};
void timeline_facts(const struct client_rec *r, uint64_t now_ms, struct timeline_facts *f);

/* One rule of the cause table. */
struct timeline_rule {
	const char *id; /* short, stable: in the log line as cause= */
	bool (*match)(const struct timeline_facts *f);
	/* the words; "%s" (at most one) is the last file's name */
	const char *words;
};
/* The table, in order of precedence. */
const struct timeline_rule *timeline_rules(size_t *n);

/* The first rule that matches f; never NULL (the last rule matches all). */
const struct timeline_rule *timeline_cause(const struct timeline_facts *f);
/* The cause's words for f into out. */
void timeline_cause_words(const struct timeline_rule *rule, const struct timeline_facts *f,
			  char *out, size_t cap);

enum timeline_verdict { TL_RUNNING, TL_HANDOFF, TL_STALLED };
/* What to make of r at now_ms: still running, handed to its kernel (a
 * kernel and an initrd fetched, then quiet), or stopped (quiet too long
 * before the hand-off). Records already handed off or judged stay
 * TL_RUNNING. */
enum timeline_verdict timeline_judge(const struct client_rec *r, uint64_t now_ms,
				     const struct timeline_cfg *cfg);

/* The one timeline line of r's current boot ("offer +0.0s, 4011 +0.4s,
 * snponly.efi +1.1s 1.0MB 0.6s, ..."), written into out. Returns its
 * length (truncated to cap - 1). */
size_t timeline_format(const struct client_rec *r, char *out, size_t cap);

/* 1536 -> "1.5KB", 8388608 -> "8.4MB" (1000-based, like the rates). */
void timeline_bytes(uint64_t n, char *out, size_t cap);
/* Bytes per second as "40MB/s". */
void timeline_rate(uint64_t bytes, uint64_t ms, char *out, size_t cap);
/* The last path component of a served name. */
const char *timeline_base(const char *name);

#endif
