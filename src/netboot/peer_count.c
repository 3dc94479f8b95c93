/* peer_count: per-client-address counters for per-client caps (linear
 * probing, backward-shift deletion, a seeded hash against chosen keys). */
#include "netboot/peer_count.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

int peer_count_init(struct peer_count *t, size_t max_peers, uint64_t seed)
{
	size_t cap = 16;
	/* At most half full: probes stay short. */
	while (cap < 2 * max_peers)
		cap *= 2;
	memset(t, 0, sizeof *t);
	t->slots = calloc(cap, sizeof *t->slots);
	if (!t->slots)
		return -ENOMEM;
	t->mask = cap - 1;
	t->seed = seed;
	return 0;
}

void peer_count_free(struct peer_count *t)
{
	free(t->slots);
	memset(t, 0, sizeof *t);
}

int peer_key_from_sa(struct peer_key *k, const struct sockaddr *sa)
{
	memset(k, 0, sizeof *k);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		k->a[10] = k->a[11] = 0xff;
		memcpy(k->a + 12, &s4->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(k->a, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return 0;
	}
	return -EAFNOSUPPORT;
}

static size_t peer_hash(const struct peer_count *t, const struct peer_key *k)
{
	uint64_t h = 0xcbf29ce484222325ull ^ t->seed;
	for (size_t i = 0; i < sizeof k->a; i++) {
		h ^= k->a[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 29;
	return (size_t)h & t->mask;
}

/* The slot holding k, or the empty slot where it would go. */
static size_t peer_find(const struct peer_count *t, const struct peer_key *k)
{
	size_t i = peer_hash(t, k);
	while (t->slots[i].count && memcmp(&t->slots[i].key, k, sizeof *k))
		i = (i + 1) & t->mask;
	return i;
}

uint32_t peer_count_get(const struct peer_count *t, const struct peer_key *k)
{
	return t->slots ? t->slots[peer_find(t, k)].count : 0;
}

long peer_count_inc(struct peer_count *t, const struct peer_key *k)
{
	size_t i = peer_find(t, k);
	if (!t->slots[i].count) {
		if (t->used * 2 >= t->mask + 1)
			return -ENOSPC;
		t->slots[i].key = *k;
		t->used++;
	}
	return ++t->slots[i].count;
}

void peer_count_dec(struct peer_count *t, const struct peer_key *k)
{
	size_t i = peer_find(t, k);
	if (!t->slots[i].count || --t->slots[i].count)
		return;
	t->used--;
	/* Backward shift: pull later members of the probe run into the hole
	 * so lookups never stop early at it. */
	for (size_t j = (i + 1) & t->mask; t->slots[j].count; j = (j + 1) & t->mask) {
		size_t home = peer_hash(t, &t->slots[j].key);
		/* j may move to i when home is not cyclically in (i, j]. */
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slots[i] = t->slots[j];
			t->slots[j].count = 0;
			i = j;
		}
	}
}
