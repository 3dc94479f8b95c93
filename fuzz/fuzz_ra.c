/* libFuzzer: ra_parse over any ICMPv6 message (RS/RA from the raw socket),
 * and ra_sched driven by the same bytes as a sequence of events (RA heard,
 * RS heard, time passing). Whatever parses as an RA is rebuilt from its
 * fields and must parse back the same; the schedule never sends an RA
 * while another router is heard, and its deadline never lies in the past
 * after ra_sched_due. Seeds: a radvd-shaped RA, our RA, an RS. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/ra_sched.h"
#include "netboot/ra_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(const struct ra_msg *m)
{
	if (m->type != RA_TYPE_RA)
		return;
	struct ra_params p = {.flags = m->flags & (RA_FLAG_M | RA_FLAG_O),
			      .router_lifetime = m->router_lifetime,
			      .has_mac = m->has_slla,
			      .mtu = m->mtu,
			      .has_prefix = m->n_prefixes > 0};
	memcpy(p.mac, m->slla, 6);
	if (m->n_prefixes) {
		memcpy(p.prefix, m->prefixes[0].prefix, 8);
		p.prefix_valid = m->prefixes[0].valid;
		p.prefix_pref = m->prefixes[0].pref;
	}
	uint8_t out[128];
	struct wbuf w;
	struct ra_msg b;
	wbuf_init(&w, out, sizeof out);
	if (ra_build(&w, &p) || ra_parse(out, w.len, &b) || b.flags != p.flags ||
	    b.router_lifetime != p.router_lifetime || b.mtu != p.mtu || b.has_slla != p.has_mac ||
	    b.n_prefixes != (p.has_prefix ? 1u : 0u))
		abort();
}

static void drive_sched(const uint8_t *data, size_t size)
{
	struct ra_sched s;
	uint64_t now = 1000;
	ra_sched_start(&s, &ra_timing_default, now, size);
	for (size_t i = 0; i < size && i < 512; i++) {
		uint8_t b = data[i];
		now += (uint64_t)(b >> 2) * (b & 1 ? 50000 : 100);
		switch (b & 3) {
		case 0:
			ra_sched_other(&s, now);
			break;
		case 1:
			ra_sched_rs(&s, now);
			break;
		default: {
			enum ra_state before = s.state;
			enum ra_action a = ra_sched_due(&s, now);
			if (a == RA_SEND_RA && before == RA_QUIET)
				abort();
			if (a != RA_NONE && ra_sched_deadline(&s) <= now)
				abort();
		}
		}
		if (s.state == RA_QUIET && ra_sched_due(&s, now) == RA_SEND_RA)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ra_msg m;
	int r = ra_parse(data, size, &m);
	if (r == 0) {
		if (m.n_prefixes > RA_MAX_PREFIXES)
			abort();
		check_roundtrip(&m);
	}
	drive_sched(data, size);
	return 0;
}
