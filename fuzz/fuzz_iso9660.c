/* libFuzzer: iso9660 on arbitrary images. The input is the image from
 * sector 16 on (the 32 KiB system area before it reads as zeros), so the
 * seeds stay small. Every entry found must lie inside the image. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netboot/iso9660.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SYSAREA (16u * ISO_SECTOR)

struct fz {
	const uint8_t *p;
	size_t len;
	const struct iso_image *iso;
	int depth;
};

static int fz_read(void *arg, uint64_t off, void *dst, size_t n)
{
	const struct fz *f = arg;
	if (off + n > SYSAREA + f->len)
		abort(); /* the reader must check bounds before reading */
	for (size_t i = 0; i < n; i++) {
		uint64_t o = off + i;
		((uint8_t *)dst)[i] = o < SYSAREA ? 0 : f->p[o - SYSAREA];
	}
	return 0;
}

static int fz_visit(void *arg, const struct iso_entry *e)
{
	struct fz *f = arg;
	const char *why;
	if (e->offset > f->iso->size || e->size > f->iso->size - e->offset ||
	    !memchr(e->name, 0, sizeof e->name))
		abort();
	if (e->dir && f->depth < 3) {
		f->depth++;
		iso_list(f->iso, e, 64, fz_visit, f, &why);
		f->depth--;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {"live/vmlinuz", "LIVE/VMLINUZ", "d/a/b/c/d/e/f/g/h/i/f",
					    "casper/initrd", ""};
	struct fz f = {data, size, NULL, 0};
	struct iso_image iso;
	struct iso_entry e;
	const char *why = NULL;
	if (iso_open(&iso, fz_read, &f, SYSAREA + size, &why))
		return 0;
	f.iso = &iso;
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		if (iso_lookup(&iso, paths[i], &e, &why) == 1)
			fz_visit(&f, &e);
	return 0;
}
