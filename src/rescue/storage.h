/* storage: tears down the device stack under the released old root
 * (storstack's order) through the kernel's own interfaces, and rebuilds it
 * for a return. No lvm, cryptsetup, mdadm or losetup binary is needed:
 *
 *   dm (LVM logical volumes, dm-crypt/LUKS mappings, other dm devices):
 *     DM_DEV_STATUS (open count), DM_TABLE_STATUS (the table, with the
 *     crypt key), DM_DEV_REMOVE. Rebuilt with DM_DEV_CREATE (same name,
 *     uuid and device number), DM_TABLE_LOAD, DM_DEV_SUSPEND (resume).
 *   md: STOP_ARRAY. Rebuilt with SET_ARRAY_INFO (superblock version),
 *     ADD_NEW_DISK per member, RUN_ARRAY.
 *   loop: LOOP_CLR_FD. Rebuilt with LOOP_CONFIGURE on the same device from
 *     the backing file, opened before the detach.
 *
 * The saved tables, crypt keys included, live only in this process's
 * memory (locked, excluded from core dumps) and are zeroed
 * (explicit_bzero) once rebuilt or dropped; they are never logged. A crypt
 * table whose key is a kernel keyring reference (LUKS2 opened by
 * cryptsetup) cannot be saved: such a mapping is kept when a return is
 * possible, and closed otherwise. */
#ifndef LIFEBOAT_RESCUE_STORAGE_H
#define LIFEBOAT_RESCUE_STORAGE_H

#include <stdbool.h>

struct storage_saved;

/* Told each line: marker (a LIFEBOAT-STORAGE-* line) or a diagnostic. */
typedef void (*storage_say_fn)(void *c, bool marker, const char *line);

struct storage_report {
	int closed, busy, kept;
};

/* Tears down the stack under the block device major:minor (the old root,
 * already unmounted), reading sysfs at /sys and opening device nodes in
 * /dev, made beneath nodedir when missing. With may_return, what cannot be
 * rebuilt is kept and *saved receives what is needed to rebuild (NULL when
 * nothing was closed). Returns 0, or -errno when the stack cannot be read
 * (nothing done). */
int storage_down(unsigned major, unsigned minor, bool may_return, const char *nodedir,
		 struct storage_saved **saved, struct storage_report *r, storage_say_fn say,
		 void *c);

/* Rebuilds what storage_down closed, lowest layer first, then zeroes and
 * frees *saved (NULL afterwards). Returns how many failed (0: all back). */
int storage_up(struct storage_saved **saved, const char *nodedir, storage_say_fn say, void *c);

/* Zeroes and frees without rebuilding. */
void storage_drop(struct storage_saved **saved);

#endif
