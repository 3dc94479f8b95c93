/* mountinfo: parser for /proc/<pid>/mountinfo (pure, fuzzed).
 *
 * Line format (proc(5)):
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   id parent maj:min root target opts [optional fields...] - fstype source superopts
 * Paths are octal-escaped by the kernel (\040 space, \011 tab, \012 newline,
 * \134 backslash); the parser unescapes root, target and source. */
#ifndef LIFEBOAT_RESCUE_MOUNTINFO_H
#define LIFEBOAT_RESCUE_MOUNTINFO_H

#include <stdbool.h>
#include <stddef.h>

struct mnt_entry {
	int id, parent;
	unsigned major, minor;
	const char *root;   /* path inside the filesystem that is mounted */
	const char *target; /* mount point */
	const char *opts;   /* per-mount options: rw,nosuid,... */
	const char *fstype;
	const char *source; /* device or "none" */
	const char *super;  /* superblock options */
	bool shared;	    /* has a shared:N peer group */
};

struct mnt_table {
	struct mnt_entry *v;
	size_t n;
	char *text; /* owned copy the entries point into */
};

/* Parses len bytes of mountinfo text into t (entries in file order, i.e.
 * mount order). Returns 0, -EBADMSG for a malformed line (t left empty),
 * -ENOMEM. Free with mountinfo_free(). */
int mountinfo_parse(const char *text, size_t len, struct mnt_table *t);
void mountinfo_free(struct mnt_table *t);

/* Reads and parses a mountinfo file (e.g. "/proc/self/mountinfo"). */
int mountinfo_load(const char *path, struct mnt_table *t);

/* Undoes the kernel's octal escapes in place (\ooo, three octal digits);
 * a backslash not followed by three octal digits stays as it is. */
void mountinfo_unescape(char *s);

/* The mount currently visible at path (the last one mounted there), or NULL. */
const struct mnt_entry *mountinfo_find(const struct mnt_table *t, const char *path);

/* True if path equals prefix or lies beneath it ("/a" covers "/a/b", not "/ab"). */
bool mountinfo_path_under(const char *path, const char *prefix);

/* True if any per-mount option in the comma list opts equals opt. */
bool mountinfo_has_opt(const char *opts, const char *opt);

#endif
