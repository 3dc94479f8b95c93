/* switch: executes the root switches of a takeover through a small ops
 * table, so the order of mounts, moves and unmounts can be unit tested with
 * fake ops (tests/unit/test_switch.c) and run for real (switch_sys_ops). */
#ifndef LIFEBOAT_RESCUE_SWITCH_H
#define LIFEBOAT_RESCUE_SWITCH_H

#include <stdbool.h>

#include "rescue/mountinfo.h"

struct switch_ops {
	/* Each returns 0 or -errno, like the syscall of the same name. */
	int (*mount)(void *c, const char *src, const char *tgt, const char *type,
		     unsigned long flags, const char *data);
	int (*umount)(void *c, const char *tgt, int flags);
	int (*pivot_root)(void *c, const char *new_root, const char *put_old);
	int (*chdir)(void *c, const char *path);
	int (*mkdir)(void *c, const char *path);
	int (*load_mountinfo)(void *c, struct mnt_table *t);
	void (*sleep_ms)(void *c, unsigned ms);
	/* Told about a mount that stays busy after all retries (may be NULL). */
	void (*busy)(void *c, const char *target);
};

extern const struct switch_ops switch_sys_ops; /* ctx unused: pass NULL */

/* Makes / recursively private, pivots into ramroot (a mount point) with the
 * old root at ramroot/oldroot, chdirs to / and moves the old root's /dev,
 * /proc, /sys and /run (those that are mounts) to the new /dev ... /run.
 * Before the pivot a failure changes nothing but propagation; a failed move
 * afterwards is skipped (the filesystem stays reachable under /oldroot) and
 * counted in *failed_moves. */
int switch_enter(const struct switch_ops *o, void *c, const char *ramroot, int *failed_moves);

struct release_report {
	int unmounted; /* umount2 calls that succeeded */
	int busy;      /* mounts still busy after the retries */
	int detached;  /* of those, lazily detached (MNT_DETACH) */
	bool released; /* nothing remains beneath oldroot, no lazy detach */
};

/* Unmounts every mount at or beneath oldroot, deepest first, passing over
 * the list up to retries times while progress is made or busy mounts may
 * still let go (sleeping 200 ms between passes); then reports the mounts
 * still busy through o->busy and detaches them lazily. Returns 0, or
 * -errno when mountinfo cannot be read. */
int switch_release(const struct switch_ops *o, void *c, const char *oldroot, unsigned retries,
		   struct release_report *r);

/* The way out of the RAM root: moves /dev /proc /sys into newroot (already
 * mounted), gives it a fresh tmpfs on /run (the old /run stays with the RAM
 * root), makes newroot the root with pivot_root(".", ".") and lazily
 * detaches the RAM root beneath it. On failure before the pivot the moves
 * are undone as far as possible. */
int switch_leave(const struct switch_ops *o, void *c, const char *newroot);

/* Real-system helpers (not through ops). Each returns how many it did. */
int switch_swapoff_all(void);
/* Detaches loop devices that are not the source of a current mount. */
int switch_detach_loops(void);

#endif
