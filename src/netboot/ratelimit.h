/* ratelimit: token buckets per client (keyed by MAC) and one global bucket,
 * so a misbehaving or spoofing client cannot make lifeboat flood the LAN it
 * joined. Pure: the caller passes the time. Fixed memory: a small hash table
 * whose least recently seen entry is recycled. */
#ifndef LIFEBOAT_NETBOOT_RATELIMIT_H
#define LIFEBOAT_NETBOOT_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_SLOTS 1024
#define RATELIMIT_PROBE 8

struct ratelimit_entry {
	uint8_t key[6];
	bool used;
	uint32_t milli_tokens;
	uint64_t last_ms;
};

struct ratelimit {
	uint32_t per_key_rate; /* tokens per second per key; 0 = no per-key limit */
	uint32_t per_key_burst;
	uint32_t global_rate; /* tokens per second overall; 0 = no global limit */
	uint32_t global_burst;
	uint64_t global_milli_tokens;
	uint64_t global_last_ms;
	uint64_t dropped;	/* replies refused since the last report */
	uint64_t dropped_total; /* replies refused, ever (for /metrics) */
	uint64_t last_report_ms;
	struct ratelimit_entry tab[RATELIMIT_SLOTS];
};

void ratelimit_init(struct ratelimit *r, uint32_t per_key_rate, uint32_t per_key_burst,
		    uint32_t global_rate, uint32_t global_burst);
/* Takes one token for key at time now_ms; false (and counts a drop) when
 * either bucket is empty. */
bool ratelimit_allow(struct ratelimit *r, const uint8_t key[6], uint64_t now_ms);

#endif
