/* iso9660: reads ISO 9660 images in place (ECMA-119 with Rock Ridge NM/CL/RE
 * names, Joliet names as a fallback, multi-extent files whose extents are
 * adjacent, El Torito's boot catalogue location). Pure: every byte comes
 * through a read callback (pread on the image fd, or memory for the fuzzer)
 * and through core/buf; the image is untrusted, so every offset and length
 * is checked against the image size and every walk is bounded. */
#ifndef LIFEBOAT_NETBOOT_ISO9660_H
#define LIFEBOAT_NETBOOT_ISO9660_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ISO_SECTOR 2048u
#define ISO_NAME_MAX 256 /* a name (UTF-8), NUL included */
#define ISO_PATH_MAX 1024

/* Reads n bytes at off into dst: 0, or -errno (-EIO for a short read). */
typedef int (*iso_read_fn)(void *arg, uint64_t off, void *dst, size_t n);

struct iso_image {
	iso_read_fn read;
	void *arg;
	uint64_t size; /* bytes of the image: nothing past it is read */
	/* the tree names are taken from */
	uint32_t root_lba, root_len;
	bool rock_ridge; /* names from Rock Ridge NM in the primary tree */
	bool joliet;	 /* names from the Joliet tree (no Rock Ridge) */
	uint8_t su_skip; /* SUSP LEN_SKP of the primary tree */
	char volume_id[33];
	bool el_torito;
	uint32_t boot_catalog; /* El Torito boot catalogue sector */
};

/* A file or directory found in the image. */
struct iso_entry {
	char name[ISO_NAME_MAX];
	bool dir;
	uint64_t offset; /* byte offset of the data in the image */
	uint64_t size;
};

/* Reads the volume descriptors. 0, or -EBADMSG with *why saying what is
 * wrong (no ISO 9660 signature, a root past the end of the image, ...). */
int iso_open(struct iso_image *iso, iso_read_fn read, void *arg, uint64_t size, const char **why);

/* Finds path ("live/vmlinuz", leading '/' optional, "" = the root). Rock
 * Ridge and Joliet names match exactly, plain ISO names without their
 * ";1" version and case-insensitively. 1 with *e filled, 0 when there is
 * no such file, -EBADMSG for a corrupt directory (*why says what), or the
 * read callback's -errno. */
int iso_lookup(const struct iso_image *iso, const char *path, struct iso_entry *e,
	       const char **why);

/* Calls fn for each entry of directory dir (at most max entries; "." and
 * ".." skipped). fn returns nonzero to stop. Returns the number of entries
 * visited or -errno like iso_lookup. */
int iso_list(const struct iso_image *iso, const struct iso_entry *dir, size_t max,
	     int (*fn)(void *arg, const struct iso_entry *e), void *arg, const char **why);

/* pread(2) callback: arg points at the int fd. */
int iso_pread(void *arg, uint64_t off, void *dst, size_t n);

#endif
