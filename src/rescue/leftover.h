/* leftover: what an ended or killed takeover may leave behind (the rescue
 * tmpfs, the bind over the init's file, the state file), how to tell a live
 * handover from a stale one, and how to remove it. */
#ifndef LIFEBOAT_RESCUE_LEFTOVER_H
#define LIFEBOAT_RESCUE_LEFTOVER_H

#include <stddef.h>
#include <stdint.h>

#include "rescue/mountinfo.h"
#include "rescue/plan.h"

/* The source name of the rescue tmpfs: every mount of it, and every bind
 * of a file from it, shows this source in mountinfo. */
#define RESCUE_TMPFS_SOURCE "lifeboat-rescue"

/* Fills out with the mounts that come from the rescue tmpfs, in an order
 * that can unmount them: binds elsewhere first (latest first), then the
 * ones at or under RESCUE_DIR (latest first). Returns the count (pure). */
size_t leftover_mounts(const struct mnt_table *t, const struct mnt_entry **out, size_t cap);

/* This boot's id (/proc/sys/kernel/random/boot_id), "" if unreadable. */
void leftover_boot_id(char *out, size_t cap);

/* Reads and parses the state file at path into s. Returns 0 when it is
 * valid for this boot and time, -ESTALE when it is a leftover (*why says
 * why), -errno when it cannot be read, -EBADMSG when it does not parse. */
int leftover_state_read(const char *path, struct rescue_state *s, const char **why);

/* Unmounts (lazily) every mount leftover_mounts() names and removes the
 * empty RESCUE_DIR. Returns how many mounts went, or -errno. */
int leftover_clean(void);

#endif
