/* SPDX-License-Identifier: MIT */
/* Small SHA-256 for the benchmark tools (verification, not security). */
#ifndef LIFEBOAT_BENCH_SHA256_H
#define LIFEBOAT_BENCH_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;      /* bytes fed so far */
	uint8_t buf[64];   /* partial block */
	size_t nbuf;
	int shani;         /* use the x86 SHA extensions */
};

/* Start a digest; force_portable=1 disables the SHA-NI path (self-test). */
void sha256_init(struct sha256 *s, int force_portable);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[32]);
/* out must hold 65 bytes: lower-case hex digest + NUL. */
void sha256_hex(const uint8_t dig[32], char out[65]);

#endif
