/* storstack: what is stacked under a block device, read from sysfs, and the
 * order to tear it down in (pure: it reads only beneath the sysfs directory
 * it is given, so tests build fixture trees).
 *
 * From the old root's device it walks down through slaves/ (device-mapper:
 * LVM logical volumes, dm-crypt/LUKS mappings, other dm; MD arrays; loop
 * devices; a partition stands for its disk when the disk is a loop device)
 * and then up through holders/ of every dm/md/loop device found, so the
 * other logical volumes of the same volume group, which keep a crypt
 * mapping open just as well, go first. Disks and their partitions are
 * leaves: never torn down. The order lists every holder before what it
 * holds. */
#ifndef LIFEBOAT_RESCUE_STORSTACK_H
#define LIFEBOAT_RESCUE_STORSTACK_H

#include <stdbool.h>
#include <stddef.h>

#define STORSTACK_MAX 64
#define STORSTACK_LINKS 16

enum stor_kind {
	STOR_LEAF,  /* a disk or partition: stays */
	STOR_LVM,   /* dm, uuid LVM-...: logical volume (deactivate) */
	STOR_CRYPT, /* dm, uuid CRYPT-...: dm-crypt/LUKS mapping (close) */
	STOR_DM,    /* any other device-mapper device (remove) */
	STOR_MD,    /* MD array (stop) */
	STOR_LOOP,  /* loop device (detach) */
};

struct stor_node {
	char name[32]; /* kernel name: dm-3, md0, loop1, vda2 */
	enum stor_kind kind;
	unsigned major, minor;
	char dm_name[128]; /* dm/name ("" when not dm) */
	char dm_uuid[129]; /* dm/uuid */
	char backing[256]; /* loop/backing_file, md/metadata_version */
	unsigned nslaves, nholders;
	int slaves[STORSTACK_LINKS];  /* indexes into v[] */
	int holders[STORSTACK_LINKS]; /* indexes into v[] */
	bool partition;		      /* a partition of a whole disk */
};

struct storstack {
	struct stor_node v[STORSTACK_MAX];
	unsigned n;
	int root;		  /* index of the root device, -1 when not found */
	int order[STORSTACK_MAX]; /* teardown order: indexes of non-leaf nodes */
	unsigned norder;
	bool truncated; /* more devices or links than fit: order is partial */
};

/* Builds the stack under the block device major:minor, reading sysfs at
 * sysroot ("/sys" on a live system). Returns 0 (s->norder may be 0: a plain
 * partition), -ENOENT when no block device has that number, -EINVAL for a
 * bad argument. */
int storstack_build(const char *sysroot, unsigned major, unsigned minor, struct storstack *s);

const char *stor_kind_name(enum stor_kind k); /* "lvm", "crypt", ... */
/* The verb of its teardown: "deactivate", "close", "remove", "stop",
 * "detach", "keep". */
const char *stor_kind_verb(enum stor_kind k);

/* What a dm-crypt table line holds as its key (the second word of the
 * target's parameters): a hex key, a kernel keyring reference
 * (":32:logon:cryptsetup:..."), none ("-"), or the line is malformed. */
enum crypt_key_kind { CRYPT_KEY_BAD, CRYPT_KEY_HEX, CRYPT_KEY_KEYRING, CRYPT_KEY_NONE };
enum crypt_key_kind storstack_crypt_key(const char *params, size_t len);

/* One line of teardown order for the log: "dm-2(lvm vg-root) dm-1(crypt
 * root_crypt) loop0(loop)" into out[cap]; the length written. */
size_t storstack_describe(const struct storstack *s, char *out, size_t cap);

#endif
