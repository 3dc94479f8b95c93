/* peer_count: how many of something (connections, transfers) each client
 * address holds, for per-client caps. A fixed-size open-addressing table
 * allocated once: no allocation per packet or connection. */
#ifndef LIFEBOAT_NETBOOT_PEER_COUNT_H
#define LIFEBOAT_NETBOOT_PEER_COUNT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* An IPv4 address is stored v4-mapped, so both families share a key. */
struct peer_key {
	uint8_t a[16];
};

struct peer_slot {
	struct peer_key key;
	uint32_t count; /* 0: empty */
};

struct peer_count {
	struct peer_slot *slots;
	size_t mask; /* capacity - 1 (a power of two) */
	size_t used;
	uint64_t seed;
};

/* Room for at least max_peers distinct addresses. Returns 0 or -ENOMEM. */
int peer_count_init(struct peer_count *t, size_t max_peers, uint64_t seed);
void peer_count_free(struct peer_count *t);
/* The key of a socket address (AF_INET or AF_INET6; v4-mapped IPv6 and
 * IPv4 give the same key); -EAFNOSUPPORT for anything else. */
int peer_key_from_sa(struct peer_key *k, const struct sockaddr *sa);
uint32_t peer_count_get(const struct peer_count *t, const struct peer_key *k);
/* Adds one for k. Returns the new count, or -ENOSPC when the table holds
 * max_peers addresses already (the caller refuses, as for a full cap). */
long peer_count_inc(struct peer_count *t, const struct peer_key *k);
/* Takes one off for k (no-op when k holds nothing). */
void peer_count_dec(struct peer_count *t, const struct peer_key *k);

#endif
