/* modload: loads the rescue image's kernel modules from its own list
 * (/etc/lifeboat/modules: absolute paths, one per line, dependencies
 * first) with finit_module(2). Compressed modules go to the kernel as
 * they are (MODULE_INIT_COMPRESSED_FILE, Linux 6.4+); an older kernel
 * gets them decompressed by busybox (xz, gzip) instead. */
#ifndef LIFEBOAT_RESCUE_MODLOAD_H
#define LIFEBOAT_RESCUE_MODLOAD_H

#include <stddef.h>

#define MODLOAD_LIST "/etc/lifeboat/modules"

enum modload_comp { MODLOAD_PLAIN, MODLOAD_XZ, MODLOAD_ZST, MODLOAD_GZ };

/* The next path of the list text at *pos (comments '#' and blank lines
 * skipped, surrounding blanks trimmed) into path; 1 when one was found,
 * 0 at the end, -EINVAL for a relative or too long line (skipped). */
int modload_next(const char *text, size_t len, size_t *pos, char *path, size_t cap);

/* The module's name as the kernel knows it ("virtio-net.ko.xz" ->
 * "virtio_net") and its compression, from the file name. */
enum modload_comp modload_name(const char *path, char *name, size_t cap);

struct modload_result {
	unsigned loaded, present, failed;
};

/* Loads every module of the list file, logging each failure (core/log)
 * and going on; busybox is the path used to decompress on old kernels. */
int modload_all(const char *list, const char *busybox, struct modload_result *r);

#endif
