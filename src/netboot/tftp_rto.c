/* tftp_rto: the RFC 6298 retransmission-timeout estimator of one TFTP
 * transfer (pure). */
#include "netboot/tftp_rto.h"

#define RTO_G_US 1000u /* clock granularity: the loop's clock is in ms */
#define RTO_CAP_US (60u * 1000 * 1000)

void tftp_rto_init(struct tftp_rto *r, uint32_t min_ms, uint32_t max_ms)
{
	if (min_ms < 1)
		min_ms = 1;
	if (max_ms < min_ms)
		max_ms = min_ms;
	*r = (struct tftp_rto){.base_ms = max_ms, .min_ms = min_ms, .max_ms = max_ms};
}

void tftp_rto_sample(struct tftp_rto *r, uint64_t rtt_us)
{
	uint32_t rtt = rtt_us > RTO_CAP_US ? RTO_CAP_US : (uint32_t)rtt_us;
	if (!r->samples) {
		r->srtt_us = rtt;
		r->rttvar_us = rtt / 2;
	} else {
		uint32_t diff = r->srtt_us > rtt ? r->srtt_us - rtt : rtt - r->srtt_us;
		r->rttvar_us = r->rttvar_us - r->rttvar_us / 4 + diff / 4;
		r->srtt_us = r->srtt_us - r->srtt_us / 8 + rtt / 8;
	}
	r->samples++;
	uint32_t var = 4 * r->rttvar_us;
	uint64_t rto_us = (uint64_t)r->srtt_us + (var > RTO_G_US ? var : RTO_G_US);
	uint64_t ms = (rto_us + 999) / 1000;
	if (ms < r->min_ms)
		ms = r->min_ms;
	if (ms > r->max_ms)
		ms = r->max_ms;
	r->base_ms = (uint32_t)ms;
	r->shift = 0;
}

void tftp_rto_backoff(struct tftp_rto *r)
{
	if (!tftp_rto_at_max(r))
		r->shift++;
}

uint32_t tftp_rto_ms(const struct tftp_rto *r)
{
	uint64_t ms = (uint64_t)r->base_ms << (r->shift > 31 ? 31 : r->shift);
	return ms > r->max_ms ? r->max_ms : (uint32_t)ms;
}

bool tftp_rto_at_max(const struct tftp_rto *r)
{
	return tftp_rto_ms(r) >= r->max_ms;
}
