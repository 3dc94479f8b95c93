/* fsroot: open a client-named file under the served root, never outside.
 *
 * Two steps, so the pure part can be fuzzed: fsroot_clean_path() turns what a
 * client sent into a canonical relative path or refuses it; fsroot_open()
 * opens that path beneath the root directory fd with
 * openat2(RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS) (or, on kernels without
 * openat2, a component walk that refuses every symlink), and only hands out
 * regular files. Both look with O_PATH and check the type first: a FIFO or
 * device node is refused without ever being opened. */
#ifndef LIFEBOAT_NETBOOT_FSROOT_H
#define LIFEBOAT_NETBOOT_FSROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define FSROOT_PATH_MAX 1024

struct fsroot {
	int dirfd;
	bool walk; /* use the no-openat2 walk even where openat2 exists (tests) */
};

/* Opens dir as the served root. Returns 0 or -errno. */
int fsroot_init(struct fsroot *r, const char *dir);
void fsroot_close(struct fsroot *r);

/* Canonicalises n bytes of a client path into out (NUL-terminated):
 * '\\' becomes '/', leading and repeated '/' and "." components go,
 * and it refuses (-EINVAL) NUL or control bytes, "..", an empty result,
 * or a result of cap bytes or more. Percent-decoding is the caller's job
 * (HTTP), done before this. Returns the length of out or -EINVAL. */
int fsroot_clean_path(const char *in, size_t n, char *out, size_t cap);

/* Opens a cleaned path read-only beneath r. Returns an fd (O_CLOEXEC) and
 * fills *st, or -ENOENT, -EACCES, -EXDEV (escapes the root), -EISDIR,
 * -EPERM (not a regular file: device, FIFO, socket; never opened, so it
 * cannot block or have side effects), -ELOOP... */
int fsroot_open(const struct fsroot *r, const char *clean, struct stat *st);

#endif
