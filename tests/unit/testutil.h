/* Helpers shared by unit tests. */
#ifndef LIFEBOAT_TESTUTIL_H
#define LIFEBOAT_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>

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

#endif
