/* tftp_rto: the retransmission timeout of one TFTP transfer, estimated from
 * measured round trips the way RFC 6298 does for TCP (SRTT/RTTVAR, K = 4,
 * G = 1 ms), clamped to [min_ms, max_ms], doubled on every timeout up to
 * max_ms. Pure: the caller measures (and applies Karn's rule: no sample from
 * an ACK of anything that was sent more than once) and feeds it samples.
 *
 *   tftp_rto_init(&r, 5, 1000);      // 1000 ms until the first sample
 *   tftp_rto_sample(&r, 1400);       // an ACK 1.4 ms after its DATA: 5 ms
 *   tftp_rto_backoff(&r);            // a timeout: 10 ms, then 20, ... 1000
 *
 * A fixed timeout (a client's RFC 2349 option) is min_ms == max_ms. */
#ifndef LIFEBOAT_NETBOOT_TFTP_RTO_H
#define LIFEBOAT_NETBOOT_TFTP_RTO_H

#include <stdbool.h>
#include <stdint.h>

struct tftp_rto {
	uint32_t srtt_us, rttvar_us; /* valid once samples > 0 */
	uint32_t base_ms;	     /* estimate, clamped; before backoff */
	uint32_t min_ms, max_ms;
	unsigned shift;	  /* timeouts since the last valid sample */
	unsigned samples; /* valid samples taken */
};

/* min_ms is raised to 1 and max_ms to min_ms if needed. */
void tftp_rto_init(struct tftp_rto *r, uint32_t min_ms, uint32_t max_ms);
/* One round trip, in microseconds, of something sent exactly once. Ends any
 * backoff (RFC 6298 5.7: the backed-off value holds until a valid sample). */
void tftp_rto_sample(struct tftp_rto *r, uint64_t rtt_us);
/* A retransmission timeout fired: double the timeout (up to max_ms). */
void tftp_rto_backoff(struct tftp_rto *r);
/* The timeout to arm now, in ms: min(max_ms, base_ms << shift). */
uint32_t tftp_rto_ms(const struct tftp_rto *r);
/* Whether the timeout has reached max_ms (timeouts at max count toward the
 * transfer's retries; shorter ones are the adaptive part and do not). */
bool tftp_rto_at_max(const struct tftp_rto *r);

#endif
