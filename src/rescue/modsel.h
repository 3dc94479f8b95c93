/* modsel: which modules of the rescue image's list to load on this
 * machine (pure). Loading all of a generous list (mkrescue's `auto` is
 * ~600 modules) one by one takes minutes under emulation; instead load the
 * ones whose modules.alias patterns match a device's modalias, the ones
 * of the families no device asks for (filesystems, md/dm, crypto), and
 * their modules.dep closure, in list order. New devices appear as bus
 * drivers load (virtio_pci brings the virtio devices), so the caller
 * matches again until nothing new is wanted. */
#ifndef LIFEBOAT_RESCUE_MODSEL_H
#define LIFEBOAT_RESCUE_MODSEL_H

#include <stdbool.h>
#include <stddef.h>

enum modsel_comp { MODSEL_PLAIN, MODSEL_XZ, MODSEL_ZST, MODSEL_GZ };

/* The next path of the list text at *pos (comments '#' and blank lines
 * skipped, surrounding blanks trimmed) into path; 1 when one was found,
 * 0 at the end, -EINVAL for a relative or too long line (skipped). */
int modsel_next(const char *text, size_t len, size_t *pos, char *path, size_t cap);

/* The module's name as the kernel knows it ("virtio-net.ko.xz" ->
 * "virtio_net") and its compression, from the file name. */
enum modsel_comp modsel_name(const char *path, char *name, size_t cap);

struct modsel_alias {
	const char *pattern; /* into the caller's alias text (NUL-terminated in place) */
	const char *bus_end; /* end of the "bus:" prefix within pattern (':' or NULL) */
	unsigned mod;
};

struct modsel {
	size_t n;
	char (*path)[512];
	char (*name)[64];
	bool *want, *done;
	unsigned *deps; /* dep_off[i]..dep_off[i+1] index into it */
	size_t *dep_off;
	size_t n_deps;
	struct modsel_alias *alias;
	size_t n_alias;
};

/* Parses the list text (modsel_next's format). 0, -ENOMEM. */
int modsel_init(struct modsel *s, const char *list, size_t len);
void modsel_free(struct modsel *s);

/* Reads modules.dep text: "path: dep dep ..." lines, paths relative to
 * the module directory; only dependencies of listed modules on listed
 * modules are kept (by name). 0 or -ENOMEM. */
int modsel_deps(struct modsel *s, const char *text, size_t len);

/* Reads modules.alias text ("alias PATTERN NAME" lines), modified in place
 * (NULs) and referenced afterwards. Keeps the aliases of listed modules.
 * 0 or -ENOMEM. */
int modsel_aliases(struct modsel *s, char *text, size_t len);

/* Wants the modules no device asks for: paths under kernel/fs/,
 * kernel/drivers/md/, kernel/crypto/, arch/x86/crypto/, kernel/lib/, and
 * loop.
 * Returns how many were newly wanted. */
size_t modsel_want_families(struct modsel *s);

/* Wants every module one of whose aliases matches modalias (fnmatch, as
 * modprobe does), with its dependencies. Returns how many were newly
 * wanted. */
size_t modsel_match(struct modsel *s, const char *modalias);

/* Wants module i and its dependencies (closure). Returns the count added. */
size_t modsel_want(struct modsel *s, size_t i);

#endif
