/* modload: loads the rescue image's kernel modules from its own list
 * (/etc/lifeboat/modules: absolute paths, one per line, dependencies
 * first) with finit_module(2). Compressed modules go to the kernel as
 * they are (MODULE_INIT_COMPRESSED_FILE, Linux 6.4+); an older kernel
 * gets them decompressed by busybox (xz, gzip) instead. */
#ifndef LIFEBOAT_RESCUE_MODLOAD_H
#define LIFEBOAT_RESCUE_MODLOAD_H

#include <stddef.h>

#include "rescue/modsel.h"

#define MODLOAD_LIST "/etc/lifeboat/modules"

struct modload_result {
	unsigned loaded, present, failed;
	unsigned skipped; /* listed, but no device or family asked for it */
};

/* Loads the modules of the list file this machine needs: with the
 * running kernel's modules.alias in /lib/modules/$(uname -r), the ones
 * rescue/modsel selects (devices' modaliases, filesystems, md/dm, crypto,
 * and their modules.dep closure), round after round; without it, every
 * listed module. Each failure is logged (core/log) and loading goes on;
 * busybox is the path used to decompress on old kernels. 0, -ENOENT (no
 * list) or -EIO. */
int modload_all(const char *list, const char *busybox, struct modload_result *r);

#endif
