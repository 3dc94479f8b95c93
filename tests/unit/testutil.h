/* Helpers shared by unit tests. */
#ifndef LIFEBOAT_TESTUTIL_H
#define LIFEBOAT_TESTUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/sys.h"

/* Reads tests/vectors/<rel> into a malloc'd buffer; aborts the test run if
 * the fixture is missing (a missing fixture must not pass silently). */
static inline unsigned char *tu_read_vector(const char *rel, size_t *len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/tests/vectors/%s", LIFEBOAT_SRCDIR, rel);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "missing fixture %s\n", path);
		abort();
	}
	unsigned char *buf = malloc(65536);
	*len = fread(buf, 1, 65536, f);
	fclose(f);
	return buf;
}

/* Whether this kernel has openat2 (Linux 5.6). qemu-user 7.2 (the arm64
 * unit suite, make test-arm64) has not: the code under test takes its
 * no-openat2 path there, and the tests expect what that path does. */
static inline bool tu_have_openat2(void)
{
	int fd = sys_openat2(AT_FDCWD, "/", O_PATH | O_CLOEXEC, 0, 0);
	if (fd >= 0)
		close(fd);
	return fd != -ENOSYS;
}

#endif
