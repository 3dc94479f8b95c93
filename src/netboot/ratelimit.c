/* ratelimit: per-MAC token buckets in a fixed hash table, plus one global
 * bucket. */
#include "netboot/ratelimit.h"

#include <string.h>

void ratelimit_init(struct ratelimit *r, uint32_t per_key_rate, uint32_t per_key_burst,
		    uint32_t global_rate, uint32_t global_burst)
{
	memset(r, 0, sizeof *r);
	r->per_key_rate = per_key_rate;
	r->per_key_burst = per_key_burst ? per_key_burst : 1;
	r->global_rate = global_rate;
	r->global_burst = global_burst ? global_burst : 1;
	r->global_milli_tokens = (uint64_t)r->global_burst * 1000;
}

/* Refills a bucket for the time elapsed, capped at burst. */
static uint64_t refill(uint64_t milli, uint64_t last, uint64_t now, uint32_t rate, uint32_t burst)
{
	uint64_t cap = (uint64_t)burst * 1000;
	if (now > last)
		milli += (now - last) * rate; /* rate tokens/s = rate milli-tokens/ms */
	return milli > cap ? cap : milli;
}

static uint32_t hash_key(const uint8_t k[6])
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 6; i++)
		h = (h ^ k[i]) * 16777619u;
	return h;
}

static struct ratelimit_entry *find_slot(struct ratelimit *r, const uint8_t key[6])
{
	uint32_t h = hash_key(key);
	struct ratelimit_entry *oldest = NULL;
	for (uint32_t i = 0; i < RATELIMIT_PROBE; i++) {
		struct ratelimit_entry *e = &r->tab[(h + i) % RATELIMIT_SLOTS];
		if (e->used && !memcmp(e->key, key, 6))
			return e;
		if (!e->used)
			return e;
		if (!oldest || e->last_ms < oldest->last_ms)
			oldest = e;
	}
	oldest->used = false; /* recycle the least recently seen */
	return oldest;
}

bool ratelimit_allow(struct ratelimit *r, const uint8_t key[6], uint64_t now_ms)
{
	struct ratelimit_entry *e = NULL;
	if (r->global_rate) {
		r->global_milli_tokens = refill(r->global_milli_tokens, r->global_last_ms, now_ms,
						r->global_rate, r->global_burst);
		r->global_last_ms = now_ms;
		if (r->global_milli_tokens < 1000)
			goto drop;
	}
	if (r->per_key_rate) {
		e = find_slot(r, key);
		if (!e->used) {
			e->used = true;
			memcpy(e->key, key, 6);
			e->milli_tokens = r->per_key_burst * 1000;
			e->last_ms = now_ms;
		}
		e->milli_tokens = (uint32_t)refill(e->milli_tokens, e->last_ms, now_ms,
						   r->per_key_rate, r->per_key_burst);
		e->last_ms = now_ms;
		if (e->milli_tokens < 1000)
			goto drop;
		e->milli_tokens -= 1000;
	}
	if (r->global_rate)
		r->global_milli_tokens -= 1000;
	return true;
drop:
	r->dropped++;
	r->dropped_total++;
	return false;
}
