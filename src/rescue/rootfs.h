/* rootfs: questions about a root filesystem mounted somewhere else (the
 * old root at /newroot, a --switch-to target), answered with symlinks
 * resolved inside that root, as its own init would see them. */
#ifndef LIFEBOAT_RESCUE_ROOTFS_H
#define LIFEBOAT_RESCUE_ROOTFS_H

#include <stddef.h>

/* 0 if path (absolute, inside root) names an executable regular file there,
 * symlinks resolved with root as "/" (openat2 RESOLVE_IN_ROOT); else -errno. */
int rootfs_check_exec(const char *root, const char *path);

/* Finds the init of root: preferred (may be NULL or ""), then /sbin/init,
 * /etc/init, /bin/init, /init. Writes the path inside root to out. */
int rootfs_find_init(const char *root, const char *preferred, char *out, size_t cap);

#endif
