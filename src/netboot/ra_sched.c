/* ra_sched: the router advertisement schedule of one interface (RFC 4861
 * 6.2.4, 6.2.6), see ra_sched.h. */
#include "netboot/ra_sched.h"

const struct ra_timing ra_timing_default = {
    .listen_ms = 3000,
    .min_ms = 198000, /* 0.33 * MaxRtrAdvInterval */
    .max_ms = 600000,
    .initial_ms = 16000,
    .initial = 3,
    .min_delay_ms = 3000,
    .max_rs_delay_ms = 500,
    .hold_ms = 3600000,
};

static uint32_t ra_rand(struct ra_sched *s)
{
	uint32_t x = s->rnd ? s->rnd : 0x9e3779b9u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	s->rnd = x;
	return x;
}

/* A random value in [lo, hi]. */
static uint64_t ra_between(struct ra_sched *s, uint64_t lo, uint64_t hi)
{
	return hi <= lo ? lo : lo + ra_rand(s) % (hi - lo + 1);
}

enum ra_action ra_sched_start(struct ra_sched *s, const struct ra_timing *t, uint64_t now,
			      uint32_t seed)
{
	s->t = *t;
	s->rnd = seed;
	s->state = RA_LISTEN;
	s->deadline = now + t->listen_ms;
	s->last_sent = 0;
	s->ever_sent = false;
	s->initial_left = t->initial;
	return RA_SEND_RS;
}

bool ra_sched_other(struct ra_sched *s, uint64_t now)
{
	bool changed = s->state != RA_QUIET;
	s->state = RA_QUIET;
	s->deadline = now + s->t.hold_ms;
	return changed;
}

void ra_sched_rs(struct ra_sched *s, uint64_t now)
{
	if (s->state != RA_ACTIVE)
		return;
	uint64_t at = now + ra_between(s, 0, s->t.max_rs_delay_ms);
	/* RFC 4861 6.2.6: no two multicast RAs closer than MIN_DELAY_BETWEEN_RAS */
	if (s->ever_sent && at < s->last_sent + s->t.min_delay_ms)
		at = s->last_sent + s->t.min_delay_ms;
	if (at < s->deadline)
		s->deadline = at;
}

uint64_t ra_sched_deadline(const struct ra_sched *s)
{
	return s->deadline;
}

/* ACTIVE: an RA goes out now; the next unsolicited one is due after a
 * random interval (at most initial_ms until `initial` RAs went out). */
static enum ra_action ra_sched_send(struct ra_sched *s, uint64_t now)
{
	uint64_t next = ra_between(s, s->t.min_ms, s->t.max_ms);
	if (s->initial_left)
		s->initial_left--;
	/* the first `initial` RAs come at most initial_ms apart */
	if (s->initial_left && next > s->t.initial_ms)
		next = s->t.initial_ms;
	s->last_sent = now;
	s->ever_sent = true;
	s->deadline = now + next;
	return RA_SEND_RA;
}

enum ra_action ra_sched_due(struct ra_sched *s, uint64_t now)
{
	if (now < s->deadline)
		return RA_NONE;
	switch (s->state) {
	case RA_LISTEN:
		s->state = RA_ACTIVE;
		return ra_sched_send(s, now);
	case RA_ACTIVE:
		return ra_sched_send(s, now);
	case RA_QUIET:
		/* the other router has been silent for the hold time: look again */
		return ra_sched_start(s, &s->t, now, ra_rand(s));
	}
	return RA_NONE;
}
