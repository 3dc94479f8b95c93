/* ra_sched: when lifeboat sends router advertisements on one interface
 * (RFC 4861 section 6.2): pure, the caller passes the time.
 *
 *   LISTEN  the start-up window: an RS went out, other routers' RAs are
 *           awaited; none by the window's end -> ACTIVE.
 *   ACTIVE  lifeboat is the link's only router: 3 initial RAs at most
 *           16 s apart, then one every [min, max] (random), and an answer
 *           to each RS within 0.5 s but never two multicast RAs within
 *           3 s (MIN_DELAY_BETWEEN_RAS).
 *   QUIET   another router advertises: lifeboat says nothing. Each RA
 *           heard restarts a hold time; when it runs out (the other router
 *           has gone), LISTEN again.
 * An RA from another router in any state goes to QUIET at once. */
#ifndef LIFEBOAT_NETBOOT_RA_SCHED_H
#define LIFEBOAT_NETBOOT_RA_SCHED_H

#include <stdbool.h>
#include <stdint.h>

enum ra_state { RA_LISTEN, RA_ACTIVE, RA_QUIET };

struct ra_timing {
	uint64_t listen_ms;	  /* start-up window */
	uint64_t min_ms, max_ms;  /* MinRtrAdvInterval, MaxRtrAdvInterval */
	uint64_t initial_ms;	  /* MAX_INITIAL_RTR_ADVERT_INTERVAL */
	unsigned initial;	  /* MAX_INITIAL_RTR_ADVERTISEMENTS */
	uint64_t min_delay_ms;	  /* MIN_DELAY_BETWEEN_RAS */
	uint64_t max_rs_delay_ms; /* MAX_RA_DELAY_TIME */
	uint64_t hold_ms;	  /* QUIET this long after the last other RA */
};

/* RFC 4861's defaults (MaxRtrAdvInterval 600 s), a 3 s listen window and
 * a one hour hold. */
extern const struct ra_timing ra_timing_default;

struct ra_sched {
	struct ra_timing t;
	enum ra_state state;
	uint64_t deadline;  /* next thing to do (see ra_sched_due) */
	uint64_t last_sent; /* last RA, 0: none yet */
	bool ever_sent;
	unsigned initial_left;
	uint32_t rnd; /* xorshift state for the random intervals */
};

enum ra_action {
	RA_NONE,
	RA_SEND_RS, /* (re)start of the listen window: solicit other routers */
	RA_SEND_RA, /* a multicast RA now */
};

/* Starts in LISTEN at now; returns RA_SEND_RS. seed: any value (per
 * interface, so two lifeboats do not advertise in step). */
enum ra_action ra_sched_start(struct ra_sched *s, const struct ra_timing *t, uint64_t now,
			      uint32_t seed);
/* Another router's RA was heard. true when the state changed to QUIET
 * (the caller logs it once). */
bool ra_sched_other(struct ra_sched *s, uint64_t now);
/* A Router Solicitation was heard: in ACTIVE the next RA comes sooner. */
void ra_sched_rs(struct ra_sched *s, uint64_t now);
/* When ra_sched_due wants to be called next (ms, monotonic). */
uint64_t ra_sched_deadline(const struct ra_sched *s);
/* Called at or after the deadline: moves the state on and says what to
 * send. The caller sends it and rearms its timer at ra_sched_deadline(). */
enum ra_action ra_sched_due(struct ra_sched *s, uint64_t now);

#endif
