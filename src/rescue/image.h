/* image: `takeover --image SRC --target DEV [--sha256 HEX]`, run by PID 1
 * in a child once the old root is released. The source is a local file or
 * an http:// URL (rescue/httpget); a gzip, zstd or xz stream (told by its
 * magic) goes through the carried decompressor (`gzip -dc`, `zstd -dc`,
 * `xz -dc`, or busybox's gzip/xz) as a pipe. The written bytes are hashed
 * (core/sha256) while they are written, read back after a flush and hashed
 * again; both must agree, and with --sha256 they must match it. Progress
 * (bytes, rate, ETA) goes to the console every second and to
 * IMAGE_STATUS_FILE for SSH sessions.
 *
 * The detection, hex parsing and progress text are pure (tests/unit/
 * test_image.c); image_write() is the doer. */
#ifndef LIFEBOAT_RESCUE_IMAGE_H
#define LIFEBOAT_RESCUE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define IMAGE_STATUS_FILE "/run/lifeboat-image.status"

enum image_fmt { IMAGE_RAW, IMAGE_GZIP, IMAGE_ZSTD, IMAGE_XZ };

/* The format from the first bytes (raw when nothing matches). */
enum image_fmt image_detect(const uint8_t *p, size_t n);
const char *image_fmt_name(enum image_fmt f);

/* 64 hex digits (either case) into out. 0 or -EINVAL. */
int image_parse_sha256(const char *hex, uint8_t out[32]);
void image_hex(const uint8_t d[32], char out[65]);

/* "written=12.0MiB of 64.0MiB (18%) rate=3.1MiB/s eta=17s" (total 0:
 * unknown size, no percentage or ETA). */
void image_progress(char *out, size_t cap, uint64_t done, uint64_t total, uint64_t elapsed_ms);

/* The decompressor argv for f: the first of the candidates that exists
 * (a carried binary, else the busybox applet). NULL for raw, or when none
 * is there. argv points into static storage. */
char *const *image_decompressor(enum image_fmt f, const char *busybox);

struct image_job {
	const char *src;    /* path or http:// URL */
	const char *target; /* block device (or a regular file) */
	const char *sha256; /* "" or 64 hex digits */
	const char *busybox;
	int con;		 /* progress lines, -1 none */
	const char *status_file; /* the last progress line; NULL: IMAGE_STATUS_FILE */
};

/* Writes and verifies. 0, or -errno with a reason in why (-EBADMSG: a
 * checksum mismatch). */
int image_write(const struct image_job *j, char *why, size_t cap);

/* Mounts the written target (or its first partition) at dir, read-only
 * when ro, trying every block filesystem the kernel knows. 0 or -errno. */
int image_mount(const char *target, const char *dir, int ro);

#endif
