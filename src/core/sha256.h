/* sha256: FIPS 180-4 SHA-256, for fingerprints (ssh host keys). Small and
 * plain; not for hashing bulk data fast. */
#ifndef LIFEBOAT_CORE_SHA256_H
#define LIFEBOAT_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t total; /* bytes fed */
	uint8_t block[64];
	size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
/* One call for a whole buffer. */
void sha256(const void *data, size_t n, uint8_t out[SHA256_LEN]);

/* Base64 (RFC 4648, standard alphabet). Encode writes a NUL-terminated
 * string, with '=' padding when pad; returns its length or -ENOBUFS.
 * Decode skips nothing: any character outside the alphabet or a bad
 * padding is -EBADMSG; returns the decoded length or -ENOBUFS. */
int b64_encode(const void *src, size_t n, char *dst, size_t cap, int pad);
int b64_decode(const char *src, size_t n, uint8_t *dst, size_t cap);

#endif
