/* kmod: a kernel's module index for `lifeboat mkrescue` (pure, fuzzed):
 * modules.dep (path: dep dep ...) parsed through core/buf, module names,
 * the dependency closure of a selection in load order (dependencies first),
 * and the firmware files a module names in its .modinfo ELF section. */
#ifndef LIFEBOAT_RESCUE_KMOD_H
#define LIFEBOAT_RESCUE_KMOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMOD_PATH_MAX 256 /* a path relative to /lib/modules/KVER */
#define KMOD_MAX_MODS 65536
#define KMOD_MAX_DEPS 256 /* dependencies on one line */

struct kmod_mod {
	char *path;	 /* "kernel/drivers/net/virtio_net.ko.xz" (into db->strs) */
	char name[64];	 /* "virtio_net": basename without .ko*, '-' as '_' */
	uint32_t dep0;	 /* first index into db->deps */
	uint32_t n_deps; /* modules.dep lists the whole closure, last loads first */
};

struct kmod_db {
	char *strs; /* the file's text, copied and cut into strings */
	struct kmod_mod *mods;
	size_t n;
	uint32_t *deps; /* indices into mods */
	size_t n_deps;
	uint32_t *by_path; /* mods sorted by path (for the dependency lookup) */
};

/* Parses modules.dep (len bytes). 0, -EBADMSG (a malformed line: no ':', an
 * absolute or ".." path, a path over KMOD_PATH_MAX, a NUL, too many
 * modules or dependencies, a dependency that has no line of its own, a
 * module listed twice), -ENOMEM. Comment lines (#) and blank lines are
 * skipped. Free with kmod_free (also after a failure). */
int kmod_parse_dep(const void *data, size_t len, struct kmod_db *db);
void kmod_free(struct kmod_db *db);

/* The module named name ('-' and '_' alike), or -1. */
long kmod_find_name(const struct kmod_db *db, const char *name);
/* The module at this relative path, or -1. */
long kmod_find_path(const struct kmod_db *db, const char *path);

/* Writes into order[] (room for db->n) the modules of want[] (bit i set in
 * want: module i wanted) and their dependencies, each once, dependencies
 * before the modules that need them; want is updated to the closure.
 * Returns how many, or -ELOOP for a dependency cycle, -ENOMEM. */
long kmod_closure(const struct kmod_db *db, uint8_t *want, uint32_t *order);

/* The module name of a path ("a/b/snd-hda.ko.zst" -> "snd_hda") into out. */
void kmod_name_of(const char *path, char *out, size_t cap);

/* Calls fn for each "firmware=" value in the .modinfo section of an ELF
 * relocatable object (a .ko) of len bytes. 0 (also when there is no
 * .modinfo), -ENOEXEC (not ELF), -EBADMSG (malformed headers or an
 * unterminated string). Values are passed with their length; fn returns
 * non-zero to stop (that value is returned). */
int kmod_modinfo_firmware(const void *ko, size_t len,
			  int (*fn)(void *ctx, const char *fw, size_t n), void *ctx);

#endif
